"""Running DVC commands with this environment's interpreter (no Prefect import here, so the
command line can use it without Prefect's start-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_dvc(*args: str, cwd: Path, timeout: float | None = None) -> subprocess.CompletedProcess:
    """`python -m dvc ARGS` in `cwd`: works without an activated environment, and the stages'
    `python` is this environment's interpreter."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "DVC_NO_ANALYTICS": "1"}
    return subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
