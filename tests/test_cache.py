"""The feature cache: hits, misses, new clips, changed settings, duplicates."""

import hashlib
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aurora.config import AudioConfig, FeatureConfig
from aurora.features.build import build_features
from aurora.features.cache import FeatureCache


@pytest.fixture
def clips(tmp_path, clip_writer):
    rows = []
    for i in range(4):
        path = clip_writer(f"raw/Actor_01/03-01-0{i + 2}-01-01-01-01.wav", seconds=0.8, seed=i,
                           f0=120 + 20 * i)
        rows.append({"clip_id": path.stem, "path": path.relative_to(tmp_path / "raw").as_posix(),
                     "content_hash": hashlib.sha256(path.read_bytes()).hexdigest()})
    return tmp_path / "raw", pd.DataFrame(rows)


@pytest.fixture
def configs(tmp_path):
    return FeatureConfig(workers=1, cache_dir=str(tmp_path / "cache")), AudioConfig()


def test_second_run_is_all_cache_hits_with_identical_values(clips, configs):
    raw, table = clips
    first = build_features(table.iloc[:3], raw, *configs)
    assert (first.computed, first.cached) == (3, 0)
    second = build_features(table.iloc[:3], raw, *configs)
    assert (second.computed, second.cached) == (0, 3)
    pd.testing.assert_frame_equal(first.stats, second.stats)
    assert first.frames.equals(second.frames)


def test_adding_a_clip_computes_only_that_clip(clips, configs):
    raw, table = clips
    build_features(table.iloc[:3], raw, *configs)
    result = build_features(table, raw, *configs)
    assert (result.computed, result.cached) == (1, 3)
    assert list(result.stats.clip_id) == list(table.clip_id)  # request order


def test_changed_settings_miss_and_workers_do_not(clips, configs):
    raw, table = clips
    features, audio = configs
    build_features(table, raw, features, audio)
    assert build_features(table, raw, replace(features, workers=2), audio).computed == 0
    assert build_features(table, raw, replace(features, n_mfcc=13), audio).computed == 4
    assert build_features(table, raw, features, replace(audio, sample_rate=22050)).computed == 4


def test_renamed_clip_with_same_bytes_is_a_hit(clips, configs):
    raw, table = clips
    build_features(table, raw, *configs)
    twin = table.iloc[:1].assign(clip_id="copy", path="elsewhere.wav")
    (raw / "elsewhere.wav").write_bytes((raw / table.path[0]).read_bytes())
    result = build_features(pd.concat([table, twin], ignore_index=True), raw, *configs)
    assert result.computed == 0
    assert len(result.stats) == 5
    np.testing.assert_array_equal(result.stats.iloc[0, 2:], result.stats.iloc[4, 2:])


def test_frames_table_round_trips_to_arrays(clips, configs):
    raw, table = clips
    result = build_features(table, raw, *configs)
    row = result.frames.slice(0, 1).to_pylist()[0]
    frames = np.asarray(row["frames"], dtype=np.float32).reshape(row["n_frames"], -1)
    assert frames.shape[1] == len(result.frame_names)
    assert result.frames.schema.metadata[b"frame_names"].decode().split(",") == result.frame_names


def test_unreadable_clip_is_reported_not_fatal(clips, configs):
    raw, table = clips
    (raw / table.path[1]).write_bytes(b"garbage")
    result = build_features(table, raw, *configs)
    assert result.computed == 3 and len(result.failed) == 1
    assert "not a readable audio file" in result.failed[0]
    assert table.clip_id[1] not in set(result.stats.clip_id)


def test_duplicate_entries_are_read_once_and_compaction_keeps_them(tmp_path):
    cache = FeatureCache(tmp_path, "fp")
    row = {"content_hash": "a", "n_frames": 1, "frames": [1.0], "logmel": [2.0], "stats": [3.0]}
    for _ in range(40):  # more parts than MAX_PARTS, all holding the same clip
        cache.add([row])
    assert cache.read(["a"]).num_rows == 1
    cache.compact()
    assert len(list(cache.dir.glob("part-*.parquet"))) == 1
    assert cache.known() == {"a"}
    assert cache.read(["a", "b"]).num_rows == 1
