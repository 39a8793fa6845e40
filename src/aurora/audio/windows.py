"""Read one input file for classification: whole if short, in windows if long.

A long recording (a 30-minute call) is never loaded whole: each window is
read by seeking, downmixed and resampled on its own, so memory is bounded by
the window length, not the file. Silent windows are skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from aurora.audio.arrays import ArrayAudio
from aurora.audio.decode import AudioError, resample, to_mono

LOUDNESS_FRAME_S = 0.025


@dataclass(frozen=True)
class Window:
    start_s: float
    end_s: float
    samples: np.ndarray  # mono float32 at the requested rate; empty when silent
    silent: bool


def open_audio(path: Path) -> sf.SoundFile:
    """Open for reading, with the reasons a file cannot be used turned into AudioError."""
    try:
        if path.is_symlink() and not path.exists():
            raise AudioError("broken symbolic link")
        if path.is_dir():
            raise AudioError("is a directory")
        if path.exists() and not path.is_file():
            raise AudioError("not a regular file (a device, socket or pipe)")
        if path.stat().st_size == 0:
            raise AudioError("empty file (0 bytes)")
        return sf.SoundFile(os.fsencode(path))  # bytes: names that are not valid UTF-8 open too
    except AudioError:
        raise
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except PermissionError:
        raise AudioError("permission denied") from None
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = re.sub(r"^Error opening .*?': ", "", detail).rstrip(".")  # the path is in the row already
        if "does not exist or is not a regular file" in detail:  # libsndfile's words for "unknown format"
            detail = "format not recognised"
        detail = detail[:1].lower() + detail[1:]
        raise AudioError(f"not a readable audio file ({detail[:200]})") from None
    except OSError as exc:
        raise AudioError(f"cannot read file ({exc.strerror or exc})") from None


def loudest_dbfs(y: np.ndarray, sample_rate: int) -> float:
    """Level of the loudest 25 ms frame, in dB relative to full scale."""
    if not len(y):
        return -np.inf
    n = max(1, int(LOUDNESS_FRAME_S * sample_rate))
    frames = np.pad(y, (0, -len(y) % n)).reshape(-1, n).astype(np.float64)
    peak = float(np.sqrt((frames ** 2).mean(axis=1)).max())
    return 20 * np.log10(peak) if peak > 0 else -np.inf


def _read_block(f: sf.SoundFile | ArrayAudio, start: int, frames: int) -> np.ndarray:
    try:
        f.seek(start)
        block = f.read(frames, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"decoding failed at {start / f.samplerate:.1f} s ({exc})") from None
    if block.size and not np.isfinite(block).all():
        raise AudioError("audio contains NaN or infinite samples")
    return to_mono(block, f.samplerate)


def window_starts(total: int, window: int, hop: int) -> list[int]:
    """Window start frames covering [0, total): every hop, plus one ending at the end."""
    if total <= window:
        return [0]
    starts = list(range(0, total - window + 1, hop))
    if starts[-1] + window < total:
        starts.append(total - window)
    return starts


class WindowReader:
    """An open audio file (or audio in memory) and its windows; a file no longer than window_s is
    one window. Opening raises AudioError for an unusable file; reading errors surface while
    iterating."""

    def __init__(self, source: Path | ArrayAudio, sample_rate: int, window_s: float, hop_s: float,
                 silence_dbfs: float):
        self._file = source if isinstance(source, ArrayAudio) else open_audio(source)
        self.rate, self.total = self._file.samplerate, self._file.frames
        if self.total <= 0:
            self._file.close()
            raise AudioError("no audio samples (0 frames)")
        self.duration_s = self.total / self.rate
        self.sample_rate, self.silence_dbfs = sample_rate, silence_dbfs
        self.window, self.hop = round(window_s * self.rate), round(hop_s * self.rate)

    def __enter__(self) -> WindowReader:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def __iter__(self) -> Iterator[Window]:
        for start in window_starts(self.total, self.window, self.hop):
            y = resample(_read_block(self._file, start, self.window), self.rate, self.sample_rate)
            silent = loudest_dbfs(y, self.sample_rate) < self.silence_dbfs
            end = min(self.total, start + self.window)
            yield Window(start / self.rate, end / self.rate, y[:0] if silent else y, silent)
