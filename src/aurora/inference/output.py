"""Prediction rows, the resumable journal, and the final CSVs.

Finished rows go to a journal beside the output (`.NAME.journal.jsonl`), one
JSON object per line, flushed and fsynced per chunk: a run killed at any
point loses at most the chunk in flight, and a torn last line is ignored.
Starting the same command again skips every file whose path, content hash
and model are already in the journal (or in a previous output), and the
final CSV, written atomically, holds exactly one row per input file. A lock
on the journal keeps two runs from writing the same output at once.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from aurora.data.labels import probability_columns
from aurora.errors import AuroraError
from aurora.inference.classify import RETRYABLE, FileResult
from aurora.models.calibration import confidence_band
from aurora.util.atomic import write_atomic


class OutputBusy(AuroraError, RuntimeError):
    """Another run is writing the same output."""


def file_columns(classes: list[str]) -> list[str]:
    return ["path", "status", "error", "duration_s", "emotion", "confidence", "confidence_band",
            *probability_columns(classes), "shift", "mode", "classes", "model_id", "sha256", "timestamp"]


def segment_columns(classes: list[str]) -> list[str]:
    return ["path", "segment", "start_s", "end_s", "status", "emotion", "confidence", "confidence_band",
            *probability_columns(classes), "shift", "model_id"]


def _prediction(probs: np.ndarray | None, classes: list[str]) -> dict:
    if probs is None:
        return {"emotion": "", "confidence": "", "confidence_band": "",
                **dict.fromkeys(probability_columns(classes), "")}
    best = int(np.argmax(probs))
    return {"emotion": classes[best], "confidence": round(float(probs[best]), 6),
            "confidence_band": confidence_band(float(probs[best])),
            **{c: round(float(p), 6) for c, p in zip(probability_columns(classes), probs, strict=True)}}


def _rounded(value: float | None) -> float | str:
    return "" if value is None else round(value, 3)


def result_rows(result: FileResult, classes: list[str], model_id: str,
                decision: str = "") -> tuple[dict, list[dict]]:
    """(the file's row, its segment rows) for one classified file; `decision`: the classes it was
    decided among, comma-separated (default: all of `classes`)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    row = {"path": result.path, "status": "ok" if result.ok else "error", "error": result.error,
           "duration_s": "" if result.duration_s is None else round(result.duration_s, 3),
           **_prediction(result.probabilities if result.ok else None, classes),
           "shift": _rounded(result.shift if result.ok else None),
           "mode": result.mode if result.ok else "", "classes": decision or ",".join(classes),
           "model_id": model_id, "sha256": result.sha256,
           "timestamp": now}
    segments = [{"path": result.path, "segment": i,
                 "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3),
                 "status": "ok" if s.probabilities is not None else "silent",
                 **_prediction(s.probabilities, classes), "shift": _rounded(s.shift),
                 "model_id": model_id}
                for i, s in enumerate(result.segments)]
    return row, segments


def _read_csv(path: Path | None) -> list[dict]:
    if path is None or not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        return list(csv.DictReader(f))


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> None:
    def write(tmp: Path) -> None:
        # surrogateescape: a file name that is not valid UTF-8 is written back as its own bytes.
        with open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            writer = csv.DictWriter(f, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    write_atomic(path, write)


class ResultStore:
    """The rows of one run: what earlier attempts finished, and what this one adds."""

    def __init__(self, out: Path, segments: Path | None, classes: list[str], model_id: str,
                 decision: str = ""):
        self.out, self.segments, self.classes, self.model_id = Path(out), segments, classes, model_id
        # The user's label set (Decision.label, "" = every class): rows decided otherwise are redone.
        self.decision = decision or ",".join(classes)
        self.journal = self.out.with_name(f".{self.out.name}.journal.jsonl")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.journal, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            raise OutputBusy(f"another run is writing {self.out} "
                             f"(its journal {self.journal} is locked)") from None
        self.rows: dict[tuple[str, str], dict] = {}  # (path, sha256) -> file row
        self.segment_rows: dict[tuple[str, str], list[dict]] = {}
        self._load_previous()

    def _load_previous(self) -> None:
        previous_segments: dict[str, list[dict]] = {}
        for row in _read_csv(self.segments):
            previous_segments.setdefault(row["path"], []).append(row)
        for row in _read_csv(self.out):
            self._keep(row, previous_segments.get(row["path"], []))
        self._handle.seek(0)
        text = self._handle.read()
        complete = text[: text.rfind("\n") + 1]
        if len(complete) < len(text):  # a killed run's torn last line: cut it, so appends start clean
            self._handle.truncate(len(complete.encode("utf-8")))
        for line in complete.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            self._keep(entry["row"], entry["segments"])

    def _keep(self, row: dict, segments: list[dict]) -> None:
        retry = row.get("status") == "error" and row.get("error", "").startswith(RETRYABLE)
        same_decision = (row.get("classes") or ",".join(self.classes)) == self.decision
        if row.get("sha256") and row.get("model_id") == self.model_id and same_decision and not retry:
            self.rows[(row["path"], row["sha256"])] = row
            self.segment_rows[(row["path"], row["sha256"])] = segments

    def is_done(self, path: str, sha256: str) -> bool:
        return bool(sha256) and (path, sha256) in self.rows

    def add(self, results: list[FileResult]) -> None:
        """Record finished files durably (one journal write per chunk)."""
        lines = []
        for result in results:
            row, segments = result_rows(result, self.classes, self.model_id, self.decision)
            key = (row["path"], row["sha256"])
            self.rows[key], self.segment_rows[key] = row, segments
            # ensure_ascii: names that are not valid UTF-8 survive as escaped surrogates.
            lines.append(json.dumps({"row": row, "segments": segments}, ensure_ascii=True) + "\n")
        self._handle.seek(0, os.SEEK_END)
        self._handle.write("".join(lines))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def finish(self, inputs: list[tuple[str, str]]) -> list[dict]:
        """Write the CSVs (one row per input, in input order) atomically; drop the journal."""
        rows = [self.rows[key] for key in inputs]
        _write_csv(self.out, file_columns(self.classes), rows)
        if self.segments is not None:
            _write_csv(self.segments, segment_columns(self.classes),
                       (s for key in inputs for s in self.segment_rows.get(key, [])))
        self.journal.unlink(missing_ok=True)
        self.close()
        return rows

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
