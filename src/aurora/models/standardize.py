"""Feature standardisation: per speaker (label-free) and global (training rows only).

A model's inputs are either a matrix (n, d) of utterance statistics or a list of
(frames, d) sequences; statistics are taken over rows in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Inputs = np.ndarray | list[np.ndarray]
EPS = 1e-6


@dataclass
class Moments:
    mean: np.ndarray
    std: np.ndarray

    def apply(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std).astype(np.float32)

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> Moments:
        return cls(np.asarray(d["mean"], np.float32), np.asarray(d["std"], np.float32))


def moments(inputs: Inputs, index: np.ndarray) -> Moments:
    """Mean and std over the rows of the selected inputs."""
    rows = inputs[index] if isinstance(inputs, np.ndarray) else np.concatenate(
        [inputs[i] for i in index])
    rows = rows.astype(np.float64)
    return Moments(rows.mean(axis=0).astype(np.float32),
                   np.maximum(rows.std(axis=0), EPS).astype(np.float32))


def apply(inputs: Inputs, index: np.ndarray, m: Moments) -> Inputs:
    """Standardise the selected inputs (returns only those, in order)."""
    if isinstance(inputs, np.ndarray):
        return m.apply(inputs[index])
    return [m.apply(inputs[i]) for i in index]


def per_speaker(inputs: Inputs, speakers: np.ndarray, reference: np.ndarray) -> Inputs:
    """Z-score every example by its speaker's moments over that speaker's
    `reference` inputs (a boolean mask: the original, unaugmented clips).
    Uses no labels, and no example of another speaker."""
    out = inputs.copy() if isinstance(inputs, np.ndarray) else list(inputs)
    for speaker in np.unique(speakers):
        own = speakers == speaker
        m = moments(inputs, np.flatnonzero(own & reference))
        for i in np.flatnonzero(own):
            out[i] = m.apply(inputs[i])
    return out
