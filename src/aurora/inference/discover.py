"""Which files a classification run covers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from aurora.errors import AuroraError
from aurora.util.files import normalise_extensions, walk_files


class NothingToClassify(AuroraError, LookupError):
    """A run found no file to classify (an empty, wrong or unmounted folder)."""


def discover(paths: Iterable[str | Path], *, recursive: bool, extensions: Iterable[str]) -> list[str]:
    """Files named directly (whatever their extension, even if missing: they become error
    rows) plus the audio files inside named folders (nested ones with `recursive`), each as
    the named folder's path joined to its path inside it. Folders are walked with
    aurora.util.files.walk_files: linked sub-folders are followed and each real folder is
    visited once, so a link loop ends and two links to one folder give its files once.
    Broken symbolic links with an audio extension are included, so they get an error row.
    Sorted and without duplicates."""
    wanted = normalise_extensions(extensions)
    found: set[str] = set()
    for arg in paths:
        arg = str(arg)
        if not os.path.isdir(arg):
            found.add(arg)
            continue
        found.update(os.path.join(arg, rel)
                     for rel in walk_files(arg, extensions=wanted, recursive=recursive))
    return sorted(found)


def nothing_found(paths: Iterable[str | Path], *, recursive: bool, extensions: Iterable[str]) -> str:
    """The one line that says a run found nothing to classify: where it looked and for what."""
    where = ", ".join(str(p) for p in paths) or "(no path)"
    kinds = ", ".join(f".{e}" for e in sorted(normalise_extensions(extensions)))
    scope = "sub-folders included" if recursive else "top level only; --recursive searches sub-folders"
    return f"no file to classify in {where}: looked for {kinds} ({scope})"
