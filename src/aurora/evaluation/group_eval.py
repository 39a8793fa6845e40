"""Group mode under evaluation: held-out speakers' clips arranged into folders of different
emotion mixes (balanced, mostly neutral+calm, mostly one emotion, one emotion per folder), and
lone-file against group-mode accuracy on them. Folders are skewed on purpose: RAVDESS actors are
balanced, a user's folder often is not."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # only its predict() is called: this module stays free of torch
    from aurora.models.group import GroupModel

COMPOSITIONS = ("balanced", "mostly neutral+calm", "mostly one emotion", "one emotion per folder")


def skewed_folders(meta: pd.DataFrame, classes: list[str]) -> dict[str, list[np.ndarray]]:
    """Test folders per speaker with different emotion mixes, as row positions into `meta`
    (columns speaker, label, clip_id): the speaker's balanced clips; mostly neutral+calm, and
    mostly one emotion for each emotion in turn (all of those, one clip of every other
    emotion); one emotion per folder."""
    folders: dict[str, list[np.ndarray]] = {c: [] for c in COMPOSITIONS}
    index = {name: i for i, name in enumerate(classes)}
    neutral_calm = [index[d] for d in ("neutral", "calm") if d in index]
    for _, clips in meta.reset_index(drop=True).reset_index().groupby("speaker"):
        clips = clips.sort_values("clip_id")
        folders["balanced"].append(clips["index"].to_numpy())
        if neutral_calm:
            folders["mostly neutral+calm"].append(_mostly(clips, neutral_calm))
        for label in sorted(clips.label.unique()):
            folders["mostly one emotion"].append(_mostly(clips, [label]))
        for _, one in clips.groupby("label"):
            folders["one emotion per folder"].append(one["index"].to_numpy())
    return {k: v for k, v in folders.items() if v}


def group_eval_rows(meta: pd.DataFrame, x: np.ndarray, lone: np.ndarray, group: GroupModel,
                    classes: list[str], fold: str) -> pd.DataFrame:
    """Lone-file and group-mode predictions for one fold's held-out clips (`meta`: their clip_id,
    speaker and label; `x`: their standardised inputs; `lone`: their lone-file probabilities),
    arranged in folders of different emotion mixes (skewed_folders)."""
    meta = meta.reset_index(drop=True)
    rows = []
    for composition, folders in skewed_folders(meta, classes).items():
        for k, positions in enumerate(folders):
            probs, mode = group.predict(x[positions], lone[positions])
            rows.append(pd.DataFrame({
                "fold": fold, "composition": composition, "folder": k, "clip_id": meta.clip_id[positions],
                "speaker": meta.speaker[positions], "label": meta.label[positions],
                "lone_pred": lone[positions].argmax(axis=1), "group_pred": probs.argmax(axis=1),
                "fallback": mode != "group"}))
    return pd.concat(rows, ignore_index=True)


def _mostly(clips: pd.DataFrame, wanted: list[int]) -> np.ndarray:
    """One speaker's clips of the `wanted` labels plus one clip of every other label."""
    minor = clips[~clips.label.isin(wanted)].groupby("label").head(1)
    return np.sort(np.concatenate([clips[clips.label.isin(wanted)]["index"], minor["index"]]))


def summarize_group_eval(rows: pd.DataFrame, n_classes: int) -> dict[str, dict]:
    """Per folder composition: lone-file and group-mode accuracy (mean and std over folds),
    the group mode's minimum class recall (pooled), and the share of folders that fell back."""
    summary = {}
    for composition in COMPOSITIONS:
        part = rows[rows.composition == composition]
        if part.empty:
            continue
        per_fold = part.groupby("fold").apply(
            lambda g: pd.Series({"lone": (g.lone_pred == g.label).mean(),
                                 "group": (g.group_pred == g.label).mean()}), include_groups=False)
        recalls = [(part.group_pred[part.label == c] == c).mean() for c in range(n_classes)
                   if (part.label == c).any()]
        folders = part.drop_duplicates(["fold", "folder"])
        summary[composition] = {
            "clips": len(part), "folders": len(folders),
            "lone_accuracy": {"mean": round(float(per_fold.lone.mean()), 4),
                              "std": round(float(per_fold.lone.std(ddof=0)), 4)},
            "group_accuracy": {"mean": round(float(per_fold.group.mean()), 4),
                               "std": round(float(per_fold.group.std(ddof=0)), 4)},
            "group_min_class_recall": round(float(min(recalls)), 4),
            "fallback_folders": round(float(folders.fallback.mean()), 4)}
    return summary
