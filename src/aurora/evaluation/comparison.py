"""The feature set x model x mode table: one row per cross-validated run, for the model
card and the report. Every run uses the same folds and hyperparameters as the shipped model."""

from __future__ import annotations

import pandas as pd

from aurora.config import SEQUENCE_MODELS
from aurora.evaluation.group_eval import summarize_group_eval
from aurora.evaluation.metrics import rounded, summarize_folds

COLUMNS = ("accuracy", "macro_f1", "uar", "min_class_recall")


def mode_name(speaker_norm: bool) -> str:
    """How tables and logs name a speaker-norm mode."""
    return f"speaker-norm {'on' if speaker_norm else 'off'}"


def cv_by_mode(predictions: pd.DataFrame) -> dict[bool, pd.DataFrame]:
    """The out-of-fold predictions of the train stage's table (artifacts/predictions.parquet), by
    speaker-norm mode, in the order the stage wrote them."""
    cv = predictions[predictions.scope == "cv"]
    return {bool(mode): rows for mode, rows in cv.groupby("speaker_norm", sort=False)}


def comparison_row(features: str, model: str, cv_predictions: dict[bool, pd.DataFrame],
                   group_eval: pd.DataFrame, classes: list[str]) -> dict:
    """Lone-file and speaker-norm CV figures (mean and std over folds) and group-mode accuracy
    on balanced and skewed folders, for one feature set and model. No timings: the row must be
    the same on every rebuild, as dvc.lock records it."""
    row: dict = {"features": "handcrafted frames" if model in SEQUENCE_MODELS else features, "model": model}
    for speaker_norm, predictions in cv_predictions.items():
        summary = summarize_folds(predictions, classes)
        row["speaker_norm" if speaker_norm else "lone"] = {k: rounded(summary[k]) for k in COLUMNS}
    group = summarize_group_eval(group_eval, len(classes)) if len(group_eval) else {}
    row["group"] = {composition: {"lone_accuracy": v["lone_accuracy"], "group_accuracy": v["group_accuracy"],
                                  "fallback_folders": v["fallback_folders"]}
                    for composition, v in group.items()}
    return row
