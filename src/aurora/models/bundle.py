"""A trained model's bundle: its files, its id, and its config.json read as today's code reads it.

A bundle is a directory: `weights.pt` (a torch state_dict of tensors only,
loaded with weights_only=True) and `config.json` (label set, network shape,
feature settings, normalisation statistics, hyper-parameters, training data
hash), plus `group_weights.pt` (the group-mode companion; an empty state dict
when there is none) and the evaluate stage's `MODEL_CARD.md`. Nothing
executable is ever deserialised. A bundle written by an older version is
brought up to today's keys in one place, `upgrade`, as what it meant then.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from aurora.config import TrainConfig
from aurora.errors import AuroraError

WEIGHTS, GROUP_WEIGHTS, CONFIG, MODEL_CARD = "weights.pt", "group_weights.pt", "config.json", "MODEL_CARD.md"


class ModelError(AuroraError, RuntimeError):
    """No usable model bundle; the message says how to get one."""


def bundle_id(model_dir: Path, model: str) -> str:
    """`<model>-<first 12 hex of the weights' SHA-256>`: names the exact weights used."""
    with open(Path(model_dir) / WEIGHTS, "rb") as f:
        return f"{model}-{hashlib.file_digest(f, 'sha256').hexdigest()[:12]}"


def upgrade(config: dict) -> dict:
    """A bundle's config.json with every key today's code reads, each key an older bundle lacks
    set to what that bundle meant when it was written (not to today's defaults)."""
    config = copy.deepcopy(config)
    config.setdefault("temperature", 1.0)  # before calibration: plain softmax
    config.setdefault("max_frames", 320)
    config.setdefault("frame_pool", 1)  # before train.frame_pool: frames unpooled
    config.setdefault("label_merge", {})
    config.setdefault("chosen", {})
    config.setdefault("training_hash", "")
    config.setdefault("features", {})  # the STFT settings the silence trim uses
    config.setdefault("training_data", {})  # not recorded before several corpora
    if "dimensions" not in config:  # before arousal and valence: read off the class probabilities
        from aurora.models.dimensions import default_dimensions

        config["dimensions"] = default_dimensions(config.get("classes", []), config["label_merge"])
    train = config.setdefault("train", {})
    train.setdefault("shift_temperature", False)  # one temperature for every clip
    train.setdefault("sequence_input", "frames")
    sources = config.setdefault("feature_sources", {})
    if "handcrafted" in sources and not sources["handcrafted"].get("settings"):
        sources["handcrafted"]["settings"] = config.get("features") or {}
    if "whisper" in sources:
        settings = sources["whisper"]["settings"]
        settings.setdefault("trim_silence", True)  # trimmed before whisper.trim_silence existed
        settings.setdefault("normalize_level", False)  # at their recorded level before normalize_level
        settings.setdefault("blocks", [2, 3, 4])
        if "quantize" in settings:  # before whisper.precision: int8 or float32
            settings["precision"] = "int8" if settings.pop("quantize") else "float32"
        settings.setdefault("inference_precision", "")  # listened as trained
    group = config.get("group")
    if group:
        # Before the evenness gate bundles carried "max_share": the gate is an inference policy,
        # not something trained, so they get today's default threshold.
        group.pop("max_share", None)
        group.setdefault("min_entropy", TrainConfig().group_min_entropy)
        group.setdefault("shift_temperature", False)
    return config


def read_config(directory: str | Path) -> dict:
    """The bundle's config.json, upgraded; ModelError when `directory` holds no bundle."""
    directory = Path(directory)
    path = directory / CONFIG
    if not path.is_file():
        raise ModelError(f"no model in {directory}: run `dvc repro` (or `make run`) to train one, "
                         "or pass --model DIR")
    return upgrade(json.loads(path.read_text()))
