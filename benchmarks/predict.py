"""Bulk classification speed and memory: `aurora predict` against the model's own compute.

1. Model compute: the model bundle alone (Whisper log-mel + encoder + head,
   or the handcrafted features + network) on the clips already decoded,
   resampled and trimmed, in batches of `predict.batch_files`.
2. End to end: `aurora predict` on the same files in a fresh process
   (decode, features, model, CSV, Prefect), timed by the flow itself and as
   wall time of the whole command (the latter includes Python and Prefect
   start-up and, without PREFECT_API_URL, a temporary Prefect server).
3. Peak RSS of `aurora predict` for N real clips and for many generated clips
   (`--scale`), to show memory does not grow with the number of files.

    RAVDESS_DIR=../shared/data/ravdess python benchmarks/predict.py --clips 1000 --scale 5000 20000

--precision float32 times the same model with its Whisper encoder in float32 (aurora predict
--precision); by default it listens at its whisper.inference_precision.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import psutil

from aurora.config import PRECISIONS
from stages.paths import MODEL

REPO = Path(__file__).resolve().parents[1]


def pick_clips(raw_dir: Path, n: int) -> list[Path]:
    paths = sorted(p for p in raw_dir.rglob("*") if p.suffix.lower() in {".wav", ".flac"})
    if not paths:
        raise SystemExit(f"no clips under {raw_dir}")
    return [paths[i % len(paths)] for i in range(n)]  # repeats the corpus if n is larger


def model_compute(model: Path, clips: list[Path], batch: int, precision: str) -> float:
    """Seconds the bundle needs for the clips, decoding excluded."""
    from aurora.audio.decode import load_mono
    from aurora.inference.predictor import Predictor

    predictor = Predictor(model, precision)
    for note in predictor.notes:
        print(f"note: {note}", file=sys.stderr)
    waves = [predictor.prepare(load_mono(p, predictor.sample_rate)) for p in clips]
    predictor.probabilities(waves[:8])  # warm-up
    started = time.perf_counter()
    for i in range(0, len(waves), batch):
        predictor.probabilities(waves[i:i + batch])
    return time.perf_counter() - started


class Run(NamedTuple):
    wall_s: float
    peak_rss_mib: float  # the `aurora predict` process's own peak (getrusage)
    tree_peak_mib: float  # the largest sum of RSS over it and its children, sampled every `every_s`
    stderr: str


def tree_rss(proc: psutil.Process) -> int:
    """Bytes resident in a process and all its descendants (e.g. a temporary Prefect server)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # ended between the listing and the reading
            total += p.memory_info().rss
    return total


def run_predict(paths: list[Path], out: Path, model: Path, extra: list[str], every_s: float = 0.2) -> Run:
    """Time one `aurora predict` process and measure its memory, its own and its process tree's."""
    log = out.with_suffix(".log")
    started = time.perf_counter()
    tree_peak = 0
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "aurora_cli.main", "predict", *map(str, paths),
                                 "--out", str(out), "--model", str(model), *extra], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=err)
        watched = psutil.Process(proc.pid)
        while True:
            waited, status, usage = os.wait4(proc.pid, os.WNOHANG)  # this child's own peak RSS
            if waited:
                break
            with contextlib.suppress(psutil.Error):
                tree_peak = max(tree_peak, tree_rss(watched))
            time.sleep(every_s)
    wall = time.perf_counter() - started
    stderr = log.read_text()
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"aurora predict failed:\n{stderr[-3000:]}")
    return Run(wall, usage.ru_maxrss / 1024, max(tree_peak, usage.ru_maxrss * 1024) / 2**20, stderr)


def flow_seconds(stderr: str) -> float:
    """The flow's own timing, from its log line 'wrote ...: N ok, M errors, X files/s'."""
    for line in stderr.splitlines():
        if " files/s" in line and "wrote " in line:
            return float(line.rsplit(",", 1)[1].split()[0])
    return float("nan")


def link_clips(clips: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, clip in enumerate(clips):
        (folder / f"{i:06d}_{clip.name}").symlink_to(clip.resolve())


def generated_clips(folder: Path, n: int) -> None:
    """n short generated voices (one file written, the rest hard links: same audio, own paths)."""
    import numpy as np
    import soundfile as sf

    folder.mkdir(parents=True)
    sr = 16000
    t = np.arange(int(0.6 * sr)) / sr
    y = (0.3 * np.sin(2 * np.pi * 180 * t) * np.hanning(len(t))).astype(np.float32)
    first = folder / "gen_0000000.wav"
    sf.write(first, y, sr)
    for i in range(1, n):
        os.link(first, folder / f"gen_{i:07d}.wav")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--model", default=str(REPO / MODEL))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--scale", type=int, nargs="*", default=[],
                        help="also measure peak RSS on this many generated clips")
    parser.add_argument("--skip-model", action="store_true", help="skip the model-compute measurement")
    parser.add_argument("--precision", choices=PRECISIONS,
                        help="the Whisper encoder's precision (default: the model's inference precision)")
    args = parser.parse_args()
    raw = os.environ.get("RAVDESS_DIR")
    if not raw:
        raise SystemExit("set RAVDESS_DIR to a RAVDESS copy")
    clips = pick_clips(Path(raw), args.clips)
    model = Path(args.model)
    api = os.environ.get("PREFECT_API_URL", "(none: a temporary server per command)")
    extra = ["--precision", args.precision] if args.precision else []
    print(f"model {model} ({args.precision or 'its inference precision'}), {len(clips)} real clips, "
          f"PREFECT_API_URL={api}")
    if not args.skip_model:
        compute = model_compute(model, clips, args.batch, args.precision or "")
        print(f"model compute (decoded clips, batches of {args.batch}): {compute:.1f} s, "
              f"{len(clips) / compute:.1f} clips/s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "real"
        link_clips(clips, folder)
        wall, rss, _, stderr = run_predict([folder], Path(tmp) / "real.csv", model, extra)
        rate = flow_seconds(stderr)
        flow_s = len(clips) / rate if rate == rate and rate else float("nan")
        print(f"aurora predict, {len(clips)} real clips: flow {flow_s:.1f} s ({rate:.1f} clips/s), "
              f"whole command {wall:.1f} s, peak RSS {rss:.0f} MiB")
        if not args.skip_model:
            print(f"end-to-end / model compute: flow {flow_s / compute:.2f}x, "
                  f"whole command {wall / compute:.2f}x")
        for n in args.scale:
            gen = Path(tmp) / f"gen{n}"
            generated_clips(gen, n)
            wall, rss, _, stderr = run_predict([gen], Path(tmp) / f"gen{n}.csv", model, extra)
            print(f"aurora predict, {n} generated 0.6 s clips: whole command {wall:.1f} s "
                  f"({flow_seconds(stderr):.1f} clips/s in the flow), peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
