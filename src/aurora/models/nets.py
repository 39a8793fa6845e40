"""Torch networks. Utterance models take (batch, features); sequence models
take (batch, time, features) plus the true lengths, and pool over valid frames."""

from __future__ import annotations

import torch
from torch import nn


class Linear(nn.Module):
    """Multinomial logistic regression (weights fitted by scikit-learn)."""

    def __init__(self, n_inputs: int, n_classes: int):
        super().__init__()
        self.out = nn.Linear(n_inputs, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(x)


class MLP(nn.Module):
    def __init__(self, n_inputs: int, n_classes: int, hidden: int = 256, dropout: float = 0.3):
        super().__init__()
        self.net = nn.Sequential(
            nn.Dropout(dropout / 2), nn.Linear(n_inputs, hidden), nn.LayerNorm(hidden), nn.GELU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden // 2), nn.LayerNorm(hidden // 2), nn.GELU(),
            nn.Dropout(dropout), nn.Linear(hidden // 2, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _mask(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    return (torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]).float()


def masked_mean_std(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(batch, channels, time) -> (batch, 2*channels): mean and std over valid frames."""
    mask = _mask(lengths, x.shape[-1])[:, None, :]
    count = mask.sum(-1).clamp(min=1)
    mean = (x * mask).sum(-1) / count
    var = (((x - mean[..., None]) ** 2) * mask).sum(-1) / count
    return torch.cat([mean, var.clamp(min=1e-6).sqrt()], dim=1)


def pool_frames(x: torch.Tensor, lengths: torch.Tensor, factor: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, time, features) -> (batch, ceil(time/factor), features): the mean of
    every `factor` valid frames. Padding is excluded, so a clip's result does not
    depend on its batch."""
    if factor == 1:
        return x, lengths
    mask = _mask(lengths, x.shape[1])[:, None, :]
    pool = nn.functional.avg_pool1d
    total = pool(x.transpose(1, 2) * mask, factor, factor, ceil_mode=True)
    count = pool(mask, factor, factor, ceil_mode=True).clamp(min=1e-6)
    return (total / count).transpose(1, 2), torch.div(lengths + factor - 1, factor, rounding_mode="floor")


class SqueezeExcite(nn.Module):
    """Channel re-weighting from the sequence's (masked) average (Hu et al., 2018)."""

    def __init__(self, channels: int, reduction: int = 8):
        super().__init__()
        self.gate = nn.Sequential(nn.Linear(channels, channels // reduction), nn.ReLU(),
                                  nn.Linear(channels // reduction, channels), nn.Sigmoid())

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = _mask(lengths, x.shape[-1])[:, None, :]
        avg = (x * mask).sum(-1) / mask.sum(-1).clamp(min=1)
        return x * self.gate(avg)[..., None]


class ConvSE(nn.Module):
    """1D CNN with squeeze-and-excitation blocks and mean+std pooling."""

    def __init__(self, n_inputs: int, n_classes: int, channels: int = 128, dropout: float = 0.3,
                 frame_pool: int = 1):
        super().__init__()
        self.frame_pool = frame_pool
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        self.se = nn.ModuleList()
        for i, dilation in enumerate((1, 2, 3)):
            self.convs.append(nn.Conv1d(n_inputs if i == 0 else channels, channels, 5,
                                        padding=2 * dilation, dilation=dilation))
            self.norms.append(nn.BatchNorm1d(channels))
            self.se.append(SqueezeExcite(channels))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * channels, n_classes))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x, lengths = pool_frames(x, lengths, self.frame_pool)
        # Zero the padding before every convolution, so a clip's output does not
        # depend on what it was batched with.
        mask = _mask(lengths, x.shape[1])[:, None, :]
        h = x.transpose(1, 2) * mask
        for conv, norm, se in zip(self.convs, self.norms, self.se, strict=True):
            out = se(torch.relu(norm(conv(h))), lengths) * mask
            h = out + h if out.shape == h.shape else out  # residual once shapes agree
        return self.head(masked_mean_std(h, lengths))


class ConvBiLSTM(nn.Module):
    """The seeds' CNN-BiLSTM: conv front end (4x down-sampling in time), BiLSTM, pooling."""

    def __init__(self, n_inputs: int, n_classes: int, channels: int = 64, hidden: int = 64,
                 dropout: float = 0.3, frame_pool: int = 1):
        super().__init__()
        self.frame_pool = frame_pool
        self.blocks = nn.ModuleList([
            nn.Sequential(nn.Conv1d(n_inputs, channels, 5, padding=2), nn.BatchNorm1d(channels), nn.ReLU(),
                          nn.MaxPool1d(2)),
            nn.Sequential(nn.Conv1d(channels, channels, 3, padding=1), nn.BatchNorm1d(channels), nn.ReLU(),
                          nn.MaxPool1d(2))])
        self.lstm = nn.LSTM(channels, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * hidden, n_classes))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x, lengths = pool_frames(x, lengths, self.frame_pool)
        h, steps = x.transpose(1, 2), lengths
        for block in self.blocks:  # zero the padding before each convolution (see ConvSE)
            h = block(h * _mask(steps, h.shape[-1])[:, None, :])
            steps = torch.clamp(steps // 2, min=1)
        h = h.transpose(1, 2)  # (batch, time/4, channels)
        steps = torch.clamp(steps, max=h.shape[1])
        packed = nn.utils.rnn.pack_padded_sequence(h, steps.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=h.shape[1])
        return self.head(masked_mean_std(out.transpose(1, 2), steps))


def build_network(name: str, n_inputs: int, n_classes: int, *, hidden: int, dropout: float,
                  frame_pool: int = 1) -> nn.Module:
    if name == "logreg":
        return Linear(n_inputs, n_classes)
    if name == "mlp":
        return MLP(n_inputs, n_classes, hidden=hidden, dropout=dropout)
    if name == "cnn_se":
        return ConvSE(n_inputs, n_classes, channels=max(32, hidden // 4), dropout=dropout,
                      frame_pool=frame_pool)
    if name == "cnn_bilstm":
        return ConvBiLSTM(n_inputs, n_classes, channels=64, hidden=max(32, hidden // 4), dropout=dropout,
                          frame_pool=frame_pool)
    raise ValueError(f"unknown model {name!r}")
