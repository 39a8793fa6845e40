"""AURORA: honest, reproducible speech emotion recognition in batch.

The package is the domain layer, one subpackage per concern: audio (decoding),
data (corpora, manifest, labels, splits, augmentation), features (handcrafted),
whisper (the encoder), models, evaluation, reporting, inference, config and
util. It imports neither Prefect nor DVC; `stages/` and `flows/` wrap it for
those tools.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aurora")  # pyproject.toml's, the one place it is written
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "unknown"
