"""Corpora whose file names lack the speaker, or whose names mislabel it: the speaker comes from the
folder layout each corpus ships with (and CASIA's label too), e.g. EmoV-DB's
``bea/Amused/amused_1-15_0001.wav`` -> speaker ``bea``, code ``amused``. A file outside such a folder
is reported, never given a guessed speaker. What a code means here is data: each corpus in params.yaml
maps its codes."""

from __future__ import annotations

import re
from pathlib import PurePath

from aurora.data.readers.labelled import FilenameError, NameFields, match_stem


def _folder(path: PurePath, pattern: re.Pattern, expected: str) -> re.Match:
    """The nearest folder above the file whose whole name matches `pattern`, or a FilenameError."""
    for folder in reversed(path.parts[:-1]):
        match = pattern.fullmatch(folder)
        if match:
            return match
    raise FilenameError(f"{str(path)!r} is not {expected}: no speaker folder in its path")


_ENTERFACE = re.compile(r"^s_?\d+_(an|di|fe|ha|sa|su)_(\d)(?:avi)?$")
_ENTERFACE_SUBJECT = re.compile(r"subject[ _]?(\d+)", re.IGNORECASE)


def enterface_name(path: PurePath) -> NameFields:
    """eNTERFACE'05 audio kept in its folders, ``subject 3/anger/sentence 1/s3_an_1.wav``: the speaker
    is the ``subject N`` folder, the code the name's emotion field -> speaker "3", code "an". The name's
    own subject number is not used, as subject 11's files are named s12_...; the misnamed s_3_... and
    s16_su_3avi are read too."""
    expected = ("an eNTERFACE'05 clip (expected subject N/.../sN_an_1 with emotion an, di, fe, ha, sa or "
                "su, like subject 3/anger/sentence 1/s3_an_1)")
    match = match_stem(_ENTERFACE, path, expected)
    return NameFields(_folder(path, _ENTERFACE_SUBJECT, expected).group(1), match.group(1))


_EMOV_DB = re.compile(r"^([a-z]+)_\d+[-_]\d+_\d+$")
_EMOV_DB_SPEAKER = re.compile(r"(bea|jenie|josh|sam)(?:_.*)?", re.IGNORECASE)
# EmoV-DB's four speakers, as its README lists them (Spk-Bea, Spk-Je, Spk-Jsh, Spk-Sa)
EMOV_DB_GENDERS = {"bea": "female", "jenie": "female", "josh": "male", "sam": "male"}


def emov_db_name(path: PurePath) -> NameFields:
    """EmoV-DB's ``bea/Amused/amused_1-15_0001.wav`` (its sorted release; a folder named like
    ``bea_Amused/`` works too): speaker folder, then the name's emotion word, transcript range and
    sentence -> speaker "bea", code "amused", female."""
    expected = ("an EmoV-DB clip (expected a bea, jenie, josh or sam folder and emotion, range and "
                "sentence, like bea/Amused/amused_1-15_0001)")
    match = match_stem(_EMOV_DB, path, expected)
    speaker = _folder(path, _EMOV_DB_SPEAKER, expected).group(1).lower()
    return NameFields(speaker, match.group(1), EMOV_DB_GENDERS[speaker])


# CASIA's four speakers, by their folder names in either release ("same text" and "different text"),
# lower-cased -> the one id each speaker keeps (the first release's spelling, liuchanhg included)
CASIA_SPEAKERS = {"liuchanhg": "liuchanhg", "chang.liu": "liuchanhg", "wangzhe": "wangzhe",
                  "zhe.wang": "wangzhe", "zhaoquanyin": "zhaoquanyin", "quanyin.zhao": "zhaoquanyin",
                  "zhaozuoxiang": "ZhaoZuoxiang", "zuoxiang.zhao": "ZhaoZuoxiang"}
_CASIA = re.compile(r"^\d+$")


def casia_name(path: PurePath) -> NameFields:
    """CASIA's ``liuchanhg/angry/201.wav``: speaker folder, emotion folder, clip number -> speaker
    "liuchanhg", code "angry" (the folder as named). The other release's Chang.Liu, Zhe.Wang,
    Quanyin.Zhao and Zuoxiang.Zhao are the same four people and get the same ids."""
    expected = "a CASIA clip (expected speaker/emotion/number, like liuchanhg/angry/201)"
    match_stem(_CASIA, path, expected)
    parts = path.parts
    if len(parts) < 3 or parts[-3].lower() not in CASIA_SPEAKERS or not parts[-2].isalpha():
        raise FilenameError(f"{str(path)!r} is not {expected}: no speaker and emotion folders above it")
    return NameFields(CASIA_SPEAKERS[parts[-3].lower()], parts[-2])
