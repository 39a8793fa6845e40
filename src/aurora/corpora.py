"""Labelled speech corpora read from their own layout: who speaks, and which emotion code.

A reader turns one file's path (relative to the corpus folder) into its speaker
and the corpus's own label code, e.g. Emo-DB's ``03a01Wa.wav`` -> speaker
``03``, code ``W``. What a code means in this project's label space is data,
not code: each corpus in params.yaml maps its codes to emotions. A file whose
name does not parse, or whose code the mapping does not know, is reported with
the reason, never dropped silently.
"""

from __future__ import annotations

import csv
import os
import posixpath
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
    corpus: str = ""  # a sub-corpus a table names (the generic CSV's optional column); "" = none
    gender: str = ""  # "female" or "male" when the listing says so; "" = unknown


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


TABLE_READER = "csv"
TABLE_COLUMNS = ("path", "emotion", "speaker")  # required; `corpus` and `gender` are optional


def read_table(directory: Path, table: str = "labels.csv") -> tuple[list[LabelledFile], list[Rejected]]:
    """The generic labelled CSV, for the user's own recordings: one row per file with `path`
    (relative to `directory`), `emotion` (the user's label), `speaker`, and optionally `corpus`
    and `gender`. A row without a file, a speaker or a label is rejected with the reason."""
    listing = directory / table
    if not listing.is_file():
        raise FileNotFoundError(f"{listing}: no such labels table (reader csv reads `table` in the "
                                "corpus folder)")
    with listing.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        header = [c.strip() for c in rows.fieldnames or []]
        missing = [c for c in TABLE_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{listing}: no column(s) {missing}; it has {header} (needs "
                             f"{list(TABLE_COLUMNS)}, optionally corpus and gender)")
        files, rejected, seen = [], [], set()
        for line, row in enumerate(rows, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            rel = PurePath(row["path"]).as_posix() if row["path"] else ""
            why = _table_problem(directory, rel, row, seen)
            if why:
                rejected.append(Rejected(rel or f"{table} line {line}", f"{table} line {line}: {why}"))
                continue
            seen.add(rel)
            gender = row.get("gender", "").lower()
            files.append(LabelledFile(rel, row["speaker"], row["emotion"], row.get("corpus", ""),
                                      {"f": "female", "m": "male"}.get(gender[:1], "")))
    return files, rejected


def _table_problem(directory: Path, rel: str, row: dict[str, str], seen: set[str]) -> str:
    """Why a labels-table row cannot be used ("" = it can)."""
    if not rel:
        return "no path"
    normal = posixpath.normpath(rel)
    if PurePath(rel).is_absolute() or normal == ".." or normal.startswith("../"):
        return "the path leaves the corpus folder"
    if rel in seen:
        return "the file is listed twice"
    if not (directory / rel).is_file():
        return "no such file"
    if not row["speaker"]:
        return "no speaker"
    return "" if row["emotion"] else "no emotion label"


def read_corpus(directory: Path, reader: str, extensions: Iterable[str],
                table: str = "labels.csv") -> tuple[list[LabelledFile], list[Rejected]]:
    """A corpus's labelled files: from its labels table (reader csv) or its file names."""
    if reader == TABLE_READER:
        return read_table(directory, table)
    return scan(directory, reader, extensions)


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
