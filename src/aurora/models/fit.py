"""Training: torch networks with early stopping on validation actors, and the
scikit-learn logistic-regression floor (copied into a torch Linear layer so
every model saves and predicts the same way)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from aurora.config import TrainConfig
from aurora.evaluation.metrics import classification_metrics, weighted_uar
from aurora.models.forward import batch_tensors, predict_logits
from aurora.models.nets import build_network
from aurora.models.standardize import Inputs

EpochCallback = Callable[[dict], None]


@dataclass
class Fitted:
    network: nn.Module
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    chosen: dict = field(default_factory=dict)  # hyper-parameters picked on validation
    temperature: float = 1.0  # softmax temperature fitted on validation (aurora.models.calibration)
    refit_rows: int = 0  # > 0: refitted on this many rows (training + validation) after selection
    classifier: LogisticRegression | None = None  # logreg: scikit-learn's fit, which a refit starts from


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)


class FocalLoss(nn.Module):
    """Focal loss (Lin et al., 2017) with optional per-class weights."""

    def __init__(self, gamma: float, weight: torch.Tensor | None):
        super().__init__()
        self.gamma = gamma
        self.weight = weight
        self.reduction = "mean"  # or "none": each row's loss, as torch's losses

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        log_p = torch.log_softmax(logits, dim=1).gather(1, target[:, None])[:, 0]
        loss = -((1 - log_p.exp()) ** self.gamma) * log_p
        if self.reduction == "none":
            return loss if self.weight is None else loss * self.weight[target]
        if self.weight is not None:
            w = self.weight[target]
            return (loss * w).sum() / w.sum()
        return loss.mean()


def class_weights(y: np.ndarray, n_classes: int) -> np.ndarray:
    """Inverse-frequency weights ("balanced"), 0 for absent classes."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    return np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0).astype(np.float32)


def _spans(n: int, count: int, max_width: int, limit: torch.Tensor, size: int,
           gen: torch.Generator) -> torch.Tensor:
    """(n, size) bool: `count` random spans of width 0..max_width per row, inside [0, limit)."""
    positions = torch.arange(size)[None, :]
    masked = torch.zeros(n, size, dtype=torch.bool)
    for _ in range(count):
        width = torch.randint(0, max_width + 1, (n,), generator=gen)
        start = (torch.rand(n, generator=gen) * (limit - width + 1).clamp(min=1)).long()
        masked |= (positions >= start[:, None]) & (positions < (start + width)[:, None])
    return masked


def _spec_augment(batch: tuple, cfg: TrainConfig, gen: torch.Generator) -> tuple:
    """SpecAugment-style masking of time steps and feature bands (training only), vectorised."""
    if len(batch) == 1:
        return batch
    x, lengths = batch
    n, steps, dims = x.shape
    time = _spans(n, cfg.spec_time_masks, cfg.spec_time_width, lengths, steps, gen)
    freq = _spans(n, cfg.spec_freq_masks, cfg.spec_freq_width, torch.full((n,), dims), dims, gen)
    return x.masked_fill(time[:, :, None] | freq[:, None, :], 0.0), lengths


def _score(network, x, y, cfg, n_classes, loss_fn, weights: np.ndarray | None = None) -> dict:
    logits = predict_logits(network, x, cfg.max_frames)
    loss = float(loss_fn(torch.from_numpy(logits), torch.from_numpy(y)))
    m = classification_metrics(y, logits.argmax(1), [str(i) for i in range(n_classes)])
    uar = m["uar"] if weights is None else weighted_uar(y, logits.argmax(1), weights)
    return {"loss": loss, "uar": uar, "accuracy": m["accuracy"], "macro_f1": m["macro_f1"]}


def fit_network(x_train: Inputs, y_train: np.ndarray, x_val: Inputs, y_val: np.ndarray,
                n_inputs: int, n_classes: int, cfg: TrainConfig,
                on_epoch: EpochCallback | None = None, w_train: np.ndarray | None = None,
                w_val: np.ndarray | None = None) -> Fitted:
    """Train with AdamW; keep the epoch with the best validation UAR; stop after
    `patience` epochs without improvement. `w_train`, `w_val`: row weights (train.weighting;
    None = every row once, classes balanced by cfg.class_weights); the training rows' already
    balance the classes."""
    seed_everything(cfg.seed)
    network = build_network(cfg.model, n_inputs, n_classes, hidden=cfg.hidden, dropout=cfg.dropout,
                            frame_pool=cfg.frame_pool)
    weights = (torch.from_numpy(class_weights(y_train, n_classes)) if cfg.class_weights and w_train is None
               else None)
    loss_fn = FocalLoss(cfg.focal_gamma, weights) if cfg.focal else nn.CrossEntropyLoss(weight=weights)
    criterion = (_row_weighted(loss_fn, torch.from_numpy(w_train.astype(np.float32))) if w_train is not None
                 else lambda logits, target, _: loss_fn(logits, target))
    plain = nn.CrossEntropyLoss()
    optimiser = torch.optim.AdamW(network.parameters(), lr=cfg.learning_rate,
                                  weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=cfg.max_epochs)
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    fitted = Fitted(network)
    best, best_state, stale = -1.0, None, 0
    for epoch in range(1, cfg.max_epochs + 1):
        network.train()
        order = rng.permutation(len(y_train))
        total, seen = 0.0, 0
        for start in range(0, len(order), cfg.batch_size):
            index = order[start:start + cfg.batch_size]
            if len(index) < 2:
                continue  # BatchNorm needs two rows
            batch = _spec_augment(batch_tensors(x_train, index, cfg.max_frames, rng), cfg, gen)
            loss = criterion(network(*batch), torch.from_numpy(y_train[index]), index)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(index)
            seen += len(index)
        scheduler.step()
        val = _score(network, x_val, y_val, cfg, n_classes, plain, w_val)
        row = {"epoch": epoch, "train_loss": total / max(seen, 1), **{f"val_{k}": v for k, v in val.items()}}
        fitted.history.append(row)
        if on_epoch:
            on_epoch(row)
        if val["uar"] > best + 1e-6:
            best, stale, fitted.best_epoch = val["uar"], 0, epoch
            best_state = copy.deepcopy(network.state_dict())
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    network.load_state_dict(best_state)
    return fitted


def _row_weighted(loss_fn: nn.Module, weights: torch.Tensor):
    """`loss_fn` (unreduced per row) averaged with each training row's weight."""
    loss_fn.reduction = "none"

    def weighted(logits: torch.Tensor, target: torch.Tensor, index: np.ndarray) -> torch.Tensor:
        w = weights[torch.from_numpy(index)]
        return (loss_fn(logits, target) * w).sum() / w.sum()

    return weighted


def _sklearn_logreg(c: float, cfg: TrainConfig, weighted: bool = False) -> LogisticRegression:
    """`weighted`: the rows come with their own weights (classes already balanced in them).
    warm_start: each fit starts from the model's last solution (the objective is strictly convex,
    so only the number of iterations changes)."""
    balance = "balanced" if cfg.class_weights and not weighted else None
    return LogisticRegression(C=c, max_iter=3000, class_weight=balance, warm_start=True)


def fit_logreg(x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
               n_classes: int, cfg: TrainConfig, grid: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0),
               w_train: np.ndarray | None = None, w_val: np.ndarray | None = None) -> Fitted:
    """scikit-learn LogisticRegression; C = logreg_c x grid, picked by validation UAR (weighted by
    `w_val` when given); `w_train`: the training rows' weights (train.weighting)."""
    best = None
    clf = _sklearn_logreg(cfg.logreg_c, cfg, w_train is not None)
    for factor in sorted(grid):  # strongest regularisation first: each fit starts from the last one
        c = cfg.logreg_c * factor
        clf.set_params(C=c).fit(x_train, y_train, sample_weight=w_train)
        if w_val is None:
            uar = classification_metrics(y_val, clf.predict(x_val), [str(i) for i in range(n_classes)])["uar"]
        else:
            uar = weighted_uar(y_val, clf.predict(x_val), w_val)
        if best is None or uar > best[0] + 1e-6:
            best = (uar, c, copy.deepcopy(clf))
    _, c, clf = best
    return Fitted(_as_network(clf, x_train.shape[1], n_classes), chosen={"C": c}, classifier=clf)


def refit_logreg(fitted: Fitted, x: np.ndarray, y: np.ndarray, n_classes: int, cfg: TrainConfig,
                 weights: np.ndarray | None = None) -> Fitted:
    """The same model (C and temperature kept) fitted again on `x`, `y` (with `weights` when the
    rows have them). C is not rescaled for the extra rows: scikit-learn's C weighs the summed
    loss, so regularisation gets slightly weaker, as it would for any model trained on more data."""
    clf = _sklearn_logreg(fitted.chosen["C"], cfg, weights is not None)
    if fitted.classifier is not None and set(np.unique(y)) == set(fitted.classifier.classes_):
        clf = copy.deepcopy(fitted.classifier)  # starts from the selected solution
    clf.fit(x, y, sample_weight=weights)
    return Fitted(_as_network(clf, x.shape[1], n_classes), chosen=fitted.chosen,
                  temperature=fitted.temperature, refit_rows=len(y))


def _as_network(clf: LogisticRegression, n_inputs: int, n_classes: int) -> nn.Module:
    """A torch Linear layer computing `clf`'s logits, over all n_classes."""
    network = build_network("logreg", n_inputs, n_classes, hidden=0, dropout=0)
    weight = np.zeros((n_classes, n_inputs), np.float32)
    bias = np.full(n_classes, -1e4, np.float32)  # classes absent from training are never predicted
    if len(clf.classes_) == 2:  # sklearn stores one vector z; softmax([-z/2, z/2]) is the same model
        weight[clf.classes_] = np.vstack([-clf.coef_, clf.coef_]) / 2
        bias[clf.classes_] = np.array([-1, 1]) * clf.intercept_ / 2
    else:
        weight[clf.classes_] = clf.coef_
        bias[clf.classes_] = clf.intercept_
    with torch.no_grad():
        network.out.weight.copy_(torch.from_numpy(weight))
        network.out.bias.copy_(torch.from_numpy(bias))
    return network
