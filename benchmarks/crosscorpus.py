"""A trained model on any labelled folder: the figures the crosscorpus stage reports.

    python -m benchmarks.crosscorpus DIR --reader emodb [--labels W=angry,N=neutral,...]
                                     [--fold calm=neutral] [--model artifacts/model] [--json]

Every clip is classified as `aurora predict` does (lone-file and grouped by
folder, deciding among all classes, among the shared emotions only, and among
those with --fold's classes folded in) and scored against the labels its file
name gives: UAR and macro-F1 per speaker (mean ± std), per-class recall, the
share of each predicted emotion, ECE and the high band's accuracy. Without
--labels and --fold, those of the params.yaml corpus with the same reader are
used (RAVDESS names need no labels; --fold "" folds nothing).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from aurora.config import PRECISIONS, ConfigError, CorpusSource, load_params
from aurora.data.emotions import EMOTION_CODES
from aurora.evaluation.crosscorpus import evaluate_corpus
from aurora.inference.predictor import Predictor
from aurora.reporting.tables import mode_table, shares_table, speaker_table
from stages.paths import MODEL


def _pairs(text: str, option: str, example: str) -> dict[str, str]:
    pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise ConfigError(f"{option}: expected A=B pairs separated by commas, e.g. {example}")
    return {a.strip(): b.strip() for a, b in pairs}


def _fold(text: str | None, reader: str, params) -> dict[str, str]:
    if text is not None:
        return _pairs(text, "--fold", "calm=neutral")
    return next((dict(s.fold) for s in params.crosscorpus.corpora.values() if s.reader == reader), {})


def _labels(text: str | None, reader: str, params) -> dict[str, str]:
    if text:
        return _pairs(text, "--labels", "W=angry,L=")
    if reader == "ravdess":
        return {f"{code:02d}": name for code, name in EMOTION_CODES.items()}
    for source in params.crosscorpus.corpora.values():
        if source.reader == reader:
            return dict(source.labels)
    raise ConfigError(f"no label mapping for reader {reader!r} in params.yaml: pass --labels")


def _print(header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--reader", required=True, help="how labels are read from file names: emodb, ravdess")
    parser.add_argument("--labels", help="CODE=EMOTION,... (default: params.yaml's mapping for the reader)")
    parser.add_argument("--fold", help="MODEL_CLASS=EMOTION,... classes the corpus lacks, scored as their "
                                       "twin in one more label set (default: params.yaml's for the reader)")
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--precision", choices=PRECISIONS,
                        help="the Whisper encoder's arithmetic (default: params predict.precision, "
                             "else the model's own)")
    parser.add_argument("--json", action="store_true", help="print the whole summary as JSON")
    args = parser.parse_args()
    params = load_params()
    try:
        source = CorpusSource(reader=args.reader, labels=_labels(args.labels, args.reader, params),
                              fold=_fold(args.fold, args.reader, params))
        started = time.perf_counter()
        predictor = Predictor(args.model, precision=args.precision or params.predict.precision)
        for note in predictor.notes:
            print(f"note: {note}", file=sys.stderr)
        run = evaluate_corpus(args.directory.name, args.directory, source, predictor, params.predict)
    except ConfigError as exc:
        sys.exit(f"benchmarks.crosscorpus: {exc}")
    summary = run.summary
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    if summary["status"] != "evaluated":
        sys.exit(f"nothing scored: {summary.get('note', '')}")
    print(f"{args.directory}: {summary['files']} files, {len(summary['unusable'])} unusable, "
          f"{len(summary['unreadable_names'])} names not read ({time.perf_counter() - started:.0f} s)\n")
    _print(*mode_table(summary))
    _print(*shares_table(summary))
    _print(*speaker_table(summary, "lone-file"))


if __name__ == "__main__":
    main()
