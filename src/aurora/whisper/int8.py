"""Whisper's encoder with int8 products whose scales come from each clip alone.

torch's dynamic quantisation takes one activation scale per call, over every row of the batch, so
a batched clip's embedding would depend on its batch-mates; static quantisation would fix the
scales from calibration clips, a statistic that must then never come from an evaluation clip.
Here neither: the clips of a batch are packed row by row (no padding), and each linear layer
quantises every clip's rows with that clip's own range (asymmetric uint8, all 8 bits) and
multiplies them with weights quantised per output channel (int8) in oneDNN's u8 x s8 kernel
(VNNI instructions where the CPU has them), whose integer sums are exact. The two convolutions
are such layers too, over each step's neighbouring frames; LayerNorms and attention run in
float32, attention on each clip alone. A clip's embedding is therefore the same bit for bit
whatever it is batched with, and nothing is learned from any clip but itself. Speed and
accuracy: README, "Benchmarks".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import nn

from aurora.whisper.encoder import WhisperEncoder

# Names this arithmetic in embedding cache keys and in prediction rows' model_id (not the dynamic
# int8 of earlier versions, whose rows and caches said "int8"): change it with the arithmetic.
NAME = "int8-clip"

# torch 2.13 says quantised tensor types will go; we only borrow its quantiser (one pass, over 20x
# faster than torch.ops.quantized_decomposed's) and hand oneDNN the plain uint8 view. One filter at
# import: catch_warnings around each call would not be thread-safe.
warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)


def precision_name(precision: str) -> str:
    """How a precision is named where results computed at it are keyed."""
    return NAME if precision == "int8" else precision


class ClipInt8Linear:
    """A linear layer (optionally followed by exact GELU) whose input is quantised with its own range."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, *, gelu: bool = False):
        weight = weight.detach().float()
        self.weight_scale = (weight.abs().amax(1) / 127).clamp(min=1e-12)
        quantised = torch.round(weight / self.weight_scale[:, None]).clamp(-127, 127).to(torch.int8)
        self.packed = torch.ops.onednn.qlinear_prepack(quantised, None)
        self.weight_zero = torch.zeros(len(quantised), dtype=torch.long)
        self.bias = bias.detach().float()
        self.post_op = "gelu" if gelu else "none"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """x (rows, in), one clip's -> (rows, out) float32."""
        low, high = (v.item() for v in torch.aminmax(x))
        low, high = min(low, 0.0), max(high, 0.0)  # the range holds 0, so zero is exact
        scale = (high - low) / 255 or 1.0  # an all-zero clip: any scale
        zero_point = round(-low / scale)
        quantised = torch.quantize_per_tensor(x.contiguous(), scale, zero_point, torch.quint8)
        return torch.ops.onednn.qlinear_pointwise(
            quantised.view(torch.uint8), scale, zero_point, self.packed, self.weight_scale, self.weight_zero,
            self.bias, 1.0, 0, torch.float32, self.post_op, [], "none")


class PackedInt8Encoder:
    """{block: (steps, width) states} per clip, from a float32 WhisperEncoder's weights."""

    def __init__(self, encoder: WhisperEncoder):
        self.encoder = encoder  # float32: positions, LayerNorms
        # A kernel-3 convolution is a linear layer over each step's 3 neighbouring frames.
        self.convs = [ClipInt8Linear(conv.weight.flatten(1), conv.bias, gelu=True)
                      for conv in (encoder.conv1, encoder.conv2)]
        self.linears = [tuple(ClipInt8Linear(layer.weight, layer.bias, gelu=layer is b.fc1)
                              for layer in (b.qkv, b.out, b.fc1, b.fc2)) for b in encoder.blocks]

    def __call__(self, mels: Sequence[torch.Tensor], blocks: Sequence[int]) -> list[dict[int, torch.Tensor]]:
        """mels: (80, T) each, T even. LayerNorm and the residual sums see every clip's rows at once
        (row by row); everything that quantises or mixes rows sees one clip at a time."""
        clips = [self._stem(mel) for mel in mels]
        lengths = [len(x) for x in clips]
        x = torch.cat(clips)
        states = {}
        for k in range(1, max(blocks) + 1):
            block = self.encoder.blocks[k - 1]
            qkv, out, fc1, fc2 = self.linears[k - 1]
            attended = [out(block.attend(qkv(h)[None])[0]) for h in torch.split(block.attn_ln(x), lengths)]
            x = x + torch.cat(attended)
            x = x + torch.cat([fc2(fc1(h)) for h in torch.split(block.mlp_ln(x), lengths)])
            if k in blocks:
                states[k] = torch.split(x, lengths)
        return [{k: states[k][i] for k in blocks} for i in range(len(mels))]

    def _stem(self, mel: torch.Tensor) -> torch.Tensor:
        """(80, T) -> (T/2, width): WhisperEncoder.stem's convolutions (padding 1; strides 1, 2)."""
        x = self.convs[0](_neighbourhoods(mel, stride=1))
        x = self.convs[1](_neighbourhoods(x.T, stride=2))
        return self.encoder.add_positions(x)


def _neighbourhoods(x: torch.Tensor, stride: int) -> torch.Tensor:
    """(channels, T) -> (steps, channels x 3): each step's frames t-1, t, t+1, zero-padded at the
    ends, in the order of a Conv1d weight's flatten(1)."""
    return nn.functional.pad(x, (1, 1)).unfold(1, 3, stride).permute(1, 0, 2).flatten(1)
