"""`aurora inspect` on artifacts written here: tables, predictions CSVs, the stage catalog."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from aurora.reporting.artifacts import describe
from tests.conftest import REPO


def _inspect(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aurora_cli.main", "inspect", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_table_view_counts_classes_speakers_and_missing_values(tmp_path):
    manifest = tmp_path / "manifest.parquet"
    pd.DataFrame({"clip_id": ["a", "b", "c", "d"],
                  "speaker": ["ravdess:02", "ravdess:10", "ravdess:02", "x:1"],
                  "emotion": ["sad", "angry", "sad", None]}).to_parquet(manifest)
    features = tmp_path / "stats.parquet"
    mfcc = {f"mfcc{i:02d}_mean": [0.1, np.nan, 0.3] for i in range(1, 21)}
    pd.DataFrame({"clip_id": ["a", "b", "c"], **mfcc, "duration_s": [1.0, 2.0, None]}).to_parquet(features)
    view = describe(features, manifest=manifest)
    assert view["rows"] == 3 and view["columns"] == 22
    assert {"columns": "mfcc01_mean .. mfcc20_mean", "count": 20, "type": "double"} in view["schema"]
    assert view["counts"]["emotion"] == {"angry": 1, "sad": 2}  # joined to the manifest by clip_id
    assert list(view["counts"]["speaker"]) == ["ravdess:02", "ravdess:10"]  # numeric order
    assert view["missing_values"] == {**{f"mfcc{i:02d}_mean": 1 for i in range(1, 21)}, "duration_s": 1}
    assert describe(manifest)["missing_values"] == {"emotion": 1}


def test_predictions_csv_view_and_text_and_json_output(tmp_path):
    csv = tmp_path / "predictions.csv"
    pd.DataFrame({"path": ["x, \"odd\".wav", "y.wav", "broken.wav"], "status": ["ok", "ok", "error"],
                  "error": ["", "", "format not recognised"], "duration_s": ["1.0", "2.0", ""],
                  "emotion": ["sad", "angry", ""], "confidence": ["0.9", "0.6", ""],
                  "confidence_band": ["high", "medium", ""], "prob_sad": ["0.9", "0.4", ""],
                  "prob_angry": ["0.1", "0.6", ""], "model_id": ["m"] * 3}).to_csv(csv, index=False)
    done = _inspect(str(csv), "--json")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert view["kind"] == "predictions" and view["rows"] == 3
    assert view["counts"]["status"] == {"error": 1, "ok": 2}
    assert view["counts"]["emotion"] == {"angry": 1, "sad": 1}
    assert view["errors"] == [{"message": "format not recognised", "files": 1}]
    assert view["probabilities_sum_to_1"] is True and view["missing_values"] == {}
    assert view["confidence"]["mean"] == 0.75
    text = _inspect(str(csv)).stdout
    assert "status: error 1, ok 2" in text and "format not recognised" in text


def test_unknown_artifact_is_a_clear_error(tmp_path):
    done = _inspect("no-such-thing", cwd=tmp_path)
    assert done.returncode == 1
    assert "no such artifact" in done.stderr and "Traceback" not in done.stderr
    done = _inspect(cwd=tmp_path)  # no dvc.yaml here
    assert done.returncode == 1 and "no dvc.yaml" in done.stderr


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("path,status,error,duration_s,emotion,confidence,confidence_band\nx.wav,ok,,1,sad,0.9,high\n")
    proc = subprocess.Popen([sys.executable, "-m", "aurora_cli.main", "inspect", str(csv)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # as `| head` does once it has enough, here before anything is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
