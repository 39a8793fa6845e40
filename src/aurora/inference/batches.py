"""A classification request in batches: what the Prefect flow (flows/classify.py, one task per
batch), `aurora predict` without a server (flows/in_process.py, a thread per batch) and the
Python API (aurora.inference.api) run, so they cannot drift."""

from __future__ import annotations

import os

from aurora.config import ConfigError, PredictConfig
from aurora.data.decision import Decision
from aurora.inference.classify import FileResult, classify_files
from aurora.inference.predictor import Predictor
from aurora.models.bundle import ModelError
from aurora.util.memory import release_free_memory
from aurora.util.parallel import worker_count

GROUP_BY = ("none", "folder")  # lone-file, or each folder one speaker (group mode)
# A batch that raises (not a bad file: those are error rows) is tried again, e.g. after a Dask
# worker was lost; the Prefect task and the in-process runner both take these.
BATCH_RETRIES = 2
BATCH_RETRY_DELAY_S = 2.0


def threads_per_batch(workers: int) -> int:
    """Torch threads for each of `workers` batches classified at once (0: one per core): they
    share the cores instead of each taking them all."""
    return max(1, worker_count(0) // worker_count(workers))


def check_request(predictor: Predictor, settings: PredictConfig, group_by: str) -> Decision | None:
    """The user's label set (None: every class), after checking, before any file is read, what
    would otherwise fail every file: an unknown `group_by`, group mode on a model without it, a
    window longer than the model reads, a class the model does not have (ConfigError or
    ModelError, with a message saying what to change)."""
    if group_by not in GROUP_BY:
        raise ConfigError(f"group_by must be 'none' or 'folder', not {group_by!r}")
    if group_by == "folder" and predictor.group is None:
        raise ModelError("this model has no group mode (train.group_mode: true, an utterance model "
                         "without SMOTE); classify without grouping by folder")
    if settings.window_s > predictor.max_window_s:
        raise ConfigError(f"predict.window_s {settings.window_s:g} s is longer than this model reads "
                          f"({predictor.max_window_s:g} s)")
    return predictor.decision(settings.classes)


def plan_batches(todo: list[tuple[str, str]], everything: list[tuple[str, str]], batch_files: int,
                 group_by_folder: bool) -> list[list[tuple[str, str]]]:
    """Batches of (path, sha256). In group mode a batch is a whole folder, redone in full if any
    of its files is not done, since each file's result depends on the folder's other files."""
    if not group_by_folder:
        return [todo[i:i + batch_files] for i in range(0, len(todo), batch_files)]
    unfinished = {os.path.dirname(p) for p, _ in todo}
    folders: dict[str, list[tuple[str, str]]] = {}
    for path, digest in everything:
        if os.path.dirname(path) in unfinished:
            folders.setdefault(os.path.dirname(path), []).append((path, digest))
    return list(folders.values())


def classify_batch(batch: list[tuple[str, str]], predictor: Predictor, settings: PredictConfig,
                   group_by_folder: bool = False) -> list[FileResult]:
    """One batch of (path, sha256) classified (aurora.inference.classify.classify_files: one
    result per file, in order, failures as results), then its freed memory given back."""
    try:
        return classify_files([p for p, _ in batch], predictor, settings, dict(batch),
                              group_by_folder=group_by_folder)
    finally:
        release_free_memory()  # this batch's freed activations (aurora.util.memory)
