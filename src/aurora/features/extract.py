"""Frame-level features from ONE short-time Fourier transform per clip.

Every spectral feature (log-mel, MFCC and deltas, chroma, spectral contrast,
centroid, roll-off, RMS) is computed from the same magnitude spectrogram;
zero-crossing rate and YIN F0 work on the waveform at the same hop, so all
rows share one time axis. Tests check each feature against librosa's own
function on the same clip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import librosa
import numpy as np
import scipy.fft
import scipy.signal

from aurora.config import AudioConfig, FeatureConfig
from aurora.features.pitch import yin

# Bump when the computation changes, so cached features are recomputed.
FEATURE_VERSION = "1"
VOICED_APERIODICITY = 0.2  # YIN's d' below this counts as voiced


@dataclass(frozen=True)
class ClipFrames:
    """Frame features of one clip, time along the first axis (float32)."""

    frames: np.ndarray  # (n_frames, len(frame_names))
    logmel: np.ndarray  # (n_frames, n_mels)


class FeatureExtractor:
    """Turns a mono waveform at `audio.sample_rate` into frames and statistics."""

    def __init__(self, features: FeatureConfig, audio: AudioConfig):
        self.cfg = features
        self.audio = audio
        sr, n_fft = audio.sample_rate, features.n_fft
        self.mel_basis = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=features.n_mels)
        # tuning=0: no per-clip tuning estimate (a piptrack pass per clip, and
        # meaningless for speech); librosa's chroma_stft(tuning=0) is identical.
        self.chroma_basis = librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=0.0)
        self.freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
        self.fingerprint = features.fingerprint(sr, audio.trim_silence, audio.trim_top_db,
                                                FEATURE_VERSION)

    @cached_property
    def frame_names(self) -> list[str]:
        n = self.cfg.n_mfcc
        names = [f"mfcc{i:02d}" for i in range(1, n + 1)]
        names += [f"mfcc{i:02d}_d" for i in range(1, n + 1)]
        names += [f"mfcc{i:02d}_dd" for i in range(1, n + 1)]
        names += [f"chroma{i:02d}" for i in range(1, 13)]
        names += [f"contrast{i}" for i in range(1, self.cfg.contrast_bands + 2)]
        return names + ["centroid", "rolloff", "zcr", "rms", "f0", "aperiodicity"]

    @cached_property
    def stat_names(self) -> list[str]:
        stats = ["mean", "std"] + [f"p{p}" for p in self.cfg.percentiles]
        names = [f"{n}_{s}" for n in self.frame_names for s in stats]
        names += [f"logmel{i:02d}_{s}" for i in range(1, self.cfg.n_mels + 1) for s in ("mean", "std")]
        return names + ["voiced_fraction", "duration_s"]

    def prepare(self, y: np.ndarray) -> np.ndarray:
        """Optional silence trim; pad to one FFT frame so very short clips still work."""
        if self.audio.trim_silence:
            y, _ = librosa.effects.trim(y, top_db=self.audio.trim_top_db,
                                        frame_length=self.cfg.n_fft, hop_length=self.cfg.hop_length)
        if len(y) < self.cfg.n_fft:
            y = np.pad(y, (0, self.cfg.n_fft - len(y)))
        return y

    def frames(self, y: np.ndarray) -> ClipFrames:
        cfg, sr = self.cfg, self.audio.sample_rate
        stft = librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length, center=True)
        magnitude = np.abs(stft)
        power = magnitude**2
        logmel = librosa.power_to_db(self.mel_basis @ power)
        mfcc = scipy.fft.dct(logmel, axis=0, type=2, norm="ortho")[: cfg.n_mfcc]
        # Savitzky-Golay derivatives: exactly what librosa.feature.delta computes.
        width = min(cfg.delta_width, mfcc.shape[1] - (1 - mfcc.shape[1] % 2))
        if width >= 3:
            delta = scipy.signal.savgol_filter(mfcc, width, polyorder=1, deriv=1, axis=-1, mode="interp")
            delta2 = scipy.signal.savgol_filter(mfcc, width, polyorder=2, deriv=2, axis=-1, mode="interp")
        else:  # fewer than three frames: no slope to measure
            delta = delta2 = np.zeros_like(mfcc)
        chroma = librosa.util.normalize(self.chroma_basis @ power, norm=np.inf, axis=0)
        contrast = librosa.feature.spectral_contrast(
            S=magnitude, sr=sr, n_fft=cfg.n_fft, fmin=cfg.contrast_fmin, n_bands=cfg.contrast_bands)
        total = magnitude.sum(axis=0)
        safe_total = np.where(total > 0, total, 1.0)
        centroid = (self.freqs @ magnitude) / safe_total
        cumulative = np.cumsum(magnitude, axis=0)  # librosa's roll-off: magnitude, not power
        rolloff_bin = (cumulative >= cfg.rolloff_percent * cumulative[-1:]).argmax(axis=0)
        rolloff = self.freqs[rolloff_bin]
        zcr = librosa.feature.zero_crossing_rate(y, frame_length=cfg.n_fft, hop_length=cfg.hop_length)[0]
        rms = librosa.feature.rms(S=magnitude, frame_length=cfg.n_fft)[0]
        f0, aperiodicity = self._pitch(y)
        n = stft.shape[1]
        rows = np.vstack([mfcc, delta, delta2, chroma, contrast, centroid[None], rolloff[None],
                          zcr[None, :n], rms[None], f0[None, :n], aperiodicity[None, :n]])
        return ClipFrames(np.ascontiguousarray(rows.T, dtype=np.float32),
                          np.ascontiguousarray(logmel.T, dtype=np.float32))

    def _pitch(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cfg, sr = self.cfg, self.audio.sample_rate
        if cfg.f0_method == "pyin":
            f0, voiced, prob = librosa.pyin(y, fmin=cfg.f0_fmin, fmax=cfg.f0_fmax, sr=sr,
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
