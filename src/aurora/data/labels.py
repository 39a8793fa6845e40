"""Which emotions a model predicts: a subset of RAVDESS's eight, optionally merged.

`merge` renames emotions first (e.g. calm -> neutral); `classes` lists the
classes kept, in output order. Clips whose emotion maps to no class are left
out of training and evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from aurora.data.emotions import EMOTIONS
from aurora.errors import ConfigError


class LabelSpace:
    def __init__(self, classes: Iterable[str], merge: dict[str, str] | None = None):
        self.classes: tuple[str, ...] = tuple(classes)
        self.merge = dict(merge or {})
        unknown = [e for e in self.merge if e not in EMOTIONS]
        if unknown:
            raise ConfigError(f"labels.merge: {unknown} are not RAVDESS emotions {list(EMOTIONS)}")
        targets = set(EMOTIONS) | set(self.merge.values())
        missing = [c for c in self.classes if c not in targets]
        if missing:
            raise ConfigError(f"labels.classes: {missing} is neither an emotion nor a merge target")
        if len(set(self.classes)) != len(self.classes) or len(self.classes) < 2:
            raise ConfigError("labels.classes must name at least two distinct classes")
        self.index = {c: i for i, c in enumerate(self.classes)}

    def encode(self, emotions: Iterable[str]) -> np.ndarray:
        """Class index per emotion name; -1 where the emotion is not modelled."""
        return np.array([self.index.get(self.merge.get(e, e), -1) for e in emotions], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.classes)


PROBABILITY_PREFIX = "prob_"  # prob_angry: a class's probability, in every table of predictions


def probability_columns(classes: Iterable[str]) -> list[str]:
    """The columns that hold each class's probability, in class order."""
    return [f"{PROBABILITY_PREFIX}{c}" for c in classes]
