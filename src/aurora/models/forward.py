"""Batched forward passes of a trained network, shared by training (validation
scores) and inference. Kept apart from the fitting code so that prediction
does not import scikit-learn or the training loop."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from aurora.models.standardize import Inputs


def batch_tensors(x: Inputs, index: np.ndarray, max_frames: int, rng: np.random.Generator | None):
    """Tensors for one batch: (inputs,) or (padded sequences, lengths)."""
    if isinstance(x, np.ndarray):
        return (torch.from_numpy(x[index]),)
    crops = []
    for i in index:
        seq = x[i]
        if len(seq) > max_frames:  # random crop in training, centre crop otherwise
            spare = len(seq) - max_frames
            start = rng.integers(spare + 1) if rng is not None else spare // 2
            seq = seq[start:start + max_frames]
        crops.append(torch.from_numpy(seq))
    lengths = torch.tensor([len(c) for c in crops])
    return nn.utils.rnn.pad_sequence(crops, batch_first=True), lengths


def predict_logits(network: nn.Module, x: Inputs, max_frames: int, batch_size: int = 256) -> np.ndarray:
    """Logits in batches; sequences longer than max_frames are centre-cropped."""
    network.eval()
    n = len(x)
    out = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            index = np.arange(start, min(n, start + batch_size))
            out.append(network(*batch_tensors(x, index, max_frames, None)).numpy())
    return np.concatenate(out) if out else np.empty((0, 0), np.float32)
