"""Stage `compare`: every feature set x model in params `compare.runs`, cross-validated on the
same folds with the same hyperparameters as `train`, in both speaker-norm modes and in group
mode on balanced and skewed folders. Writes artifacts/compare.json, which the model card and
the report show as one table."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from aurora.atomic import write_json
from aurora.comparison import comparison_row
from aurora.config import SEQUENCE_MODELS, load_params
from aurora.crossval import run_training
from stages._inputs import read_corpus, read_splits
from stages._run import run

COMPARISON = Path("artifacts/compare.json")


def read_comparison() -> list[dict] | None:
    """The rows this stage wrote, or None before it has run."""
    return json.loads(COMPARISON.read_text())["runs"] if COMPARISON.is_file() else None


def main() -> None:
    params = load_params()
    labels = params.labels.space()
    folds, final = read_splits()
    rows = []
    for features, model in params.compare.pairs():
        # Sequence models have no SMOTE; everything else is the train section's.
        cfg = dataclasses.replace(params.train, features=features, model=model,
                                  smote=params.train.smote and model not in SEQUENCE_MODELS)
        started = time.perf_counter()
        corpus = read_corpus(dataclasses.replace(params, train=cfg), sequences=True)
        result = run_training(corpus, folds, final, cfg, labels, [False, True], log=lambda _: None,
                              final_model=False)
        row = comparison_row(features, model, result, list(labels.classes))
        rows.append(row)
        print(f"{row['features']}/{model}: lone-file accuracy {row['lone']['accuracy']['mean']:.3f}, "
              f"speaker-norm {row['speaker_norm']['accuracy']['mean']:.3f} "
              f"({time.perf_counter() - started:.0f} s)")
    write_json(COMPARISON, {"folds": len(folds), "runs": rows})


if __name__ == "__main__":
    run("compare", main)
