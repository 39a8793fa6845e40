"""Actor-grouped cross-validation and the final model.

For each fold: speaker standardisation (optional, label-free, per speaker),
global standardisation fitted on the fold's training rows only, optional
SMOTE on those rows only, training with early stopping on the fold's
validation actors, then one prediction per held-out clip. Held-out actors
influence nothing but their own predictions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aurora.balance import smote_resample
from aurora.calibration import fit_temperature
from aurora.config import TrainConfig
from aurora.corpus import Corpus
from aurora.labels import LabelSpace
from aurora.models.fit import Fitted, fit_logreg, fit_network, predict_logits
from aurora.normalize import Examples, Moments, apply, moments, per_speaker
from aurora.parallel import worker_count
from aurora.splits import Fold


@dataclass
class FoldData:
    x_train: Examples
    y_train: np.ndarray
    x_val: Examples
    y_val: np.ndarray
    x_test: Examples
    test_index: np.ndarray
    train_index: np.ndarray
    moments: Moments
    smote_added: int


def input_width(examples: Examples) -> int:
    return examples[0].shape[1] if isinstance(examples, list) else examples.shape[1]


def examples_of(corpus: Corpus, cfg: TrainConfig, speaker_norm: bool) -> Examples:
    """The model's inputs for every row, speaker-standardised if asked."""
    x = corpus.sequences if cfg.is_sequence_model else corpus.stats
    if speaker_norm:
        x = per_speaker(x, corpus.meta.actor.to_numpy(), ~corpus.meta.augmented.to_numpy())
    return x


def prepare_fold(corpus: Corpus, examples: Examples, fold: Fold, cfg: TrainConfig) -> FoldData:
    train, val, test = corpus.fold_rows(fold, augmented=cfg.use_augmented)
    labels = corpus.meta.label.to_numpy()
    m = moments(examples, train)  # training rows only
    x_train, y_train = apply(examples, train, m), labels[train]
    added = 0
    if cfg.smote:
        before = len(y_train)
        x_train, y_train = smote_resample(x_train, y_train, cfg.seed)
        added = len(y_train) - before
    return FoldData(x_train, y_train, apply(examples, val, m), labels[val], apply(examples, test, m),
                    test, train, m, added)


def train_on(data: FoldData, n_inputs: int, n_classes: int, cfg: TrainConfig,
             on_epoch: Callable[[dict], None] | None = None) -> Fitted:
    """Fit on the training rows; early stopping, C and the temperature use the validation actors."""
    torch.set_num_threads(worker_count(cfg.threads))
    if cfg.model == "logreg":
        fitted = fit_logreg(data.x_train, data.y_train, data.x_val, data.y_val, n_classes, cfg)
    else:
        fitted = fit_network(data.x_train, data.y_train, data.x_val, data.y_val, n_inputs, n_classes,
                             cfg, on_epoch)
    fitted.temperature = fit_temperature(predict_logits(fitted.network, data.x_val, cfg), data.y_val)
    return fitted


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _prediction_rows(corpus: Corpus, index: np.ndarray, logits: np.ndarray, temperature: float,
                     labels: LabelSpace, **fields) -> pd.DataFrame:
    """One row per clip: calibrated probabilities, and the raw logits for auditing calibration."""
    meta = corpus.meta.iloc[index]
    probs = softmax(logits / temperature)
    frame = pd.DataFrame({**fields, "clip_id": meta.clip_id.to_numpy(), "actor": meta.actor.to_numpy(),
                          "label": meta.label.to_numpy(), "pred": probs.argmax(axis=1),
                          "temperature": np.float32(temperature)})
    for i, name in enumerate(labels.classes):
        frame[f"prob_{name}"] = probs[:, i].astype(np.float32)
    for i, name in enumerate(labels.classes):
        frame[f"logit_{name}"] = logits[:, i].astype(np.float32)
    return frame


def cross_validate(corpus: Corpus, folds: list[Fold], cfg: TrainConfig, labels: LabelSpace,
                   speaker_norm: bool, log: Callable[[str], None] = print) -> tuple[pd.DataFrame, list[dict]]:
    """Out-of-fold predictions for every modelled clip of the CV actors, and per-fold notes."""
    examples = examples_of(corpus, cfg, speaker_norm)
    n_inputs = input_width(examples)
    frames, notes = [], []
    for fold in folds:
        data = prepare_fold(corpus, examples, fold, cfg)
        if not len(data.test_index):
            log(f"  {fold.name}: no modelled clips among held-out actors {list(fold.test)}; skipped")
            continue
        fitted = train_on(data, n_inputs, len(labels), cfg)
        logits = predict_logits(fitted.network, data.x_test, cfg)
        frames.append(_prediction_rows(corpus, data.test_index, logits, fitted.temperature, labels,
                                       scope="cv", fold=fold.name, speaker_norm=speaker_norm))
        acc = float((logits.argmax(1) == corpus.meta.label.to_numpy()[data.test_index]).mean())
        notes.append({"fold": fold.name, "speaker_norm": speaker_norm, "train_rows": len(data.y_train),
                      "smote_added": data.smote_added, "best_epoch": fitted.best_epoch, **fitted.chosen,
                      "temperature": round(fitted.temperature, 4), "test_accuracy": acc})
        chosen = (f"best epoch {fitted.best_epoch}" if fitted.best_epoch
                  else ", ".join(f"{k}={v:g}" for k, v in fitted.chosen.items()))
        log(f"  {fold.name} speaker_norm={speaker_norm}: {len(data.y_train)} training rows, "
            f"{chosen}, held-out accuracy {acc:.3f}")
    return pd.concat(frames, ignore_index=True), notes


@dataclass
class FinalModel:
    fitted: Fitted
    data: FoldData
    n_inputs: int
    test_predictions: pd.DataFrame  # empty when no test actors are present
    training_hash: str


def train_final(corpus: Corpus, final: Fold, cfg: TrainConfig, labels: LabelSpace,
                on_epoch: Callable[[dict], None] | None = None) -> FinalModel:
    examples = examples_of(corpus, cfg, cfg.speaker_norm)
    n_inputs = input_width(examples)
    data = prepare_fold(corpus, examples, final, cfg)
    fitted = train_on(data, n_inputs, len(labels), cfg, on_epoch)
    if len(data.test_index):
        test = _prediction_rows(corpus, data.test_index, predict_logits(fitted.network, data.x_test, cfg),
                                fitted.temperature, labels, scope="test", fold="final",
                                speaker_norm=cfg.speaker_norm)
    else:
        test = pd.DataFrame()
    # Hash of exactly what the model was fitted on: its inputs (after standardisation
    # and SMOTE) and labels.
    digest = hashlib.sha256()
    for x in (data.x_train if isinstance(data.x_train, list) else [data.x_train]):
        digest.update(np.ascontiguousarray(x).tobytes())
    digest.update(data.y_train.tobytes())
    training_hash = digest.hexdigest()
    return FinalModel(fitted, data, n_inputs, test, training_hash)
