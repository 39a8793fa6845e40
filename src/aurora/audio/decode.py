"""Audio decoding: bytes or paths in, float32 mono at a chosen rate out.

soundfile (libsndfile) decodes WAV, FLAC, OGG and MP3; soxr resamples. Every
failure becomes an AudioError with a message a user can act on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from aurora.audio.level import speech_level_dbfs
from aurora.errors import AuroraError


class AudioError(AuroraError):
    """A file that cannot be used as audio; the message says why."""


@dataclass(frozen=True)
class Decoded:
    samples: np.ndarray  # float32, shape (frames, channels)
    sample_rate: int

    @property
    def channels(self) -> int:
        return self.samples.shape[1]

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.sample_rate


def decode(data: bytes) -> Decoded:
    """Decode an in-memory audio file; raise AudioError when it is not usable."""
    if not data:
        raise AudioError("empty file (0 bytes)")
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioError(f"not a readable audio file ({_short(exc)})") from None
    if samples.shape[0] == 0:
        raise AudioError("no audio samples (0 frames)")
    if not np.isfinite(samples).all():
        raise AudioError("audio contains NaN or infinite samples")
    return Decoded(samples, int(rate))


def read_file(path: str | Path) -> bytes:
    """Read a whole file, turning OS errors into AudioError."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise AudioError("file not found (or a broken link)") from None
    except PermissionError:
        raise AudioError("permission denied") from None
    except IsADirectoryError:
        raise AudioError("is a directory") from None
    except OSError as exc:
        raise AudioError(f"cannot read file ({exc.strerror or exc})") from None


# Channels this correlated carry one signal (a stereo copy of a mono recording, two close
# microphones): their average loses nothing and lowers uncorrelated noise.
COHERENT_CHANNELS = 0.9


def to_mono(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """(frames, channels) -> (frames,): the average of channels that carry one signal (every pair
    correlated at COHERENT_CHANNELS or more); otherwise the channel with the highest speech level.
    Two different microphones' channels can partly cancel when averaged (a path difference shifts
    one against the other), and a dead channel halves the level; picking the louder one keeps the
    speech whole. Identical channels give exactly either channel."""
    if samples.ndim == 1:
        return samples
    if samples.shape[1] == 1:
        return samples[:, 0]
    if _coherent(samples):
        return samples.mean(axis=1, dtype=np.float32)
    levels = [speech_level_dbfs(samples[:, c], sample_rate) for c in range(samples.shape[1])]
    return np.ascontiguousarray(samples[:, int(np.argmax(levels))])


def _coherent(samples: np.ndarray) -> bool:
    """Is every pair of channels correlated at COHERENT_CHANNELS or more? (A silent channel is not.)"""
    x = samples.astype(np.float64)
    x = x - x.mean(axis=0)
    norms = np.sqrt((x * x).sum(axis=0))
    if not norms.all():
        return bool((x == x[:, :1]).all())  # all silent alike, or not coherent
    correlation = (x.T @ x) / np.outer(norms, norms)
    return bool(correlation.min() >= COHERENT_CHANNELS)


def resample(y: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return y
    return soxr.resample(y, rate_in, rate_out, quality="HQ").astype(np.float32, copy=False)


def load_mono(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read, decode, downmix and resample one file."""
    decoded = decode(read_file(path))
    return resample(to_mono(decoded.samples, decoded.sample_rate), decoded.sample_rate, sample_rate)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
