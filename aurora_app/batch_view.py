"""Page: load a predictions CSV from `aurora predict`, filter, sort and plot it."""

from __future__ import annotations

import io
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import streamlit as st

from aurora.config import DimensionsConfig
from aurora.data.labels import PROBABILITY_PREFIX
from aurora_app import figures

LABELLED = 40  # files on the plane are named up to this many

REQUIRED = {"path", "status", "emotion", "confidence", "confidence_band"}


def read_predictions(data: bytes) -> pd.DataFrame:
    """The CSV with numbers as numbers; ValueError with a readable message if it is not one of ours."""
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"not a readable CSV ({exc})") from None
    missing = REQUIRED - set(frame.columns)
    if missing:
        absent = ", ".join(sorted(missing))
        raise ValueError(f"not a predictions CSV from `aurora predict`: no {absent} column")
    probabilities = [c for c in frame.columns if c.startswith(PROBABILITY_PREFIX)]
    numeric = ["duration_s", "confidence", "shift", "arousal", "valence", *probabilities]
    for column in numeric:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def batch_page() -> None:
    st.title("Batch results")
    upload = st.file_uploader("A predictions CSV written by `aurora predict`", type=["csv"])
    if upload is None:
        return
    try:
        frame = read_predictions(upload.getvalue())
    except ValueError as exc:
        st.error(f"{upload.name}: {exc}")
        return
    left, middle, right = st.columns(3)
    status = left.multiselect("Status", sorted(frame.status.unique()), default=sorted(frame.status.unique()))
    emotions = sorted(e for e in frame.emotion.unique() if e)
    chosen = middle.multiselect("Emotion", emotions, default=emotions)
    least = right.slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05)
    text = st.text_input("Path contains")
    shown = frame[frame.status.isin(status)
                  & (frame.emotion.isin(chosen) | (frame.status == "error"))
                  & ((frame.confidence.fillna(0) >= least) | (frame.status == "error"))]
    if text:
        shown = shown[shown.path.str.contains(text, regex=False)]
    # shift: how unlike the training recordings a file is (1 = their average); CSVs from before it lack it
    keys = ["path", "confidence", "emotion", "duration_s", "status", *(["shift"] if "shift" in frame else [])]
    sort_by = st.selectbox("Sort by", keys)
    shown = shown.sort_values(sort_by, ascending=sort_by not in ("confidence", "shift"), kind="stable")
    ok = shown[shown.status == "ok"]
    st.write(f"{len(shown)} of {len(frame)} files: {len(ok)} ok, {len(shown) - len(ok)} errors")
    st.dataframe(shown, hide_index=True)
    if len(ok):
        one, two = st.columns(2)
        one.subheader("Files per emotion")
        one.bar_chart(ok.emotion.value_counts())
        two.subheader("Confidence")
        counts, edges = np.histogram(ok.confidence, bins=10, range=(0, 1))
        two.bar_chart(pd.DataFrame({"files": counts}, index=[f"{e:.1f}" for e in edges[:-1]]))
        show_plane(ok)


def show_plane(ok: pd.DataFrame) -> None:
    """The files shown on the arousal x valence plane (CSVs from before arousal have none)."""
    if "arousal" not in ok or "valence" not in ok:
        return
    placed = ok.dropna(subset=["arousal", "valence"])
    if not len(placed):
        return
    st.subheader("Arousal × valence")
    names = [os.path.basename(p) for p in placed.path] if len(placed) <= LABELLED else None
    table = {e: (p.arousal, p.valence) for e, p in DimensionsConfig().table.items()}
    figure = figures.plane(placed.valence.to_numpy(), placed.arousal.to_numpy(), table,
                           f"{len(placed)} files", names)
    st.pyplot(figure, width="content")
    plt.close(figure)
    # After the figure: the browser test waits for this line, then finds the picture above it.
    st.markdown(f'<div id="aurora-plane" data-files="{len(placed)}">Each file at its valence (how pleasant) '
                "and arousal (how activated), both 0-1, 0.5 = neither; the emotions at their places in "
                "params.yaml's dimensions.table for orientation.</div>", unsafe_allow_html=True)
