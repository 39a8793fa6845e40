import itertools

import pytest

from aurora.config import DataConfig
from aurora.data.manifest import OK, build_manifest, report, summary_table, usable

FORMATS = [  # (extension, subtype): every depth the two containers support
    ("wav", "PCM_U8"), ("wav", "PCM_16"), ("wav", "PCM_24"), ("wav", "FLOAT"),
    ("flac", "PCM_S8"), ("flac", "PCM_16"), ("flac", "PCM_24"),
]
RATES = [22050, 44100, 48000]


@pytest.fixture
def corpus(tmp_path, clip_writer):
    """Good clips in many formats, under a nested layout, plus every kind of bad file."""
    root = tmp_path / "corpus"
    combos = list(itertools.product(FORMATS, RATES, [1, 2]))
    for i, ((ext, subtype), sr, channels) in enumerate(combos):
        emotion, actor = i % 8 + 1, i // 8 + 1  # a distinct (emotion, actor) per clip
        intensity = 1 if emotion == 1 else i % 2 + 1
        name = f"03-01-{emotion:02d}-{intensity:02d}-01-02-{actor:02d}"
        clip_writer(f"corpus/audio_speech/Actor_{actor:02d}/{name}.{ext}", sr=sr,
                    channels=channels, subtype=subtype, seconds=0.6, seed=i)
    bad = root / "Actor_09"
    bad.mkdir(parents=True)
    (bad / "03-01-03-01-01-01-09.wav").write_bytes(b"")  # zero bytes
    (bad / "03-01-03-01-01-02-09.wav").write_text("<html>not a wav</html>")  # not audio
    good = clip_writer("corpus/Actor_09/03-01-04-01-01-01-09.wav", seconds=1.0)
    (bad / "03-01-04-01-01-02-09.wav").write_bytes(good.read_bytes()[:30])  # truncated header
    clip_writer("corpus/Actor_09/03-01-05-01-01-01-09.wav", seconds=0.05)  # too short
    clip_writer("corpus/Actor_09/03-02-05-01-01-01-09.wav", seconds=1.0)  # song
    clip_writer("corpus/Actor_09/not-a-ravdess-name.wav", seconds=1.0)
    (bad / "notes.txt").write_text("hello")
    # The same clip name twice (a WAV and a FLAC copy in other folders).
    clip_writer("corpus/copies/03-01-04-01-01-01-09.flac", seconds=1.0, seed=99)
    return root, len(combos) + 1


def test_every_format_is_ingested_and_every_bad_file_reported(corpus):
    root, n_good = corpus
    manifest = build_manifest(root, DataConfig(min_duration_s=0.5), workers=2)
    ok = usable(manifest)
    assert len(ok) == n_good
    assert set(ok.sample_rate) == set(RATES) | {48000}
    assert set(ok.channels) == {1, 2}
    assert ok.content_hash.str.len().eq(64).all()
    assert (ok.duration_s > 0.5).all()

    status = dict(zip(manifest.path, manifest.status, strict=True))
    assert status["Actor_09/03-01-03-01-01-01-09.wav"] == "empty"
    assert status["Actor_09/03-01-03-01-01-02-09.wav"] == "corrupt"
    assert status["Actor_09/03-01-04-01-01-02-09.wav"] == "corrupt"
    assert status["Actor_09/03-01-05-01-01-01-09.wav"] == "too_short"
    assert status["Actor_09/03-02-05-01-01-01-09.wav"] == "excluded"
    assert status["Actor_09/not-a-ravdess-name.wav"] == "bad_name"
    assert status["Actor_09/notes.txt"] == "not_audio"
    # Sorted paths: "Actor_09/..." comes before "copies/...", so the copy is the duplicate.
    assert status["copies/03-01-04-01-01-01-09.flac"] == "duplicate"

    problems = report(manifest)
    assert len(problems) == len(manifest) - n_good
    assert problems.message.str.len().gt(10).all()  # every line says why


def test_song_clips_can_be_kept(corpus):
    root, n_good = corpus
    manifest = build_manifest(root, DataConfig(min_duration_s=0.5, include_song=True), workers=1)
    assert len(usable(manifest)) == n_good + 1


def test_identical_audio_under_two_names(tmp_path, clip_writer):
    a = clip_writer("c/Actor_01/03-01-03-01-01-01-01.wav", seconds=1.0)
    (tmp_path / "c/Actor_01/03-01-03-01-01-02-01.wav").write_bytes(a.read_bytes())
    (tmp_path / "c/Actor_02").mkdir()
    (tmp_path / "c/Actor_02/03-01-03-01-01-01-02.wav").write_bytes(a.read_bytes())
    manifest = build_manifest(tmp_path / "c", DataConfig(), workers=1).set_index("path")
    assert manifest.loc["Actor_01/03-01-03-01-01-02-01.wav", "status"] == OK  # same actor: kept
    assert "warning" in manifest.loc["Actor_01/03-01-03-01-01-02-01.wav", "message"]
    assert manifest.loc["Actor_02/03-01-03-01-01-01-02.wav", "status"] == "duplicate"


def test_summary_table_counts_actor_by_emotion(corpus):
    root, n_good = corpus
    table = summary_table(build_manifest(root, DataConfig(min_duration_s=0.5), workers=1))
    assert table.loc["total", "total"] == n_good
    assert list(table.columns[:8]) == ["neutral", "calm", "happy", "sad", "angry", "fearful",
                                       "disgust", "surprised"]
