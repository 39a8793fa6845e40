"""The leakage audit of a split: what each fold trains on, and a stop if any of it comes from a
speaker the fold validates or tests on.

Every partition is a set of speakers and every augmented copy belongs to its source's speaker,
so a fold's training rows can hold no validation or held-out speaker's clip, nor a copy of one.
This checks that it is so on the real examples, fold by fold, and reports the class balance each
model trains on (class weights and SMOTE samples included)."""

from __future__ import annotations

import numpy as np

from aurora.config import TrainConfig
from aurora.data.examples import Examples
from aurora.data.labels import LabelSpace
from aurora.data.splits import Fold
from aurora.errors import AuroraError
from aurora.evaluation.crossval import prepare_fold
from aurora.models.fit import class_weights
from aurora.models.standardize import Inputs


class LeakageError(AuroraError):
    """A fold trains on something of a speaker it validates or tests on."""


def audit_fold(examples: Examples, fold: Fold, cfg: TrainConfig, labels: LabelSpace,
               inputs: Inputs | None = None) -> dict:
    """What `fold` trains on: speakers, original and augmented rows, class counts and weights,
    SMOTE samples (counted only when `inputs` are given, as SMOTE needs them). Raises
    LeakageError when its training rows touch its validation or test speakers."""
    meta = examples.meta
    train, val, test = examples.fold_rows(fold, augmented=cfg.use_augmented)
    train_speakers = set(meta.speaker.iloc[train])
    if train_speakers & (set(fold.val) | set(fold.test)):
        raise LeakageError(f"{fold.name}: training rows include held-out speakers")
    if meta.augmented.iloc[np.concatenate([val, test])].any():
        raise LeakageError(f"{fold.name}: augmented copies in validation or test rows")
    y = meta.label.to_numpy()[train]
    counts = np.bincount(y, minlength=len(labels)).tolist()
    weights = np.round(class_weights(y, len(labels)), 4).tolist() if cfg.class_weights else None
    smote_added = prepare_fold(examples, inputs, fold, cfg).smote_added if inputs is not None else 0
    return {
        "fold": fold.name, "train_speakers": sorted(train_speakers),
        "original_rows": int((~meta.augmented.iloc[train]).sum()),
        "augmented_rows": int(meta.augmented.iloc[train].sum()),
        "validation_rows": len(val), "test_rows": len(test),
        "class_counts": dict(zip(labels.classes, counts, strict=True)),
        "class_weights": dict(zip(labels.classes, weights, strict=True)) if weights else None,
        "smote_added": smote_added,
    }
