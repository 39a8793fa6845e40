"""Inference on generated clips: the predictor, error rows, long files, the resumable store."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
import soundfile as sf

from aurora.audio.windows import window_starts
from aurora.config import ConfigError, PredictConfig
from aurora.inference.classify import classify_files
from aurora.inference.discover import discover
from aurora.inference.output import OutputBusy, ResultStore
from aurora.inference.predictor import ModelError, Predictor
from aurora.models.calibration import confidence_band
from tests.conftest import HIGH_F0, LOW_F0, voice_like, write_clip


@pytest.fixture(scope="module")
def predictor(tiny_model):
    return Predictor(tiny_model)


def test_predictor_gives_calibrated_probabilities_that_separate_the_classes(predictor):
    waves = [predictor.prepare(voice_like(1.3, 16000, f0=f, seed=99)) for f in (LOW_F0, HIGH_F0)]
    probs = predictor.probabilities(waves)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    assert predictor.classes[probs[0].argmax()] == "neutral"
    assert predictor.classes[probs[1].argmax()] == "angry"


def test_group_mode_needs_a_model_that_has_it(predictor):
    with pytest.raises(ModelError, match="no group mode"):
        predictor.group_probabilities([predictor.prepare(voice_like(1.0, 16000))])


def test_missing_model_says_how_to_get_one(tmp_path):
    with pytest.raises(ModelError, match="dvc repro"):
        Predictor(tmp_path / "nothing")


def test_any_rate_channels_and_format_gives_the_same_answer(predictor, tmp_path):
    paths = [write_clip(tmp_path / "a.wav", f0=HIGH_F0, sr=48000),
             write_clip(tmp_path / "b.flac", f0=HIGH_F0, sr=22050, channels=2),
             write_clip(tmp_path / "c.ogg", f0=HIGH_F0, sr=44100, subtype="VORBIS")]
    mp3 = tmp_path / "d.mp3"
    sf.write(mp3, voice_like(1.5, 44100, f0=HIGH_F0), 44100, format="MP3")
    results = classify_files([str(p) for p in [*paths, mp3]], predictor, PredictConfig())
    assert [r.error for r in results] == ["", "", "", ""]
    assert all(predictor.classes[r.probabilities.argmax()] == "angry" for r in results)
    assert all(abs(r.duration_s - 1.9) < 0.05 for r in results)  # 1.5 s voice + 2 x 0.2 s silence


def test_bad_files_become_error_rows_and_the_rest_are_classified(predictor, tmp_path):
    good = write_clip(tmp_path / "good.wav", f0=LOW_F0)
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_text("this is not audio\n")
    corrupt = tmp_path / "corrupt.flac"
    corrupt.write_bytes(good.read_bytes()[:60] + os.urandom(2000))
    sf.write(tmp_path / "silent.wav", np.zeros(16000, np.float32), 16000)
    sf.write(tmp_path / "quiet.wav", voice_like(1.0, 16000) * 10 ** (-45 / 20), 16000)  # about -58 dBFS
    sf.write(tmp_path / "short.wav", voice_like(0.05, 16000), 16000)  # 0.45 s with its silences
    sf.write(tmp_path / "blip.wav", voice_like(0.1, 16000)[3200:4800], 16000)  # 0.1 s
    (tmp_path / "broken.wav").symlink_to(tmp_path / "gone.wav")
    (tmp_path / "folder.wav").mkdir()
    names = ["good.wav", "quiet.wav", "empty.wav", "text.wav", "corrupt.flac", "silent.wav", "short.wav",
             "blip.wav", "broken.wav", "folder.wav", "missing.wav"]
    results = {os.path.basename(r.path): r for r in
               classify_files([str(tmp_path / n) for n in names], predictor, PredictConfig())}
    assert results["good.wav"].ok and results["short.wav"].ok and results["quiet.wav"].ok
    expected = {"empty.wav": "empty file", "text.wav": "not a readable audio file (format not recognised)",
                "corrupt.flac": "", "silent.wav": "silent", "blip.wav": "too short",
                "broken.wav": "broken symbolic link", "folder.wav": "is a directory",
                "missing.wav": "file not found"}
    for name, message in expected.items():
        assert not results[name].ok, name
        assert message in results[name].error, (name, results[name].error)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_an_error_row(predictor, tmp_path):
    path = write_clip(tmp_path / "locked.wav")
    path.chmod(0)
    (result,) = classify_files([str(path)], predictor, PredictConfig())
    assert result.error == "permission denied"


def test_window_starts_cover_the_file():
    assert window_starts(10, 20, 5) == [0]
    assert window_starts(100, 40, 20) == [0, 20, 40, 60]
    assert window_starts(105, 40, 20) == [0, 20, 40, 60, 65]


def test_long_recording_is_classified_by_windows_weighted_by_speech(predictor, tmp_path):
    sr = 16000
    # 12 s high voice, 8 s silence, 4 s low voice: three times more high speech than low.
    y = np.concatenate([voice_like(11.6, sr, f0=HIGH_F0), np.zeros(8 * sr, np.float32),
                        voice_like(3.6, sr, f0=LOW_F0, seed=1)])
    path = tmp_path / "call.wav"
    sf.write(path, y, sr)
    cfg = PredictConfig(window_s=4.0, hop_s=4.0)
    (result,) = classify_files([str(path)], predictor, cfg)
    assert result.ok and abs(result.duration_s - 24.0) < 0.01
    assert [(s.start_s, s.end_s) for s in result.segments] == [(4.0 * i, 4.0 * i + 4) for i in range(6)]
    silent = [s.probabilities is None for s in result.segments]
    assert silent == [False, False, False, True, True, False]
    speech = np.array([s.probabilities for s in result.segments if s.probabilities is not None])
    assert [predictor.classes[p.argmax()] for p in speech] == ["angry", "angry", "angry", "neutral"]
    assert predictor.classes[result.probabilities.argmax()] == "angry"
    assert result.probabilities[1] > speech[:, 1].mean() - 1e-9  # weighted towards the longer stretch
    np.testing.assert_allclose(result.probabilities.sum(), 1.0, atol=1e-9)


def test_discover_finds_audio_by_extension_and_keeps_named_files(tmp_path):
    write_clip(tmp_path / "top.WAV")
    write_clip(tmp_path / "sub" / "deep.flac")
    (tmp_path / "notes.txt").write_text("x")
    named = tmp_path / "odd.bin"
    named.write_bytes(b"x")
    found = discover([tmp_path, named], recursive=False, extensions=["wav", "flac"])
    assert found == sorted([str(tmp_path / "top.WAV"), str(named)])
    assert str(tmp_path / "sub" / "deep.flac") in discover([tmp_path], recursive=True, extensions=["flac"])


def test_confidence_bands():
    assert [confidence_band(c) for c in (0.95, 0.70, 0.69, 0.50, 0.49)] == [
        "high", "high", "medium", "medium", "low"]


def test_store_resumes_from_a_torn_journal_and_writes_one_row_per_file(predictor, tmp_path):
    paths = [str(write_clip(tmp_path / f"c{i}.wav", f0=LOW_F0, seed=i)) for i in range(3)]
    results = classify_files(paths, predictor, PredictConfig())
    out = tmp_path / "out" / "p.csv"
    store = ResultStore(out, None, predictor.classes, predictor.model_id)
    store.add(results[:2])
    with pytest.raises(OutputBusy):
        ResultStore(out, None, predictor.classes, predictor.model_id)
    store.close()  # as if killed: the journal stays
    with open(store.journal, "a") as f:
        f.write('{"row": {"path": "torn')  # a write cut short
    again = ResultStore(out, None, predictor.classes, predictor.model_id)
    assert [again.is_done(r.path, r.sha256) for r in results] == [True, True, False]
    again.add(results[2:])
    again.close()  # killed again: what was appended after the torn line must survive
    third = ResultStore(out, None, predictor.classes, predictor.model_id)
    assert all(third.is_done(r.path, r.sha256) for r in results)
    done = third.finish([(r.path, r.sha256) for r in results])
    assert not third.journal.exists()
    with open(out, newline="") as f:
        written = list(csv.DictReader(f))
    assert [r["path"] for r in written] == paths
    assert (done.files, done.ok, done.errors, dict(done.per_emotion)) == (3, 3, 0, {"neutral": 3})
    # A finished output counts as done for the same model, not for another one.
    assert ResultStore(out, None, predictor.classes, predictor.model_id).is_done(paths[0], results[0].sha256)
    assert not ResultStore(out, None, predictor.classes, "other-model").is_done(paths[0], results[0].sha256)


def test_fifo_and_non_utf8_names_do_not_stop_a_run(predictor, tmp_path):
    os.mkfifo(tmp_path / "pipe.wav")  # reading it would block forever
    odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9 \xff.wav")  # not valid UTF-8
    os.rename(write_clip(tmp_path / "plain.flac", f0=HIGH_F0), odd)
    paths = discover([tmp_path], recursive=False, extensions=["wav"])
    results = {os.path.basename(r.path): r for r in classify_files(paths, predictor, PredictConfig())}
    assert results["pipe.wav"].error.startswith("not a regular file")
    (odd_result,) = [r for name, r in results.items() if name != "pipe.wav"]
    assert odd_result.ok
    out = tmp_path / "p.csv"
    store = ResultStore(out, None, predictor.classes, predictor.model_id)
    store.add(list(results.values()))
    store.finish([(r.path, r.sha256) for r in results.values()])
    assert os.path.basename(odd) in out.read_bytes()  # the name's own bytes, not a mangled copy


def test_unexpected_failures_are_retried_by_the_next_run(predictor, tmp_path):
    path = str(write_clip(tmp_path / "a.wav"))
    (result,) = classify_files([path], predictor, PredictConfig())
    result.probabilities, result.error = None, "internal error: MemoryError: "
    store = ResultStore(tmp_path / "p.csv", None, predictor.classes, predictor.model_id)
    store.add([result])
    store.close()
    assert not ResultStore(tmp_path / "p.csv", None, predictor.classes, predictor.model_id).is_done(
        path, result.sha256)


def test_an_unknown_or_lone_class_is_a_clear_error(predictor):
    with pytest.raises(ConfigError, match="anger is not among this model's classes \\(neutral, angry\\)"):
        predictor.decision(["neutral", "anger"])
    with pytest.raises(ConfigError, match="at least two"):
        predictor.decision(["angry"])
    with pytest.raises(ConfigError, match="at least two"):
        predictor.decision(["neutral+angry"])
    assert predictor.decision([]) is None


def test_the_csv_records_the_classes_decided_among_and_a_rerun_with_others_redoes_rows(predictor, tmp_path):
    path = str(write_clip(tmp_path / "a.wav", f0=HIGH_F0))
    out = tmp_path / "p.csv"
    (result,) = classify_files([path], predictor, PredictConfig())
    store = ResultStore(out, None, predictor.classes, predictor.model_id)
    store.add([result])
    store.finish([(path, result.sha256)])
    with open(out, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["classes"] == "neutral,angry" and row["emotion"] == "angry"
    assert ResultStore(out, None, predictor.classes, predictor.model_id).is_done(path, result.sha256)
    same = predictor.decision(["angry", "neutral"]).label  # the same set, in another order
    other = ResultStore(out, None, predictor.classes, predictor.model_id, same)
    assert other.is_done(path, result.sha256)
    other.close()
    assert not ResultStore(out, None, predictor.classes, predictor.model_id, "neutral+angry").is_done(
        path, result.sha256)


@pytest.fixture(scope="module")
def shift_predictor(tiny_model, tmp_path_factory):
    """The tiny model with train.shift_temperature on (same network, same temperature)."""
    import json
    import shutil

    directory = tmp_path_factory.mktemp("shift-model") / "model"
    shutil.copytree(tiny_model, directory)
    config = json.loads((directory / "config.json").read_text())
    config["train"]["shift_temperature"] = True
    (directory / "config.json").write_text(json.dumps(config))
    return Predictor(directory)


def test_clips_unlike_the_training_data_get_a_larger_shift_and_less_confidence(predictor, shift_predictor,
                                                                              tmp_path):
    like = [write_clip(tmp_path / f"like{i}.wav", f0=f, seed=40 + i) for i, f in enumerate((LOW_F0, HIGH_F0))]
    rng = np.random.default_rng(3)
    unlike = tmp_path / "clicks.wav"  # sparse loud clicks over a hum: nothing like the training voices
    y = 0.02 * np.sin(2 * np.pi * 50 * np.arange(32000) / 16000)
    y[rng.integers(0, 32000, 60)] = 0.9
    sf.write(unlike, y.astype(np.float32), 16000)
    paths = [str(p) for p in [*like, unlike]]
    plain, shifted = (classify_files(paths, p, PredictConfig()) for p in (predictor, shift_predictor))
    assert all(r.ok and r.shift is not None for r in plain + shifted)
    assert [r.shift for r in plain] == pytest.approx([r.shift for r in shifted])
    assert plain[2].shift > 3 * max(plain[0].shift, plain[1].shift)
    for a, b in zip(plain, shifted, strict=True):
        assert a.probabilities.argmax() == b.probabilities.argmax()  # confidence changes, never the class
        if a.shift <= 1:
            np.testing.assert_allclose(a.probabilities, b.probabilities)
    assert shifted[2].probabilities.max() < plain[2].probabilities.max()
    out = tmp_path / "p.csv"
    store = ResultStore(out, None, shift_predictor.classes, shift_predictor.model_id)
    store.add(shifted)
    store.finish([(r.path, r.sha256) for r in shifted])
    with open(out, newline="") as f:
        written = list(csv.DictReader(f))
    assert [float(r["shift"]) for r in written] == pytest.approx([r.shift for r in shifted], abs=1e-3)


def test_a_rerun_adds_to_the_previous_output_keeping_its_rows_and_segments(predictor, tmp_path):
    cfg = PredictConfig(window_s=2.0, hop_s=2.0)
    long_clip = str(write_clip(tmp_path / "long.wav", seconds=4.0, f0=HIGH_F0))  # windows: segment rows
    short = [str(write_clip(tmp_path / f"s{i}.wav", f0=LOW_F0, seed=i)) for i in range(2)]
    results = classify_files([long_clip, *short], predictor, cfg)
    assert results[0].segments
    out, segments = tmp_path / "p.csv", tmp_path / "segments.csv"
    inputs = [(r.path, r.sha256) for r in results]
    first = ResultStore(out, segments, predictor.classes, predictor.model_id)
    first.add(results[:2])
    first.finish(inputs[:2])
    with open(segments, newline="") as f:
        segment_rows = list(csv.DictReader(f))
    again = ResultStore(out, segments, predictor.classes, predictor.model_id)
    assert [again.is_done(*key) for key in inputs] == [True, True, False]
    again.add(results[2:])
    done = again.finish(inputs)
    with open(out, newline="") as f:
        assert [r["path"] for r in csv.DictReader(f)] == [long_clip, *short]
    with open(segments, newline="") as f:
        assert list(csv.DictReader(f)) == segment_rows and len(segment_rows) == len(results[0].segments)
    assert (done.files, done.ok, done.per_emotion["neutral"]) == (3, 3, 2)
