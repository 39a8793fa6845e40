"""`dvc repro` end to end in a copy of this repository, on generated clips:
the first run builds every stage on two training corpora (a listed third one
is absent and skipped), a second run runs none, one new clip costs one feature
computation, and another training corpus added by a parameter computes only
its own clips and joins leave-one-corpus-out."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, write_clip

pytestmark = pytest.mark.slow
# dvc.yaml's stages; corpus_link and crosscorpus run per corpus
STAGES = ("fetch", "corpus_link", "train_corpora", "ingest", "features", "split", "augment", "embed",
          "balance", "train", "compare", "crosscorpus", "evaluate")
CORPORA = ("emovo", "absent")  # crosscorpus.corpora: evaluated, never trained on


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
    for metrics in ("artifacts/metrics.json",):
        (root / metrics).unlink(missing_ok=True)
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["split"].update(cv_folds=3, val_actors=1)
    # Trained in float32, listening in bfloat16: the path where held-out clips are encoded twice
    params["whisper"]["precision"] = "float32"
    params["augment"].update(fixed_noise_snr_db=[15.0], fixed_speeds=[],  # one fixed copy per clip
                             fixed_reverb_rt60_s=[], fixed_crop_s=[])
    params["train"].update(model="mlp", max_epochs=3, patience=2, hidden=32,  # curves via dvclive
                           use_augmented=True, compare_speaker_norm=True)  # both modes, train and compare
    # Trained on besides the RAVDESS-like clips: a small generated Emo-DB-like folder, and a listed
    # corpus whose variable is unset (skipped). Evaluated without training: a generated EMOVO-like
    # folder and an absent corpus.
    emodb, emovo = tmp_path / "emodb", tmp_path / "emovo"
    for speaker in ("03", "08"):
        for k, (letter, f0) in enumerate([("N", 110.0), ("W", 260.0), ("T", 150.0), ("L", 120.0)]):
            write_clip(emodb / speaker / f"{speaker}a0{k}{letter}a.wav", seconds=0.8, sr=22050, f0=f0,
                       seed=int(speaker) + k)
    for speaker in ("f1", "m1"):
        for k, (code, f0) in enumerate([("neu", 115.0), ("rab", 255.0), ("tri", 145.0), ("gio", 200.0)]):
            write_clip(emovo / speaker / f"{code}-{speaker}-b{k + 1}.wav", seconds=0.8, sr=16000, f0=f0,
                       channels=2, seed=50 + k + (speaker == "m1"))
    emodb_labels = params["data"]["corpora"]["emodb"]["labels"]
    emovo_labels = params["data"]["corpora"]["emovo"]["labels"]
    params["data"]["corpora"] = {
        "emodb": {"reader": "emodb", "dir": str(emodb), "labels": emodb_labels},
        "gone": {"reader": "emovo", "dir_env": "AURORA_TEST_NO_SUCH_CORPUS", "labels": emovo_labels}}
    params["crosscorpus"]["corpora"] = {
        "emovo": {"reader": "emovo", "dir": str(emovo), "labels": emovo_labels, "fold": {"calm": "neutral"}},
        "absent": {"reader": "emovo", "dir_env": "AURORA_TEST_NO_SUCH_CORPUS", "labels": emovo_labels}}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=root, check=True)  # dvclive needs a commit
    corpus = tmp_path / "corpus"
    for actor in range(1, 7):  # 6 actors x 8 emotions
        for emotion in range(1, 9):
            write_clip(corpus / f"Actor_{actor:02d}/03-01-{emotion:02d}-01-01-01-{actor:02d}.wav",
                       seconds=0.6, seed=actor * 10 + emotion, f0=100 + 15 * emotion + 5 * actor)
    env = {**os.environ, "RAVDESS_DIR": str(corpus), "DVC_NO_ANALYTICS": "1",
           "PYTHONPATH": str(root / "src"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    # As on a user's machine: stages write __pycache__ beside the code they depend on, and a rerun
    # must still find every stage up to date (.dvcignore).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return root, corpus, env


def _expanded(stages) -> list[str]:
    """Stage names as DVC runs them: one per corpus for the foreach stages."""
    per_corpus = ("corpus_link", "crosscorpus")
    return [name for s in stages for name in ([f"{s}@{c}" for c in CORPORA] if s in per_corpus else [s])]


def _repro(root, env) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "dvc"), "repro"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _inference_sees_the_training_features(root: Path, art: Path) -> None:
    """The shipped model, used on files, computes exactly the features it was trained on."""
    from aurora.audio.decode import load_mono
    from aurora.inference.predictor import Predictor

    predictor = Predictor(art / "model")
    manifest = pd.read_parquet(art / "manifest.parquet")
    clips = manifest.query("status == 'ok' and corpus == 'ravdess'").iloc[::12]
    waves = [predictor.prepare(load_mono(root / "data/raw/ravdess" / p, 16000)) for p in clips.path]

    def embedded(name: str) -> np.ndarray:
        table = pd.read_parquet(art / f"embed/{name}.parquet").set_index("clip_id").loc[clips.clip_id]
        return table[predictor.input_names].to_numpy()

    # At the training precision (float32) it computes exactly the features it was trained on ...
    as_trained = Predictor(art / "model", "float32").utterance_vectors(waves)
    np.testing.assert_allclose(as_trained, embedded("original"), rtol=1e-3, atol=1e-4)
    # ... and at its inference precision (bfloat16) those every held-out clip was scored on, up to
    # bfloat16 rounding (its batch-mates differ from the embed stage's).
    assert predictor.embedder.precision == "bfloat16"
    heard = predictor.utterance_vectors(waves)
    np.testing.assert_allclose(heard, embedded("inference"), rtol=2e-2, atol=2e-2)
    assert np.abs(heard - embedded("inference")).mean() < np.abs(heard - embedded("original")).mean()
    probs = predictor.probabilities(waves)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-6)
    # Group mode ships with the model: one actor's folder is classified as one group.
    from aurora.config import PredictConfig
    from aurora.inference.classify import classify_files

    folder = sorted(str(p) for p in (root / "data/raw/ravdess/Actor_01").iterdir())
    results = classify_files(folder, predictor, PredictConfig(), group_by_folder=True)
    assert len(results) == 8 and all(r.ok for r in results)
    assert len({r.mode for r in results}) == 1
    assert results[0].mode == "group" or results[0].mode.startswith("lone-file fallback")


def _inspect(root: Path, env: dict, *artifact: str) -> dict:
    # As a user who runs .venv/bin/aurora without activating the environment: no dvc on PATH.
    bare = {**env, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "aurora_cli.main", "inspect", *artifact, "--json"], cwd=root,
                          env=bare, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_repro_builds_every_stage_then_skips_then_computes_only_the_new_clip(project, prefect_env):
    root, corpus, env = project
    first = _repro(root, env)
    for stage in _expanded(STAGES):
        assert f"Running stage '{stage}'" in first
    # The listed corpus whose variable is unset is skipped with one line; the others train.
    assert "data.corpora.gone: skipped" in first and "set $AURORA_TEST_NO_SUCH_CORPUS" in first
    assert "training on RAVDESS, emodb" in first
    art = root / "artifacts"
    manifest = pd.read_parquet(art / "manifest.parquet")
    assert (manifest.status == "ok").sum() == 54  # 48 RAVDESS-like clips, Emo-DB's 6 but boredom
    assert set(manifest.query("status == 'ok'").corpus) == {"ravdess", "emodb"}
    run = json.loads((art / "features/last_run.json").read_text())
    assert (run["computed"], run["cached"]) == (54, 0)
    assert json.loads((art / "embed/summary.json").read_text())["augmented"]["clips"] == 54  # one copy each
    assert json.loads((art / "augment/summary.json").read_text())["clips"] == 0  # no model reads them
    metrics = json.loads((art / "metrics.json").read_text())
    trained = metrics["training_data"]  # the final model's speakers (an mlp: its training ones only)
    assert set(trained) == {"emodb", "ravdess"} and 1 <= trained["emodb"]["speakers"] <= 2
    assert trained["ravdess"]["clips"] == 8 * trained["ravdess"]["speakers"]  # 8 clips per actor
    assert trained["emodb"]["clips"] == 3 * trained["emodb"]["speakers"]  # boredom is no class
    # Leave one corpus out is the headline: first in the report and the card, printed by dvc repro.
    assert set(metrics["leave_one_corpus_out"]) == {"emodb", "ravdess"}
    assert set(metrics["corpus_matrix"]) == {"emodb", "ravdess"}
    assert "leave one corpus out (mean ± std" in first and "trained on all the others" in first
    assert metrics["cv_folds"] == 3 and metrics["test_actors_present"] is False
    both_modes = yaml.safe_load((root / "params.yaml").read_text())["train"]["compare_speaker_norm"]
    assert 0 <= metrics["cv"]["accuracy"]["mean"] <= 1 and ("cv_other_mode" in metrics) == both_modes
    assert "cross-validation only" in metrics["note"]
    page = (art / "report.html").read_text()
    assert page.index("<h2>Leave one corpus out</h2>") < page.index("<h2>Summary</h2>")
    assert "alt='corpus x corpus'" in page
    assert "data:image/png;base64," in page and "<script" not in page
    assert "http://" not in page and "https://" not in page  # self-contained
    # Arousal and valence beside the categories: both methods scored per corpus, CV and LOCO.
    dims = metrics["dimensions"]
    assert dims["method"] == "readoff"
    assert set(dims["cv"]) == set(dims["leave_one_corpus_out"]) == {"emodb", "ravdess"}
    assert set(dims["cv"]["ravdess"]) == {"head", "readoff"}
    assert dims["cv"]["ravdess"]["head"]["arousal"]["uar"]["mean"] >= 0
    assert "<h2>Arousal and valence</h2>" in page and "arousal and valence (binary UAR" in first
    assert (art / "model/weights.pt").is_file() and (art / "model/MODEL_CARD.md").is_file()
    runs = json.loads((art / "compare.json").read_text())["runs"]  # every feature set x model, same folds
    assert [(r["features"], r["model"]) for r in runs] == [tuple(run.split("/")) for run in
                                                         yaml.safe_load((root / "params.yaml").read_text())
                                                         ["compare"]["runs"]]
    modes = ("lone", "speaker_norm") if both_modes else ("lone",)  # the modes train cross-validates
    assert all(set(r) - {"features", "model", "group"} == set(modes) for r in runs)
    assert all(0 <= r[mode]["accuracy"]["mean"] <= 1 for r in runs for mode in modes)
    assert all("balanced" in r["group"] for r in runs)
    card = (art / "model/MODEL_CARD.md").read_text()
    headings = [card.index(h) for h in ("## Leave one corpus out", "## Arousal and valence", "\n## Data\n")]
    assert headings == sorted(headings)
    assert "Trained on 2 corpora" in card
    assert all(f"| {r['features']} | {r['model']} |" in card for r in runs)
    # One run: the heading names it instead of promising every feature set; a column per mode trained.
    assert (f"{runs[0]['features']}/{runs[0]['model']} on the CV folds" if len(runs) == 1
            else "Every feature set and model") in page
    assert ("speaker-norm accuracy" in card) == both_modes
    assert "Augmented copies per training clip: 1 (white noise at 15 dB SNR)" in card
    # train.refit_with_val refits logistic regression only; networks keep their early-stopped weights.
    assert ("refitted on training + validation speakers" in card) == (metrics["model"] == "logreg")
    assert (art / "dvclive/plots/metrics/val_uar.tsv").is_file()
    # The model on corpora it never trained on: scored per speaker, in every predict mode.
    cross = metrics["crosscorpus"]
    assert cross["absent"]["status"] == "skipped" and "AURORA_TEST_NO_SUCH_CORPUS" in cross["absent"]["note"]
    assert {"lone-file", "lone-file, shared classes", "lone-file, shared classes, calm→neutral",
            "group by folder"} <= set(cross["emovo"])
    assert cross["emovo"]["lone-file"]["speakers"] == 2 and cross["emovo"]["lone-file"]["clips"] == 8
    assert "Other corpora (never trained on)" in page and "**emovo** (8 files)" in card
    _inference_sees_the_training_features(root, art)

    second = _repro(root, env)
    assert "Running stage" not in second
    assert "Data and pipelines are up to date" in second
    # Bytecode that any import writes beside the code (aurora predict, a notebook) changes no stage.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "src", "stages"], cwd=root, check=True,
                   capture_output=True)
    catalog = _inspect(root, env)
    assert {a["stage"] for a in catalog["artifacts"]} == set(_expanded(STAGES))
    assert all(a["exists"] and a["status"] == "up to date" for a in catalog["artifacts"])
    manifest = _inspect(root, env, "manifest")
    assert manifest["rows"] == 56 and sum(manifest["counts"]["emotion"].values()) == 54  # boredom: none
    emodb = metrics["training_data"]["emodb"]
    shown = _inspect(root, env, "model")["training_data"]["emodb"]
    assert shown == f"{emodb['speakers']} speakers, {emodb['clips']} clips"
    assert _inspect(root, env, "metrics")["modes"][0]["evaluation"] == "lone file (CV)"
    assert "read off the class probabilities" in _inspect(root, env, "model")["arousal_and_valence"]

    write_clip(corpus / "Actor_07/03-01-08-02-02-02-07.flac", seconds=0.6, seed=42)
    third = _repro(root, env)
    assert "Running stage 'ingest'" in third and "Running stage 'features'" in third
    run = json.loads((art / "features/last_run.json").read_text())
    assert json.loads((art / "features/summary.json").read_text())["clips"] == 55
    assert (run["computed"], run["cached"]) == (1, 54)

    # The same pipeline as the Prefect flow train_pipeline: one task per stage, in order; a new clip
    # makes the stages downstream of the corpus run; then the metrics are published as artifacts.
    write_clip(corpus / "Actor_07/03-01-07-02-02-02-07.wav", seconds=0.6, seed=43)
    assert "ingest" in _inspect(root, env)["stale_stages"]  # DVC sees the corpus changed
    flow_env = {**env, **{k: prefect_env[k] for k in ("PREFECT_API_URL", "PREFECT_HOME")}}
    done = subprocess.run([sys.executable, "-m", "aurora_cli.main", "train", "--repo", str(root)], cwd=root,
                          env=flow_env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    status = {row[0]: row[1] for row in rows if row and row[0] in STAGES}
    assert list(status) == list(STAGES)
    assert set(status.values()) <= {"ran", "up"}
    assert status["features"] == "ran" and status["train"] == "ran" and status["evaluate"] == "ran"
    inspect = [sys.executable, "-m", "prefect", "artifact", "inspect", "pipeline-metrics"]
    shown = subprocess.run(inspect, env=flow_env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "accuracy" in shown.stdout, shown.stdout + shown.stderr

    # A second training corpus, the user's own labelled recordings, added by a parameter.
    mine = root.parent / "mine"
    rows = ["path,emotion,speaker"]
    for n, speaker in enumerate(("agent1", "agent2")):
        for k, emotion in enumerate(("neutral", "happy", "sad", "angry", "fearful", "disgust")):
            write_clip(mine / speaker / f"call{k}.wav", seconds=0.7, sr=8000, seed=300 + 10 * k + n,
                       f0=105 + 15 * k + 7 * n)
            rows.append(f"{speaker}/call{k}.wav,{emotion},{speaker}")
    (mine / "labels.csv").write_text("\n".join(rows) + "\n")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["data"]["corpora"]["mine"] = {"reader": "csv", "dir": str(mine)}
    params["compare"]["runs"] = ["handcrafted/logreg"]  # the compare table is checked above
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    fourth = _repro(root, env)
    assert "Running stage 'train_corpora'" in fourth
    run = json.loads((art / "features/last_run.json").read_text())
    assert (run["computed"], run["cached"]) == (12, 56)  # only the new corpus's clips
    # A handcrafted compare run reads the copies' handcrafted features: now they are computed.
    assert json.loads((art / "augment/summary.json").read_text())["clips"] == 50 + 6 + 12  # a copy each
    splits = json.loads((art / "splits.json").read_text())
    assert [s["name"] for s in splits["leave_one_corpus_out"]] == ["without-emodb", "without-mine",
                                                                   "without-ravdess"]
    metrics = json.loads((art / "metrics.json").read_text())
    loco = metrics["leave_one_corpus_out"]
    assert set(loco) == {"emodb", "mine", "ravdess"} and loco["mine"]["all classes"]["speakers"] == 2
    assert set(metrics["cv_per_corpus"]) == {"emodb", "mine", "ravdess"}
    assert metrics["training_data"]["mine"]["clips"] == 6 * metrics["training_data"]["mine"]["speakers"]
