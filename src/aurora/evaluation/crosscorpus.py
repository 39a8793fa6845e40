"""The trained model on a labelled corpus it never trained on: every file classified as
`aurora predict` classifies it, in each predict mode and label set, then scored per speaker
(aurora.evaluation.scoring)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aurora.config import CorpusSource, PredictConfig
from aurora.data.decision import Decision, decide
from aurora.data.labels import LabelSpace
from aurora.data.readers import read_corpus
from aurora.errors import ConfigError
from aurora.evaluation.scoring import score_corpus, shift_summary
from aurora.inference.classify import by_folder, read_files
from aurora.inference.predictor import Predictor
from aurora.models.calibration import input_shift

CHUNK = 128  # files read and encoded at a time: memory follows the chunk, not the corpus
MODES = ("lone-file", "group by folder")  # as aurora predict runs them (no --group-by, --group-by folder)


@dataclass
class CorpusRun:
    """What the model made of one labelled corpus."""

    summary: dict  # JSON for artifacts/crosscorpus/NAME.json
    predictions: pd.DataFrame  # one row per scored file and mode


def skipped(name: str, why: str) -> CorpusRun:
    return CorpusRun({"corpus": name, "status": "skipped", "note": why}, pd.DataFrame())


def evaluate_corpus(name: str, directory: Path, source: CorpusSource, predictor: Predictor,
                    cfg: PredictConfig) -> CorpusRun:
    """Classify every file of a labelled corpus as `aurora predict` would, in each mode of MODES,
    under each of its label sets (corpus_label_sets: `--classes`), and score each against the
    labels its file names give."""
    files, rejected = read_corpus(directory, source.reader, cfg.extensions, source.table)
    unmapped = sorted({f.code for f in files if source.emotion_of(f.code) is None})
    if unmapped:
        raise ConfigError(f"crosscorpus.corpora.{name}.labels has no entry for label code(s) "
                          f"{', '.join(unmapped)} found in {directory}; map each to an emotion, or to \"\" "
                          "when it has no counterpart")
    space = LabelSpace(predictor.classes, predictor.config["label_merge"])
    classes = list(predictor.classes)

    def model_class(code: str) -> str:
        emotion = source.emotion_of(code)
        index = int(space.encode([emotion])[0]) if emotion else -1
        return classes[index] if index >= 0 else ""

    truth = {str(directory / f.path): (f, model_class(f.code)) for f in files}
    vectors, usable, unusable, windowed = [], [], [], {}
    paths = list(truth)
    for start in range(0, len(paths), CHUNK):
        results, short = read_files(paths[start:start + CHUNK], predictor, cfg)
        for result in results:
            if result.error:
                unusable.append({"path": truth[result.path][0].path, "error": result.error})
            elif result.probabilities is not None:  # a long recording, classified by windows
                windowed[result.path] = result.probabilities
        if short:
            vectors.append(predictor.inputs([y for _, y in short]))
            usable += [result.path for result, _ in short]
    x = np.concatenate(vectors) if vectors else np.empty((0, 0), np.float32)
    shifts = dict(zip(usable, input_shift(x), strict=True)) if len(usable) else {}
    label_sets = corpus_label_sets(classes, [e for _, e in truth.values() if e], source.fold)
    decisions = {mode: {} for mode in MODES if mode == "lone-file" or predictor.group is not None}
    for label, decision in label_sets.items():
        for mode in decisions:
            probs = np.empty((len(usable), len(classes)))
            if mode == "lone-file":
                probs[:] = decide(predictor.lone_probabilities(x), decision) if len(usable) else 0
            else:
                for members in by_folder(range(len(usable)), lambda i: usable[i]).values():
                    probs[members], _ = predictor.adapt(x[members], decision)
            every = dict(zip(usable, probs, strict=True))
            every.update({p: decide(q[None], decision)[0] for p, q in windowed.items()})
            decisions[mode][mode + label] = every
    rows, modes = [], {}
    for per_label in decisions.values():
        for key, every in per_label.items():
            scored = [p for p in every if truth[p][1]]
            if not scored:
                continue
            probs = np.stack([every[p] for p in scored])
            modes[key] = score_corpus([truth[p][1] for p in scored], [truth[p][0].speaker for p in scored],
                                      probs, classes)
            rows.append(pd.DataFrame({
                "mode": key, "path": [truth[p][0].path for p in scored],
                "speaker": [truth[p][0].speaker for p in scored], "code": [truth[p][0].code for p in scored],
                "emotion": [truth[p][1] for p in scored],
                "predicted": np.array(classes)[probs.argmax(axis=1)], "confidence": probs.max(axis=1),
                "shift": [shifts.get(p, np.nan) for p in scored]}))
    summary = {"corpus": name, "status": "evaluated" if modes else "skipped",
               "reader": source.reader, "files": len(files) + len(rejected),
               "labels": dict(source.labels), "unreadable_names": [vars(r) for r in rejected],
               "unusable": unusable, "modes": modes,
               "label_sets": {label.lstrip(", ") or "all classes": d.label if d else ",".join(classes)
                              for label, d in label_sets.items()},
               "input_shift": shift_summary(list(shifts.values()))}
    if not modes:
        summary["note"] = f"no usable clip of an emotion this model knows in {directory}"
    return CorpusRun(summary, pd.concat(rows, ignore_index=True) if rows else pd.DataFrame())


def corpus_label_sets(classes: list[str], emotions: list[str],
                      fold: dict[str, str]) -> dict[str, Decision | None]:
    """The label sets a corpus is scored under, by the suffix of their mode names: every class;
    the emotions the corpus shares with the model; and, when the corpus folds classes it lacks
    into ones it has (`fold`, e.g. calm -> neutral), those shared emotions with the folds."""
    shared = [c for c in classes if c in emotions]
    sets: dict[str, Decision | None] = {"": None, ", shared classes": Decision.among(classes, shared)}
    folds = {kin: into for kin, into in fold.items() if kin in classes and into in shared}
    if folds:
        names = ["+".join([c, *[k for k, v in folds.items() if v == c]]) for c in shared]
        sets[", shared classes, " + ", ".join(f"{k}→{v}" for k, v in folds.items())] = \
            Decision.parse(classes, names)
    return sets
