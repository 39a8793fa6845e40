"""Classification metrics, per class and summarised over folds.

UAR (unweighted average recall) is the mean of per-class recalls, the usual
headline for emotion recognition because it does not reward guessing the
majority class.
"""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

HEADLINE = ("accuracy", "macro_f1", "weighted_f1", "uar", "min_class_recall")


def mean_and_std(values, digits: int | None = None) -> dict:
    """{"mean", "std"} of `values` (the population std: folds and speakers are all there is), each
    rounded to `digits` when given."""
    stat = {"mean": float(np.mean(values)), "std": float(np.std(values))}
    return rounded(stat, digits) if digits is not None else stat


def rounded(stat: dict, digits: int = 4) -> dict:
    """A {"mean", "std"} figure rounded, as the JSON artifacts keep it."""
    return {"mean": round(stat["mean"], digits), "std": round(stat["std"], digits)}


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]) -> dict:
    labels = np.arange(len(classes))
    counts = confusion_matrix(y_true, y_pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    present = support > 0
    n = counts.sum()
    per_class = {}
    for i, name in enumerate(classes):
        tp = counts[i, i]
        tn = n - counts[i].sum() - counts[:, i].sum() + tp
        per_class[name] = {"precision": float(precision[i]), "recall": float(recall[i]),
                           "f1": float(f1[i]), "support": int(support[i]),
                           "one_vs_rest_accuracy": float((tp + tn) / n) if n else 0.0}
    row_sums = counts.sum(axis=1, keepdims=True)
    return {
        "n": int(n),
        "accuracy": float(np.trace(counts) / n) if n else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "weighted_f1": float((f1 * support).sum() / support.sum()) if support.sum() else 0.0,
        "uar": float(recall[present].mean()) if present.any() else 0.0,
        "min_class_recall": float(recall[present].min()) if present.any() else 0.0,
        "per_class": per_class,
        "confusion": counts.tolist(),
        "confusion_normalized": np.divide(counts, np.maximum(row_sums, 1)).round(4).tolist(),
    }


def weighted_uar(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Unweighted average recall, each clip's part in its class's recall weighted by `weights`
    (None: plain UAR). Model selection uses it with train.weighting's row weights."""
    weights = np.ones(len(y_true)) if weights is None else np.asarray(weights, np.float64)
    hit = weights * (y_true == y_pred)
    recalls = [hit[y_true == c].sum() / weights[y_true == c].sum() for c in np.unique(y_true)]
    return float(np.mean(recalls)) if recalls else 0.0


def summarize(fold_metrics: list[dict], classes: list[str]) -> dict:
    """Mean and (population) std over folds of every headline and per-class figure."""
    out = {key: mean_and_std([m[key] for m in fold_metrics]) for key in HEADLINE}
    out["per_class"] = {c: {k: mean_and_std([m["per_class"][c][k] for m in fold_metrics])
                            for k in ("precision", "recall", "f1")} for c in classes}
    return out


def summarize_folds(predictions, classes: list[str]) -> dict:
    """`summarize` of out-of-fold predictions (a DataFrame with fold, label and pred columns)."""
    return summarize([classification_metrics(g.label.to_numpy(), g.pred.to_numpy(), classes)
                      for _, g in predictions.groupby("fold")], classes)


def confident_accuracy(probs: np.ndarray, y_true: np.ndarray, threshold: float) -> dict:
    """How many predictions reach `threshold` confidence (the high band) and how many of those
    are right (None when none do)."""
    high = probs.max(axis=1) >= threshold
    right = probs.argmax(axis=1)[high] == y_true[high]
    return {"clips": int(high.sum()), "accuracy": round(float(right.mean()), 4) if high.any() else None}


def expected_calibration_error(probs: np.ndarray, y_true: np.ndarray, bins: int = 15) -> float:
    """ECE with equal-width confidence bins (Guo et al., 2017)."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y_true
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(ece)
