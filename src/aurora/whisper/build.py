"""Whisper embeddings for a set of clips, through the feature cache."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from aurora.audio import AudioError
from aurora.augment import Recipe
from aurora.config import AudioConfig, FeatureConfig, WhisperConfig
from aurora.features.build import load_prepared
from aurora.features.cache import FeatureCache
from aurora.features.extract import FEATURE_VERSION
from aurora.parallel import worker_count
from aurora.whisper.embed import EMBED_VERSION, WhisperEmbedder
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
    settings = {"model": model, "blocks": list(cfg.blocks), "quantize": cfg.quantize,
                "level_dbfs": cfg.level_dbfs if cfg.normalize_level else None,
                "version": EMBED_VERSION, "audio_version": FEATURE_VERSION, "sample_rate": audio.sample_rate,
                "trim": [audio.trim_silence and cfg.trim_silence, audio.trim_top_db, features.n_fft,
                         features.hop_length, cfg.trim_margin_s]}
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


def build_embeddings(clips: pd.DataFrame, raw_dir: Path, cfg: WhisperConfig, audio: AudioConfig,
                     features: FeatureConfig) -> Embeddings:
    """`clips`: clip_id, path, content_hash and optionally recipe (as for build_features)."""
    if audio.sample_rate != 16000:
        raise ValueError("Whisper needs audio.sample_rate = 16000")
    path = locate_model(cfg.model_dir or None)
    model = model_id(path)
    key = "whisper-" + fingerprint(cfg, audio, features, model)
    cache = FeatureCache(features.cache_dir, key)
    todo = cache.missing(clips)
    failed: list[str] = []
    if len(todo):
        torch.set_num_threads(worker_count(cfg.threads))
        embedder = WhisperEmbedder.from_config(cfg)
        recipes = todo["recipe"] if "recipe" in todo else [None] * len(todo)
        items = list(zip(todo.content_hash, todo.path, recipes, strict=True))
        with tqdm(total=len(items), desc="whisper", unit="clip", mininterval=1.0) as bar:
            for start in range(0, len(items), CHUNK):
                hashes, waves = [], []
                for content_hash, rel, recipe in items[start:start + CHUNK]:
                    try:
                        recipe = Recipe.from_json(recipe) if recipe else None
                        waves.append(load_prepared(raw_dir / rel, features, audio, recipe,
                                                   trim=cfg.trim_silence, margin_s=cfg.trim_margin_s))
                        hashes.append(content_hash)
                    except AudioError as exc:
                        failed.append(f"{raw_dir / rel}: {exc}")
                done = _embed_each_on_failure(embedder, hashes, waves, failed)
                cache.add({"content_hash": h, "n_frames": 0, "frames": [], "logmel": [], "stats": v}
                          for h, v in done)
                bar.update(len(items[start:start + CHUNK]))
        cache.compact()
    table, present = cache.aligned(clips)
    names = WhisperEmbedder.names_for(cfg.blocks)
    return Embeddings(cache.stats_frame(table, present, names), computed=len(todo) - len(failed),
                      cached=len(clips) - len(todo), failed=failed, encoder=model, fingerprint=key)
