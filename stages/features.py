"""Stage `features`: usable clips -> utterance statistics and frame sequences.

Goes through the content-addressed cache in features.cache_dir, so only
clips whose bytes or feature settings changed are computed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from aurora.config import load_params
from aurora.features.build import build_features
from aurora.manifest import located, usable
from aurora.parallel import dask_address
from stages._run import run
from stages.ingest import MANIFEST
from stages.train_corpora import corpus_roots

OUT = Path("artifacts/features")


def main() -> None:
    params = load_params()
    clips = located(usable(pd.read_parquet(MANIFEST)), corpus_roots(params))
    result = build_features(clips, Path(), params.features, params.audio,
                            dask=dask_address())
    result.save(OUT)
    print(f"features: {result.describe()}")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("features", main)
