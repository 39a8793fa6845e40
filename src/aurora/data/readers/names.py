"""Corpora whose labels are in their file names: each parser turns a path (relative to the corpus
folder) into the speaker and the corpus's own label code, e.g. Emo-DB's ``03a01Wa.wav`` -> speaker
``03``, code ``W``. What a code means here is data: each corpus in params.yaml maps its codes."""

from __future__ import annotations

import re
from pathlib import PurePath

from aurora.data.readers.labelled import FilenameError, NameFields, match_stem

_EMODB = re.compile(r"^(\d{2})([a-z]\d{2})([A-Z])([a-z])$")
# Emo-DB's ten speakers, as its documentation lists them
EMODB_GENDERS = {**dict.fromkeys(("03", "10", "11", "12", "15"), "male"),
                 **dict.fromkeys(("08", "09", "13", "14", "16"), "female")}


def emodb_name(path: PurePath) -> NameFields:
    """Emo-DB's ``03a01Wa.wav``: speaker (2 digits), text code (3), emotion letter, version
    letter -> speaker "03", code "W"."""
    match = match_stem(_EMODB, path, "an Emo-DB clip name (expected speaker, text, emotion letter and "
                                     "version, like 03a01Wa)")
    return NameFields(match.group(1), match.group(3), EMODB_GENDERS.get(match.group(1), ""))


_CREMA_D = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_(LO|MD|HI|XX)$")


def crema_d_name(path: PurePath) -> NameFields:
    """CREMA-D's ``1001_DFA_ANG_XX.wav``: actor, sentence, emotion, intensity (LO/MD/HI/XX)
    -> speaker "1001", code "ANG"."""
    match = match_stem(_CREMA_D, path, "a CREMA-D clip name (expected actor, sentence, emotion and "
                                       "intensity, like 1001_DFA_ANG_XX)")
    return NameFields(match.group(1), match.group(3))


_TESS = re.compile(r"^([A-Za-z]{2,3})_([A-Za-z]+)_([A-Za-z]+)$")


def tess_name(path: PurePath) -> NameFields:
    """TESS's ``OAF_back_angry.wav`` (folders like ``OAF_angry/``): speaker, word, emotion word
    -> speaker "OAF", code "angry" (``ps`` = pleasant surprise)."""
    match = match_stem(_TESS, path, "a TESS clip name (expected speaker, word and emotion, like "
                                    "OAF_back_angry)")
    return NameFields(match.group(1).upper(), match.group(3).lower(), "female")  # two women


_SAVEE = re.compile(r"^(?:([A-Z]{2})_)?(sa|su|[adfhn])(\d{2})$")


def savee_name(path: PurePath) -> NameFields:
    """SAVEE's ``DC_a01.wav``, or ``DC/a01.wav`` as in its AudioData folder: speaker initials,
    emotion code (``sa`` sad and ``su`` surprise before the single letters) and number -> "DC", "a"."""
    expected = "a SAVEE clip name (expected speaker initials, emotion code and number, like DC_a01 or DC/a01)"
    match = match_stem(_SAVEE, path, expected)
    speaker = match.group(1) or path.parent.name
    if not re.fullmatch(r"[A-Z]{2}", speaker):
        raise FilenameError(f"{str(path)!r} is not {expected}: no speaker initials in its name or folder")
    return NameFields(speaker, match.group(2), "male")  # four men


_EMOVO = re.compile(r"^([a-z]{3})-([fm][1-9])-([a-z]\d)$")


def emovo_name(path: PurePath) -> NameFields:
    """EMOVO's ``dis-f1-b1.wav``: emotion code, speaker (f or m and a digit), sentence code
    -> speaker "f1", code "dis", gender female."""
    match = match_stem(_EMOVO, path, "an EMOVO clip name (expected emotion code, speaker and sentence, "
                                     "like dis-f1-b1)")
    speaker = match.group(2)
    return NameFields(speaker, match.group(1), "female" if speaker[0] == "f" else "male")
