"""Whether a Prefect server is configured, answered without importing Prefect.

Importing Prefect is a large part of what `aurora predict` takes for one file (docs/results.md,
Start-up time), so the common places are read directly: $PREFECT_API_URL, then the active profile
(what `prefect config set PREFECT_API_URL=...` writes). Prefect also reads a `.env`,
`prefect.toml` or `pyproject.toml` [tool.prefect] in the working folder; where one of those
exists, Prefect's own settings answer.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path


def _profiles_file() -> Path:
    home = os.environ.get("PREFECT_HOME") or Path.home() / ".prefect"
    return Path(os.environ.get("PREFECT_PROFILES_PATH") or Path(home) / "profiles.toml")


def _active_profile_url() -> str:
    try:
        profiles = tomllib.loads(_profiles_file().read_text())
    except (OSError, tomllib.TOMLDecodeError):  # no profiles file: Prefect's defaults, no API URL
        return ""
    name = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return str(profiles.get("profiles", {}).get(name, {}).get("PREFECT_API_URL", ""))


def _settings_files_here() -> bool:
    here = Path.cwd()
    if (here / ".env").is_file() or (here / "prefect.toml").is_file():
        return True
    pyproject = here / "pyproject.toml"
    return pyproject.is_file() and "[tool.prefect" in pyproject.read_text(errors="replace")


def configured_api_url() -> str:
    """The Prefect API that flow runs would report to, or "" where none is configured (Prefect
    would then start a temporary server for the one command)."""
    url = os.environ.get("PREFECT_API_URL", "") or _active_profile_url()
    if url or not _settings_files_here():
        return url
    from prefect.settings import get_current_settings  # only where such a file may set it

    return get_current_settings().api.url or ""
