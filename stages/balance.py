"""Stage `balance`: each fold's training partition, its class balance, and leakage checks.

Writes artifacts/balance.json: per fold, the training rows (original clips
and augmented copies), class counts, the class weights used in the loss,
and how many SMOTE samples are added. SMOTE itself runs inside `train`, on
the fold's standardised training rows only. The stage fails if any fold's
training rows include a validation or held-out actor, or a copy of one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aurora.atomic import write_json
from aurora.config import load_params
from aurora.crossval import examples_of, prepare_fold
from aurora.models.fit import class_weights
from stages._inputs import read_corpus, read_loco_splits, read_splits
from stages._run import run

BALANCE = Path("artifacts/balance.json")


class LeakageError(AssertionError):
    pass


def main() -> None:
    params = load_params()
    labels = params.labels.space()
    folds, final = read_splits()
    loco = read_loco_splits()
    corpus = read_corpus(params, sequences=False, heldout=False)  # counts training rows only
    meta = corpus.meta
    examples = examples_of(corpus, params.train, params.train.speaker_norm) if params.train.smote else None
    report = {"classes": list(labels.classes), "folds": []}
    for fold in [*folds, final, *loco]:
        train, val, test = corpus.fold_rows(fold, augmented=params.train.use_augmented)
        train_speakers = set(meta.speaker.iloc[train])
        if train_speakers & (set(fold.val) | set(fold.test)):
            raise LeakageError(f"{fold.name}: training rows include held-out speakers")
        if meta.augmented.iloc[np.concatenate([val, test])].any():
            raise LeakageError(f"{fold.name}: augmented copies in validation or test rows")
        y = meta.label.to_numpy()[train]
        smote_added = (prepare_fold(corpus, examples, fold, params.train).smote_added
                       if examples is not None else 0)
        report["folds"].append({
            "fold": fold.name, "train_speakers": sorted(train_speakers),
            "original_rows": int((~meta.augmented.iloc[train]).sum()),
            "augmented_rows": int(meta.augmented.iloc[train].sum()),
            "validation_rows": len(val), "test_rows": len(test),
            "class_counts": dict(zip(labels.classes, np.bincount(y, minlength=len(labels)).tolist(),
                                     strict=True)),
            "class_weights": dict(zip(labels.classes,
                                      np.round(class_weights(y, len(labels)), 4).tolist(), strict=True))
            if params.train.class_weights else None,
            "smote_added": smote_added,
        })
        print(f"{fold.name:6s} {len(train)} training rows "
              f"({report['folds'][-1]['augmented_rows']} augmented), {smote_added} SMOTE")
    write_json(BALANCE, report)


if __name__ == "__main__":
    run("balance", main)
