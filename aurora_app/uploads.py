"""Uploaded audio: checked before it is analysed, so a bad upload is a message, not a traceback."""

from __future__ import annotations

from pathlib import Path

from aurora.audio.decode import AudioError
from aurora.audio.windows import open_audio

UPLOAD_TYPES = ("wav", "flac", "ogg", "mp3")
MAX_SECONDS = 600.0  # longer files: `aurora predict --segments`, which streams them window by window


class UploadError(ValueError):
    """An upload the explorer cannot analyse; the message says why and what to do."""


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def save_upload(name: str, data: bytes, folder: Path) -> tuple[Path, float]:
    """Write an upload into `folder` (under a fixed name: the user's file name is only shown) and
    return (path, duration in seconds) if it is audio the explorer analyses."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in UPLOAD_TYPES:
        raise UploadError(f"{name}: not a supported audio type; upload WAV, FLAC, OGG or MP3")
    if not data:
        raise UploadError(f"{name} is empty (0 bytes)")
    path = folder / f"upload.{suffix}"
    path.write_bytes(data)
    try:
        with open_audio(path) as f:
            seconds = f.frames / f.samplerate if f.samplerate else 0.0
    except AudioError as exc:
        raise UploadError(f"{name}: {exc}") from None
    if seconds > MAX_SECONDS:
        raise UploadError(f"{name} is {_duration(seconds)} long; the explorer analyses up to "
                          f"{_duration(MAX_SECONDS)}. Classify long recordings with `aurora predict "
                          f"FILE --out predictions.csv --segments segments.csv`.")
    return path, seconds
