"""AURORA: honest, reproducible speech emotion recognition in batch.

The package is the domain layer, one subpackage per concern: audio (decoding),
data (corpora, manifest, labels, splits, augmentation), features (handcrafted),
whisper (the encoder), models, evaluation, reporting, inference, config and
util. It imports neither Prefect nor DVC; `stages/` and `flows/` wrap it for
those tools.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("aurora")  # pyproject.toml's, the one place it is written
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "unknown"

# The Python API (README, "From Python"), loaded on first use: `import aurora` stays light (no
# torch) for the command line and for code that needs only the version or the config.
_API = {"load_model": "aurora.inference.api", "Model": "aurora.inference.api",
        "AuroraError": "aurora.errors", "ModelError": "aurora.models.bundle",
        "NothingToClassify": "aurora.inference.discover", "PredictConfig": "aurora.config"}

__all__ = ["AuroraError", "Model", "ModelError", "NothingToClassify", "PredictConfig", "__version__",
           "load_model"]

if TYPE_CHECKING:
    from aurora.config import PredictConfig
    from aurora.errors import AuroraError
    from aurora.inference.api import Model, load_model
    from aurora.inference.discover import NothingToClassify
    from aurora.models.bundle import ModelError


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'aurora' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
