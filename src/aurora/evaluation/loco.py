"""Leave-one-corpus-out and per-corpus results, for a model trained on several corpora.

Each leave-one-corpus-out split trains on the other corpora and tests on every
speaker of the one left out. It is scored only on the emotions both sides have:
a class the training corpora never showed (CREMA-D has no calm) cannot be
learned, and one the left-out corpus lacks cannot be tested. The model still
decides among all its classes ("all classes"); "shared classes" restricts the
decision to the scored emotions, as `aurora predict --classes` would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurora.data.decision import Decision
from aurora.data.labels import probability_columns
from aurora.evaluation.scoring import score_corpus


def _prob_matrix(frame: pd.DataFrame, classes: list[str]) -> np.ndarray:
    return frame[probability_columns(classes)].to_numpy(np.float64)


def score_loco(predictions: pd.DataFrame, notes: list[dict], classes: list[str]) -> dict[str, dict]:
    """Per left-out corpus: the classes trained on, and score_corpus figures deciding among all
    classes and among the shared ones (as modes, like a cross-corpus summary). `notes`: each split's
    training note (its trained_labels)."""
    trained = {n["fold"]: set(n["trained_labels"]) for n in notes}
    out = {}
    for split, rows in predictions.groupby("fold", sort=True):
        present = set(rows.label)
        shared = [c for i, c in enumerate(classes) if i in trained[split] and i in present]
        if not shared:  # nothing the training corpora know is in the one left out
            out[str(rows.corpus.iloc[0])] = {"status": "skipped", "split": split,
                                             "note": "no emotion in common with the training corpora"}
            continue
        emotions = [classes[y] if classes[y] in shared else "" for y in rows.label]
        probs = _prob_matrix(rows, classes)
        out[str(rows.corpus.iloc[0])] = {  # shaped as a cross-corpus summary (aurora.evaluation.crosscorpus)
            "status": "evaluated", "split": split,
            "trained_classes": [classes[i] for i in sorted(trained[split])],
            "modes": {"all classes": score_corpus(emotions, list(rows.speaker), probs, classes),
                      "shared classes": score_corpus(emotions, list(rows.speaker),
                                                     Decision.among(classes, shared).apply(probs), classes)}}
    return out


def score_per_corpus(cv: pd.DataFrame, classes: list[str]) -> dict[str, dict]:
    """Cross-validated (held-out speaker) figures of each corpus's own clips; {} with one corpus."""
    if cv.corpus.nunique() < 2:
        return {}
    return {str(corpus): score_corpus([classes[y] for y in rows.label], list(rows.speaker),
                                      _prob_matrix(rows, classes), classes)
            for corpus, rows in cv.groupby("corpus", sort=True)}
