"""Stage `augment`: the handcrafted features of the augmented copies of the clips that may ever
be trained on, when a model reads them (train.features, compare.runs; otherwise empty tables).

Only clips of non-test actors are augmented. Cross-validation folds hold
their validation and held-out actors out of training, and since a copy
belongs to its source's actor, the train stage keeps only copies whose actor
trains in that fold. Copies' features are cached like the originals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from aurora.config import load_params
from aurora.data.augment import trainable, training_copies
from aurora.data.manifest import located, usable
from aurora.features.build import build_features
from aurora.util.parallel import dask_address
from stages.entry import run
from stages.paths import AUGMENT, MANIFEST, corpus_roots
from stages.reading import read_splits


def main() -> None:
    params = load_params()
    clips = located(usable(pd.read_parquet(MANIFEST)), corpus_roots(params.data.raw_dir, params.data.corpora))
    test_speakers = read_splits()[1].test
    # The copies' handcrafted features only when a model reads them (the Whisper embeddings of the
    # copies are the embed stage's); otherwise empty tables, which no model reads.
    needed = params.train.use_augmented and params.trains_on_handcrafted()
    requests = training_copies(clips, test_speakers, params.augment, needed)
    result = build_features(requests, Path(), params.features, params.audio, desc="augment",
                            dask=dask_address())
    # Keep each copy's provenance beside its features: the source clip and the recipe.
    result.stats = requests[["clip_id", "source_clip_id", "recipe"]].merge(result.stats, on="clip_id")
    result.save(AUGMENT, copies_per_clip=params.augment.effective_copies if needed else 0,
                source_clips=len(trainable(clips, test_speakers)))
    if not needed:
        print("augment: no model reads the copies' handcrafted features (train.features, compare.runs)")
    print(f"augment: {result.describe()}")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("augment", main)
