"""Stage `ingest`: every file under data.raw_dir and of data.corpora -> artifacts/manifest.parquet.

Usable clips have status ``ok``; every other file is listed with its reason
in artifacts/ingest_report.csv and counted in artifacts/ingest_summary.json.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aurora.config import load_params
from aurora.data.manifest import build_manifest, report, summary_table, usable
from aurora.errors import DatasetError
from aurora.util.atomic import write_atomic, write_json
from stages.entry import run
from stages.paths import INGEST_REPORT, INGEST_SUMMARY, MANIFEST, corpus_roots


def main() -> None:
    params = load_params()
    raw_dir = Path(params.data.raw_dir)
    if not raw_dir.is_dir():
        raise DatasetError(f"{raw_dir} does not exist; run `dvc repro` (its fetch stage "
                           "links $RAVDESS_DIR or downloads RAVDESS)")
    roots = corpus_roots(raw_dir, params.data.corpora)
    present = {name: roots[name] for name in params.data.corpora if roots[name].is_dir()}
    manifest = build_manifest(raw_dir, params.data, workers=params.features.workers, corpora=present,
                              extensions=params.predict.extensions)
    problems = report(manifest)
    ok = usable(manifest)
    write_atomic(MANIFEST, lambda tmp: manifest.to_parquet(tmp, index=False))
    write_atomic(INGEST_REPORT, lambda tmp: problems.to_csv(tmp, index=False))
    write_json(INGEST_SUMMARY, {
        "files": len(manifest),
        "usable_clips": len(ok),
        "actors": int(ok.actor.nunique()),
        **({"speakers": int(ok.speaker.nunique()),
            "clips_per_corpus": {str(k): int(v) for k, v in ok.corpus.value_counts().sort_index().items()}}
           if present else {}),
        **({"corpora_skipped": sorted(set(params.data.corpora) - set(present))}
           if set(params.data.corpora) != set(present) else {}),
        "clips_per_emotion": {str(k): int(v) for k, v in ok.emotion.value_counts(sort=False).items()},
        "status_counts": {str(k): int(v) for k, v in manifest.status.value_counts().items()},
    })
    with pd.option_context("display.max_rows", 100, "display.width", 160):
        print(summary_table(manifest).to_string())
    missing = sorted(set(range(1, 25)) - set(ok.actor.dropna().astype(int)))
    if missing:
        print(f"\nnote: no clips of actors {missing} (RAVDESS has 24; the split stage says what this means)")
    skipped = sorted(set(params.data.corpora) - set(present))
    per_corpus = ok.groupby("corpus").speaker.agg(["nunique", "size"])
    print("\ncorpora: " + "; ".join(f"{c} {s} speakers, {n} clips" for c, (s, n) in per_corpus.iterrows())
          + "".join(f"; {name} skipped (no folder linked)" for name in skipped))
    print(f"{len(ok)} usable clips from {ok.speaker.nunique()} speakers; "
          f"{len(manifest) - len(ok)} files not used; report in {INGEST_REPORT}:")
    for row in problems.itertuples():
        print(f"  {row.status:10s} {row.path}: {row.message}")


if __name__ == "__main__":
    run("ingest", main)
