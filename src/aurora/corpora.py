"""Labelled speech corpora read from their own layout: who speaks, and which emotion code.

A reader turns one file's path (relative to the corpus folder) into its speaker
and the corpus's own label code, e.g. Emo-DB's ``03a01Wa.wav`` -> speaker
``03``, code ``W``. What a code means in this project's label space is data,
not code: each corpus in params.yaml maps its codes to emotions. A file whose
name does not parse, or whose code the mapping does not know, is reported with
the reason, never dropped silently.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from aurora.ravdess import FilenameError, parse_clip_name


@dataclass(frozen=True)
class LabelledFile:
    path: str  # relative to the corpus folder
    speaker: str
    code: str  # the corpus's own label code


@dataclass(frozen=True)
class Rejected:
    path: str
    reason: str


def ravdess_name(path: PurePath) -> tuple[str, str]:
    """``03-01-05-02-01-02-12.wav`` -> speaker "12", code "05" (angry)."""
    clip = parse_clip_name(path)
    if not clip.is_audio_only_speech:
        raise FilenameError(f"{clip.clip_id}: not an audio-only speech clip (modality 03, channel 01)")
    return f"{clip.actor:02d}", f"{clip.emotion_code:02d}"


_EMODB = re.compile(r"^(\d{2})([a-z]\d{2})([A-Z])([a-z])$")


def emodb_name(path: PurePath) -> tuple[str, str]:
    """Emo-DB's ``03a01Wa.wav``: speaker (2 digits), text code (3), emotion letter, version
    letter -> speaker "03", code "W"."""
    stem = path.name.split(".", 1)[0]
    match = _EMODB.match(stem)
    if match is None:
        raise FilenameError(f"{stem!r} is not an Emo-DB clip name (expected speaker, text, emotion "
                            "letter and version, like 03a01Wa)")
    return match.group(1), match.group(3)


READERS: dict[str, Callable[[PurePath], tuple[str, str]]] = {"ravdess": ravdess_name, "emodb": emodb_name}


def scan(directory: Path, reader: str,
         extensions: Iterable[str]) -> tuple[list[LabelledFile], list[Rejected]]:
    """Every audio file under `directory` (by extension, sorted), with its speaker and code,
    or the reason its name could not be read."""
    parse = READERS[reader]
    wanted = {e.lower().lstrip(".") for e in extensions}
    files, rejected = [], []
    for root, dirs, names in os.walk(directory, followlinks=True):
        dirs.sort()
        for name in sorted(names):
            if name.rsplit(".", 1)[-1].lower() not in wanted or name.startswith("."):
                continue
            rel = os.path.relpath(os.path.join(root, name), directory)
            try:
                speaker, code = parse(PurePath(rel))
            except FilenameError as exc:
                rejected.append(Rejected(rel, str(exc)))
                continue
            files.append(LabelledFile(rel, speaker, code))
    return files, rejected
