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


def read_splits() -> tuple[list[Fold], Fold]:
    splits = json.loads(SPLITS.read_text())
    return [Fold.from_dict(f) for f in splits["folds"]], Fold.from_dict(splits["final"])


def read_corpus(params: Params, *, sequences: bool) -> Corpus:
    train = params.train
    return load_corpus(pd.read_parquet(MANIFEST), FEATURES, AUGMENT if train.use_augmented else None,
                       params.labels.space(),
                       sequences=train.sequence_input if sequences and train.is_sequence_model else None)
