"""Stage `embed`: Whisper-base middle-block embeddings of every usable clip,
and of the augmented copies (the same recipes as `augment`) when training uses them,
at whisper.precision; and of every usable clip again as `aurora predict` encodes it,
at whisper.inference_precision (inference.parquet): what held-out clips are scored on.

Cached like the handcrafted features (content hash x encoder settings).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from aurora.config import load_params
from aurora.data.augment import training_copies
from aurora.data.manifest import located, usable
from aurora.util.atomic import write_atomic, write_json
from aurora.util.parallel import dask_address
from aurora.whisper.build import build_embeddings
from stages.entry import run
from stages.paths import EMBED, MANIFEST, corpus_roots
from stages.reading import read_splits


def main() -> None:
    params = load_params()
    clips = located(usable(pd.read_parquet(MANIFEST)), corpus_roots(params.data.raw_dir, params.data.corpora))
    copies = training_copies(clips, read_splits()[1].test, params.augment, params.train.use_augmented)
    summary = {}
    runs = (("original", clips, params.whisper), ("augmented", copies, params.whisper),
            ("inference", clips, params.whisper.at_inference()))
    for name, requests, whisper in runs:
        result = build_embeddings(requests, Path(), whisper, params.audio, params.features,
                                  dask=dask_address())
        stats = result.stats
        if name == "augmented":
            stats = copies[["clip_id", "source_clip_id", "recipe"]].merge(stats, on="clip_id")
        write_atomic(EMBED / f"{name}.parquet", lambda tmp, s=stats: s.to_parquet(tmp, index=False))
        summary[name] = {"clips": len(stats), "failed": result.failed, "precision": whisper.precision}
        summary["encoder"] = result.encoder
        if name != "inference":  # the training inputs' fingerprint, which the model bundle records
            summary["fingerprint"] = result.fingerprint
        print(f"embed {name}: {result.describe()}")
        for line in result.failed:
            print(f"  failed: {line}", file=sys.stderr)
    summary["blocks"] = list(params.whisper.blocks)
    write_json(EMBED / "summary.json", summary)


if __name__ == "__main__":
    run("embed", main)
