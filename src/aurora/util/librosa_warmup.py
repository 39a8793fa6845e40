"""Compile librosa's numba functions once, before worker processes start.

librosa caches its numba functions on disk (`cache=True`). When several
processes compile the same `guvectorize` function at once on an empty cache,
they can write its two cache files with different ABI tags, and every later
process that loads them segfaults (numba issue 10128, librosa issue 1998; the
fix, numba PR 10545, is not released). This module compiles every function
the pipeline, the tests and the benchmarks call, in one process at a time
(an exclusive file lock in the user's aurora cache folder), so the cache
is written by a single process: forked workers inherit the compiled code, and
other processes (Dask workers, a second run) wait for the lock and then load a
consistent cache. On a warm cache it costs about a second.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

import numpy as np

from aurora.util.cache import cache_dir

_warmed = False


def _lock_path() -> Path:
    cache_dir().mkdir(parents=True, exist_ok=True)
    return cache_dir() / "numba-compile.lock"


def _exercise(sr: int = 16000) -> None:
    import librosa

    t = np.arange(sr // 2) / sr
    for dtype in (np.float32, np.float64):
        y = (0.3 * np.sin(2 * np.pi * 180.0 * t) + 0.01 * np.cos(2 * np.pi * 3100.0 * t)).astype(dtype)
        librosa.feature.zero_crossing_rate(y, frame_length=512, hop_length=160)
        spectrum = librosa.stft(y, n_fft=512, hop_length=160)
        librosa.istft(spectrum, hop_length=160, length=len(y))
        librosa.yin(y, fmin=60.0, fmax=500.0, sr=sr, frame_length=1024, hop_length=160)
        librosa.pyin(y, fmin=60.0, fmax=500.0, sr=sr, frame_length=1024, hop_length=160)
        librosa.piptrack(y=y, sr=sr, n_fft=512, hop_length=160)  # chroma_stft's tuning estimate
        librosa.effects.time_stretch(y, rate=1.1)
        librosa.effects.pitch_shift(y, sr=sr, n_steps=1.0)
        librosa.util.localmax(np.abs(spectrum))
        librosa.util.localmin(np.abs(spectrum))


def warm_librosa() -> None:
    """Compile (or load) librosa's numba functions in this process, one process at a time.
    Call it before starting worker processes; later calls in the same process return at once."""
    global _warmed
    if _warmed:
        return
    with open(_lock_path(), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _exercise()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _warmed = True
