"""Scoring predictions on a labelled corpus, per speaker.

Only clips whose emotion the corpus shares with the model are scored (Emo-DB's
boredom has no RAVDESS twin; RAVDESS's calm and surprised have none in
Emo-DB), but the model may still predict any of its classes, so predicting
"calm" for a German neutral clip counts as an error. Figures are computed per
speaker and summarised as mean ± std over speakers, because a corpus is a few
speakers and one speaker's collapse must show; calibration and the confusion
matrix are pooled over every scored clip.
"""

from __future__ import annotations

import numpy as np

from aurora.evaluation.metrics import confident_accuracy, expected_calibration_error, mean_and_std
from aurora.models.calibration import HIGH


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
        "uar": mean_and_std([s["uar"] for s in speakers_], 4),
        "macro_f1": mean_and_std([s["macro_f1"] for s in speakers_], 4),
        "recall": {c: mean_and_std([s["recall"][c] for s in speakers_ if c in s["recall"]], 4)
                   for c in shared},
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
