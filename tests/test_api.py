"""The Python API (aurora.load_model): files, arrays, options and errors, agreement with the CLI's
CSV, sharing one loaded model, and the README's "From Python" example."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import aurora
from aurora.config import ConfigError
from aurora.inference.output import file_columns, segment_columns
from aurora.inference.shared import cached_predictor, loaded_predictors
from tests.conftest import HIGH_F0, LOW_F0, REPO, voice_like, write_clip


@pytest.fixture(scope="module")
def model(tiny_model):
    return aurora.load_model(tiny_model)


@pytest.fixture(scope="module")
def group_model(tiny_model, tmp_path_factory):
    """The tiny model with a group mode: its own network over the two voices' class means."""
    from aurora.models.group import GroupModel, class_means
    from aurora.models.saving import load_bundle, save_bundle

    network, config = load_bundle(tiny_model)
    predictor = cached_predictor(tiny_model)
    waves = [predictor.prepare(voice_like(1.5, 16000, f0=(LOW_F0, HIGH_F0)[i % 2], seed=i))
             for i in range(12)]
    means = class_means(predictor.inputs(waves), np.arange(12) % 2, 2)
    directory = tmp_path_factory.mktemp("group-model")
    save_bundle(directory, network, config, GroupModel(network, means, 1.0, rounds=2, min_clips=4,
                                                       min_entropy=0.5, shift_temperature=False))
    return directory


def _voices(folder, pitches, seconds=1.5):
    return [str(write_clip(folder / f"{i:02d}.wav", f0=f0, seed=i, seconds=seconds))
            for i, f0 in enumerate(pitches)]


def test_import_aurora_does_not_load_torch_until_the_api_is_used():
    code = ("import sys, aurora; assert 'torch' not in sys.modules, 'torch at import'; "
            "aurora.load_model; assert 'torch' in sys.modules; print(sorted(aurora.__all__))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "'Model'" in done.stdout and "'load_model'" in done.stdout


def test_files_and_folders_give_the_csv_columns_with_a_bad_file_as_an_error_row(model, tmp_path):
    low, high = _voices(tmp_path / "clips", [LOW_F0, HIGH_F0])
    (tmp_path / "clips" / "broken.wav").write_text("not audio\n")
    frame = model.predict([tmp_path / "clips", tmp_path / "missing.wav"])
    assert list(frame.columns) == file_columns(["neutral", "angry"])
    assert list(frame.path) == sorted([low, high, str(tmp_path / "clips" / "broken.wav"),
                                       str(tmp_path / "missing.wav")])
    by_name = frame.set_index(frame.path.map(lambda p: p.rsplit("/", 1)[1]))
    assert by_name.loc["00.wav", "emotion"] == "neutral" and by_name.loc["01.wav", "emotion"] == "angry"
    assert (by_name.loc[["00.wav", "01.wav"], "status"] == "ok").all()
    assert by_name.loc["broken.wav", "status"] == "error"
    assert "not a readable audio file" in by_name.loc["broken.wav", "error"]
    assert by_name.loc["missing.wav", "error"] == "file not found"
    assert np.isnan(by_name.loc["broken.wav", "confidence"]) and by_name.loc["broken.wav", "emotion"] == ""
    ok = frame[frame.status == "ok"]
    np.testing.assert_allclose(ok.prob_neutral + ok.prob_angry, 1.0, atol=2e-6)
    assert frame.duration_s.dtype == np.float64 and ok.duration_s.between(1.85, 1.95).all()


def test_classes_are_the_models_and_a_label_set_is_checked(model, tmp_path):
    assert model.classes == ["neutral", "angry"] and model.model_id.startswith("logreg-")
    clip = write_clip(tmp_path / "a.wav", f0=HIGH_F0)
    assert model.predict(clip, classes="angry, neutral").classes.tolist() == ["neutral,angry"]
    with pytest.raises(ConfigError, match=r"anger is not among this model's classes \(neutral, angry\)"):
        model.predict(clip, classes=["neutral", "anger"])


def test_arrays_mono_stereo_pcm_and_any_rate_are_classified_as_their_file_is(model, tmp_path):
    path = write_clip(tmp_path / "high.wav", f0=HIGH_F0, sr=22050)
    (from_file,) = model.predict(path).itertuples()
    samples, rate = sf.read(path)  # float64, 22050 Hz
    mono = model.predict_array(samples, rate, name="mine")
    assert mono.path.item() == "mine" and mono.status.item() == "ok"
    assert mono.prob_angry.item() == from_file.prob_angry and mono.duration_s.item() == from_file.duration_s
    assert mono.sha256.item() != from_file.sha256  # the samples' hash, not the file's
    stereo = np.stack([samples, samples], axis=1)
    for layout in (stereo, stereo.T):  # (frames, channels) and (channels, frames)
        assert model.predict_array(layout, rate).prob_angry.item() == from_file.prob_angry
    pcm = np.round(samples * 32767).astype(np.int16)
    assert model.predict_array(pcm, rate).prob_angry.item() == pytest.approx(from_file.prob_angry, abs=1e-3)
    low = voice_like(1.5, 48000, f0=LOW_F0)
    assert model.predict_array(low, 48000).emotion.item() == "neutral"
    silent = model.predict_array(np.zeros(16000, np.float32), 16000)
    assert silent.status.item() == "error" and "silent" in silent.error.item()


def test_long_audio_is_classified_in_windows_returned_as_segments(model, tmp_path):
    y = voice_like(5.0, 16000, f0=LOW_F0)  # 5.4 s with its silences
    files, segments = model.predict_array(y, 16000, window_s=2.0, hop_s=2.0, segments=True)
    assert files["mode"].item() == "lone-file, windows" and files.emotion.item() == "neutral"
    assert list(segments.columns) == segment_columns(["neutral", "angry"])
    assert segments.segment.tolist() == [0, 1, 2] and segments.end_s.iloc[-1] == pytest.approx(5.4)
    assert model.predict_array(y, 16000, segments=True)[1].empty  # shorter than the 6 s default window


@pytest.mark.parametrize(("samples", "rate", "error", "message"), [
    (np.zeros((2, 3, 16000)), 16000, ValueError, "1-D \\(mono\\) or 2-D"),
    (np.zeros((100, 16000)), 16000, ValueError, "at most 64 channels"),
    (np.zeros(0), 16000, ValueError, "empty"),
    (np.full(16000, np.nan), 16000, ValueError, "NaN or infinite"),
    (np.r_[np.zeros(15999), np.inf], 16000, ValueError, "NaN or infinite"),
    (np.zeros(1600), 16000, ValueError, r"too short \(0.10 s < 0.25 s"),
    (np.array(["a", "b"]), 16000, TypeError, "real numbers"),
    (np.zeros(16000), 0, ValueError, "sample_rate must be a positive integer"),
    (np.zeros(16000), 16000.5, ValueError, "sample_rate must be a positive integer"),
])
def test_bad_arrays_are_clear_errors(model, samples, rate, error, message):
    with pytest.raises(error, match=message):
        model.predict_array(samples, rate)


def test_a_missing_or_broken_bundle_is_a_model_error_that_says_what_to_do(tiny_model, tmp_path):
    with pytest.raises(aurora.ModelError, match=r"no model in .*run `dvc repro`"):
        aurora.load_model(tmp_path / "nothing")
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    (truncated / "config.json").write_text((tiny_model / "config.json").read_text())
    (truncated / "weights.pt").write_bytes((tiny_model / "weights.pt").read_bytes()[:100])
    with pytest.raises(aurora.ModelError, match="incomplete or incompatible"):
        aurora.load_model(truncated)
    other_shape = tmp_path / "other"
    other_shape.mkdir()
    config = json.loads((tiny_model / "config.json").read_text())
    (other_shape / "config.json").write_text(json.dumps({**config, "n_inputs": config["n_inputs"] + 1}))
    (other_shape / "weights.pt").write_bytes((tiny_model / "weights.pt").read_bytes())
    with pytest.raises(aurora.ModelError, match=r"incomplete or incompatible.*size mismatch"):
        aurora.load_model(other_shape)
    assert issubclass(aurora.ModelError, aurora.AuroraError)


def test_options_the_model_or_settings_cannot_take_are_errors_before_any_file(model, tmp_path):
    with pytest.raises(aurora.ModelError, match="no group mode"):
        model.predict(tmp_path, group_by="folder")
    with pytest.raises(ConfigError, match="group_by must be 'none' or 'folder'"):
        model.predict(tmp_path, group_by="speaker")
    with pytest.raises(ConfigError, match="hop_s must be in"):
        model.predict(tmp_path, window_s=2.0, hop_s=3.0)
    with pytest.raises(aurora.NothingToClassify, match="no file to classify in"):
        model.predict(tmp_path)


def test_group_mode_adapts_to_each_folder_or_says_why_not(group_model, tmp_path):
    model = aurora.load_model(group_model)
    assert model.has_group_mode
    speaker = _voices(tmp_path / "speaker", [LOW_F0, HIGH_F0] * 3)
    (tmp_path / "speaker" / "broken.wav").write_bytes(b"RIFF")
    small = _voices(tmp_path / "small", [LOW_F0, HIGH_F0])
    frame = model.predict(tmp_path, recursive=True, group_by="folder").set_index("path")
    assert (frame.loc[speaker, "mode"] == "group").all()
    assert (frame.loc[small, "mode"] == "lone-file fallback: folder has 2 clips, fewer than 4").all()
    assert frame.loc[speaker, "emotion"].tolist() == ["neutral", "angry"] * 3
    assert frame.loc[str(tmp_path / "speaker" / "broken.wav"), "status"] == "error"
    lone = model.predict(tmp_path, recursive=True).set_index("path")
    assert (lone.loc[speaker, "mode"] == "lone-file").all()
    assert not np.allclose(frame.loc[speaker, "prob_angry"], lone.loc[speaker, "prob_angry"])


def test_loading_twice_shares_one_model_and_threads_share_it_safely(tiny_model, tmp_path):
    first = aurora.load_model(tiny_model)
    held = loaded_predictors()
    second = aurora.load_model(str(tiny_model) + "/.")  # another path to the same folder
    assert second._predictor is first._predictor and loaded_predictors() == held
    assert aurora.load_model(tiny_model, reload=True)._predictor is not first._predictor
    paths = _voices(tmp_path, [LOW_F0, HIGH_F0] * 4)
    expected = first.predict(paths).drop(columns="timestamp")
    frames: list[pd.DataFrame] = []
    threads = [threading.Thread(target=lambda: frames.append(second.predict(paths))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(frames) == 4
    for frame in frames:
        pd.testing.assert_frame_equal(frame.drop(columns="timestamp"), expected)


NUMBER_COLUMNS = {"duration_s", "confidence", "arousal", "valence", "shift", "start_s", "end_s",
                  "prob_neutral", "prob_angry"}


def _csv(path) -> pd.DataFrame:
    """A CSV `aurora predict` wrote, empty numbers as NaN, text as text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in NUMBER_COLUMNS & set(frame.columns):
        frame[column] = frame[column].replace("", "nan").astype(np.float64)
    if "segment" in frame.columns:
        frame["segment"] = frame["segment"].astype(np.int64)
    return frame


@pytest.mark.parametrize("group_by", ["none", "folder"])
def test_the_dataframe_equals_the_csv_aurora_predict_writes(prefect_env, tiny_model, group_model, group_by,
                                                           tmp_path):
    bundle = group_model if group_by == "folder" else tiny_model
    folder = tmp_path / "in"
    _voices(folder / "speaker", [LOW_F0, HIGH_F0] * 2)
    write_clip(folder / "speaker" / "long.wav", seconds=4.5, f0=HIGH_F0)
    write_clip(folder / "alone.flac", f0=LOW_F0, sr=44100, channels=2)
    (folder / "broken.wav").write_bytes(b"RIFF not really")
    out, windows = tmp_path / "p.csv", tmp_path / "segments.csv"
    options = ["--classes", "angry,neutral", "--window", "2", "--hop", "1.5", "--group-by", group_by]
    done = subprocess.run([sys.executable, "-m", "aurora_cli.main", "predict", str(folder), "--recursive",
                           "--model", str(bundle), "--out", str(out), "--segments", str(windows), *options],
                          env=prefect_env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 3, done.stderr[-3000:]  # finished, with an error row
    files, segments = aurora.load_model(bundle).predict(folder, recursive=True, classes="angry,neutral",
                                                        window_s=2, hop_s=1.5, group_by=group_by,
                                                        segments=True)
    expected = _csv(out)
    assert list(files.columns) == list(expected.columns)
    assert len(files) == 7 and (files.status == "ok").sum() == 6 and len(segments) == 3
    assert set(files["mode"]) >= {"lone-file, windows", "group" if group_by == "folder" else "lone-file"}
    pd.testing.assert_frame_equal(files.drop(columns="timestamp"), expected.drop(columns="timestamp"))
    pd.testing.assert_frame_equal(segments, _csv(windows))


def test_the_readme_example_runs(tiny_model, ravdess_dir, tmp_path):
    readme = (REPO / "README.md").read_text()
    (code,) = re.findall(r"<!-- test: from-python -->\n```python\n(.*?)```", readme, re.DOTALL)
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "model").symlink_to(tiny_model)  # what `make run` trains, in seconds
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "ravdess").symlink_to(ravdess_dir)  # what `make run` links
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "['neutral', 'angry']" in done.stdout
    assert len(re.findall(r"03-01-\S+\.(?:wav|flac)\s+ok\s+(?:neutral|angry)", done.stdout)) == 4, done.stdout
