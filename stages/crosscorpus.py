"""Stage `crosscorpus@NAME`: the trained model on labelled corpus NAME, which it never trained on.

Reads data/corpora/NAME (made by `corpus_link@NAME`), classifies every clip as
`aurora predict` does, lone-file and grouped by folder, deciding among every
class and among the emotions the corpus shares with the model, and writes
artifacts/crosscorpus/NAME.json (UAR, macro-F1, per-class recall, prediction
shares, confusion, calibration; per speaker and mean ± std over speakers) and
artifacts/crosscorpus/NAME.parquet (one row per scored clip and mode). An
absent corpus gives a JSON that says it was skipped and why.
"""

from __future__ import annotations

import sys
import time

from aurora.config import ConfigError, load_params
from aurora.evaluation.crosscorpus import evaluate_corpus, skipped
from aurora.inference.predictor import Predictor
from aurora.util.atomic import write_atomic, write_json
from stages.entry import run
from stages.paths import CROSSCORPUS, EVALUATION_CORPORA, MODEL


def main() -> None:
    name = sys.argv[1]
    params = load_params()
    corpora = params.crosscorpus.corpora
    if name not in corpora:
        raise ConfigError(f"crosscorpus.corpora has no corpus {name!r} (known: {sorted(corpora)})")
    directory = EVALUATION_CORPORA / name
    started = time.perf_counter()
    if not directory.is_symlink() and not (directory.is_dir() and any(directory.iterdir())):
        _, why = corpora[name].location()
        result = skipped(name, f"{directory} holds no corpus ({why}); point it at a copy and run "
                               f"`dvc repro -f corpus_link@{name}`")
    else:
        # Named, never the CPU's fallback: these figures must reproduce on any machine.
        precision = params.predict.precision or params.whisper.at_inference().precision
        result = evaluate_corpus(name, directory, corpora[name], Predictor(MODEL, precision), params.predict)
    CROSSCORPUS.mkdir(parents=True, exist_ok=True)
    write_json(CROSSCORPUS / f"{name}.json", result.summary)
    write_atomic(CROSSCORPUS / f"{name}.parquet", lambda tmp: result.predictions.to_parquet(tmp, index=False))
    if result.summary["status"] != "evaluated":
        print(f"crosscorpus {name}: skipped: {result.summary['note']}")
        return
    for mode, s in result.summary["modes"].items():
        print(f"{name} {mode:32s} UAR {s['uar']['mean']:.3f} ± {s['uar']['std']:.3f}  macro-F1 "
              f"{s['macro_f1']['mean']:.3f}  largest share {s['largest_share']['share']:.2f} "
              f"({s['largest_share']['emotion']})  ECE {s['ece']:.3f}")
    print(f"crosscorpus {name}: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    run("crosscorpus", main)
