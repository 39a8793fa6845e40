"""Matplotlib figures of one clip: waveform, mel spectrogram, MFCCs, the per-window
emotion timeline of a long file, and the arousal x valence plane (one clip or a folder's files)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display on servers
import matplotlib.pyplot as plt
import numpy as np
import scipy.fft

from aurora.inference.classify import Segment
from aurora.whisper.mel import HOP, SAMPLE_RATE, log_mel

MAX_POINTS = 4000  # waveform drawn as a min/max envelope of at most this many columns


def waveform(y: np.ndarray, sr: int) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(9, 2.2))
    columns = max(1, len(y) // MAX_POINTS)
    n = len(y) // columns * columns
    blocks = y[:n].reshape(-1, columns) if n else np.zeros((1, 1))
    t = np.arange(len(blocks)) * columns / sr
    ax.fill_between(t, blocks.min(axis=1), blocks.max(axis=1), color="#3b6ea8", linewidth=0)
    ax.set(xlabel="seconds", ylabel="amplitude", xlim=(0, max(t[-1], 1e-3)), title="Waveform")
    fig.tight_layout()
    return fig


def _image(matrix: np.ndarray, title: str, ylabel: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(9, 2.8))
    seconds = matrix.shape[1] * HOP / SAMPLE_RATE
    shown = ax.imshow(matrix, origin="lower", aspect="auto", cmap="magma",
                      extent=(0, seconds, 0, matrix.shape[0]))
    fig.colorbar(shown, ax=ax, pad=0.01)
    ax.set(xlabel="seconds", ylabel=ylabel, title=title)
    fig.tight_layout()
    return fig


# Both images come from Whisper's own log-mel (80 bands, 10 ms hop, 16 kHz): what the encoder
# hears, computed with torch, so the page never waits for librosa's numba compilation (~20 s).
def mel_spectrogram(y16k: np.ndarray) -> plt.Figure:
    return _image(log_mel(y16k).numpy(), "Log-mel spectrogram (Whisper's input)", "mel band")


def mfcc(y16k: np.ndarray, n: int = 20) -> plt.Figure:
    """MFCCs as librosa defines them (DCT-II, orthonormal, of the log-mel bands), 1..n: the 0th is
    overall loudness and would swamp the colour scale."""
    coefficients = scipy.fft.dct(log_mel(y16k).numpy(), type=2, norm="ortho", axis=0)[1:n + 1]
    return _image(coefficients, f"MFCC 1-{n} (of the log-mel above)", "coefficient")


def timeline(segments: list[Segment], classes: list[str]) -> plt.Figure:
    """One bar per window, coloured by its most probable emotion, opacity by its confidence."""
    colours = dict(zip(classes, plt.get_cmap("tab10").colors, strict=False))
    fig, ax = plt.subplots(figsize=(9, 1.8 + 0.25 * len(classes)))
    for s in segments:
        if s.probabilities is None:
            ax.barh("(silent)", s.end_s - s.start_s, left=s.start_s, color="#cccccc", height=0.6)
            continue
        best = int(np.argmax(s.probabilities))
        ax.barh(classes[best], s.end_s - s.start_s, left=s.start_s, color=colours[classes[best]],
                alpha=0.35 + 0.65 * float(s.probabilities[best]), height=0.6)
    ax.set(xlabel="seconds", title="Emotion per window (opacity: confidence)")
    fig.tight_layout()
    return fig


def plane(valence: np.ndarray, arousal: np.ndarray, references: dict[str, tuple[float, float]],
          title: str, labels: list[str] | None = None) -> plt.Figure:
    """Files as points on the valence (x) x arousal (y) plane, both 0-1, with the model's classes at
    their points (`references`: class -> (arousal, valence)) for orientation; `labels` names the
    points (one clip: none)."""
    fig, ax = plt.subplots(figsize=(4.6, 4.3))
    ax.axhline(0.5, color="#bbbbbb", linewidth=0.8)
    ax.axvline(0.5, color="#bbbbbb", linewidth=0.8)
    for i, (name, (a, v)) in enumerate(references.items()):  # labels above and below, in turn: neighbours
        ax.plot(v, a, marker="+", color="#999999", markersize=6)  # (angry, fearful) stay readable
        ax.annotate(name, (v, a), color="#777777", fontsize=8, ha="center", va="bottom" if i % 2 else "top",
                    xytext=(0, 4 if i % 2 else -4), textcoords="offset points")
    ax.scatter(valence, arousal, s=60 if len(valence) == 1 else 18, color="#d93025", alpha=0.8, zorder=3)
    for text, v, a in zip(labels or [], valence, arousal, strict=False):
        ax.annotate(text, (v, a), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="valence (unpleasant → pleasant)",
           ylabel="arousal (deactivated → activated)", title=title)
    fig.tight_layout()
    return fig
