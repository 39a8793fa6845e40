"""Arousal and valence: two numbers in [0, 1] per clip beside the emotion, which they never change.

Each emotion has a point in params.yaml's dimensions.table (arousal, valence). A class of the
model stands for the emotions merged into it (labels.merge), at their mean point. Two ways to a
clip's numbers:

- read-off: the table's expected value under the clip's calibrated class probabilities
  (probabilities @ class points), always available from any bundle;
- head: a ridge regression from the model's standardised utterance vectors (the same pooled
  encoder states the categories read) to the point of each training clip's class, trained on the
  same rows, row weights and class balance as the category model, its penalty picked on the same
  validation speakers; refitted on training + validation speakers like the category model. With
  train.shift_temperature its output is pulled towards the neutral point 0.5 by max(1, input shift),
  as the category model's confidence is lowered on recordings unlike the training clips.

Both are lone-file: a clip's numbers never depend on the other files of its folder (group mode) or
on the user's label set (--classes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aurora.config import DimensionsConfig
from aurora.config.sections import DIMENSIONS, Point

# Penalty x the rows' total weight (standardised inputs); on the default model's folds the validation
# error is least inside this range (docs/results.md, "Arousal and valence").
RIDGE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
CHUNK = 2048


def class_points(classes: Sequence[str], merge: Mapping[str, str], table: Mapping[str, Point]) -> np.ndarray:
    """(n_classes, 2) arousal and valence of each class: the mean point of the emotions that become
    it (itself, and those labels.merge renames to it)."""
    out = np.zeros((len(classes), 2))
    for i, name in enumerate(classes):
        members = [e for e in table if merge.get(e, e) == name]
        if not members:
            raise ValueError(f"class {name!r}: no emotion of dimensions.table becomes it")
        out[i] = np.mean([[table[e].arousal, table[e].valence] for e in members], axis=0)
    return out


def read_off(probs: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(n, 2): the class points' mean under each row's probabilities."""
    return np.clip(np.asarray(probs, np.float64) @ points, 0.0, 1.0)


def shrunk(values: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
    """Values pulled towards 0.5 by max(1, input shift) (none without a shift), clipped to [0, 1]."""
    if shift is not None:
        values = 0.5 + (values - 0.5) / np.maximum(1.0, np.asarray(shift, np.float64))[:, None]
    return np.clip(values, 0.0, 1.0)


@dataclass
class Head:
    """values = x @ weight + bias, (d, 2) and (2,), on standardised inputs."""

    weight: np.ndarray
    bias: np.ndarray
    penalty: float  # the chosen ridge penalty (relative, RIDGE_GRID)

    def raw(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, np.float64) @ self.weight + self.bias

    def to_dict(self) -> dict:
        return {"weight": np.round(self.weight.T, 7).tolist(), "bias": self.bias.tolist(),
                "penalty": self.penalty}

    @classmethod
    def from_dict(cls, d: dict) -> Head:
        return cls(np.asarray(d["weight"], np.float64).T, np.asarray(d["bias"], np.float64), d["penalty"])


def _weights(w: np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n) if w is None else np.asarray(w, np.float64)


def _ridge(x: np.ndarray, t: np.ndarray, w: np.ndarray, penalties: Sequence[float]) -> list[Head]:
    """Weighted ridge regressions (intercept unpenalised), one per relative penalty: one Gram matrix,
    one Cholesky solve per penalty."""
    import scipy.linalg  # here: prediction never fits, and scipy adds to the command line's start-up

    total = w.sum()
    mean_x, mean_t = (w @ x).astype(np.float64) / total, w @ t / total
    gram, right = np.zeros((x.shape[1], x.shape[1])), np.zeros((x.shape[1], t.shape[1]))
    for start in range(0, len(x), CHUNK):  # in float64, a chunk of rows at a time: bounded memory
        rows = slice(start, start + CHUNK)
        xc = np.asarray(x[rows], np.float64) - mean_x
        gram += xc.T @ (xc * w[rows, None])
        right += xc.T @ ((t[rows] - mean_t) * w[rows, None])
    heads = []
    for penalty in penalties:
        a = gram + penalty * total * np.eye(len(gram))
        weight = scipy.linalg.solve(a, right, assume_a="pos")
        heads.append(Head(weight, mean_t - mean_x @ weight, penalty))
    return heads


def fit_head(x_train: np.ndarray, t_train: np.ndarray, x_val: np.ndarray, t_val: np.ndarray,
             w_train: np.ndarray | None = None, w_val: np.ndarray | None = None,
             refit: bool = False) -> Head:
    """The ridge head whose penalty (RIDGE_GRID) has the least weighted squared error on the
    validation rows; with `refit`, fitted again with it on training + validation rows. `t_*`: (n, 2)
    targets (class_points of the rows' labels); `w_*`: row weights (None: every row once)."""
    w_train, w_val = _weights(w_train, len(t_train)), _weights(w_val, len(t_val))
    heads = _ridge(x_train, t_train, w_train, RIDGE_GRID)
    if not len(t_val):
        return heads[-1]
    errors = [float(w_val @ np.square(np.clip(h.raw(x_val), 0, 1) - t_val).sum(axis=1)) for h in heads]
    best = heads[int(np.argmin(errors))]
    if refit:
        (best,) = _ridge(np.concatenate([x_train, x_val]), np.concatenate([t_train, t_val]),
                         np.concatenate([w_train, w_val]), [best.penalty])
    return best


@dataclass
class DimensionModel:
    """A bundle's way to arousal and valence (its config.json "dimensions")."""

    method: str  # "head" or "readoff"
    points: np.ndarray  # (n_classes, 2) class points
    bands: tuple[float, float]
    head: Head | None = None
    shift_temperature: bool = False

    def predict(self, x: np.ndarray | None, probs: np.ndarray, shift: np.ndarray | None) -> np.ndarray:
        """(n, 2) arousal and valence from standardised inputs `x` (the head's) and the calibrated
        probabilities over every class `probs` (the read-off's)."""
        if self.method == "head" and self.head is not None and x is not None:
            return shrunk(self.head.raw(x), shift if self.shift_temperature else None)
        return read_off(probs, self.points)

    def to_dict(self) -> dict:
        return {"method": self.method, "points": self.points.tolist(), "bands": list(self.bands),
                "shift_temperature": self.shift_temperature,
                **({"head": self.head.to_dict()} if self.head is not None else {})}

    @classmethod
    def from_dict(cls, d: dict) -> DimensionModel:
        head = Head.from_dict(d["head"]) if d.get("head") else None
        return cls(d["method"] if head is not None else "readoff", np.asarray(d["points"], np.float64),
                   tuple(d["bands"]), head, bool(d.get("shift_temperature")))


def band(value: float, bands: Sequence[float]) -> str:
    """"low" below bands[0], "high" from bands[1], "mid" between."""
    return "high" if value >= bands[1] else "low" if value < bands[0] else "mid"


def default_dimensions(classes: Sequence[str], merge: Mapping[str, str]) -> dict:
    """A read-off "dimensions" entry with the default table: what a bundle written before the
    dimensions existed gets (bundle.upgrade). Classes no emotion becomes get the neutral point."""
    config = DimensionsConfig()
    try:
        points = class_points(classes, merge, config.table)
    except ValueError:
        points = np.full((len(classes), 2), 0.5)
    return DimensionModel("readoff", points, config.bands).to_dict()


__all__ = ["DIMENSIONS", "DimensionModel", "Head", "band", "class_points", "default_dimensions", "fit_head",
           "read_off", "shrunk"]
