"""Whisper's log-mel input: 80 mel bands, n_fft 400, hop 160 at 16 kHz.

The same computation as OpenAI's ``whisper.audio.log_mel_spectrogram`` and
faster-whisper's ``FeatureExtractor`` (tests compare against the latter when
it is installed): periodic Hann window, centred reflect-padded STFT, power,
Slaney mel filters, log10, a floor 8 (decades) below the maximum, then
(x + 4) / 4. The last STFT frame is dropped, as Whisper does.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80


# Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above;
# written with librosa's own constants and operation order so the filters are bit-identical.
_F_SP = 200.0 / 3
_MIN_LOG_MEL = 1000.0 / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    return _MIN_LOG_MEL + np.log(hz / 1000.0) / _LOGSTEP if hz >= 1000.0 else hz / _F_SP


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    hz = _F_SP * mels
    log_t = mels >= _MIN_LOG_MEL
    hz[log_t] = 1000.0 * np.exp(_LOGSTEP * (mels[log_t] - _MIN_LOG_MEL))
    return hz


def mel_filters(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) Slaney-normalised triangular filters from 0 Hz to sr / 2: exactly
    librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels), the matrix Whisper itself uses (a
    test compares them). Built here because loading librosa.filters (and numba with it) costs
    1.7 s at the start of every prediction run."""
    fft_hz = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(sr / 2.0), n_mels + 2))
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, fft_hz)
    weights = np.zeros((n_mels, len(fft_hz)), dtype=np.float32)
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / widths[i], ramps[i + 2] / widths[i + 1]))
    weights *= (2.0 / (edges[2:n_mels + 2] - edges[:n_mels]))[:, np.newaxis]
    return weights


@lru_cache(maxsize=1)
def _filters() -> torch.Tensor:
    return torch.from_numpy(mel_filters())


def log_mel(audio: np.ndarray) -> torch.Tensor:
    """(80, frames) log-mel of 16 kHz mono audio, frames = len(audio) // 160."""
    x = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
    window = torch.hann_window(N_FFT)
    stft = torch.stft(x, N_FFT, HOP, window=window, return_complex=True)
    power = stft[..., :-1].abs() ** 2
    mel = _filters() @ power
    logs = torch.clamp(mel, min=1e-10).log10()
    logs = torch.maximum(logs, logs.max() - 8.0)
    return (logs + 4.0) / 4.0
