"""Page: what the model is and how well it does on unseen actors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from aurora.models.bundle import MODEL_CARD
from aurora.reporting.artifacts import describe_metrics, describe_model
from stages.paths import METRICS, PER_CLASS, PLOTS, beside_model


def model_page(model_dir: str) -> None:
    st.title("Model")
    model = Path(model_dir)
    if not (model / "config.json").is_file():
        st.error(f"no model in {model}: run `dvc repro` to train one, or start the app with --model DIR")
        return
    info = describe_model(model)
    st.write(f"**{info['id']}**: {info['model']} on {', '.join(info['feature_sources'])} features, "
             f"{info['inputs']} inputs; temperature {info['temperature']}; "
             f"group mode {'available' if info['group_mode'] else 'not available'}.")
    st.write("Classes: " + ", ".join(info["classes"]))
    st.write(info["arousal_and_valence"])
    metrics = beside_model(model, METRICS)
    if metrics.is_file():
        view = describe_metrics(metrics, beside_model(model, PER_CLASS))
        st.subheader("Cross-validation on unseen actors")
        if view["note"]:
            st.info(view["note"])
        st.dataframe(pd.DataFrame(view["modes"]), hide_index=True)
        if view["group_mode"]:
            st.subheader("Group mode (folders of one speaker)")
            st.dataframe(pd.DataFrame(view["group_mode"]), hide_index=True)
        if view["arousal_and_valence"]:
            st.subheader("Arousal and valence (binary UAR, mean ± std over speakers)")
            st.dataframe(pd.DataFrame(view["arousal_and_valence"]), hide_index=True)
        if view["per_class"]:
            st.subheader("Per class (mean ± std over folds)")
            st.dataframe(pd.DataFrame(view["per_class"]), hide_index=True)
    else:
        st.warning(f"no metrics beside this model ({metrics}): `dvc repro` writes them")
    for title, image in (("Confusion matrix", "confusion.png"), ("Per-class metrics", "per_class.png")):
        path = beside_model(model, PLOTS) / image
        if path.is_file():
            st.subheader(title)
            st.image(str(path))
    card = model / MODEL_CARD
    if card.is_file():
        with st.expander("Model card", expanded=False):
            st.markdown(card.read_text())
