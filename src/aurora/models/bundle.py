"""Save and load a trained model without pickle.

A bundle is a directory: `weights.pt` (a torch state_dict of tensors only,
loaded with weights_only=True) and `config.json` (label set, network shape,
feature settings, normalisation statistics, hyper-parameters, training data
hash). Nothing executable is ever deserialised.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from aurora.atomic import write_atomic, write_json
from aurora.group import GroupModel
from aurora.models.nets import build_network

GROUP_WEIGHTS = "group_weights.pt"


def _save_weights(path: Path, network: nn.Module) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    buffer = io.BytesIO()  # saving to a file would embed its (random, temporary) name in the archive
    torch.save(state, buffer)
    write_atomic(path, lambda tmp: tmp.write_bytes(buffer.getvalue()))


def _network(config: dict, path: Path) -> nn.Module:
    network = build_network(config["model"], config["n_inputs"], len(config["classes"]),
                            hidden=config["hidden"], dropout=config["dropout"],
                            frame_pool=config.get("frame_pool", 1))
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return network.eval()


def save_bundle(directory: Path, network: nn.Module, config: dict, group: GroupModel | None = None) -> None:
    """`group`, the group-mode companion, goes to group_weights.pt and config["group"]."""
    directory.mkdir(parents=True, exist_ok=True)
    _save_weights(directory / "weights.pt", network)
    if group is not None:
        _save_weights(directory / GROUP_WEIGHTS, group.network)
        config = {**config, "group": {"means": group.means.tolist(), "temperature": group.temperature,
                                      "rounds": group.rounds, "min_clips": group.min_clips,
                                      "min_entropy": group.min_entropy,
                                      "shift_temperature": group.shift_temperature}}
    else:  # an empty state dict: the file always exists, so the pipeline can declare it
        buffer = io.BytesIO()
        torch.save({}, buffer)
        write_atomic(directory / GROUP_WEIGHTS, lambda tmp: tmp.write_bytes(buffer.getvalue()))
    write_json(directory / "config.json", config)


def load_group(directory: Path, config: dict) -> GroupModel | None:
    """The bundle's group-mode model, if it has one."""
    spec = config.get("group")
    if not spec:
        return None
    # Bundles from before the evenness gate carry "max_share" instead: the gate is an inference
    # policy, not something trained, so they get today's default.
    return GroupModel(_network(config, directory / GROUP_WEIGHTS), np.asarray(spec["means"], np.float32),
                      spec["temperature"], spec["rounds"], spec["min_clips"],
                      spec.get("min_entropy", GroupModel.min_entropy), spec.get("shift_temperature", False))


def load_bundle(directory: Path) -> tuple[nn.Module, dict]:
    config_path = directory / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{directory} holds no model (config.json missing); "
                                "run `dvc repro` or pass another model directory")
    config = json.loads(config_path.read_text())
    network = _network(config, directory / "weights.pt")
    return network, config
