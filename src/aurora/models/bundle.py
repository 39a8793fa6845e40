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

import torch
from torch import nn

from aurora.atomic import write_atomic, write_json
from aurora.models.nets import build_network


def save_bundle(directory: Path, network: nn.Module, config: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in network.state_dict().items()}
    buffer = io.BytesIO()  # saving to a file would embed its (random, temporary) name in the archive
    torch.save(state, buffer)
    write_atomic(directory / "weights.pt", lambda tmp: tmp.write_bytes(buffer.getvalue()))
    write_json(directory / "config.json", config)


def load_bundle(directory: Path) -> tuple[nn.Module, dict]:
    config_path = directory / "config.json"
    if not config_path.is_file():
        raise FileNotFoundError(f"{directory} holds no model (config.json missing); "
                                "run `dvc repro` or pass another model directory")
    config = json.loads(config_path.read_text())
    network = build_network(config["model"], config["n_inputs"], len(config["classes"]),
                            hidden=config["hidden"], dropout=config["dropout"],
                            frame_pool=config.get("frame_pool", 1))
    state = torch.load(directory / "weights.pt", map_location="cpu", weights_only=True)
    network.load_state_dict(state)
    network.eval()
    return network, config
