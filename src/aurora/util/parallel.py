"""Map a function over items in worker processes, or on a Dask cluster, in order, with a progress bar.

A Dask scheduler's address (the one `aurora predict --dask-address` uses) comes
from $AURORA_DASK_ADDRESS; the features and embed stages then send their clips
there instead of the local process pool. Workers must see the same files (a
shared filesystem, or the same machine), so paths are absolute. Results are the
same as a local run: the same function on the same items, collected in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from tqdm import tqdm

from aurora.util.librosa_warmup import warm_librosa

T = TypeVar("T")
R = TypeVar("R")

DASK_ADDRESS_ENV = "AURORA_DASK_ADDRESS"


def dask_address(environ=os.environ) -> str | None:
    """The Dask scheduler to run on ($AURORA_DASK_ADDRESS, e.g. tcp://10.0.0.5:8786), or None."""
    return environ.get(DASK_ADDRESS_ENV, "").strip() or None


def worker_count(requested: int) -> int:
    """`requested` processes, or one per usable core when it is 0."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def compute_threads(requested: int) -> int:
    """Threads for one task's numerics: `requested`, else one inside a Dask worker (the cluster
    runs one task per worker thread, as it was sized), else every usable core."""
    if requested > 0:
        return requested
    try:
        from distributed import get_worker

        get_worker()
        return 1
    except (ImportError, ValueError):  # not inside a Dask worker
        return worker_count(0)


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
    dask: str | None = None,
) -> Iterator[R]:
    """Yield fn(item) for every item, in input order; on the Dask scheduler at `dask` if given."""
    items = list(items)
    n = min(worker_count(workers), len(items))
    bar = tqdm(total=len(items), desc=desc, unit=unit, disable=not items, mininterval=1.0)
    with bar:
        if dask and items:
            yield from _dask_map(fn, items, dask, chunksize, bar)
            return
        if n <= 1:
            for item in items:
                yield fn(item)
                bar.update()
            return
        # Compile librosa's numba functions here, once: workers compiling them at the same time
        # can corrupt numba's on-disk cache (see aurora.util.librosa_warmup); forked workers inherit the code.
        warm_librosa()
        # fork: workers inherit the parent's read-only data (e.g. a training corpus)
        # instead of receiving a pickled copy per task.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n, mp_context=context, initializer=_single_threaded_numerics) as pool:
            for result in pool.map(fn, items, chunksize=chunksize):
                yield result
                bar.update()


def _run_batch(fn: Callable[[T], R], batch: list[T]) -> list[R]:
    # A Dask worker is a fresh process: it loads librosa's numba code under the same lock first.
    # Each task sizes its own threads (compute_threads), as a local worker process is single-threaded.
    warm_librosa()
    return [fn(item) for item in batch]


def _dask_map(fn: Callable[[T], R], items: list[T], address: str, chunksize: int, bar: tqdm) -> Iterator[R]:
    from distributed import Client

    batches = [items[i:i + chunksize] for i in range(0, len(items), chunksize)]
    with Client(address, set_as_default=False) as client:
        futures = client.map(_run_batch, [fn] * len(batches), batches, pure=False)
        for future in futures:  # in order; the cluster works ahead
            for result in future.result():
                yield result
                bar.update()
