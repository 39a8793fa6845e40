"""The examples a model learns from: the feature artifacts in memory as one table.

Rows are the original clips plus (optionally) their augmented copies. A copy
inherits its source's speaker and label, so selecting a fold's training rows
by speaker can never pull in a copy of a validation or test clip.

A model trains on its inputs as the training stages computed them, but it is
scored on held-out clips as `aurora predict` computes them: with the Whisper
encoder at whisper.inference_precision, say, while training used float32.
`Examples.heldout` holds those inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from aurora.data.labels import LabelSpace
from aurora.data.splits import Fold
from aurora.errors import DatasetError

META = ["clip_id", "source_clip_id", "speaker", "corpus", "gender", "emotion", "label", "augmented"]


@dataclass
class Examples:
    meta: pd.DataFrame  # META columns, one row per example
    stats: np.ndarray  # (n, n_stats) float32
    stat_names: list[str]
    sequences: list[np.ndarray] | None  # (frames, dims) float32 per example, if loaded
    sequence_names: list[str]
    # The original clips' statistics as inference computes them (copies' rows as in `stats`);
    # None: the same as `stats`.
    heldout: np.ndarray | None = None

    def rows(self, speakers, *, augmented: bool) -> np.ndarray:
        """Indices of modelled examples spoken by `speakers` (copies only if `augmented`)."""
        keep = self.meta.speaker.isin(list(speakers)).to_numpy() & (self.meta.label.to_numpy() >= 0)
        if not augmented:
            keep &= ~self.meta.augmented.to_numpy()
        return np.flatnonzero(keep)

    def fold_rows(self, fold: Fold, *, augmented: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(train, validation, test) indices; only training may include augmented copies."""
        return (self.rows(fold.train, augmented=augmented), self.rows(fold.val, augmented=False),
                self.rows(fold.test, augmented=False))


def clips_per_corpus(examples: Examples, speakers) -> dict[str, dict]:
    """Per corpus, in name order: how many of `speakers` it has and their original clips that
    a model can learn from (the classes modelled)."""
    meta = examples.meta
    own = meta[meta.speaker.isin(set(speakers)) & ~meta.augmented & (meta.label >= 0)]
    return {str(corpus): {"speakers": int(rows.speaker.nunique()), "clips": len(rows)}
            for corpus, rows in own.groupby("corpus", sort=True)}


def row_weights(speakers: np.ndarray, corpora: np.ndarray, scheme: str) -> np.ndarray | None:
    """Each row's weight under train.weighting: None for "clips" (every row counts once);
    "speakers": each speaker's rows together weigh the same; "corpora": each corpus's rows
    together weigh the same, its speakers equally within it. Scaled to a mean of 1."""
    if scheme == "clips":
        return None
    speakers, corpora = np.asarray(speakers), np.asarray(corpora)
    per_speaker = pd.Series(speakers).map(pd.Series(speakers).value_counts()).to_numpy(np.float64)
    weights = 1.0 / per_speaker
    if scheme == "corpora":
        speakers_in = pd.DataFrame({"s": speakers, "c": corpora}).groupby("c").s.nunique()
        weights /= pd.Series(corpora).map(speakers_in).to_numpy(np.float64)
    return weights / weights.mean()


def balanced(weights: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`weights` rescaled so that every class present weighs the same in total (mean 1)."""
    totals = np.bincount(y, weights=weights)
    present = totals > 0
    out = weights * (totals.sum() / (present.sum() * np.where(present, totals, 1.0)))[y]
    return out / out.mean()


def _sequences(frames_path: Path, clip_ids: pd.Series, which: str) -> tuple[list[np.ndarray], list[str]]:
    table = pq.read_table(frames_path)
    names = table.schema.metadata[b"frame_names"].decode().split(",")
    position = {c: i for i, c in enumerate(table["clip_id"].to_pylist())}
    n_frames = table["n_frames"].to_numpy()
    frames = table["frames"].combine_chunks() if which != "logmel" else None
    logmel = table["logmel"].combine_chunks() if which != "frames" else None
    out = []
    for clip_id in clip_ids:
        i = position[clip_id]
        parts = []
        if frames is not None:
            parts.append(np.asarray(frames[i].values, dtype=np.float32).reshape(n_frames[i], -1))
        if logmel is not None:
            parts.append(np.asarray(logmel[i].values, dtype=np.float32).reshape(n_frames[i], -1))
        out.append(np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0])
    n_mels = len(logmel[0].values) // int(n_frames[0]) if logmel is not None and len(table) else 0
    seq_names = (names if frames is not None else []) + [f"logmel{i + 1:02d}" for i in range(n_mels)]
    return out, seq_names


_NOT_STATS = ("content_hash", "source_clip_id", "recipe")


def _stats(files: list[Path]) -> pd.DataFrame:
    """Statistics tables joined column-wise by clip_id (one file per feature set)."""
    merged = pd.read_parquet(files[0])
    for path in files[1:]:
        more = pd.read_parquet(path)
        merged = merged.merge(more.drop(columns=[c for c in _NOT_STATS if c in more]), on="clip_id")
    return merged


def load_examples(manifest: pd.DataFrame, labels: LabelSpace, originals: list[Path],
                augmented: list[Path] | None = None, *, sequences: str | None = None,
                frames: tuple[Path, Path | None] | None = None, heldout: list[Path] | None = None) -> Examples:
    """Join manifest labels with features.

    `originals` / `augmented`: statistics parquet files of the original clips and of
    the augmented copies (several = fused feature sets). `sequences` ("frames",
    "logmel" or "both") loads frame sequences from the `frames` parquet files.
    `heldout`: the original clips' statistics as inference computes them (Examples.heldout).
    """
    clips = manifest[manifest.status == "ok"].set_index("clip_id")
    parts = [(originals, False)] + ([(augmented, True)] if augmented else [])
    metas, stats, seqs, stat_names, seq_names = [], [], [], [], []
    for (files, is_copy), frames_file in zip(parts, frames or (None, None), strict=False):
        table = _stats(files)
        if table.empty:
            continue
        source = table["source_clip_id"] if is_copy else table["clip_id"]
        info = clips.loc[source, ["speaker", "corpus", "gender", "emotion"]].reset_index(drop=True)
        meta = pd.DataFrame({"clip_id": table.clip_id.to_numpy(), "source_clip_id": source.to_numpy(),
                             "speaker": info.speaker.to_numpy(), "corpus": info.corpus.to_numpy(),
                             "gender": info.gender.to_numpy(),
                             "emotion": info.emotion.astype(str).to_numpy(),
                             "label": labels.encode(info.emotion.astype(str)), "augmented": is_copy})
        # Copies use the originals' column order, by name.
        stat_names = stat_names or [c for c in table.columns if c != "clip_id" and c not in _NOT_STATS]
        metas.append(meta)
        stats.append(table[stat_names].to_numpy(np.float32))
        if sequences:
            more, seq_names = _sequences(frames_file, table.clip_id, sequences)
            seqs.extend(more)
    examples = Examples(pd.concat(metas, ignore_index=True), np.vstack(stats), stat_names,
                    seqs if sequences else None, seq_names)
    if heldout:
        examples.heldout = _heldout_stats(examples, _stats(heldout))
    return examples


def _heldout_stats(examples: Examples, table: pd.DataFrame) -> np.ndarray:
    """`examples.stats` with the original clips' rows taken from `table` (by clip_id)."""
    originals = np.flatnonzero(~examples.meta.augmented.to_numpy())
    ids = examples.meta.clip_id.to_numpy()[originals]
    found = table.set_index("clip_id").reindex(ids)
    missing = ids[found[examples.stat_names[0]].isna().to_numpy()]
    if len(missing):
        raise DatasetError(f"{len(missing)} clips lack their inference-time features, e.g. {missing[0]}: "
                         "rerun the embed stage")
    out = examples.stats.copy()
    out[originals] = found[examples.stat_names].to_numpy(np.float32)
    return out
