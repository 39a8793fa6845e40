"""Class balancing inside a training partition: SMOTE (imbalanced-learn).

Only ever called with the rows of one fold's training partition, after the
split: synthetic examples interpolate between training clips of one class.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling import SMOTE


def smote_resample(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Oversample minority classes up to the majority count; originals come first."""
    counts = np.bincount(y)
    smallest = counts[counts > 0].min()
    if smallest < 2 or (counts[counts > 0] == counts.max()).all():
        return x, y  # nothing to interpolate between, or already balanced
    sampler = SMOTE(k_neighbors=min(5, smallest - 1), random_state=seed)
    x_res, y_res = sampler.fit_resample(x, y)
    return x_res.astype(np.float32), y_res.astype(np.int64)
