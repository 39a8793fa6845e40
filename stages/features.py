"""Stage `features`: usable clips -> utterance statistics and frame sequences.

Goes through the content-addressed cache in features.cache_dir, so only
clips whose bytes or feature settings changed are computed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from aurora.config import load_params
from aurora.data.manifest import located, usable
from aurora.features.build import build_features
from aurora.util.parallel import dask_address
from stages.entry import run
from stages.paths import FEATURES, MANIFEST, corpus_roots


def main() -> None:
    params = load_params()
    clips = located(usable(pd.read_parquet(MANIFEST)), corpus_roots(params.data.raw_dir, params.data.corpora))
    result = build_features(clips, Path(), params.features, params.audio,
                            dask=dask_address())
    result.save(FEATURES)
    print(f"features: {result.describe()}")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("features", main)
