"""Scheduled classification: a Prefect deployment that classifies the new files of a folder.

Each run writes `predictions-<UTC time>.csv` into the output folder for the
files that no earlier run's CSV lists (same path and content), so no file is
classified twice; files modified in the last seconds wait for the next run.
A run that finds nothing new writes no CSV (its log and artifact say so); one that finds no
file at all (an empty, wrong or unmounted folder) logs that as a warning, naming
the folder and the extensions it looked for, and the deployment goes on.
Serving needs a real Prefect server (`prefect server start`): the temporary
one a plain flow run starts never fires schedules.
"""

from __future__ import annotations

import csv
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger

from aurora.inference.classify import content_sha256
from aurora.inference.discover import discover, nothing_found
from flows.classify import classify_folder
from flows.predict import predict_settings
from flows.signals import stop_on_signals
from stages.paths import MODEL

CSV_GLOB = "predictions-*.csv"


def classified_before(out_dir: Path) -> set[tuple[str, str]]:
    """(path, sha256) of every file in the CSVs earlier runs wrote: the CSVs are the record, so a
    run killed after writing its CSV cannot cause a second classification."""
    seen = set()
    for path in out_dir.glob(CSV_GLOB):
        with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
            seen.update((row["path"], row["sha256"]) for row in csv.DictReader(f) if row.get("sha256"))
    return seen


@flow(name="classify_new_files")
def classify_new_files(path: str, out_dir: str, model_dir: str = str(MODEL),
                       recursive: bool = False, params_file: str | None = "params.yaml",
                       settle_s: float = 2.0) -> str:
    """Classify files in `path` not classified by an earlier run; returns the CSV written ("" if none).
    Files modified in the last `settle_s` seconds wait for the next run (they may still be copying)."""
    logger = get_run_logger()
    settings = predict_settings(params_file)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seen = classified_before(out)
    # A missing folder (wrong or unmounted) is nothing to classify, like an empty one: not a file.
    files = (discover([path], recursive=recursive, extensions=settings.extensions)
             if os.path.isdir(path) else [])
    if not files:
        logger.warning(nothing_found([path], recursive=recursive, extensions=settings.extensions))
        return ""
    now = time.time()
    settled = [p for p in files if not os.path.exists(p) or now - os.path.getmtime(p) >= settle_s]
    new = [p for p in settled if (p, content_sha256(Path(p))) not in seen]
    if not new:
        logger.info("no new files in %s (%d seen before)", path, len(files))
        return ""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S_%fZ")
    csv_path = out / f"predictions-{stamp}.csv"
    classify_folder(new, str(csv_path), model_dir=model_dir, settings=settings, progress=False)
    logger.info("classified %d new files into %s", len(new), csv_path)
    return str(csv_path)


def serve(path: str, out_dir: str, *, model_dir: str, recursive: bool, params_file: str | None,
          cron: str | None = None, interval: float | None = None, name: str = "aurora-classify") -> None:
    """Serve the deployment until interrupted (Ctrl-C or SIGTERM)."""
    parameters = {"path": os.path.abspath(path), "out_dir": os.path.abspath(out_dir),
                  "model_dir": os.path.abspath(model_dir), "recursive": recursive,
                  "params_file": os.path.abspath(params_file) if params_file else None}
    stop_on_signals()
    classify_new_files.serve(name=name, cron=cron, interval=interval, parameters=parameters, limit=1)
