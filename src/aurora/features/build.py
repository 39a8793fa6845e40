"""Features for a set of clips, through the cache: compute only what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aurora.audio import AudioError, load_mono
from aurora.config import AudioConfig, FeatureConfig
from aurora.features.cache import FeatureCache
from aurora.features.extract import FeatureExtractor
from aurora.parallel import parallel_map

_EXTRACTORS: dict[tuple, FeatureExtractor] = {}


def extractor_for(features: FeatureConfig, audio: AudioConfig) -> FeatureExtractor:
    """One extractor per process and configuration (filter banks are built once)."""
    key = (features, audio)
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = FeatureExtractor(features, audio)
    return _EXTRACTORS[key]


def extract_file(path: Path, features: FeatureConfig, audio: AudioConfig) -> dict:
    """A cache row for one file (without its content hash)."""
    extractor = extractor_for(features, audio)
    y = extractor.prepare(load_mono(path, audio.sample_rate))
    clip = extractor.frames(y)
    return {
        "n_frames": clip.frames.shape[0],
        "frames": clip.frames.ravel(),
        "logmel": clip.logmel.ravel(),
        "stats": extractor.statistics(clip, len(y) / audio.sample_rate),
    }


def _job(item: tuple[str, Path], features: FeatureConfig, audio: AudioConfig) -> dict:
    content_hash, path = item
    try:
        return {"content_hash": content_hash, **extract_file(path, features, audio)}
    except AudioError as exc:
        return {"content_hash": content_hash, "error": f"{path}: {exc}"}


@dataclass
class FeatureSet:
    """Features of the requested clips, in request order."""

    stats: pd.DataFrame  # clip_id, content_hash, one float32 column per statistic
    frames: pa.Table  # clip_id, content_hash, n_frames, frames, logmel
    frame_names: list[str]
    computed: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)


def build_features(clips: pd.DataFrame, raw_dir: Path, features: FeatureConfig,
                   audio: AudioConfig) -> FeatureSet:
    """`clips` needs clip_id, path (relative to raw_dir) and content_hash."""
    extractor = extractor_for(features, audio)
    cache = FeatureCache(features.cache_dir, extractor.fingerprint)
    known = cache.known()
    todo = clips.drop_duplicates("content_hash")
    todo = todo[~todo.content_hash.isin(known)]
    jobs = [(h, raw_dir / p) for h, p in zip(todo.content_hash, todo.path, strict=True)]
    results = list(parallel_map(partial(_job, features=features, audio=audio), jobs,
                                workers=features.workers, desc="features"))
    failed = [r["error"] for r in results if "error" in r]
    cache.add(r for r in results if "error" not in r)
    cache.compact()

    table = cache.read(clips.content_hash)
    order = pd.DataFrame({"content_hash": table["content_hash"].to_numpy(zero_copy_only=False),
                          "row": np.arange(table.num_rows)})
    present = clips[["clip_id", "content_hash"]].merge(order, on="content_hash", how="inner")
    table = table.take(pa.array(present.row.to_numpy()))
    stats = pd.DataFrame(np.vstack(table["stats"].to_numpy(zero_copy_only=False))
                         if table.num_rows else np.empty((0, len(extractor.stat_names))),
                         columns=extractor.stat_names, dtype=np.float32)
    stats.insert(0, "content_hash", present.content_hash.to_numpy())
    stats.insert(0, "clip_id", present.clip_id.to_numpy())
    frames = table.drop_columns(["stats"]).add_column(
        0, "clip_id", pa.array(present.clip_id.to_numpy(), pa.string()))
    frames = frames.replace_schema_metadata({
        "frame_names": ",".join(extractor.frame_names),
        "fingerprint": extractor.fingerprint,
    })
    return FeatureSet(stats, frames, extractor.frame_names,
                      computed=len(results) - len(failed),
                      cached=len(clips) - len(jobs),
                      failed=failed)
