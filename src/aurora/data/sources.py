"""Where RAVDESS comes from: a local copy named by $RAVDESS_DIR, an existing
directory, or the official archive on Zenodo (record 1188976).

The pipeline always reads `data.raw_dir`; this module makes that path hold
the corpus, by linking to the user's copy or by downloading and unpacking.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import typing
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from tqdm import tqdm

from aurora.errors import DatasetError
from aurora.util.files import walk_files

ZENODO_URL = "https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1"
ZENODO_MD5 = "bc696df654c87fed845eb13823edef8a"  # as published on the Zenodo record
ARCHIVE_NAME = "Audio_Speech_Actors_01-24.zip"
AUDIO_EXTENSIONS = ("wav", "flac")  # what RAVDESS ships
RAVDESS_DIR_ENV = "RAVDESS_DIR"

HOW_TO_POINT = (
    "Point AURORA at a local copy instead: export RAVDESS_DIR=/path/to/ravdess "
    "(a folder holding Actor_01 ... Actor_24, at any depth, WAV or FLAC), "
    "or set data.raw_dir in params.yaml, then run `dvc repro` again."
)


def has_audio(root: Path) -> bool:
    """True when `root` holds at least one WAV or FLAC file at any depth."""
    return bool(walk_files(root, extensions=AUDIO_EXTENSIONS))


def ravdess_source(environ: typing.Mapping[str, str] = os.environ) -> Path | None:
    """The user's local RAVDESS copy named by $RAVDESS_DIR, if any."""
    value = environ.get(RAVDESS_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def prepare_raw_dir(raw_dir: Path, source: Path | None, *, url: str = ZENODO_URL,
                    md5: str = ZENODO_MD5, timeout: float = 10.0) -> str:
    """Make `raw_dir` hold RAVDESS; return a one-line account of what was done."""
    if source is not None:
        return _link(raw_dir, source)
    if raw_dir.is_dir() and has_audio(raw_dir):
        return f"using the RAVDESS copy already in {raw_dir}"
    if raw_dir.is_symlink():
        raise DatasetError(f"{raw_dir} is a link to {os.readlink(raw_dir)}, which holds no "
                           f"WAV or FLAC files. {HOW_TO_POINT}")
    if raw_dir.is_dir() and any(raw_dir.iterdir()):
        raise DatasetError(f"{raw_dir} exists but holds no WAV or FLAC files; not downloading "
                           f"over it. {HOW_TO_POINT}")
    archive = raw_dir.parent / "downloads" / ARCHIVE_NAME
    download(url, archive, md5, timeout=timeout)
    unpack(archive, raw_dir)
    return f"downloaded {ARCHIVE_NAME} and unpacked it into {raw_dir}"


def _link(raw_dir: Path, source: Path) -> str:
    source = source.expanduser().resolve()
    if not source.is_dir():
        raise DatasetError(f"RAVDESS_DIR={source} is not a directory. {HOW_TO_POINT}")
    if not has_audio(source):
        raise DatasetError(f"RAVDESS_DIR={source} holds no WAV or FLAC files. {HOW_TO_POINT}")
    if raw_dir.exists() and not raw_dir.is_symlink():
        if raw_dir.resolve() == source:
            return f"using {raw_dir}"
        raise DatasetError(
            f"{raw_dir} is a real directory, so it cannot become a link to RAVDESS_DIR={source}. "
            "Move it away, or unset RAVDESS_DIR to use it."
        )
    _replace_with_link(raw_dir, source)
    return f"linked {raw_dir} -> {source}"


def _replace_with_link(link: Path, source: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.link")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(source, target_is_directory=True)
    os.replace(tmp, link)  # atomic: the old link is never missing


def link_corpus(link: Path, name: str, location: Path | None, origin: str) -> str:
    """Make `link` a link to an evaluation corpus's folder, or, when there is none, an empty
    folder (DVC needs the path to exist); return what was done, in words."""
    if location is not None and location.expanduser().is_dir():
        source = location.expanduser().resolve()
        if link.exists() and not link.is_symlink():
            if any(link.iterdir()):
                raise DatasetError(f"{link} is a real, non-empty directory, so it cannot become a link "
                                   f"to {source} ({origin}); move it away")
            link.rmdir()
        _replace_with_link(link, source)
        return f"linked {link} -> {source} ({origin})"
    why = origin if location is None else f"{location} ({origin}) is not a directory"
    if link.is_symlink():
        link.unlink()
    link.mkdir(parents=True, exist_ok=True)
    return f"corpus {name!r} is absent ({why}): its cross-corpus evaluation will be skipped"


def download(url: str, dest: Path, md5: str, *, timeout: float = 10.0) -> None:
    """Download `url` to `dest`, resuming a partial `.part` file; verify MD5."""
    if dest.exists() and _md5(dest) == md5:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code != 416:  # 416: the partial file is already complete
            raise DatasetError(f"download of {url} failed: HTTP {exc.code}. {HOW_TO_POINT}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DatasetError(f"cannot reach {url} ({reason}); are you offline? {HOW_TO_POINT}") from None
    else:
        with response:
            if have and response.status != 206:
                have = 0  # the server ignored the range: start again
            length = int(response.headers.get("Content-Length") or 0)
            with open(part, "ab" if have else "wb") as out, tqdm(
                total=have + length or None, initial=have, unit="B", unit_scale=True,
                desc=f"downloading {dest.name}",
            ) as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    actual = _md5(part)
    if actual != md5:
        part.unlink()
        raise DatasetError(f"{dest.name}: MD5 {actual} does not match the published {md5}; "
                           "the partial file was deleted, run again to restart the download.")
    os.replace(part, dest)


def unpack(archive: Path, raw_dir: Path) -> None:
    """Extract `archive` into `raw_dir` (atomically: a failed unpack leaves nothing)."""
    raw_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=raw_dir.parent, prefix=".unpack-") as tmp:
        try:
            with zipfile.ZipFile(archive) as zf:
                root = Path(tmp).resolve()
                for member in zf.namelist():
                    if not (root / member).resolve().is_relative_to(root):
                        raise DatasetError(f"{archive}: unsafe path {member!r} in archive")
                zf.extractall(tmp)
        except zipfile.BadZipFile as exc:
            raise DatasetError(f"{archive} is not a valid zip file ({exc}); "
                               "delete it and run again") from None
        if raw_dir.is_dir():
            raw_dir.rmdir()  # empty: prepare_raw_dir refuses to download over files
        os.replace(Path(tmp), raw_dir)
        Path(tmp).mkdir()  # TemporaryDirectory expects to clean something up


def _md5(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()
