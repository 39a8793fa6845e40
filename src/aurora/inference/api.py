"""The Python API: load a trained model once, classify files, folders or arrays, get DataFrames.

    import aurora
    model = aurora.load_model("artifacts/model")
    frame = model.predict(["clips/", "call.mp3"])  # the columns of `aurora predict --out`

Plain Python: no Prefect server and no DVC. `aurora predict` (the classify_folder flow) runs the
same calls: its batches are aurora.inference.batches.classify_batch on the predictor of
aurora.inference.shared, its rows aurora.inference.output.result_rows, so the two agree row for
row (tests/test_api.py compares them).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from aurora.audio.arrays import as_frames_by_channels
from aurora.config import PredictConfig
from aurora.data.decision import Decision, split_names
from aurora.inference.batches import check_request, classify_batch, plan_batches
from aurora.inference.classify import FileResult, classify_samples, content_sha256
from aurora.inference.discover import NothingToClassify, discover, nothing_found
from aurora.inference.frames import files_frame, segments_frame
from aurora.inference.output import result_rows
from aurora.inference.predictor import Predictor
from aurora.inference.shared import cached_predictor

PathLike = str | os.PathLike
Frames = tuple[pd.DataFrame, pd.DataFrame]  # (one row per file, one row per window of long files)


class Model:
    """A trained model bundle, ready to classify; made by `load_model`. Safe to share between
    threads; every Model of one bundle and precision shares one loaded predictor."""

    def __init__(self, predictor: Predictor, settings: PredictConfig):
        self._predictor, self.settings = predictor, settings

    @property
    def classes(self) -> list[str]:
        """The emotions the model tells apart, in the order of the prob_ columns."""
        return list(self._predictor.classes)

    @property
    def model_id(self) -> str:
        """`<model>-<weights hash>-<encoder precision>`, the rows' model_id."""
        return self._predictor.model_id

    @property
    def has_group_mode(self) -> bool:
        """Whether `predict(..., group_by="folder")` is available."""
        return self._predictor.group is not None

    @property
    def notes(self) -> list[str]:
        """What to know about how this model listens on this machine (also warned at loading)."""
        return list(self._predictor.notes)

    def __repr__(self) -> str:
        return f"<aurora.Model {self.model_id}: {', '.join(self.classes)}>"

    @overload
    def predict(self, paths: PathLike | Iterable[PathLike], *, recursive: bool = ...,
                classes: str | Sequence[str] | None = ..., group_by: Literal["none", "folder"] = ...,
                window_s: float | None = ..., hop_s: float | None = ...,
                segments: Literal[False] = ...) -> pd.DataFrame: ...

    @overload
    def predict(self, paths: PathLike | Iterable[PathLike], *, recursive: bool = ...,
                classes: str | Sequence[str] | None = ..., group_by: Literal["none", "folder"] = ...,
                window_s: float | None = ..., hop_s: float | None = ...,
                segments: Literal[True]) -> Frames: ...

    def predict(self, paths, *, recursive=False, classes=None, group_by="none", window_s=None, hop_s=None,
                segments=False):
        """Classify audio files and the audio files in folders, as `aurora predict` does.

        paths: a file or folder, or several; folders give their files with the settings'
            extensions (nested folders too with `recursive`), files named directly are read
            whatever their extension.
        classes: decide among these of the model's classes only, "a,b,c" or ["a", "b"]; "a+b"
            folds b into a (`--classes`). None: the settings' (every class by default).
        group_by: "folder" treats each folder as one speaker and adapts to it (group mode, if
            the model has it); "none" classifies each file on its own.
        window_s, hop_s: files longer than window_s are classified window by window.
        segments: also return the windows of long files, as `--segments` writes them.

        Returns a DataFrame with one row per file, in path order, with the columns of the CSV
        `aurora predict` writes (numbers NaN where the CSV is empty); a file that cannot be
        classified is a row with status "error" and the reason in `error`, never an exception.
        With `segments`, a (files, segments) pair. Raises NothingToClassify (an AuroraError)
        when the paths hold no audio file, ConfigError or ModelError for options the model or
        settings cannot take.
        """
        settings = self._settings(classes, window_s, hop_s)
        decision = check_request(self._predictor, settings, group_by)
        named = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        files = discover(named, recursive=recursive, extensions=settings.extensions)
        if not files:
            raise NothingToClassify(nothing_found(named, recursive=recursive, extensions=settings.extensions))
        items = [(path, content_sha256(Path(path))) for path in files]
        group = group_by == "folder"
        done: dict[str, FileResult] = {}
        for batch in plan_batches(items, items, settings.batch_files, group):
            done.update((result.path, result) for result in
                        classify_batch(batch, self._predictor, settings, group_by_folder=group))
        return self._frames([done[path] for path in files], decision, segments)

    @overload
    def predict_array(self, samples: np.ndarray, sample_rate: int, *, name: str = ...,
                      classes: str | Sequence[str] | None = ..., window_s: float | None = ...,
                      hop_s: float | None = ..., segments: Literal[False] = ...) -> pd.DataFrame: ...

    @overload
    def predict_array(self, samples: np.ndarray, sample_rate: int, *, name: str = ...,
                      classes: str | Sequence[str] | None = ..., window_s: float | None = ...,
                      hop_s: float | None = ..., segments: Literal[True]) -> Frames: ...

    def predict_array(self, samples, sample_rate, *, name="<array>", classes=None, window_s=None,
                      hop_s=None, segments=False):
        """Classify audio already in memory, exactly as a file holding it would be (lone-file).

        samples: (frames,) mono, (frames, channels) as soundfile reads or (channels, frames) as
            librosa and torchaudio give (the shorter axis is the channels); floats in [-1, 1] or
            integer PCM. Any rate: it is resampled like a file.
        sample_rate: samples per second of `samples`.
        name: the row's `path`. Its `sha256` identifies the samples.
        classes, window_s, hop_s, segments: as in `predict`.

        Returns a one-row DataFrame with the columns of `predict` (status "error" for silence),
        or (files, segments) with `segments`. Raises TypeError for what is not an array of
        numbers, ValueError for a wrong shape, no samples, NaN or infinity, a bad rate, or audio
        shorter than the settings' min_duration_s.
        """
        settings = self._settings(classes, window_s, hop_s)
        decision = check_request(self._predictor, settings, "none")
        frames = as_frames_by_channels(samples, sample_rate, settings.min_duration_s)
        result = classify_samples(frames, sample_rate, name, self._predictor, settings)
        return self._frames([result], decision, segments)

    def _settings(self, classes: str | Sequence[str] | None, window_s: float | None,
                  hop_s: float | None) -> PredictConfig:
        if isinstance(classes, str):
            classes = split_names(classes)  # "neutral+calm,happy" as on the command line
        return self.settings.with_options(classes=None if classes is None else tuple(classes),
                                          window_s=window_s, hop_s=hop_s)

    def _frames(self, results: list[FileResult], decision: Decision | None,
                segments: bool) -> pd.DataFrame | Frames:
        rows = [result_rows(r, self.classes, self.model_id, decision.label if decision else "")
                for r in results]
        files = files_frame([row for row, _ in rows], self.classes)
        if not segments:
            return files
        return files, segments_frame([s for _, windows in rows for s in windows], self.classes)


def load_model(model_dir: PathLike, *, precision: str | None = None, settings: PredictConfig | None = None,
               reload: bool = False) -> Model:
    """The model bundle in `model_dir` (`artifacts/model` after `make run`), ready to classify.

    precision: the Whisper encoder's arithmetic, "float32", "bfloat16" or "int8" (`--precision`);
        None: the settings', by default the model's own.
    settings: the prediction settings (aurora.config.PredictConfig; defaults as in params.yaml,
        or `aurora.config.predict_config("params.yaml")` for a repository's own).
    reload: read the bundle again even if this process has loaded it (after retraining).

    A bundle is loaded once per process (and precision): loading it again, from here or by the
    flow, shares the loaded model. Raises ModelError (an AuroraError) when `model_dir` holds no
    bundle, or one this version cannot read; ConfigError for a bad precision.
    """
    settings = (settings or PredictConfig()).with_options(precision=precision)
    predictor = cached_predictor(model_dir, settings.precision, reload=reload)
    for note in predictor.notes:
        warnings.warn(note, stacklevel=2)
    return Model(predictor, settings)
