"""Audio-level augmentation of training clips.

Each copy of a clip draws its own transforms from a generator seeded by
(seed, the clip's content hash, copy number), so copies are reproducible and
independent of processing order. The recipe travels with the copy, and the
copy's cache key is derived from the source's content hash and the recipe.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import librosa
import numpy as np
import pandas as pd
import scipy.signal
import soxr

from aurora.config import AugmentConfig

# Bump when how a recipe is applied changes, so cached copies are recomputed.
AUGMENT_VERSION = "2"  # 2: augment after the silence trim (a new recipe field changes its key by itself)


@dataclass(frozen=True)
class Recipe:
    """The transforms applied to one copy (None = not applied)."""

    gain_db: float | None = None
    shift_s: float | None = None
    pitch_semitones: float | None = None
    stretch_rate: float | None = None
    noise_snr_db: float | None = None
    noise_seed: int | None = None
    speed: float | None = None  # resampling factor: > 1 faster and higher
    reverb_rt60_s: float | None = None
    reverb_seed: int | None = None
    crop_s: float | None = None  # keep a window of this many seconds (where the clip is longer)
    crop_start: float | None = None  # where the window starts, as a fraction of the room left
    bandwidth_hz: float | None = None  # nothing above this survives (a telephone line: 4000)

    def to_json(self) -> str:
        return json.dumps({k: round(v, 4) for k, v in self.__dict__.items() if v is not None},
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        return cls(**json.loads(text))


def draw_recipe(content_hash: str, copy: int, *, seed: int, probability: float,
                gain_db: float, shift_s: float, pitch_semitones: float, stretch: float,
                noise_snr_db: tuple[float, float]) -> Recipe:
    """Random transforms for copy `copy` of a clip; at least one is always applied."""
    digest = hashlib.sha256(f"{seed}|{content_hash}|{copy}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    chosen = rng.random(5) < probability
    if not chosen.any():
        chosen[rng.integers(5)] = True
    lo, hi = noise_snr_db
    values = [
        rng.uniform(-gain_db, gain_db),
        rng.uniform(-shift_s, shift_s),
        rng.uniform(-pitch_semitones, pitch_semitones),
        float(np.exp(rng.uniform(np.log(1 - stretch), np.log(1 + stretch)))),
        rng.uniform(lo, hi),
    ]
    noise_seed = int(rng.integers(2**31)) if chosen[4] else None
    return Recipe(*[float(v) if c else None for v, c in zip(values, chosen, strict=True)], noise_seed)


def fixed_recipe(content_hash: str, copy: int, config: AugmentConfig) -> Recipe:
    """Copy `copy` of the fixed set: one per noise SNR, then one per speed factor, then one
    per reverberation time, then one per crop length, then one per bandwidth."""
    digest = hashlib.sha256(f"{config.seed}|{content_hash}|{copy}".encode()).digest()
    seed = int.from_bytes(digest[:4], "little") >> 1  # the clip's own noise or room response
    snrs, speeds, rooms = config.fixed_noise_snr_db, config.fixed_speeds, config.fixed_reverb_rt60_s
    if copy < len(snrs):
        return Recipe(noise_snr_db=float(snrs[copy]), noise_seed=seed)
    if copy < len(snrs) + len(speeds):
        return Recipe(speed=float(speeds[copy - len(snrs)]))
    if copy < len(snrs) + len(speeds) + len(rooms):
        return Recipe(reverb_rt60_s=float(rooms[copy - len(snrs) - len(speeds)]), reverb_seed=seed)
    crops = config.fixed_crop_s
    if copy >= len(snrs) + len(speeds) + len(rooms) + len(crops):
        return Recipe(bandwidth_hz=float(config.fixed_bandwidth_hz[copy - len(snrs) - len(speeds) - len(rooms)
                                                                    - len(crops)]))
    # A window of 60-100 % of the crop length, anywhere in the clip: other corpora's clips are
    # often short and cut tight, mid-word.
    longest = float(crops[copy - len(snrs) - len(speeds) - len(rooms)])
    rng = np.random.default_rng(seed)
    return Recipe(crop_s=float(rng.uniform(0.6, 1.0) * longest), crop_start=float(rng.random()))


def copy_key(content_hash: str, recipe: Recipe) -> str:
    """Cache key of an augmented copy: changes with the source bytes or the recipe."""
    return hashlib.sha256(f"{AUGMENT_VERSION}|{content_hash}|{recipe.to_json()}".encode()).hexdigest()


def reverberate(y: np.ndarray, sr: int, rt60_s: float, seed: int) -> np.ndarray:
    """Convolve with a synthetic room response: a direct path plus Gaussian noise whose
    amplitude falls 60 dB in `rt60_s`, scaled to unit energy so the level stays about the
    same. The tail past the clip's end is cut, so the length does not change."""
    rng = np.random.default_rng(seed)
    t = np.arange(max(1, round(rt60_s * sr))) / sr
    response = rng.standard_normal(len(t)) * np.exp(-np.log(1000.0) * t / rt60_s)
    response[0] = 1.0
    response /= np.sqrt(np.sum(response**2))
    return scipy.signal.fftconvolve(y, response)[: len(y)].astype(np.float32)


def apply_recipe(y: np.ndarray, sr: int, recipe: Recipe) -> np.ndarray:
    """Apply `recipe` to mono float32 audio; the output keeps roughly the same level."""
    out = y.astype(np.float32, copy=True)
    if recipe.crop_s is not None and len(out) > round(recipe.crop_s * sr):
        keep = round(recipe.crop_s * sr)
        start = int((recipe.crop_start or 0.0) * (len(out) - keep))
        out = out[start:start + keep]
    if recipe.speed is not None:  # played back `speed` times faster, as a tape would
        out = soxr.resample(out, sr * recipe.speed, sr).astype(np.float32, copy=False)
    if recipe.pitch_semitones is not None:
        out = librosa.effects.pitch_shift(out, sr=sr, n_steps=recipe.pitch_semitones)
    if recipe.stretch_rate is not None:
        out = librosa.effects.time_stretch(out, rate=recipe.stretch_rate)
    if recipe.shift_s is not None:
        n = round(abs(recipe.shift_s) * sr)
        pad = np.zeros(min(n, len(out)), dtype=np.float32)
        out = (np.concatenate([pad, out[: len(out) - len(pad)]]) if recipe.shift_s > 0
               else np.concatenate([out[len(pad):], pad]))
    if recipe.gain_db is not None:
        out = out * np.float32(10 ** (recipe.gain_db / 20))
    if recipe.reverb_rt60_s is not None:  # the room before the microphone's noise
        out = reverberate(out, sr, recipe.reverb_rt60_s, recipe.reverb_seed or 0)
    if recipe.bandwidth_hz is not None:  # the channel before the noise, as a phone line would
        narrow = round(2 * recipe.bandwidth_hz)
        out = soxr.resample(soxr.resample(out, sr, narrow, quality="HQ"), narrow, sr,
                            quality="HQ")[: len(out)].astype(np.float32, copy=False)
    if recipe.noise_snr_db is not None:
        power = float(np.mean(out**2))
        if power > 0:
            rng = np.random.default_rng(recipe.noise_seed or 0)
            noise = rng.standard_normal(len(out)).astype(np.float32)
            out = out + noise * np.float32(np.sqrt(power / 10 ** (recipe.noise_snr_db / 10)))
    return out.astype(np.float32, copy=False)


def trainable(clips: pd.DataFrame, test_speakers) -> pd.DataFrame:
    """The clips that may ever be trained on: every clip but the test speakers'. (A fold's
    validation and held-out speakers are kept out of its training rows by speaker, copies
    included, when the examples are split: aurora.data.examples.)"""
    return clips[~clips.speaker.isin(set(test_speakers))]


def training_copies(clips: pd.DataFrame, test_speakers, config: AugmentConfig, enabled: bool) -> pd.DataFrame:
    """The augmented copies training may use (augmentation_requests of the trainable clips); none
    when training uses no copies (train.use_augmented false)."""
    return augmentation_requests(trainable(clips, test_speakers) if enabled else clips.iloc[:0], config)


def augmentation_requests(clips: pd.DataFrame, config: AugmentConfig) -> pd.DataFrame:
    """One row per augmented copy of each clip in `clips` (which must hold only
    clips allowed into training): clip_id, source_clip_id, path, content_hash
    (the copy's derived cache key) and recipe (JSON)."""
    rows = []
    for clip in clips.itertuples():
        for k in range(config.effective_copies):
            recipe = (fixed_recipe(clip.content_hash, k, config) if config.fixed else draw_recipe(
                clip.content_hash, k, seed=config.seed, probability=config.probability,
                gain_db=config.gain_db, shift_s=config.shift_s,
                pitch_semitones=config.pitch_semitones, stretch=config.stretch,
                noise_snr_db=tuple(config.noise_snr_db)))
            rows.append({"clip_id": f"{clip.clip_id}+aug{k + 1}", "source_clip_id": clip.clip_id,
                         "path": clip.path, "content_hash": copy_key(clip.content_hash, recipe),
                         "recipe": recipe.to_json()})
    return pd.DataFrame(rows, columns=["clip_id", "source_clip_id", "path", "content_hash", "recipe"])
