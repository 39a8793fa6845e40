"""One recipe variant, judged as the issue asks: speaker CV per corpus and leave-one-corpus-out.

    python -m benchmarks.levers [-S train.weighting=corpora ...] [--old-validation] [--no-copies]

Reads the pipeline's artifacts (run `dvc repro` first): the manifest and the cached
features and embeddings of every training corpus. Builds the splits as the split
stage does (or, with --old-validation, with validation speakers drawn in turns
instead of one from every corpus first), then cross-validates the train section's
model with the -S overrides (params.yaml keys, values as YAML) and fits every
leave-one-corpus-out split: no final model, and no group mode unless --group
(then each left-out corpus is also scored a folder per speaker), so a variant
takes a few minutes. --no-copies trains on the original clips only (a quicker screen).
Prints, per corpus, the CV figures (RAVDESS lone-file accuracy, UAR) and the
leave-one-corpus-out UAR with the 8-class decision and with the corpus's own
emotions, the largest predicted share, ECE and the high band's accuracy; then
the binary arousal and valence UAR of the dimension head and of the read-off
from the class probabilities (aurora.evaluation.dimensions), in CV and LOCO,
with how often their high and low bands are right.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from aurora.config import params_from_dict
from aurora.data.examples import load_examples
from aurora.data.manifest import located, usable
from aurora.data.readers.ravdess import speaker_id
from aurora.data.splits import leave_one_corpus_out, make_splits, single_corpus
from aurora.evaluation.crossval import run_training
from aurora.evaluation.dimensions import score_by_corpus, uar_text
from aurora.evaluation.loco import score_corpus_matrix, score_loco, score_per_corpus
from aurora.reporting.tables import corpus_matrix_table, text_table
from aurora.whisper.build import build_embeddings
from stages.paths import MANIFEST, corpus_roots
from stages.reading import read_examples


def _override(mapping: dict, assignment: str) -> None:
    key, _, value = assignment.partition("=")
    *path, last = key.split(".")
    node = mapping
    for part in path:
        node = node[part]
    node[last] = yaml.safe_load(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a params.yaml key, as dvc exp run -S does")
    parser.add_argument("--old-validation", action="store_true",
                        help="validation speakers drawn in turns, not one from every corpus first")
    parser.add_argument("--no-copies", action="store_true", help="train on the original clips only")
    parser.add_argument("--matrix", action="store_true", help="also train on each corpus alone")
    parser.add_argument("--group", action="store_true",
                        help="also score each left-out corpus in group mode, a folder per speaker")
    parser.add_argument("--save", help="write every held-out prediction to this Parquet file")
    parser.add_argument("--embed", action="store_true",
                        help="encode the original clips with the (overridden) whisper settings through "
                             "the feature cache instead of reading the embed stage's output; implies "
                             "--no-copies, and every clip is scored on the same embeddings")
    args = parser.parse_args()
    mapping = yaml.safe_load(Path("params.yaml").read_text())
    for assignment in args.set:
        _override(mapping, assignment)
    params = params_from_dict(mapping)
    copies = not (args.no_copies or args.embed)
    cfg = dataclasses.replace(params.train, group_mode=args.group, use_augmented=copies)
    params = dataclasses.replace(params, train=cfg)
    clips = usable(pd.read_parquet(MANIFEST))
    genders = dict(zip(clips.speaker, clips.gender, strict=True))
    corpora = dict(zip(clips.speaker, clips.corpus, strict=True))
    test = [speaker_id(a) for a in params.split.test_actors]
    every = not args.old_validation
    folds, final = make_splits(genders, test, params.split.cv_folds, params.split.val_actors, corpora, every)
    loco = leave_one_corpus_out(genders, corpora, test, params.split.val_actors, every)
    single = single_corpus(genders, corpora, test, params.split.val_actors) if args.matrix else []
    started = time.perf_counter()
    examples = _encoded(params, clips) if args.embed else read_examples(params, sequences=True)
    labels = params.labels.space()
    classes = list(labels.classes)
    run = run_training(examples, folds, final, cfg, labels, [cfg.speaker_norm], log=lambda _: None,
                       final_model=False, loco=loco, single=single, dimensions=params.dimensions)
    if args.save:
        pd.concat([run.cv_predictions[cfg.speaker_norm], run.corpus_predictions]).to_parquet(args.save)
    per_corpus = score_per_corpus(run.cv_predictions[cfg.speaker_norm], classes)
    left_out = score_loco(run.corpus_predictions, run.corpus_notes, classes)
    grouped = score_loco(run.corpus_predictions, run.corpus_notes, classes, scope="loco_group")
    flags = [flag for flag, on in (("--old-validation", args.old_validation), ("--no-copies", args.no_copies),
                                   ("--embed", args.embed), ("--group", args.group)) if on]
    print(f"{' '.join([*args.set, *flags]) or 'params.yaml'}: {time.perf_counter() - started:.0f} s")
    if single:
        print(text_table(*corpus_matrix_table(score_corpus_matrix(run.corpus_predictions, run.corpus_notes,
                                                                  classes), left_out)))
    print(f"{'corpus':8s}  CV acc  CV UAR | LOCO UAR 8-class  own emotions  largest share"
          "     ECE   high band")
    for name in sorted(per_corpus):
        cv, modes = per_corpus[name], left_out.get(name, {}).get("modes", {})
        group = grouped.get(name, {}).get("modes", {}).get("all classes")
        print(f"{name:8s}  {cv['accuracy']:.3f}   {cv['uar']['mean']:.3f} | {_loco_text(modes)}"
              + (f" | group by speaker {group['uar']['mean']:.3f}" if group else ""))
    cv_rows = run.cv_predictions[cfg.speaker_norm]
    dims = {"CV": score_by_corpus(cv_rows, classes, labels.merge, params.dimensions)}
    if len(run.corpus_predictions):
        loco_rows = run.corpus_predictions[run.corpus_predictions.scope == "loco"]
        dims["LOCO"] = score_by_corpus(loco_rows, classes, labels.merge, params.dimensions)
    print("binary UAR (mean ± std over speakers) | bands right: high, low")
    for split, per_corpus in dims.items():
        for name, methods in per_corpus.items():
            for method, scores in methods.items():
                print(f"{split:4s} {name:8s} {method:7s} " + "  ".join(
                    f"{d} {uar_text(s)} | {_band(s['high_band'])} {_band(s['low_band'])}"
                    for d, s in scores.items()))


def _encoded(params, clips: pd.DataFrame):
    """The examples of the original clips encoded with params.whisper (cached like the embed stage's)."""
    located_clips = located(clips, corpus_roots(params.data.raw_dir, params.data.corpora))
    embedded = build_embeddings(located_clips, Path(), params.whisper, params.audio, params.features)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "original.parquet"
        embedded.stats.to_parquet(path, index=False)
        return load_examples(pd.read_parquet(MANIFEST), params.labels.space(), [path])


def _band(band: dict) -> str:
    return "-" if band["accuracy"] is None else f"{band['accuracy']:.2f} ({band['clips']})"


def _loco_text(modes: dict) -> str:
    if not modes:
        return "-"
    every, own = modes["all classes"], modes["shared classes"]
    largest, high = every["largest_share"], every["high_band"]["accuracy"]
    return (f"{every['uar']['mean']:.3f} ± {every['uar']['std']:.3f}  {own['uar']['mean']:.3f}        "
            f"{largest['share']:.2f} {largest['emotion']:9s}  {every['ece']:.3f}  "
            + ("-" if high is None else f"{high:.2f}"))


if __name__ == "__main__":
    main()
