"""Classify a batch of files: one result per file, never an exception.

Short files are classified whole, together in one model call. Long files are
classified window by window; their file-level probabilities are the mean of
the windows' probabilities weighted by each window's speech duration (after
the silence trim), and each window is reported as a segment. Arousal and
valence (aurora.models.dimensions) come with every file and segment the same
way: lone-file, whatever the label set or group mode, and averaged like the
probabilities over a long file's windows.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aurora.audio.arrays import ArrayAudio, samples_sha256
from aurora.audio.decode import AudioError
from aurora.audio.windows import WindowReader
from aurora.config import PredictConfig
from aurora.data.decision import Decision
from aurora.inference.predictor import Assessment, Predictor

WINDOW_BATCH = 16  # windows of a long file per model call: bounds memory


@dataclass
class Segment:
    start_s: float
    end_s: float
    probabilities: np.ndarray | None  # None: silent, skipped
    shift: float | None = None  # input shift (aurora.models.calibration.input_shift)
    dimensions: np.ndarray | None = None  # arousal, valence in [0, 1]
    bands: tuple[str, str] = ("", "")  # arousal_band, valence_band


@dataclass
class FileResult:
    path: str
    sha256: str  # "" when the file could not be read
    duration_s: float | None = None
    probabilities: np.ndarray | None = None
    shift: float | None = None  # how unlike the training clips (aurora.models.calibration.input_shift)
    error: str = ""
    segments: list[Segment] = field(default_factory=list)
    mode: str = "lone-file"  # or "group", or why a group kept its lone-file predictions
    dimensions: np.ndarray | None = None  # arousal, valence in [0, 1] (aurora.models.dimensions)
    bands: tuple[str, str] = ("", "")  # arousal_band, valence_band: low, mid or high

    @property
    def ok(self) -> bool:
        return not self.error


RETRYABLE = ("internal error", "model failed")  # error rows a rerun tries again


def content_sha256(path: Path) -> str:
    """SHA-256 of a regular file's bytes ("" if unreadable or not a regular file, e.g. a FIFO,
    which would block): with the path, identifies work already done."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


SILENT = "silent (no 25 ms stretch louder than {:g} dBFS)"


def _classify_windows(reader: WindowReader, result: FileResult, predictor: Predictor,
                      decision: Decision | None) -> None:
    """A long file: every window a segment; the file's probabilities and shift are their
    speech-duration-weighted means."""
    total, shifted, weight, dimensions = np.zeros(len(predictor.classes)), 0.0, 0.0, np.zeros(2)
    pending: list[tuple[Segment, np.ndarray]] = []

    def flush() -> None:
        nonlocal total, shifted, weight, dimensions
        if not pending:
            return
        heard = predictor.listen([y for _, y in pending], decision)
        for i, (segment, y) in enumerate(pending):
            _record(segment, heard, i, predictor)
            speech_s = predictor.speech_seconds(y)
            total, shifted = total + speech_s * heard.probabilities[i], shifted + speech_s * heard.shift[i]
            dimensions, weight = dimensions + speech_s * heard.dimensions[i], weight + speech_s
        pending.clear()

    for window in reader:
        segment = Segment(window.start_s, window.end_s, None)
        result.segments.append(segment)
        if not window.silent:
            pending.append((segment, predictor.prepare(window.samples)))
        if len(pending) >= WINDOW_BATCH:
            flush()
    flush()
    if weight == 0:
        result.error = SILENT.format(reader.silence_dbfs)
    else:
        result.probabilities, result.shift = total / weight, float(shifted / weight)
        result.dimensions = dimensions / weight
        result.bands = predictor.bands(result.dimensions)


def _record(item: Segment | FileResult, heard: Assessment, i: int, predictor: Predictor) -> None:
    """Row `i` of an assessment into a segment or a file's result."""
    item.probabilities, item.shift = heard.probabilities[i], float(heard.shift[i])
    item.dimensions = heard.dimensions[i]
    item.bands = predictor.bands(item.dimensions)


def _read(result: FileResult, source: Path | ArrayAudio, predictor: Predictor, cfg: PredictConfig,
          decision: Decision | None) -> np.ndarray | None:
    """The prepared waveform of a short file; None when the file is done (error, or long)."""
    with WindowReader(source, predictor.sample_rate, cfg.window_s, cfg.hop_s, cfg.silence_dbfs) as reader:
        result.duration_s = reader.duration_s
        if reader.duration_s < cfg.min_duration_s:
            result.error = f"too short ({reader.duration_s:.2f} s < {cfg.min_duration_s:g} s)"
            return None
        if reader.duration_s > cfg.window_s:
            _classify_windows(reader, result, predictor, decision)
            result.mode = "lone-file, windows"
            return None
        (window,) = list(reader)
        if window.silent:
            result.error = SILENT.format(cfg.silence_dbfs)
            return None
        return predictor.prepare(window.samples)


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, AudioError) else f"internal error: {type(exc).__name__}: {exc}"


def by_folder(items, path_of) -> dict:
    """Items grouped by the folder of their path, in first-seen order: group mode's groups."""
    folders: dict[str, list] = {}
    for item in items:
        folders.setdefault(os.path.dirname(path_of(item)), []).append(item)
    return folders


def _classify_groups(short: list[tuple[FileResult, np.ndarray]], predictor: Predictor,
                     decision: Decision | None) -> None:
    for members in by_folder(short, lambda item: item[0].path).values():
        try:
            heard, mode = predictor.group_listen([y for _, y in members], decision)
        except Exception as exc:
            for result, _ in members:
                result.error = f"model failed: {_describe(exc)}"
            continue
        for i, (result, _) in enumerate(members):
            _record(result, heard, i, predictor)
            result.mode = mode


Waiting = list[tuple[FileResult, np.ndarray]]  # short files read, awaiting a decision


def _read_each(results: list[FileResult], sources: list[Path | ArrayAudio], predictor: Predictor,
               cfg: PredictConfig, decision: Decision | None) -> Waiting:
    """Read every source into its result (see `read_files`): the short ones awaiting a decision."""
    short: Waiting = []
    for result, source in zip(results, sources, strict=True):
        try:
            y = _read(result, source, predictor, cfg, decision)
            if y is not None:
                short.append((result, y))
        except Exception as exc:  # one file's failure must not end the batch
            result.error = _describe(exc)
    return short


def read_files(paths: list[str], predictor: Predictor, cfg: PredictConfig,
               hashes: dict[str, str] | None = None,
               decision: Decision | None = None) -> tuple[list[FileResult], Waiting]:
    """One FileResult per path, in order, and the prepared waveforms of the short files, which
    still await a decision. Long recordings are classified here, window by window (lone-file);
    unusable files are done too, as results with `error` set."""
    hashes = hashes or {}
    results = [FileResult(p, hashes[p] if p in hashes else content_sha256(Path(p))) for p in paths]
    return results, _read_each(results, [Path(p) for p in paths], predictor, cfg, decision)


def _decide_lone(short: Waiting, predictor: Predictor, decision: Decision | None) -> None:
    """Short files classified each on its own (lone-file), in one model call."""
    try:
        heard = predictor.listen([y for _, y in short], decision)
        for i, (result, _) in enumerate(short):
            _record(result, heard, i, predictor)
    except Exception:  # find the file that breaks the batch; the others still get results
        for result, y in short:
            try:
                _record(result, predictor.listen([y], decision), 0, predictor)
            except Exception as exc:
                result.error = f"model failed: {_describe(exc)}"


def classify_files(paths: list[str], predictor: Predictor, cfg: PredictConfig,
                   hashes: dict[str, str] | None = None, group_by_folder: bool = False) -> list[FileResult]:
    """One FileResult per path, in order; failures become results with `error` set. With
    `group_by_folder`, the short files of each folder are classified as one group (group mode);
    long recordings are classified by windows, lone-file. `cfg.classes`, when given, is the
    user's label set (aurora.data.decision): every file is decided among those classes."""
    decision = predictor.decision(cfg.classes)
    results, short = read_files(paths, predictor, cfg, hashes, decision)
    if short and group_by_folder:
        _classify_groups(short, predictor, decision)
    elif short:
        _decide_lone(short, predictor, decision)
    return results


def classify_samples(frames: np.ndarray, sample_rate: int, name: str, predictor: Predictor,
                     cfg: PredictConfig) -> FileResult:
    """Audio in memory, float32 (frames, channels) at any rate (aurora.audio.arrays checks it),
    classified exactly as a file with those samples would be (lone-file): one result named
    `name`, its sha256 that of the samples."""
    decision = predictor.decision(cfg.classes)
    result = FileResult(name, samples_sha256(frames, sample_rate))
    short = _read_each([result], [ArrayAudio(frames, sample_rate)], predictor, cfg, decision)
    if short:
        _decide_lone(short, predictor, decision)
    return result
