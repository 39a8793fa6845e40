"""RAVDESS actor cross-validation under a user's label set (`aurora predict --classes`).

    python -m benchmarks.label_sets [--classes neutral+calm,happy,sad,angry,fearful,disgust]

Reads the train stage's out-of-fold predictions (artifacts/predictions.parquet:
each held-out clip's lone-file probabilities, speaker-norm off) and scores
them deciding among every class and under each --classes label set given: a
clip of a folded class counts as its twin (calm as neutral), a clip of a
dropped class is not scored. Prints UAR and macro-F1 per held-out actor (mean
± std), per-class recall, the largest predicted share, ECE and the high band,
as the crosscorpus stage prints them for another corpus. Run after `dvc repro`.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from aurora.config import load_params
from aurora.data.decision import Decision, decide, split_names
from aurora.data.labels import probability_columns
from aurora.evaluation.comparison import cv_by_mode
from aurora.evaluation.crosscorpus import score_corpus
from stages.paths import PREDICTIONS


def score(rows: pd.DataFrame, classes: list[str], decision: Decision | None) -> dict:
    """score_corpus figures for held-out clips under `decision` (None: every class): a clip's
    emotion is the class its own class goes to ("" = dropped, not scored)."""
    target = np.asarray(decision.target if decision else range(len(classes)))[rows.label.to_numpy()]
    emotions = [classes[t] if t >= 0 else "" for t in target]
    probs = rows[probability_columns(classes)].to_numpy(np.float64)
    return score_corpus(emotions, list(rows.speaker), decide(probs, decision), classes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--classes", action="append", default=[],
                        help="a label set as aurora predict takes it; repeat for several "
                             "(default: neutral+calm,happy,sad,angry,fearful,disgust)")
    args = parser.parse_args()
    classes = list(load_params().labels.space().classes)  # the train stage's prob_ columns
    rows = cv_by_mode(pd.read_parquet(PREDICTIONS))[False]
    label_sets = args.classes or ["neutral,happy,sad,angry,fearful,disgust",
                                  "neutral+calm,happy,sad,angry,fearful,disgust"]
    modes = {"every class": score(rows, classes, None)}
    for text in label_sets:
        decision = Decision.parse(classes, split_names(text))
        modes[f"--classes {decision.label}"] = score(rows, classes, decision)
    print(f"RAVDESS actor CV, out-of-fold lone-file predictions ({len(rows)} clips)")
    for mode, s in modes.items():
        print(f"\n{mode}: UAR {s['uar']['mean']:.3f} ± {s['uar']['std']:.3f}, accuracy {s['accuracy']:.3f}, "
              f"largest share {s['largest_share']['share']:.2f} ({s['largest_share']['emotion']}), "
              f"ECE {s['ece']:.3f}, high band {s['high_band']['clips']} clips, "
              f"{s['high_band']['accuracy']:.2f} right")
        print("  recall: " + ", ".join(f"{c} {v['mean']:.2f}" for c, v in s["recall"].items()))


if __name__ == "__main__":
    main()
