"""Stage `balance`: each fold's training partition, its class balance, and the leakage audit.

Writes artifacts/balance.json: per fold, the training rows (original clips
and augmented copies), class counts, the class weights used in the loss,
and how many SMOTE samples are added. SMOTE itself runs inside `train`, on
the fold's standardised training rows only. The stage fails if any fold's
training rows include a validation or held-out actor, or a copy of one
(aurora.evaluation.leakage).
"""

from __future__ import annotations

from aurora.config import load_params
from aurora.evaluation.crossval import model_inputs
from aurora.evaluation.leakage import audit_fold
from aurora.util.atomic import write_json
from stages.entry import run
from stages.paths import BALANCE
from stages.reading import read_corpus_splits, read_examples, read_splits


def main() -> None:
    params = load_params()
    labels = params.labels.space()
    folds, final = read_splits()
    examples = read_examples(params, sequences=False, heldout=False)  # counts training rows only
    inputs = model_inputs(examples, params.train, params.train.speaker_norm) if params.train.smote else None
    report = {"classes": list(labels.classes), "folds": []}
    loco, single = read_corpus_splits()
    for fold in [*folds, final, *loco, *single]:
        entry = audit_fold(examples, fold, params.train, labels, inputs)
        report["folds"].append(entry)
        print(f"{fold.name:6s} {entry['original_rows'] + entry['augmented_rows']} training rows "
              f"({entry['augmented_rows']} augmented), {entry['smote_added']} SMOTE")
    write_json(BALANCE, report)


if __name__ == "__main__":
    run("balance", main)
