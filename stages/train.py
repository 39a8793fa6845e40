"""Stage `train`: cross-validated predictions and the final model.

Writes artifacts/predictions.parquet (one row per held-out clip per fold and
speaker-norm mode; test actors' predictions when they are present; with several
corpora, each leave-one-corpus-out split's predictions, scope "loco"),
artifacts/train_folds.json, the model bundle in artifacts/model/ (its model card is
written by the evaluate stage, which has every result) and the
final model's training curves through dvclive (artifacts/dvclive/).
"""

from __future__ import annotations

import dataclasses
import json
import time

import pandas as pd
import pyarrow.parquet as pq
from dvclive import Live

from aurora.config import load_params
from aurora.data.examples import clips_per_corpus
from aurora.data.readers.ravdess import ABOUT as RAVDESS_ABOUT
from aurora.data.readers.ravdess import RAVDESS
from aurora.data.splits import speakers_text
from aurora.evaluation.comparison import mode_name
from aurora.evaluation.crossval import run_training
from aurora.evaluation.metrics import summarize_folds
from aurora.models.dimensions import DimensionModel, class_points
from aurora.models.saving import save_bundle
from aurora.reporting.tables import mean_std
from aurora.util.atomic import write_atomic, write_json
from stages.entry import run
from stages.paths import CROSSCORPUS, EMBED, FEATURES, GROUP_EVAL, LIVE, MODEL, PREDICTIONS, TRAIN_LOG
from stages.reading import read_corpus_splits, read_examples, read_splits


def main() -> None:
    params = load_params()
    cfg, labels = params.train, params.labels.space()
    folds, final = read_splits()
    loco, single = read_corpus_splits()
    started = time.perf_counter()
    examples = read_examples(params, sequences=True)
    modes = cfg.cv_modes()
    print(f"cross-validating {cfg.model} ({', '.join(mode_name(m) for m in modes)}) and training the "
          f"final model on speakers {speakers_text(final.train)}, validation {speakers_text(final.val)}"
          + (f"; corpus splits: {', '.join(f.name for f in [*loco, *single])}" if loco else ""))
    run = run_training(examples, folds, final, cfg, labels, modes, loco=loco, single=single,
                       dimensions=params.dimensions)
    cv = {mode_name(mode): summarize_folds(preds, list(labels.classes))
          for mode, preds in run.cv_predictions.items()}
    model = run.final
    with Live(dir=str(LIVE), save_dvc_exp=False, dvcyaml=None) as live:  # the final model's curves
        for row in model.fitted.history:
            for key, value in row.items():
                if key != "epoch":
                    live.log_metric(key, value)
            live.next_step()
    all_predictions = pd.concat([*run.cv_predictions.values(), model.predictions, run.corpus_predictions],
                                ignore_index=True)
    write_atomic(PREDICTIONS, lambda tmp: all_predictions.to_parquet(tmp, index=False))
    write_atomic(GROUP_EVAL, lambda tmp: run.group_eval.to_parquet(tmp, index=False))
    write_json(TRAIN_LOG, {"model": cfg.model, "folds": run.notes, "final": model.note,
                          "final_history": model.fitted.history,
                          **({"corpus_splits": run.corpus_notes} if run.corpus_notes else {})})

    sources = _feature_sources(params)
    config = {
        "model": cfg.model, "classes": list(labels.classes), "label_merge": dict(params.labels.merge),
        "n_inputs": run.n_inputs, "hidden": cfg.hidden, "dropout": cfg.dropout,
        "input": (f"handcrafted frame sequences ({cfg.sequence_input})" if cfg.is_sequence_model
                  else f"{cfg.features} utterance vectors"),
        "input_names": examples.sequence_names if cfg.is_sequence_model else examples.stat_names,
        "max_frames": cfg.max_frames, "frame_pool": cfg.frame_pool,
        "speaker_norm": cfg.speaker_norm, "normalisation": model.moments.to_dict(),
        "feature_fingerprint": "+".join(s["fingerprint"] for s in sources.values()),
        "feature_sources": sources, "audio": dataclasses.asdict(params.audio),
        "features": dataclasses.asdict(params.features),  # the silence trim uses its STFT settings
        "train": dataclasses.asdict(cfg),
        "augmented_copies": params.augment.effective_copies if cfg.use_augmented else 0,
        "augmentation": params.augment.describe() if cfg.use_augmented else "none",
        "class_weights": cfg.class_weights, "smote": cfg.smote,
        "split": final.to_dict(), "training_hash": model.training_hash,
        "corpora": sorted(examples.meta.corpus.unique()),
        "training_data": _training_data(params, examples, final, model.fitted.refit_rows > 0),
        "best_epoch": model.fitted.best_epoch, "chosen": model.fitted.chosen,
        "refit_rows": model.fitted.refit_rows,
        "temperature": model.fitted.temperature,
        "dimensions": _dimensions(params, model.head),
    }
    save_bundle(MODEL, model.fitted.network, config, group=model.group)
    # The evaluate stage reads every cross-corpus result here (there are none without corpora).
    CROSSCORPUS.mkdir(parents=True, exist_ok=True)
    for mode, s in cv.items():
        print(f"CV {mode}: accuracy {mean_std(s['accuracy'])}, UAR {mean_std(s['uar'])}")
    print(f"train: {time.perf_counter() - started:.0f} s")


def _dimensions(params, head) -> dict:
    """The bundle's arousal and valence (aurora.models.dimensions): params.yaml's method (read-off
    for a model without a head), its table and bands."""
    dims, labels = params.dimensions, params.labels
    points = class_points(labels.classes, labels.merge, dims.table)
    model = DimensionModel(dims.method if head is not None else "readoff", points, dims.bands,
                           head if dims.method == "head" else None, params.train.shift_temperature)
    return {**model.to_dict(), "table": {e: dataclasses.asdict(p) for e, p in dims.table.items()}}


def _training_data(params, examples, final, refitted: bool) -> dict[str, dict]:
    """What the shipped model learned from, per corpus: speakers, original clips and what the corpus
    is (its params entry's `about`); the validation speakers count when the weights were refitted
    on them."""
    speakers = [*final.train, *(final.val if refitted else ())]
    data = clips_per_corpus(examples, speakers)
    for corpus, entry in data.items():
        source = params.data.corpora.get(corpus.split("/")[0])
        entry["about"] = RAVDESS_ABOUT if corpus == RAVDESS else source.about if source else ""
    return data


def _feature_sources(params) -> dict[str, dict]:
    """What the model's inputs were computed with, for the bundle's provenance."""
    sources = {}
    if params.train.features in ("handcrafted", "fusion") or params.train.is_sequence_model:
        sources["handcrafted"] = {
            "fingerprint": pq.read_schema(FEATURES / "frames.parquet").metadata[b"fingerprint"].decode(),
            "settings": dataclasses.asdict(params.features),
            "frame_features": json.loads((FEATURES / "summary.json").read_text())["frame_features"]}
    if params.train.features in ("whisper", "fusion"):
        embed = json.loads((EMBED / "summary.json").read_text())
        sources["whisper"] = {"fingerprint": embed["fingerprint"], "encoder_sha256_prefix": embed["encoder"],
                              "settings": dataclasses.asdict(params.whisper)}
    return sources


if __name__ == "__main__":
    run("train", main)
