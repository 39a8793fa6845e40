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


def _match(pattern: re.Pattern, path: PurePath, expected: str) -> re.Match:
    """The file name's stem matched against `pattern`, or a FilenameError saying what was expected."""
    stem = path.name.split(".", 1)[0]
    match = pattern.match(stem)
    if match is None:
        raise FilenameError(f"{stem!r} is not {expected}")
    return match


_EMODB = re.compile(r"^(\d{2})([a-z]\d{2})([A-Z])([a-z])$")


def emodb_name(path: PurePath) -> tuple[str, str]:
    """Emo-DB's ``03a01Wa.wav``: speaker (2 digits), text code (3), emotion letter, version
    letter -> speaker "03", code "W"."""
    match = _match(_EMODB, path, "an Emo-DB clip name (expected speaker, text, emotion letter and "
                   "version, like 03a01Wa)")
    return match.group(1), match.group(3)


_CREMA_D = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_(LO|MD|HI|XX)$")


def crema_d_name(path: PurePath) -> tuple[str, str]:
    """CREMA-D's ``1001_DFA_ANG_XX.wav``: actor, sentence, emotion, intensity (LO/MD/HI/XX)
    -> speaker "1001", code "ANG"."""
    match = _match(_CREMA_D, path, "a CREMA-D clip name (expected actor, sentence, emotion and "
                   "intensity, like 1001_DFA_ANG_XX)")
    return match.group(1), match.group(3)


_TESS = re.compile(r"^([A-Za-z]{2,3})_([A-Za-z]+)_([A-Za-z]+)$")


def tess_name(path: PurePath) -> tuple[str, str]:
    """TESS's ``OAF_back_angry.wav`` (folders like ``OAF_angry/``): speaker, word, emotion word
    -> speaker "OAF", code "angry" (``ps`` = pleasant surprise)."""
    match = _match(_TESS, path, "a TESS clip name (expected speaker, word and emotion, like "
                   "OAF_back_angry)")
    return match.group(1).upper(), match.group(3).lower()


_SAVEE = re.compile(r"^(?:([A-Z]{2})_)?(sa|su|[adfhn])(\d{2})$")


def savee_name(path: PurePath) -> tuple[str, str]:
    """SAVEE's ``DC_a01.wav``, or ``DC/a01.wav`` as in its AudioData folder: speaker initials,
    emotion code (``sa`` sad and ``su`` surprise before the single letters) and number -> "DC", "a"."""
    expected = "a SAVEE clip name (expected speaker initials, emotion code and number, like DC_a01 or DC/a01)"
    match = _match(_SAVEE, path, expected)
    speaker = match.group(1) or path.parent.name
    if not re.fullmatch(r"[A-Z]{2}", speaker):
        raise FilenameError(f"{str(path)!r} is not {expected}: no speaker initials in its name or folder")
    return speaker, match.group(2)


READERS: dict[str, Callable[[PurePath], tuple[str, str]]] = {
    "ravdess": ravdess_name, "emodb": emodb_name, "crema_d": crema_d_name, "tess": tess_name,
    "savee": savee_name}


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
