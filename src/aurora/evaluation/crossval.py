"""Actor-grouped cross-validation and the final model.

For each fold: speaker standardisation (optional, label-free, per speaker),
global standardisation fitted on the fold's training rows only, optional
SMOTE on those rows only, training with early stopping (or C) and the
softmax temperature chosen on the fold's validation actors (logistic
regression is then refitted on training + validation rows if
train.refit_with_val), then one prediction per held-out clip, from its inputs
as `aurora predict` computes them (Examples.heldout). Held-out actors influence
nothing but their own predictions.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from aurora.config import DimensionsConfig, TrainConfig
from aurora.data.examples import Examples, balanced, row_weights
from aurora.data.labels import LabelSpace, probability_columns
from aurora.data.splits import Fold
from aurora.evaluation.group_eval import group_eval_rows
from aurora.models.calibration import calibrated, fit_temperature, input_shift, softmax
from aurora.models.dimensions import DIMENSIONS, Head, class_points, fit_head, shrunk
from aurora.models.fit import Fitted, fit_logreg, fit_network, refit_logreg
from aurora.models.forward import predict_logits
from aurora.models.group import GroupModel, class_means, true_label_offsets
from aurora.models.smote import smote_resample
from aurora.models.standardize import Inputs, Moments, apply, moments, per_speaker
from aurora.util.parallel import parallel_map


@dataclass
class FoldData:
    x_train: Inputs
    y_train: np.ndarray
    x_val: Inputs
    y_val: np.ndarray
    x_test: Inputs
    test_index: np.ndarray
    train_index: np.ndarray
    moments: Moments
    smote_added: int
    val_index: np.ndarray
    # Row weights (train.weighting) of the training rows, the validation rows, and both together
    # for a refit; None: every row once. Those trained on also balance the classes.
    w_train: np.ndarray | None = None
    w_val: np.ndarray | None = None
    w_refit: np.ndarray | None = None


def input_width(inputs: Inputs) -> int:
    return inputs[0].shape[1] if isinstance(inputs, list) else inputs.shape[1]


def model_inputs(examples: Examples, cfg: TrainConfig, speaker_norm: bool, *,
                 heldout: bool = False) -> Inputs:
    """The model's inputs for every row, speaker-standardised if asked; with `heldout`, as
    inference computes them (Examples.heldout)."""
    x = (examples.sequences if cfg.is_sequence_model
         else examples.heldout if heldout and examples.heldout is not None else examples.stats)
    if speaker_norm:
        x = per_speaker(x, examples.meta.speaker.to_numpy(), ~examples.meta.augmented.to_numpy())
    return x


def prepare_fold(examples: Examples, inputs: Inputs, fold: Fold, cfg: TrainConfig,
                 heldout: Inputs | None = None) -> FoldData:
    """A fold's standardised inputs; its test rows come from `heldout` (model_inputs(...,
    heldout=True): the clips as inference computes them) when given."""
    train, val, test = examples.fold_rows(fold, augmented=cfg.use_augmented)
    labels = examples.meta.label.to_numpy()
    m = moments(inputs, train)  # training rows only
    x_train, y_train = apply(inputs, train, m), labels[train]
    added = 0
    if cfg.smote:
        before = len(y_train)
        x_train, y_train = smote_resample(x_train, y_train, cfg.seed)
        added = len(y_train) - before
    speakers, corpora = examples.meta.speaker.to_numpy(), examples.meta.corpus.to_numpy()
    both = np.concatenate([train, val])
    w_train, w_val, w_refit = (row_weights(speakers[rows], corpora[rows], cfg.weighting)
                               for rows in (train, val, both))
    if w_train is not None and cfg.class_weights:
        w_train, w_refit = balanced(w_train, y_train), balanced(w_refit, labels[both])
    return FoldData(x_train, y_train, apply(inputs, val, m), labels[val],
                    apply(inputs if heldout is None else heldout, test, m), test, train, m, added, val,
                    w_train, w_val, w_refit)


def train_on(data: FoldData, n_inputs: int, n_classes: int, cfg: TrainConfig,
             on_epoch: Callable[[dict], None] | None = None, val_shift: np.ndarray | None = None) -> Fitted:
    """Fit on the training rows; early stopping, C and the temperature use the validation actors.
    With train.refit_with_val, logistic regression is then refitted on training + validation rows.
    With train.shift_temperature, T is fitted for the validation rows' input shifts (`val_shift`,
    by default those of data.x_val)."""
    if cfg.model == "logreg":
        fitted = fit_logreg(data.x_train, data.y_train, data.x_val, data.y_val, n_classes, cfg,
                            w_train=data.w_train, w_val=data.w_val)
    else:
        fitted = fit_network(data.x_train, data.y_train, data.x_val, data.y_val, n_inputs, n_classes,
                             cfg, on_epoch, w_train=data.w_train, w_val=data.w_val)
    val_logits = predict_logits(fitted.network, data.x_val, cfg.max_frames)
    if cfg.shift_temperature and val_shift is None:
        val_shift = input_shift(data.x_val)
    fitted.temperature = fit_temperature(val_logits, data.y_val, val_shift if cfg.shift_temperature else None,
                                         data.w_val)
    # The refit comes last: C and the temperature must come from a model that never saw the
    # validation rows, or the temperature would be fitted on the model's own training data.
    if cfg.model == "logreg" and cfg.refit_with_val and len(data.y_val):
        fitted = refit_logreg(fitted, np.concatenate([data.x_train, data.x_val]),
                              np.concatenate([data.y_train, data.y_val]), n_classes, cfg, data.w_refit)
    return fitted


def _prediction_rows(examples: Examples, index: np.ndarray, probs: np.ndarray, logits: np.ndarray,
                     temperature: float, shift: np.ndarray, labels: LabelSpace,
                     dimensions: np.ndarray | None = None, **fields) -> pd.DataFrame:
    """One row per clip: its probabilities, the clip's input shift, and the raw logits and the
    temperature for auditing calibration; `dimensions`: the head's arousal and valence (n, 2)."""
    meta = examples.meta.iloc[index]
    frame = pd.DataFrame({**fields, "clip_id": meta.clip_id.to_numpy(), "speaker": meta.speaker.to_numpy(),
                          "corpus": meta.corpus.to_numpy(),
                          "label": meta.label.to_numpy(), "pred": probs.argmax(axis=1),
                          "temperature": np.float32(temperature), "shift": shift.astype(np.float32)})
    for i, column in enumerate(probability_columns(labels.classes)):
        frame[column] = probs[:, i].astype(np.float32)
    for i, name in enumerate(labels.classes):
        frame[f"logit_{name}"] = logits[:, i].astype(np.float32)
    if dimensions is not None:
        for i, name in enumerate(DIMENSIONS):
            frame[f"head_{name}"] = dimensions[:, i].astype(np.float32)
    return frame


@dataclass(frozen=True)
class Job:
    """One model to fit: a CV fold in one speaker-norm mode, a leave-one-corpus-out split, or the
    shipped model."""

    fold: Fold
    speaker_norm: bool
    # "cv"; "test": the shipped model; "loco": trained on every corpus but one, tested on it;
    # "single": trained on one corpus, tested on the others (the corpus x corpus matrix)
    scope: str = "cv"

    @property
    def final(self) -> bool:
        return self.scope == "test"


@dataclass
class JobResult:
    job: Job
    predictions: pd.DataFrame  # held-out clips (empty for a final model without test actors)
    note: dict
    log: str
    fitted: Fitted
    moments: Moments
    training_hash: str
    group: GroupModel | None = None  # final model: its group-mode companion
    head: Head | None = None  # the arousal and valence head (utterance models)
    group_eval: pd.DataFrame | None = None  # CV, lone-file mode: predictions on skewed folders


# What the training workers read. Set before the pool forks, so every worker
# inherits the examples instead of receiving a pickled copy per job.
_SHARED: dict = {}


def _training_hash(data: FoldData, with_val: bool) -> str:
    """Hash of exactly what a model was fitted on: inputs (after standardisation and SMOTE) and
    labels, with the validation rows when the model was refitted on them."""
    digest = hashlib.sha256()
    parts = [(data.x_train, data.y_train)] + ([(data.x_val, data.y_val)] if with_val else [])
    for x, y in parts:
        for block in (x if isinstance(x, list) else [x]):
            digest.update(np.ascontiguousarray(block).tobytes())
        digest.update(y.tobytes())
    return digest.hexdigest()


def _run_job(job: Job) -> JobResult:
    examples, cfg, labels = _SHARED["examples"], _SHARED["cfg"], _SHARED["labels"]
    # One thread per model: parallelism comes from fitting several models at
    # once, which scales better for these small networks, and results do not
    # depend on the machine's core count.
    torch.set_num_threads(1)
    inputs = _SHARED["inputs"][job.speaker_norm]
    data = prepare_fold(examples, inputs, job.fold, cfg, _SHARED["heldout"][job.speaker_norm])
    fitted = train_on(data, input_width(inputs), len(labels), cfg)
    head = None if cfg.is_sequence_model else fit_dimensions(data, _SHARED["points"], cfg)
    scope = job.scope
    predictions, acc = pd.DataFrame(), float("nan")
    fold = "final" if job.final else job.fold.name
    if len(data.test_index):
        logits, shift = predict_logits(fitted.network, data.x_test, cfg.max_frames), input_shift(data.x_test)
        lone = calibrated(logits, fitted.temperature, shift if cfg.shift_temperature else None)
        dimensions = (None if head is None
                      else shrunk(head.raw(data.x_test), shift if cfg.shift_temperature else None))
        predictions = _prediction_rows(examples, data.test_index, lone, logits, fitted.temperature, shift,
                                       labels, dimensions, scope=scope, fold=fold,
                                       speaker_norm=job.speaker_norm)
        acc = float((logits.argmax(1) == examples.meta.label.to_numpy()[data.test_index]).mean())
    chosen = (f"best epoch {fitted.best_epoch}" if fitted.best_epoch
              else ", ".join(f"{k}={v:g}" for k, v in fitted.chosen.items()))
    name = "final model" if job.final else job.fold.name
    rows = f"{len(data.y_train)} training rows"
    if fitted.refit_rows:
        rows += f" (refitted on {fitted.refit_rows})"
    log = (f"  {name} speaker_norm={job.speaker_norm}: {rows}, {chosen}, "
           + (f"held-out accuracy {acc:.3f}" if len(data.test_index) else "no held-out clips"))
    note = {"fold": name, "speaker_norm": job.speaker_norm, "train_rows": len(data.y_train),
            "trained_labels": sorted({int(y) for y in data.y_train}  # the refit also trains on validation
                                     | ({int(y) for y in data.y_val} if fitted.refit_rows else set())),
            "refit_rows": fitted.refit_rows,
            "smote_added": data.smote_added, "best_epoch": fitted.best_epoch, **fitted.chosen,
            "temperature": round(fitted.temperature, 4),
            **({"dimension_penalty": head.penalty} if head is not None else {}),
            "test_accuracy": acc if len(data.test_index) else None}
    result = JobResult(job, predictions, note, log, fitted, data.moments,
                       _training_hash(data, fitted.refit_rows > 0) if job.final else "", head=head)
    if cfg.has_group_mode and not job.speaker_norm and scope in ("cv", "test", "loco"):
        speakers = examples.meta.speaker.to_numpy()
        group = fit_group(data, speakers, input_width(inputs), len(labels), cfg)
        if job.final:
            result.group = group
        elif scope == "loco":  # the left-out corpus in group mode: a folder per speaker
            grouped = np.empty_like(lone)
            for speaker in np.unique(speakers[data.test_index]):
                rows = np.flatnonzero(speakers[data.test_index] == speaker)
                grouped[rows] = group.predict(data.x_test[rows], lone[rows])[0]
            result.predictions = pd.concat([predictions, _prediction_rows(
                examples, data.test_index, grouped, logits, fitted.temperature, shift, labels, dimensions,
                scope="loco_group", fold=fold, speaker_norm=job.speaker_norm)], ignore_index=True)
        elif len(data.test_index):
            meta = examples.meta.iloc[data.test_index][["clip_id", "speaker", "label"]]
            lone = softmax(logits / fitted.temperature)
            result.group_eval = group_eval_rows(meta, data.x_test, lone, group, list(labels.classes),
                                                job.fold.name)
    return result


def fit_dimensions(data: FoldData, points: np.ndarray, cfg: TrainConfig) -> Head:
    """The arousal and valence head of one split (aurora.models.dimensions): trained on the split's
    training rows towards their classes' points, with the category model's row weights and class
    balance; its penalty picked on the validation speakers (their rows balanced by class too), then
    refitted on training + validation rows when the category model is (train.refit_with_val)."""
    w_train = data.w_train
    w_val = np.ones(len(data.y_val)) if data.w_val is None else data.w_val
    if cfg.class_weights:
        w_val = balanced(w_val, data.y_val) if len(data.y_val) else w_val
        if w_train is None:
            w_train = balanced(np.ones(len(data.y_train)), data.y_train)
    return fit_head(data.x_train, points[data.y_train], data.x_val, points[data.y_val], w_train, w_val,
                    refit=cfg.refit_with_val)


def fit_group(data: FoldData, speakers: np.ndarray, n_inputs: int, n_classes: int,
              cfg: TrainConfig) -> GroupModel:
    """The group-mode model of one split: trained on speaker-offset-corrected features
    (true-label offsets, training and validation actors only). The class means come from the
    training rows alone, as the lone-file model's selection does; a refit (train.refit_with_val)
    adds the corrected validation rows."""
    means = class_means(data.x_train, data.y_train, n_classes)
    train_offsets = true_label_offsets(data.x_train, data.y_train, speakers[data.train_index], means)
    val_offsets = true_label_offsets(data.x_val, data.y_val, speakers[data.val_index], means)
    corrected = dataclasses.replace(data, x_train=data.x_train - train_offsets,
                                    x_val=data.x_val - val_offsets)
    # The group temperature is fitted for the shifts the clips have as recorded (GroupModel).
    fitted = train_on(corrected, n_inputs, n_classes, cfg, val_shift=input_shift(data.x_val))
    return GroupModel(fitted.network, means, fitted.temperature, cfg.group_rounds, cfg.group_min_clips,
                      cfg.group_min_entropy, cfg.shift_temperature)


@dataclass
class TrainingRun:
    cv_predictions: dict[bool, pd.DataFrame]  # speaker_norm -> out-of-fold predictions
    notes: list[dict]
    final: JobResult | None  # None when run_training was asked for the CV only
    n_inputs: int
    group_eval: pd.DataFrame  # empty without group mode
    # Held-out predictions and training notes of the corpus splits (scopes loco and single)
    corpus_predictions: pd.DataFrame = field(default_factory=pd.DataFrame)
    corpus_notes: list[dict] = field(default_factory=list)


def run_training(examples: Examples, folds: list[Fold], final: Fold, cfg: TrainConfig, labels: LabelSpace,
                 modes: list[bool], log: Callable[[str], None] = print,
                 final_model: bool = True, loco: Sequence[Fold] = (),
                 single: Sequence[Fold] = (), dimensions: DimensionsConfig | None = None) -> TrainingRun:
    """Cross-validate every speaker-norm mode in `modes`, fit each leave-one-corpus-out split of
    `loco` and each one-corpus split of `single` (mode cfg.speaker_norm), and the shipped model
    (same mode) on the final split unless `final_model` is false; `cfg.workers` models at a time.
    Utterance models get an arousal and valence head per split, towards `dimensions`' table (default:
    params.yaml's)."""
    table = (dimensions or DimensionsConfig()).table
    inputs = {mode: model_inputs(examples, cfg, mode) for mode in set(modes) | {cfg.speaker_norm}}
    heldout = ({mode: model_inputs(examples, cfg, mode, heldout=True) for mode in inputs}
               if examples.heldout is not None else inputs)
    # The final model trains on the most data: start it first so it is not the straggler.
    jobs = [Job(final, cfg.speaker_norm, "test")] if final_model else []
    jobs += [Job(f, m) for m in modes for f in folds]
    jobs += [Job(f, cfg.speaker_norm, "loco") for f in loco]
    jobs += [Job(f, cfg.speaker_norm, "single") for f in single]
    _SHARED.update(examples=examples, cfg=cfg, labels=labels, inputs=inputs, heldout=heldout,
                   points=class_points(labels.classes, labels.merge, table))
    try:
        results = list(parallel_map(_run_job, jobs, workers=cfg.workers, chunksize=1, unit="model",
                                    desc=f"training {cfg.model}"))
    finally:
        _SHARED.clear()
    for r in results:
        log(r.log)
    cv_results = [r for r in results if r.job.scope == "cv"]
    corpus_results = [r for r in results if r.job.scope in ("loco", "single")]
    cv = {mode: pd.concat([r.predictions for r in cv_results if r.job.speaker_norm == mode
                           and not r.predictions.empty], ignore_index=True) for mode in modes}
    group_frames = [r.group_eval for r in cv_results if r.group_eval is not None]
    return TrainingRun(cv, [r.note for r in cv_results if not r.predictions.empty],
                       results[0] if final_model else None,
                       input_width(inputs[cfg.speaker_norm]),
                       pd.concat(group_frames, ignore_index=True) if group_frames else pd.DataFrame(),
                       pd.concat([r.predictions for r in corpus_results], ignore_index=True)
                       if corpus_results else pd.DataFrame(), [r.note for r in corpus_results])
