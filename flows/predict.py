"""`aurora predict`'s entry: the settings, and where the run goes.

A configured Prefect server (flows.prefect_api) or a Dask cluster: the Prefect flow
classify_folder, recorded as today. Neither: the same work in this process, without a
temporary Prefect server and without importing Prefect (flows.in_process), and one line says
the run is not recorded. Either way the CSV, journal and resume are aurora.inference.to_csv's.
"""

from __future__ import annotations

from aurora.config import PredictConfig, predict_config
from flows.prefect_api import configured_api_url


def predict_settings(params_file: str | None, **overrides) -> PredictConfig:
    """The `predict` section of params.yaml (defaults if there is none), with CLI overrides."""
    return predict_config(params_file).with_options(**overrides)


def run_predict(paths: list[str], out: str, *, model_dir: str, recursive: bool = False,
                segments: str | None = None, settings: PredictConfig, dask_address: str | None = None,
                progress: bool = True, group_by: str = "none") -> dict:
    """Classify `paths` into `out`; returns classify_folder's summary."""
    if dask_address or configured_api_url():
        from flows.classify import run_classify  # Prefect loads only here

        return run_classify(paths, out, model_dir=model_dir, recursive=recursive, segments=segments,
                            settings=settings, dask_address=dask_address, progress=progress,
                            group_by=group_by)
    from flows.in_process import run_in_process

    return run_in_process(paths, out, model_dir=model_dir, recursive=recursive, segments=segments,
                          settings=settings, progress=progress, group_by=group_by)
