"""`dvc repro` end to end in a copy of this repository, on generated clips:
first run builds everything, a second run runs no stage, and one new clip
costs one feature computation."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, write_clip

pytestmark = pytest.mark.slow


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p and (REPO / p).is_file()]


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    for rel in _tracked_files():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, root / rel)
    (root / "dvc.lock").unlink(missing_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    corpus = tmp_path / "corpus"
    for i in range(6):
        write_clip(corpus / f"Actor_0{i % 2 + 1}/03-01-0{i + 2}-01-01-01-0{i % 2 + 1}.wav",
                   seconds=0.8, seed=i, f0=110 + 15 * i)
    env = {**os.environ, "RAVDESS_DIR": str(corpus), "DVC_NO_ANALYTICS": "1",
           "PYTHONPATH": str(root / "src"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return root, corpus, env


def _repro(root, env) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "dvc"), "repro"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_repro_builds_then_skips_then_computes_only_the_new_clip(project):
    root, corpus, env = project
    first = _repro(root, env)
    for stage in ("fetch", "ingest", "features"):
        assert f"Running stage '{stage}'" in first
    manifest = pd.read_parquet(root / "artifacts/manifest.parquet")
    assert (manifest.status == "ok").sum() == 6
    stats = pd.read_parquet(root / "artifacts/features/stats.parquet")
    assert len(stats) == 6 and stats.drop(columns=["clip_id", "content_hash"]).notna().all().all()
    summary = json.loads((root / "artifacts/features/summary.json").read_text())
    assert (summary["computed"], summary["cached"]) == (6, 0)

    second = _repro(root, env)
    assert "Running stage" not in second
    assert "Data and pipelines are up to date" in second

    write_clip(corpus / "Actor_03/03-01-08-02-02-02-03.flac", seconds=0.8, seed=42)
    third = _repro(root, env)
    assert "Running stage 'ingest'" in third and "Running stage 'features'" in third
    summary = json.loads((root / "artifacts/features/summary.json").read_text())
    assert (summary["clips"], summary["computed"], summary["cached"]) == (7, 1, 6)
