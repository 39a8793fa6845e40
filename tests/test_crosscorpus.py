"""Cross-corpus evaluation: a labelled folder the model never trained on, scored per speaker."""

from __future__ import annotations

import numpy as np
import pytest

from aurora.config import ConfigError, CorpusSource, PredictConfig
from aurora.evaluation.crosscorpus import corpus_label_sets, evaluate_corpus
from aurora.evaluation.scoring import score_corpus
from aurora.inference.predictor import Predictor
from tests.conftest import HIGH_F0, LOW_F0, write_clip


def test_scores_are_per_speaker_over_shared_emotions_and_unscored_clips_are_left_out():
    classes = ["neutral", "calm", "angry"]
    one_hot = np.eye(3)
    # speaker a: both neutral right, angry called calm; speaker b: all right; "" is not scored
    emotions = ["neutral", "neutral", "angry", "", "neutral", "angry"]
    speakers = ["a", "a", "a", "a", "b", "b"]
    probs = one_hot[[0, 0, 1, 2, 0, 2]] * 0.9 + 0.1 / 3
    s = score_corpus(emotions, speakers, probs, classes)
    assert s["clips"] == 5 and s["shared_emotions"] == ["neutral", "angry"]
    assert s["per_speaker"]["a"]["uar"] == 0.5 and s["per_speaker"]["b"]["uar"] == 1.0
    assert s["uar"] == {"mean": 0.75, "std": 0.25}
    assert s["per_speaker"]["a"]["shares"] == {"neutral": 0.6667, "calm": 0.3333,
                                               "angry": 0.0}
    assert s["confusion"]["counts"] == [[3, 0, 0], [0, 1, 1]]
    assert s["high_band"]["clips"] == 5 and s["high_band"]["accuracy"] == 0.8


def test_a_corpus_is_scored_on_every_class_its_shared_ones_and_those_with_its_folds():
    classes = ["neutral", "calm", "happy", "sad", "surprised"]
    sets = corpus_label_sets(classes, ["sad", "neutral", "happy", "neutral"], {"calm": "neutral"})
    assert list(sets) == ["", ", shared classes", ", shared classes, calm→neutral"]
    assert sets[""] is None and sets[", shared classes"].label == "neutral,happy,sad"
    assert sets[", shared classes, calm→neutral"].label == "neutral+calm,happy,sad"
    probs = np.array([[0.3, 0.4, 0.1, 0.1, 0.1]])  # calm first; folded, neutral wins
    assert sets[", shared classes"].apply(probs).argmax() == 0
    assert sets[", shared classes, calm→neutral"].apply(probs)[0, 0] == pytest.approx(0.7 / 0.9)
    # a fold the model cannot make (its classes lack calm) adds no label set
    assert list(corpus_label_sets(["neutral", "sad"], ["sad", "neutral"], {"calm": "neutral"})) == [
        "", ", shared classes"]


@pytest.fixture
def corpus(tmp_path):
    """An Emo-DB-like folder: two speakers, neutral low voices, angry high ones, boredom, a stray."""
    for speaker in ("03", "08"):
        for k in range(3):
            write_clip(tmp_path / speaker / f"{speaker}a0{k}Na.wav", f0=LOW_F0, seed=k, sr=22050)
            write_clip(tmp_path / speaker / f"{speaker}a0{k}Wa.wav", f0=HIGH_F0, seed=10 + k, sr=22050)
        write_clip(tmp_path / speaker / f"{speaker}b01La.wav", f0=LOW_F0, seed=20)
    write_clip(tmp_path / "03" / "recording 1.wav")
    (tmp_path / "08" / "08b02Wa.wav").write_bytes(b"not audio")
    return tmp_path


LABELS = {"W": "angry", "N": "neutral", "L": ""}


def test_a_labelled_folder_is_classified_as_predict_does_and_scored(tiny_model, corpus):
    source = CorpusSource(reader="emodb", labels=LABELS)
    run = evaluate_corpus("mini", corpus, source, Predictor(tiny_model), PredictConfig())
    s = run.summary
    assert s["status"] == "evaluated" and s["files"] == 16
    assert [r["path"] for r in s["unreadable_names"]] == ["03/recording 1.wav"]
    assert [u["path"] for u in s["unusable"]] == ["08/08b02Wa.wav"]
    assert set(s["modes"]) == {"lone-file", "lone-file, shared classes"}  # the tiny model has no group mode
    lone = s["modes"]["lone-file"]
    assert lone["clips"] == 12 and lone["speakers"] == 2  # boredom is not scored
    assert lone["uar"]["mean"] == 1.0 and lone["largest_share"]["share"] == 0.5
    assert len(run.predictions) == 24 and set(run.predictions.emotion) == {"neutral", "angry"}


def test_a_label_code_missing_from_the_mapping_stops_with_the_codes_named(tiny_model, corpus):
    source = CorpusSource(reader="emodb", labels={"W": "angry"})
    with pytest.raises(ConfigError, match="no entry for label code\\(s\\) L, N"):
        evaluate_corpus("mini", corpus, source, Predictor(tiny_model), PredictConfig())
