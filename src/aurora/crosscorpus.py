"""Scoring predictions on a labelled corpus the model never trained on.

Only clips whose emotion the corpus shares with the model are scored (Emo-DB's
boredom has no RAVDESS twin; RAVDESS's calm and surprised have none in
Emo-DB), but the model may still predict any of its classes, so predicting
"calm" for a German neutral clip counts as an error. Figures are computed per
speaker and summarised as mean ± std over speakers, because a corpus is a few
speakers and one speaker's collapse must show; calibration and the confusion
matrix are pooled over every scored clip.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aurora.calibration import input_shift
from aurora.config import ConfigError, CorpusSource, PredictConfig
from aurora.corpora import read_corpus
from aurora.decision import Decision, decide
from aurora.inference.classify import by_folder, read_files
from aurora.inference.output import HIGH
from aurora.inference.predictor import Predictor
from aurora.labels import LabelSpace
from aurora.metrics import confident_accuracy, expected_calibration_error, mean_std


def _stat(values: list[float]) -> dict:
    return {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4)}


def score_corpus(emotions: list[str], speakers: list[str], probs: np.ndarray, classes: list[str]) -> dict:
    """`emotions`: each clip's true emotion in the model's label space ("" = not scored);
    `probs`: (n, len(classes)) probabilities. Returns per-speaker and summary figures."""
    emotions, speakers = np.asarray(emotions, dtype=object), np.asarray(speakers, dtype=object)
    shared = [c for c in classes if (emotions == c).any()]
    keep = np.isin(emotions, shared)
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[e] for e in emotions[keep]], dtype=np.int64)
    p = probs[keep]
    pred = p.argmax(axis=1)
    who = speakers[keep]
    per_speaker = {}
    for speaker in sorted(set(who)):
        own = who == speaker
        recall = {c: float((pred[own][y[own] == index[c]] == index[c]).mean())
                  for c in shared if (y[own] == index[c]).any()}
        f1 = []
        for c in shared:
            tp = int(((pred[own] == index[c]) & (y[own] == index[c])).sum())
            predicted, actual = int((pred[own] == index[c]).sum()), int((y[own] == index[c]).sum())
            if actual:
                f1.append(2 * tp / (predicted + actual) if predicted + actual else 0.0)
        shares = np.bincount(pred[own], minlength=len(classes)) / own.sum()
        per_speaker[speaker] = {"clips": int(own.sum()),
                                "uar": round(float(np.mean(list(recall.values()))), 4),
                                "macro_f1": round(float(np.mean(f1)), 4),
                                "recall": {c: round(v, 4) for c, v in recall.items()},
                                "shares": dict(zip(classes, np.round(shares, 4).tolist(), strict=True))}
    speakers_ = list(per_speaker.values())
    mean_shares = {c: round(float(np.mean([s["shares"][c] for s in speakers_])), 4) for c in classes}
    confidence = p.max(axis=1)
    confusion = np.zeros((len(shared), len(classes)), dtype=int)
    for truth, guess in zip(y, pred, strict=True):
        confusion[shared.index(classes[truth]), guess] += 1
    return {
        "clips": int(keep.sum()), "speakers": len(per_speaker), "shared_emotions": shared,
        "uar": _stat([s["uar"] for s in speakers_]),
        "macro_f1": _stat([s["macro_f1"] for s in speakers_]),
        "recall": {c: _stat([s["recall"][c] for s in speakers_ if c in s["recall"]]) for c in shared},
        "shares": mean_shares,
        "largest_share": {"emotion": max(mean_shares, key=mean_shares.get),
                          "share": max(mean_shares.values())},
        "accuracy": round(float((pred == y).mean()), 4),
        "ece": round(expected_calibration_error(p, y), 4),
        "mean_confidence": round(float(confidence.mean()), 4),
        "high_band": confident_accuracy(p, y, HIGH),
        "confusion": {"rows": shared, "columns": classes, "counts": confusion.tolist()},
        "per_speaker": per_speaker,
    }


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
    space = LabelSpace(predictor.classes, predictor.config.get("label_merge") or {})
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


def shift_summary(shifts) -> dict | None:
    """Median input shift and the share of clips beyond 1, the training clips' mean (whose
    confidence the shift-scaled temperature lowers)."""
    shifts = np.asarray(shifts, dtype=np.float64)
    if not len(shifts):
        return None
    return {"median": round(float(np.median(shifts)), 3), "above_1": round(float((shifts > 1).mean()), 3)}


def headline(summary: dict) -> dict:
    """The figures of one corpus that metrics.json keeps, per mode (or why it was skipped)."""
    if summary.get("status") != "evaluated":
        return {"status": summary.get("status", "skipped"), "note": summary.get("note", "")}
    out = {}
    for mode, s in summary["modes"].items():
        out[mode] = {"uar": s["uar"], "macro_f1": s["macro_f1"], "accuracy": s["accuracy"],
                     "recall": {c: v["mean"] for c, v in s["recall"].items()},
                     "largest_share": s["largest_share"], "ece": s["ece"], "high_band": s["high_band"],
                     "speakers": s["speakers"], "clips": s["clips"]}
    if summary.get("input_shift"):
        out["input_shift"] = summary["input_shift"]
    return out


def mode_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per mode; per-class recall and the largest predicted share."""
    modes = summary["modes"]
    shared = next(iter(modes.values()))["shared_emotions"]
    header = ["mode", "UAR", "macro-F1", *[f"recall {c}" for c in shared], "largest share", "ECE",
              "high band (>= 0.70): clips, accuracy"]
    rows = []
    for mode, s in modes.items():
        high = s["high_band"]
        rows.append([mode, mean_std(s["uar"]), mean_std(s["macro_f1"]),
                     *[f"{s['recall'][c]['mean']:.2f}" for c in shared],
                     f"{s['largest_share']['share']:.0%} {s['largest_share']['emotion']}", f"{s['ece']:.3f}",
                     f"{high['clips']}, " + ("-" if high["accuracy"] is None else f"{high['accuracy']:.2f}")])
    return header, rows


def shares_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): the share of each predicted emotion per mode (mean over speakers)."""
    modes = summary["modes"]
    classes = list(next(iter(modes.values()))["shares"])
    return (["mode", *classes],
            [[mode, *[f"{s['shares'][c]:.2f}" for c in classes]] for mode, s in modes.items()])


def speaker_table(summary: dict, mode: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per speaker in `mode`."""
    s = summary["modes"][mode]
    header = ["speaker", "clips", "UAR", "macro-F1", *[f"recall {c}" for c in s["shared_emotions"]],
              "largest share"]
    rows = []
    for speaker, p in s["per_speaker"].items():
        top = max(p["shares"], key=p["shares"].get)
        rows.append([speaker, p["clips"], f"{p['uar']:.3f}", f"{p['macro_f1']:.3f}",
                     *[f"{p['recall'][c]:.2f}" if c in p["recall"] else "-" for c in s["shared_emotions"]],
                     f"{p['shares'][top]:.0%} {top}"])
    return header, rows
