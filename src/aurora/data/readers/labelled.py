"""What a corpus reader returns: labelled files, and files it could not read, with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import NamedTuple


class FilenameError(ValueError):
    """A file name that does not follow its corpus's naming scheme."""


def gender_of(letter: str) -> str:
    """A name's gender letter (F or M, in any case) as NameFields says it: "female", "male", else ""."""
    return {"f": "female", "m": "male"}.get(letter[:1].lower(), "")


class NameFields(NamedTuple):
    """What a file's path says: its speaker, the corpus's label code and, where the corpus encodes
    it, the speaker's gender ("female" or "male"; "" = not in the name)."""

    speaker: str
    code: str
    gender: str = ""


@dataclass(frozen=True)
class LabelledFile:
    path: str  # relative to the corpus folder
    speaker: str
    code: str  # the corpus's own label code
    corpus: str = ""  # a sub-corpus a table names (the generic CSV's optional column); "" = none
    gender: str = ""  # "female" or "male" when the listing says so; "" = unknown


@dataclass(frozen=True)
class Rejected:
    path: str
    reason: str


def match_stem(pattern: re.Pattern, path: PurePath, expected: str, *, last_dot: bool = False) -> re.Match:
    """The file name's stem (up to its first dot; `last_dot`: up to its last, for names with dots of their
    own such as ``m1.a_nie_2.wav``) matched against `pattern`, or a FilenameError saying what was
    expected."""
    stem = path.name.rsplit(".", 1)[0] if last_dot else path.name.split(".", 1)[0]
    match = pattern.match(stem)
    if match is None:
        raise FilenameError(f"{stem!r} is not {expected}")
    return match
