"""AURORA: honest, reproducible speech emotion recognition in batch.

The package is the domain layer: audio I/O, features, models, metrics and
configuration. It imports neither Prefect nor DVC; `stages/` and `flows/`
wrap it for those tools.
"""

__version__ = "0.1.0"
