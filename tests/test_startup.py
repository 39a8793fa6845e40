"""`aurora predict` without a Prefect server: in this process, unrecorded, and saying so; the
command line imports neither torch nor Prefect before it needs them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

import flows.in_process
from aurora.config import PredictConfig
from flows.prefect_api import configured_api_url
from tests.conftest import HIGH_F0, LOW_F0, REPO, start_then_kill, write_clip

AURORA = [sys.executable, "-m", "aurora_cli.main"]


@pytest.fixture
def no_server_env(tmp_path) -> dict:
    """No PREFECT_API_URL and a PREFECT_HOME without profiles: no Prefect server configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {**env, "PREFECT_HOME": str(tmp_path / "prefect-home")}


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_without_a_server_predict_runs_in_process_says_so_and_resumes(no_server_env, tiny_model, tmp_path):
    folder = tmp_path / "clips"
    paths = [write_clip(folder / f"c{i:03d}.wav", seconds=2.0, f0=HIGH_F0 if i % 2 else LOW_F0, seed=i)
             for i in range(40)]
    out = tmp_path / "p.csv"
    args = [*AURORA, "predict", str(folder), "--out", str(out), "--model", str(tiny_model),
            "--batch-files", "1", "--workers", "1"]
    journalled = start_then_kill(args, no_server_env, out)
    second = subprocess.run(args, env=no_server_env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.stderr.count(flows.in_process.NOT_RECORDED) == 1
    assert "temporary server" not in second.stderr and "Flow run" not in second.stderr
    rows = _read(out)
    assert [r["path"] for r in rows] == [str(p) for p in paths]
    assert [r["emotion"] for r in rows] == ["angry" if i % 2 else "neutral" for i in range(40)]
    classified_now = int(second.stderr.split(" classified now")[0].rsplit("(", 1)[1])
    assert classified_now <= len(paths) - journalled


def test_the_command_line_imports_neither_torch_nor_prefect_until_it_classifies(no_server_env):
    script = ("import sys, aurora_cli.main as cli; cli.build_parser().format_help(); "
              "print(sorted(m for m in ('torch', 'prefect') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], env=no_server_env, cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_server_is_configured_by_the_environment_or_the_active_profile(monkeypatch, tmp_path):
    for key in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert configured_api_url() == ""  # no profiles file
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n'
        '[profiles.ephemeral]\nPREFECT_SERVER_EPHEMERAL_ENABLED = "true"\n')
    assert configured_api_url() == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("PREFECT_PROFILE", "ephemeral")
    assert configured_api_url() == ""
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4300/api")
    assert configured_api_url() == "http://127.0.0.1:4300/api"


def test_in_process_batches_are_retried_as_the_prefect_task_is(monkeypatch, tiny_model, tmp_path):
    calls = []

    def flaky(batch, predictor, settings, group_by_folder=False):
        calls.append(batch)
        if len(calls) == 1:
            raise RuntimeError("lost a worker")
        return ["classified"]

    monkeypatch.setattr(flows.in_process, "classify_batch", flaky)
    monkeypatch.setattr(flows.in_process, "BATCH_RETRY_DELAY_S", 0)
    batch = ([str(write_clip(tmp_path / "a.wav"))], ["h"], str(tiny_model), PredictConfig())
    assert flows.in_process._batch_with_retries(*batch) == ["classified"]
    assert len(calls) == 2

    def broken(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("always")

    monkeypatch.setattr(flows.in_process, "classify_batch", broken)
    calls.clear()
    with pytest.raises(RuntimeError, match="always"):
        flows.in_process._batch_with_retries(*batch)
    assert len(calls) == 1 + flows.in_process.BATCH_RETRIES
