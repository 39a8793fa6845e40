"""Folders as users keep them: linked sub-folders, link loops, and a run that finds nothing."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from aurora.inference.discover import discover
from aurora_cli.main import NOTHING_TO_CLASSIFY, main
from tests.conftest import HIGH_F0, LOW_F0, REPO, write_clip

EXTENSIONS = ["wav", "flac"]


def _linked_archive(tmp_path: Path) -> tuple[Path, list[str]]:
    """archive/ whose speaker sub-folders are links to folders elsewhere, one of them linked twice,
    plus a link back to archive/ itself (a loop); returns it and its real files' paths inside it."""
    store, archive = tmp_path / "store", tmp_path / "archive"
    for speaker, f0 in (("speaker1", LOW_F0), ("speaker2", HIGH_F0)):
        for i in range(2):
            write_clip(store / speaker / f"{speaker}_{i}.wav", f0=f0, seed=i)
    archive.mkdir()
    (archive / "speaker1").symlink_to(store / "speaker1", target_is_directory=True)
    (archive / "speaker2").symlink_to("../store/speaker2", target_is_directory=True)  # relative link
    (archive / "speaker2-again").symlink_to(store / "speaker2", target_is_directory=True)
    (archive / "loop").symlink_to(".", target_is_directory=True)
    write_clip(archive / "top.WAV", f0=HIGH_F0)
    expected = ["speaker1/speaker1_0.wav", "speaker1/speaker1_1.wav", "speaker2/speaker2_0.wav",
                "speaker2/speaker2_1.wav", "top.WAV"]  # two links to one folder: the first sorted
    return archive, expected


def test_discover_follows_linked_sub_folders_and_visits_each_real_folder_once(tmp_path):
    archive, expected = _linked_archive(tmp_path)
    (archive / "._top.WAV").write_bytes(b"\0\5\26\7 macOS metadata")  # stays: an error row
    (archive / "gone.flac").symlink_to(tmp_path / "nowhere.flac")  # broken link: stays, an error row
    (archive / "notes.txt").write_text("not audio")
    found = discover([archive], recursive=True, extensions=EXTENSIONS)
    assert found == sorted(str(archive / p) for p in [*expected, "._top.WAV", "gone.flac"])
    top_level = discover([archive], recursive=False, extensions=EXTENSIONS)
    assert top_level == [str(archive / p) for p in ["._top.WAV", "gone.flac", "top.WAV"]]
    # A folder given through a link, or with a trailing slash, keeps the path as given.
    given = tmp_path / "given"
    given.symlink_to(archive, target_is_directory=True)
    assert f"{given}/speaker1/speaker1_0.wav" in discover([f"{given}/"], recursive=True, extensions=["wav"])
    # A file named directly is kept whatever its extension.
    named = tmp_path / "odd.bin"
    named.write_bytes(b"x")
    assert discover([named], recursive=True, extensions=EXTENSIONS) == [str(named)]


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_predict_classifies_linked_sub_folders_once_with_paths_as_given(prefect_env, tiny_model, tmp_path):
    archive, expected = _linked_archive(tmp_path)
    given = tmp_path / "as-given"  # the folder itself named through a link too
    given.symlink_to(archive, target_is_directory=True)
    out = tmp_path / "p.csv"
    done = subprocess.run([sys.executable, "-m", "aurora_cli.main", "predict", str(given), "--recursive",
                           "--out", str(out), "--model", str(tiny_model)], env=prefect_env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = _read(out)
    assert [r["path"] for r in rows] == [str(given / p) for p in expected]
    assert all(r["status"] == "ok" for r in rows)
    emotions = {Path(r["path"]).name: r["emotion"] for r in rows}
    assert emotions == {"speaker1_0.wav": "neutral", "speaker1_1.wav": "neutral", "speaker2_0.wav": "angry",
                        "speaker2_1.wav": "angry", "top.WAV": "angry"}


def test_a_run_that_finds_nothing_says_where_it_looked_and_exits_4(tiny_model, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    nested = tmp_path / "nested"
    write_clip(nested / "sub" / "a.wav")
    (nested / "readme.txt").write_text("no audio at the top")
    out = tmp_path / "p.csv"
    for args, scope in (([str(empty), "--recursive"], "sub-folders included"),
                        ([str(nested)], "--recursive searches sub-folders")):
        capsys.readouterr()
        status = main(["predict", *args, "--out", str(out), "--model", str(tiny_model)])
        assert status == NOTHING_TO_CLASSIFY == 4
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"aurora: no file to classify in {args[0]}: looked for ")
        assert ".flac" in lines[0] and ".wav" in lines[0] and scope in lines[0]
        assert not out.exists() and not list(tmp_path.glob(".*journal*"))


def test_the_scheduled_flow_warns_when_its_folder_has_nothing_and_goes_on(prefect_env, tiny_model, tmp_path):
    out_dir = tmp_path / "results"
    script = ("import sys; from flows.schedule import classify_new_files; "
              "print('returned', repr(classify_new_files(sys.argv[1], sys.argv[2], model_dir=sys.argv[3], "
              "params_file=None, recursive=True)))")
    for folder in (tmp_path / "inbox", tmp_path / "unmounted"):
        if folder.name == "inbox":
            folder.mkdir()
            (folder / "notes.txt").write_text("no audio")
        done = subprocess.run([sys.executable, "-c", script, str(folder), str(out_dir), str(tiny_model)],
                              env=prefect_env, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "returned ''" in done.stdout
        warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
        assert len(warnings) == 1 and f"no file to classify in {folder}: looked for " in warnings[0], (
            done.stderr[-3000:])
        assert "Completed" in done.stderr and "Failed" not in done.stderr
    assert not list(out_dir.glob("*.csv"))
    assert os.listdir(out_dir) == []
