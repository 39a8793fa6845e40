"""How a stage module runs: an AuroraError (a failure the user can act on) prints one clear
line and exits 1; anything else is a bug and keeps its traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

from aurora.errors import AuroraError


def run(stage: str, main: Callable[[], None]) -> None:
    try:
        main()
    except AuroraError as exc:
        print(f"{stage}: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
