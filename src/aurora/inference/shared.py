"""One Predictor per process, model bundle and encoder precision, shared by every caller.

Loading a bundle builds its network and, for Whisper models, the encoder (a second or two,
and most of the model's memory). The command line's flow, its Dask workers and the Python
API (aurora.load_model) all take their predictor from here, so a process that loads one
bundle twice, or classifies many batches, holds and loads it once. A Predictor is safe to
share between threads: classifying reads its weights and settings and changes neither (the
flow's thread pool runs several batches on one).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from aurora.errors import AuroraError
from aurora.inference.predictor import Predictor
from aurora.models.bundle import ModelError
from aurora.util.memory import bound_onednn_cache

_PREDICTORS: dict[tuple[str, str], Predictor] = {}
_LOCK = threading.Lock()


def _load(model_dir: str | Path, precision: str) -> Predictor:
    """A new Predictor; a bundle that is there but unreadable is a ModelError that says so."""
    try:
        return Predictor(model_dir, precision)
    except AuroraError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        # A truncated copy, a bundle of another version, weights that do not fit its config.
        detail = " ".join(str(exc).split())[:300]  # one line: torch's messages span several
        raise ModelError(f"the model bundle in {model_dir} is incomplete or incompatible with this "
                         f"version of AURORA ({type(exc).__name__}: {detail}); train it again "
                         "(`dvc repro`) or copy the whole folder") from exc


def cached_predictor(model_dir: str | Path, precision: str = "", *, reload: bool = False) -> Predictor:
    """The process's Predictor for the bundle in `model_dir` (the same object for every path that
    leads to that folder) at `precision` ("" = the bundle's own), loaded on first use. `reload`:
    load it again from disk and share the new one from now on (after retraining in place)."""
    key = (os.path.realpath(model_dir), precision)
    with _LOCK:
        if reload or key not in _PREDICTORS:
            bound_onednn_cache()  # before the process's first model call (aurora.util.memory)
            _PREDICTORS[key] = _load(model_dir, precision)
        return _PREDICTORS[key]


def loaded_predictors() -> int:
    """How many predictors this process holds."""
    with _LOCK:
        return len(_PREDICTORS)
