"""Stage `evaluate`: metrics, plots and the report, from the train stage's predictions.

Writes artifacts/metrics.json (DVC metrics: CV mean ± std per speaker-norm
mode, test actors when present), artifacts/eval/*.csv (per fold, per class,
and the clip-level confusion pairs declared as a DVC plot), PNG plots in
artifacts/eval/plots/ and the self-contained artifacts/report.html.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from aurora import comparison, crosscorpus, loco, report
from aurora.atomic import write_atomic, write_json
from aurora.calibration import softmax
from aurora.config import load_params
from aurora.group import summarize_group_eval
from aurora.inference.output import HIGH
from aurora.metrics import (
    HEADLINE,
    classification_metrics,
    confident_accuracy,
    expected_calibration_error,
    mean_std,
    summarize,
)
from aurora.model_card import model_card
from aurora.splits import speakers_text
from stages._run import run
from stages.compare import read_comparison
from stages.split import SPLITS
from stages.train import CROSSCORPUS, FOLD_LOG, GROUP_EVAL, MODEL, PREDICTIONS, mode_name

METRICS = Path("artifacts/metrics.json")
EVAL = Path("artifacts/eval")
REPORT = Path("artifacts/report.html")


def _headline(m: dict) -> dict:
    return {k: round(m[k], 4) for k in HEADLINE}


def main() -> None:
    params = load_params()
    classes = list(params.labels.classes)
    preds = pd.read_parquet(PREDICTIONS)
    splits = json.loads(SPLITS.read_text())
    train_log = json.loads(FOLD_LOG.read_text())
    prob_columns = [f"prob_{c}" for c in classes]

    modes, fold_rows = {}, []
    for speaker_norm, cv in comparison.cv_by_mode(preds).items():
        per_fold = []
        for fold, g in cv.groupby("fold"):
            m = classification_metrics(g.label.to_numpy(), g.pred.to_numpy(), classes)
            per_fold.append(m)
            fold_rows.append({"mode": mode_name(speaker_norm), "fold": fold, **_headline(m)})
        pooled = classification_metrics(cv.label.to_numpy(), cv.pred.to_numpy(), classes)
        raw = softmax(cv[[f"logit_{c}" for c in classes]].to_numpy())
        modes[speaker_norm] = {
            "summary": summarize(per_fold, classes), "pooled": pooled,
            "ece": expected_calibration_error(cv[prob_columns].to_numpy(), cv.label.to_numpy()),
            "ece_uncalibrated": expected_calibration_error(raw, cv.label.to_numpy()),
            "high_band": confident_accuracy(cv[prob_columns].to_numpy(), cv.label.to_numpy(), HIGH),
            "input_shift": crosscorpus.shift_summary(cv["shift"]),
            "predictions": cv}
    primary = modes[params.train.speaker_norm]
    test_preds = preds[preds.scope == "test"]
    test = (classification_metrics(test_preds.label.to_numpy(), test_preds.pred.to_numpy(), classes)
            if len(test_preds) else None)

    metrics = {
        "model": params.train.model,
        "cv_folds": len(splits["folds"]),
        "test_actors_present": bool(len(test_preds)),
    }
    for speaker_norm, entry in modes.items():
        key = "cv" if speaker_norm == params.train.speaker_norm else "cv_other_mode"
        metrics[key] = {"speaker_norm": speaker_norm,
                        **{k: {"mean": round(v["mean"], 4), "std": round(v["std"], 4)}
                           for k, v in entry["summary"].items() if k in HEADLINE},
                        "ece": round(entry["ece"], 4),
                        "ece_uncalibrated": round(entry["ece_uncalibrated"], 4),
                        "high_band": entry["high_band"], "input_shift": entry["input_shift"]}
    metrics["test"] = _headline(test) if test else None
    group_eval = pd.read_parquet(GROUP_EVAL)
    group = summarize_group_eval(group_eval, len(classes)) if len(group_eval) else {}
    if group:
        metrics["group_mode"] = group
    if not test:
        metrics["note"] = splits["note"] or "no test actors present: cross-validation only"
    cross = read_crosscorpus()
    if cross:
        metrics["crosscorpus"] = {name: crosscorpus.headline(summary) for name, summary in cross.items()}
    corpora = _several_corpora(preds, primary["predictions"], train_log, classes)
    metrics.update({key: {name: crosscorpus.headline(s) for name, s in value.items()}
                    for key, value in corpora.items() if value})
    write_json(METRICS, metrics)
    config = json.loads((MODEL / "config.json").read_text())
    cv_by_mode = {mode_name(k): v["summary"] for k, v in modes.items()}
    write_atomic(MODEL / "MODEL_CARD.md", lambda tmp: tmp.write_text(model_card(
        config, cv_by_mode, test, [f for f in splits["folds"]], read_comparison(), cross,
        corpora["leave_one_corpus_out"])))

    EVAL.mkdir(parents=True, exist_ok=True)
    write_atomic(EVAL / "folds.csv", lambda tmp: pd.DataFrame(fold_rows).to_csv(tmp, index=False))
    per_class = pd.DataFrame([
        {"class": c, **{f"{k}_{s}": round(primary["summary"]["per_class"][c][k][s], 4)
                        for k in ("precision", "recall", "f1") for s in ("mean", "std")},
         "support": primary["pooled"]["per_class"][c]["support"],
         "one_vs_rest_accuracy": round(primary["pooled"]["per_class"][c]["one_vs_rest_accuracy"], 4)}
        for c in classes])
    write_atomic(EVAL / "per_class.csv", lambda tmp: per_class.to_csv(tmp, index=False))
    cv = primary["predictions"]
    pairs = pd.DataFrame({"actual": np.array(classes)[cv.label], "predicted": np.array(classes)[cv.pred]})
    write_atomic(EVAL / "confusion.csv", lambda tmp: pairs.to_csv(tmp, index=False))
    write_json(EVAL / "details.json", {
        "cv": {mode_name(k): {"summary": v["summary"], "pooled": v["pooled"]} for k, v in modes.items()},
        "test": test})

    images = {
        "confusion": report.confusion_png(primary["pooled"]["confusion"], classes,
                                          f"CV, {mode_name(params.train.speaker_norm)}, all folds"),
        "per_class": report.per_class_png(primary["summary"]["per_class"], classes,
                                          "per-class metrics, mean ± std over folds"),
    }
    if train_log["final_history"]:
        images["training_curves"] = report.curves_png(train_log["final_history"])
    if test:
        images["test_confusion"] = report.confusion_png(test["confusion"], classes, "test actors")
    for name, summary in cross.items():
        if summary.get("status") == "evaluated":
            lone = summary["modes"]["lone-file"]["confusion"]
            images[f"crosscorpus_{name}"] = report.confusion_png(
                lone["counts"], lone["columns"], f"{name}, lone-file", rows=lone["rows"])
    (EVAL / "plots").mkdir(exist_ok=True)
    for name, png in images.items():
        write_atomic(EVAL / "plots" / f"{name}.png", lambda tmp, png=png: tmp.write_bytes(png))
    write_atomic(REPORT, lambda tmp: tmp.write_text(_report(params, metrics, modes, fold_rows, per_class,
                                                            test, images, splits, cross, corpora)))
    for key in ("cv", "cv_other_mode"):
        if key in metrics:
            m = metrics[key]
            print(f"{key:14s} speaker_norm={m['speaker_norm']!s:5s} accuracy {m['accuracy']['mean']:.3f} "
                  f"± {m['accuracy']['std']:.3f}  macro-F1 {m['macro_f1']['mean']:.3f}  "
                  f"UAR {m['uar']['mean']:.3f}  min recall {m['min_class_recall']['mean']:.3f}")
    for composition, g in group.items():
        print(f"group mode, {composition:24s} lone-file {g['lone_accuracy']['mean']:.3f}  "
              f"group {g['group_accuracy']['mean']:.3f}  "
              f"(fallback in {g['fallback_folders']:.0%} of folders)")
    print(metrics.get("note", ""))


def _several_corpora(preds: pd.DataFrame, cv: pd.DataFrame, train_log: dict, classes: list[str]) -> dict:
    """With several corpora: CV figures per corpus and the leave-one-corpus-out results, each shaped
    as a cross-corpus summary; empty dicts with one corpus."""
    per_corpus = {name: {"status": "evaluated", "modes": {"cv, lone-file": s}}
                  for name, s in loco.score_per_corpus(cv, classes).items()}
    held = preds[preds.scope == "loco"]
    return {"cv_per_corpus": per_corpus,
            "leave_one_corpus_out": loco.score_loco(held, train_log.get("leave_one_corpus_out", []), classes)
            if len(held) else {}}


def _corpora_html(corpora: dict) -> str:
    parts = []
    if corpora["cv_per_corpus"]:
        parts += ["<p>Cross-validation (speaker folds stratified by corpus), each corpus's held-out "
                  "clips scored on their own (mean ± std over its speakers):</p>"]
        parts += [f"<h3>{report.html.escape(name)}</h3>" + report.table_html(*crosscorpus.mode_table(s))
                  for name, s in corpora["cv_per_corpus"].items()]
    if corpora["leave_one_corpus_out"]:
        parts += ["<p>Leave one corpus out: trained on the other corpora, tested on every speaker of the "
                  "one left out, scored on the emotions both sides have ('shared classes' also restricts "
                  "the decision to them).</p>",
                  report.table_html(*loco.loco_table(corpora["leave_one_corpus_out"]))]
    return "".join(parts)


def _group_table(group: dict) -> str:
    return ("<p>Each held-out actor's clips arranged into folders with different emotion mixes "
            "(mostly X = all X clips plus one of every other emotion). Group mode adapts to a folder's "
            "speaker with label-aware offsets from the folder's own clips, and keeps the lone-file "
            "predictions of folders that are too small or too one-sided.</p>"
            + report.table_html(["folders", "clips", "lone-file accuracy", "group-mode accuracy",
                                 "group min class recall", "folders that fell back"],
                                [[c, g["clips"], mean_std(g["lone_accuracy"]), mean_std(g["group_accuracy"]),
                                  f"{g['group_min_class_recall']:.3f}", f"{g['fallback_folders']:.0%}"]
                                 for c, g in group.items()]))


def read_crosscorpus() -> dict[str, dict]:
    """The crosscorpus stage's summary per configured corpus (absent files: not run yet)."""
    names = load_params().crosscorpus.corpora
    return {name: json.loads((CROSSCORPUS / f"{name}.json").read_text()) for name in names
            if (CROSSCORPUS / f"{name}.json").is_file()}


def _crosscorpus_html(cross: dict[str, dict], images: dict[str, bytes]) -> str:
    parts = ["<p>The shipped model on labelled corpora it never trained on, every clip classified as "
             "<code>aurora predict</code> does. Scored per speaker on the emotions the corpus shares with "
             "the model (mean ± std over speakers); the model may still predict any of its classes. "
             "'shared classes': deciding among those emotions only (<code>--classes</code>); "
             "'calm→neutral' also adds calm's probability to neutral's (<code>--classes "
             "neutral+calm,...</code>). ECE and the high band are pooled over clips.</p>"]
    for name, summary in cross.items():
        if summary.get("status") != "evaluated":
            parts.append(f"<h3>{report.html.escape(name)}</h3><p class=note>skipped: "
                         f"{report.html.escape(summary.get('note', ''))}</p>")
            continue
        parts += [f"<h3>{report.html.escape(name)}: {summary['files']} files</h3>",
                  report.table_html(*crosscorpus.mode_table(summary)),
                  f"<p>Input shift (mean squared standardised input; 1 on average over the training "
                  f"clips): median, share above 1: {_shift(summary.get('input_shift'))}.</p>",
                  "<p>Share of each predicted emotion (mean over speakers):</p>",
                  report.table_html(*crosscorpus.shares_table(summary)),
                  "<p>Per speaker, lone-file:</p>",
                  report.table_html(*crosscorpus.speaker_table(summary, "lone-file")),
                  f"<img alt='{name} confusion' src='{report.data_uri(images[f'crosscorpus_{name}'])}'>"]
    return "".join(parts)


def _high_band(band: dict) -> str:
    return f"{band['clips']}, " + ("-" if band["accuracy"] is None else f"{band['accuracy']:.0%}")


def _shift(shift: dict | None) -> str:
    return "-" if not shift else f"{shift['median']:.2f}, {shift['above_1']:.0%}"


def _report(params, metrics, modes, fold_rows, per_class, test, images, splits, cross, corpora) -> str:
    summary_rows = [[mode_name(k), mean_std(v["summary"]["accuracy"]), mean_std(v["summary"]["macro_f1"]),
                     mean_std(v["summary"]["weighted_f1"]), mean_std(v["summary"]["uar"]),
                     mean_std(v["summary"]["min_class_recall"]),
                     f"{v['ece_uncalibrated']:.3f} → {v['ece']:.3f}", _high_band(v["high_band"]),
                     _shift(v["input_shift"])] for k, v in modes.items()]
    if test:
        summary_rows.append(["test actors", *(f"{test[k]:.3f}" for k in HEADLINE), "", "", ""])
    note = (f"<p class=note>{metrics['note']}</p>" if "note" in metrics else "")
    folds_table = report.table_html(["mode", "fold", *HEADLINE],
                                    [[r["mode"], r["fold"], *(f"{r[k]:.3f}" for k in HEADLINE)]
                                     for r in fold_rows])
    fold_speakers = report.table_html(
        ["fold", "train speakers", "validation speakers", "held-out speakers"],
        [[f["name"], speakers_text(f["train"]), speakers_text(f["val"]), speakers_text(f["test"])]
         for f in [*splits["folds"], splits["final"], *splits.get("leave_one_corpus_out", [])]])
    card = (MODEL / "MODEL_CARD.md").read_text()
    sections = [
        ("Summary", note + report.table_html(
            ["", "accuracy", "macro-F1", "weighted-F1", "UAR", "min class recall",
             "ECE raw → temperature-scaled", "high band (≥ 0.70): clips, right",
             "input shift: median, share > 1"], summary_rows)
         + f"<p>Model <code>{params.train.model}</code>; {len(splits['folds'])}-fold leave-actors-out "
           "cross-validation, mean ± std over folds.</p>"),
        ("Confusion matrix", f"<img alt='confusion matrix' src='{report.data_uri(images['confusion'])}'>"
         + (f"<img alt='test confusion' src='{report.data_uri(images['test_confusion'])}'>"
            if "test_confusion" in images else "")),
        ("Per class", f"<img alt='per-class metrics' src='{report.data_uri(images['per_class'])}'>"
         + report.table_html(list(per_class.columns), per_class.values.tolist())),
        ("Per fold", folds_table),
        ("Splits (speakers)", fold_speakers),
    ]
    if cross:
        sections.insert(1, ("Other corpora (never trained on)", _crosscorpus_html(cross, images)))
    if any(corpora.values()):
        sections.insert(1, ("Training corpora: per corpus and leave one corpus out", _corpora_html(corpora)))
    if "training_curves" in images:
        sections.append(("Training curves",
                         f"<img alt='training curves' src='{report.data_uri(images['training_curves'])}'>"))
    if metrics.get("group_mode"):
        sections.append(("Group mode on balanced and skewed folders", _group_table(metrics["group_mode"])))
    if (runs := read_comparison()) is not None:
        header, cells = comparison.table(runs)
        sections.append((comparison.title(runs),
                         f"<p>{report.html.escape(comparison.legend(runs))} Runs: params "
                         "<code>compare.runs</code>.</p>" + report.table_html(header, cells)))
    sections.append(("Model card", f"<pre>{report.html.escape(card)}</pre>"))
    return report.render("AURORA evaluation report", sections)


if __name__ == "__main__":
    run("evaluate", main)
