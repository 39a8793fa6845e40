"""Page: upload (or record) a clip and see what the model hears in it."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import streamlit as st

from aurora.audio.decode import load_mono
from aurora.config import predict_config
from aurora.inference.classify import FileResult, classify_files
from aurora.inference.predictor import ModelError, Predictor
from aurora.models.calibration import confidence_band
from aurora.whisper.mel import SAMPLE_RATE
from aurora_app import figures
from aurora_app.uploads import UPLOAD_TYPES, UploadError, save_upload

MIME_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "mp3": "audio/mpeg"}
BAND_COLOURS = {"high": "#1e8e3e", "medium": "#e37400", "low": "#d93025"}  # green / orange / red


@st.cache_resource(show_spinner="Loading the model...")
def load_predictor(model_dir: str, precision: str) -> Predictor:
    return Predictor(model_dir, precision)


def prediction_badge(result: FileResult, classes: list[str]) -> str:
    """The predicted emotion in the colour of its confidence band (the test reads data-emotion)."""
    best = int(np.argmax(result.probabilities))
    confidence = float(result.probabilities[best])
    band = confidence_band(confidence)
    return (f'<div id="aurora-prediction" data-emotion="{classes[best]}" data-band="{band}" '
            f'style="background:{BAND_COLOURS[band]};color:white;padding:0.8em 1.2em;border-radius:0.5em;'
            f'font-size:1.6em;display:inline-block">{html.escape(classes[best])} &middot; '
            f'{confidence:.0%} <span style="font-size:0.6em">({band} confidence)</span></div>')


def shift_note(shift: float | None) -> str:
    """How unlike the training clips this clip is (the test reads data-shift)."""
    if shift is None:
        return ""
    far = shift > 1
    text = (f"Input shift {shift:.2f}: further from the training recordings than they are on average "
            "(1.00), so the confidence has been lowered, and even so it means less than on recordings "
            "like them." if far else f"Input shift {shift:.2f}: within the range of the training "
            "recordings (1.00 on average).")
    return (f'<div id="aurora-shift" data-shift="{shift:.3f}" style="font-size:0.9em">'
            f"{html.escape(text)}</div>")


def dimensions_note(result: FileResult) -> str:
    """The clip's arousal and valence in words (the test reads data-arousal and data-valence)."""
    (arousal, valence), (arousal_band, valence_band) = result.dimensions, result.bands
    return (f'<div id="aurora-dimensions" data-arousal="{arousal:.3f}" data-valence="{valence:.3f}">'
            f"Arousal {arousal:.2f} ({arousal_band}): how activated the voice sounds. "
            f"Valence {valence:.2f} ({valence_band}): how pleasant. Both 0-1, 0.5 = neither; "
            "they do not change the emotion above.</div>")


def _show(figure) -> None:
    st.pyplot(figure)
    plt.close(figure)  # pyplot keeps every figure otherwise, and the server runs for days


def show_result(result: FileResult, predictor: Predictor, y: np.ndarray) -> None:
    st.markdown(prediction_badge(result, predictor.classes), unsafe_allow_html=True)
    st.caption(f"model {predictor.model_id}; {result.mode}; bands: high ≥ 0.70, medium 0.50–0.70, "
               "low < 0.50")
    st.markdown(shift_note(result.shift), unsafe_allow_html=True)
    probs = pd.DataFrame({"emotion": predictor.classes, "probability": result.probabilities})
    left, right = st.columns(2)
    left.bar_chart(probs, x="emotion", y="probability", horizontal=True, sort="-probability")
    if result.dimensions is not None:
        with right:
            st.markdown(dimensions_note(result), unsafe_allow_html=True)
            _show(figures.plane(result.dimensions[1:], result.dimensions[:1], references(predictor),
                                "Arousal × valence"))
    if result.segments:
        _show(figures.timeline(result.segments, predictor.classes))
        rows = [{"start_s": s.start_s, "end_s": s.end_s,
                 "emotion": predictor.classes[int(np.argmax(s.probabilities))]
                 if s.probabilities is not None else "(silent)",
                 "confidence": float(np.max(s.probabilities)) if s.probabilities is not None else None}
                for s in result.segments]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
    _show(figures.waveform(y, SAMPLE_RATE))
    _show(figures.mel_spectrogram(y))
    _show(figures.mfcc(y))
    st.markdown('<div id="aurora-analysis-done"></div>', unsafe_allow_html=True)  # for the browser test


def references(predictor: Predictor) -> dict[str, tuple[float, float]]:
    """Each class at its (arousal, valence) point, for orientation on the plane."""
    return {c: (float(a), float(v)) for c, (a, v) in zip(predictor.classes, predictor.dimensions.points,
                                                        strict=True)}


def analyse(name: str, data: bytes, predictor: Predictor) -> None:
    with tempfile.TemporaryDirectory(prefix="aurora-upload-") as folder:
        try:
            path, seconds = save_upload(name, data, Path(folder))
        except UploadError as exc:
            st.error(str(exc))
            return
        st.audio(data, format=MIME_TYPES[path.suffix.lstrip(".")])
        with st.spinner(f"Classifying {name} ({seconds:.1f} s)..."):
            (result,) = classify_files([str(path)], predictor, predict_config("params.yaml"))
        if not result.ok:
            st.error(f"{name}: {result.error}")
            return
        show_result(result, predictor, load_mono(path, SAMPLE_RATE))


def analyse_page(model_dir: str) -> None:
    st.title("Analyse a clip")
    try:
        predictor = load_predictor(model_dir, predict_config("params.yaml").precision)  # as aurora predict
    except ModelError as exc:
        st.error(str(exc))
        return
    for note in predictor.notes:
        st.info(note)
    st.write("Upload a recording (WAV, FLAC, OGG or MP3, up to 10 minutes) or record one. "
             "Each clip is classified on its own (lone-file mode), as `aurora predict` does.")
    upload = st.file_uploader("Audio file", type=list(UPLOAD_TYPES))
    recording = st.audio_input("Or record from the microphone")
    if upload is not None:
        analyse(upload.name, upload.getvalue(), predictor)
    elif recording is not None:
        analyse("recording.wav", recording.getvalue(), predictor)
