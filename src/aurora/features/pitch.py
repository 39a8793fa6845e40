"""Fundamental frequency by YIN (de Cheveigné & Kawahara, 2002).

The same algorithm as ``librosa.yin`` (tests check they agree), vectorised
over frames with scipy's FFT and parabolic interpolation only at the chosen
lag: about 4x faster than librosa's version, which interpolates every lag.
"""

from __future__ import annotations

import numpy as np
import scipy.fft


def yin(y: np.ndarray, *, sr: int, fmin: float, fmax: float, frame_length: int,
        hop_length: int, threshold: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Return (f0 in Hz, aperiodicity in [0, 2]) per centred frame.

    f0 equals librosa.yin with the same arguments; aperiodicity is YIN's d'
    at the chosen lag (low = clearly periodic), 1 for near-silent frames.
    """
    from librosa.util import frame as frame_signal  # here: importing it loads numba (~1 s)

    min_period = int(np.floor(sr / fmax))
    max_period = min(int(np.ceil(sr / fmin)), frame_length - 1)
    padded = np.pad(y.astype(np.float32, copy=False), frame_length // 2)
    frames = frame_signal(padded, frame_length=frame_length, hop_length=hop_length).T
    n_fft = scipy.fft.next_fast_len(2 * frame_length - 1, real=True)
    spectrum = scipy.fft.rfft(frames, n=n_fft, axis=1)
    acf = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, n=n_fft, axis=1)[:, : max_period + 1]
    energy = np.cumsum(frames.astype(np.float64) ** 2, axis=1)
    # Difference function d(k) = 2 (r(0) - r(k)) - sum_{m<k} y(m)^2, as in librosa.
    diff = 2.0 * (acf[:, :1] - acf[:, 1:]) - energy[:, :max_period]
    cumulative_mean = np.cumsum(diff, axis=1) / np.arange(1, max_period + 1)
    cmnd = diff[:, min_period - 1:] / (cumulative_mean[:, min_period - 1:] + np.finfo(float).tiny)

    trough = np.zeros(cmnd.shape, dtype=bool)
    trough[:, 1:-1] = (cmnd[:, 1:-1] < cmnd[:, :-2]) & (cmnd[:, 1:-1] <= cmnd[:, 2:])
    trough[:, 0] = cmnd[:, 0] < cmnd[:, 1]
    below = trough & (cmnd < threshold)
    lag = np.where(below.any(axis=1), below.argmax(axis=1), cmnd.argmin(axis=1))

    rows = np.arange(len(lag))
    centre = np.clip(lag, 1, cmnd.shape[1] - 2)
    left, mid, right = cmnd[rows, centre - 1], cmnd[rows, centre], cmnd[rows, centre + 1]
    curvature = left - 2.0 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curvature != 0, 0.5 * (left - right) / curvature, 0.0)
    interior = (lag > 0) & (lag < cmnd.shape[1] - 1) & (np.abs(shift) <= 1)
    shift = np.where(interior, shift, 0.0)
    f0 = sr / (min_period + lag + shift)
    aperiodicity = np.clip(cmnd[rows, lag], 0.0, 2.0)
    # Digital silence makes d' = 0/0, which reads as perfectly periodic: frames
    # 60 dB below the loudest frame count as aperiodic instead.
    frame_energy = energy[:, -1]
    aperiodicity[frame_energy <= 1e-6 * frame_energy.max() + np.finfo(np.float32).tiny] = 1.0
    return f0.astype(np.float32), aperiodicity.astype(np.float32)
