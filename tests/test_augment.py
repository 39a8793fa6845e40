import numpy as np
import pytest

from aurora.data.augment import Recipe, apply_recipe, copy_key, draw_recipe
from aurora.features.pitch import yin
from tests.conftest import voice_like

SR = 16000
DRAW = dict(seed=1, probability=0.5, gain_db=6, shift_s=0.25, pitch_semitones=2, stretch=0.1,
            noise_snr_db=(10, 30))


def median_f0(y):
    f0, aperiodicity = yin(y, sr=SR, fmin=65, fmax=600, frame_length=512, hop_length=256)
    return np.median(f0[aperiodicity < 0.2])


def test_recipes_are_reproducible_varied_and_within_bounds():
    recipes = [draw_recipe(f"{i:064x}", k, **DRAW) for i in range(50) for k in range(2)]
    assert recipes[0] == draw_recipe(f"{0:064x}", 0, **DRAW)
    assert len({r.to_json() for r in recipes}) == len(recipes)
    for r in recipes:
        assert any(v is not None for v in (r.gain_db, r.shift_s, r.pitch_semitones, r.stretch_rate,
                                           r.noise_snr_db))
        assert r.pitch_semitones is None or abs(r.pitch_semitones) <= 2
        assert r.stretch_rate is None or 0.9 <= r.stretch_rate <= 1.1
        assert r.noise_snr_db is None or 10 <= r.noise_snr_db <= 30
    assert Recipe.from_json(recipes[3].to_json()) == Recipe.from_json(recipes[3].to_json())
    assert copy_key("a" * 64, recipes[0]) != copy_key("a" * 64, recipes[1])
    assert copy_key("a" * 64, recipes[0]) != copy_key("b" * 64, recipes[0])


def test_pitch_shift_moves_f0_by_the_requested_semitones():
    y = voice_like(1.5, SR, f0=150.0)
    shifted = apply_recipe(y, SR, Recipe(pitch_semitones=2.0))
    assert len(shifted) == len(y)
    assert median_f0(shifted) / median_f0(y) == pytest.approx(2 ** (2 / 12), rel=0.03)


def test_stretch_changes_duration_not_pitch():
    y = voice_like(1.5, SR, f0=150.0)
    slower = apply_recipe(y, SR, Recipe(stretch_rate=0.9))
    assert len(slower) == pytest.approx(len(y) / 0.9, rel=0.01)
    assert median_f0(slower) == pytest.approx(median_f0(y), rel=0.03)


def test_noise_hits_the_requested_snr_and_gain_and_shift_behave():
    y = voice_like(1.0, SR)
    noisy = apply_recipe(y, SR, Recipe(noise_snr_db=15.0, noise_seed=3))
    noise = noisy - y
    snr = 10 * np.log10(np.mean(y**2) / np.mean(noise**2))
    assert snr == pytest.approx(15.0, abs=0.3)
    louder = apply_recipe(y, SR, Recipe(gain_db=6.0))
    np.testing.assert_allclose(louder, y * 10 ** (6 / 20), rtol=1e-5)
    later = apply_recipe(y, SR, Recipe(shift_s=0.1))
    np.testing.assert_array_equal(later[1600:], y[:-1600])
    assert not later[:1600].any()


def test_fixed_copies_noise_at_the_snr_and_speed_changes_tempo_and_pitch_together():
    import pandas as pd

    from aurora.config import AugmentConfig
    from aurora.data.augment import augmentation_requests

    config = AugmentConfig(fixed_noise_snr_db=(15.0,), fixed_speeds=(0.9, 1.1), fixed_reverb_rt60_s=(),
                           fixed_crop_s=())
    clips = pd.DataFrame({"clip_id": ["a", "b"], "path": ["a.wav", "b.wav"],
                          "content_hash": ["1" * 64, "2" * 64]})
    requests = augmentation_requests(clips, config)
    assert config.effective_copies == 3 and len(requests) == 6
    recipes = [Recipe.from_json(r) for r in requests.recipe]
    assert [r.speed for r in recipes[:3]] == [None, 0.9, 1.1] and recipes[0].noise_snr_db == 15.0
    assert recipes[0].noise_seed != recipes[3].noise_seed  # each clip its own noise
    y = voice_like(1.5, SR, f0=150.0)
    noisy = apply_recipe(y, SR, recipes[0])
    snr = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert snr == pytest.approx(15.0, abs=0.3)
    for recipe in recipes[1:3]:
        fast = apply_recipe(y, SR, recipe)
        assert len(fast) == pytest.approx(len(y) / recipe.speed, abs=2)
        assert median_f0(fast) / median_f0(y) == pytest.approx(recipe.speed, rel=0.03)


def test_reverb_copy_spreads_an_impulse_over_the_rt60_and_keeps_length_and_level():
    import pandas as pd

    from aurora.config import AugmentConfig
    from aurora.data.augment import augmentation_requests

    config = AugmentConfig(fixed_noise_snr_db=(15.0,), fixed_speeds=(), fixed_reverb_rt60_s=(0.4,),
                           fixed_crop_s=())
    clips = pd.DataFrame({"clip_id": ["a", "b"], "path": ["a.wav", "b.wav"],
                          "content_hash": ["1" * 64, "2" * 64]})
    recipes = [Recipe.from_json(r) for r in augmentation_requests(clips, config).recipe]
    assert [r.reverb_rt60_s for r in recipes] == [None, 0.4, None, 0.4]
    assert recipes[1].reverb_seed != recipes[3].reverb_seed  # each clip its own room
    impulse = np.zeros(SR, np.float32)
    impulse[100] = 1.0
    response = apply_recipe(impulse, SR, recipes[1])
    assert len(response) == SR and np.sum(response**2) == pytest.approx(1.0, rel=1e-3)
    energy_db = 10 * np.log10(np.maximum(response**2, 1e-30))
    tail = [energy_db[100 + round(t * SR) - 400: 100 + round(t * SR) + 400].mean() for t in (0.1, 0.3)]
    assert tail[0] - tail[1] == pytest.approx(60 * 0.2 / 0.4, abs=5)  # 60 dB per RT60
    assert np.abs(response[:100]).max() < 1e-6  # nothing before the direct sound (FFT round-off)
    y = voice_like(1.5, SR, f0=150.0)
    wet = apply_recipe(y, SR, recipes[1])
    assert len(wet) == len(y)
    assert 10 * np.log10(np.mean(wet**2) / np.mean(y**2)) == pytest.approx(0.0, abs=2.0)
    np.testing.assert_array_equal(wet, apply_recipe(y, SR, recipes[1]))  # reproducible


def test_crop_copies_keep_a_window_of_60_to_100_percent_of_the_length_anywhere_in_the_clip():
    from aurora.config import AugmentConfig
    from aurora.data.augment import fixed_recipe

    config = AugmentConfig(fixed_noise_snr_db=(), fixed_speeds=(), fixed_reverb_rt60_s=(),
                           fixed_crop_s=(2.0,))
    y = voice_like(3.5, SR)
    recipes = [fixed_recipe(f"{i:064x}", 0, config) for i in range(40)]
    assert recipes[0] == fixed_recipe(f"{0:064x}", 0, config)
    assert all(1.2 <= r.crop_s <= 2.0 for r in recipes) and np.ptp([r.crop_start for r in recipes]) > 0.5
    for r in recipes[:5]:
        out = apply_recipe(y, SR, r)
        start = int(r.crop_start * (len(y) - len(out)))
        assert len(out) == round(r.crop_s * SR)
        np.testing.assert_array_equal(out, y[start:start + len(out)])
    short = voice_like(0.5, SR)
    np.testing.assert_array_equal(apply_recipe(short, SR, recipes[0]), short)  # shorter clips stay whole
    assert config.effective_copies == 1 and config.describe() == "a random 1.2-2 s crop"


def test_bandwidth_copy_keeps_what_a_phone_line_passes_and_drops_the_rest():
    import pandas as pd

    from aurora.config import AugmentConfig
    from aurora.data.augment import augmentation_requests

    config = AugmentConfig(fixed_noise_snr_db=(), fixed_speeds=(), fixed_reverb_rt60_s=(), fixed_crop_s=(),
                           fixed_bandwidth_hz=(4000.0,))
    clips = pd.DataFrame({"clip_id": ["a"], "path": ["a.wav"], "content_hash": ["1" * 64]})
    (recipe,) = [Recipe.from_json(r) for r in augmentation_requests(clips, config).recipe]
    assert recipe.bandwidth_hz == 4000.0 and config.describe() == "band-limited to 4000 Hz"
    t = np.arange(SR) / SR
    low, high = np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 6000 * t)
    out = apply_recipe((low + high).astype(np.float32), SR, recipe)
    assert len(out) == SR
    spectrum = np.abs(np.fft.rfft(out[SR // 4: 3 * SR // 4]))
    freqs = np.fft.rfftfreq(SR // 2, 1 / SR)
    at = {f: spectrum[np.argmin(np.abs(freqs - f))] for f in (1000, 6000)}
    assert at[6000] < 1e-3 * at[1000]  # 6 kHz gone, 1 kHz kept
    np.testing.assert_allclose(out[SR // 4: 3 * SR // 4], low[SR // 4: 3 * SR // 4], atol=0.02)
