"""Ingest and features on the real RAVDESS clips in $RAVDESS_DIR."""

from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

from aurora.audio.decode import load_mono
from aurora.config import AudioConfig, DataConfig, FeatureConfig, load_params
from aurora.data.emotions import EMOTIONS
from aurora.data.manifest import build_manifest, usable
from aurora.data.splits import leave_one_corpus_out, make_splits
from aurora.features.extract import FeatureExtractor
from aurora.features.pitch import yin

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def test_shared_ravdess_is_1200_clips_of_20_actors(ravdess_dir):
    manifest = build_manifest(ravdess_dir, DataConfig(), workers=2)
    ok = usable(manifest)
    assert len(ok) == 1200
    assert sorted(ok.actor.unique()) == list(range(1, 21))
    counts = ok.emotion.value_counts()
    assert counts["neutral"] == 80
    assert all(counts[e] == 160 for e in EMOTIONS if e != "neutral")
    assert (ok.groupby("actor").size() == 60).all()
    assert set(ok.sample_rate) == {48000}
    assert (ok.channels == 2).sum() == 5
    assert ok.duration_s.between(2.9, 5.4).all()
    # RAVDESS's one byte-identical pair (actor 07) is kept, with a warning.
    warned = ok[ok.message.str.startswith("warning")]
    assert list(warned.clip_id) == ["03-01-03-01-02-02-07"]


def test_original_wav_files_with_extra_chunk_and_stereo(ravdess_wav_dir, ravdess_dir):
    manifest = build_manifest(ravdess_wav_dir, DataConfig(), workers=1)
    ok = usable(manifest)
    assert len(ok) == len(manifest) == 13
    stereo = set(ok.loc[ok.channels == 2, "clip_id"])
    assert stereo == {"03-01-02-01-01-02-01", "03-01-08-01-02-02-01", "03-01-02-01-02-02-05",
                      "03-01-03-01-02-01-20", "03-01-06-01-01-02-20"}
    # The FLAC copies are lossless: the same samples as the original WAV files.
    for row in ok.itertuples():
        wav, _ = sf.read(ravdess_wav_dir / row.path, dtype="int16")
        flac, _ = sf.read(ravdess_dir / row.path.replace(".wav", ".flac"), dtype="int16")
        np.testing.assert_array_equal(wav, flac)


def test_features_of_a_real_clip_match_librosa(ravdess_dir):
    path = ravdess_dir / "Actor_03/03-01-05-02-01-01-03.flac"
    cfg = FeatureConfig()
    y = load_mono(path, 16000)
    extractor = FeatureExtractor(cfg, AudioConfig(trim_silence=False))
    clip = extractor.frames(y)
    mfcc = librosa.feature.mfcc(y=y, sr=16000, n_mfcc=cfg.n_mfcc, n_fft=cfg.n_fft,
                                hop_length=cfg.hop_length, n_mels=cfg.n_mels)
    np.testing.assert_allclose(clip.frames[:, : cfg.n_mfcc].T, mfcc, atol=5e-3)
    kw = dict(sr=16000, fmin=cfg.f0_fmin, fmax=cfg.f0_fmax, frame_length=cfg.f0_frame_length,
              hop_length=cfg.hop_length)
    assert np.isclose(yin(y, **kw)[0], librosa.yin(y, **kw), rtol=1e-3).mean() > 0.99
    f0 = clip.frames[:, extractor.frame_names.index("f0")]
    assert 80 < np.median(f0[f0 > 0]) < 400  # an angry male voice


def test_ravdess_and_emodb_through_data_corpora(ravdess_dir, emodb_dir):
    """RAVDESS plus the Emo-DB speakers as training corpora (no training here): one manifest with a
    corpus column and namespaced speakers, boredom left out with its reason, speaker folds stratified
    by corpus, and leave-one-corpus-out splits that test each corpus whole."""
    # The shipped training entry for Emo-DB, on its own beside RAVDESS.
    emodb = load_params(REPO / "params.yaml").data.corpora["emodb"]
    config = DataConfig(corpora={"emodb": emodb})
    manifest = build_manifest(ravdess_dir, config, workers=2, corpora={"emodb": emodb_dir})
    ok = usable(manifest)
    assert ok.groupby("corpus").size().to_dict() == {"emodb": 208, "ravdess": 1200}
    emodb_speakers = sorted(ok[ok.corpus == "emodb"].speaker.unique())
    assert emodb_speakers == ["emodb:03", "emodb:08", "emodb:09", "emodb:10", "emodb:11"]
    assert ok[ok.corpus == "ravdess"].speaker.str.fullmatch(r"ravdess:\d\d").all()
    boredom = manifest[manifest.path.str.contains("L[a-z]\\.", regex=True)]
    assert len(boredom) == 35 and (boredom.status == "excluded").all()
    assert boredom.message.str.contains("no counterpart").all()
    assert not set(ok[ok.corpus == "emodb"].emotion.astype(str)) & {"calm", "surprised"}  # none invented

    genders = dict(zip(ok.speaker, ok.gender, strict=True))
    corpora = dict(zip(ok.speaker, ok.corpus, strict=True))
    folds, _ = make_splits(genders, [], n_folds=5, n_val=2, corpora=corpora)
    for fold in folds:
        held = [corpora[s] for s in fold.test]
        assert held.count("emodb") == 1 and held.count("ravdess") == 4
    loco = leave_one_corpus_out(genders, corpora, [], n_val=2)
    assert {f.name: len(f.test) for f in loco} == {"without-emodb": 5, "without-ravdess": 20}
    for split in loco:
        left_out = split.name.removeprefix("without-")
        assert {corpora[s] for s in split.test} == {left_out}
        assert not {corpora[s] for s in (*split.train, *split.val)} & {left_out}
