"""A trained model on any labelled folder: the figures the crosscorpus stage reports.

    python -m benchmarks.crosscorpus DIR --reader emodb [--labels W=angry,N=neutral,...]
                                     [--model artifacts/model] [--json]

Every clip is classified as `aurora predict` does (lone-file and grouped by
folder, deciding among all classes and among the shared emotions only) and
scored against the labels its file name gives: UAR and macro-F1 per speaker
(mean ± std), per-class recall, the share of each predicted emotion, ECE and
the high band's accuracy. Without --labels, the mapping of the params.yaml
corpus with the same reader is used (RAVDESS names need none).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from aurora.config import ConfigError, CorpusSource, load_params
from aurora.crosscorpus import evaluate_corpus, mode_table, shares_table, speaker_table
from aurora.emotions import EMOTION_CODES
from aurora.inference.predictor import Predictor


def _labels(text: str | None, reader: str, params) -> dict[str, str]:
    if text:
        pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ConfigError("--labels: expected CODE=EMOTION pairs separated by commas, e.g. W=angry,L=")
        return {code.strip(): emotion.strip() for code, emotion in pairs}
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
    parser.add_argument("--model", default="artifacts/model")
    parser.add_argument("--json", action="store_true", help="print the whole summary as JSON")
    args = parser.parse_args()
    params = load_params()
    try:
        source = CorpusSource(reader=args.reader, labels=_labels(args.labels, args.reader, params))
        started = time.perf_counter()
        predictor = Predictor(args.model)
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
