"""Utterance embeddings from Whisper-base's middle blocks.

Each clip is encoded at its own length (an even number of mel frames, at
most 30 s), clips of similar length are batched together, and every chosen
block's hidden states are pooled into mean and std over the clip's frames.

Precision (whisper.precision). `bfloat16` runs the encoder under torch's
CPU autocast: matrix products take bfloat16 inputs and accumulate in
float32, with no scale estimated from the data, so clips are still batched;
a clip's embedding then varies with its batch-mates only by bfloat16
rounding (kernels block the work by shape), an eighth of its RMS
difference from float32 (benchmarks/encoder.py). `int8` multiplies in int8
with each clip's own activation scale, clips packed row by row
(aurora.whisper.int8), so a clip's embedding is the same bit for bit in any
batch.

Whisper's log-mel input is not level-invariant: the same clip played 20 dB
louder moves every mel value by the same amount, and a model trained on
quiet RAVDESS clips then hears anger. With `level_dbfs` set, each clip's
speech level (aurora.audio.level.speech_level_dbfs) is brought to that level
before the log-mel, in training and prediction alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from aurora.audio.level import normalize_level
from aurora.whisper.ct2_file import read_variables
from aurora.whisper.encoder import WhisperEncoder
from aurora.whisper.int8 import PackedInt8Encoder
from aurora.whisper.mel import N_FFT, log_mel

MAX_FRAMES = 3000  # Whisper's 30 s context
EMBED_VERSION = "1"


def cpu_has_bfloat16() -> bool:
    """Does this CPU multiply bfloat16 natively (AVX512-BF16 or AMX tiles)? Without them torch
    emulates bfloat16 products: the encoder took 2x float32's time with oneDNN held to AVX512
    without BF16, 5.5x on AVX2 (README, "Benchmarks")."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # torch.cpu's own probes
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


class WhisperEmbedder:
    def __init__(self, model_path: Path, blocks: Sequence[int] = (2, 3, 4), *, precision: str = "float32",
                 batch_frames: int = 6000, level_dbfs: float | None = None):
        _, variables = read_variables(model_path, "encoder/")
        encoder = WhisperEncoder.from_ct2(variables)
        deepest = max(blocks)
        encoder.blocks = encoder.blocks[:deepest]  # layers past the deepest one used are never run
        # int8 keeps the float32 module for its positions and LayerNorms
        self.int8 = PackedInt8Encoder(encoder) if precision == "int8" else None
        if precision == "bfloat16":
            # Autocast would round these weights to bfloat16 again on every call; rounding them
            # once gives the same products (LayerNorm keeps float32 parameters) without that cost.
            for module in encoder.modules():
                if isinstance(module, nn.Linear | nn.Conv1d):
                    module.to(torch.bfloat16)
        self.encoder = encoder.eval()
        self.precision = precision
        self.blocks = tuple(blocks)
        self.batch_frames = batch_frames  # mel frames per batch (padded, except in int8), bounds memory
        self.level_dbfs = level_dbfs  # None: clips are encoded at their recorded level
        self.names = self.names_for(self.blocks)

    @classmethod
    def from_config(cls, cfg) -> WhisperEmbedder:
        """The embedder a WhisperConfig describes (packaged weights unless cfg.model_dir)."""
        from aurora.whisper.weights import locate_model

        return cls(locate_model(cfg.model_dir or None), cfg.blocks, precision=cfg.precision,
                   batch_frames=cfg.batch_frames, level_dbfs=cfg.level_dbfs if cfg.normalize_level else None)

    @staticmethod
    def names_for(blocks: Sequence[int], width: int = 512) -> list[str]:
        return [f"whisper_b{b}_{s}{i:03d}" for b in blocks for s in ("mean", "std") for i in range(width)]

    def embed(self, clips: Sequence[np.ndarray]) -> np.ndarray:
        """(n, 2 x 512 x blocks) float32 for 16 kHz mono clips."""
        mels = []
        for y in clips:
            if self.level_dbfs is not None:
                y = normalize_level(y, self.level_dbfs)
            y = np.pad(y, (0, max(0, N_FFT - len(y))))  # at least one window: 2+ mel frames
            mel = log_mel(y)[:, :MAX_FRAMES]
            mels.append(mel[:, : mel.shape[1] - mel.shape[1] % 2])  # even: conv2 halves it exactly
        out = np.zeros((len(clips), len(self.names)), np.float32)
        order = np.argsort([m.shape[1] for m in mels])
        start = 0
        while start < len(order):
            stop = start + 1
            while (stop < len(order)
                   and mels[order[stop]].shape[1] * (stop - start + 1) <= self.batch_frames):
                stop += 1
            index = order[start:stop]
            group = [mels[i] for i in index]
            with torch.no_grad():
                out[index] = (self._int8_pooled(group) if self.int8 is not None
                              else self._padded_pooled(group)).numpy()
            start = stop
        return out

    def _padded_pooled(self, mels: list[torch.Tensor]) -> torch.Tensor:
        """The batch zero-padded to its longest clip, encoded in one call."""
        longest = max(m.shape[1] for m in mels)
        batch = torch.stack([nn.functional.pad(m, (0, longest - m.shape[1])) for m in mels])
        frames = torch.tensor([m.shape[1] for m in mels])
        with torch.autocast("cpu", torch.bfloat16, enabled=self.precision == "bfloat16"):
            states = {b: h.float() for b, h in self.encoder(batch, frames, blocks=self.blocks).items()}
        return _pooled(states, (frames + 1) // 2, self.blocks)

    def _int8_pooled(self, mels: list[torch.Tensor]) -> torch.Tensor:
        """Packed int8 states, each clip pooled on its own (so no batch-mate's length touches it)."""
        pooled = []
        for states in self.int8(mels, self.blocks):
            steps = torch.tensor([len(states[self.blocks[0]])])
            pooled.append(_pooled({b: h[None] for b, h in states.items()}, steps, self.blocks))
        return torch.cat(pooled)


def _pooled(states: dict[int, torch.Tensor], steps: torch.Tensor, blocks: Sequence[int]) -> torch.Tensor:
    """(batch, 2 x width x blocks): mean and std of each block's (batch, T, width) states over each
    clip's first `steps` steps (the rest is padding)."""
    mask = (torch.arange(states[blocks[0]].shape[1])[None, :] < steps[:, None]).float()[..., None]
    pooled = []
    for b in blocks:
        h = states[b]
        mean = (h * mask).sum(1) / steps[:, None]
        std = ((((h - mean[:, None]) ** 2) * mask).sum(1) / steps[:, None]).clamp(min=0).sqrt()
        pooled += [mean, std]
    return torch.cat(pooled, dim=1)
