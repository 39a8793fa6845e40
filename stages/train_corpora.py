"""Stage `train_corpora`: data/train_corpora/NAME links to each corpus of data.corpora.

RAVDESS comes from data.raw_dir (stage fetch); these are the other corpora the
model trains on. Each folder comes from its environment variable or dir. A
listed corpus whose folder is absent is skipped with one line naming the
variable to set (the model trains on the corpora that are there, and its model
card, metrics and report name them); links of corpora no longer listed, or
no longer there, are removed.
"""

from __future__ import annotations

from pathlib import Path

from aurora.config import load_params
from aurora.data.sources import link_corpus
from aurora.errors import DatasetError
from stages.entry import run
from stages.paths import TRAIN_CORPORA


def _evaluated_folders(params) -> dict[Path, str]:
    """The folders of the corpora evaluated as unseen (crosscorpus.corpora), resolved."""
    folders = {}
    for name, source in params.crosscorpus.corpora.items():
        location, _ = source.location()
        if location is not None and location.expanduser().is_dir():
            folders[location.expanduser().resolve()] = name
    return folders


def main() -> None:
    params = load_params()
    corpora = params.data.corpora
    evaluated = _evaluated_folders(params)
    TRAIN_CORPORA.mkdir(parents=True, exist_ok=True)
    for stale in sorted(TRAIN_CORPORA.iterdir()):
        if stale.name not in corpora and stale.is_symlink():
            stale.unlink()
            print(f"removed {stale} (no longer in data.corpora)")
    for name, source in corpora.items():
        location, origin = source.location()
        link = TRAIN_CORPORA / name
        if location is None or not location.expanduser().is_dir():
            where = origin if location is None else f"{location} ({origin}) is not a directory"
            variable = f"${source.dir_env}" if source.dir_env else f"data.corpora.{name}.dir"
            if link.is_symlink():
                link.unlink()
            print(f"data.corpora.{name}: skipped, no folder ({where}); set {variable} to its folder to "
                  "train on it")
            continue
        folder = location.expanduser().resolve()
        other = next((name for path, name in evaluated.items()
                      if path == folder or path in folder.parents or folder in path.parents), None)
        if other is not None:
            raise DatasetError(f"data.corpora.{name} is, holds or lies in the folder of "
                               f"crosscorpus.corpora.{other}: a corpus the model trains on is no unseen "
                               "corpus; drop it from one of them")
        print(link_corpus(link, name, location, origin))
    linked = sorted(p.name for p in TRAIN_CORPORA.iterdir() if p.is_symlink())
    print(f"training on RAVDESS{''.join(f', {n}' for n in linked)}" + ("" if linked else " alone"))


if __name__ == "__main__":
    run("train_corpora", main)
