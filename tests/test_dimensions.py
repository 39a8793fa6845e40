"""Arousal and valence: the table, the head, the read-off, their scoring, and the CSV's columns."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from aurora.config import ConfigError, DimensionsConfig, PredictConfig, params_from_dict
from aurora.evaluation.dimensions import evaluate_dimensions, score_dimension
from aurora.inference.classify import classify_files
from aurora.inference.output import file_columns, result_rows, segment_columns
from aurora.inference.predictor import Predictor
from aurora.models.bundle import CONFIG, read_config
from aurora.models.dimensions import DimensionModel, Head, band, class_points, fit_head, read_off, shrunk
from tests.conftest import HIGH_F0, LOW_F0, voice_like, write_clip

TABLE = DimensionsConfig().table


def test_the_table_places_every_emotion_and_bad_tables_are_clear_errors():
    with pytest.raises(ConfigError, match="must place each emotion"):
        params_from_dict({"dimensions": {"table": {"angry": {"arousal": 0.8, "valence": 0.2}}}})
    table = {e: {"arousal": p.arousal, "valence": p.valence} for e, p in TABLE.items()}
    with pytest.raises(ConfigError, match="arousal and valence must lie in"):
        params_from_dict({"dimensions": {"table": {**table, "sad": {"arousal": 1.5, "valence": 0.1}}}})
    with pytest.raises(ConfigError, match=r"dimensions\.bands"):
        params_from_dict({"dimensions": {"bands": [0.7, 0.3]}})
    with pytest.raises(ConfigError, match="distinct emotions"):
        params_from_dict({"dimensions": {"scored": {"arousal": {"high": ["angry"], "low": ["angry"]},
                                                    "valence": {"high": ["happy"], "low": ["sad"]}}}})


def test_a_merged_class_sits_at_the_mean_point_of_its_emotions():
    points = class_points(["neutral", "angry"], {"calm": "neutral"}, TABLE)
    neutral, calm = TABLE["neutral"], TABLE["calm"]
    np.testing.assert_allclose(points[0], [(neutral.arousal + calm.arousal) / 2,
                                           (neutral.valence + calm.valence) / 2])
    np.testing.assert_allclose(read_off(np.array([[0.0, 1.0], [0.5, 0.5]]), points),
                               [points[1], points.mean(axis=0)])
    with pytest.raises(ValueError, match="no emotion"):
        class_points(["neutral", "positive"], {}, TABLE)


def test_the_head_learns_a_linear_mapping_and_shrinks_far_clips_towards_the_middle():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 40))
    truth = np.clip(0.5 + x @ rng.normal(scale=0.03, size=(40, 2)), 0, 1)
    head = fit_head(x[:2000], truth[:2000], x[2000:], truth[2000:], refit=True)
    assert np.abs(head.raw(x[2000:]) - truth[2000:]).mean() < 0.01
    again = Head.from_dict(json.loads(json.dumps(head.to_dict())))
    np.testing.assert_allclose(again.raw(x[:5]), head.raw(x[:5]), atol=1e-5)
    values = np.array([[0.9, 0.1], [0.9, 0.1]])
    np.testing.assert_allclose(shrunk(values, np.array([0.5, 4.0])), [[0.9, 0.1], [0.6, 0.4]])
    assert [band(v, (0.35, 0.65)) for v in (0.1, 0.35, 0.64, 0.65)] == ["low", "mid", "mid", "high"]


def test_binary_uar_is_per_speaker_and_unscored_emotions_are_left_out():
    names = np.array(["angry", "sad", "angry", "sad", "disgust", "angry", "calm"])
    speakers = np.array(["a", "a", "a", "a", "a", "b", "b"])
    values = np.array([0.9, 0.2, 0.4, 0.3, 0.9, 0.8, 0.7])
    scores = score_dimension(values, names, speakers, ("angry",), ("sad", "calm"), (0.35, 0.65))
    # a: high recall 1/2, low recall 2/2 -> 0.75; b: 1 and 0 -> 0.5
    assert scores["uar"] == {"mean": 0.625, "std": 0.125} and scores["clips"] == 6
    assert scores["high_band"] == {"clips": 3, "accuracy": round(2 / 3, 4)}  # 0.9, 0.8 right; 0.7 calm
    assert scores["low_band"] == {"clips": 2, "accuracy": 1.0}


def test_evaluation_scores_head_and_read_off_per_corpus():
    classes = ["neutral", "happy", "angry"]
    rows = pd.DataFrame({"scope": ["cv"] * 4 + ["loco"] * 2, "speaker_norm": False,
                         "corpus": ["x", "x", "y", "y", "x", "x"],
                         "speaker": ["s1", "s1", "s2", "s2", "s1", "s1"],
                         "label": [0, 2, 0, 2, 0, 2], "prob_neutral": [0.9, 0.1, 0.8, 0.2, 0.6, 0.3],
                         "prob_happy": 0.0, "prob_angry": [0.1, 0.9, 0.2, 0.8, 0.4, 0.7],
                         "head_arousal": [0.3, 0.8, 0.3, 0.8, 0.6, 0.6], "head_valence": 0.5})
    out = evaluate_dimensions(rows, classes, {}, DimensionsConfig(), False)
    assert out["method"] == "readoff" and set(out["cv"]) == {"x", "y"}
    assert out["cv"]["x"]["readoff"]["arousal"]["uar"]["mean"] == 1.0
    assert out["leave_one_corpus_out"]["x"]["head"]["arousal"]["uar"]["mean"] == 0.5
    assert out["cv"]["x"]["head"]["valence"]["clips"] == 1  # angry only: neutral is not scored for valence


def test_an_old_bundle_reads_its_numbers_off_the_probabilities(tiny_model, tmp_path):
    config = read_config(tiny_model)
    assert config["dimensions"]["method"] == "readoff" and "head" not in config["dimensions"]
    predictor = Predictor(tiny_model)
    waves = [predictor.prepare(voice_like(1.3, 16000, f0=f, seed=7)) for f in (LOW_F0, HIGH_F0)]
    heard = predictor.listen(waves)
    np.testing.assert_allclose(heard.dimensions, read_off(heard.probabilities, predictor.dimensions.points))
    assert heard.dimensions[1, 0] > heard.dimensions[0, 0]  # the angry voice is the more aroused


@pytest.fixture
def head_model(tiny_model, tmp_path):
    """tiny_model with a head that says arousal 0.9, valence 0.2 of every clip."""
    directory = tmp_path / "head-model"
    shutil.copytree(tiny_model, directory)
    config = json.loads((directory / CONFIG).read_text())
    points = class_points(config["classes"], {}, TABLE)
    head = Head(np.zeros((config["n_inputs"], 2)), np.array([0.9, 0.2]), 0.01)
    config["dimensions"] = DimensionModel("head", points, (0.35, 0.65), head).to_dict()
    (directory / CONFIG).write_text(json.dumps(config))
    return directory


def test_every_row_has_arousal_and_valence_which_never_change_the_emotion(tiny_model, head_model, tmp_path):
    short = write_clip(tmp_path / "short.wav", seconds=1.2, f0=HIGH_F0)
    long = tmp_path / "long.wav"
    sf.write(long, np.concatenate([voice_like(5.0, 16000, f0=LOW_F0),
                                   voice_like(5.0, 16000, f0=HIGH_F0, seed=2)]), 16000)
    cfg = PredictConfig(window_s=4.0, hop_s=4.0)
    plain = classify_files([str(short), str(long)], Predictor(tiny_model), cfg)
    results = classify_files([str(short), str(long)], Predictor(head_model), cfg)
    restricted = classify_files([str(short)], Predictor(head_model),
                                PredictConfig(classes=("neutral", "angry")))
    for before, after in zip(plain, results, strict=True):
        np.testing.assert_allclose(before.probabilities, after.probabilities)
        np.testing.assert_allclose(after.dimensions, [0.9, 0.2])
        assert after.bands == ("high", "low")
    np.testing.assert_allclose(restricted[0].dimensions, [0.9, 0.2])
    classes = Predictor(head_model).classes
    row, segments = result_rows(results[1], classes, "m")
    assert list(row) == file_columns(classes)
    dims = (row["arousal"], row["arousal_band"], row["valence"], row["valence_band"])
    assert dims == (0.9, "high", 0.2, "low")
    assert segments and all(list(s) == segment_columns(classes) and s["arousal"] == 0.9 for s in segments)
    broken = classify_files([str(tmp_path / "missing.wav")], Predictor(head_model), cfg)[0]
    row, _ = result_rows(broken, classes, "m")
    assert row["status"] == "error" and row["arousal"] == "" and row["valence_band"] == ""
