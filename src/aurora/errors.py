"""The failures a user should see as one clear line, not a traceback.

Every error the stages and the command line report that way derives from
AuroraError: they catch it once, print its message, and exit 1. Anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class AuroraError(Exception):
    """A failure the user can act on; the message says what is wrong and what to do."""


class ConfigError(AuroraError, ValueError):
    """params.yaml (or an option) is missing, malformed, or holds an invalid value."""


class DatasetError(AuroraError, RuntimeError):
    """A corpus could not be located, linked, downloaded, unpacked or read."""
