"""librosa's numba cache survives several fresh processes compiling at once (aurora.util.librosa_warmup)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

# What the pipeline, the tests and the benchmarks call: our extractor (zero-crossing rate, STFT),
# librosa's YIN and pYIN, chroma_stft with its tuning estimate (piptrack), the augmentations'
# time stretch and pitch shift.
CALLS = """
import numpy as np, librosa
from aurora.util.librosa_warmup import warm_librosa
warm_librosa()
sr = 16000
y = (0.3 * np.sin(2 * np.pi * 220.0 * np.arange(sr) / sr)).astype(np.float32)
librosa.feature.chroma_stft(y=y, sr=sr)
f0 = librosa.yin(y, fmin=60.0, fmax=500.0, sr=sr)
assert abs(float(np.median(f0)) - 220.0) < 5.0, np.median(f0)
librosa.pyin(y, fmin=60.0, fmax=500.0, sr=sr)
librosa.effects.time_stretch(y, rate=0.9)
librosa.effects.pitch_shift(y, sr=sr, n_steps=-2.0)
librosa.feature.zero_crossing_rate(y)
print("ok")
"""


def test_fresh_processes_compiling_at_once_leave_a_cache_every_later_process_can_use(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
           "AURORA_CACHE_DIR": str(tmp_path / "aurora")}
    racing = [subprocess.Popen([sys.executable, "-c", CALLS], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for process in racing:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0 and out.strip() == "ok", (process.returncode, err[-2000:])
    assert list((tmp_path / "numba").rglob("*.nbi")), "nothing was cached"
    # A later process loads what the racing ones wrote; a corrupt cache segfaults here (-11).
    later = subprocess.run([sys.executable, "-c", CALLS], env=env, capture_output=True, text=True,
                           timeout=300)
    assert later.returncode == 0 and later.stdout.strip() == "ok", (later.returncode, later.stderr[-2000:])
