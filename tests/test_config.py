from pathlib import Path

import pytest

from aurora.config import ConfigError, FeatureConfig, load_params, params_from_dict
from tests.conftest import REPO


def test_repository_params_are_valid():
    params = load_params(REPO / "params.yaml")
    assert params.audio.sample_rate == 16000
    assert params.data.raw_dir == "data/raw/ravdess"


@pytest.mark.parametrize(("mapping", "message"), [
    ({"features": {"n_mfcc": "twenty"}}, "features.n_mfcc: expected an integer"),
    ({"features": {"n_fft": 500}}, "power of two"),
    ({"features": {"f0_method": "crepe"}}, "features.f0_method: 'crepe' is not one of"),
    ({"audio": {"trim_silence": "yes"}}, "audio.trim_silence: expected true or false"),
    ({"features": {"nmfcc": 20}}, r"features: unknown key\(s\) \['nmfcc'\]"),
    ({"stages": {}}, r"unknown key\(s\) \['stages'\]"),
    ({"features": {"percentiles": [10, 150]}}, "percentiles must lie in 0..100"),
    ({"data": []}, "data: expected a mapping"),
    ({"whisper": {"precision": "float16"}}, "whisper.precision: 'float16' is not one of"),
    ({"whisper": {"quantize": True}}, r"whisper: unknown key\(s\) \['quantize'\]"),
    ({"whisper": {"inference_precision": "fp16"}}, "whisper.inference_precision: 'fp16' is not one of"),
    ({"predict": {"precision": "fp16"}}, "predict.precision must be one of float32, bfloat16, int8"),
])
def test_invalid_values_get_clear_errors(mapping, message):
    with pytest.raises(ConfigError, match=message):
        params_from_dict(mapping)


def test_load_params_names_the_file(tmp_path):
    bad = tmp_path / "params.yaml"
    bad.write_text("features: {n_mels: -1, n_mfcc: 4}\n")
    with pytest.raises(ConfigError, match=r"params.yaml: features.n_mfcc must be in 1..n_mels"):
        load_params(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_params(tmp_path / "missing.yaml")
    bad.write_text("features: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_params(bad)


def test_fingerprint_ignores_speed_settings_only():
    base = FeatureConfig()
    same = FeatureConfig(workers=7, cache_dir="elsewhere")
    other = FeatureConfig(n_mfcc=13)
    fp = lambda c: c.fingerprint(16000, True, 40.0, "1")  # noqa: E731
    assert fp(base) == fp(same)
    assert fp(base) != fp(other)
    assert base.fingerprint(16000, True, 40.0, "1") != base.fingerprint(22050, True, 40.0, "1")
    assert base.fingerprint(16000, True, 40.0, "1") != base.fingerprint(16000, True, 40.0, "2")


def test_compare_runs_must_name_a_feature_set_and_a_model():
    from aurora.config import CompareConfig

    assert CompareConfig(runs=("fusion/mlp", "handcrafted/cnn_se")).pairs() == [
        ("fusion", "mlp"), ("handcrafted", "cnn_se")]
    with pytest.raises(ConfigError, match="'whisper/svm' is not FEATURES/MODEL"):
        CompareConfig(runs=("whisper/svm",))
    with pytest.raises(ConfigError, match=r"compare\.runs"):
        params_from_dict({"compare": {"runs": ["whisper"]}})


def test_augmentation_is_described_as_configured():
    from aurora.config import AugmentConfig

    unfixed = {"fixed_noise_snr_db": (), "fixed_speeds": (), "fixed_reverb_rt60_s": (), "fixed_crop_s": ()}
    fixed = AugmentConfig(fixed_noise_snr_db=(15.0,), fixed_speeds=(0.9, 1.1),
                          fixed_reverb_rt60_s=(0.4,), fixed_crop_s=())
    assert fixed.describe() == ("white noise at 15 dB SNR; speed 0.9; speed 1.1; "
                                "reverberation, RT60 0.4 s")
    assert fixed.effective_copies == 4
    assert AugmentConfig(**{**unfixed, "fixed_reverb_rt60_s": (0.6,)}).effective_copies == 1
    with pytest.raises(ConfigError, match="fixed_reverb_rt60_s"):
        AugmentConfig(fixed_reverb_rt60_s=(0.0,))
    random = AugmentConfig(copies=2, gain_db=3.0, **unfixed)
    assert random.describe().startswith("2 random recipes") and "gain ±3 dB" in random.describe()
    assert AugmentConfig(enabled=False, fixed_speeds=(0.9,)).describe() == "none"
    assert AugmentConfig(copies=0, **unfixed).describe() == "none"


@pytest.mark.parametrize("corpus, message", [
    ({"reader": "nope", "labels": {"W": "angry"}}, "crosscorpus.corpora.emodb: reader 'nope' is not one of"),
    ({"reader": "emodb", "labels": {"W": "anger"}}, "labels map to ['anger'], which are not emotions"),
    ({"reader": "emodb", "labels": {"L": ""}}, "must map at least one code"),
    ({"reader": "emodb", "labels": {"W": "angry"}, "dirr": "x"}, "unknown key(s) ['dirr']"),
    ({"reader": "emodb", "labels": {"W": "angry", "N": "neutral"}, "fold": {"calm": "sad"}},
     "fold calm: sad must fold an emotion the corpus lacks into one it has"),
    ({"reader": "emodb", "labels": {"W": "angry", "N": "neutral"}, "fold": {"angry": "neutral"}},
     "fold angry: neutral must fold an emotion the corpus lacks"),
    ({"reader": "emodb", "labels": {"W": "angry"}, "fold": {"relaxed": "angry"}}, "must map an emotion"),
])
def test_crosscorpus_corpora_are_validated_with_the_key_named(corpus, message):
    with pytest.raises(ConfigError) as error:
        params_from_dict({"crosscorpus": {"corpora": {"emodb": corpus}}})
    assert message in str(error.value)


def test_a_corpus_folder_comes_from_its_environment_variable_first():
    from aurora.config import CorpusSource

    source = CorpusSource(reader="emodb", dir_env="EMODB_DIR", dir="/fallback", labels={"W": "angry"})
    assert source.location({"EMODB_DIR": "/data/emodb"})[0] == Path("/data/emodb")
    assert source.location({})[0] == Path("/fallback")
    unset = CorpusSource(reader="emodb", dir_env="EMODB_DIR", labels={"W": "angry"}).location({})
    assert unset == (None, "$EMODB_DIR is not set")


def test_inference_precision_left_empty_listens_as_the_model_trains():
    from aurora.config import WhisperConfig

    assert WhisperConfig(precision="bfloat16").at_inference().precision == "bfloat16"
    told = WhisperConfig(precision="bfloat16", inference_precision="float32")
    assert told.at_inference().precision == "float32"


def test_the_defaults_are_params_yaml_and_it_names_every_setting():
    """One source of truth: a dataclass default is params.yaml's value, and params.yaml spells out
    every setting of every section (so reading it tells the whole configuration)."""
    import dataclasses

    import yaml

    from aurora.config import Params
    from tests.conftest import REPO

    assert Params() == load_params(REPO / "params.yaml")
    written = yaml.safe_load((REPO / "params.yaml").read_text())
    for section in dataclasses.fields(Params):
        names = {f.name for f in dataclasses.fields(section.type if isinstance(section.type, type)
                                                    else type(getattr(Params(), section.name)))}
        assert set(written[section.name]) == names, f"params.yaml's {section.name} section"
