"""Speech level: how loud the voice in a clip is, and the same clip at another level.

Whisper's log-mel is not level-invariant: the same clip recorded 20 dB louder
moves every mel value by the same amount. Bringing every clip's speech level to
one target before the encoder makes a prediction independent of recording gain.
"""

from __future__ import annotations

import numpy as np

LEVEL_FRAME_S = 0.025


def speech_level_dbfs(y: np.ndarray, sample_rate: int = 16000) -> float:
    """The level of the speech in `y`, in dBFS: the RMS of the louder half of its 25 ms frames.
    Pauses and silence fall in the quieter half, so the figure follows the voice, not the
    recording's length or the silence around it (-inf for digital silence)."""
    frame = max(1, round(LEVEL_FRAME_S * sample_rate))
    n = len(y) // frame
    if n == 0:
        energy = np.array([np.mean(np.square(y, dtype=np.float64))]) if len(y) else np.zeros(1)
    else:
        energy = np.mean(np.square(y[: n * frame].reshape(n, frame), dtype=np.float64), axis=1)
    louder = np.sort(energy)[len(energy) // 2:]
    power = float(louder.mean())
    return 10 * np.log10(power) if power > 0 else float("-inf")


def normalize_level(y: np.ndarray, target_dbfs: float, sample_rate: int = 16000) -> np.ndarray:
    """`y` scaled so that its speech level (speech_level_dbfs) is `target_dbfs`: the same clip
    recorded quieter or louder gives the same samples. Float samples may exceed 1 after the
    gain; nothing is clipped here. Digital silence is returned unchanged."""
    level = speech_level_dbfs(y, sample_rate)
    if not np.isfinite(level):
        return y
    return (y * np.float32(10 ** ((target_dbfs - level) / 20))).astype(np.float32, copy=False)
