"""The AURORA web explorer. Started by `aurora app` (which runs `streamlit run` on this file);
the model folder comes after `--`: streamlit run aurora_app/app.py -- --model artifacts/model."""

from __future__ import annotations

import argparse
import sys

import streamlit as st

from aurora_app.analyse import analyse_page
from aurora_app.batch_view import batch_page
from aurora_app.model_view import model_page
from stages.paths import MODEL


def _model_dir() -> str:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--model", default=str(MODEL))
    return parser.parse_known_args(sys.argv[1:])[0].model


st.set_page_config(page_title="AURORA speech emotion explorer", layout="wide")
model_dir = _model_dir()
navigation = st.navigation([
    st.Page(lambda: analyse_page(model_dir), title="Analyse a clip", url_path="analyse", default=True),
    st.Page(lambda: model_page(model_dir), title="Model", url_path="model"),
    st.Page(batch_page, title="Batch results", url_path="batch"),
])
navigation.run()
