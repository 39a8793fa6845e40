"""Tables of results as (header, rows) of text, for the model card (Markdown) and the report
(HTML) alike, and the way every table prints a figure."""

from __future__ import annotations

from aurora.evaluation.comparison import COLUMNS
from aurora.evaluation.group_eval import COMPOSITIONS
from aurora.models.calibration import HIGH

HIGH_BAND_HEADER = f"high band (>= {HIGH:.2f}): clips, accuracy"


# How the cross-corpus tables are scored, in words (Markdown code spans; html.code_spans for a page).
CROSSCORPUS_LEGEND = (
    "Every clip classified as `aurora predict` does; scored per speaker on the emotions the corpus shares "
    "with the model (mean ± std over speakers; ECE and the high band pooled). 'shared classes' = deciding "
    "among those emotions only (`--classes`); 'calm→neutral' also adds calm's probability to neutral's "
    "(`--classes neutral+calm,...`).")


LOCO_LEGEND = (
    "Each corpus left out of training in turn: trained (and validated) on the other corpora, scored on "
    "every speaker of the one left out, on the emotions both sides have (mean ± std over its speakers). "
    "'all classes' decides among every class of the model, as `aurora predict` does; 'its own emotions' "
    "among the emotions the corpus has (`--classes`). The largest predicted share, ECE and the high band "
    "are those of the decision among all classes, one clip at a time; 'group by speaker' classifies each "
    "speaker's clips as one folder (`--group-by folder`).")


def training_data_text(training_data: dict[str, dict]) -> str:
    """`ravdess 20 speakers, 1,200 clips; emodb ...`: what a model trained on."""
    return "; ".join(f"{corpus} {d['speakers']} speakers, {d['clips']:,} clips"
                     for corpus, d in training_data.items())


def mean_std(stat: dict) -> str:
    """A {"mean", "std"} figure as tables print it: 0.731 ± 0.068."""
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}"


def high_band(band: dict) -> str:
    """How many predictions reach the high band and how many of those are right: "829, 0.86"."""
    return f"{band['clips']}, " + ("-" if band["accuracy"] is None else f"{band['accuracy']:.2f}")


def shift_text(shift: dict | None) -> str:
    """Median input shift and the share of clips above 1: "0.78, 17%"."""
    return "-" if not shift else f"{shift['median']:.2f}, {shift['above_1']:.0%}"


def text_table(header: list[str], rows: list[list]) -> str:
    """Aligned plain-text columns, for a terminal."""
    cells = [[str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _pm(stat: dict | None) -> str:
    return mean_std(stat) if stat else "n/a"


def comparison_title(rows: list[dict]) -> str:
    """The table's heading: it says "every" only when there is more than one run to compare."""
    if len(rows) == 1:
        run = f"{rows[0]['features']}/{rows[0]['model']}"
        return f"{run} on the CV folds (name more runs in compare.runs to compare them)"
    return f"Every feature set and model in compare.runs ({len(rows)}), on the same folds"


def comparison_legend(rows: list[dict]) -> str:
    """What the table's columns mean (plain text: the model card and the report both use it)."""
    norm = ("speaker-norm = z-scored by the speaker's own clips; "
            if any("speaker_norm" in row for row in rows) else "")
    return (f"Mean ± std over folds; lone file = one clip at a time (the default); {norm}group = "
            "`--group-by folder` accuracy on balanced and skewed folders of one speaker.")


def comparison_table(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """(header, cells): accuracy lone-file / speaker-norm, macro-F1, UAR, min recall, then group-mode
    accuracy per folder composition (n/a for sequence models, which have no group mode). The
    speaker-norm column is there only when some run was cross-validated that way."""
    norm_column = any("speaker_norm" in row for row in rows)
    header = ["features", "model", "lone accuracy", "lone macro-F1", "lone UAR", "lone min recall",
              *(["speaker-norm accuracy"] if norm_column else []), *[f"group: {c}" for c in COMPOSITIONS]]
    cells = []
    for row in rows:
        lone, norm = row.get("lone", {}), row.get("speaker_norm", {})
        cells.append([row["features"], row["model"], *[_pm(lone.get(k)) for k in COLUMNS],
                      *([_pm(norm.get("accuracy"))] if norm_column else []),
                      *[_pm(row["group"][c]["group_accuracy"]) if c in row["group"] else "n/a"
                        for c in COMPOSITIONS]])
    return header, cells


def comparison_markdown(rows: list[dict]) -> str:
    return markdown_table(*comparison_table(rows))


def mode_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per mode; per-class recall and the largest predicted share."""
    modes = summary["modes"]
    shared = next(iter(modes.values()))["shared_emotions"]
    header = ["mode", "UAR", "macro-F1", *[f"recall {c}" for c in shared], "largest share", "ECE",
              HIGH_BAND_HEADER]
    rows = []
    for mode, s in modes.items():
        rows.append([mode, mean_std(s["uar"]), mean_std(s["macro_f1"]),
                     *[f"{s['recall'][c]['mean']:.2f}" for c in shared],
                     f"{s['largest_share']['share']:.0%} {s['largest_share']['emotion']}", f"{s['ece']:.3f}",
                     high_band(s["high_band"])])
    return header, rows


def shares_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): the share of each predicted emotion per mode (mean over speakers)."""
    modes = summary["modes"]
    classes = list(next(iter(modes.values()))["shares"])
    return (["mode", *classes],
            [[mode, *[f"{s['shares'][c]:.2f}" for c in classes]] for mode, s in modes.items()])


def speaker_table(summary: dict, mode: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per speaker in `mode`."""
    s = summary["modes"][mode]
    header = ["speaker", "clips", "UAR", "macro-F1", *[f"recall {c}" for c in s["shared_emotions"]],
              "largest share"]
    rows = []
    for speaker, p in s["per_speaker"].items():
        top = max(p["shares"], key=p["shares"].get)
        rows.append([speaker, p["clips"], f"{p['uar']:.3f}", f"{p['macro_f1']:.3f}",
                     *[f"{p['recall'][c]:.2f}" if c in p["recall"] else "-" for c in s["shared_emotions"]],
                     f"{p['shares'][top]:.0%} {top}"])
    return header, rows


def loco_table(loco: dict[str, dict],
               group: dict[str, dict] | None = None) -> tuple[list[str], list[list[str]]]:
    """The headline table of a model trained on several corpora: one row per corpus left out of
    training and scored on its speakers (mean ± std over them), deciding among all classes and
    among its own emotions; the largest predicted share, ECE and the high band come from the
    decision among all classes. `group`: the same in group mode (a folder per speaker), a column."""
    header = ["left out", "speakers", "clips", "UAR, all classes", "UAR, its own emotions",
              "largest predicted share", "ECE", HIGH_BAND_HEADER,
              *(["UAR, all classes, group by speaker"] if group else [])]
    rows = []
    for corpus, r in loco.items():
        if r["status"] != "evaluated":
            rows.append([corpus, "", "", f"skipped: {r['note']}", "", "", "", "", *([""] if group else [])])
            continue
        every, own = r["modes"]["all classes"], r["modes"]["shared classes"]
        largest = every["largest_share"]
        rows.append([corpus, str(every["speakers"]), str(every["clips"]), mean_std(every["uar"]),
                     mean_std(own["uar"]), f"{largest['share']:.0%} {largest['emotion']}",
                     f"{every['ece']:.3f}", high_band(every["high_band"]),
                     *([mean_std(group[corpus]["modes"]["all classes"]["uar"])
                        if group.get(corpus, {}).get("status") == "evaluated" else "-"] if group else [])])
    return header, rows


def corpus_matrix_table(matrix: dict[str, dict[str, dict]],
                        loco: dict[str, dict]) -> tuple[list[str], list[list[str]]]:
    """UAR (all classes, mean over speakers) of a model trained on the row's corpus alone, scored
    on the column's corpus; the last row trained on every other corpus (leave one corpus out)."""
    names = sorted({*matrix, *loco, *(target for row in matrix.values() for target in row)})

    def cell(summary: dict | None) -> str:
        if not summary or summary.get("status") != "evaluated":
            return "-"
        return f"{summary['modes']['all classes']['uar']['mean']:.2f}"

    rows = [[f"trained on {source}", *[cell(matrix[source].get(target)) for target in names]]
            for source in sorted(matrix)]
    rows.append(["trained on all the others", *[cell(loco.get(target)) for target in names]])
    return ["", *[f"scored on {n}" for n in names]], rows


def group_table(group: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): lone-file against group-mode accuracy per folder composition."""
    return (["folders", "clips", "lone-file accuracy", "group-mode accuracy", "group min class recall",
             "folders that fell back"],
            [[c, g["clips"], mean_std(g["lone_accuracy"]), mean_std(g["group_accuracy"]),
              f"{g['group_min_class_recall']:.3f}", f"{g['fallback_folders']:.0%}"]
             for c, g in group.items()])


DIMENSIONS_LEGEND = (
    "Arousal and valence, each in [0, 1], judged as a binary decision (>= 0.5 = high) on the clips of "
    "the emotions at either end of each dimension (arousal: angry, happy, fearful, surprised against "
    "neutral, calm, sad; valence: happy against angry, fearful, sad, disgust; params `dimensions.scored`; "
    "other emotions are not scored for that dimension): binary UAR, mean ± std over each corpus's "
    "speakers, from the dimension head and from the read-off of the class probabilities. The bands "
    "(`arousal_band`, `valence_band`) of the shipped method: how often a high band is on a high-end "
    "clip and a low band on a low-end one (clips in the band, share right).")


def _band_text(band: dict) -> str:
    return "-" if band["accuracy"] is None else f"{band['clips']}, {band['accuracy']:.2f}"


def dimensions_table(dimensions: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows): per split (speaker CV, leave one corpus out, test) and corpus, the binary UAR of
    arousal and valence by head and read-off, and the shipped method's band accuracy."""
    method = dimensions["method"]
    header = ["split", "corpus", "arousal UAR, head", "arousal UAR, read-off", "valence UAR, head",
              "valence UAR, read-off", f"arousal bands high / low ({method})",
              f"valence bands high / low ({method})"]
    splits = [("speaker CV", dimensions.get("cv", {})),
              ("leave one corpus out", dimensions.get("leave_one_corpus_out", {})),
              ("test actors", {"ravdess": dimensions["test"]} if dimensions.get("test") else {})]
    rows = []
    for split, per_corpus in splits:
        for corpus, methods in per_corpus.items():
            shown = methods.get(method) or methods["readoff"]
            rows.append([split, corpus,
                         *[_uar(methods.get(m, {}).get(d)) for d in ("arousal", "valence")
                           for m in ("head", "readoff")],
                         *[f"{_band_text(shown[d]['high_band'])} / {_band_text(shown[d]['low_band'])}"
                           for d in ("arousal", "valence")]])
    return header, rows


def _uar(entry: dict | None) -> str:
    return mean_std(entry["uar"]) if entry and entry.get("uar") else "-"
