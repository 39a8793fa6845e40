"""Readable descriptions of what the pipeline writes: tables (manifest, features,
embeddings, predictions), the splits, the model bundle and the metrics.

Each `describe_*` returns plain data (dicts, lists, numbers, strings) that
`aurora inspect` prints as text or JSON and the web explorer shows; nothing
here knows about DVC or Prefect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aurora.data.labels import PROBABILITY_PREFIX
from aurora.errors import AuroraError
from aurora.models.bundle import CONFIG, MODEL_CARD, bundle_id, read_config

# Columns worth counting values of, when a table has them.
COUNTED = ("emotion", "corpus", "speaker", "gender", "status", "confidence_band", "arousal_band",
           "valence_band", "recipe", "scope", "composition")


class ArtifactError(AuroraError, ValueError):
    """An artifact that is missing or not one this project writes."""


def size_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def row_count(path: Path) -> int | None:
    """Rows of a Parquet or CSV file without reading its data; None for other files."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if path.suffix == ".csv":
        import pandas as pd

        return len(pd.read_csv(path, usecols=[0], dtype=str, keep_default_na=False))
    return None


def _column_groups(schema: pa.Schema, limit: int = 40) -> list[dict]:
    """Columns that differ only by their numbers (mfcc01_mean, mfcc02_mean... or
    whisper_b2_mean000...) as one line each, in order of first appearance: wide feature
    tables read as a few dozen lines."""
    groups: dict[tuple[str, str], dict] = {}
    for field in schema:
        key = (re.sub(r"\d+", "#", field.name), str(field.type))
        group = groups.setdefault(key, {"first": field.name, "last": field.name, "count": 0})
        group["count"] += 1
        group["last"] = field.name
    rows = [{"columns": g["first"] if g["count"] == 1 else f"{g['first']} .. {g['last']}",
             "count": g["count"], "type": kind} for (_, kind), g in groups.items()]
    if len(rows) > limit:
        rest = rows[limit:]
        more = {"columns": f"... {len(rest)} more groups", "count": sum(r["count"] for r in rest),
                "type": "mixed"}
        rows = [*rows[:limit], more]
    return rows


def _missing(table: pa.Table) -> dict[str, int]:
    """Nulls, plus NaN in floating-point columns, per column that has any."""
    out = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        n = column.null_count
        if pa.types.is_floating(column.type):
            n += int(pc.sum(pc.is_nan(column)).as_py() or 0)
        if n:
            out[name] = n
    return out


def _counts(frame, columns=COUNTED) -> dict[str, dict[str, int]]:
    out = {}
    for column in columns:
        if column in frame.columns:
            values = frame[column].value_counts().sort_index()  # speakers in order (ravdess:01, ...)
            out[column] = {str(k): int(v) for k, v in values.items()}
    return out


def _read_csv(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def describe_table(path: Path, manifest: Path | None = None, csv=None) -> dict:
    """Schema (grouped), row count, counts per class/speaker/status and missing values of a
    Parquet or CSV table (`csv`: the CSV already read as strings). Tables keyed by clip_id are
    joined to `manifest` for the counts."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
    elif path.suffix == ".csv":
        frame = _read_csv(path) if csv is None else csv
        table = pa.Table.from_pandas(frame.replace("", None), preserve_index=False)
    else:
        raise ArtifactError(f"{path}: not a table (.parquet or .csv)")
    small = [n for n in table.column_names if n in (*COUNTED, "clip_id")]
    frame = table.select(small).to_pandas()
    if "emotion" not in frame.columns and "clip_id" in frame.columns and manifest and manifest.is_file():
        labels = pq.read_table(manifest, columns=["clip_id", "emotion", "speaker"]).to_pandas()
        frame = frame.merge(labels, on="clip_id", how="left")
    return {"kind": "table", "path": str(path), "rows": table.num_rows, "columns": table.num_columns,
            "size": human_size(size_bytes(path)), "schema": _column_groups(table.schema),
            "counts": _counts(frame), "missing_values": _missing(table)}


def describe_predictions(path: Path, csv=None) -> dict:
    """A predictions CSV from `aurora predict`: the table view plus confidence and errors."""
    frame = _read_csv(path) if csv is None else csv
    out = describe_table(path, csv=frame)
    out["kind"] = "predictions"
    # Empty error (ok rows) and emotion/probabilities (error rows) are expected blanks.
    out["missing_values"] = {k: v for k, v in out["missing_values"].items()
                             if k not in ("error", "emotion", "confidence", "confidence_band", "duration_s")
                             and not k.startswith(PROBABILITY_PREFIX)}
    ok = frame[frame.status == "ok"]
    if len(ok):
        confidence = ok.confidence.astype(float)
        out["confidence"] = {"mean": round(float(confidence.mean()), 4),
                             "median": round(float(confidence.median()), 4)}
        probs = ok[[c for c in ok.columns if c.startswith(PROBABILITY_PREFIX)]].astype(float).sum(axis=1)
        out["probabilities_sum_to_1"] = bool(np.allclose(probs, 1.0, atol=1e-3))
    errors = frame[frame.status == "error"].error.value_counts().head(10)
    out["errors"] = [{"message": str(k), "files": int(v)} for k, v in errors.items()]
    return out


def describe_splits(path: Path, manifest: Path | None = None) -> dict:
    splits = json.loads(path.read_text())
    clips = None
    if manifest and manifest.is_file():
        clips = pq.read_table(manifest, columns=["speaker"]).to_pandas().speaker.value_counts().to_dict()

    def n(speakers: list[str]) -> int | str:
        return sum(clips.get(a, 0) for a in speakers) if clips is not None else "?"

    folds = [{"fold": f["name"], "train_speakers": len(f["train"]), "validation_speakers": f["val"],
              "test_speakers": f["test"], "train_clips": n(f["train"]), "validation_clips": n(f["val"]),
              "test_clips": n(f["test"])}
             for f in [*splits["folds"], splits["final"], *splits.get("leave_one_corpus_out", [])]]
    return {"kind": "splits", "path": str(path), "note": splits.get("note", ""),
            "test_actors_requested": splits["test_actors_requested"],
            "test_actors_present": splits["test_actors_present"], "folds": folds}


def describe_model(path: Path) -> dict:
    from aurora.reporting.model_card import dimensions_text

    config = read_config(path)
    card = path / MODEL_CARD
    return {"kind": "model", "path": str(path), "id": bundle_id(path, config["model"]),
            "model": config["model"], "classes": config["classes"], "inputs": config["n_inputs"],
            "training_data": {corpus: f"{d['speakers']} speakers, {d['clips']} clips"
                              for corpus, d in config["training_data"].items()},
            "feature_sources": sorted(config["feature_sources"]), "speaker_norm": config["speaker_norm"],
            "temperature": round(float(config["temperature"]), 4),
            "group_mode": config.get("group") is not None, "chosen": config["chosen"],
            "training_hash": config["training_hash"], "size": human_size(size_bytes(path)),
            "arousal_and_valence": dimensions_text(config),
            "model_card": str(card) if card.is_file() else ""}


def describe_metrics(path: Path, per_class_csv: Path | None = None) -> dict:
    """metrics.json as tables, plus the per-class table (the evaluate stage's per_class.csv) when
    given and there."""
    import pandas as pd

    from aurora.reporting.tables import dimensions_table, mean_std

    metrics = json.loads(path.read_text())
    names = ("accuracy", "macro_f1", "uar", "min_class_recall")
    modes = []
    for key in ("cv", "cv_other_mode", "test"):
        m = metrics.get(key)
        if m:
            mode = "test actors" if key == "test" else (
                "speaker-norm" if m.get("speaker_norm") else "lone file")
            modes.append({"evaluation": f"{mode} ({'CV' if key != 'test' else 'held out'})",
                          **{n: mean_std(m[n]) if isinstance(m.get(n), dict) else m.get(n) for n in names},
                          "ece": m.get("ece"), "ece_before_calibration": m.get("ece_uncalibrated")})
    group = [{"folders": k, "lone_accuracy": mean_std(v["lone_accuracy"]),
              "group_accuracy": mean_std(v["group_accuracy"]),
              "group_min_class_recall": v.get("group_min_class_recall"),
              "folders_fallen_back": v.get("fallback_folders")}
             for k, v in (metrics.get("group_mode") or {}).items()]
    per_class = (pd.read_csv(per_class_csv).to_dict("records")
                 if per_class_csv is not None and per_class_csv.is_file() else [])
    dimensions = []
    if metrics.get("dimensions"):  # binary UAR of arousal and valence per corpus, head and read-off
        header, rows = dimensions_table(metrics["dimensions"])
        dimensions = [dict(zip(header, row, strict=True)) for row in rows]
    return {"kind": "metrics", "path": str(path), "model": metrics.get("model"),
            "folds": metrics.get("cv_folds"), "note": metrics.get("note", ""), "modes": modes,
            "group_mode": group, "per_class": per_class, "arousal_and_valence": dimensions}


def describe(path: Path, manifest: Path | None = None, per_class: Path | None = None) -> dict:
    """The right description for whatever `path` is; `manifest` labels tables keyed by clip,
    `per_class` completes the metrics."""
    if not path.exists():
        raise ArtifactError(f"{path} does not exist (run `dvc repro` to build the artifacts)")
    if path.is_dir() and (path / CONFIG).is_file():  # a model bundle
        return describe_model(path)
    if path.name == "splits.json":
        return describe_splits(path, manifest)
    if path.suffix == ".json" and "cv" in json.loads(path.read_text()):
        return describe_metrics(path, per_class)
    if path.suffix == ".csv":
        frame = _read_csv(path)
        if {"status", "emotion", "confidence"} <= set(frame.columns):
            return describe_predictions(path, frame)
        return describe_table(path, manifest, frame)
    if path.suffix == ".parquet":
        return describe_table(path, manifest)
    raise ArtifactError(f"{path}: not an artifact aurora can describe (a table, splits.json, "
                        "metrics.json, a model folder or a predictions CSV)")
