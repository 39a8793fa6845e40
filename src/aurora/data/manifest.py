"""Build the clip manifest: one row per file under the raw directory.

Every file gets a row and a status, so nothing is dropped silently: usable
clips are ``ok``; the rest say why they are excluded (bad name, song clip,
empty, corrupt, too short, silent, duplicate, not audio).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from aurora.audio.decode import AudioError, decode, read_file
from aurora.config import CorpusSource, DataConfig
from aurora.data.readers import read_corpus
from aurora.data.sources import AUDIO_EXTENSIONS
from aurora.data.emotions import EMOTIONS
from aurora.util.parallel import parallel_map
from aurora.data.readers.ravdess import RAVDESS, FilenameError, parse_clip_name, speaker_id
from aurora.errors import ConfigError
from aurora.util.files import has_extension, normalise_extensions, walk_files

OK = "ok"
COLUMNS = [
    "clip_id", "source", "corpus", "speaker", "path", "content_hash", "size_bytes", "actor", "gender",
    "emotion", "emotion_code", "intensity", "statement", "repetition", "sample_rate", "channels",
    "duration_s", "peak", "status", "message",
]
_INT_COLUMNS = ["actor", "emotion_code", "intensity", "statement", "repetition",
                "sample_rate", "channels"]


@dataclass(frozen=True)
class _Job:
    root: Path
    relative: str
    min_duration_s: float
    include_song: bool


@dataclass(frozen=True)
class _LabelledJob:
    """A file of another corpus whose speaker and emotion its reader already gave."""

    root: Path
    relative: str
    min_duration_s: float
    source: str  # its data.corpora entry, whose folder `relative` is in
    corpus: str
    speaker: str  # namespaced: corpus:speaker
    gender: str
    emotion: str


def inspect_file(job: _Job) -> dict:
    """One manifest row for one RAVDESS file; never raises for a bad file."""
    row: dict = {"clip_id": Path(job.relative).name.split(".", 1)[0], "source": RAVDESS, "corpus": RAVDESS,
                  "path": job.relative}
    if not has_extension(job.relative, normalise_extensions(AUDIO_EXTENSIONS)):
        return {**row, "status": "not_audio", "message": "not a .wav or .flac file; ignored"}
    try:
        data = read_file(job.root / job.relative)
    except AudioError as exc:
        return {**row, "status": "unreadable", "message": str(exc)}
    row.update(content_hash=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
    try:
        name = parse_clip_name(job.relative)
    except FilenameError as exc:
        return {**row, "status": "bad_name", "message": str(exc)}
    row.update(speaker=speaker_id(name.actor), actor=name.actor, gender=name.gender,
               emotion=name.emotion, emotion_code=name.emotion_code, intensity=name.intensity,
               statement=name.statement, repetition=name.repetition)
    if not name.is_audio_only_speech and not job.include_song:
        return {**row, "status": "excluded",
                "message": "not an audio-only speech clip (modality 03, vocal channel 01); "
                           "set data.include_song to keep song clips"}
    return _with_audio(row, data, job.min_duration_s)


def clip_id(corpus: str, relative: str) -> str:
    """Another corpus's clip id: its corpus and path without the extension, unique across corpora
    (``crema_d:AudioWAV/1001_DFA_ANG_XX``)."""
    return f"{corpus}:{PurePosixPath(relative).with_suffix('').as_posix()}"


def inspect_labelled_file(job: _LabelledJob) -> dict:
    """One manifest row for a file of another corpus; never raises for a bad file."""
    row: dict = {"clip_id": clip_id(job.corpus, job.relative), "source": job.source,
                 "corpus": job.corpus,
                 "speaker": job.speaker, "path": job.relative, "gender": job.gender or "unknown",
                 "emotion": job.emotion}
    try:
        data = read_file(job.root / job.relative)
    except AudioError as exc:
        return {**row, "status": "unreadable", "message": str(exc)}
    row.update(content_hash=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
    return _with_audio(row, data, job.min_duration_s)


def _with_audio(row: dict, data: bytes, min_duration_s: float) -> dict:
    """`row` with the decoded audio's properties and its status (ok, or why not)."""
    try:
        audio = decode(data)
    except AudioError as exc:
        status = "empty" if "empty" in str(exc) or "0 frames" in str(exc) else "corrupt"
        return {**row, "status": status, "message": str(exc)}
    peak = float(np.abs(audio.samples).max())
    row.update(sample_rate=audio.sample_rate, channels=audio.channels,
               duration_s=round(audio.duration_s, 4), peak=peak)
    if audio.duration_s < min_duration_s:
        return {**row, "status": "too_short",
                "message": f"{audio.duration_s:.3f} s is shorter than data.min_duration_s "
                           f"= {min_duration_s} s"}
    if peak == 0.0:
        return {**row, "status": "silent", "message": "every sample is zero"}
    return {**row, "status": OK, "message": ""}


def _mark_duplicates(frame: pd.DataFrame) -> None:
    """Keep the first copy of each clip name; flag identical audio under two names.

    RAVDESS itself ships one such pair (actor 07, happy, strong, statement 2,
    repetitions 1 and 2 are byte-identical). Within one speaker it is kept, with
    a warning, since speaker-wise splits keep both copies on one side; across
    speakers (or corpora) the later copy is excluded, as it would leak between splits.
    """
    ok = frame[frame.status == OK]
    first = ok.groupby("clip_id")["path"].transform("first")
    dup = ok.index[ok["path"] != first]
    frame.loc[dup, "message"] = [f"same clip name as {first[i]}; duplicate ignored" for i in dup]
    frame.loc[dup, "status"] = "duplicate"

    ok = frame[frame.status == OK]
    first = ok.groupby("content_hash")[["clip_id", "path", "speaker"]].transform("first")
    for i in ok.index[ok["clip_id"] != first["clip_id"]]:
        if frame.at[i, "speaker"] == first.at[i, "speaker"]:
            frame.at[i, "message"] = (f"warning: same audio content as {first.at[i, 'path']} "
                                      "(same actor, kept)")
        else:
            frame.at[i, "message"] = (f"same audio content as {first.at[i, 'path']} "
                                      f"({first.at[i, 'speaker']}), another speaker's clip; excluded to "
                                      "keep splits disjoint")
            frame.at[i, "status"] = "duplicate"


def _one_corpus_per_speaker(frame: pd.DataFrame) -> None:
    """Stop when a speaker's clips name two corpora (a table's `corpus` column): corpus-wise splits
    would then put one speaker on both sides."""
    ok = frame[frame.status == OK]
    spread = ok.groupby("speaker")["corpus"].unique()
    mixed = spread[spread.map(len) > 1]
    if len(mixed):
        listed = "; ".join(f"{s}: {', '.join(sorted(c))}" for s, c in mixed.head(5).items())
        raise ConfigError(f"{len(mixed)} speaker(s) in several corpora ({listed}): a speaker belongs to one "
                          "corpus, since splits are by speaker; give each speaker one corpus value")


def labelled_jobs(name: str, directory: Path, source: CorpusSource, config: DataConfig,
                  extensions: tuple[str, ...]) -> tuple[list[_LabelledJob], list[dict]]:
    """Corpus `name`'s files (its reader's listing) as inspection jobs, and report rows for those it
    could not read or whose label has no counterpart here. A label code the mapping lacks stops
    with every such code listed: a typo in params.yaml must not drop a class silently."""
    files, rejected = read_corpus(directory, source.reader, extensions, source.table)
    lacking: dict[str, list[str]] = {}
    jobs, rows = [], [{"clip_id": f"{name}:{r.path}", "source": name, "corpus": name,
                       "path": r.path, "status": "bad_name", "message": r.reason} for r in rejected]
    for f in files:
        emotion = source.emotion_of(f.code)
        if emotion is None:
            lacking.setdefault(f.code, []).append(f.path)
            continue
        # Speakers are namespaced by the entry, whatever sub-corpus a table names (one person, one
        # speaker); a sub-corpus is only a grouping for reports and leave-one-corpus-out.
        corpus, speaker = f"{name}/{f.corpus.lower()}" if f.corpus else name, f"{name}:{f.speaker}"
        if not emotion:
            rows.append({"clip_id": clip_id(name, f.path), "source": name, "corpus": corpus,
                         "speaker": speaker, "path": f.path, "status": "excluded",
                         "message": f"label {f.code!r} has no counterpart here (data.corpora.{name}.labels "
                                    "maps it to \"\")"})
            continue
        jobs.append(_LabelledJob(directory, f.path, config.min_duration_s, name, corpus, speaker, f.gender,
                                 emotion))
    if lacking:
        listed = "; ".join(f"{code!r} ({len(paths)} files, e.g. {paths[0]})"
                           for code, paths in sorted(lacking.items()))
        what = ("labels has no entry for" if source.labels else
                "with labels: {} the table's labels must be emotion names, not")
        raise ConfigError(f"data.corpora.{name}: {what} {listed}. Map each to an emotion in "
                          f"data.corpora.{name}.labels, or to \"\" to leave it out")
    return jobs, rows


def build_manifest(root: Path, config: DataConfig, workers: int = 0,
                   corpora: dict[str, Path] | None = None,
                   extensions: tuple[str, ...] = ("wav", "flac")) -> pd.DataFrame:
    """Inspect every file under `root` (RAVDESS) and of each corpus in `corpora` (name -> its
    folder, for data.corpora's entries); return the manifest (all files, with status)."""
    jobs = [_Job(root, rel, config.min_duration_s, config.include_song) for rel in walk_files(root)]
    rows = list(parallel_map(inspect_file, jobs, workers=workers, desc="ingest"))
    for name, directory in (corpora or {}).items():
        labelled, rejected = labelled_jobs(name, directory, config.corpora[name], config, extensions)
        rows += rejected + list(parallel_map(inspect_labelled_file, labelled, workers=workers, desc=name))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    _one_corpus_per_speaker(frame)
    _mark_duplicates(frame)
    for column in _INT_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    frame["size_bytes"] = frame["size_bytes"].astype("Int64")
    for column in ("duration_s", "peak"):
        frame[column] = frame[column].astype("float64")
    frame["emotion"] = pd.Categorical(frame["emotion"], categories=EMOTIONS)
    return frame


def located(clips: pd.DataFrame, roots: dict[str, Path]) -> pd.DataFrame:
    """`clips` with each path joined to its source's folder (roots: source name -> folder) and made
    absolute (a Dask worker may run elsewhere on the same filesystem), for code that reads the
    audio; RAVDESS's folder is data.raw_dir."""
    missing = sorted(set(clips.source) - set(roots))
    if missing:
        raise ConfigError(f"clips of {missing}, which data.corpora no longer lists: run `dvc repro`")
    out = clips.copy()
    out["path"] = [str((roots[s] / p).absolute()) for s, p in zip(clips.source, clips.path, strict=True)]
    return out


def usable(manifest: pd.DataFrame) -> pd.DataFrame:
    """The clips that downstream stages use."""
    return manifest[manifest.status == OK].reset_index(drop=True)


def summary_table(manifest: pd.DataFrame) -> pd.DataFrame:
    """Usable clips per speaker x emotion, with totals."""
    ok = usable(manifest)
    table = pd.crosstab(ok["speaker"], ok["emotion"], margins=True, margins_name="total",
                        dropna=False)
    return table


def report(manifest: pd.DataFrame) -> pd.DataFrame:
    """Files that were not ingested, and why, plus warnings about ingested ones."""
    flagged = (manifest.status != OK) | (manifest.message.fillna("") != "")
    return manifest.loc[flagged, ["path", "status", "message"]]
