"""Offline plots (matplotlib, PNG bytes) for the report."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
import numpy as np


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def confusion_png(counts: list[list[int]], classes: list[str], title: str,
                  rows: list[str] | None = None) -> bytes:
    """Row-normalised confusion: actual `rows` (default: `classes`) by predicted `classes`."""
    counts = np.asarray(counts)
    rows = rows or classes
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 1.4 + 0.5 * len(rows)))
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_title(title)
    for i in range(len(rows)):
        for j in range(len(classes)):
            ax.text(j, i, f"{rates[i, j]:.2f}\n({counts[i, j]})", ha="center", va="center", fontsize=7,
                    color="white" if rates[i, j] > 0.5 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046, label="row-normalised")
    return _png(fig)


def per_class_png(per_class: dict, classes: list[str], title: str) -> bytes:
    """Bars of mean precision/recall/F1 per class with fold std as error bars."""
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    width = 0.27
    x = np.arange(len(classes))
    for k, key in enumerate(("precision", "recall", "f1")):
        means = [per_class[c][key]["mean"] for c in classes]
        stds = [per_class[c][key]["std"] for c in classes]
        ax.bar(x + (k - 1) * width, means, width, yerr=stds, capsize=2, label=key)
    ax.set_xticks(x, classes, rotation=30, ha="right")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(ncols=3, fontsize=8)
    return _png(fig)


def curves_png(history: list[dict]) -> bytes:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    epochs = [h["epoch"] for h in history]
    left.plot(epochs, [h["train_loss"] for h in history], label="train loss")
    left.plot(epochs, [h["val_loss"] for h in history], label="validation loss")
    left.set_xlabel("epoch")
    left.legend()
    right.plot(epochs, [h["val_uar"] for h in history], label="validation UAR")
    right.plot(epochs, [h["val_accuracy"] for h in history], label="validation accuracy")
    right.set_xlabel("epoch")
    right.set_ylim(0, 1)
    right.legend()
    fig.suptitle("final model training (validation = the final split's validation actors)")
    return _png(fig)


def corpus_matrix_png(header: list[str], rows: list[list[str]], title: str) -> bytes:
    """A heatmap of reporting.tables.corpus_matrix_table: UAR of a model trained on the row's
    corpora, scored on the column's corpus ("-": not scored)."""
    values = np.array([[float(c) if c != "-" else np.nan for c in row[1:]] for row in rows])
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * values.shape[1], 1.0 + 0.5 * len(rows)))
    image = ax.imshow(np.ma.masked_invalid(values), cmap="Greens", vmin=0, vmax=1)
    ax.set_xticks(range(values.shape[1]), [h.removeprefix("scored on ") for h in header[1:]])
    ax.set_yticks(range(len(rows)), [row[0].removeprefix("trained on ") for row in rows])
    ax.set_xlabel("scored on")
    ax.set_ylabel("trained on")
    ax.set_title(title)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row[1:]):
            ax.text(j, i, cell, ha="center", va="center", fontsize=9,
                    color="white" if cell != "-" and float(cell) > 0.6 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046, label="UAR")
    return _png(fig)
