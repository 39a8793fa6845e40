"""The model card: what the model is, how it was evaluated, and where it fails."""

from __future__ import annotations

from aurora.data.splits import speakers_text
from aurora.reporting.tables import (
    CROSSCORPUS_LEGEND,
    DIMENSIONS_LEGEND,
    LOCO_LEGEND,
    comparison_legend,
    comparison_markdown,
    comparison_title,
    dimensions_table,
    loco_table,
    markdown_table,
    mean_std,
    mode_table,
    shares_table,
    training_data_text,
)


def model_card(config: dict, cv: dict[str, dict], test: dict | None, folds: list[dict],
               comparison: list[dict] | None = None, crosscorpus: dict[str, dict] | None = None,
               loco: dict[str, dict] | None = None, loco_group: dict[str, dict] | None = None,
               dimensions: dict | None = None) -> str:
    """Markdown. `cv` maps a mode name ("speaker-norm on"/"off") to metrics.summarize output;
    `comparison` holds the compare stage's rows (aurora.evaluation.comparison); `crosscorpus` the crosscorpus
    stage's summary per corpus (aurora.evaluation.crosscorpus); `loco` the leave-one-corpus-out results
    (aurora.evaluation.loco); `dimensions` the arousal and valence figures (aurora.evaluation.dimensions)."""
    lines = [
        f"# AURORA model card: `{config['model']}`",
        "",
        "## What it does",
        f"Classifies a speech clip into one of {len(config['classes'])} emotions: "
        f"{', '.join(config['classes'])}. Input: {config['input']} computed from 16 kHz mono audio "
        f"(feature fingerprint `{config['feature_fingerprint']}`)." + _precision_text(config),
        *_loco_lines(loco, loco_group),
        *_dimension_lines(config, dimensions),
        "",
        "## Data",
        *_data_lines(config),
        f"This model was trained on speakers {speakers_text(config['split']['train'])}; speakers "
        f"{speakers_text(config['split']['val'])} chose the stopping epoch or "
        f"regularisation and the softmax temperature ({config['temperature']:.2f})"
        + ("; then the weights were refitted on training + validation speakers with that regularisation"
           if config.get("refit_rows") else "")
        + f"; test speakers present: {speakers_text(config['split']['test'])}."
        + (" Speakers are namespaced per corpus and no speaker is on two sides of a split."
           if len(config.get("corpora", [])) > 1 else ""),
        f"Augmented copies per training clip: {config['augmented_copies']}"
        + (f" ({config['augmentation']})" if config.get("augmentation", "none") != "none" else "")
        + "; class weights: "
        f"{config['class_weights']}; SMOTE: {config['smote']}; per-speaker standardisation: "
        f"{config['speaker_norm']}. Training data hash `{config['training_hash'][:16]}`.",
        "",
        "## Evaluation protocol",
        (f"{len(folds)}-fold leave-actors-out cross-validation over the non-test actors "
         "(gender-balanced folds; validation actors drawn from each fold's training actors). "
         if len(config.get("corpora", [])) < 2 else
         f"{len(folds)}-fold leave-speakers-out cross-validation over the non-test speakers of every "
         "corpus (folds stratified by corpus and gender; validation speakers drawn from each fold's "
         "training speakers, corpus by corpus). ")
        + "No augmented copy, SMOTE sample or normalisation statistic of a held-out speaker touches "
        "training or model selection.",
        "",
        "| mode | accuracy | macro-F1 | UAR | min class recall |",
        "|---|---|---|---|---|",
    ]
    for mode, s in cv.items():
        figures = " | ".join(mean_std(s[k]) for k in ("accuracy", "macro_f1", "uar", "min_class_recall"))
        lines.append(f"| CV, {mode} | {figures} |")
    if test:
        lines.append(f"| test actors | {test['accuracy']:.3f} | {test['macro_f1']:.3f} | "
                     f"{test['uar']:.3f} | {test['min_class_recall']:.3f} |")
    else:
        lines.append("")
        lines.append("The test actors (21-24) are not in this data: only cross-validation is reported.")
    if comparison:
        lines += [
            "",
            f"### {comparison_title(comparison)}",
            comparison_legend(comparison) + " For the shipped model, the report also gives the lone-file "
            "accuracy on the same clips and how often a folder fell back.",
            "",
            comparison_markdown(comparison),
        ]
    if crosscorpus:
        lines += ["", "## Other corpora (never trained on)",
                  CROSSCORPUS_LEGEND]
        for name, summary in crosscorpus.items():
            if summary.get("status") != "evaluated":
                lines += ["", f"**{name}**: skipped: {summary.get('note', '')}"]
                continue
            lines += ["", f"**{name}** ({summary['files']} files):", "", markdown_table(*mode_table(summary)),
                      "", "Share of each predicted emotion:", "", markdown_table(*shares_table(summary))]
    if len(cv) > 1:
        lines += [
            "",
            "Per-speaker standardisation uses each speaker's own unlabelled clips. RAVDESS flatters it "
            "(every actor has the same emotion mix); on a real folder whose mix is skewed it helps "
            "less or hurts, so both settings are reported."]
    lines += [
        "",
        "## Intended use and limitations",
        "- Research and batch analysis of acted emotional speech; not for decisions about people.",
        f"- Acted emotion ({training_data_text(config['training_data'])}), read or scripted: expect "
        "lower accuracy on spontaneous speech and on languages, accents, microphones and noise unlike "
        "these corpora's"
        + ("; leaving one corpus out (above) estimates what to expect on a new corpus." if loco else "."),
        "- Probabilities are temperature-scaled softmax outputs (the temperature fitted on validation "
        "actors, before any refit); the evaluation report gives the expected calibration error "
        "before and after."
        + (" Each clip's temperature is also multiplied by max(1, its input shift), the mean squared "
           "standardised input (1 on average over the training clips): a recording unlike the training "
           "data gets lower confidence. The CSV's `shift` column gives it per file."
           if config.get("train", {}).get("shift_temperature") else ""),
    ]
    return "\n".join(lines) + "\n"


def dimensions_text(config: dict) -> str:
    """What a bundle's arousal and valence are and how it computes them, in words."""
    dims = config["dimensions"]
    low, high = dims["bands"]
    how = ("a linear (ridge) head on the same standardised utterance vectors as the categories, trained "
           "towards each training clip's emotion's point in the table below"
           + (", pulled towards 0.5 by max(1, input shift) on recordings unlike the training clips"
              if dims.get("shift_temperature") else "")
           if dims["method"] == "head" else
           "read off the class probabilities: the table's points averaged under the calibrated probabilities")
    return (f"Every file also gets `arousal` (how activated the voice sounds) and `valence` (how pleasant), "
            f"each in [0, 1] with 0.5 the neutral point, and their bands (low < {low:g} <= mid < {high:g} "
            f"<= high): {how}. They never change the predicted emotion and do not depend on `--classes` or "
            "group mode (lone-file).")


def _dimension_lines(config: dict, dimensions: dict | None) -> list[str]:
    if "dimensions" not in config:
        return []
    lines = ["", "## Arousal and valence", dimensions_text(config)]
    table = config["dimensions"].get("table")
    if table:
        rows = [[e, f"{p['arousal']:.2f}", f"{p['valence']:.2f}"] for e, p in table.items()]
        lines += ["", markdown_table(["emotion", "arousal", "valence"], rows)]
    if dimensions:
        lines += ["", DIMENSIONS_LEGEND, "", markdown_table(*dimensions_table(dimensions))]
    return lines


def _loco_lines(loco: dict[str, dict] | None, group: dict[str, dict] | None) -> list[str]:
    """The headline of a model trained on several corpora (none with one corpus)."""
    if not loco:
        return []
    return ["", "## Leave one corpus out", LOCO_LEGEND, "", markdown_table(*loco_table(loco, group))]


def _data_lines(config: dict) -> list[str]:
    """Each corpus trained on, what it is, and how many speakers and original clips it gave."""
    data = config["training_data"]
    lines = [f"Trained on {len(data)} {'corpus' if len(data) == 1 else 'corpora'} (speakers and original "
             "clips of the shipped model):", ""]
    lines += [f"- **{corpus}**: {d['speakers']} speakers, {d['clips']:,} clips"
              + (f". {d['about']}" if d.get("about") else "") for corpus, d in data.items()]
    return [*lines, ""]


def _precision_text(config: dict) -> str:
    """How the Whisper encoder computed the training inputs and the held-out ones."""
    whisper = config.get("feature_sources", {}).get("whisper", {}).get("settings")
    if not whisper:
        return ""
    trained = whisper["precision"]
    listens = whisper.get("inference_precision") or trained  # "" or absent: as trained
    if trained == listens:
        return f" The Whisper encoder runs in {trained}."
    return (f" The Whisper encoder ran in {trained} for the training clips and runs in {listens} where the "
            "model listens: `aurora predict`, and every held-out clip the figures below score.")
