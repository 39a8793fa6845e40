"""Prefect flow `classify_folder`: audio files and folders in, one CSV row per file out.

Files are classified in batches (one Prefect task per `predict.batch_files`
files: a task costs ~10 ms plus logging), several batches at once on local
threads or on a Dask cluster. Finished batches are journalled at once, so an
interrupted run started again with the same arguments resumes where it
stopped (see aurora.inference.output).
"""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from typing import NamedTuple

import torch
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from tqdm import tqdm

import aurora.inference.batches
from aurora.config import PredictConfig, predict_config
from aurora.inference.batches import check_request, plan_batches
from aurora.inference.classify import FileResult, content_sha256
from aurora.inference.discover import NothingToClassify, discover, nothing_found
from aurora.inference.output import ResultStore
from aurora.inference.shared import cached_predictor
from aurora.util.parallel import worker_count
from stages.paths import MODEL


class Batch(NamedTuple):
    """A batch's results in one wrapper: Prefect remembers every object at the top of a task's return
    value for the whole flow run (FlowRunContext.run_results), so a bare list would add an entry
    per file, a wrapper two per batch."""
    results: list[FileResult]


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE, task_run_name="classify {first}")
def classify_batch(paths: list[str], hashes: list[str], model_dir: str, settings: PredictConfig,
                   first: str = "", group_by_folder: bool = False) -> Batch:
    """Classify one batch as the Python API does (aurora.inference.batches); unusable files come
    back as error results, never as a task failure."""
    return Batch(aurora.inference.batches.classify_batch(
        list(zip(paths, hashes, strict=True)), cached_predictor(model_dir, settings.precision), settings,
        group_by_folder=group_by_folder))


def predict_settings(params_file: str | None, **overrides) -> PredictConfig:
    """The `predict` section of params.yaml (defaults if there is none), with CLI overrides."""
    return predict_config(params_file).with_options(**overrides)


@flow(name="classify_folder")
def classify_folder(paths: list[str], out: str, model_dir: str = str(MODEL),
                    recursive: bool = False, segments: str | None = None,
                    settings: PredictConfig | None = None, progress: bool = True,
                    group_by: str = "none") -> dict:
    """Classify every audio file under `paths`; write `out` (and `segments`) as CSV. `group_by`:
    "none" (lone-file) or "folder" (group mode). Returns a summary: files, ok and error counts,
    counts per emotion, throughput."""
    logger = get_run_logger()
    settings = settings or PredictConfig()
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
                    # Absolute paths for the tasks (a Dask worker may run elsewhere); the CSV keeps
                    # each path as the user gave it.
                    given = {os.path.abspath(p): p for p, _ in batch}
                    first = os.path.basename(batch[0][0]).encode("utf-8", "backslashreplace").decode()
                    in_flight.append((given, classify_batch.submit(
                        list(given), [h for _, h in batch], os.path.abspath(model_dir), settings,
                        first=first, group_by_folder=group)))
                if len(in_flight) >= limit or (batch is None and in_flight):
                    given, future = in_flight.popleft()
                    results = future.result().results
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
    create_table_artifact(
        key="classify-folder-summary",
        table=[{"item": k, "value": str(v)} for k, v in summary.items() if k != "per_emotion"]
        + [{"item": f"emotion {e}", "value": str(n)} for e, n in sorted(summary["per_emotion"].items())],
        description=f"Bulk classification of {', '.join(paths)} into {out}")
    return summary


def task_runner(workers: int, dask_address: str | None):
    """Local threads (torch releases the GIL), or a Dask cluster."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    n = worker_count(workers)
    torch.set_num_threads(max(1, worker_count(0) // n))  # n batches at once share the cores
    return ThreadPoolTaskRunner(max_workers=n)


def run_classify(paths: list[str], out: str, *, model_dir: str = str(MODEL),
                 recursive: bool = False, segments: str | None = None, settings: PredictConfig,
                 dask_address: str | None = None, progress: bool = True, group_by: str = "none") -> dict:
    """Run classify_folder with the task runner the settings ask for."""
    # A missing or unusable model is reported before any flow run.
    # So are an unknown class name, group mode on a model without it, and a window too long.
    check_request(cached_predictor(model_dir, settings.precision), settings, group_by)
    # Nothing to classify (an empty, wrong or unmounted folder) is reported before any flow run too.
    if not discover(paths, recursive=recursive, extensions=settings.extensions):
        raise NothingToClassify(nothing_found(paths, recursive=recursive, extensions=settings.extensions))
    runner = task_runner(settings.workers, dask_address)
    return classify_folder.with_options(task_runner=runner)(
        paths, out, model_dir=model_dir, recursive=recursive, segments=segments, settings=settings,
        progress=progress, group_by=group_by)


if __name__ == "__main__":
    import sys

    print(run_classify(sys.argv[1:-1], sys.argv[-1], settings=predict_settings("params.yaml")))
