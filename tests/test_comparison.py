"""The comparison table's heading and columns follow the runs it holds."""

from aurora.evaluation.comparison import COLUMNS
from aurora.evaluation.group_eval import COMPOSITIONS
from aurora.reporting.tables import comparison_legend as legend
from aurora.reporting.tables import comparison_table as table
from aurora.reporting.tables import comparison_title as title


def _row(features: str, model: str, *modes: str) -> dict:
    stats = {k: {"mean": 0.5, "std": 0.1} for k in COLUMNS}
    group = {c: {"lone_accuracy": 0.5, "group_accuracy": {"mean": 0.6, "std": 0.1}, "fallback_folders": 0}
             for c in COMPOSITIONS}
    return {"features": features, "model": model, "group": group, **{m: stats for m in modes}}


def test_one_run_is_named_not_called_every_feature_set_and_has_no_empty_column():
    rows = [_row("whisper", "logreg", "lone")]
    assert title(rows).startswith("whisper/logreg") and "Every" not in title(rows)
    header, cells = table(rows)
    assert "speaker-norm accuracy" not in header and "n/a" not in cells[0]
    assert len(cells[0]) == len(header)


def test_several_runs_show_speaker_norm_where_it_was_cross_validated():
    rows = [_row("whisper", "logreg", "lone", "speaker_norm"), _row("handcrafted", "mlp", "lone")]
    assert title(rows).startswith("Every feature set and model")
    header, cells = table(rows)
    column = header.index("speaker-norm accuracy")
    assert cells[0][column] == "0.500 ± 0.100" and cells[1][column] == "n/a"


def test_the_legend_explains_speaker_norm_only_when_its_column_is_there():
    assert "speaker-norm" not in legend([_row("whisper", "logreg", "lone")])
    assert "speaker-norm" in legend([_row("whisper", "logreg", "lone", "speaker_norm")])
