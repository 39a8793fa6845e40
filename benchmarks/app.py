"""`aurora app`: seconds from the command to a page that answers (HTTP 200 with content on its
port), over several fresh starts. The page is Streamlit's shell; the explorer's own script runs
when a browser connects.

    python benchmarks/app.py --runs 5
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds_to_page(timeout_s: float = 120) -> float:
    """Start `aurora app` on a free loopback port; the seconds until its page answers."""
    port = _free_port()
    started = time.perf_counter()
    app = subprocess.Popen([sys.executable, "-m", "aurora_cli.main", "app", "--port", str(port)], cwd=REPO,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout_s:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    if page.status == 200 and page.read():
                        return time.perf_counter() - started
            except OSError:  # not listening yet
                time.sleep(0.05)
        raise SystemExit(f"aurora app did not answer within {timeout_s:g} s")
    finally:
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    seconds = [seconds_to_page() for _ in range(args.runs)]
    print(f"aurora app to a page that answers: median {statistics.median(seconds):.2f} s "
          f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(seconds)} runs)")


if __name__ == "__main__":
    main()
