"""Whisper's log-mel input: 80 mel bands, n_fft 400, hop 160 at 16 kHz.

The same computation as OpenAI's ``whisper.audio.log_mel_spectrogram`` and
faster-whisper's ``FeatureExtractor`` (tests compare against the latter when
it is installed): periodic Hann window, centred reflect-padded STFT, power,
Slaney mel filters, log10, a floor 8 (decades) below the maximum, then
(x + 4) / 4. The last STFT frame is dropped, as Whisper does.
"""

from __future__ import annotations

from functools import lru_cache

import librosa
import numpy as np
import torch

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80


@lru_cache(maxsize=1)
def _filters() -> torch.Tensor:
    return torch.from_numpy(librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS)).float()


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
