"""Arousal and valence judged beside the categories.

Each dimension is scored as a binary decision, high (the number >= 0.5) against low, on the clips
whose class is one of its poles (params.yaml dimensions.scored: arousal high = angry, happy,
fearful, surprised, low = neutral, calm, sad; valence positive = happy, negative = angry, fearful,
sad, disgust); other clips are not scored for that dimension. The figure is the binary UAR (mean of
the two poles' recalls) per speaker, as mean ± std over a corpus's speakers, as the categories are.
The bands are judged by how often they are right: of the scored clips in the high band, the share
whose class is a high pole, and likewise for the low band.

Both ways to the numbers are scored from the same predictions: the head's (columns head_arousal,
head_valence of the train stage's predictions) and the read-off of the class probabilities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurora.config import DimensionsConfig
from aurora.config.sections import DIMENSIONS
from aurora.data.labels import probability_columns
from aurora.evaluation.metrics import mean_and_std
from aurora.models.dimensions import class_points, read_off

METHODS = ("head", "readoff")


def method_values(rows: pd.DataFrame, method: str, classes: list[str],
                  points: np.ndarray) -> np.ndarray | None:
    """(n, 2) arousal and valence of prediction rows by `method` (None: no head in these rows)."""
    if method == "head":
        columns = [f"head_{d}" for d in DIMENSIONS]
        return rows[columns].to_numpy(np.float64) if set(columns) <= set(rows.columns) else None
    return read_off(rows[probability_columns(classes)].to_numpy(np.float64), points)


def score_dimension(values: np.ndarray, names: np.ndarray, speakers: np.ndarray, high: tuple[str, ...],
                    low: tuple[str, ...], bands: tuple[float, ...]) -> dict:
    """Binary UAR (per speaker: mean ± std) and band accuracy of one dimension; `names`: each clip's
    class name, scored when it is one of the poles `high` or `low`."""
    is_high, is_low = np.isin(names, high), np.isin(names, low)
    keep = is_high | is_low
    v, truth, who = values[keep], is_high[keep], speakers[keep]
    said_high = v >= 0.5
    uars = []
    for speaker in np.unique(who):
        own = who == speaker
        recalls = [float((said_high[own & truth]).mean()) if (own & truth).any() else None,
                   float((~said_high[own & ~truth]).mean()) if (own & ~truth).any() else None]
        uars.append(np.mean([r for r in recalls if r is not None]))
    band_high, band_low = v >= bands[1], v < bands[0]
    return {"uar": mean_and_std(uars, 4) if uars else None, "clips": int(keep.sum()),
            "speakers": len(uars),
            "high_band": {"clips": int(band_high.sum()),
                          "accuracy": round(float(truth[band_high].mean()), 4) if band_high.any() else None},
            "low_band": {"clips": int(band_low.sum()),
                         "accuracy": round(float((~truth[band_low]).mean()), 4) if band_low.any() else None},
            "mid_band_share": round(float((~band_high & ~band_low).mean()), 4) if len(v) else None}


def score_rows(rows: pd.DataFrame, classes: list[str], merge: dict, config: DimensionsConfig) -> dict:
    """Per method (head, when the rows have it, and readoff), per dimension: score_dimension."""
    points = class_points(classes, merge, config.table)
    names = np.asarray(classes, dtype=object)[rows.label.to_numpy()]
    speakers = rows.speaker.to_numpy()
    out = {}
    for method in METHODS:
        values = method_values(rows, method, classes, points)
        if values is not None:
            out[method] = {d: score_dimension(values[:, i], names, speakers, config.scored[d].high,
                                              config.scored[d].low, config.bands)
                           for i, d in enumerate(DIMENSIONS)}
    return out


def score_by_corpus(rows: pd.DataFrame, classes: list[str], merge: dict, config: DimensionsConfig) -> dict:
    """score_rows per corpus, in name order."""
    return {str(corpus): score_rows(part, classes, merge, config)
            for corpus, part in rows.groupby("corpus", sort=True)}


def evaluate_dimensions(predictions: pd.DataFrame, classes: list[str], merge: dict, config: DimensionsConfig,
                        speaker_norm: bool) -> dict:
    """The dimensions' figures of the train stage's predictions: speaker CV (the shipped mode) and
    leave-one-corpus-out per corpus, the test actors when present; `method`: the one shipped."""
    scope = predictions.scope
    cv = predictions[(scope == "cv") & (predictions.speaker_norm == speaker_norm)]
    out = {"method": config.method, "cv": score_by_corpus(cv, classes, merge, config)}
    loco = predictions[scope == "loco"]
    if len(loco):
        out["leave_one_corpus_out"] = score_by_corpus(loco, classes, merge, config)
    test = predictions[scope == "test"]
    if len(test):
        out["test"] = score_rows(test, classes, merge, config)
    return out


def shipped(figures: dict, method: str) -> str:
    """The method whose figures are the headline: `method`, or readoff when there is no head."""
    return method if method in figures else "readoff"


def uar_text(entry: dict | None) -> str:
    if not entry or entry["uar"] is None:
        return "-"
    return f"{entry['uar']['mean']:.3f} ± {entry['uar']['std']:.3f}"
