"""Save and load a bundle's networks without pickle: torch state dicts of tensors only, loaded
with weights_only=True (aurora.models.bundle describes the files)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from torch import nn

from aurora.models.bundle import CONFIG, GROUP_WEIGHTS, WEIGHTS, read_config
from aurora.models.group import GroupModel
from aurora.models.nets import build_network
from aurora.util.atomic import write_atomic, write_json


def _save_weights(path: Path, network: nn.Module) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    buffer = io.BytesIO()  # saving to a file would embed its (random, temporary) name in the archive
    torch.save(state, buffer)
    write_atomic(path, lambda tmp: tmp.write_bytes(buffer.getvalue()))


def _network(config: dict, path: Path) -> nn.Module:
    network = build_network(config["model"], config["n_inputs"], len(config["classes"]),
                            hidden=config["hidden"], dropout=config["dropout"],
                            frame_pool=config["frame_pool"])
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return network.eval()


def save_bundle(directory: Path, network: nn.Module, config: dict, group: GroupModel | None = None) -> None:
    """`group`, the group-mode companion, goes to group_weights.pt and config["group"]."""
    directory.mkdir(parents=True, exist_ok=True)
    _save_weights(directory / WEIGHTS, network)
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
    write_json(directory / CONFIG, config)


def load_group(directory: Path, config: dict) -> GroupModel | None:
    """The bundle's group-mode model, if it has one."""
    spec = config.get("group")
    if not spec:
        return None
    return GroupModel(_network(config, directory / GROUP_WEIGHTS), np.asarray(spec["means"], np.float32),
                      spec["temperature"], spec["rounds"], spec["min_clips"], spec["min_entropy"],
                      spec["shift_temperature"])


def load_bundle(directory: str | Path) -> tuple[nn.Module, dict]:
    """The bundle's network and its config (upgraded); ModelError when there is no bundle."""
    config = read_config(directory)
    return _network(config, Path(directory) / WEIGHTS), config
