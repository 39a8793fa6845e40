"""Each feature equals librosa's own function on the same clip, and the
extractor is deterministic."""

import librosa
import numpy as np
import pytest

from aurora.audio.decode import load_mono
from aurora.config import AudioConfig, FeatureConfig
from aurora.features.extract import FeatureExtractor, trim_bounds
from aurora.features.pitch import yin
from tests.conftest import voice_like

SR = 16000


@pytest.fixture(scope="module")
def setup():
    features, audio = FeatureConfig(), AudioConfig(trim_silence=False)
    extractor = FeatureExtractor(features, audio)
    y = voice_like(1.5, SR, f0=140.0, seed=3)
    return extractor, features, y, extractor.frames(y)


def block(extractor, clip, prefix):
    columns = [i for i, n in enumerate(extractor.frame_names) if n.startswith(prefix)]
    return clip.frames[:, columns].T


def test_spectral_features_equal_librosa(setup):
    extractor, cfg, y, clip = setup
    kw = dict(sr=SR, n_fft=cfg.n_fft, hop_length=cfg.hop_length)
    mel = librosa.feature.melspectrogram(y=y, n_mels=cfg.n_mels, **kw)
    np.testing.assert_allclose(clip.logmel.T, librosa.power_to_db(mel), atol=1e-3)
    mfcc = librosa.feature.mfcc(y=y, n_mfcc=cfg.n_mfcc, n_mels=cfg.n_mels, **kw)
    mine = block(extractor, clip, "mfcc")
    n = cfg.n_mfcc
    np.testing.assert_allclose(mine[:n], mfcc, atol=2e-3)
    np.testing.assert_allclose(mine[n:2 * n], librosa.feature.delta(mfcc, width=cfg.delta_width), atol=1e-3)
    np.testing.assert_allclose(mine[2 * n:], librosa.feature.delta(mfcc, width=cfg.delta_width, order=2),
                               atol=1e-3)
    np.testing.assert_allclose(block(extractor, clip, "chroma"),
                               librosa.feature.chroma_stft(y=y, tuning=0.0, **kw), atol=1e-5)
    np.testing.assert_allclose(
        block(extractor, clip, "contrast"),
        librosa.feature.spectral_contrast(y=y, fmin=cfg.contrast_fmin, n_bands=cfg.contrast_bands, **kw),
        rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(block(extractor, clip, "centroid")[0],
                               librosa.feature.spectral_centroid(y=y, **kw)[0], rtol=1e-4)
    np.testing.assert_allclose(block(extractor, clip, "rolloff")[0],
                               librosa.feature.spectral_rolloff(y=y, roll_percent=cfg.rolloff_percent,
                                                                **kw)[0])
    np.testing.assert_allclose(block(extractor, clip, "zcr")[0], librosa.feature.zero_crossing_rate(
        y, frame_length=cfg.n_fft, hop_length=cfg.hop_length)[0])
    spectrum = np.abs(librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length))
    np.testing.assert_allclose(block(extractor, clip, "rms")[0],
                               librosa.feature.rms(S=spectrum, frame_length=cfg.n_fft)[0], rtol=1e-4)


def test_yin_equals_librosa_yin(setup):
    _, cfg, y, _ = setup
    kw = dict(sr=SR, fmin=cfg.f0_fmin, fmax=cfg.f0_fmax, frame_length=cfg.f0_frame_length,
              hop_length=cfg.hop_length)
    mine, _ = yin(y, **kw)
    reference = librosa.yin(y, **kw)
    assert mine.shape == reference.shape
    close = np.isclose(mine, reference, rtol=1e-3)
    assert close.mean() > 0.99


def test_f0_tracks_the_synthetic_pitch(setup):
    extractor, _, _, clip = setup
    f0 = clip.frames[:, extractor.frame_names.index("f0")]
    voiced = f0[f0 > 0]
    assert len(voiced) > 0.6 * len(f0)  # the tone fills ~80 % of the clip
    assert 120 < np.median(voiced) < 160  # glide around 140 Hz
    assert voiced.min() > 110 and voiced.max() < 175


def test_frames_are_deterministic_and_aligned(setup):
    extractor, cfg, y, clip = setup
    again = extractor.frames(y.copy())
    np.testing.assert_array_equal(clip.frames, again.frames)
    np.testing.assert_array_equal(clip.logmel, again.logmel)
    assert clip.frames.dtype == np.float32
    assert clip.frames.shape == (1 + len(y) // cfg.hop_length, len(extractor.frame_names))
    assert np.isfinite(clip.frames).all()


def test_statistics_have_a_name_each(setup):
    extractor, _, y, clip = setup
    stats = extractor.statistics(clip, len(y) / SR)
    assert stats.shape == (len(extractor.stat_names),)
    assert len(set(extractor.stat_names)) == len(extractor.stat_names)
    named = dict(zip(extractor.stat_names, stats, strict=True))
    assert named["duration_s"] == pytest.approx(len(y) / SR)
    assert 0.6 < named["voiced_fraction"] < 0.95
    assert 120 < named["f0_p50"] < 160
    mfcc1 = clip.frames[:, 0]
    assert named["mfcc01_mean"] == pytest.approx(mfcc1.mean(), rel=1e-5)
    assert named["mfcc01_p90"] == pytest.approx(np.percentile(mfcc1, 90), rel=1e-5)


def test_trim_removes_silence_and_short_clips_still_work():
    extractor = FeatureExtractor(FeatureConfig(), AudioConfig(trim_silence=True))
    y = voice_like(1.0, SR)  # 0.2 s of silence each side
    trimmed = extractor.prepare(y)
    assert len(trimmed) < len(y) - 0.3 * SR
    tiny = extractor.prepare(np.zeros(100, dtype=np.float32) + 1e-3)
    clip = extractor.frames(tiny)
    assert clip.frames.shape[0] >= 1 and np.isfinite(clip.frames).all()


def _librosa_bounds(y, top_db, frame_length, hop_length):
    _, (start, end) = librosa.effects.trim(y, top_db=top_db, frame_length=frame_length, hop_length=hop_length)
    return int(start), int(end)


@pytest.mark.parametrize("top_db", [20, 30, 60])
def test_trim_bounds_equal_librosa_on_generated_audio(top_db):
    rng = np.random.default_rng(top_db)
    cases = [voice_like(1.0, SR, seed=top_db), np.zeros(3000, np.float32), np.zeros(0, np.float32),
             rng.normal(0, 1e-4, 777).astype(np.float32),
             np.concatenate([np.zeros(5000), rng.normal(0, 0.3, 4000), np.zeros(9000)]).astype(np.float32)]
    for y in cases:
        for frame_length, hop_length in [(2048, 512), (400, 160), (512, 128)]:
            assert trim_bounds(y, top_db=top_db, frame_length=frame_length, hop_length=hop_length) == \
                _librosa_bounds(y, top_db, frame_length, hop_length), (len(y), frame_length)


def test_trim_bounds_equal_librosa_on_real_clips(ravdess_dir):
    cfg, audio = FeatureConfig(), AudioConfig()
    for path in sorted(ravdess_dir.rglob("*.flac"))[::97]:  # 13 clips across actors and emotions
        y = load_mono(path, audio.sample_rate)
        ours = trim_bounds(y, top_db=audio.trim_top_db, frame_length=cfg.n_fft, hop_length=cfg.hop_length)
        assert ours == _librosa_bounds(y, audio.trim_top_db, cfg.n_fft, cfg.hop_length), path.name


def test_pyin_option_gives_pitch_too():
    features = FeatureConfig(f0_method="pyin")
    extractor = FeatureExtractor(features, AudioConfig(trim_silence=False))
    clip = extractor.frames(voice_like(0.8, SR, f0=200.0))
    f0 = clip.frames[:, extractor.frame_names.index("f0")]
    assert 170 < np.median(f0[f0 > 0]) < 230


@pytest.mark.parametrize("width", [3, 5, 9])
@pytest.mark.parametrize("n_frames", [9, 10, 57])
def test_fast_savgol_equals_scipy(width, n_frames):
    import scipy.signal

    from aurora.features.extract import _savgol

    x = np.random.default_rng(width * n_frames).standard_normal((5, n_frames)).astype(np.float32)
    for order in (1, 2):
        expected = scipy.signal.savgol_filter(x, width, polyorder=order, deriv=order, axis=-1,
                                              mode="interp")
        np.testing.assert_allclose(_savgol(x, width, order), expected, atol=1e-5)
