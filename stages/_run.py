"""Shared entry point for stage modules: expected failures print one clear line."""

from __future__ import annotations

import sys
from collections.abc import Callable

from aurora.audio import AudioError
from aurora.config import ConfigError
from aurora.dataset import DatasetError

EXPECTED = (ConfigError, DatasetError, AudioError, FileNotFoundError)


def run(stage: str, main: Callable[[], None]) -> None:
    try:
        main()
    except EXPECTED as exc:
        print(f"{stage}: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
