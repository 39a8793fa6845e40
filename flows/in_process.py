"""`aurora predict` without a Prefect server: the flow's work in this process, unrecorded.

With no server configured, a Prefect flow run starts a temporary server for the one command
and stops it at the end, most of the time one file took, and importing Prefect is a large part
of the rest (docs/results.md, Start-up time). Here the same work (aurora.inference.to_csv)
runs its batches on a thread pool, with the Prefect task's retries, and nothing imports Prefect.
"""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import torch

from aurora.config import PredictConfig
from aurora.inference.batches import BATCH_RETRIES, BATCH_RETRY_DELAY_S, classify_batch, threads_per_batch
from aurora.inference.classify import FileResult
from aurora.inference.shared import cached_predictor
from aurora.inference.to_csv import check_before_running, classify_to_csv
from aurora.util.parallel import worker_count

NOT_RECORDED = ("aurora: no Prefect server configured (PREFECT_API_URL): classifying in this process; "
                "this run is not recorded in Prefect")


def _logger() -> logging.Logger:
    """Progress lines on stderr, as a flow run logs them."""
    logger = logging.getLogger("aurora.predict")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)-7s | %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _batch_with_retries(paths: list[str], hashes: list[str], model_dir: str, settings: PredictConfig,
                        first: str = "", group_by_folder: bool = False) -> list[FileResult]:
    """flows.classify.classify_batch's work and retries, without its task run."""
    retries = BATCH_RETRIES
    while True:
        try:
            return classify_batch(list(zip(paths, hashes, strict=True)),
                                  cached_predictor(model_dir, settings.precision), settings,
                                  group_by_folder=group_by_folder)
        except Exception as exc:
            if not retries:
                raise
            retries -= 1
            _logger().warning("batch from %s failed (%s); retrying in %g s", first, exc, BATCH_RETRY_DELAY_S)
            time.sleep(BATCH_RETRY_DELAY_S)


def run_in_process(paths: list[str], out: str, *, model_dir: str, recursive: bool, segments: str | None,
                   settings: PredictConfig, progress: bool, group_by: str) -> dict:
    """classify_folder's result, computed here on `settings.workers` threads."""
    check_before_running(paths, model_dir=model_dir, recursive=recursive, settings=settings,
                         group_by=group_by)
    print(NOT_RECORDED, file=sys.stderr)
    torch.set_num_threads(threads_per_batch(settings.workers))
    with ThreadPoolExecutor(max_workers=worker_count(settings.workers)) as pool:
        def submit(*args, **kwargs):
            return pool.submit(_batch_with_retries, *args, **kwargs).result

        return classify_to_csv(paths, out, model_dir=model_dir, recursive=recursive, segments=segments,
                               settings=settings, progress=progress, group_by=group_by, submit=submit,
                               logger=_logger())
