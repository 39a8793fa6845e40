"""What the stages read back from earlier stages' artifacts: splits, the example table, the
comparison rows and the cross-corpus summaries."""

from __future__ import annotations

import json

import pandas as pd

from aurora.config import Params
from aurora.data.examples import Examples, load_examples
from aurora.data.splits import Fold
from stages.paths import AUGMENT, COMPARISON, CROSSCORPUS, FEATURE_SETS, FEATURES, MANIFEST, SPLITS


def read_splits() -> tuple[list[Fold], Fold]:
    splits = json.loads(SPLITS.read_text())
    return [Fold.from_dict(f) for f in splits["folds"]], Fold.from_dict(splits["final"])


def read_corpus_splits() -> tuple[list[Fold], list[Fold]]:
    """The leave-one-corpus-out splits and the one-corpus splits (none with one corpus)."""
    splits = json.loads(SPLITS.read_text())
    return ([Fold.from_dict(f) for f in splits.get("leave_one_corpus_out", [])],
            [Fold.from_dict(f) for f in splits.get("single_corpus", [])])


def read_examples(params: Params, *, sequences: bool, heldout: bool = True) -> Examples:
    """The examples train's feature set describes; `heldout=False` skips the clips as inference
    computes them (Examples.heldout) for a caller that never scores a held-out clip."""
    train = params.train
    originals, copies, inferred = FEATURE_SETS[train.features]
    load_sequences = sequences and train.is_sequence_model
    return load_examples(pd.read_parquet(MANIFEST), params.labels.space(), originals,
                         copies if train.use_augmented else None,
                         heldout=inferred if heldout and inferred != originals else None,
                         sequences=train.sequence_input if load_sequences else None,
                         frames=((FEATURES / "frames.parquet", AUGMENT / "frames.parquet")
                                 if load_sequences else None))


def read_comparison() -> list[dict] | None:
    """The compare stage's rows, or None before it has run."""
    return json.loads(COMPARISON.read_text())["runs"] if COMPARISON.is_file() else None


def read_crosscorpus(names) -> dict[str, dict]:
    """The crosscorpus stage's summary per corpus of `names` (absent files: not run yet)."""
    return {name: json.loads((CROSSCORPUS / f"{name}.json").read_text()) for name in names
            if (CROSSCORPUS / f"{name}.json").is_file()}
