"""Audio files and folders in, one CSV row per file out: `aurora predict`'s work, whoever runs
its batches.

`submit` starts one batch and returns a function that waits for its results; the Prefect flow
passes its task (flows/classify.py), the in-process runner a thread pool (flows/in_process.py).
Finished batches are journalled at once, so an interrupted run started again with the same
arguments resumes where it stopped (see aurora.inference.output).
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from aurora.config import PredictConfig
from aurora.inference.batches import check_request, plan_batches
from aurora.inference.classify import FileResult, content_sha256
from aurora.inference.discover import NothingToClassify, discover, nothing_found
from aurora.inference.output import ResultStore
from aurora.inference.shared import cached_predictor
from aurora.util.parallel import worker_count

# submit(paths, hashes, model_dir, settings, first=..., group_by_folder=...) -> wait() -> results
Submit = Callable[..., Callable[[], list[FileResult]]]


def check_before_running(paths: list[str], *, model_dir: str, recursive: bool, settings: PredictConfig,
                         group_by: str) -> None:
    """Raise, before a run starts, what would stop it: a missing or unusable model, an unknown
    class name, group mode on a model without it, nothing to classify (an empty, wrong or
    unmounted folder)."""
    check_request(cached_predictor(model_dir, settings.precision), settings, group_by)
    if not discover(paths, recursive=recursive, extensions=settings.extensions):
        raise NothingToClassify(nothing_found(paths, recursive=recursive, extensions=settings.extensions))


def classify_to_csv(paths: list[str], out: str, *, model_dir: str, recursive: bool, segments: str | None,
                    settings: PredictConfig, progress: bool, group_by: str, submit: Submit,
                    logger: logging.Logger | logging.LoggerAdapter) -> dict:
    """Classify every audio file under `paths`; write `out` (and `segments`) as CSV. `group_by`:
    "none" (lone-file) or "folder" (group mode). Returns a summary: files, ok and error counts,
    counts per emotion, throughput."""
    started = time.perf_counter()
    predictor = cached_predictor(model_dir, settings.precision)  # fails fast, before any work, if no model
    decision = check_request(predictor, settings, group_by)
    for note in predictor.notes:
        logger.warning(note)
    files = discover(paths, recursive=recursive, extensions=settings.extensions)
    if not files:
        raise NothingToClassify(nothing_found(paths, recursive=recursive, extensions=settings.extensions))
    hashes = [content_sha256(Path(p)) for p in files]
    store = ResultStore(Path(out), Path(segments) if segments else None, predictor.classes,
                        predictor.model_id, decision.label if decision else "")
    try:
        todo = [(p, h) for p, h in zip(files, hashes, strict=True) if not store.is_done(p, h)]
        logger.info("%d files; %d done by an earlier attempt; %d to classify with %s",
                    len(files), len(files) - len(todo), len(todo), predictor.model_id)
        group = group_by == "folder"
        batches = plan_batches(todo, list(zip(files, hashes, strict=True)), settings.batch_files, group)
        todo = [item for batch in batches for item in batch]
        # A bounded number of batches in flight keeps memory flat however many files there are.
        in_flight: deque = deque()
        limit = 2 * max(1, worker_count(settings.workers))
        with tqdm(total=len(todo), unit="file", desc="classifying", disable=not progress or None) as bar:
            for batch in batches + [None] * limit:
                if batch is not None:
                    # Absolute paths for the batches (a Dask worker may run elsewhere); the CSV keeps
                    # each path as the user gave it.
                    given = {os.path.abspath(p): p for p, _ in batch}
                    first = os.path.basename(batch[0][0]).encode("utf-8", "backslashreplace").decode()
                    in_flight.append((given, submit(
                        list(given), [h for _, h in batch], os.path.abspath(model_dir), settings,
                        first=first, group_by_folder=group)))
                if len(in_flight) >= limit or (batch is None and in_flight):
                    given, wait = in_flight.popleft()
                    results = wait()
                    for result in results:
                        result.path = given[result.path]
                    store.add(results)
                    bar.update(len(results))
        done = store.finish(list(zip(files, hashes, strict=True)))
    finally:
        store.close()
    seconds = time.perf_counter() - started
    summary = {"files": done.files, "ok": done.ok, "errors": done.errors,
               "classified_now": len(todo), "seconds": round(seconds, 2),
               "files_per_second": round(len(todo) / seconds, 2) if seconds else 0.0,
               "per_emotion": dict(done.per_emotion), "csv": os.path.abspath(out),
               "segments_csv": os.path.abspath(segments) if segments else "", "model_id": predictor.model_id}
    logger.info("wrote %s: %d ok, %d errors, %.1f files/s", out, summary["ok"], summary["errors"],
                summary["files_per_second"])
    return summary
