"""Frame-level features from ONE short-time Fourier transform per clip.

Every spectral feature (log-mel, MFCC and deltas, chroma, spectral contrast,
centroid, roll-off, RMS) is computed from the same magnitude spectrogram;
zero-crossing rate and YIN F0 work on the waveform at the same hop, so all
rows share one time axis. Tests check each feature against librosa's own
function on the same clip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import librosa
import numpy as np
import scipy.fft
import scipy.ndimage

from aurora.config import AudioConfig, FeatureConfig
from aurora.features.pitch import yin

# Bump when the computation changes, so cached features are recomputed.
FEATURE_VERSION = "2"  # 2: roll-off on magnitude, as librosa
VOICED_APERIODICITY = 0.2  # YIN's d' below this counts as voiced


@dataclass(frozen=True)
class ClipFrames:
    """Frame features of one clip, time along the first axis (float32)."""

    frames: np.ndarray  # (n_frames, len(frame_names))
    logmel: np.ndarray  # (n_frames, n_mels)


@lru_cache(maxsize=16)
def _savgol_operators(width: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Interior kernel and edge matrix of scipy's savgol_filter(mode="interp").

    The filter is linear, so filtering the identity gives, column by column,
    the weights of every output on a window's samples. Applying them directly
    skips refitting the edge polynomials (and recomputing the kernel) per call:
    3x faster on MFCC-sized inputs, identical values.
    """
    import scipy.signal  # here, not at the top: 0.7 s that prediction with Whisper never needs

    basis = scipy.signal.savgol_filter(np.eye(width), width, polyorder=order, deriv=order,
                                       axis=0, mode="interp")
    return basis[width // 2].copy(), basis  # basis[i, j]: output i's weight on sample j


def _savgol(x: np.ndarray, width: int, order: int) -> np.ndarray:
    kernel, edges = _savgol_operators(width, order)
    half = width // 2
    out = scipy.ndimage.correlate1d(x, kernel, axis=-1, mode="constant")
    out[:, :half] = x[:, :width] @ edges[:half].T
    out[:, -half:] = x[:, -width:] @ edges[half + 1:].T
    return out


def trim_bounds(y: np.ndarray, *, top_db: float, frame_length: int, hop_length: int) -> tuple[int, int]:
    """(start, end) samples of librosa.effects.trim(y, top_db=..., frame_length=..., hop_length=...):
    from the first to one hop past the last centred frame whose RMS is within top_db of the
    loudest frame's. Computed here with the same float32 operations because importing
    librosa.effects (and scikit-learn with it) costs about 4 s of start-up per prediction run."""
    padded = np.pad(y, frame_length // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)[::hop_length]
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float32), axis=-1))
    power = np.square(rms)
    db = 10.0 * np.log10(np.maximum(1e-10, power)) - 10.0 * np.log10(np.maximum(1e-10, rms.max() ** 2))
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        return 0, 0
    return int(loud[0] * hop_length), min(len(y), int((loud[-1] + 1) * hop_length))


@contextmanager
def _timed(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall time to timings[name] (benchmarks pass a dict)."""
    if timings is None:
        yield
        return
    start = time.perf_counter()
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


class FeatureExtractor:
    """Turns a mono waveform at `audio.sample_rate` into frames and statistics."""

    def __init__(self, features: FeatureConfig, audio: AudioConfig):
        self.cfg = features
        self.audio = audio
        self.fingerprint = features.fingerprint(audio.sample_rate, audio.trim_silence, audio.trim_top_db,
                                                FEATURE_VERSION)

    # Filter banks are built on first use: a Whisper-only model only trims and pads.
    @cached_property
    def mel_basis(self) -> np.ndarray:
        return librosa.filters.mel(sr=self.audio.sample_rate, n_fft=self.cfg.n_fft, n_mels=self.cfg.n_mels)

    @cached_property
    def chroma_basis(self) -> np.ndarray:
        # tuning=0: no per-clip tuning estimate (a piptrack pass per clip, and
        # meaningless for speech); librosa's chroma_stft(tuning=0) is identical.
        return librosa.filters.chroma(sr=self.audio.sample_rate, n_fft=self.cfg.n_fft, tuning=0.0)

    @cached_property
    def freqs(self) -> np.ndarray:
        return librosa.fft_frequencies(sr=self.audio.sample_rate, n_fft=self.cfg.n_fft)

    @cached_property
    def frame_names(self) -> list[str]:
        n = self.cfg.n_mfcc
        names = [f"mfcc{i:02d}" for i in range(1, n + 1)]
        names += [f"mfcc{i:02d}_d" for i in range(1, n + 1)]
        names += [f"mfcc{i:02d}_dd" for i in range(1, n + 1)]
        names += [f"chroma{i:02d}" for i in range(1, 13)]
        names += [f"contrast{i}" for i in range(1, self.cfg.contrast_bands + 2)]
        return [*names, "centroid", "rolloff", "zcr", "rms", "f0", "aperiodicity"]

    @cached_property
    def stat_names(self) -> list[str]:
        stats = ["mean", "std"] + [f"p{p}" for p in self.cfg.percentiles]
        names = [f"{n}_{s}" for n in self.frame_names for s in stats]
        names += [f"logmel{i:02d}_{s}" for i in range(1, self.cfg.n_mels + 1) for s in ("mean", "std")]
        return [*names, "voiced_fraction", "duration_s"]

    def prepare(self, y: np.ndarray) -> np.ndarray:
        return self.pad(self.trim(y))

    def trim(self, y: np.ndarray, margin_s: float = 0.0) -> np.ndarray:
        """Drop leading and trailing silence, if audio.trim_silence, keeping `margin_s` of it."""
        if self.audio.trim_silence:
            cfg = self.cfg
            start, end = trim_bounds(y, top_db=self.audio.trim_top_db, frame_length=cfg.n_fft,
                                     hop_length=cfg.hop_length)
            margin = int(margin_s * self.audio.sample_rate)
            y = y[max(0, start - margin):end + margin]
        return y

    def pad(self, y: np.ndarray) -> np.ndarray:
        """Pad to one FFT frame so very short clips still work."""
        return np.pad(y, (0, self.cfg.n_fft - len(y))) if len(y) < self.cfg.n_fft else y

    def frames(self, y: np.ndarray, timings: dict[str, float] | None = None) -> ClipFrames:
        """All frame features of `y`; `timings`, if given, collects seconds per feature."""
        cfg, sr = self.cfg, self.audio.sample_rate
        with _timed(timings, "stft"):
            stft = librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length, center=True)
            magnitude = np.abs(stft)
            power = magnitude**2
        with _timed(timings, "log-mel"):
            logmel = librosa.power_to_db(self.mel_basis @ power)
        with _timed(timings, "mfcc"):
            mfcc = scipy.fft.dct(logmel, axis=0, type=2, norm="ortho")[: cfg.n_mfcc]
        with _timed(timings, "mfcc deltas"):
            delta, delta2 = self._deltas(mfcc)
        with _timed(timings, "chroma"):
            chroma = librosa.util.normalize(self.chroma_basis @ power, norm=np.inf, axis=0)
        with _timed(timings, "contrast"):
            contrast = librosa.feature.spectral_contrast(
                S=magnitude, sr=sr, n_fft=cfg.n_fft, fmin=cfg.contrast_fmin, n_bands=cfg.contrast_bands)
        with _timed(timings, "centroid+rolloff"):
            total = magnitude.sum(axis=0)
            centroid = (self.freqs @ magnitude) / np.where(total > 0, total, 1.0)
            cumulative = np.cumsum(magnitude, axis=0)  # librosa's roll-off: magnitude, not power
            rolloff = self.freqs[(cumulative >= cfg.rolloff_percent * cumulative[-1:]).argmax(axis=0)]
        with _timed(timings, "zcr+rms"):
            zcr = librosa.feature.zero_crossing_rate(y, frame_length=cfg.n_fft, hop_length=cfg.hop_length)[0]
            rms = librosa.feature.rms(S=magnitude, frame_length=cfg.n_fft)[0]
        with _timed(timings, f"f0 ({cfg.f0_method})"):
            f0, aperiodicity = self._pitch(y)
        n = stft.shape[1]
        rows = np.vstack([mfcc, delta, delta2, chroma, contrast, centroid[None], rolloff[None],
                          zcr[None, :n], rms[None], f0[None, :n], aperiodicity[None, :n]])
        return ClipFrames(np.ascontiguousarray(rows.T, dtype=np.float32),
                          np.ascontiguousarray(logmel.T, dtype=np.float32))

    def _deltas(self, mfcc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and second Savitzky-Golay derivatives along time, as librosa.feature.delta."""
        n_frames = mfcc.shape[1]
        width = min(self.cfg.delta_width, n_frames if n_frames % 2 else n_frames - 1)
        if width < 3:  # fewer than three frames: no slope to measure
            return np.zeros_like(mfcc), np.zeros_like(mfcc)
        return (_savgol(mfcc, width, order=1), _savgol(mfcc, width, order=2))

    def _pitch(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cfg, sr = self.cfg, self.audio.sample_rate
        if cfg.f0_method == "pyin":
            f0, _, prob = librosa.pyin(y, fmin=cfg.f0_fmin, fmax=cfg.f0_fmax, sr=sr,
                                            frame_length=cfg.f0_frame_length, hop_length=cfg.hop_length)
            return np.nan_to_num(f0).astype(np.float32), (1.0 - prob).astype(np.float32)
        f0, aperiodicity = yin(y, sr=sr, fmin=cfg.f0_fmin, fmax=cfg.f0_fmax,
                               frame_length=cfg.f0_frame_length, hop_length=cfg.hop_length)
        # Unvoiced frames have no pitch: report 0 Hz rather than YIN's guess.
        return np.where(aperiodicity < VOICED_APERIODICITY, f0, 0.0).astype(np.float32), aperiodicity

    def statistics(self, clip: ClipFrames, duration_s: float) -> np.ndarray:
        """Utterance-level statistics; F0 statistics use voiced frames only."""
        frames = clip.frames.astype(np.float64)
        f0_col = self.frame_names.index("f0")
        voiced = frames[:, f0_col] > 0
        stats = [frames.mean(axis=0), frames.std(axis=0)]
        stats += list(np.percentile(frames, self.cfg.percentiles, axis=0))
        table = np.stack(stats, axis=1)  # (n_features, n_stats)
        pitch = frames[voiced, f0_col] if voiced.any() else np.zeros(1)
        table[f0_col] = [pitch.mean(), pitch.std(), *np.percentile(pitch, self.cfg.percentiles)]
        logmel = clip.logmel.astype(np.float64)
        mel_stats = np.stack([logmel.mean(axis=0), logmel.std(axis=0)], axis=1)
        return np.concatenate([table.ravel(), mel_stats.ravel(),
                               [voiced.mean(), duration_s]]).astype(np.float32)


_EXTRACTORS: dict[tuple, FeatureExtractor] = {}


def extractor_for(features: FeatureConfig, audio: AudioConfig) -> FeatureExtractor:
    """One extractor per process and configuration (filter banks are built once)."""
    key = (features, audio)
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = FeatureExtractor(features, audio)
    return _EXTRACTORS[key]
