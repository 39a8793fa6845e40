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
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
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


# arousal: how activated the voice sounds, valence: how pleasant, each in [0, 1] (0.5: neither);
# their bands low / mid / high (aurora.models.dimensions; params.yaml dimensions).
DIMENSION_COLUMNS = ["arousal", "arousal_band", "valence", "valence_band"]


def file_columns(classes: list[str]) -> list[str]:
    return ["path", "status", "error", "duration_s", "emotion", "confidence", "confidence_band",
            *DIMENSION_COLUMNS, *probability_columns(classes), "shift", "mode", "classes", "model_id",
            "sha256", "timestamp"]


def segment_columns(classes: list[str]) -> list[str]:
    return ["path", "segment", "start_s", "end_s", "status", "emotion", "confidence", "confidence_band",
            *DIMENSION_COLUMNS, *probability_columns(classes), "shift", "model_id"]


def _dimensions(item) -> dict:
    """The arousal and valence columns of a result or segment ("" where it has none)."""
    if item.dimensions is None:
        return dict.fromkeys(DIMENSION_COLUMNS, "")
    (arousal, valence), (arousal_band, valence_band) = item.dimensions, item.bands
    return {"arousal": round(float(arousal), 4), "arousal_band": arousal_band,
            "valence": round(float(valence), 4), "valence_band": valence_band}


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
           **_dimensions(result if result.ok else FileResult(result.path, "")),
           "shift": _rounded(result.shift if result.ok else None),
           "mode": result.mode if result.ok else "", "classes": decision or ",".join(classes),
           "model_id": model_id, "sha256": result.sha256,
           "timestamp": now}
    segments = [{"path": result.path, "segment": i,
                 "start_s": round(s.start_s, 3), "end_s": round(s.end_s, 3),
                 "status": "ok" if s.probabilities is not None else "silent",
                 **_prediction(s.probabilities, classes), **_dimensions(s), "shift": _rounded(s.shift),
                 "model_id": model_id}
                for i, s in enumerate(result.segments)]
    columns, segment_order = file_columns(classes), segment_columns(classes)  # keys in column order
    return {c: row[c] for c in columns}, [{c: s[c] for c in segment_order} for s in segments]


def _read_rows(path: Path | None) -> Iterator[dict]:
    """The rows of a CSV this module wrote, one at a time (none if there is no such file)."""
    if path is None or not path.is_file():
        return
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        yield from csv.DictReader(f)


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> None:
    def write(tmp: Path) -> None:
        # surrogateescape: a file name that is not valid UTF-8 is written back as its own bytes.
        with open(tmp, "w", newline="", encoding="utf-8", errors="surrogateescape") as f:
            writer = csv.DictWriter(f, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    write_atomic(path, write)


def _key(path: str, sha256: str) -> bytes:
    """A file's identity in the store, 16 bytes however long its path."""
    return hashlib.blake2b(f"{path}\0{sha256}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class Finished:
    """What a finished run wrote: its files, ok and error rows, and ok rows per emotion."""
    files: int = 0
    ok: int = 0
    per_emotion: Counter = field(default_factory=Counter)

    @property
    def errors(self) -> int:
        return self.files - self.ok


class ResultStore:
    """The rows of one run: what earlier attempts finished, and what this one adds.

    Rows live on disk, not in memory: the journal holds every row this run and its killed
    attempts finished, and the store keeps only where each file's latest line starts (16 bytes
    of identity and an offset per file), so memory does not grow with the rows' size.
    """

    def __init__(self, out: Path, segments: Path | None, classes: list[str], model_id: str,
                 decision: str = ""):
        self.out, self.segments, self.classes, self.model_id = Path(out), segments, classes, model_id
        # The user's label set (Decision.label, "" = every class): rows decided otherwise are redone.
        self.decision = decision or ",".join(classes)
        self.journal = self.out.with_name(f".{self.out.name}.journal.jsonl")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.journal, "a+b")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            raise OutputBusy(f"another run is writing {self.out} "
                             f"(its journal {self.journal} is locked)") from None
        # _key(path, sha256) -> offset of its line in the journal; None: a row of the previous
        # output, copied into the journal when the run finishes.
        self._done: dict[bytes, int | None] = {}
        self._load_previous()

    def _load_previous(self) -> None:
        self._handle.seek(0)
        offset = 0
        for line in self._handle:
            if not line.endswith(b"\n"):  # a killed run's torn last line: cut it, so appends start clean
                self._handle.truncate(offset)
                break
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                entry = None
            if entry is not None and self._keeps(entry["row"]):
                self._done[_key(entry["row"]["path"], entry["row"]["sha256"])] = offset
            offset += len(line)
        for row in _read_rows(self.out):  # the journal, newer, wins
            if self._keeps(row):
                self._done.setdefault(_key(row["path"], row["sha256"]), None)

    def _keeps(self, row: dict) -> bool:
        """Is this finished row still good for this run (same model and label set, not a retry)?"""
        retry = row.get("status") == "error" and row.get("error", "").startswith(RETRYABLE)
        same_decision = (row.get("classes") or ",".join(self.classes)) == self.decision
        same_model = row.get("model_id") == self.model_id
        dimensions = row.get("status") != "ok" or "arousal" in row  # rows from before arousal are redone
        return bool(row.get("sha256")) and same_model and same_decision and dimensions and not retry

    def is_done(self, path: str, sha256: str) -> bool:
        return bool(sha256) and _key(path, sha256) in self._done

    def _append(self, entries: list[dict]) -> list[int]:
        """Append journal lines durably (one write and fsync); their offsets."""
        # ensure_ascii: names that are not valid UTF-8 survive as escaped surrogates.
        lines = [json.dumps(entry, ensure_ascii=True).encode("ascii") + b"\n" for entry in entries]
        offset = self._handle.seek(0, os.SEEK_END)
        offsets = []
        for line in lines:
            offsets.append(offset)
            offset += len(line)
        self._handle.write(b"".join(lines))
        self._handle.flush()
        os.fsync(self._handle.fileno())
        return offsets

    def add(self, results: list[FileResult]) -> None:
        """Record finished files durably (one journal write per chunk)."""
        entries = []
        for result in results:
            row, segments = result_rows(result, self.classes, self.model_id, self.decision)
            entries.append({"row": row, "segments": segments})
        for entry, offset in zip(entries, self._append(entries), strict=True):
            self._done[_key(entry["row"]["path"], entry["row"]["sha256"])] = offset

    def _entry(self, path: str, sha256: str) -> dict:
        self._handle.seek(self._done[_key(path, sha256)])
        return json.loads(self._handle.readline())

    def _copy_previous(self) -> None:
        """Copy the rows still needed from the previous output into the journal, with their segments."""
        needed = {key for key, offset in self._done.items() if offset is None}
        if not needed:
            return
        segments: dict[str, list[dict]] = {}
        for row in _read_rows(self.segments):
            segments.setdefault(row["path"], []).append(row)
        chunk: list[dict] = []
        for row in _read_rows(self.out):
            key = _key(row["path"], row["sha256"]) if row.get("sha256") else b""
            if key in needed and self._keeps(row):
                needed.discard(key)
                chunk.append({"row": row, "segments": segments.get(row["path"], [])})
            if len(chunk) >= 1000 or (chunk and not needed):
                for entry, offset in zip(chunk, self._append(chunk), strict=True):
                    self._done[_key(entry["row"]["path"], entry["row"]["sha256"])] = offset
                chunk = []

    def finish(self, inputs: list[tuple[str, str]]) -> Finished:
        """Write the CSVs (one row per input, in input order) atomically, reading the rows back from
        the journal one at a time; drop the journal."""
        self._copy_previous()
        done = Finished()

        def rows():
            for path, sha256 in inputs:
                row = self._entry(path, sha256)["row"]
                done.files += 1
                if row["status"] == "ok":
                    done.ok += 1
                    done.per_emotion[row["emotion"]] += 1
                yield row

        _write_csv(self.out, file_columns(self.classes), rows())
        if self.segments is not None:
            _write_csv(self.segments, segment_columns(self.classes),
                       (s for path, sha256 in inputs for s in self._entry(path, sha256)["segments"]))
        self.journal.unlink(missing_ok=True)
        self.close()
        return done

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
