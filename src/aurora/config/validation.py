"""Checks shared by the configuration sections; each failure is a ConfigError naming the key."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aurora.errors import ConfigError


def require(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def check_corpus_names(section: str, names: Iterable[str]) -> None:
    for name in names:
        require(re.fullmatch(r"[a-z0-9_]+", name) is not None,
                f"{section}: name {name!r} must be lower-case letters, digits or _")
