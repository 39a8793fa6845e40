"""Temperature scaling (Guo et al., 2017): one scalar T, fitted on the
validation actors' logits by minimising negative log-likelihood, divides the
logits before the softmax. It changes confidence, never the predicted class."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def restrict(probs: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Probabilities renormalised over the `allowed` classes (a boolean mask; 0 elsewhere): the
    decision among a user's label set. Unchanged when `allowed` is None."""
    if allowed is None:
        return probs
    kept = probs * allowed
    return kept / kept.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The T in [0.05, 20] that minimises the NLL of softmax(logits / T)."""
    if len(y) == 0:
        return 1.0
    # Imported here: prediction needs `softmax` only, and scipy.optimize adds 0.6 s of start-up.
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    logits = logits.astype(np.float64)

    def nll(log_t: float) -> float:
        return -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), y].mean()

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))
