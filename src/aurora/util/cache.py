"""The per-user cache folder: joined encoder weights, the numba compile lock."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$AURORA_CACHE_DIR, else $XDG_CACHE_HOME/aurora, else ~/.cache/aurora."""
    root = os.environ.get("AURORA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "aurora")
    return Path(root)
