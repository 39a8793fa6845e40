"""Stopping a served deployment with Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stop_on_signals() -> None:
    """Make SIGINT and SIGTERM raise KeyboardInterrupt in the serving process.

    Prefect's runner runs under asyncio, which turns Ctrl-C into the cancellation of its main
    task; a flow run being started at that moment can absorb the cancellation, and the runner
    then goes on serving (seen in CI: still serving 60 s after SIGINT). asyncio installs that
    behaviour only over Python's default handler, so with this one in place the interrupt stops
    the runner wherever it is. Service managers stop it the same way with SIGTERM."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
