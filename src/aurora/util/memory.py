"""Keeping a long bulk run's native memory flat, whatever the number of files.

Measured on `aurora predict` (#35; figures in docs/results.md, "Prediction
throughput and memory"): the Python heap stayed small while the process grew
with the number of files, from two native causes, both driven by the Whisper
encoder's batch shapes, which change from batch to batch (clips are encoded at
their own length, batched by length):

- oneDNN, under torch's bfloat16 matrix products, caches a primitive per
  shape, up to 1,024 of them by default. Creating one per call cost no
  measurable speed, so bulk runs keep none.
- glibc keeps the freed activations of each shape in its per-thread arenas,
  where the next batch's other shapes fit badly; trimming after each batch
  gives the pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

ONEDNN_CACHE_VARIABLE = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"


def bound_onednn_cache(capacity: int = 0) -> None:
    """Hold oneDNN's primitive cache to `capacity` entries (unless the variable is set already).
    oneDNN reads it when it first creates a primitive, so call this before the first model call
    in the process: later calls change nothing."""
    os.environ.setdefault(ONEDNN_CACHE_VARIABLE, str(capacity))


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim; elsewhere nothing)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
