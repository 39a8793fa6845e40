"""Temperature scaling (Guo et al., 2017): one scalar T, fitted on the
validation actors' logits by minimising negative log-likelihood, divides the
logits before the softmax. It changes confidence, never the predicted class.

A single T holds for clips like the validation actors' and not for others: on
a recording unlike the training data (another corpus, language or
microphone) the inputs lie far out, a linear model's logits grow with them,
and so does its confidence. So each clip's temperature is also scaled by its
`input_shift`, the mean of its squared standardised inputs: by construction
it averages 1 over the training clips, and it is larger the further a clip
lies from them. T·max(1, shift) leaves typical clips alone and softens
outlying ones (train.shift_temperature; the README gives its figures).
"""

from __future__ import annotations

import numpy as np

# Confidence bands of a calibrated prediction, as the CSV's confidence_band column and every
# evaluation's "high band" use them.
HIGH, MEDIUM = 0.70, 0.50


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def input_shift(inputs) -> np.ndarray:
    """Per clip, the mean squared standardised input (z-scores against the training clips): about
    1 for a clip like the training data, more the further out it lies. Sequence models' inputs (a
    list of standardised frame sequences) are averaged over frames too."""
    if isinstance(inputs, list):
        return np.array([float(np.mean(np.square(s, dtype=np.float64))) for s in inputs])
    return np.mean(np.square(np.asarray(inputs), dtype=np.float64), axis=1)


def clip_temperatures(temperature: float, shift: np.ndarray | None, n: int) -> np.ndarray:
    """Each clip's temperature: T, or T·max(1, shift) when the shift is given."""
    return np.full(n, temperature) if shift is None else temperature * np.maximum(1.0, shift)


def calibrated(logits: np.ndarray, temperature: float, shift: np.ndarray | None = None) -> np.ndarray:
    """softmax(logits / T), with each clip's T scaled by max(1, its input shift) when given."""
    return softmax(logits / clip_temperatures(temperature, shift, len(logits))[:, None])


def fit_temperature(logits: np.ndarray, y: np.ndarray, shift: np.ndarray | None = None,
                    weights: np.ndarray | None = None) -> float:
    """The T in [0.05, 20] that minimises the NLL of softmax(logits / T), or of
    softmax(logits / (T·max(1, shift))) when the clips' input shifts are given; each clip's NLL
    weighted by `weights` when given (train.weighting)."""
    if len(y) == 0:
        return 1.0
    # Imported here: prediction needs `softmax` only, and scipy.optimize adds 0.6 s of start-up.
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    logits = logits.astype(np.float64) / clip_temperatures(1.0, shift, len(logits))[:, None]

    def nll(log_t: float) -> float:
        clip_nll = -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), y]
        return clip_nll.mean() if weights is None else np.average(clip_nll, weights=weights)

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def confidence_band(confidence: float) -> str:
    """"high" (>= HIGH), "medium" (>= MEDIUM) or "low"."""
    return "high" if confidence >= HIGH else "medium" if confidence >= MEDIUM else "low"
