"""A content-addressed Parquet cache of per-clip features.

Entries are keyed by (content hash of the audio file, feature fingerprint):
one directory per fingerprint, holding immutable part files. A clip whose
bytes and feature settings are unchanged is never recomputed, whatever its
name or folder; new results go into a new part, written atomically, so an
interrupted run loses nothing already written and concurrent runs only
risk computing a clip twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aurora.util.atomic import write_atomic

SCHEMA = pa.schema([
    ("content_hash", pa.string()),
    ("n_frames", pa.int32()),
    ("frames", pa.list_(pa.float32())),  # n_frames x frame features, row-major
    ("logmel", pa.list_(pa.float32())),  # n_frames x n_mels, row-major
    ("stats", pa.list_(pa.float32())),
])
MAX_PARTS = 32  # beyond this, parts are merged into one


class FeatureCache:
    def __init__(self, root: str | Path, fingerprint: str):
        self.dir = Path(root) / fingerprint

    def _parts(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def known(self) -> set[str]:
        """Content hashes with cached features."""
        hashes: set[str] = set()
        for part in self._parts():
            hashes.update(pq.read_table(part, columns=["content_hash"])["content_hash"].to_pylist())
        return hashes

    def add(self, rows: Iterable[dict]) -> int:
        """Store new entries as one new part; return how many were written."""
        table = pa.Table.from_pylist(list(rows), schema=SCHEMA)
        if table.num_rows:
            target = self.dir / f"part-{uuid.uuid4().hex}.parquet"
            write_atomic(target, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
        return table.num_rows

    def read(self, hashes: Iterable[str]) -> pa.Table:
        """Entries for `hashes` (each once), in no particular order."""
        wanted = pa.array(sorted(set(hashes)), type=pa.string())
        pieces = [pq.read_table(p).filter(pc.is_in(pc.field("content_hash"), wanted))
                  for p in self._parts()]
        table = pa.concat_tables(pieces) if pieces else SCHEMA.empty_table()
        # Concurrent runs may have stored the same clip twice: keep one copy.
        first = pc.index_in(wanted, table["content_hash"])
        return table.take(pc.drop_null(first)) if table.num_rows else table

    def missing(self, clips: pd.DataFrame) -> pd.DataFrame:
        """The rows of `clips` (one per content hash) with nothing cached yet."""
        todo = clips.drop_duplicates("content_hash")
        return todo[~todo.content_hash.isin(self.known())]

    def aligned(self, clips: pd.DataFrame) -> tuple[pa.Table, pd.DataFrame]:
        """Cached rows in the order of `clips` (clip_id, content_hash), and those clips.

        Clips with no cached entry (failed ones) are left out of both.
        """
        table = self.read(clips.content_hash)
        order = pd.DataFrame({"content_hash": table["content_hash"].to_numpy(zero_copy_only=False),
                              "row": np.arange(table.num_rows)})
        present = clips[["clip_id", "content_hash"]].merge(order, on="content_hash", how="inner")
        return table.take(pa.array(present.row.to_numpy())), present.drop(columns="row")

    @staticmethod
    def stats_frame(table: pa.Table, present: pd.DataFrame, names: list[str]) -> pd.DataFrame:
        """clip_id, content_hash and one float32 column per name, from the `stats` lists."""
        values = (np.vstack(table["stats"].to_numpy(zero_copy_only=False)) if table.num_rows
                  else np.empty((0, len(names))))
        frame = pd.DataFrame(values, columns=names, dtype=np.float32)
        frame.insert(0, "content_hash", present.content_hash.to_numpy())
        frame.insert(0, "clip_id", present.clip_id.to_numpy())
        return frame

    def compact(self) -> None:
        """Merge parts into one when there are many (keeps reads fast)."""
        parts = self._parts()
        if len(parts) <= MAX_PARTS:
            return
        table = pa.concat_tables(pq.read_table(p) for p in parts)
        hashes = table["content_hash"]
        unique = pc.index_in(pc.unique(hashes), hashes)
        merged = table.take(unique)
        target = self.dir / f"part-{uuid.uuid4().hex}.parquet"
        write_atomic(target, lambda tmp: pq.write_table(merged, tmp, compression="zstd"))
        for p in parts:
            p.unlink(missing_ok=True)
