"""Stage `split`: speaker-wise cross-validation folds, stratified by corpus and gender, the final
split and, with several corpora, the leave-one-corpus-out splits -> artifacts/splits.json."""

from __future__ import annotations

import pandas as pd

from aurora.config import load_params
from aurora.data.manifest import usable
from aurora.data.readers.ravdess import speaker_id
from aurora.data.splits import leave_one_corpus_out, make_splits, single_corpus
from aurora.util.atomic import write_json
from stages.entry import run
from stages.paths import MANIFEST, SPLITS


def main() -> None:
    params = load_params()
    clips = usable(pd.read_parquet(MANIFEST))
    genders = dict(zip(clips.speaker, clips.gender, strict=True))
    corpora = dict(zip(clips.speaker, clips.corpus, strict=True))
    test = [speaker_id(a) for a in params.split.test_actors]
    folds, final = make_splits(genders, test, params.split.cv_folds, params.split.val_actors, corpora)
    loco = leave_one_corpus_out(genders, corpora, test, params.split.val_actors)
    single = single_corpus(genders, corpora, test, params.split.val_actors)
    absent = sorted(set(params.split.test_actors) - set(clips.actor.dropna().astype(int)))
    write_json(SPLITS, {
        "test_actors_requested": list(params.split.test_actors),
        "test_actors_present": list(final.test),
        "note": (f"test actors {absent} are not in the data: evaluation reports "
                 "cross-validation only" if absent == sorted(params.split.test_actors) else ""),
        "folds": [f.to_dict() for f in folds],
        "final": final.to_dict(),
        **({"leave_one_corpus_out": [f.to_dict() for f in loco]} if loco else {}),
        **({"single_corpus": [f.to_dict() for f in single]} if single else {}),
    })
    for fold in [*folds, final, *loco, *single]:
        print(f"{fold.name:6s} train {list(fold.train)}\n       val   {list(fold.val)}\n"
              f"       test  {list(fold.test) or 'none present'}")


if __name__ == "__main__":
    run("split", main)
