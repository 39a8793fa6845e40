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


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average channels; a (frames, channels) array becomes (frames,)."""
    if samples.ndim == 1:
        return samples
    return samples.mean(axis=1, dtype=np.float32) if samples.shape[1] > 1 else samples[:, 0]


def resample(y: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return y
    return soxr.resample(y, rate_in, rate_out, quality="HQ").astype(np.float32, copy=False)


def load_mono(path: str | Path, sample_rate: int) -> np.ndarray:
    """Read, decode, downmix and resample one file."""
    decoded = decode(read_file(path))
    return resample(to_mono(decoded.samples), decoded.sample_rate, sample_rate)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
