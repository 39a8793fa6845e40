"""Speed of the features stage against a seed-style extractor, same real clips.

The seed-style extractor is what typical RAVDESS repositories do:
``librosa.load(path)`` at 22,050 Hz, then separate ``mfcc``, ``chroma_stft``,
``spectral_contrast`` and ``melspectrogram`` calls, each computing its own
STFT, averaged over time. AURORA's extractor computes a richer set (deltas,
centroid, roll-off, ZCR, RMS, F0, percentiles and frame sequences) from one
STFT. Each method runs in its own process with one thread, so figures are
per core. Prints clips/s, the ratio, the decode-only bound and where
AURORA's time goes.

    RAVDESS_DIR=../shared/data/ravdess python benchmarks/features.py --clips 200
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

WARMUP = 3  # clips run before timing (imports, filter banks, FFT plans)


def pick_clips(raw_dir: Path, n: int) -> list[Path]:
    """`n` clips spread evenly over the sorted corpus (every actor and emotion)."""
    paths = sorted(p for p in raw_dir.rglob("*") if p.suffix.lower() in {".wav", ".flac"})
    if len(paths) < n:
        raise SystemExit(f"only {len(paths)} clips under {raw_dir}, asked for {n}")
    step = len(paths) / n
    return [paths[int(i * step)] for i in range(n)]


def seed_style(path: Path) -> None:
    import librosa
    import numpy as np

    y, sr = librosa.load(path)
    np.hstack([
        np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40).T, axis=0),
        np.mean(librosa.feature.chroma_stft(y=y, sr=sr).T, axis=0),
        np.mean(librosa.feature.spectral_contrast(y=y, sr=sr).T, axis=0),
        np.mean(librosa.feature.melspectrogram(y=y, sr=sr).T, axis=0),
    ])


def _aurora_parts(timings: dict[str, float] | None):
    from aurora.audio.decode import load_mono
    from aurora.config import load_params
    from aurora.features.build import extractor_for

    params = load_params(Path(__file__).resolve().parents[1] / "params.yaml")
    extractor = extractor_for(params.features, params.audio)
    rate = params.audio.sample_rate

    def decode(path: Path):
        return load_mono(path, rate)

    def full(path: Path) -> None:
        start = time.perf_counter()
        y = load_mono(path, rate)
        mid = time.perf_counter()
        y = extractor.prepare(y)
        trimmed = time.perf_counter()
        clip = extractor.frames(y, timings)
        done = time.perf_counter()
        extractor.statistics(clip, len(y) / rate)
        end = time.perf_counter()
        if timings is not None:
            for name, seconds in (("decode+resample", mid - start), ("silence trim", trimmed - mid),
                                  ("statistics", end - done)):
                timings[name] = timings.get(name, 0.0) + seconds

    return decode, full


def run_method(method: str, paths: list[Path], one_thread: bool) -> dict:
    from threadpoolctl import threadpool_limits

    if one_thread:
        threadpool_limits(1)
    timings: dict[str, float] = {}
    if method == "seed":
        fn = seed_style
    else:
        decode, full = _aurora_parts(timings if method == "aurora" else None)
        fn = decode if method == "decode" else full
    for path in paths[:WARMUP]:
        fn(path)
    timings.clear()
    start = time.perf_counter()
    for path in paths:
        fn(path)
    seconds = time.perf_counter() - start
    return {"method": method, "clips": len(paths), "seconds": seconds,
            "clips_per_s": len(paths) / seconds,
            "breakdown_ms": {k: 1e3 * v / len(paths) for k, v in timings.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=200)
    parser.add_argument("--raw-dir", default=os.environ.get("RAVDESS_DIR", "data/raw/ravdess"))
    parser.add_argument("--method", choices=["seed", "decode", "aurora"], help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--all-threads", action="store_true",
                        help="let numpy/BLAS use every core (default: one thread, i.e. per core)")
    args = parser.parse_args()
    paths = pick_clips(Path(args.raw_dir), args.clips)

    if args.method:  # child process: one method, JSON on stdout
        print(json.dumps(run_method(args.method, paths, one_thread=not args.all_threads)))
        return

    env = dict(os.environ) if args.all_threads else {
        **os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    results = {}
    for method in ("seed", "decode", "aurora"):
        flags = ["--all-threads"] if args.all_threads else []
        out = subprocess.run([sys.executable, __file__, "--method", method, "--clips", str(args.clips),
                              "--raw-dir", args.raw_dir, *flags], env=env, capture_output=True, text=True,
                             check=True)
        results[method] = json.loads(out.stdout.strip().splitlines()[-1])

    seed, decode, aurora = results["seed"], results["decode"], results["aurora"]
    threads = "all threads" if args.all_threads else "one thread"
    print(f"{args.clips} clips from {args.raw_dir}, one process and {threads} per method\n")
    print(f"{'method':44s} {'clips/s':>8s} {'ms/clip':>8s}")
    rows = [("seed-style (librosa.load 22.05 kHz, 4 STFTs)", seed),
            ("decode only (soundfile + mono + soxr 16 kHz)", decode),
            ("aurora features (1 STFT, F0, stats, frames)", aurora)]
    for label, r in rows:
        print(f"{label:44s} {r['clips_per_s']:8.1f} {1e3 / r['clips_per_s']:8.2f}")
    ratio = aurora["clips_per_s"] / seed["clips_per_s"]
    print(f"\nspeed-up over seed-style ({threads}): {ratio:.2f}x")
    print("\nwhere aurora's time goes (ms per clip):")
    for name, ms in sorted(aurora["breakdown_ms"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:20s} {ms:6.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({**results, "speedup": ratio}, indent=2))


if __name__ == "__main__":
    main()
