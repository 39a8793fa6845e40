"""The `aurora` command line: the top layer, over the domain package and the Prefect flows.

Exit status: 0 when everything worked; 1 on an error that stopped the command;
3 when `aurora predict` finished but some files are error rows in the CSV;
4 when `aurora predict` found no file to classify (one line says where it looked
and for which extensions; no CSV is written).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from aurora import __version__
from aurora.config import PRECISIONS, load_params
from aurora.data.sources import prepare_raw_dir, ravdess_source
from aurora.errors import AuroraError
from stages.paths import MODEL

SOME_FILES_FAILED = 3
NOTHING_TO_CLASSIFY = 4


def _fetch(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    source = Path(args.source) if args.source else ravdess_source()
    print(prepare_raw_dir(Path(params.data.raw_dir), source))
    return 0


def _predict(args: argparse.Namespace) -> int:
    from aurora.data.decision import split_names
    from aurora.inference.discover import NothingToClassify
    from flows.predict import predict_settings, run_predict  # Prefect loads only where a server is set

    classes = split_names(args.classes) or None
    settings = predict_settings(args.params, workers=args.workers, window_s=args.window, hop_s=args.hop,
                                batch_files=args.batch_files, classes=classes, precision=args.precision)
    try:
        summary = run_predict(args.paths, args.out, model_dir=args.model, recursive=args.recursive,
                               segments=args.segments, settings=settings, dask_address=args.dask_address,
                               group_by=args.group_by)
    except NothingToClassify as exc:
        print(f"aurora: {exc}", file=sys.stderr)
        return NOTHING_TO_CLASSIFY
    done_before = summary["files"] - summary["classified_now"]
    print(f"{summary['files']} files ({summary['classified_now']} classified now, "
          f"{done_before} done before): {summary['ok']} ok, {summary['errors']} errors -> {args.out}",
          file=sys.stderr)
    return SOME_FILES_FAILED if summary["errors"] else 0


def _schedule(args: argparse.Namespace) -> int:
    from flows.schedule import serve

    print(f"serving deployment {args.name!r}: classifying new files in {args.path} into {args.out_dir} "
          f"({'cron ' + args.cron if args.cron else f'every {args.interval:g} s'}); Ctrl-C stops",
          file=sys.stderr)
    serve(args.path, args.out_dir, model_dir=args.model, recursive=args.recursive,
          params_file=args.params if Path(args.params).is_file() else None, cron=args.cron,
          interval=args.interval, name=args.name)
    return 0


def _train(args: argparse.Namespace) -> int:
    from flows.train import train_pipeline

    if args.cron or args.interval:
        from flows.signals import stop_on_signals

        stop_on_signals()
        train_pipeline.serve(name="aurora-train", cron=args.cron, interval=args.interval, limit=1,
                             parameters={"repo": str(Path(args.repo).resolve()), "stages": args.stages})
        return 0
    result = train_pipeline(repo=args.repo, stages=args.stages)
    for step in result["stages"]:
        print(f"{step['stage']:<10} {'ran' if step['ran'] else 'up to date':<11} {step['seconds']:>7.1f} s")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from aurora_cli.inspect import inspect

    print(inspect(args.artifact, Path(args.repo), args.json))
    return 0


def _app(args: argparse.Namespace) -> int:
    from aurora_app.launch import launch

    return launch(model_dir=args.model, host=args.host, port=args.port)


def _add_timing(parser: argparse.ArgumentParser, required: bool) -> None:
    when = parser.add_mutually_exclusive_group(required=required)
    when.add_argument("--cron", help='a cron schedule, e.g. "0 * * * *" (hourly)')
    when.add_argument("--interval", type=float, help="run every this many seconds")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aurora", description="AURORA speech emotion recognition")
    parser.add_argument("--version", action="version", version=f"aurora {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser(
        "fetch", help="make data.raw_dir hold RAVDESS: link a local copy or download it")
    fetch.add_argument("source", nargs="?", help="a local RAVDESS folder (default: $RAVDESS_DIR)")
    fetch.add_argument("--params", default="params.yaml")
    fetch.set_defaults(handler=_fetch)

    predict = commands.add_parser(
        "predict", help="classify audio files and folders into a CSV (Prefect flow classify_folder)",
        description="Classify audio files and folders: one CSV row per file. "
                    "Put -- before file names that start with a dash.")
    predict.add_argument("paths", nargs="+", metavar="PATH", help="audio files and/or folders")
    predict.add_argument("--out", required=True, help="the CSV to write (atomically)")
    predict.add_argument("--model", default=str(MODEL), help="a model bundle (default: %(default)s)")
    predict.add_argument("--recursive", action="store_true", help="also classify files in nested folders")
    predict.add_argument("--workers", type=int, help="batches at once (default: params.yaml predict.workers)")
    predict.add_argument("--dask-address", help="run the batches on this Dask scheduler, e.g. tcp://HOST:8786")
    predict.add_argument("--segments", help="also write per-window predictions of long files to this CSV")
    predict.add_argument("--group-by", choices=["none", "folder"], default="none",
                         help="folder: treat each folder as one speaker and adapt to it from its own "
                              "clips (group mode); small or one-sided folders keep lone-file results")
    predict.add_argument("--classes", metavar="A,B,...",
                         help="decide among these of the model's classes only, e.g. neutral,happy,sad,angry "
                              "(probabilities renormalised over them); A+B folds B's probability into A, "
                              "e.g. neutral+calm,happy,sad,angry (default: params.yaml predict.classes, or "
                              "every class)")
    predict.add_argument("--precision", choices=PRECISIONS,
                         help="the Whisper encoder's arithmetic (default: params.yaml predict.precision, or "
                              "the model's whisper.inference_precision); rows done at another one are redone")
    predict.add_argument("--window", type=float, help="window length in seconds for long files")
    predict.add_argument("--hop", type=float, help="seconds between windows")
    predict.add_argument("--batch-files", type=int, help="files per Prefect task")
    predict.add_argument("--params", default="params.yaml",
                         help="predict settings from this file, if it exists (default: %(default)s)")
    predict.set_defaults(handler=_predict)

    schedule = commands.add_parser(
        "schedule", help="serve a Prefect deployment that classifies new files in a folder on a schedule",
        description="Serve a deployment (needs a Prefect server: see README) that classifies the files of "
                    "PATH not classified before, writing a timestamped CSV per run into --out-dir.")
    schedule.add_argument("path", metavar="PATH", help="the folder to watch")
    schedule.add_argument("--out-dir", required=True, help="where each run writes predictions-<time>.csv")
    _add_timing(schedule, required=True)
    schedule.add_argument("--model", default=str(MODEL))
    schedule.add_argument("--recursive", action="store_true")
    schedule.add_argument("--params", default="params.yaml")
    schedule.add_argument("--name", default="aurora-classify", help="the deployment's name")
    schedule.set_defaults(handler=_schedule)

    train = commands.add_parser(
        "train", help="run the DVC pipeline stage by stage as the Prefect flow train_pipeline",
        description="Run `dvc repro STAGE` for every stage as Prefect tasks and publish the metrics and "
                    "confusion matrix as Prefect artifacts; with --cron/--interval, serve it on a schedule.")
    train.add_argument("--repo", default=".", help="the repository holding dvc.yaml")
    train.add_argument("--stages", nargs="+", help="only these stages, in this order")
    _add_timing(train, required=False)
    train.set_defaults(handler=_train)

    inspect = commands.add_parser(
        "inspect", help="summarise every stage's artifacts, or show one (schema, counts, metrics)",
        description="With no ARTIFACT: every stage's outputs, where they are, rows, size, when built, and "
                    "whether DVC says the stage is up to date or stale. With one: a readable view of it.")
    inspect.add_argument("artifact", nargs="?", metavar="ARTIFACT",
                         help="manifest, features, frames, embeddings, splits, model, metrics, "
                              "cv-predictions, group-eval, or a path (e.g. a predictions CSV)")
    inspect.add_argument("--json", action="store_true", help="JSON instead of text, for scripts")
    inspect.add_argument("--repo", default=".", help="the repository holding dvc.yaml (default: %(default)s)")
    inspect.set_defaults(handler=_inspect)

    app = commands.add_parser(
        "app", help="the web explorer (Streamlit): analyse a clip, the model's metrics, batch results",
        description="Start the Streamlit web explorer on HOST:PORT (default 127.0.0.1:8501); Ctrl-C stops.")
    app.add_argument("--model", default=str(MODEL))
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    app.add_argument("--port", type=int, default=8501)
    app.set_defaults(handler=_app)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("aurora: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away, e.g. `aurora inspect | head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except AuroraError as exc:  # a clear message, not a traceback, for errors the user can fix
        print(f"aurora: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
