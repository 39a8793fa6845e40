"""Prefect flows over the domain package: bulk classification, scheduling, the DVC pipeline."""

import os

# Set before Prefect is imported. Without PREFECT_API_URL a run starts a temporary
# API server, which can need more than Prefect's 20 s default on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
