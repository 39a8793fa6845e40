"""Parse RAVDESS file names such as ``03-01-05-02-01-02-12.wav``.

Seven two-digit fields: modality, vocal channel, emotion, intensity,
statement, repetition, actor. See the RAVDESS paper (Livingstone & Russo, 2018).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from aurora.data.emotions import EMOTION_CODES
from aurora.data.readers.labelled import FilenameError, NameFields

_NAME = re.compile(r"^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$")

MODALITIES = {1: "audio-video", 2: "video-only", 3: "audio-only"}
VOCAL_CHANNELS = {1: "speech", 2: "song"}
INTENSITIES = {1: "normal", 2: "strong"}
STATEMENTS = {1: "Kids are talking by the door", 2: "Dogs are sitting by the door"}
MAX_ACTOR = 24
RAVDESS = "ravdess"  # its name beside other corpora; its speakers are ravdess:01 ... ravdess:24
ABOUT = ("RAVDESS speech (Livingstone & Russo, 2018; CC BY-NC-SA 4.0): North American English, acted by "
         "24 professional actors, two fixed sentences")


def speaker_id(actor: int) -> str:
    """Actor 12's speaker name among every corpus's speakers: ``ravdess:12``."""
    return f"{RAVDESS}:{actor:02d}"


@dataclass(frozen=True)
class ClipName:
    """The fields encoded in one RAVDESS file name."""

    clip_id: str
    modality: int
    vocal_channel: int
    emotion_code: int
    intensity: int
    statement: int
    repetition: int
    actor: int

    @property
    def emotion(self) -> str:
        return EMOTION_CODES[self.emotion_code]

    @property
    def gender(self) -> str:
        # RAVDESS convention: odd-numbered actors are male, even female.
        return "male" if self.actor % 2 else "female"

    @property
    def is_audio_only_speech(self) -> bool:
        return self.modality == 3 and self.vocal_channel == 1


def _check(value: int, allowed: dict[int, str], field: str, stem: str) -> None:
    if value not in allowed:
        codes = ", ".join(f"{k:02d}" for k in allowed)
        raise FilenameError(f"{stem}: {field} code {value:02d} is not one of {codes}")


def parse_clip_name(name: str | PurePath) -> ClipName:
    """Parse a RAVDESS file name (with or without directory and extension).

    Raises FilenameError with a message naming the offending field.
    """
    stem = PurePath(name).name.split(".", 1)[0]
    match = _NAME.match(stem)
    if match is None:
        raise FilenameError(
            f"{stem!r} is not a RAVDESS clip name (expected seven two-digit fields "
            "like 03-01-05-02-01-02-12)"
        )
    modality, channel, emotion, intensity, statement, repetition, actor = map(
        int, match.groups()
    )
    _check(modality, MODALITIES, "modality", stem)
    _check(channel, VOCAL_CHANNELS, "vocal channel", stem)
    _check(emotion, EMOTION_CODES, "emotion", stem)
    _check(intensity, INTENSITIES, "intensity", stem)
    _check(statement, STATEMENTS, "statement", stem)
    _check(repetition, {1: "1st", 2: "2nd"}, "repetition", stem)
    if not 1 <= actor <= MAX_ACTOR:
        raise FilenameError(f"{stem}: actor {actor:02d} is outside 01-{MAX_ACTOR}")
    if emotion == 1 and intensity == 2:
        raise FilenameError(f"{stem}: neutral clips have no strong intensity in RAVDESS")
    return ClipName(stem, modality, channel, emotion, intensity, statement, repetition, actor)


def ravdess_name(path: PurePath) -> NameFields:
    """``03-01-05-02-01-02-12.wav`` -> speaker "12", code "05" (angry), gender female."""
    clip = parse_clip_name(path)
    if not clip.is_audio_only_speech:
        raise FilenameError(f"{clip.clip_id}: not an audio-only speech clip (modality 03, channel 01)")
    return NameFields(f"{clip.actor:02d}", f"{clip.emotion_code:02d}", clip.gender)
