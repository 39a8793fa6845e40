"""Robustness to noisy and band-limited audio, by actor-grouped cross-validation.

For every fold of artifacts/splits.json, the configured utterance model
(params.yaml's train section, lone-file mode) is fitted on the fold's
training actors as the train stage fits it; then the held-out actors' clips
are classified clean, with white noise at --snr dB, band-limited to 8 kHz
sampling (telephone), in a synthetic room with --rt60 s reverberation, cut to
their loudest --crop seconds (short clips), and played --gains dB quieter or
louder (clipped at full scale, as a recorder would; RAVDESS clips peak at 3-10 %
of it, so +20 dB clips a few). Prints accuracy (in all and per corpus),
macro-F1 and the share of predictions per emotion (a model
drifting onto one or two classes shows there), then calibration per
condition: the median input shift (aurora.models.calibration), and ECE and the high
band's accuracy with one temperature and with each clip's temperature scaled
by max(1, its shift) (train.shift_temperature). Whisper features only; about
1 minute of encoding per condition. Run it as a module from the repository
root (it reads the stages' artifacts).

Run after `dvc repro` (it reuses the embeddings of the clips and, when
train.use_augmented is on, of their noise, speed and reverberation copies):

    python -m benchmarks.robustness [--snr 10] [--rt60 0.6]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from aurora.audio.decode import resample
from aurora.config import load_params
from aurora.data.augment import Recipe, apply_recipe
from aurora.data.manifest import located, usable
from aurora.evaluation.crossval import model_inputs, prepare_fold, train_on
from aurora.evaluation.metrics import classification_metrics, confident_accuracy, expected_calibration_error
from aurora.features.build import load_prepared
from aurora.models.calibration import HIGH, calibrated, input_shift
from aurora.models.forward import predict_logits
from aurora.reporting.tables import high_band
from aurora.whisper.embed import WhisperEmbedder
from stages.paths import MANIFEST, corpus_roots
from stages.reading import read_examples, read_splits


def telephone(y: np.ndarray, rate: int) -> np.ndarray:
    """Down to 8 kHz and back: nothing above 4 kHz survives."""
    return resample(resample(y, rate, 8000), 8000, rate)


def loudest(y: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """The `seconds` of `y` with the most energy (all of it when shorter): a short clip, cut where
    the voice is."""
    n = round(seconds * rate)
    if len(y) <= n:
        return y
    energy = np.convolve(np.square(y, dtype=np.float64), np.ones(n), mode="valid")
    start = int(np.argmax(energy))
    return y[start:start + n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snr", type=float, default=10.0, help="white-noise SNR in dB (default 10)")
    parser.add_argument("--only", help="only these conditions (by how their names start, comma-separated, "
                                       "e.g. loudest,telephone), besides the clean clips")
    parser.add_argument("--crop", type=float, default=1.0,
                        help="seconds of each clip kept, where it is loudest (default 1.0)")
    parser.add_argument("--rt60", type=float, default=0.6,
                        help="reverberation time in seconds (default 0.6; the default training "
                             "copies use 0.4)")
    parser.add_argument("--gains", default="-20,-10,10,20",
                        help="recording gains in dB, comma-separated (default -20,-10,10,20)")
    args = parser.parse_args()
    gains = [float(g) for g in args.gains.split(",") if g.strip()]
    params = load_params()
    cfg, labels = params.train, params.labels.space()
    if cfg.features != "whisper" or cfg.is_sequence_model:
        raise SystemExit("benchmarks.robustness measures utterance models on whisper features "
                         f"(params.yaml has train.model={cfg.model}, train.features={cfg.features})")
    folds, _ = read_splits()
    examples = read_examples(params, sequences=False)
    roots = corpus_roots(params.data.raw_dir, params.data.corpora)
    paths = located(usable(pd.read_parquet(MANIFEST)), roots).set_index("clip_id").path
    rate = params.audio.sample_rate
    embedder = WhisperEmbedder.from_config(params.whisper.at_inference())  # as aurora predict listens

    def noisy(i: int, y: np.ndarray) -> np.ndarray:
        """White noise as the augment stage adds it (after the silence trim), a seed per clip."""
        return apply_recipe(y, rate, Recipe(noise_snr_db=args.snr, noise_seed=i + 1))

    def reverberant(i: int, y: np.ndarray) -> np.ndarray:
        return apply_recipe(y, rate, Recipe(reverb_rt60_s=args.rt60, reverb_seed=i + 1))

    def gained(db: float):
        return lambda i, y: np.clip(y * np.float32(10 ** (db / 20)), -1.0, 1.0)

    conditions = {"clean": None, f"noise {args.snr:g} dB": noisy,
                  "telephone 8 kHz": lambda i, y: telephone(y, rate),
                  f"reverb RT60 {args.rt60:g} s": reverberant,
                  f"loudest {args.crop:g} s": lambda i, y: loudest(y, rate, args.crop),
                  **{f"gain {db:+g} dB": gained(db) for db in gains}}
    if args.only:  # the clean clips always, as the reference
        wanted = [w.strip() for w in args.only.split(",")]
        conditions = {k: v for k, v in conditions.items()
                      if k == "clean" or any(k.startswith(w) for w in wanted)}
    truth, corpora = [], []
    probs = {name: {"one T": [], "T·shift": []} for name in conditions}
    shifts = {name: [] for name in conditions}
    n_classes = len(labels)
    for fold in folds:
        data = prepare_fold(examples, model_inputs(examples, cfg, False), fold, cfg,
                            model_inputs(examples, cfg, False, heldout=True))
        # The same network twice (the temperature does not change the fit): T fitted on the
        # validation actors as one scalar, and fitted for shift-scaled temperatures.
        plain = train_on(data, examples.stats.shape[1], n_classes,
                         dataclasses.replace(cfg, shift_temperature=False))
        fitted = train_on(data, examples.stats.shape[1], n_classes,
                          dataclasses.replace(cfg, shift_temperature=True))
        clips = [load_prepared(Path(paths[c]), params.features, params.audio,
                               trim=params.whisper.trim_silence, margin_s=params.whisper.trim_margin_s)
                 for c in examples.meta.clip_id.iloc[data.test_index]]
        truth.append(examples.meta.label.to_numpy()[data.test_index])
        corpora.append(examples.meta.corpus.to_numpy()[data.test_index])
        for name, degrade in conditions.items():
            x = (data.x_test if degrade is None  # clean: the cached embeddings the train stage scores
                 else data.moments.apply(embedder.embed([degrade(i, y) for i, y in enumerate(clips)])))
            logits, shift = predict_logits(fitted.network, x, cfg.max_frames), input_shift(x)
            probs[name]["one T"].append(calibrated(logits, plain.temperature))
            probs[name]["T·shift"].append(calibrated(logits, fitted.temperature, shift))
            shifts[name].append(shift)
        print(f"{fold.name}: {len(clips)} held-out clips", flush=True)
    y_true, corpus = np.concatenate(truth), np.concatenate(corpora)
    names = sorted(set(corpus))
    augmented = (f"{params.augment.effective_copies} augmented copies per clip" if cfg.use_augmented
                 else "no augmentation")
    print(f"\n{cfg.model} on {cfg.features}, {augmented}; {len(folds)}-fold actor CV, lone-file")
    print(f"{'condition':<18} accuracy  {'  '.join(f'{n:>8s}' for n in names)}  macro-F1  share of "
          f"predictions ({', '.join(labels.classes)})")
    for name, by_t in probs.items():
        y_pred = np.concatenate(by_t["one T"]).argmax(axis=1)
        m = classification_metrics(y_true, y_pred, list(labels.classes))
        per_corpus = "  ".join(f"{(y_pred == y_true)[corpus == n].mean():8.3f}" for n in names)
        shares = " ".join(f"{s:.2f}" for s in np.bincount(y_pred, minlength=n_classes) / len(y_pred))
        print(f"{name:<18} {m['accuracy']:8.3f}  {per_corpus}  {m['macro_f1']:8.3f}  {shares}")
    print(f"\n{'condition':<18} median shift  ECE one T -> T·shift  high band (>= {HIGH:g}): clips, accuracy")
    for name, by_t in probs.items():
        ece = {k: expected_calibration_error(np.concatenate(v), y_true) for k, v in by_t.items()}
        band = {k: confident_accuracy(np.concatenate(v), y_true, HIGH) for k, v in by_t.items()}
        bands = " -> ".join(high_band(b) for b in band.values())
        print(f"{name:<18} {np.median(np.concatenate(shifts[name])):12.2f}  "
              f"{ece['one T']:9.3f} -> {ece['T·shift']:.3f}  {bands}")


if __name__ == "__main__":
    main()
