"""What the modelling stages read: the splits and the in-memory corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from aurora.config import Params
from aurora.corpus import Corpus, load_corpus
from aurora.splits import Fold
from stages.ingest import MANIFEST
from stages.split import SPLITS

FEATURES = Path("artifacts/features")
AUGMENT = Path("artifacts/augment")
EMBED = Path("artifacts/embed")

# Statistics files per feature set: (original clips, augmented copies, original clips as
# `aurora predict` computes them: what every held-out clip is scored on).
FEATURE_SETS = {
    "handcrafted": ([FEATURES / "stats.parquet"], [AUGMENT / "stats.parquet"], [FEATURES / "stats.parquet"]),
    "whisper": ([EMBED / "original.parquet"], [EMBED / "augmented.parquet"], [EMBED / "inference.parquet"]),
    "fusion": ([EMBED / "original.parquet", FEATURES / "stats.parquet"],
               [EMBED / "augmented.parquet", AUGMENT / "stats.parquet"],
               [EMBED / "inference.parquet", FEATURES / "stats.parquet"]),
}


def read_splits() -> tuple[list[Fold], Fold]:
    splits = json.loads(SPLITS.read_text())
    return [Fold.from_dict(f) for f in splits["folds"]], Fold.from_dict(splits["final"])


def read_loco_splits() -> list[Fold]:
    """The leave-one-corpus-out splits (none with one corpus)."""
    return [Fold.from_dict(f) for f in json.loads(SPLITS.read_text()).get("leave_one_corpus_out", [])]


def read_corpus(params: Params, *, sequences: bool, heldout: bool = True) -> Corpus:
    """The corpus train's feature set describes; `heldout=False` skips the clips as inference
    computes them (Corpus.heldout) for a caller that never scores a held-out clip."""
    train = params.train
    originals, copies, inferred = FEATURE_SETS[train.features]
    load_sequences = sequences and train.is_sequence_model
    return load_corpus(pd.read_parquet(MANIFEST), params.labels.space(), originals,
                       copies if train.use_augmented else None,
                       heldout=inferred if heldout and inferred != originals else None,
                       sequences=train.sequence_input if load_sequences else None,
                       frames=((FEATURES / "frames.parquet", AUGMENT / "frames.parquet")
                               if load_sequences else None))
