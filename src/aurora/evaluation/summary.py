"""Everything the train stage's predictions say, summarised: cross-validation per speaker-norm
mode (per fold, pooled, calibration), the test actors when present, group mode, each corpus on
its own and leave-one-corpus-out. The evaluate stage writes it as metrics.json, tables, the
model card and the report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aurora.config import DimensionsConfig
from aurora.data.labels import probability_columns
from aurora.evaluation.comparison import cv_by_mode, mode_name
from aurora.evaluation.dimensions import evaluate_dimensions
from aurora.evaluation.group_eval import summarize_group_eval
from aurora.evaluation.loco import score_corpus_matrix, score_loco, score_per_corpus
from aurora.evaluation.metrics import (
    HEADLINE,
    classification_metrics,
    confident_accuracy,
    expected_calibration_error,
    rounded,
    summarize,
)
from aurora.evaluation.scoring import headline, shift_summary
from aurora.models.calibration import HIGH, softmax


def headline_figures(m: dict) -> dict:
    """The headline figures of one classification_metrics result, rounded as metrics.json keeps them."""
    return {k: round(m[k], 4) for k in HEADLINE}


@dataclass
class Evaluation:
    classes: list[str]
    speaker_norm: bool  # the shipped model's mode
    modes: dict[bool, dict]  # speaker-norm mode -> summary, pooled, ece, ..., predictions
    fold_rows: list[dict]  # headline figures per mode and fold
    test: dict | None  # classification_metrics of the test actors, when present
    group: dict  # summarize_group_eval per folder composition ({} without group mode)
    cv_per_corpus: dict[str, dict] = field(default_factory=dict)  # shaped as cross-corpus summaries
    loco: dict[str, dict] = field(default_factory=dict)  # leave one corpus out, likewise
    loco_group: dict[str, dict] = field(default_factory=dict)  # the same in group mode, a folder per speaker
    corpus_matrix: dict[str, dict[str, dict]] = field(default_factory=dict)  # trained on -> scored on
    dimensions: dict = field(default_factory=dict)  # arousal and valence (evaluate_dimensions)

    @property
    def primary(self) -> dict:
        return self.modes[self.speaker_norm]

    def cv_summaries(self) -> dict[str, dict]:
        """metrics.summarize per mode, by mode name."""
        return {mode_name(k): v["summary"] for k, v in self.modes.items()}

    def per_class(self) -> pd.DataFrame:
        """The shipped mode's per-class precision, recall and F1 (mean and std over folds), support
        and one-vs-rest accuracy (pooled)."""
        summary, pooled = self.primary["summary"], self.primary["pooled"]
        return pd.DataFrame([
            {"class": c, **{f"{k}_{s}": round(summary["per_class"][c][k][s], 4)
                            for k in ("precision", "recall", "f1") for s in ("mean", "std")},
             "support": pooled["per_class"][c]["support"],
             "one_vs_rest_accuracy": round(pooled["per_class"][c]["one_vs_rest_accuracy"], 4)}
            for c in self.classes])


def _mode_results(cv: pd.DataFrame, classes: list[str], speaker_norm: bool,
                  fold_rows: list[dict]) -> dict:
    per_fold = []
    for fold, g in cv.groupby("fold"):
        m = classification_metrics(g.label.to_numpy(), g.pred.to_numpy(), classes)
        per_fold.append(m)
        fold_rows.append({"mode": mode_name(speaker_norm), "fold": fold, **headline_figures(m)})
    probs = cv[probability_columns(classes)].to_numpy()
    raw = softmax(cv[[f"logit_{c}" for c in classes]].to_numpy())
    return {"summary": summarize(per_fold, classes),
            "pooled": classification_metrics(cv.label.to_numpy(), cv.pred.to_numpy(), classes),
            "ece": expected_calibration_error(probs, cv.label.to_numpy()),
            "ece_uncalibrated": expected_calibration_error(raw, cv.label.to_numpy()),
            "high_band": confident_accuracy(probs, cv.label.to_numpy(), HIGH),
            "input_shift": shift_summary(cv["shift"]), "predictions": cv}


def evaluate_predictions(predictions: pd.DataFrame, group_eval: pd.DataFrame, train_log: dict,
                         classes: list[str], speaker_norm: bool, merge: dict | None = None,
                         dimensions: DimensionsConfig | None = None) -> Evaluation:
    """Summarise the train stage's predictions table (scopes cv, test, loco) and its group-mode
    table; `train_log`: its training notes (which classes each leave-one-corpus-out split saw);
    arousal and valence scored with `dimensions` (params.yaml's), the classes' `merge`."""
    modes, fold_rows = {}, []
    for mode, cv in cv_by_mode(predictions).items():
        modes[mode] = _mode_results(cv, classes, mode, fold_rows)
    test_rows = predictions[predictions.scope == "test"]
    test = (classification_metrics(test_rows.label.to_numpy(), test_rows.pred.to_numpy(), classes)
            if len(test_rows) else None)
    group = summarize_group_eval(group_eval, len(classes)) if len(group_eval) else {}
    result = Evaluation(classes, speaker_norm, modes, fold_rows, test, group)
    result.cv_per_corpus = {name: {"status": "evaluated", "modes": {"cv, lone-file": s}}
                            for name, s in score_per_corpus(result.primary["predictions"], classes).items()}
    notes = train_log.get("corpus_splits", [])
    result.loco = score_loco(predictions, notes, classes)
    result.loco_group = score_loco(predictions, notes, classes, scope="loco_group")
    result.corpus_matrix = score_corpus_matrix(predictions, notes, classes)
    result.dimensions = evaluate_dimensions(predictions, classes, merge or {},
                                            dimensions or DimensionsConfig(), speaker_norm)
    return result


def metrics_json(result: Evaluation, model: str, splits: dict, crosscorpus: dict[str, dict],
                 training_data: dict[str, dict] | None = None) -> dict:
    """What artifacts/metrics.json holds (DVC metrics: `dvc metrics show`, `dvc exp show`);
    `training_data`: the shipped model's speakers and clips per corpus (its bundle's)."""
    metrics = {"model": model, "cv_folds": len(splits["folds"]),
               "test_actors_present": result.test is not None}
    if training_data:
        metrics["training_data"] = {corpus: {"speakers": d["speakers"], "clips": d["clips"]}
                                    for corpus, d in training_data.items()}
    for mode, entry in result.modes.items():
        key = "cv" if mode == result.speaker_norm else "cv_other_mode"
        metrics[key] = {"speaker_norm": mode,
                        **{k: rounded(v) for k, v in entry["summary"].items() if k in HEADLINE},
                        "ece": round(entry["ece"], 4),
                        "ece_uncalibrated": round(entry["ece_uncalibrated"], 4),
                        "high_band": entry["high_band"], "input_shift": entry["input_shift"]}
    metrics["test"] = headline_figures(result.test) if result.test else None
    if result.group:
        metrics["group_mode"] = result.group
    if not result.test:
        metrics["note"] = splits["note"] or "no test actors present: cross-validation only"
    if crosscorpus:
        metrics["crosscorpus"] = {name: headline(summary) for name, summary in crosscorpus.items()}
    for key, value in (("cv_per_corpus", result.cv_per_corpus), ("leave_one_corpus_out", result.loco),
                       ("leave_one_corpus_out_group", result.loco_group)):
        if value:
            metrics[key] = {name: headline(s) for name, s in value.items()}
    if result.dimensions:
        metrics["dimensions"] = result.dimensions
    if result.corpus_matrix:  # UAR, all classes: trained on one corpus -> scored on another
        metrics["corpus_matrix"] = {
            source: {target: s["modes"]["all classes"]["uar"] for target, s in row.items() if "modes" in s}
            for source, row in result.corpus_matrix.items()}
    return metrics


def confusion_pairs(result: Evaluation) -> pd.DataFrame:
    """(actual, predicted) per cross-validated clip of the shipped mode: DVC's confusion plot."""
    cv = result.primary["predictions"]
    classes = np.array(result.classes)
    return pd.DataFrame({"actual": classes[cv.label], "predicted": classes[cv.pred]})
