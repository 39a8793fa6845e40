"""Stage `fetch`: make data.raw_dir hold RAVDESS (link $RAVDESS_DIR, or download)."""

from __future__ import annotations

from pathlib import Path

from aurora.config import load_params
from aurora.data.sources import prepare_raw_dir, ravdess_source
from stages.entry import run


def main() -> None:
    params = load_params()
    print(prepare_raw_dir(Path(params.data.raw_dir), ravdess_source()))


if __name__ == "__main__":
    run("fetch", main)
