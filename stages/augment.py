"""Stage `augment`: augmented copies of the clips that may ever be trained on.

Only clips of non-test actors are augmented. Cross-validation folds hold
their validation and held-out actors out of training, and since a copy
belongs to its source's actor, the train stage keeps only copies whose actor
trains in that fold. Copies' features are cached like the originals.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from aurora.augment import augmentation_requests
from aurora.config import load_params
from aurora.features.build import build_features
from aurora.manifest import located, usable
from aurora.parallel import dask_address
from stages._run import run
from stages.ingest import MANIFEST
from stages.split import SPLITS
from stages.train_corpora import corpus_roots

OUT = Path("artifacts/augment")


def main() -> None:
    params = load_params()
    clips = located(usable(pd.read_parquet(MANIFEST)), corpus_roots(params))
    test_speakers = set(json.loads(SPLITS.read_text())["final"]["test"])
    trainable = clips[~clips.speaker.isin(test_speakers)]
    # Copies are only made when training uses them (train.use_augmented).
    requests = augmentation_requests(trainable if params.train.use_augmented else trainable.iloc[:0],
                                     params.augment)
    result = build_features(requests, Path(), params.features, params.audio, desc="augment",
                            dask=dask_address())
    # Keep each copy's provenance beside its features: the source clip and the recipe.
    result.stats = requests[["clip_id", "source_clip_id", "recipe"]].merge(result.stats, on="clip_id")
    result.save(OUT, copies_per_clip=params.augment.effective_copies if params.train.use_augmented else 0,
                source_clips=len(trainable))
    print(f"augment: {result.describe()}")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("augment", main)
