"""The features and embed stages' work on a Dask cluster gives what a local run gives.

A loopback cluster (a scheduler and two worker processes on this machine) stands in
for the one `aurora predict --dask-address` uses; each run gets its own empty cache.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from aurora.config import AudioConfig, FeatureConfig, WhisperConfig
from aurora.features.build import build_features
from aurora.util.parallel import dask_address
from aurora.whisper.build import build_embeddings

distributed = pytest.importorskip("distributed")
WHISPER = WhisperConfig(blocks=(1, 2))


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local.scheduler_address


@pytest.fixture
def clips(tmp_path, clip_writer):
    paths = [clip_writer(f"c{i}.wav", seconds=0.7 + 0.1 * i, sr=16000, f0=120 + 25 * i, seed=i)
             for i in range(5)]
    (tmp_path / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    paths.append(tmp_path / "broken.wav")
    return pd.DataFrame({"clip_id": [p.stem for p in paths], "path": [str(p) for p in paths],
                         "content_hash": [f"h{i}" for i in range(len(paths))]})


def test_dask_address_comes_from_the_environment():
    assert dask_address({"AURORA_DASK_ADDRESS": " tcp://10.0.0.5:8786 "}) == "tcp://10.0.0.5:8786"
    assert dask_address({}) is None and dask_address({"AURORA_DASK_ADDRESS": ""}) is None


def test_features_and_embeddings_on_a_cluster_equal_a_local_run(tmp_path, clips, cluster):
    audio = AudioConfig()
    runs = {}
    for where, address in (("local", None), ("dask", cluster)):
        features = FeatureConfig(workers=2, cache_dir=str(tmp_path / f"cache-{where}"))
        feats = build_features(clips, tmp_path, features, audio, dask=address)
        embedded = build_embeddings(clips, tmp_path, WHISPER, audio, features, dask=address)
        runs[where] = (feats, embedded)
    (local_f, local_e), (dask_f, dask_e) = runs["local"], runs["dask"]
    assert len(local_f.stats) == len(dask_f.stats) == 5
    assert len(local_f.failed) == len(dask_f.failed) == 1  # the broken file, on both
    pd.testing.assert_frame_equal(local_f.stats, dask_f.stats)
    assert local_e.computed == dask_e.computed == 5 and len(dask_e.failed) == 1
    names = [c for c in local_e.stats.columns if c.startswith("whisper_")]
    np.testing.assert_allclose(dask_e.stats[names].to_numpy(), local_e.stats[names].to_numpy(), atol=1e-5)
    # The cluster's results went into the cache: a second run computes nothing.
    again = build_embeddings(clips, tmp_path, WHISPER, audio,
                             dataclasses.replace(FeatureConfig(), cache_dir=str(tmp_path / "cache-dask")),
                             dask=cluster)
    assert again.computed == 0 and again.cached == 5
