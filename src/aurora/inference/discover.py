"""Which files a classification run covers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def _is_audio(name: str, extensions: frozenset[str]) -> bool:
    return name.rsplit(".", 1)[-1].lower() in extensions if "." in name else False


def discover(paths: Iterable[str | Path], *, recursive: bool, extensions: Iterable[str]) -> list[str]:
    """Files named directly (whatever their extension, even if missing: they become error
    rows) plus the audio files inside named folders (nested ones with `recursive`).
    Broken symbolic links with an audio extension are included, so they get an error row.
    Sorted and without duplicates."""
    wanted = frozenset(e.lower().lstrip(".") for e in extensions)
    found: set[str] = set()
    for arg in paths:
        arg = str(arg)
        if not os.path.isdir(arg):
            found.add(arg)
            continue
        for root, dirs, files in os.walk(arg):
            dirs.sort()
            if not recursive:
                dirs.clear()
            found.update(os.path.join(root, f) for f in files if _is_audio(f, wanted))
    return sorted(found)
