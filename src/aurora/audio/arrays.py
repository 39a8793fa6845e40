"""Audio already in memory (a NumPy array and its rate), checked, and read like an open sound file
so that it is classified by exactly the code that classifies files (aurora.audio.windows)."""

from __future__ import annotations

import hashlib

import numpy as np

# More channels than this on the shorter axis is not a recording but a mistake (a batch of
# clips, a spectrogram): 2-D input is (frames, channels) or (channels, frames).
MAX_CHANNELS = 64


def as_frames_by_channels(samples: np.ndarray, sample_rate: int, min_duration_s: float) -> np.ndarray:
    """`samples` as float32 (frames, channels). Accepted: (frames,) mono, (frames, channels) as
    soundfile reads, or (channels, frames) as librosa and torchaudio give (the shorter axis is
    the channels); floats in [-1, 1], or integers (int16 PCM...) scaled to that range like a
    file's. TypeError for what is not an array of numbers; ValueError for a wrong shape, no
    samples, NaN or infinity, a rate that is not a positive integer, or audio shorter than
    `min_duration_s` (the shortest a file may be)."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer (Hz), not {sample_rate!r}")
    array = np.asarray(samples)
    if array.dtype.kind in "iu":  # PCM, scaled as libsndfile reads it: int16 -32768 -> -1.0
        info = np.iinfo(array.dtype)
        full_scale = (float(info.max) - float(info.min) + 1) / 2  # 32768 for int16, 128 for uint8
        centre = (float(info.max) + float(info.min) + 1) / 2  # 0, or 128 for unsigned 8-bit WAV
        array = (array.astype(np.float64) - centre) / full_scale
    elif array.dtype.kind != "f":
        raise TypeError(f"samples must be an array of real numbers (float or integer PCM), not {array.dtype}")
    if array.ndim == 1:
        array = array[:, None]
    elif array.ndim == 2:
        if array.shape[0] < array.shape[1]:
            array = array.T  # (channels, frames)
        if array.shape[1] > MAX_CHANNELS:
            raise ValueError(f"samples of shape {np.shape(samples)} are not audio: 2-D audio is "
                             f"(frames, channels) or (channels, frames) with at most {MAX_CHANNELS} "
                             "channels; classify several clips one at a time")
    else:
        raise ValueError(f"samples must be 1-D (mono) or 2-D (channels and frames), not of shape "
                         f"{np.shape(samples)}")
    if array.size == 0:
        raise ValueError(f"samples are empty (shape {np.shape(samples)})")
    if not np.isfinite(array).all():
        raise ValueError("samples contain NaN or infinite values")
    duration_s = array.shape[0] / sample_rate
    if duration_s < min_duration_s:
        raise ValueError(f"audio too short ({duration_s:.2f} s < {min_duration_s:g} s, "
                         f"predict.min_duration_s; {array.shape[0]} frames at {sample_rate} Hz)")
    return np.ascontiguousarray(array, dtype=np.float32)


def samples_sha256(frames: np.ndarray, sample_rate: int) -> str:
    """What identifies in-memory audio in a result row (a file's is its bytes' SHA-256): the
    SHA-256 of its rate and its float32 (frames, channels) samples."""
    digest = hashlib.sha256(f"{sample_rate}:{frames.shape}".encode())
    digest.update(np.ascontiguousarray(frames, dtype=np.float32).data)
    return digest.hexdigest()


class ArrayAudio:
    """(frames, channels) float32 samples with the part of soundfile.SoundFile's interface that
    aurora.audio.windows.WindowReader reads: samplerate, frames, seek, read, close."""

    def __init__(self, frames: np.ndarray, sample_rate: int):
        self._samples, self.samplerate, self.frames = frames, int(sample_rate), frames.shape[0]
        self._position = 0

    def seek(self, frame: int) -> None:
        self._position = frame

    def read(self, frames: int, dtype: str = "float32", always_2d: bool = True) -> np.ndarray:
        block = self._samples[self._position:self._position + frames]
        self._position += len(block)
        return block.astype(dtype, copy=False)

    def close(self) -> None:
        pass
