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
from aurora.manifest import usable
from stages._run import run
from stages.ingest import MANIFEST

OUT = Path("artifacts/features")


def main() -> None:
    params = load_params()
    clips = usable(pd.read_parquet(MANIFEST))
    result = build_features(clips, Path(params.data.raw_dir), params.features, params.audio)
    result.save(OUT)
    print(f"features: {result.describe()}")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("features", main)
