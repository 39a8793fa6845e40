"""`aurora app`: run the Streamlit explorer on one address, without telemetry or a browser."""

from __future__ import annotations

import os
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
    """Become the Streamlit server (exec, not a child process): a SIGTERM from a service manager
    or a test then stops the server itself instead of orphaning it with its port held."""
    print(f"AURORA explorer on http://{host}:{port} (model {model_dir}); Ctrl-C stops", file=sys.stderr)
    sys.stderr.flush()
    command = streamlit_command(model_dir, host, port)
    os.execv(command[0], command)
    return 0  # not reached: execv replaces this process
