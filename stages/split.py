"""Stage `split`: actor-wise cross-validation folds and the final split -> artifacts/splits.json."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aurora.atomic import write_json
from aurora.config import load_params
from aurora.manifest import usable
from aurora.splits import make_splits
from stages._run import run
from stages.ingest import MANIFEST

SPLITS = Path("artifacts/splits.json")


def main() -> None:
    params = load_params()
    clips = usable(pd.read_parquet(MANIFEST))
    genders = dict(zip(clips.actor.astype(int), clips.gender, strict=True))
    folds, final = make_splits(genders, list(params.split.test_actors), params.split.cv_folds,
                               params.split.val_actors)
    absent = sorted(set(params.split.test_actors) - set(genders))
    write_json(SPLITS, {
        "test_actors_requested": list(params.split.test_actors),
        "test_actors_present": list(final.test),
        "note": (f"test actors {absent} are not in the data: evaluation reports "
                 "cross-validation only" if absent == sorted(params.split.test_actors) else ""),
        "folds": [f.to_dict() for f in folds],
        "final": final.to_dict(),
    })
    for fold in [*folds, final]:
        print(f"{fold.name:6s} train {list(fold.train)}\n       val   {list(fold.val)}\n"
              f"       test  {list(fold.test) or 'none present'}")


if __name__ == "__main__":
    run("split", main)
