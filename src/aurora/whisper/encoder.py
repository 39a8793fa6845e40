"""Whisper's audio encoder as a torch module that returns middle layers.

Architecture (Radford et al., 2022; base size): conv1 80->512 (k3, p1) + GELU,
conv2 512->512 (k3, stride 2, p1) + GELU, sinusoid-free learned positions
added from frame 0, pre-LayerNorm transformer blocks (8 heads of 64, MLP
512->2048->512, exact GELU), a final LayerNorm. Block k's output is the
hidden state after the k-th transformer block (k = 1..6); the forward pass
stops after the deepest block asked for. Padded frames are masked out of
attention, so a clip's states do not depend on what it is batched with.
"""

from __future__ import annotations

import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.attn_ln = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.mlp_ln = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.out(self.attend(self.qkv(self.attn_ln(x)), key_mask))
        return x + self.fc2(F.gelu(self.fc1(self.mlp_ln(x))))

    def attend(self, qkv: torch.Tensor, key_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(batch, T, 3 x width) queries, keys and values -> (batch, T, width) attended values."""
        b, t, w3 = qkv.shape
        q, k, v = qkv.view(b, t, 3, self.heads, w3 // 3 // self.heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=key_mask)
        return attended.transpose(1, 2).reshape(b, t, w3 // 3)


class WhisperEncoder(nn.Module):
    def __init__(self, n_mels: int = 80, width: int = 512, heads: int = 8, layers: int = 6,
                 positions: int = 1500):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, width, 3, padding=1)
        self.conv2 = nn.Conv1d(width, width, 3, stride=2, padding=1)
        self.register_buffer("positions", torch.zeros(positions, width))
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_post = nn.LayerNorm(width)

    def forward(self, mel: torch.Tensor, frames: torch.Tensor | None = None,
                blocks: tuple[int, ...] = (6,), final: bool = False) -> dict[int | str, torch.Tensor]:
        """mel (batch, 80, T) -> {block: (batch, T/2, width)}, plus "final" (after
        the last LayerNorm) when `final`. `frames` gives each clip's mel length."""
        x = self.stem(mel, frames)
        steps = x.shape[1]
        key_mask = None
        if frames is not None:
            valid = torch.arange(steps)[None, :] < ((frames + 1) // 2)[:, None]
            key_mask = torch.where(valid, 0.0, float("-inf"))[:, None, None, :].to(x.dtype)
        deepest = len(self.blocks) if final else max(blocks)
        out: dict[int | str, torch.Tensor] = {}
        for k in range(1, deepest + 1):
            x = self.blocks[k - 1](x, key_mask)
            if k in blocks:
                out[k] = x
        if final:
            out["final"] = self.ln_post(x)
        return out

    def stem(self, mel: torch.Tensor, frames: torch.Tensor | None = None) -> torch.Tensor:
        """The convolutions and positions: mel (batch, 80, T) -> (batch, T/2, width)."""
        x = F.gelu(self.conv1(mel))
        if frames is not None:  # zero padded frames, as conv2's own padding would be
            x = x * (torch.arange(x.shape[-1])[None, :] < frames[:, None])[:, None, :]
        return self.add_positions(F.gelu(self.conv2(x)).transpose(1, 2))

    def add_positions(self, x: torch.Tensor) -> torch.Tensor:
        """(..., steps, width) + the learned positions of steps 0..steps-1."""
        steps = x.shape[-2]
        if steps > self.positions.shape[0]:
            raise ValueError(f"{steps} encoder steps exceed the model's {self.positions.shape[0]} (30 s)")
        return x + self.positions[:steps]

    @classmethod
    def from_ct2(cls, variables: dict[str, np.ndarray]) -> WhisperEncoder:
        """Build from CTranslate2 variables (names as in Whisper's model.bin)."""
        layers = len({m.group(1) for n in variables if (m := re.match(r"encoder/layer_(\d+)/", n))})
        heads = int(variables.get("encoder/num_heads", np.array(8)))
        width = variables["encoder/conv1/weight"].shape[0]
        with torch.device("meta"):  # no random initialisation of weights that are replaced at once
            model = cls(variables["encoder/conv1/weight"].shape[1], width, heads, layers,
                        variables["encoder/position_encodings/encodings"].shape[0])

        def t(name: str) -> torch.Tensor:
            return torch.from_numpy(np.asarray(variables[name], dtype=np.float32).copy())

        state = {"conv1.weight": t("encoder/conv1/weight"), "conv1.bias": t("encoder/conv1/bias"),
                 "conv2.weight": t("encoder/conv2/weight"), "conv2.bias": t("encoder/conv2/bias"),
                 "positions": t("encoder/position_encodings/encodings"),
                 "ln_post.weight": t("encoder/layer_norm/gamma"),
                 "ln_post.bias": t("encoder/layer_norm/beta")}
        parts = {"attn_ln": "self_attention/layer_norm", "qkv": "self_attention/linear_0",
                 "out": "self_attention/linear_1", "mlp_ln": "ffn/layer_norm", "fc1": "ffn/linear_0",
                 "fc2": "ffn/linear_1"}
        for i in range(layers):
            for ours, theirs in parts.items():
                prefix = f"encoder/layer_{i}/{theirs}"
                if ours.endswith("ln"):
                    state[f"blocks.{i}.{ours}.weight"] = t(f"{prefix}/gamma")
                    state[f"blocks.{i}.{ours}.bias"] = t(f"{prefix}/beta")
                else:
                    state[f"blocks.{i}.{ours}.weight"] = t(f"{prefix}/weight")
                    state[f"blocks.{i}.{ours}.bias"] = t(f"{prefix}/bias")
        model.load_state_dict(state, assign=True)
        return model.eval()
