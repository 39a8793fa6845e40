"""The `aurora` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aurora import __version__
from aurora.config import ConfigError, load_params, ravdess_source
from aurora.dataset import DatasetError, prepare_raw_dir


def _fetch(args: argparse.Namespace) -> int:
    params = load_params(args.params)
    source = Path(args.source) if args.source else ravdess_source()
    print(prepare_raw_dir(Path(params.data.raw_dir), source))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aurora", description=__doc__)
    parser.add_argument("--version", action="version", version=f"aurora {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser(
        "fetch", help="make data.raw_dir hold RAVDESS: link a local copy or download it")
    fetch.add_argument("source", nargs="?", help="a local RAVDESS folder (default: $RAVDESS_DIR)")
    fetch.add_argument("--params", default="params.yaml")
    fetch.set_defaults(handler=_fetch)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, DatasetError) as exc:
        print(f"aurora: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
