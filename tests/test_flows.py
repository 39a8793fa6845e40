"""The Prefect flows and the `aurora` command, against a real Prefect server on loopback."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import HIGH_F0, LOW_F0, REPO, start_then_kill, write_clip

AURORA = [sys.executable, "-m", "aurora_cli.main"]


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _aurora(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*AURORA, *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=600, **kw)


def test_predict_writes_one_quoted_row_per_file_whatever_the_names(prefect_env, tiny_model, tmp_path):
    folder = tmp_path / "in put"
    names = ["plain.wav", "with space.wav", "ünïcødé-音声.flac", "comma,name.wav", 'quote"d.wav',
             "-leading-dash.wav", "nested/deeper.wav"]
    for i, name in enumerate(names):
        write_clip(folder / name, f0=HIGH_F0 if i % 2 else LOW_F0, seed=i)
    (folder / "broken.wav").write_bytes(b"RIFF not really")
    out, segments = tmp_path / "out" / "p.csv", tmp_path / "out" / "segments.csv"
    done = _aurora(["predict", "--recursive", "--model", str(tiny_model), "--out", str(out),
                    "--segments", str(segments), "--", str(folder)], prefect_env)
    assert done.returncode == 3, done.stderr[-3000:]  # finished, with an error row
    rows = _read(out)
    assert sorted(r["path"] for r in rows) == sorted(str(folder / n) for n in [*names, "broken.wav"])
    by_name = {Path(r["path"]).name: r for r in rows}
    assert by_name["broken.wav"]["status"] == "error" and by_name["broken.wav"]["error"]
    for i, name in enumerate(names):
        row = by_name[Path(name).name]
        assert row["status"] == "ok", row
        assert row["emotion"] == ("angry" if i % 2 else "neutral")
        probs = [float(row["prob_neutral"]), float(row["prob_angry"])]
        assert abs(sum(probs) - 1) < 1e-5 and float(row["confidence"]) == max(probs)
        assert row["confidence_band"] in {"high", "medium", "low"} and row["model_id"].startswith("logreg-")
    assert _read(segments) == []  # no file is longer than a window
    assert not list(out.parent.glob(".*journal*"))
    inspect = [sys.executable, "-m", "prefect", "artifact", "inspect", "classify-folder-summary"]
    shown = subprocess.run(inspect, env=prefect_env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and str(out) in shown.stdout and '"errors"' in shown.stdout, shown.stdout


def test_interrupted_run_resumes_and_ends_with_one_row_per_file(prefect_env, tiny_model, tmp_path):
    folder = tmp_path / "clips"
    paths = [write_clip(folder / f"clip{i:03d}.wav", seconds=2.0, f0=LOW_F0, seed=i) for i in range(60)]
    out = tmp_path / "p.csv"
    args = ["predict", str(folder), "--out", str(out), "--model", str(tiny_model), "--batch-files", "1",
            "--workers", "1"]
    journalled = start_then_kill([*AURORA, *args], prefect_env, out)
    assert not out.exists()
    second = _aurora(args, prefect_env)
    assert second.returncode == 0, second.stderr[-3000:]
    rows = _read(out)
    assert [r["path"] for r in rows] == [str(p) for p in paths]
    assert all(r["status"] == "ok" for r in rows)
    classified_now = int(second.stderr.split(" classified now")[0].rsplit("(", 1)[1])
    assert classified_now <= len(paths) - journalled


def test_two_runs_to_different_outputs_do_not_interfere(prefect_env, tiny_model, tmp_path):
    folder = tmp_path / "clips"
    for i in range(6):
        write_clip(folder / f"c{i}.wav", f0=HIGH_F0, seed=i)
    outs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    runs = [subprocess.Popen([*AURORA, "predict", str(folder), "--out", str(o), "--model", str(tiny_model)],
                             env=prefect_env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True) for o in outs]
    for run in runs:
        assert run.wait(timeout=600) == 0, run.stderr.read()[-3000:]
    a, b = (_read(o) for o in outs)
    assert [r["path"] for r in a] == [r["path"] for r in b] and len(a) == 6
    assert [r["emotion"] for r in a] == [r["emotion"] for r in b] == ["angry"] * 6


def test_missing_model_is_a_clear_error(prefect_env, tmp_path):
    done = _aurora(["predict", str(tmp_path), "--out", str(tmp_path / "p.csv"), "--model",
                    str(tmp_path / "none")], prefect_env)
    assert done.returncode == 1
    assert "run `dvc repro`" in done.stderr and "Traceback" not in done.stderr


def test_an_unknown_class_in_the_label_set_stops_before_any_file(prefect_env, tiny_model, tmp_path):
    write_clip(tmp_path / "a.wav")
    out = tmp_path / "p.csv"
    done = _aurora(["predict", str(tmp_path), "--out", str(out), "--model", str(tiny_model),
                    "--classes", "neutral+anger, angry"], prefect_env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "anger is not among this model's classes (neutral, angry)" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".*journal*"))


def test_schedule_serves_a_deployment_that_classifies_new_files_once(prefect_env, tiny_model, tmp_path):
    inbox, out_dir = tmp_path / "inbox", tmp_path / "results"
    write_clip(inbox / "first.wav", f0=HIGH_F0)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - a file, not a pipe that could fill and block
    served = subprocess.Popen([*AURORA, "schedule", str(inbox), "--out-dir", str(out_dir), "--interval", "2",
                               "--model", str(tiny_model), "--name", "test-schedule"],
                              env=prefect_env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        def csvs() -> list[Path]:
            return sorted(out_dir.glob("predictions-*.csv")) if out_dir.is_dir() else []

        deadline = time.monotonic() + 240
        while not csvs():
            assert served.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.5)
        write_clip(inbox / "second.wav", f0=LOW_F0)
        while len(csvs()) < 2:
            assert time.monotonic() < deadline, "the new file was not classified"
            time.sleep(0.5)
        time.sleep(5)  # more runs fire; with nothing new they write nothing
        files = csvs()
        assert len(files) == 2
        assert [[(Path(r["path"]).name, r["emotion"]) for r in _read(f)] for f in files] == [
            [("first.wav", "angry")], [("second.wav", "neutral")]]
    finally:
        os.killpg(served.pid, signal.SIGINT)
        try:
            served.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(served.pid, signal.SIGKILL)
            raise
        finally:
            log.close()


def test_predict_runs_on_a_dask_cluster(prefect_env, tiny_model, tmp_path, monkeypatch):
    from distributed import LocalCluster

    for key in ("PREFECT_API_URL", "PREFECT_HOME"):  # the workers report to the same server
        monkeypatch.setenv(key, prefect_env[key])
    folder = tmp_path / "clips"
    for i in range(4):
        write_clip(folder / f"c{i}.wav", f0=LOW_F0 if i % 2 else HIGH_F0, seed=i)
    out = tmp_path / "p.csv"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        done = _aurora(["predict", str(folder), "--out", str(out), "--model", str(tiny_model),
                        "--batch-files", "2", "--dask-address", cluster.scheduler_address], prefect_env)
        assert done.returncode == 0, done.stderr[-3000:]
        # The batches ran in the cluster's worker process, which now holds the loaded model.
        with cluster.get_client() as client:
            loaded = client.run(lambda: __import__("aurora.inference.shared").inference.shared
                                .loaded_predictors())
        assert list(loaded.values()) == [1]
    assert [r["emotion"] for r in _read(out)] == ["angry", "neutral", "angry", "neutral"]
