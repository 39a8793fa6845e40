"""Features for a set of clips, through the cache: compute only what is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from aurora.audio.decode import AudioError, load_mono
from aurora.config import AudioConfig, FeatureConfig
from aurora.data.augment import Recipe, apply_recipe
from aurora.features.cache import FeatureCache
from aurora.features.extract import extractor_for
from aurora.util.atomic import write_atomic, write_json
from aurora.util.parallel import parallel_map

CHUNK = 128  # clips per cache part


def load_prepared(path: Path, features: FeatureConfig, audio: AudioConfig,
                  recipe: Recipe | None = None, *, trim: bool = True, margin_s: float = 0.0) -> np.ndarray:
    """Mono audio at audio.sample_rate, silence-trimmed (if audio.trim_silence and `trim`),
    augmented by `recipe`, padded to one FFT frame: what every feature set starts from."""
    extractor = extractor_for(features, audio)
    y = load_mono(path, audio.sample_rate)
    # Trim first, so added noise covers the speech and not the silence around it.
    y = extractor.trim(y, margin_s) if trim else y
    if recipe is not None:
        y = apply_recipe(y, audio.sample_rate, recipe)
    return extractor.pad(y)


def extract_file(path: Path, features: FeatureConfig, audio: AudioConfig,
                 recipe: Recipe | None = None) -> dict:
    """A cache row for one file (without its content hash), optionally augmented first."""
    extractor = extractor_for(features, audio)
    y = load_prepared(path, features, audio, recipe)
    clip = extractor.frames(y)
    return {
        "n_frames": clip.frames.shape[0],
        "frames": clip.frames.ravel(),
        "logmel": clip.logmel.ravel(),
        "stats": extractor.statistics(clip, len(y) / audio.sample_rate),
    }


def _job(item: tuple[str, Path, str | None], features: FeatureConfig, audio: AudioConfig) -> dict:
    content_hash, path, recipe = item
    try:
        recipe = Recipe.from_json(recipe) if recipe else None
        return {"content_hash": content_hash, **extract_file(path, features, audio, recipe)}
    except AudioError as exc:
        return {"content_hash": content_hash, "error": f"{path}: {exc}"}
    except Exception as exc:  # one clip's failure must not end the batch
        return {"content_hash": content_hash, "error": f"{path}: {type(exc).__name__}: {exc}"}


@dataclass
class FeatureSet:
    """Features of the requested clips, in request order."""

    stats: pd.DataFrame  # clip_id, content_hash, one float32 column per statistic
    frames: pa.Table  # clip_id, content_hash, n_frames, frames, logmel
    frame_names: list[str]
    stat_names: list[str]
    computed: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)

    def save(self, out_dir: Path, **summary) -> None:
        """Write stats.parquet, frames.parquet and summary.json (atomically) to `out_dir`,
        and this run's cache hits to last_run.json (not a DVC output: it differs per machine)."""
        write_atomic(out_dir / "stats.parquet", lambda tmp: self.stats.to_parquet(tmp, index=False))
        write_atomic(out_dir / "frames.parquet",
                     lambda tmp: pq.write_table(self.frames, tmp, compression="zstd"))
        write_json(out_dir / "summary.json", {
            "clips": len(self.stats), "failed": self.failed, **summary,
            "statistics": len(self.stat_names), "frame_features": self.frame_names,
        })
        write_json(out_dir / "last_run.json", {"computed": self.computed, "cached": self.cached})

    def describe(self) -> str:
        return (f"{len(self.stats)} clips ({self.computed} computed, {self.cached} from cache, "
                f"{len(self.failed)} failed)")


def build_features(clips: pd.DataFrame, raw_dir: Path, features: FeatureConfig,
                   audio: AudioConfig, desc: str = "features", dask: str | None = None) -> FeatureSet:
    """`clips` needs clip_id, path (relative to raw_dir) and content_hash; `dask`: a Dask
    scheduler's address to compute the missing clips on (aurora.util.parallel), else local processes.

    An optional `recipe` column (JSON, see aurora.data.augment) augments the audio
    before extraction; such rows carry the copy's derived key as content_hash.
    """
    extractor = extractor_for(features, audio)
    cache = FeatureCache(features.cache_dir, extractor.fingerprint)
    todo = cache.missing(clips)
    recipes = todo["recipe"] if "recipe" in todo else [None] * len(todo)
    jobs = [(h, raw_dir / p, r) for h, p, r in zip(todo.content_hash, todo.path, recipes, strict=True)]
    failed, computed, done = [], 0, []
    for result in parallel_map(partial(_job, features=features, audio=audio), jobs,
                               workers=features.workers, desc=desc, dask=dask):
        if "error" in result:
            failed.append(result["error"])
        else:
            done.append(result)
        if len(done) >= CHUNK:  # store as we go: an interrupted run keeps finished clips
            computed += cache.add(done)
            done = []
    computed += cache.add(done)
    cache.compact()

    table, present = cache.aligned(clips)
    stats = cache.stats_frame(table, present, extractor.stat_names)
    frames = table.drop_columns(["stats"]).add_column(
        0, "clip_id", pa.array(present.clip_id.to_numpy(), pa.string()))
    frames = frames.replace_schema_metadata({
        "frame_names": ",".join(extractor.frame_names),
        "fingerprint": extractor.fingerprint,
    })
    return FeatureSet(stats, frames, extractor.frame_names, extractor.stat_names,
                      computed=computed,
                      cached=len(clips) - len(jobs),
                      failed=failed)
