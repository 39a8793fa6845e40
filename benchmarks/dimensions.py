"""What the arousal and valence head costs where the model listens: `Predictor.listen` on the same
clips with the bundle's dimensions read off and with a head of the right shape, alternating.

    RAVDESS_DIR=../shared/data/ravdess python -m benchmarks.dimensions [--clips 32] [--rounds 4]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from aurora.audio.decode import load_mono
from aurora.inference.predictor import Predictor
from aurora.models.dimensions import Head
from stages.paths import MODEL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--model", default=str(MODEL))
    args = parser.parse_args()
    predictor = Predictor(args.model)
    raw = Path(os.environ.get("RAVDESS_DIR", "data/raw/ravdess"))
    clips = sorted(p for p in raw.rglob("*") if p.suffix in (".wav", ".flac"))[:args.clips]
    waves = [predictor.prepare(load_mono(c, predictor.sample_rate)) for c in clips]
    # Timing only: the head's values do not matter, its shape does.
    head = Head(np.random.default_rng(0).normal(scale=1e-3, size=(predictor.config["n_inputs"], 2)),
                np.full(2, 0.5), 1.0)
    predictor.listen(waves[:2])  # warm-up
    seconds: dict[str, list[float]] = {"readoff": [], "head": []}
    for rep in range(args.rounds):
        for method in ("readoff", "head") if rep % 2 == 0 else ("head", "readoff"):
            predictor.dimensions.method = method
            predictor.dimensions.head = head if method == "head" else None
            started = time.perf_counter()
            predictor.listen(waves)
            seconds[method].append(time.perf_counter() - started)
    x = predictor.inputs(waves)
    started = time.perf_counter()
    for _ in range(100):
        head.raw(x)
    alone = (time.perf_counter() - started) / 100
    print(f"{len(waves)} clips per call; seconds per call: "
          + "; ".join(f"{m} {', '.join(f'{s:.2f}' for s in v)} (median {np.median(v):.3f})"
                      for m, v in seconds.items())
          + f"; the head alone {alone * 1000:.2f} ms")


if __name__ == "__main__":
    main()
