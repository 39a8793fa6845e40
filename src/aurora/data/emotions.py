"""The RAVDESS emotion inventory: codes as they appear in file names, and names."""

from __future__ import annotations

# RAVDESS file-name code -> emotion name, in code order.
EMOTION_CODES: dict[int, str] = {
    1: "neutral",
    2: "calm",
    3: "happy",
    4: "sad",
    5: "angry",
    6: "fearful",
    7: "disgust",
    8: "surprised",
}

EMOTIONS: tuple[str, ...] = tuple(EMOTION_CODES.values())
