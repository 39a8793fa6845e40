"""Shared fixtures. Unit tests generate their own clips; tests that need real
RAVDESS clips read $RAVDESS_DIR and are skipped only where it is unset."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]


def voice_like(seconds: float, sr: int, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """A harmonic tone with a pitch glide and breath noise, between short silences."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    pitch = f0 * (1 + 0.15 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = np.clip(np.sin(np.pi * t / t[-1]) * 1.5, 0, 1) if len(t) > 1 else np.ones_like(t)
    y = 0.3 * envelope * y + 0.003 * rng.standard_normal(len(t))
    silence = np.zeros(int(0.2 * sr))
    return np.concatenate([silence, y, silence]).astype(np.float32)


def write_clip(path: Path, *, seconds: float = 1.5, sr: int = 48000, channels: int = 1,
               subtype: str = "PCM_16", f0: float = 140.0, seed: int = 0) -> Path:
    y = voice_like(seconds, sr, f0=f0, seed=seed)
    data = np.stack([y] * channels, axis=1) if channels > 1 else y
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, sr, subtype=subtype)
    return path


@pytest.fixture
def clip_writer(tmp_path):
    return lambda name, **kw: write_clip(tmp_path / name, **kw)


def _corpus_dir(variable: str) -> Path:
    """A real corpus named by an environment variable; tests that need it skip where it is unset."""
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"{variable} is not set")
    path = Path(value)
    assert path.is_dir(), f"{variable}={value} is not a directory"
    return path


@pytest.fixture(scope="session")
def ravdess_dir() -> Path:
    return _corpus_dir("RAVDESS_DIR")


@pytest.fixture(scope="session")
def emodb_dir() -> Path:
    return _corpus_dir("EMODB_DIR")


@pytest.fixture(scope="session")
def ravdess_wav_dir(ravdess_dir) -> Path:
    path = ravdess_dir.parent / "ravdess-wav"
    if not path.is_dir():
        pytest.skip(f"{path} (original WAV files) is not there")
    return path


LOW_F0, HIGH_F0 = 110.0, 290.0  # the tiny model's two "emotions": low voice neutral, high voice angry


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A real model bundle, trained in seconds: logistic regression on the handcrafted
    statistics of generated voices, neutral = low pitch, angry = high pitch."""
    import dataclasses

    from aurora.config import AudioConfig, FeatureConfig, TrainConfig
    from aurora.features.build import extractor_for
    from aurora.models.fit import fit_logreg
    from aurora.models.saving import save_bundle
    from aurora.models.standardize import moments

    features, audio = FeatureConfig(), AudioConfig()
    extractor = extractor_for(features, audio)
    waves, labels = [], []
    for seed in range(24):
        label = seed % 2
        f0 = (LOW_F0 if label == 0 else HIGH_F0) * (1 + 0.1 * (seed % 5 - 2) / 2)
        seconds = 0.8 + 0.3 * (seed % 13)  # 0.8-4.4 s, so windows of long files are in range
        waves.append(extractor.prepare(voice_like(seconds, 16000, f0=f0, seed=seed)))
        labels.append(label)
    x = np.stack([extractor.statistics(extractor.frames(y), len(y) / 16000) for y in waves])
    y = np.array(labels)
    m = moments(x, np.arange(len(x)))
    cfg = TrainConfig(model="logreg", features="handcrafted", shift_temperature=False)  # one temperature
    fitted = fit_logreg(m.apply(x), y, m.apply(x), y, 2, cfg)
    directory = tmp_path_factory.mktemp("model")
    save_bundle(directory, fitted.network, {
        "model": "logreg", "classes": ["neutral", "angry"], "n_inputs": x.shape[1], "hidden": 0,
        "dropout": 0.0, "input_names": extractor.stat_names, "max_frames": 320, "frame_pool": 1,
        "speaker_norm": False, "normalisation": m.to_dict(), "temperature": 1.0,
        "feature_sources": {"handcrafted": {"settings": dataclasses.asdict(features)}},
        "audio": dataclasses.asdict(audio), "features": dataclasses.asdict(features),
        "train": dataclasses.asdict(cfg)})
    return directory


def start_then_kill(args: list[str], env: dict, out: Path, lines: int = 5) -> int:
    """Start `args` (an `aurora predict ... --out out` command), kill -9 it once its journal holds
    `lines` rows, and return how many rows the journal kept."""
    run = subprocess.Popen(args, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out.with_name(f".{out.name}.journal.jsonl")
    deadline = time.monotonic() + 300
    while not (journal.is_file() and journal.read_text().count("\n") >= lines):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it was killed"
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    return journal.read_text().count("\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_env(tmp_path_factory):
    """`prefect server start` on 127.0.0.1 with SQLite under a temporary PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "DVC_NO_ANALYTICS": "1"}
    log = open(home / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"prefect server did not start: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(0.5)
    yield env
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    log.close()
