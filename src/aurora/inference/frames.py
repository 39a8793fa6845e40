"""Result rows (aurora.inference.output.result_rows) as pandas DataFrames with the CSVs' columns.

The CSV writes a missing number as an empty field; here it is NaN, so that numeric columns are
numbers whatever the rows hold. Text stays text ("" where the CSV is empty).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurora.data.labels import probability_columns
from aurora.inference.output import file_columns, segment_columns

_NUMBERS = ("duration_s", "confidence", "arousal", "valence", "shift", "start_s", "end_s")


def _frame(rows: list[dict], columns: list[str], numbers: set[str]) -> pd.DataFrame:
    data = {c: np.array([np.nan if row[c] == "" else row[c] for row in rows], np.float64) if c in numbers
            else pd.Series([str(row[c]) for row in rows], dtype=str) for c in columns}
    return pd.DataFrame(data, columns=columns)


def files_frame(rows: list[dict], classes: list[str]) -> pd.DataFrame:
    """One row per file, the columns of `aurora predict --out`."""
    return _frame(rows, file_columns(classes), {*_NUMBERS, *probability_columns(classes)})


def segments_frame(rows: list[dict], classes: list[str]) -> pd.DataFrame:
    """One row per window of a long file, the columns of `aurora predict --segments`."""
    frame = _frame(rows, segment_columns(classes), {"segment", *_NUMBERS, *probability_columns(classes)})
    return frame.astype({"segment": np.int64})  # a window's number, never missing
