"""Rebuild throughput for one corpus folder: ingest, handcrafted features and Whisper embeddings,
in local processes and on a loopback Dask cluster (a scheduler and two worker processes that this
script starts and stops), each with an empty cache. It prints clips per second and what a
CREMA-D-sized corpus (7,442 clips, each also re-encoded for every training copy) would take.

    python -m benchmarks.corpus ../shared/data/ravdess --clips 200
    python -m benchmarks.corpus ../shared/data/emodb-dev --corpus emodb   # an entry of params.yaml

A corpus other than RAVDESS is read with its params.yaml entry (data.corpora or crosscorpus.corpora),
which gives its reader and labels.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from aurora.config import DataConfig, load_params
from aurora.data.manifest import build_manifest, located, usable
from aurora.features.build import build_features
from aurora.util.parallel import worker_count
from aurora.whisper.build import build_embeddings

CREMA_D_CLIPS = 7442


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--corpus", default="ravdess", help="ravdess, or a corpus named in params.yaml")
    parser.add_argument("--clips", type=int, default=200, help="clips for features and embeddings")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    args = parser.parse_args()
    params = load_params()
    workers = worker_count(params.features.workers)
    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus == "ravdess":
            manifest, seconds = _timed(build_manifest, args.folder, params.data, workers=workers)
        else:
            entries = {**params.crosscorpus.corpora, **params.data.corpora}
            if args.corpus not in entries:
                raise SystemExit(f"{args.corpus!r} is in neither data.corpora nor crosscorpus.corpora")
            config = DataConfig(corpora={args.corpus: entries[args.corpus]})
            empty = Path(tmp) / "no-ravdess"
            empty.mkdir()
            manifest, seconds = _timed(build_manifest, empty, config, workers=workers,
                                       corpora={args.corpus: args.folder},
                                       extensions=params.predict.extensions)
        clips = usable(manifest)
        print(f"ingest: {len(manifest)} files ({len(clips)} usable) in {seconds:.1f} s = "
              f"{len(manifest) / seconds:.1f} files/s ({workers} processes)")
        clips = located(clips, {clips.source.iloc[0]: args.folder}).head(args.clips)
        copies = params.augment.effective_copies if params.train.use_augmented else 0
        print(f"{len(clips)} clips for features and embeddings; a CREMA-D-sized rebuild encodes "
              f"{CREMA_D_CLIPS} clips x (1 + {copies} training copies)\n")
        print(f"{'where':28s} {'features':>14s} {'embeddings':>14s} {'CREMA-D-sized':>14s}")
        for where, address in _places(args.workers, params.whisper):
            features = dataclasses.replace(params.features, cache_dir=f"{tmp}/cache-{where}")
            feats, t_feat = _timed(build_features, clips, Path(), features, params.audio, dask=address)
            emb, t_emb = _timed(build_embeddings, clips, Path(), params.whisper, params.audio, features,
                                dask=address)
            assert not feats.failed and not emb.failed, (feats.failed, emb.failed)
            per_clip = (t_feat + t_emb) / len(clips)
            total_min = per_clip * CREMA_D_CLIPS * (1 + copies) / 60
            print(f"{where:28s} {len(clips) / t_feat:9.1f} cl/s {len(clips) / t_emb:9.1f} cl/s "
                  f"{total_min:10.0f} min")


def _warm_worker(cfg) -> None:
    from aurora.util.librosa_warmup import warm_librosa
    from aurora.whisper.build import embedder_for

    warm_librosa()
    embedder_for(cfg)


def _places(n_workers: int, whisper):
    """Local processes, then a loopback Dask cluster started here (its start-up and the workers'
    imports, librosa's numba code and Whisper weights timed apart) and stopped at the end."""
    yield "local", None
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        with Client(cluster.scheduler_address) as client:
            client.run(_warm_worker, whisper)
        print(f"(loopback cluster started and its {n_workers} workers warmed up in "
              f"{time.perf_counter() - started:.1f} s)")
        yield f"dask, {n_workers} workers (loopback)", cluster.scheduler_address


if __name__ == "__main__":
    main()
