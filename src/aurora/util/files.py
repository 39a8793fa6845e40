"""Walking a folder tree: the one way every reader of user folders lists files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def has_extension(name: str, extensions: frozenset[str]) -> bool:
    """`name` ends in one of `extensions` (lower-case, without dots), in any case: A.WAV, b.Wav."""
    return "." in name and name.rsplit(".", 1)[-1].lower() in extensions


def normalise_extensions(extensions: Iterable[str]) -> frozenset[str]:
    return frozenset(e.lower().lstrip(".") for e in extensions)


def walk_files(root: str | Path, *, extensions: Iterable[str] | None = None,
               hidden: bool = True, recursive: bool = True) -> list[str]:
    """Every file below `root`, as sorted paths relative to it with "/" separators.

    Links to folders are followed, but each real folder is visited once, so a link loop
    cannot hang the walk and two links to one folder list its files once (under the path
    that sorts first). Links to files count as files, broken ones too, so that a caller can
    report them. `extensions`: keep only files ending in one of these, in any case;
    `hidden`: keep names starting with a dot; `recursive`: False lists only `root`'s own files.
    """
    wanted = normalise_extensions(extensions) if extensions is not None else None
    root = os.fspath(root)
    try:
        seen = {_identity(root)}
    except OSError:
        return []
    found = []
    for folder, dirs, names in os.walk(root, followlinks=True):
        if not recursive:
            dirs.clear()
        dirs.sort()
        unseen = []
        for d in dirs:
            try:
                identity = _identity(os.path.join(folder, d))
            except OSError:  # vanished or unreadable: os.walk would skip it too
                continue
            if identity not in seen:
                seen.add(identity)
                unseen.append(d)
        dirs[:] = unseen
        for name in names:
            if (hidden or not name.startswith(".")) and (wanted is None or has_extension(name, wanted)):
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
    return sorted(found)


def _identity(path: str) -> tuple[int, int]:
    info = os.stat(path)  # follows links: the real folder
    return info.st_dev, info.st_ino
