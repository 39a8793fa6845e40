"""Leave-one-corpus-out, one corpus against another, and per-corpus results, for a model trained
on several corpora.

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


def _held_out(rows: pd.DataFrame, trained: set[int], classes: list[str]) -> dict:
    """One corpus's held-out clips from a model that trained on `trained` classes (indices),
    shaped as a cross-corpus summary: score_corpus figures deciding among all classes and among
    the emotions both sides have."""
    present = set(rows.label)
    shared = [c for i, c in enumerate(classes) if i in trained and i in present]
    if not shared:  # nothing the training corpora know is in this one
        return {"status": "skipped", "note": "no emotion in common with the training corpora"}
    emotions = [classes[y] if classes[y] in shared else "" for y in rows.label]
    probs = _prob_matrix(rows, classes)
    return {"status": "evaluated", "trained_classes": [classes[i] for i in sorted(trained)],
            "modes": {"all classes": score_corpus(emotions, list(rows.speaker), probs, classes),
                      "shared classes": score_corpus(emotions, list(rows.speaker),
                                                     Decision.among(classes, shared).apply(probs), classes)}}


def _trained(notes: list[dict]) -> dict[str, set[int]]:
    """Each split's trained classes, from its training note."""
    return {n["fold"]: set(n["trained_labels"]) for n in notes}


def score_loco(predictions: pd.DataFrame, notes: list[dict], classes: list[str],
               scope: str = "loco") -> dict[str, dict]:
    """Per left-out corpus (rows of `scope`: loco, lone-file; loco_group, a folder per speaker in
    group mode): the classes trained on, and score_corpus figures deciding among all classes and
    among the shared ones (as modes, like a cross-corpus summary). `notes`: each split's training
    note (its trained_labels)."""
    trained = _trained(notes)
    held = predictions[predictions.scope == scope]
    return {str(rows.corpus.iloc[0]): {**_held_out(rows, trained[split], classes), "split": split}
            for split, rows in held.groupby("fold", sort=True)}


def score_corpus_matrix(predictions: pd.DataFrame, notes: list[dict],
                        classes: list[str]) -> dict[str, dict[str, dict]]:
    """Trained-on corpus -> scored corpus -> held-out summary, from the one-corpus splits (scope
    single): how far each corpus alone carries to each other one."""
    trained = _trained(notes)
    single = predictions[predictions.scope == "single"]
    matrix: dict[str, dict[str, dict]] = {}
    for split, rows in single.groupby("fold", sort=True):
        source = split.removeprefix("only-")
        matrix[source] = {str(corpus): _held_out(part, trained[split], classes)
                          for corpus, part in rows.groupby("corpus", sort=True)}
    return matrix


def score_per_corpus(cv: pd.DataFrame, classes: list[str]) -> dict[str, dict]:
    """Cross-validated (held-out speaker) figures of each corpus's own clips; {} with one corpus."""
    if cv.corpus.nunique() < 2:
        return {}
    return {str(corpus): score_corpus([classes[y] for y in rows.label], list(rows.speaker),
                                      _prob_matrix(rows, classes), classes)
            for corpus, rows in cv.groupby("corpus", sort=True)}
