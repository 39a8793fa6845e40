"""The evaluation report: one self-contained HTML page (and its PNG plots) from an Evaluation,
the cross-corpus summaries, the comparison table and the model card."""

from __future__ import annotations

from html import escape

from aurora.data.splits import speakers_text
from aurora.evaluation.comparison import mode_name
from aurora.evaluation.metrics import HEADLINE
from aurora.evaluation.summary import Evaluation
from aurora.reporting import plots
from aurora.reporting.html import code_spans, data_uri, render, table_html
from aurora.reporting.tables import (
    CROSSCORPUS_LEGEND,
    DIMENSIONS_LEGEND,
    HIGH_BAND_HEADER,
    LOCO_LEGEND,
    comparison_legend,
    comparison_table,
    comparison_title,
    corpus_matrix_table,
    dimensions_table,
    group_table,
    high_band,
    loco_table,
    mean_std,
    mode_table,
    shares_table,
    shift_text,
    speaker_table,
    training_data_text,
)


def report_images(result: Evaluation, crosscorpus: dict[str, dict], history: list[dict]) -> dict[str, bytes]:
    """The report's plots as PNG bytes, by name (the evaluate stage also writes them as files)."""
    primary = result.primary
    images = {
        "confusion": plots.confusion_png(primary["pooled"]["confusion"], result.classes,
                                         f"CV, {mode_name(result.speaker_norm)}, all folds"),
        "per_class": plots.per_class_png(primary["summary"]["per_class"], result.classes,
                                         "per-class metrics, mean ± std over folds"),
    }
    if history:
        images["training_curves"] = plots.curves_png(history)
    if result.test:
        images["test_confusion"] = plots.confusion_png(result.test["confusion"], result.classes,
                                                       "test actors")
    for name, summary in crosscorpus.items():
        if summary.get("status") == "evaluated":
            lone = summary["modes"]["lone-file"]["confusion"]
            images[f"crosscorpus_{name}"] = plots.confusion_png(
                lone["counts"], lone["columns"], f"{name}, lone-file", rows=lone["rows"])
    if result.corpus_matrix:
        table = corpus_matrix_table(result.corpus_matrix, result.loco)
        images["corpus_matrix"] = plots.corpus_matrix_png(*table, "UAR (all classes) across corpora")
    for name, summary in result.loco.items():
        if summary.get("status") == "evaluated":
            every = summary["modes"]["all classes"]["confusion"]
            images[f"loco_{name}"] = plots.confusion_png(every["counts"], every["columns"],
                                                         f"{name} left out, all classes", rows=every["rows"])
    return images


def _loco_html(result: Evaluation, images: dict[str, bytes]) -> str:
    parts = [f"<p>{code_spans(LOCO_LEGEND)}</p>", table_html(*loco_table(result.loco, result.loco_group))]
    if "corpus_matrix" in images:
        parts += ["<p>One corpus against another: trained on one corpus alone, scored on each other one; "
                  "the last row is leave one corpus out.</p>",
                  f"<img alt='corpus x corpus' src='{data_uri(images['corpus_matrix'])}'>"]
    parts += [f"<img alt='{name} left out' src='{data_uri(images[f'loco_{name}'])}'>"
              for name in result.loco if f"loco_{name}" in images]
    return "".join(parts)


def _cv_per_corpus_html(result: Evaluation) -> str:
    parts = ["<p>Cross-validation (speaker folds stratified by corpus), each corpus's held-out "
             "clips scored on their own (mean ± std over its speakers):</p>"]
    return "".join(parts + [f"<h3>{escape(name)}</h3>" + table_html(*mode_table(s))
                            for name, s in result.cv_per_corpus.items()])





def _group_html(group: dict) -> str:
    return ("<p>Each held-out actor's clips arranged into folders with different emotion mixes "
            "(mostly X = all X clips plus one of every other emotion). Group mode adapts to a folder's "
            "speaker with label-aware offsets from the folder's own clips, and keeps the lone-file "
            "predictions of folders that are too small or too one-sided.</p>"
            + table_html(*group_table(group)))


def _crosscorpus_html(cross: dict[str, dict], images: dict[str, bytes]) -> str:
    parts = ["<p>The shipped model on labelled corpora it never trained on. "
             f"{code_spans(CROSSCORPUS_LEGEND)} The model may still predict any of its classes.</p>"]
    for name, summary in cross.items():
        if summary.get("status") != "evaluated":
            parts.append(f"<h3>{escape(name)}</h3><p class=note>skipped: "
                         f"{escape(summary.get('note', ''))}</p>")
            continue
        parts += [f"<h3>{escape(name)}: {summary['files']} files</h3>",
                  table_html(*mode_table(summary)),
                  f"<p>Input shift (mean squared standardised input; 1 on average over the training "
                  f"clips): median, share above 1: {shift_text(summary.get('input_shift'))}.</p>",
                  "<p>Share of each predicted emotion (mean over speakers):</p>",
                  table_html(*shares_table(summary)),
                  "<p>Per speaker, lone-file:</p>",
                  table_html(*speaker_table(summary, "lone-file")),
                  f"<img alt='{name} confusion' src='{data_uri(images[f'crosscorpus_{name}'])}'>"]
    return "".join(parts)


def report_html(result: Evaluation, model: str, note: str, splits: dict, crosscorpus: dict[str, dict],
                comparison: list[dict] | None, card: str, images: dict[str, bytes],
                training_data: dict[str, dict] | None = None) -> str:
    """The whole page; `note`: metrics.json's note ("" for none), `card`: the model card (Markdown),
    `training_data`: what the shipped model trained on, per corpus (speakers, clips)."""
    summary_rows = [[mode_name(k), mean_std(v["summary"]["accuracy"]), mean_std(v["summary"]["macro_f1"]),
                     mean_std(v["summary"]["weighted_f1"]), mean_std(v["summary"]["uar"]),
                     mean_std(v["summary"]["min_class_recall"]),
                     f"{v['ece_uncalibrated']:.3f} → {v['ece']:.3f}", high_band(v["high_band"]),
                     shift_text(v["input_shift"])] for k, v in result.modes.items()]
    if result.test:
        summary_rows.append(["test actors", *(f"{result.test[k]:.3f}" for k in HEADLINE), "", "", ""])
    folds_table = table_html(["mode", "fold", *HEADLINE],
                             [[r["mode"], r["fold"], *(f"{r[k]:.3f}" for k in HEADLINE)]
                              for r in result.fold_rows])
    fold_speakers = table_html(
        ["fold", "train speakers", "validation speakers", "held-out speakers"],
        [[f["name"], speakers_text(f["train"]), speakers_text(f["val"]), speakers_text(f["test"])]
         for f in [*splits["folds"], splits["final"], *splits.get("leave_one_corpus_out", []),
                   *splits.get("single_corpus", [])]])
    per_class = result.per_class()
    sections = [
        ("Summary", (f"<p class=note>{note}</p>" if note else "") + table_html(
            ["", "accuracy", "macro-F1", "weighted-F1", "UAR", "min class recall",
             "ECE raw → temperature-scaled", HIGH_BAND_HEADER, "input shift: median, share > 1"],
            summary_rows)
         + f"<p>Model <code>{model}</code>; {len(splits['folds'])}-fold leave-speakers-out "
           "cross-validation, mean ± std over folds."
         + (f" Trained on {escape(training_data_text(training_data))} (original clips; the shipped model)."
            if training_data else "") + "</p>"),
        ("Confusion matrix", f"<img alt='confusion matrix' src='{data_uri(images['confusion'])}'>"
         + (f"<img alt='test confusion' src='{data_uri(images['test_confusion'])}'>"
            if "test_confusion" in images else "")),
        ("Per class", f"<img alt='per-class metrics' src='{data_uri(images['per_class'])}'>"
         + table_html(list(per_class.columns), per_class.values.tolist())),
        ("Per fold", folds_table),
        ("Splits (speakers)", fold_speakers),
    ]
    if crosscorpus:
        sections.insert(1, ("Other corpora (never trained on)", _crosscorpus_html(crosscorpus, images)))
    if result.cv_per_corpus:
        sections.insert(1, ("Speaker cross-validation, per corpus", _cv_per_corpus_html(result)))
    if result.dimensions:
        sections.insert(1, ("Arousal and valence", f"<p>{code_spans(DIMENSIONS_LEGEND)}</p>"
                            + table_html(*dimensions_table(result.dimensions))))
    if result.loco:  # the headline of a model of several corpora: first
        sections.insert(0, ("Leave one corpus out", _loco_html(result, images)))
    if "training_curves" in images:
        curves = data_uri(images["training_curves"])
        sections.append(("Training curves", f"<img alt='training curves' src='{curves}'>"))
    if result.group:
        sections.append(("Group mode on balanced and skewed folders", _group_html(result.group)))
    if comparison is not None:
        sections.append((comparison_title(comparison),
                         f"<p>{escape(comparison_legend(comparison))} Runs: params "
                         "<code>compare.runs</code>.</p>" + table_html(*comparison_table(comparison))))
    sections.append(("Model card", f"<pre>{escape(card)}</pre>"))
    return render("AURORA evaluation report", sections)
