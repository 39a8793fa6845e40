"""Several corpora in one manifest: generated clips named as CREMA-D and TESS name theirs, and a
user's labelled CSV, next to RAVDESS. Speakers are namespaced per corpus, label mappings come from
the config, and every file that is not used has a row saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurora.config import ConfigError, CorpusSource, DataConfig, params_from_dict
from aurora.data.manifest import OK, build_manifest, located, usable
from aurora.data.readers import read_table
from aurora.data.splits import leave_one_corpus_out, make_splits, single_corpus
from aurora.errors import DatasetError

CREMA_LABELS = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral",
                "SAD": "sad"}


@pytest.fixture
def corpora(tmp_path, clip_writer):
    for i, (actor, emotion) in enumerate(((1, 5), (2, 3), (2, 1))):
        clip_writer(f"ravdess/Actor_{actor:02d}/03-01-{emotion:02d}-01-01-01-{actor:02d}.wav", seconds=0.8,
                    seed=20 + i)
    for i, name in enumerate(["1001_DFA_ANG_XX", "1001_IEO_SAD_HI", "1002_DFA_NEU_XX", "1002_DFA_HAP_LO"]):
        clip_writer(f"crema/AudioWAV/{name}.wav", seconds=0.8, sr=16000, seed=i)
    clip_writer("crema/AudioWAV/1003_DFA_ANG_ZZ.wav", seconds=0.8, sr=16000)  # bad intensity
    for i, name in enumerate(["OAF_angry/OAF_back_angry", "YAF_pleasant_surprised/YAF_bite_ps"]):
        clip_writer(f"tess/{name}.wav", seconds=0.8, sr=24414, seed=40 + i)
    for i, name in enumerate(["DC_sa01", "AudioData/JK/su15"]):
        clip_writer(f"savee/{name}.wav", seconds=0.8, sr=44100, seed=50 + i)
    for i, name in enumerate(["03/03a01Wa", "16b10Lb"]):
        clip_writer(f"emodb/{name}.wav", seconds=0.8, sr=16000, seed=60 + i)
    mine = tmp_path / "mine"
    for i, name in enumerate(["calls/a.wav", "calls/b.flac", "calls/c.wav"]):
        clip_writer(f"mine/{name}", seconds=0.8, sr=8000, seed=10 + i)
    (mine / "calls" / "broken.wav").write_bytes(b"RIFF....WAVE")
    (mine / "labels.csv").write_text(
        "path,emotion,speaker,gender\n"
        "calls/a.wav,angry,agent7,f\n"
        "calls/b.flac,Neutral,agent7,f\n"
        "calls/c.wav,,agent9,m\n"              # no label
        "calls/missing.wav,sad,agent9,m\n"     # no such file
        "calls/broken.wav,sad,agent9,m\n"      # corrupt audio
        "calls/../../ravdess/Actor_01/x.wav,sad,agent9,m\n")  # outside the folder
    return tmp_path


def _config(**corpora) -> DataConfig:
    return DataConfig(min_duration_s=0.5, corpora=corpora)


def test_every_file_name_scheme_through_one_manifest(corpora):
    labels = {"tess": {"angry": "angry", "ps": "surprised"}, "savee": {"sa": "sad", "su": "surprised"},
              "emodb": {"W": "angry", "L": ""}}
    config = _config(**{name: CorpusSource(name, labels=m) for name, m in labels.items()})
    manifest = build_manifest(corpora / "ravdess", config, workers=1,
                              corpora={name: corpora / name for name in labels})
    ok = usable(manifest).set_index("clip_id")
    assert ok.loc["tess:YAF_pleasant_surprised/YAF_bite_ps", ["speaker", "emotion"]].tolist() == [
        "tess:YAF", "surprised"]
    assert ok.loc["savee:AudioData/JK/su15", ["speaker", "emotion"]].tolist() == ["savee:JK", "surprised"]
    assert ok.loc["savee:DC_sa01", "emotion"] == "sad"
    assert ok.loc["emodb:03/03a01Wa", ["speaker", "emotion"]].tolist() == ["emodb:03", "angry"]
    assert manifest.set_index("clip_id").loc["emodb:16b10Lb", "status"] == "excluded"  # boredom


def test_one_manifest_with_namespaced_speakers_and_every_skip_reported(corpora):
    config = _config(crema_d=CorpusSource("crema_d", labels=CREMA_LABELS), mine=CorpusSource("csv"))
    manifest = build_manifest(corpora / "ravdess", config, workers=1,
                              corpora={"crema_d": corpora / "crema", "mine": corpora / "mine"})
    ok = usable(manifest)
    assert sorted(ok.speaker.unique()) == ["crema_d:1001", "crema_d:1002", "mine:agent7", "ravdess:01",
                                           "ravdess:02"]
    assert ok.groupby("corpus").size().to_dict() == {"crema_d": 4, "mine": 2, "ravdess": 3}
    by_path = ok.set_index("path")
    assert by_path.loc["AudioWAV/1001_IEO_SAD_HI.wav", "emotion"] == "sad"
    assert by_path.loc["calls/b.flac", "emotion"] == "neutral"  # the table's labels, any case
    assert by_path.loc["calls/a.wav", "gender"] == "female"
    assert by_path.loc["AudioWAV/1001_DFA_ANG_XX.wav", "gender"] == "unknown"
    assert by_path.loc["AudioWAV/1001_DFA_ANG_XX.wav", "clip_id"] == "crema_d:AudioWAV/1001_DFA_ANG_XX"
    skipped = manifest[manifest.status != OK].set_index("path")
    assert "CREMA-D" in skipped.loc["AudioWAV/1003_DFA_ANG_ZZ.wav", "message"]
    assert "no emotion label" in skipped.loc["calls/c.wav", "message"]
    assert "no such file" in skipped.loc["calls/missing.wav", "message"]
    assert skipped.loc["calls/broken.wav", "status"] in ("corrupt", "unreadable")
    assert "leaves the corpus folder" in skipped.loc["calls/../../ravdess/Actor_01/x.wav", "message"]
    # Every clip can be found again for reading, whichever corpus folder it lives in.
    roots = {"ravdess": corpora / "ravdess", "crema_d": corpora / "crema", "mine": corpora / "mine"}
    assert all(Path(p).is_file() for p in located(ok, roots).path)


def test_a_label_the_mapping_lacks_stops_with_every_such_label_listed(corpora):
    partial = {k: v for k, v in CREMA_LABELS.items() if k not in ("HAP", "NEU")}
    with pytest.raises(ConfigError, match=r"no entry for 'HAP' \(1 files.*'NEU' \(1 files"):
        build_manifest(corpora / "ravdess", _config(crema_d=CorpusSource("crema_d", labels=partial)),
                       workers=1, corpora={"crema_d": corpora / "crema"})
    # A code mapped to "" is left out with a reason, not an error.
    left_out = {**partial, "HAP": "", "NEU": ""}
    manifest = build_manifest(corpora / "ravdess", _config(crema_d=CorpusSource("crema_d", labels=left_out)),
                              workers=1, corpora={"crema_d": corpora / "crema"})
    excluded = manifest[(manifest.corpus == "crema_d") & (manifest.status == "excluded")]
    assert len(excluded) == 2 and excluded.message.str.contains("no counterpart").all()


def test_a_csv_label_that_is_no_emotion_stops_and_a_mapping_renames_labels(corpora):
    (corpora / "mine" / "labels.csv").write_text("path,emotion,speaker\ncalls/a.wav,furious,agent7\n")
    with pytest.raises(ConfigError, match="'furious'"):
        build_manifest(corpora / "ravdess", _config(mine=CorpusSource("csv")), workers=1,
                       corpora={"mine": corpora / "mine"})
    renamed = CorpusSource("csv", labels={"furious": "angry"})
    manifest = build_manifest(corpora / "ravdess", _config(mine=renamed), workers=1,
                              corpora={"mine": corpora / "mine"})
    assert usable(manifest).set_index("path").loc["calls/a.wav", "emotion"] == "angry"


def test_csv_table_needs_its_columns(tmp_path):
    (tmp_path / "labels.csv").write_text("file,label\nx.wav,angry\n")
    with pytest.raises(DatasetError, match=r"no column\(s\) \['path', 'emotion', 'speaker'\]"):
        read_table(tmp_path)
    with pytest.raises(DatasetError, match="no such labels table"):
        read_table(tmp_path, "other.csv")


def test_corpus_config_is_validated_at_the_edge():
    with pytest.raises(ConfigError, match="'ravdess' is raw_dir's corpus"):
        params_from_dict({"data": {"corpora": {"ravdess": {"reader": "ravdess", "labels": {"05": "angry"}}}}})
    entry = {"reader": "emodb", "dir_env": "EMODB_DIR", "labels": {"W": "angry"}}
    with pytest.raises(ConfigError, match=r"in both data\.corpora and crosscorpus\.corpora"):
        params_from_dict({"data": {"corpora": {"emodb": entry}},
                          "crosscorpus": {"corpora": {"emodb": entry}}})
    with pytest.raises(ConfigError, match="reader 'cremad' is not one of"):
        params_from_dict({"data": {"corpora": {"crema_d": {"reader": "cremad", "labels": {"ANG": "angry"}}}}})


def test_folds_are_stratified_by_corpus_and_leave_one_corpus_out_tests_each_corpus_whole():
    speakers = [f"ravdess:{a:02d}" for a in range(1, 21)] + [f"crema_d:{1001 + i}" for i in range(10)]
    genders = {s: ("male" if i % 2 == 0 else "female") if s.startswith("ravdess") else "unknown"
               for i, s in enumerate(speakers)}
    corpora = {s: s.split(":")[0] for s in speakers}
    folds, _ = make_splits(genders, ["ravdess:21"], n_folds=5, n_val=2, corpora=corpora)
    for fold in folds:
        held = [corpora[s] for s in fold.test]
        assert held.count("ravdess") == 4 and held.count("crema_d") == 2
        assert sorted(corpora[s] for s in fold.val) == ["crema_d", "ravdess"]  # selection sees both
    assert sorted(s for f in folds for s in f.test) == sorted(speakers)
    loco = leave_one_corpus_out(genders, corpora, ["ravdess:21"], n_val=2)
    for split in loco:
        left_out = split.name.removeprefix("without-")
        assert {corpora[s] for s in split.test} == {left_out}
        assert len(split.test) == sum(c == left_out for c in corpora.values())
        assert not {corpora[s] for s in (*split.train, *split.val)} & {left_out}
    assert leave_one_corpus_out({"ravdess:01": "male"}, {"ravdess:01": "ravdess"}, [], 1) == []


def test_a_small_corpus_of_both_genders_is_spread_over_the_folds_not_stacked_in_the_first():
    # Emo-DB's shared speakers: three men and two women. Dealing each gender from the same fold
    # put two of them in folds 1 and 2 and none in folds 4 and 5.
    genders = {"emodb:03": "male", "emodb:08": "female", "emodb:09": "female", "emodb:10": "male",
               "emodb:11": "male"} | {f"ravdess:{a:02d}": "male" if a % 2 else "female" for a in range(1, 21)}
    corpora = {s: s.split(":")[0] for s in genders}
    folds, _ = make_splits(genders, [], n_folds=5, n_val=2, corpora=corpora)
    for fold in folds:
        held = [corpora[s] for s in fold.test]
        assert held.count("emodb") == 1 and held.count("ravdess") == 4
        ravdess_genders = sorted(genders[s] for s in fold.test if s.startswith("ravdess"))
        assert ravdess_genders == ["female", "female", "male", "male"]


def test_validation_hears_every_corpus_and_each_corpus_alone_is_tested_on_the_others():
    speakers = ([f"ravdess:{a:02d}" for a in range(1, 21)] + [f"emodb:{s}" for s in ("03", "08", "09", "10")]
                + [f"emovo:{s}" for s in ("f1", "f2", "m1", "m2", "m3")])
    genders = {s: ("male" if i % 2 == 0 else "female") for i, s in enumerate(speakers)}
    corpora = {s: s.split(":")[0] for s in speakers}
    folds, final = make_splits(genders, [], n_folds=4, n_val=2, corpora=corpora)
    for fold in [*folds, final]:  # one validation speaker from every corpus, however small n_val
        assert sorted(corpora[s] for s in fold.val) == ["emodb", "emovo", "ravdess"]
    old, _ = make_splits(genders, [], n_folds=4, n_val=2, corpora=corpora, every_corpus=False)
    assert all(len(fold.val) == 2 for fold in old)  # in turns: a corpus validates in some folds only
    single = {f.name: f for f in single_corpus(genders, corpora, [], n_val=2)}
    assert sorted(single) == ["only-emodb", "only-emovo", "only-ravdess"]
    for name, split in single.items():
        own = name.removeprefix("only-")
        assert {corpora[s] for s in (*split.train, *split.val)} == {own} and len(split.val) == 2
        assert sorted(split.test) == sorted(s for s in speakers if corpora[s] != own)
    assert single_corpus({"ravdess:01": "male"}, {"ravdess:01": "ravdess"}, [], 1) == []


def test_leave_one_corpus_out_scores_only_emotions_both_sides_have():
    import numpy as np
    import pandas as pd

    from aurora.evaluation.loco import score_loco, score_per_corpus
    from aurora.reporting.tables import loco_table

    classes = ["neutral", "calm", "angry"]
    # The left-out corpus has every class; the others trained only neutral and angry (no calm).
    labels = np.array([0, 0, 1, 1, 2, 2, 0, 2])
    guess = np.array([0, 0, 0, 2, 2, 1, 2, 2])
    probs = np.full((len(labels), 3), 0.1)
    probs[np.arange(len(labels)), guess] = 0.8
    rows = pd.DataFrame({"scope": "loco", "fold": "without-tess", "corpus": "tess", "label": labels,
                         "speaker": ["tess:OAF"] * 4 + ["tess:YAF"] * 4,
                         **{f"prob_{c}": probs[:, i] for i, c in enumerate(classes)}})
    result = score_loco(rows, [{"fold": "without-tess", "trained_labels": [0, 2]}], classes)["tess"]
    assert result["trained_classes"] == ["neutral", "angry"]
    every, shared = result["modes"]["all classes"], result["modes"]["shared classes"]
    assert every["shared_emotions"] == ["neutral", "angry"] and every["clips"] == 6  # calm not scored
    # OAF: neutral 2 of 2 (its calm clips are not scored) -> 1.0; YAF: angry 2 of 3 (one came out
    # calm, which the others never trained), neutral 0 of 1 -> 1/3.
    assert every["uar"]["mean"] == pytest.approx((1.0 + 1 / 3) / 2, abs=1e-4)
    # Deciding among the shared emotions only turns YAF's 'calm' guess into its runner-up.
    assert shared["shares"]["calm"] == 0
    header, table = loco_table({"tess": result})
    assert table[0][:3] == ["tess", "2", "6"] and header[3:5] == ["UAR, all classes", "UAR, its own emotions"]
    assert table[0][3] == f"{every['uar']['mean']:.3f} ± {every['uar']['std']:.3f}"
    assert score_per_corpus(rows, classes) == {}  # one corpus: nothing per corpus
    both = pd.concat([rows, rows.assign(corpus="ravdess", speaker="ravdess:01")])
    assert set(score_per_corpus(both, classes)) == {"ravdess", "tess"}


def test_the_corpus_matrix_scores_each_corpus_alone_on_every_other():
    import numpy as np
    import pandas as pd

    from aurora.evaluation.loco import score_corpus_matrix
    from aurora.reporting.tables import corpus_matrix_table

    classes = ["neutral", "angry"]
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
    rows = pd.DataFrame({"scope": "single", "fold": "only-a", "corpus": ["b", "b", "c", "c"],
                         "speaker": ["b:1", "b:1", "c:1", "c:1"], "label": [0, 1, 0, 1],
                         "prob_neutral": probs[:, 0], "prob_angry": probs[:, 1]})
    matrix = score_corpus_matrix(rows, [{"fold": "only-a", "trained_labels": [0, 1]}], classes)
    assert set(matrix) == {"a"} and set(matrix["a"]) == {"b", "c"}
    assert matrix["a"]["b"]["modes"]["all classes"]["uar"]["mean"] == 1.0  # both right
    assert matrix["a"]["c"]["modes"]["all classes"]["uar"]["mean"] == 0.5  # angry came out neutral
    header, table = corpus_matrix_table(matrix, {})
    assert header == ["", "scored on a", "scored on b", "scored on c"]
    assert table[0] == ["trained on a", "-", "1.00", "0.50"] and table[-1][0] == "trained on all the others"


def _run_stage(cwd: Path, params: dict, env: dict | None = None):
    import os
    import subprocess
    import sys

    import yaml

    (cwd / "params.yaml").write_text(yaml.safe_dump(params))
    repo = Path(__file__).resolve().parents[1]
    return subprocess.run([sys.executable, "-m", "stages.train_corpora"], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(repo), **(env or {})}, timeout=120)


def test_train_corpora_stage_links_each_corpus_skips_an_absent_one_and_refuses_an_evaluated_one(tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    mine = {"reader": "csv", "dir_env": "MY_CORPUS_DIR"}
    done = _run_stage(tmp_path, {"data": {"corpora": {"mine": mine}}}, {"MY_CORPUS_DIR": str(folder)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data/train_corpora/mine").resolve() == folder.resolve()
    absent = _run_stage(tmp_path, {"data": {"corpora": {"mine": mine}}}, {"MY_CORPUS_DIR": ""})
    assert absent.returncode == 0, absent.stderr  # trains on the others, and says which variable to set
    assert "data.corpora.mine: skipped" in absent.stdout and "set $MY_CORPUS_DIR" in absent.stdout
    assert "training on RAVDESS alone" in absent.stdout
    assert not (tmp_path / "data/train_corpora/mine").exists()
    evaluated = {"reader": "emodb", "dir": str(folder), "labels": {"W": "angry"}}
    params = {"data": {"corpora": {"mine": mine}}, "crosscorpus": {"corpora": {"ev": evaluated}}}
    both = _run_stage(tmp_path, params, env={"MY_CORPUS_DIR": str(folder)})
    assert both.returncode == 1 and "the folder of crosscorpus.corpora.ev" in both.stderr
    inside = {"reader": "emodb", "dir": str(tmp_path), "labels": {"W": "angry"}}  # a parent folder
    params = {"data": {"corpora": {"mine": mine}}, "crosscorpus": {"corpora": {"ev": inside}}}
    nested = _run_stage(tmp_path, params, env={"MY_CORPUS_DIR": str(folder)})
    assert nested.returncode == 1 and "the folder of crosscorpus.corpora.ev" in nested.stderr
    emptied = _run_stage(tmp_path, {"data": {"corpora": {}}})
    assert emptied.returncode == 0 and not (tmp_path / "data/train_corpora/mine").exists()


def test_a_tables_corpus_column_groups_clips_but_a_speaker_stays_in_one_corpus(corpora):
    table = corpora / "mine" / "labels.csv"
    table.write_text("path,emotion,speaker,corpus\ncalls/a.wav,angry,agent7,Phone\n"
                     "calls/b.flac,neutral,agent8,studio\n")
    manifest = build_manifest(corpora / "ravdess", _config(mine=CorpusSource("csv")), workers=1,
                              corpora={"mine": corpora / "mine"})
    ok = usable(manifest).set_index("path")
    assert ok.loc["calls/a.wav", ["corpus", "speaker"]].tolist() == ["mine/phone", "mine:agent7"]
    assert ok.loc["calls/b.flac", "corpus"] == "mine/studio"
    table.write_text("path,emotion,speaker,corpus\ncalls/a.wav,angry,agent7,phone\n"
                     "calls/b.flac,neutral,agent7,studio\n")  # one person under two corpus values
    with pytest.raises(ConfigError, match=r"mine:agent7: mine/phone, mine/studio"):
        build_manifest(corpora / "ravdess", _config(mine=CorpusSource("csv")), workers=1,
                       corpora={"mine": corpora / "mine"})


def test_validation_never_takes_a_small_corpus_last_speaker_and_loco_copes_with_few_speakers():
    speakers = [f"ravdess:{a:02d}" for a in range(1, 21)] + ["mine:a"]
    genders = {s: "male" if i % 2 == 0 else "female" for i, s in enumerate(speakers)}
    corpora = {s: s.split(":")[0] for s in speakers}
    folds, final = make_splits(genders, [], n_folds=5, n_val=2, corpora=corpora)
    for fold in [*folds, final]:
        assert "mine:a" not in fold.val  # it trains wherever it is not held out
    loco = {f.name: f for f in leave_one_corpus_out(genders, corpora, [], n_val=2)}
    # One speaker cannot both train and validate: no split without RAVDESS.
    assert "without-ravdess" not in loco and len(loco["without-mine"].test) == 1
    two = {**genders, "mine:b": "female"}
    loco = {f.name: f for f in leave_one_corpus_out(two, {s: s.split(":")[0] for s in two}, [], n_val=2)}
    assert len(loco["without-ravdess"].train) == 1 and len(loco["without-ravdess"].val) == 1
