"""Corpora whose file name alone says who speaks and the label (their folders, where they have them,
only repeat it): each parser turns a path, relative to the corpus folder, into the speaker, the corpus's
own label code and, where the name or the corpus's speaker list says it, the gender, e.g. ShEMO's
``female/F01A01.wav`` -> speaker ``F01``, code ``A``, female. What a code means here is data: each
corpus in params.yaml maps its codes."""

from __future__ import annotations

import re
from pathlib import PurePath

from aurora.data.readers.labelled import FilenameError, NameFields, gender_of, match_stem

_CAFE = re.compile(r"^(\d{2})-(?:(N)|([CDJPST])-[12])-([1-6])$")


def cafe_name(path: PurePath) -> NameFields:
    """CaFE's ``Colère/Faible/01-C-1-1.wav``: actor, emotion letter, intensity (1 low, 2 high; neutral
    has none: ``Neutre/02-N-3.wav``) and sentence -> speaker "01", code "C", male (its Readme: odd actors
    are men, even ones women)."""
    match = match_stem(_CAFE, path, "a CaFE clip name (expected actor, emotion letter, intensity and "
                                    "sentence, like 01-C-1-1, or 02-N-3 for neutral)")
    actor = match.group(1)
    return NameFields(actor, match.group(2) or match.group(3), "male" if int(actor) % 2 else "female")


_SUBESCO = re.compile(r"^([MF])_(\d{2})_([A-Z]+)_S_(\d{1,2})_([A-Z]+)_(\d{1,2})$")


def subesco_name(path: PurePath) -> NameFields:
    """SUBESCO's ``F_02_MONIKA_S_1_NEUTRAL_5.wav``: gender, speaker number (counted within a gender),
    speaker's name, sentence, emotion word and take -> speaker "F_02", code "NEUTRAL", female."""
    match = match_stem(_SUBESCO, path, "a SUBESCO clip name (expected gender, speaker number and name, "
                                       "sentence, emotion and take, like F_02_MONIKA_S_1_NEUTRAL_5)")
    gender = match.group(1)
    return NameFields(f"{gender}_{match.group(2)}", match.group(5), gender_of(gender))


_SHEMO = re.compile(r"^([FM]\d{2})([AFHNSW])(\d{2,3})$")


def shemo_name(path: PurePath) -> NameFields:
    """ShEMO's ``female/F01A01.wav``: speaker (gender letter and number), emotion letter, utterance
    number -> speaker "F01", code "A", female."""
    match = match_stem(_SHEMO, path, "a ShEMO clip name (expected speaker, emotion letter A, F, H, N, S or "
                                     "W and number, like F01A01)")
    speaker = match.group(1)
    return NameFields(speaker, match.group(2), gender_of(speaker))


_MESD = re.compile(r"^([A-Z][a-z]+)_([FMC])_([AB])_(.+)$")


def mesd_name(path: PurePath) -> NameFields:
    """MESD's ``Anger_C_A_abajo.wav``: emotion, voice (F adult woman, M adult man, C child), word corpus
    (A or B) and the word -> speaker "C", code "Anger". The names do not say which of the 3 women, 2 men
    or 6 children spoke, so the voice stands in for its speakers: a group, not one person, which keeps
    grouped splits speaker-independent but gives them three "speakers" only."""
    match = match_stem(_MESD, path, "a MESD clip name (expected emotion, voice F, M or C, corpus A or B "
                                    "and word, like Anger_C_A_abajo)")
    voice = match.group(2)
    return NameFields(voice, match.group(1), gender_of(voice))


_AESDD = re.compile(r"^([adfhs])(\d{2}) \((\d+)\)$")


def aesdd_name(path: PurePath) -> NameFields:
    """AESDD's ``anger/a01 (1).wav``: emotion letter, utterance number (01-20), speaker number in
    brackets -> speaker "1", code "a" (which speakers are women is not documented)."""
    match = match_stem(_AESDD, path, "an AESDD clip name (expected emotion letter a, d, f, h or s, "
                                     "utterance and speaker in brackets, like a01 (1))")
    return NameFields(match.group(3), match.group(1))


_JL_CORPUS = re.compile(r"^((fe)?male[12])_([a-z]+)_(\d+[ab])_([12])$")


def jl_corpus_name(path: PurePath) -> NameFields:
    """JL-Corpus's ``female1_angry_10a_1.wav``: speaker (gender and number), emotion word, sentence and
    session -> speaker "female1", code "angry", female."""
    match = match_stem(_JL_CORPUS, path, "a JL-Corpus clip name (expected speaker, emotion, sentence and "
                                         "session, like female1_angry_10a_1)")
    return NameFields(match.group(1), match.group(3), "female" if match.group(2) else "male")


_OREAU = re.compile(r"^(\d{2})([a-z]\d{2})([CDJNPST])([a-z])$")


def oreau_name(path: PurePath) -> NameFields:
    """Oréau's ``m/sessc/07a02Ca.wav`` (as Emo-DB's names): speaker, text code, emotion letter, version
    -> speaker "07", code "C", male (the f/ or m/ folder it ships in; "" without one)."""
    match = match_stem(_OREAU, path, "an Oréau clip name (expected speaker, text, emotion letter and "
                                     "version, like 07a02Ca)")
    gender = next((gender_of(part) for part in reversed(path.parts[:-1]) if part in ("f", "m")), "")
    return NameFields(match.group(1), match.group(3), gender)


_ASVP_ESD = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d+)-(\d+)(?:-\d+)*$")


def asvp_esd_name(path: PurePath) -> NameFields:
    """ASVP-ESD's ``actor_12/03-01-06-01-02-12-02-01-01-16.wav``: modality, vocal channel (01 speech,
    02 non-speech), emotion, intensity, statement, actor, then age, source, language and more where
    given -> speaker "12", code "06", male (its README: odd actors are female, even ones male).
    Non-speech sounds (laughs, screams, breaths) are reported, as RAVDESS's songs are."""
    match = match_stem(_ASVP_ESD, path, "an ASVP-ESD clip name (expected modality, vocal channel, emotion, "
                                        "intensity, statement, actor and more numeric fields, like "
                                        "03-01-06-01-02-12-02-01-01-16)")
    if match.group(2) != "01":
        raise FilenameError(f"{path.name!r}: an ASVP-ESD non-speech sound (vocal channel {match.group(2)}), "
                            "not speech (01)")
    actor = match.group(6)
    return NameFields(actor, match.group(3), "female" if int(actor) % 2 else "male")


_URDU = re.compile(r"^(S([MF])\d+)_F\d+_([AHNS])\d+$")


def urdu_name(path: PurePath) -> NameFields:
    """URDU's ``Angry/SM1_F10_A010.wav``: speaker (S, gender letter, number), file number, emotion letter
    and clip number -> speaker "SM1", code "A", male."""
    match = match_stem(_URDU, path, "a URDU clip name (expected speaker, file number, emotion letter A, H, "
                                    "N or S and number, like SM1_F10_A010)")
    return NameFields(match.group(1), match.group(3), gender_of(match.group(2)))


_TUREV_DB = re.compile(r"^(\d{4})_([a-z]{2})_([a-z]+)$")


def turev_db_name(path: PurePath) -> NameFields:
    """TurEV-DB's ``Sound Source/Angry/1157_kz_beste.wav``: speaker, emotion code (kz in Angry/, sk in
    Calm/, mt in Happy/, hl in Sad/) and word -> speaker "1157", code "kz"."""
    match = match_stem(_TUREV_DB, path, "a TurEV-DB clip name (expected speaker, emotion code and word, like "
                                        "1157_kz_beste)")
    return NameFields(match.group(1), match.group(2))


_POLISH = re.compile(r"^(([mf])\d+)\.([ans])_([a-z]+)_(\d+)$")


def polish_name(path: PurePath) -> NameFields:
    """Emotions in Polish speech recordings' ``m1.a_nie_2.wav``: speaker (gender letter and number), a
    dot, emotion letter (a anger, s fear, n neutral), word and repetition -> speaker "m1", code "a",
    male."""
    match = match_stem(_POLISH, path, "a clip name of Emotions in Polish speech recordings (expected "
                                      "speaker, dot, emotion letter a, s or n, word and repetition, like "
                                      "m1.a_nie_2)", last_dot=True)
    return NameFields(match.group(1), match.group(3), gender_of(match.group(2)))
