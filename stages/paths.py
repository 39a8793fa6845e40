"""Every path the pipeline reads or writes, declared once: stages, flows, the command line and
the explorer import them from here, and dvc.yaml spells the same paths (a test checks)."""

from __future__ import annotations

from pathlib import Path

from aurora.data.readers.ravdess import RAVDESS

DATA = Path("data")
EVALUATION_CORPORA = DATA / "corpora"  # corpus_link@NAME: a link per crosscorpus.corpora entry
TRAIN_CORPORA = DATA / "train_corpora"  # train_corpora: a link per data.corpora entry

ARTIFACTS = Path("artifacts")
MANIFEST = ARTIFACTS / "manifest.parquet"
INGEST_REPORT = ARTIFACTS / "ingest_report.csv"
INGEST_SUMMARY = ARTIFACTS / "ingest_summary.json"
FEATURES = ARTIFACTS / "features"  # stats.parquet, frames.parquet, summary.json of the original clips
AUGMENT = ARTIFACTS / "augment"  # the same for the augmented copies
EMBED = ARTIFACTS / "embed"  # original, augmented and inference .parquet, summary.json
SPLITS = ARTIFACTS / "splits.json"
BALANCE = ARTIFACTS / "balance.json"
PREDICTIONS = ARTIFACTS / "predictions.parquet"  # out-of-fold, test and leave-one-corpus-out
GROUP_EVAL = ARTIFACTS / "group_eval.parquet"  # lone-file vs group mode on skewed folders
TRAIN_LOG = ARTIFACTS / "train_folds.json"
MODEL = ARTIFACTS / "model"
LIVE = ARTIFACTS / "dvclive"
COMPARISON = ARTIFACTS / "compare.json"
CROSSCORPUS = ARTIFACTS / "crosscorpus"  # NAME.json and NAME.parquet per evaluation corpus
METRICS = ARTIFACTS / "metrics.json"
EVAL = ARTIFACTS / "eval"
PER_CLASS = EVAL / "per_class.csv"
PLOTS = EVAL / "plots"
CONFUSION = EVAL / "confusion.csv"
REPORT = ARTIFACTS / "report.html"

# Statistics files per feature set: (original clips, augmented copies, original clips as
# `aurora predict` computes them: what every held-out clip is scored on).
FEATURE_SETS = {
    "handcrafted": ([FEATURES / "stats.parquet"], [AUGMENT / "stats.parquet"], [FEATURES / "stats.parquet"]),
    "whisper": ([EMBED / "original.parquet"], [EMBED / "augmented.parquet"], [EMBED / "inference.parquet"]),
    "fusion": ([EMBED / "original.parquet", FEATURES / "stats.parquet"],
               [EMBED / "augmented.parquet", AUGMENT / "stats.parquet"],
               [EMBED / "inference.parquet", FEATURES / "stats.parquet"]),
}

# What `aurora inspect NAME` shows.
NAMED = {"manifest": MANIFEST, "features": FEATURES / "stats.parquet", "frames": FEATURES / "frames.parquet",
         "embeddings": EMBED / "original.parquet", "splits": SPLITS, "model": MODEL, "metrics": METRICS,
         "cv-predictions": PREDICTIONS, "group-eval": GROUP_EVAL}


def beside_model(model_dir: str | Path, artifact: Path) -> Path:
    """Where `artifact` (one of the paths above) lies for a model bundle in `model_dir`, laid out as
    the pipeline lays out artifacts/: the metrics of ./artifacts/model are ./artifacts/metrics.json."""
    return Path(model_dir).parent / artifact.relative_to(MODEL.parent)


def corpus_roots(raw_dir: str | Path, training_corpora) -> dict[str, Path]:
    """Where each training corpus's clips are read from: RAVDESS's raw_dir, and the link the
    train_corpora stage made for each other corpus (`training_corpora`: their names)."""
    return {RAVDESS: Path(raw_dir), **{name: TRAIN_CORPORA / name for name in training_corpora}}
