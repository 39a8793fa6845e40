"""Stage `compare`: every feature set x model in params `compare.runs`, cross-validated on the
same folds with the same hyperparameters as `train`, in the speaker-norm modes train
cross-validates (both with train.compare_speaker_norm) and in group mode on balanced and skewed
folders. Writes artifacts/compare.json, which the model card and
the report show as one table.

The run that is the shipped configuration is not fitted again: its row comes from the train
stage's own cross-validation (the same jobs on the same folds, so the same predictions), which
is all of this stage's work with the default runs."""

from __future__ import annotations

import dataclasses
import time

import pandas as pd

from aurora.config import SEQUENCE_MODELS, Params, TrainConfig, load_params
from aurora.evaluation.comparison import comparison_row, cv_by_mode
from aurora.evaluation.crossval import run_training
from aurora.util.atomic import write_json
from stages.entry import run
from stages.paths import COMPARISON, GROUP_EVAL, PREDICTIONS
from stages.reading import read_examples, read_splits


def _trained_already(cfg: TrainConfig, params: Params) -> bool:
    """Did the train stage cross-validate exactly this run (in the same speaker-norm modes)?"""
    return cfg == params.train


def main() -> None:
    params = load_params()
    labels = params.labels.space()
    folds, final = read_splits()
    modes = params.train.cv_modes()
    rows = []
    for features, model in params.compare.pairs():
        # Sequence models have no SMOTE; everything else is the train section's.
        cfg = dataclasses.replace(params.train, features=features, model=model,
                                  smote=params.train.smote and model not in SEQUENCE_MODELS)
        started = time.perf_counter()
        if _trained_already(cfg, params):
            cv, group_eval = cv_by_mode(pd.read_parquet(PREDICTIONS)), pd.read_parquet(GROUP_EVAL)
            source = "the train stage's CV"
        else:
            examples = read_examples(dataclasses.replace(params, train=cfg), sequences=True)
            result = run_training(examples, folds, final, cfg, labels, modes, log=lambda _: None,
                                  final_model=False)
            cv, group_eval, source = result.cv_predictions, result.group_eval, "fitted here"
        row = comparison_row(features, model, {mode: cv[mode] for mode in modes}, group_eval,
                             list(labels.classes))
        rows.append(row)
        names = {"lone": "lone-file", "speaker_norm": "speaker-norm"}
        figures = ", ".join(f"{name} accuracy {row[key]['accuracy']['mean']:.3f}"
                            for key, name in names.items() if key in row)
        print(f"{row['features']}/{model}: {figures} ({source}, {time.perf_counter() - started:.0f} s)")
    write_json(COMPARISON, {"folds": len(folds), "runs": rows})


if __name__ == "__main__":
    run("compare", main)
