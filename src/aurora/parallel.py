"""Map a function over items in worker processes, in order, with a progress bar."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from tqdm import tqdm

from aurora.jit import warm_librosa

T = TypeVar("T")
R = TypeVar("R")


def worker_count(requested: int) -> int:
    """`requested` processes, or one per usable core when it is 0."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _single_threaded_numerics() -> None:
    # Each worker is one core's worth of work; BLAS threads would oversubscribe.
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def parallel_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int = 0,
    desc: str = "",
    chunksize: int = 8,
    unit: str = "clip",
) -> Iterator[R]:
    """Yield fn(item) for every item, in input order."""
    items = list(items)
    n = min(worker_count(workers), len(items))
    bar = tqdm(total=len(items), desc=desc, unit=unit, disable=not items, mininterval=1.0)
    with bar:
        if n <= 1:
            for item in items:
                yield fn(item)
                bar.update()
            return
        # Compile librosa's numba functions here, once: workers compiling them at the same time
        # can corrupt numba's on-disk cache (see aurora.jit); forked workers inherit the code.
        warm_librosa()
        # fork: workers inherit the parent's read-only data (e.g. a training corpus)
        # instead of receiving a pickled copy per task.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n, mp_context=context, initializer=_single_threaded_numerics) as pool:
            for result in pool.map(fn, items, chunksize=chunksize):
                yield result
                bar.update()
