"""Prefect flow `classify_folder`: audio files and folders in, one CSV row per file out.

Files are classified in batches (one Prefect task per `predict.batch_files`
files: a task costs ~10 ms plus logging), several batches at once on local
threads or on a Dask cluster; the work itself, journal and resume included, is
aurora.inference.to_csv's, which `aurora predict` also runs without Prefect
where no server is configured (flows/predict.py).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

import aurora.inference.batches
from aurora.config import PredictConfig, predict_config
from aurora.inference.batches import BATCH_RETRIES, BATCH_RETRY_DELAY_S, threads_per_batch
from aurora.inference.classify import FileResult
from aurora.inference.shared import cached_predictor
from aurora.inference.to_csv import check_before_running, classify_to_csv
from aurora.util.parallel import worker_count
from stages.paths import MODEL

__all__ = ["classify_batch", "classify_folder", "run_classify", "task_runner"]


class Batch(NamedTuple):
    """A batch's results in one wrapper: Prefect remembers every object at the top of a task's return
    value for the whole flow run (FlowRunContext.run_results), so a bare list would add an entry
    per file, a wrapper two per batch."""
    results: list[FileResult]


@task(retries=BATCH_RETRIES, retry_delay_seconds=BATCH_RETRY_DELAY_S, cache_policy=NO_CACHE,
      task_run_name="classify {first}")
def classify_batch(paths: list[str], hashes: list[str], model_dir: str, settings: PredictConfig,
                   first: str = "", group_by_folder: bool = False) -> Batch:
    """Classify one batch (aurora.inference.batches); unusable files come back as error results,
    never as a task failure."""
    return Batch(aurora.inference.batches.classify_batch(
        list(zip(paths, hashes, strict=True)), cached_predictor(model_dir, settings.precision), settings,
        group_by_folder=group_by_folder))


def _submit_task(*args, **kwargs):
    """One batch as a Prefect task run (aurora.inference.to_csv's `submit`)."""
    future = classify_batch.submit(*args, **kwargs)
    return lambda: future.result().results


@flow(name="classify_folder")
def classify_folder(paths: list[str], out: str, model_dir: str = str(MODEL),
                    recursive: bool = False, segments: str | None = None,
                    settings: PredictConfig | None = None, progress: bool = True,
                    group_by: str = "none") -> dict:
    """Classify every audio file under `paths`; write `out` (and `segments`) as CSV. `group_by`:
    "none" (lone-file) or "folder" (group mode). Returns a summary: files, ok and error counts,
    counts per emotion, throughput."""
    summary = classify_to_csv(paths, out, model_dir=model_dir, recursive=recursive, segments=segments,
                              settings=settings or PredictConfig(), progress=progress, group_by=group_by,
                              submit=_submit_task, logger=get_run_logger())
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
    torch.set_num_threads(threads_per_batch(workers))
    return ThreadPoolTaskRunner(max_workers=worker_count(workers))


def run_classify(paths: list[str], out: str, *, model_dir: str = str(MODEL),
                 recursive: bool = False, segments: str | None = None, settings: PredictConfig,
                 dask_address: str | None = None, progress: bool = True, group_by: str = "none") -> dict:
    """Run classify_folder with the task runner the settings ask for."""
    # Reported before any flow run: it would only fail.
    check_before_running(paths, model_dir=model_dir, recursive=recursive, settings=settings,
                         group_by=group_by)
    runner = task_runner(settings.workers, dask_address)
    return classify_folder.with_options(task_runner=runner)(
        paths, out, model_dir=model_dir, recursive=recursive, segments=segments, settings=settings,
        progress=progress, group_by=group_by)


if __name__ == "__main__":
    import sys

    print(run_classify(sys.argv[1:-1], sys.argv[-1], settings=predict_config("params.yaml")))
