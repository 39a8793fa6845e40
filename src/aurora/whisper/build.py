"""Whisper embeddings for a set of clips, through the feature cache."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from aurora.audio.decode import AudioError
from aurora.config import AudioConfig, FeatureConfig, WhisperConfig
from aurora.data.augment import Recipe
from aurora.features.build import load_prepared
from aurora.features.cache import FeatureCache
from aurora.features.extract import FEATURE_VERSION
from aurora.util.parallel import compute_threads, parallel_map
from aurora.whisper.embed import EMBED_VERSION, WhisperEmbedder
from aurora.whisper.int8 import precision_name
from aurora.whisper.weights import locate_model, model_id

CHUNK = 64  # clips per cache part: an interrupted run keeps what it finished


@dataclass
class Embeddings:
    stats: pd.DataFrame  # clip_id, content_hash, one column per pooled value
    computed: int = 0
    cached: int = 0
    failed: list[str] = field(default_factory=list)
    encoder: str = ""
    fingerprint: str = ""

    def describe(self) -> str:
        return (f"{len(self.stats)} clips ({self.computed} encoded, {self.cached} from cache, "
                f"{len(self.failed)} failed)")


def fingerprint(cfg: WhisperConfig, audio: AudioConfig, features: FeatureConfig, model: str) -> str:
    """Everything that changes an embedding; the silence trim uses the STFT frame settings."""
    # "quantize" stays for the keys of float32 caches written before "precision" was added
    settings = {"model": model, "blocks": list(cfg.blocks), "quantize": cfg.precision == "int8",
                "level_dbfs": cfg.level_dbfs if cfg.normalize_level else None,
                "version": EMBED_VERSION, "audio_version": FEATURE_VERSION, "sample_rate": audio.sample_rate,
                "trim": [audio.trim_silence and cfg.trim_silence, audio.trim_top_db, features.n_fft,
                         features.hop_length, cfg.trim_margin_s]}
    if cfg.precision != "float32":  # added only here: float32 caches keep their keys
        settings["precision"] = precision_name(cfg.precision)
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def _embed_each_on_failure(embedder: WhisperEmbedder, hashes: list[str], waves: list[np.ndarray],
                           failed: list[str]) -> list[tuple[str, np.ndarray]]:
    """Embed a chunk; if it fails, embed clip by clip so one bad clip costs only itself."""
    if not waves:
        return []
    try:
        return list(zip(hashes, embedder.embed(waves), strict=True))
    except Exception:  # isolate the clip that breaks the batch
        done = []
        for h, y in zip(hashes, waves, strict=True):
            try:
                done.append((h, embedder.embed([y])[0]))
            except Exception as exc:  # reported as a failed clip, the rest go on
                failed.append(f"{h}: encoder failed ({type(exc).__name__}: {exc})")
        return done


@functools.cache
def embedder_for(cfg: WhisperConfig) -> WhisperEmbedder:
    """One embedder per process and configuration (a Dask worker loads the weights once)."""
    return WhisperEmbedder.from_config(cfg)


def _embed_chunk(chunk: list[tuple[str, str, str | None]], cfg: WhisperConfig, audio: AudioConfig,
                 features: FeatureConfig) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """(content hash, embedding) of each readable clip of `chunk` (hash, path, recipe), and the
    failures, in words."""
    hashes, waves, failed = [], [], []
    for content_hash, path, recipe in chunk:
        try:
            recipe = Recipe.from_json(recipe) if recipe else None
            waves.append(load_prepared(Path(path), features, audio, recipe, trim=cfg.trim_silence,
                                       margin_s=cfg.trim_margin_s))
            hashes.append(content_hash)
        except AudioError as exc:
            failed.append(f"{path}: {exc}")
    torch.set_num_threads(compute_threads(cfg.threads))
    return _embed_each_on_failure(embedder_for(cfg), hashes, waves, failed), failed


def build_embeddings(clips: pd.DataFrame, raw_dir: Path, cfg: WhisperConfig, audio: AudioConfig,
                     features: FeatureConfig, dask: str | None = None) -> Embeddings:
    """`clips`: clip_id, path, content_hash and optionally recipe (as for build_features); `dask`:
    a Dask scheduler's address to encode the missing clips on, a chunk per task, else this process."""
    if audio.sample_rate != 16000:
        raise ValueError("Whisper needs audio.sample_rate = 16000")
    path = locate_model(cfg.model_dir or None)
    model = model_id(path)
    key = "whisper-" + fingerprint(cfg, audio, features, model)
    cache = FeatureCache(features.cache_dir, key)
    todo = cache.missing(clips)
    failed: list[str] = []
    if len(todo):
        recipes = todo["recipe"] if "recipe" in todo else [None] * len(todo)
        items = [(h, str(raw_dir / p), r)
                 for h, p, r in zip(todo.content_hash, todo.path, recipes, strict=True)]
        chunks = [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]
        encode = functools.partial(_embed_chunk, cfg=cfg, audio=audio, features=features)
        results = (parallel_map(encode, chunks, desc="whisper", unit="chunk", chunksize=1, dask=dask) if dask
                   else map(encode, tqdm(chunks, desc="whisper", unit="chunk", mininterval=1.0)))
        for done, chunk_failed in results:
            failed += chunk_failed
            cache.add({"content_hash": h, "n_frames": 0, "frames": [], "logmel": [], "stats": v}
                      for h, v in done)
        cache.compact()
    table, present = cache.aligned(clips)
    names = WhisperEmbedder.names_for(cfg.blocks)
    return Embeddings(cache.stats_frame(table, present, names), computed=len(todo) - len(failed),
                      cached=len(clips) - len(todo), failed=failed, encoder=model, fingerprint=key)
