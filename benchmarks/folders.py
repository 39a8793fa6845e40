"""`aurora predict --recursive` on folders as users keep them, at any size: peak memory and files/s.

For each N it builds an archive of N files from real clips, no audio copied:
every file is a symbolic link to a clip under $RAVDESS_DIR (the corpus
repeated as often as needed), `--per-folder` files to a sub-folder, and the
archive's sub-folders are themselves links to those folders (as DVC, data
catalogues and shared drives lay data out), plus one link back to the
archive itself (a loop, which must not classify anything twice). It then
runs `aurora predict ARCHIVE --recursive` in a fresh process and prints the
peak RSS of the whole process tree (the command, and whatever it starts),
the command's own peak, and
files/s (rows over the whole command's wall time, and the flow's own rate).

    RAVDESS_DIR=../shared/data/ravdess python benchmarks/folders.py --files 1000 10000 [--huge]

`--plain` runs on the real sub-folders instead of the linked ones (code that
does not follow linked folders finds nothing in the archive).
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
from pathlib import Path

from predict import REPO, flow_seconds, pick_clips, run_predict

from stages.paths import MODEL

HUGE = 100_000


def build_archive(clips: list[Path], root: Path, per_folder: int) -> tuple[Path, Path]:
    """(the archive with linked sub-folders, the folder holding the real sub-folders)."""
    store, archive = root / "store", root / "archive"
    store.mkdir(parents=True)
    archive.mkdir()
    for start in range(0, len(clips), per_folder):
        folder = store / f"speaker_{start // per_folder:05d}"
        folder.mkdir()
        for i, clip in enumerate(clips[start:start + per_folder], start):
            (folder / f"{i:07d}_{clip.name}").symlink_to(clip.resolve())
        (archive / folder.name).symlink_to(os.path.relpath(folder, archive), target_is_directory=True)
    (archive / "loop").symlink_to(".", target_is_directory=True)
    return archive, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, nargs="*", default=[1000, 10_000],
                        help="archive sizes (none: only --huge)")
    parser.add_argument("--huge", action="store_true", help=f"also {HUGE:,} files (about half an hour)")
    parser.add_argument("--per-folder", type=int, default=500, help="files per sub-folder")
    parser.add_argument("--plain", action="store_true",
                        help="classify the real sub-folders, not the archive of linked ones")
    parser.add_argument("--model", default=str(REPO / MODEL))
    parser.add_argument("--tmp", help="build the archives here (default: the system's temporary folder)")
    args = parser.parse_args()
    raw = os.environ.get("RAVDESS_DIR")
    if not raw:
        raise SystemExit("set RAVDESS_DIR to a RAVDESS copy")
    sizes = [*args.files, *([HUGE] if args.huge else [])]
    api = os.environ.get("PREFECT_API_URL", "(none: classified in the command's own process)")
    print(f"model {args.model}, {'real' if args.plain else 'linked'} sub-folders of {args.per_folder} "
          f"files, PREFECT_API_URL={api}", flush=True)
    for n in sizes:
        clips = pick_clips(Path(raw), n)
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            archive, store = build_archive(clips, Path(tmp), args.per_folder)
            out = Path(tmp) / "predictions.csv"
            run = run_predict([store if args.plain else archive], out, Path(args.model), ["--recursive"],
                              dict(os.environ))
            with open(out, newline="") as f:
                rows = list(csv.DictReader(f))
            ok = sum(r["status"] == "ok" for r in rows)
            print(f"{n:,} files: {len(rows):,} rows ({ok:,} ok), whole command {run.wall_s:.1f} s, "
                  f"{len(rows) / run.wall_s:.1f} files/s ({flow_seconds(run.stderr):.1f} in the flow); "
                  f"peak RSS of the process tree {run.tree_peak_mib:,.0f} MiB, of the command "
                  f"{run.peak_rss_mib:,.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
