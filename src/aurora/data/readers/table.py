"""The generic labels table, for the user's own recordings: a CSV with path, emotion, speaker and
optionally corpus and gender, one row per file."""

from __future__ import annotations

import csv
import posixpath
from pathlib import Path, PurePath

from aurora.data.readers.labelled import LabelledFile, Rejected
from aurora.errors import DatasetError

TABLE_COLUMNS = ("path", "emotion", "speaker")  # required; `corpus` and `gender` are optional


def read_table(directory: Path, table: str = "labels.csv") -> tuple[list[LabelledFile], list[Rejected]]:
    """The generic labelled CSV, for the user's own recordings: one row per file with `path`
    (relative to `directory`), `emotion` (the user's label), `speaker`, and optionally `corpus`
    and `gender`. A row without a file, a speaker or a label is rejected with the reason."""
    listing = directory / table
    if not listing.is_file():
        raise DatasetError(f"{listing}: no such labels table (reader csv reads `table` in the "
                           "corpus folder)")
    with listing.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        header = [c.strip() for c in rows.fieldnames or []]
        missing = [c for c in TABLE_COLUMNS if c not in header]
        if missing:
            raise DatasetError(f"{listing}: no column(s) {missing}; it has {header} (needs "
                               f"{list(TABLE_COLUMNS)}, optionally corpus and gender)")
        files, rejected, seen = [], [], set()
        for line, row in enumerate(rows, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            rel = PurePath(row["path"]).as_posix() if row["path"] else ""
            why = _table_problem(directory, rel, row, seen)
            if why:
                rejected.append(Rejected(rel or f"{table} line {line}", f"{table} line {line}: {why}"))
                continue
            seen.add(rel)
            gender = row.get("gender", "").lower()
            files.append(LabelledFile(rel, row["speaker"], row["emotion"], row.get("corpus", ""),
                                      {"f": "female", "m": "male"}.get(gender[:1], "")))
    return files, rejected


def _table_problem(directory: Path, rel: str, row: dict[str, str], seen: set[str]) -> str:
    """Why a labels-table row cannot be used ("" = it can)."""
    if not rel:
        return "no path"
    normal = posixpath.normpath(rel)
    if PurePath(rel).is_absolute() or normal == ".." or normal.startswith("../"):
        return "the path leaves the corpus folder"
    if rel in seen:
        return "the file is listed twice"
    if not (directory / rel).is_file():
        return "no such file"
    if not row["speaker"]:
        return "no speaker"
    return "" if row["emotion"] else "no emotion label"
