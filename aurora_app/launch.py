"""`aurora app`: run the Streamlit explorer on one address, without telemetry or a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")


def streamlit_command(model_dir: str, host: str, port: int) -> list[str]:
    settings = {"server.address": host, "server.port": port, "server.headless": "true",
                "browser.gatherUsageStats": "false", "server.fileWatcherType": "none",
                "client.toolbarMode": "viewer", "server.maxUploadSize": 500}  # MB
    options = [item for key, value in settings.items() for item in (f"--{key}", str(value))]
    return [sys.executable, "-m", "streamlit", "run", str(APP), *options,
            "--", "--model", str(Path(model_dir).resolve())]


def launch(model_dir: str, host: str, port: int) -> int:
    print(f"AURORA explorer on http://{host}:{port} (model {model_dir}); Ctrl-C stops", file=sys.stderr)
    try:
        return subprocess.call(streamlit_command(model_dir, host, port))
    except KeyboardInterrupt:
        return 0
