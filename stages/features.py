"""Stage `features`: usable clips -> utterance statistics and frame sequences.

Goes through the content-addressed cache in features.cache_dir, so only
clips whose bytes or feature settings changed are computed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from aurora.atomic import write_atomic, write_json
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
    write_atomic(OUT / "stats.parquet", lambda tmp: result.stats.to_parquet(tmp, index=False))
    write_atomic(OUT / "frames.parquet",
                 lambda tmp: pq.write_table(result.frames, tmp, compression="zstd"))
    write_json(OUT / "summary.json", {
        "clips": len(result.stats), "computed": result.computed, "cached": result.cached,
        "failed": result.failed, "statistics": len(result.stats.columns) - 2,
        "frame_features": result.frame_names,
    })
    print(f"features: {len(result.stats)} clips ({result.computed} computed, "
          f"{result.cached} from cache, {len(result.failed)} failed)")
    for line in result.failed:
        print(f"  failed: {line}", file=sys.stderr)


if __name__ == "__main__":
    run("features", main)
