"""The feature set x model x mode table: one row per cross-validated run, for the model
card and the report. Every run uses the same folds and hyperparameters as the shipped model."""

from __future__ import annotations

import pandas as pd

from aurora.config import SEQUENCE_MODELS
from aurora.group import COMPOSITIONS, summarize_group_eval
from aurora.metrics import mean_std, summarize_folds
from aurora.tables import markdown_table

COLUMNS = ("accuracy", "macro_f1", "uar", "min_class_recall")


def _stat(s: dict) -> dict:
    return {"mean": round(s["mean"], 4), "std": round(s["std"], 4)}


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
        row["speaker_norm" if speaker_norm else "lone"] = {k: _stat(summary[k]) for k in COLUMNS}
    group = summarize_group_eval(group_eval, len(classes)) if len(group_eval) else {}
    row["group"] = {composition: {"lone_accuracy": v["lone_accuracy"], "group_accuracy": v["group_accuracy"],
                                  "fallback_folders": v["fallback_folders"]}
                    for composition, v in group.items()}
    return row


def _pm(stat: dict | None) -> str:
    return mean_std(stat) if stat else "n/a"


def title(rows: list[dict]) -> str:
    """The table's heading: it says "every" only when there is more than one run to compare."""
    if len(rows) == 1:
        run = f"{rows[0]['features']}/{rows[0]['model']}"
        return f"{run} on the CV folds (name more runs in compare.runs to compare them)"
    return f"Every feature set and model in compare.runs ({len(rows)}), on the same folds"


def legend(rows: list[dict]) -> str:
    """What the table's columns mean (plain text: the model card and the report both use it)."""
    norm = ("speaker-norm = z-scored by the speaker's own clips; "
            if any("speaker_norm" in row for row in rows) else "")
    return (f"Mean ± std over folds; lone file = one clip at a time (the default); {norm}group = "
            "`--group-by folder` accuracy on balanced and skewed folders of one speaker.")


def table(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """(header, cells): accuracy lone-file / speaker-norm, macro-F1, UAR, min recall, then group-mode
    accuracy per folder composition (n/a for sequence models, which have no group mode). The
    speaker-norm column is there only when some run was cross-validated that way."""
    norm_column = any("speaker_norm" in row for row in rows)
    header = ["features", "model", "lone accuracy", "lone macro-F1", "lone UAR", "lone min recall",
              *(["speaker-norm accuracy"] if norm_column else []), *[f"group: {c}" for c in COMPOSITIONS]]
    cells = []
    for row in rows:
        lone, norm = row.get("lone", {}), row.get("speaker_norm", {})
        cells.append([row["features"], row["model"], *[_pm(lone.get(k)) for k in COLUMNS],
                      *([_pm(norm.get("accuracy"))] if norm_column else []),
                      *[_pm(row["group"][c]["group_accuracy"]) if c in row["group"] else "n/a"
                        for c in COMPOSITIONS]])
    return header, cells


def markdown(rows: list[dict]) -> str:
    return markdown_table(*table(rows))
