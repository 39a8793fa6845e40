"""Bulk classification speed and memory: `aurora predict` against the model's own compute.

1. Model compute: the model bundle alone (Whisper log-mel + encoder + head,
   or the handcrafted features + network) on the clips already decoded,
   resampled and trimmed, in batches of `predict.batch_files`.
2. Start-up and one file: a fresh process that imports the code and loads
   the model, and the whole `aurora predict` command on one clip (median of
   `--repeat` runs): the time to a first result.
3. End to end: `aurora predict` on the same files in a fresh process
   (decode, features, model, CSV, and Prefect where a server is set), timed
   by the flow itself and as wall time of the whole command.
2 and 3 run without a Prefect server (in-process, unrecorded) and, where
PREFECT_API_URL is set (a running `prefect server start`), with it.
4. Peak RSS of `aurora predict` for N real clips and for many generated clips
   (`--scale`), to show memory does not grow with the number of files.

    RAVDESS_DIR=../shared/data/ravdess python benchmarks/predict.py --clips 1000 --scale 5000 20000
    PREFECT_API_URL=http://127.0.0.1:4200/api python benchmarks/predict.py   # with a server as well

--precision float32 times the same model with its Whisper encoder in float32 (aurora predict
--precision); by default it listens at its whisper.inference_precision.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import psutil

from aurora.config import PRECISIONS
from flows.prefect_api import configured_api_url
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


def run_predict(paths: list[Path], out: Path, model: Path, extra: list[str], env: dict[str, str],
                every_s: float = 0.2) -> Run:
    """Time one `aurora predict` process and measure its memory, its own and its process tree's."""
    log = out.with_suffix(".log")
    started = time.perf_counter()
    tree_peak = 0
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "aurora_cli.main", "predict", *map(str, paths),
                                 "--out", str(out), "--model", str(model), *extra], cwd=REPO, env=env,
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


def start_up_seconds(model: Path, precision: str) -> float:
    """Wall time of a fresh process that imports what `aurora predict` imports without a server
    and loads the model: what every command pays before its first file."""
    script = ("import sys, flows.in_process; from aurora.inference.shared import cached_predictor; "
              "cached_predictor(sys.argv[1], sys.argv[2])")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(model), precision], cwd=REPO, check=True)
    return time.perf_counter() - started


def servers() -> dict[str, dict[str, str]]:
    """The environments to run `aurora predict` in: without a Prefect server, and with the one
    PREFECT_API_URL names, if any."""
    without = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    found = {"no server": without}
    if os.environ.get("PREFECT_API_URL"):
        found[f"server {os.environ['PREFECT_API_URL']}"] = dict(os.environ)
    return found


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
    parser.add_argument("--repeat", type=int, default=3, help="runs of the start-up and one-file timings")
    parser.add_argument("--precision", choices=PRECISIONS,
                        help="the Whisper encoder's precision (default: the model's inference precision)")
    args = parser.parse_args()
    raw = os.environ.get("RAVDESS_DIR")
    if not raw:
        raise SystemExit("set RAVDESS_DIR to a RAVDESS copy")
    clips = pick_clips(Path(raw), args.clips)
    model = Path(args.model)
    extra = ["--precision", args.precision] if args.precision else []
    environments = servers()
    if not os.environ.get("PREFECT_API_URL"):
        print("PREFECT_API_URL is not set: measuring without a Prefect server only")
    elif configured_api_url() != os.environ["PREFECT_API_URL"]:
        print("note: the active Prefect profile also sets an API URL; 'no server' may use it")
    print(f"model {model} ({args.precision or 'its inference precision'}), {len(clips)} real clips")
    compute = float("nan")
    if not args.skip_model:
        compute = model_compute(model, clips, args.batch, args.precision or "")
        print(f"model compute (decoded clips, batches of {args.batch}): {compute:.1f} s, "
              f"{len(clips) / compute:.1f} clips/s")
    start_up = [start_up_seconds(model, args.precision or "") for _ in range(args.repeat)]
    print(f"start-up (fresh process, imports and model, no file): {_spread(start_up)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "real"
        link_clips(clips, folder)
        for name, env in environments.items():
            one = [run_predict([clips[0]], Path(tmp) / f"one{i}.csv", model, extra, env).wall_s
                   for i in range(args.repeat)]
            print(f"[{name}] aurora predict, one {clips[0].name}: whole command {_spread(one)}")
            wall, rss, _, stderr = run_predict([folder], Path(tmp) / "real.csv", model, extra, env)
            (Path(tmp) / "real.csv").unlink()
            rate = flow_seconds(stderr)
            flow_s = len(clips) / rate if rate == rate and rate else float("nan")
            print(f"[{name}] aurora predict, {len(clips)} real clips: flow {flow_s:.1f} s "
                  f"({rate:.1f} clips/s), whole command {wall:.1f} s, peak RSS {rss:.0f} MiB; "
                  f"against model compute: flow {flow_s / compute:.2f}x, whole command {wall / compute:.2f}x")
        for n in args.scale:
            gen = Path(tmp) / f"gen{n}"
            generated_clips(gen, n)
            wall, rss, _, stderr = run_predict([gen], Path(tmp) / f"gen{n}.csv", model, extra,
                                               dict(os.environ))
            print(f"aurora predict, {n} generated 0.6 s clips: whole command {wall:.1f} s "
                  f"({flow_seconds(stderr):.1f} clips/s in the flow), peak RSS {rss:.0f} MiB")


def _spread(seconds: list[float]) -> str:
    return (f"median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}, "
            f"{len(seconds)} runs)")


if __name__ == "__main__":
    main()
