"""Stage `evaluate`: metrics, plots and the report, from the train stage's predictions.

Writes artifacts/metrics.json (DVC metrics: CV mean ± std per speaker-norm
mode, test actors when present), artifacts/eval/*.csv (per fold, per class,
and the clip-level confusion pairs declared as a DVC plot), PNG plots in
artifacts/eval/plots/, the model card and the self-contained artifacts/report.html.
"""

from __future__ import annotations

import json

import pandas as pd

from aurora.config import load_params
from aurora.evaluation.comparison import mode_name
from aurora.evaluation.summary import confusion_pairs, evaluate_predictions, metrics_json
from aurora.models.bundle import CONFIG, MODEL_CARD
from aurora.reporting.model_card import model_card
from aurora.reporting.report import report_html, report_images
from aurora.reporting.tables import corpus_matrix_table, dimensions_table, loco_table, text_table
from aurora.util.atomic import write_atomic, write_json
from stages.entry import run
from stages.paths import (
    CONFUSION,
    EVAL,
    GROUP_EVAL,
    METRICS,
    MODEL,
    PER_CLASS,
    PLOTS,
    PREDICTIONS,
    REPORT,
    SPLITS,
    TRAIN_LOG,
)
from stages.reading import read_comparison, read_crosscorpus


def _write_text(path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text))


def _write_csv(path, frame: pd.DataFrame) -> None:
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def main() -> None:
    params = load_params()
    splits = json.loads(SPLITS.read_text())
    train_log = json.loads(TRAIN_LOG.read_text())
    result = evaluate_predictions(pd.read_parquet(PREDICTIONS), pd.read_parquet(GROUP_EVAL), train_log,
                                  list(params.labels.classes), params.train.speaker_norm,
                                  dict(params.labels.merge), params.dimensions)
    cross = read_crosscorpus(params.crosscorpus.corpora)
    config = json.loads((MODEL / CONFIG).read_text())
    metrics = metrics_json(result, params.train.model, splits, cross, config["training_data"])
    write_json(METRICS, metrics)
    comparison = read_comparison()
    card = model_card(config, result.cv_summaries(), result.test, splits["folds"], comparison, cross,
                      result.loco, result.loco_group, result.dimensions)
    _write_text(MODEL / MODEL_CARD, card)

    EVAL.mkdir(parents=True, exist_ok=True)
    _write_csv(EVAL / "folds.csv", pd.DataFrame(result.fold_rows))
    _write_csv(PER_CLASS, result.per_class())
    _write_csv(CONFUSION, confusion_pairs(result))
    write_json(EVAL / "details.json", {
        "cv": {mode_name(k): {"summary": v["summary"], "pooled": v["pooled"]}
               for k, v in result.modes.items()},
        "test": result.test})
    images = report_images(result, cross, train_log["final_history"])
    PLOTS.mkdir(exist_ok=True)
    for name, png in images.items():
        write_atomic(PLOTS / f"{name}.png", lambda tmp, png=png: tmp.write_bytes(png))
    _write_text(REPORT, report_html(result, params.train.model, metrics.get("note", ""), splits, cross,
                                    comparison, card, images, config["training_data"]))
    if result.loco:  # the headline of a model of several corpora
        print("leave one corpus out (mean ± std over the left-out corpus's speakers):")
        print(text_table(*loco_table(result.loco, result.loco_group)))
        print(text_table(*corpus_matrix_table(result.corpus_matrix, result.loco)) + "\n")
    else:
        print(f"trained on one corpus ({', '.join(sorted(config['training_data']))}): no "
              "leave-one-corpus-out; data.corpora lists the others and the variables that point at them")
    print("arousal and valence (binary UAR, mean ± std over speakers; shipped: "
          f"{result.dimensions['method']}):")
    print(text_table(*dimensions_table(result.dimensions)) + "\n")
    for key in ("cv", "cv_other_mode"):
        if key in metrics:
            m = metrics[key]
            print(f"{key:14s} speaker_norm={m['speaker_norm']!s:5s} accuracy {m['accuracy']['mean']:.3f} "
                  f"± {m['accuracy']['std']:.3f}  macro-F1 {m['macro_f1']['mean']:.3f}  "
                  f"UAR {m['uar']['mean']:.3f}  min recall {m['min_class_recall']['mean']:.3f}")
    for composition, g in result.group.items():
        print(f"group mode, {composition:24s} lone-file {g['lone_accuracy']['mean']:.3f}  "
              f"group {g['group_accuracy']['mean']:.3f}  "
              f"(fallback in {g['fallback_folders']:.0%} of folders)")
    print(metrics.get("note", ""))


if __name__ == "__main__":
    run("evaluate", main)
