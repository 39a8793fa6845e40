import json

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from aurora.config import TrainConfig
from aurora.models.bundle import ModelError, upgrade
from aurora.models.calibration import softmax
from aurora.models.fit import FocalLoss, fit_logreg, fit_network
from aurora.models.forward import predict_logits
from aurora.models.group import GroupModel
from aurora.models.nets import build_network
from aurora.models.saving import load_bundle, load_group, save_bundle


def blobs(n_per_class=40, classes=3, dim=10, seed=0, seq=False):
    centres = np.random.default_rng(99).normal(0, 2.0, (classes, dim))  # the same problem every call
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(classes), n_per_class)
    if not seq:
        return (centres[y] + rng.normal(0, 1.0, (len(y), dim))).astype(np.float32), y
    x = [(centres[c] + rng.normal(0, 1.0, (rng.integers(20, 60), dim))).astype(np.float32) for c in y]
    return x, y


@pytest.mark.parametrize("name", ["mlp", "cnn_se", "cnn_bilstm"])
def test_networks_learn_a_separable_problem_and_stop_early(name):
    seq = name != "mlp"
    x, y = blobs(seq=seq)
    xv, yv = blobs(n_per_class=10, seed=1, seq=seq)
    cfg = TrainConfig(model=name, max_epochs=40, patience=4, hidden=64, batch_size=16, workers=1,
                      spec_time_masks=1, spec_freq_masks=1, spec_freq_width=2)
    fitted = fit_network(x, y, xv, yv, 10, 3, cfg)
    assert fitted.history[fitted.best_epoch - 1]["val_uar"] >= 0.9
    assert len(fitted.history) < 40  # early stopping ended it
    xt, yt = blobs(n_per_class=15, seed=2, seq=seq)
    accuracy = (predict_logits(fitted.network, xt, cfg.max_frames).argmax(1) == yt).mean()
    assert accuracy >= 0.85


def test_training_is_deterministic_given_the_seed():
    x, y = blobs()
    xv, yv = blobs(seed=1)
    cfg = TrainConfig(model="mlp", max_epochs=5, workers=1)
    a = fit_network(x, y, xv, yv, 10, 3, cfg).network.state_dict()
    b = fit_network(x, y, xv, yv, 10, 3, cfg).network.state_dict()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_sequence_models_ignore_padding():
    torch.manual_seed(0)
    for name, pool in (("cnn_se", 1), ("cnn_bilstm", 1), ("cnn_se", 2), ("cnn_bilstm", 3)):
        net = build_network(name, 5, 3, hidden=64, dropout=0.0, frame_pool=pool).eval()
        x = torch.randn(1, 41, 5)  # odd length: the last pooling window is partial
        padded = torch.cat([x, torch.randn(1, 24, 5) * 100], dim=1)
        with torch.no_grad():
            alone = net(x, torch.tensor([41]))
            with_padding = net(padded, torch.tensor([41]))
        torch.testing.assert_close(alone, with_padding, rtol=1e-4, atol=1e-4)


def test_logreg_floor_equals_scikit_learn():
    x, y = blobs(classes=4)
    cfg = TrainConfig(model="logreg", logreg_c=0.1)
    fitted = fit_logreg(x, y, x, y, 4, cfg)
    reference = LogisticRegression(C=fitted.chosen["C"], max_iter=3000, class_weight="balanced").fit(x, y)
    ours = softmax(predict_logits(fitted.network, x, cfg.max_frames))
    np.testing.assert_allclose(ours, reference.predict_proba(x), atol=1e-5)


def test_focal_loss_down_weights_easy_examples():
    logits = torch.tensor([[4.0, 0.0], [0.2, 0.0]])
    target = torch.tensor([0, 0])
    ce = torch.nn.functional.cross_entropy(logits, target, reduction="none")
    focal = FocalLoss(2.0, None)
    easy, hard = (focal(logits[i:i + 1], target[i:i + 1]) for i in range(2))
    assert easy / ce[0] < hard / ce[1]
    assert FocalLoss(0.0, None)(logits, target) == pytest.approx(ce.mean().item())


def test_bundle_round_trip_without_pickle(tmp_path):
    x, y = blobs()
    cfg = TrainConfig(model="mlp", max_epochs=3, workers=1, hidden=32)
    fitted = fit_network(x, y, x, y, 10, 3, cfg)
    config = {"model": "mlp", "n_inputs": 10, "classes": ["a", "b", "c"], "hidden": 32,
              "dropout": cfg.dropout}
    save_bundle(tmp_path / "model", fitted.network, config)
    network, loaded = load_bundle(tmp_path / "model")
    assert {k: loaded[k] for k in config} == config and loaded == upgrade(config)
    np.testing.assert_array_equal(predict_logits(network, x, cfg.max_frames),
                                  predict_logits(fitted.network, x, cfg.max_frames))
    state = torch.load(tmp_path / "model" / "weights.pt", weights_only=True)  # tensors only
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    with pytest.raises(ModelError, match="run `dvc repro`"):
        load_bundle(tmp_path / "nothing")


def test_group_companion_round_trips_and_older_bundles_get_the_default_gate(tmp_path):
    x, y = blobs()
    cfg = TrainConfig(model="logreg")
    fitted = fit_logreg(x, y, x, y, 3, cfg)
    config = {"model": "logreg", "n_inputs": 10, "classes": ["a", "b", "c"], "hidden": 0, "dropout": 0.0}
    group = GroupModel(fitted.network, np.ones((3, 10), np.float32), 1.5, rounds=3, min_clips=10,
                       min_entropy=0.6, shift_temperature=False)
    save_bundle(tmp_path / "model", fitted.network, config, group)
    saved = json.loads((tmp_path / "model" / "config.json").read_text())
    loaded = load_group(tmp_path / "model", upgrade(saved))
    assert (loaded.temperature, loaded.rounds, loaded.min_clips, loaded.min_entropy) == (1.5, 3, 10, 0.6)
    np.testing.assert_array_equal(loaded.means, group.means)
    older = {**saved, "group": {k: v for k, v in saved["group"].items() if k != "min_entropy"}
             | {"max_share": 0.5}}  # written before the evenness gate
    assert load_group(tmp_path / "model", upgrade(older)).min_entropy == TrainConfig().group_min_entropy


def test_spec_augment_masks_bounded_spans_inside_each_clip():
    from aurora.models.fit import _spec_augment

    cfg = TrainConfig(model="cnn_se", spec_time_masks=2, spec_time_width=5, spec_freq_masks=1,
                      spec_freq_width=3)
    lengths = torch.tensor([50, 40, 30, 20, 10, 50, 50, 6])
    x = torch.ones(8, 50, 10)
    out, same = _spec_augment((x, lengths), cfg, torch.Generator().manual_seed(0))
    assert same is lengths and out.shape == x.shape
    bands = (out == 0).all(dim=1)  # (clip, feature): a masked band is zero at every step
    steps = (out == 0).all(dim=2)  # (clip, step): a masked step is zero in every band
    assert bands.sum(1).max() <= 3 and steps.sum(1).max() <= 10
    assert bands.any() and steps.any()
    for i, n in enumerate(lengths.tolist()):
        assert not steps[i, n:].any()  # spans stay inside the clip
    assert ((out == 0) == (bands[:, None, :] | steps[:, :, None])).all()  # nothing else is touched


def test_logreg_refit_with_validation_keeps_c_and_the_validation_temperature():
    from aurora.evaluation.crossval import FoldData, _training_hash, train_on

    x, y = blobs(classes=4, seed=3)
    xv, yv = blobs(n_per_class=10, classes=4, seed=4)
    none = np.arange(0)
    data = FoldData(x, y, xv, yv, xv[:0], none, none, None, 0, none)
    plain = train_on(data, 10, 4, TrainConfig(model="logreg", refit_with_val=False))
    refit = train_on(data, 10, 4, TrainConfig(model="logreg", refit_with_val=True))
    # C and the temperature come from the model that never saw the validation rows ...
    assert refit.chosen["C"] == plain.chosen["C"] and refit.temperature == plain.temperature
    assert plain.temperature != 1.0
    # ... and the weights from training + validation rows.
    both_x, both_y = np.concatenate([x, xv]), np.concatenate([y, yv])
    reference = LogisticRegression(C=plain.chosen["C"], max_iter=3000, class_weight="balanced")
    reference.fit(both_x, both_y)
    refit_logits = predict_logits(refit.network, x, 1)
    # to the solver's tolerance: the refit starts from the selected model's solution, the reference cold
    np.testing.assert_allclose(softmax(refit_logits), reference.predict_proba(x), atol=1e-3)
    assert not np.allclose(refit_logits, predict_logits(plain.network, x, 1), atol=1e-3)
    assert refit.refit_rows == len(both_y) and plain.refit_rows == 0
    assert _training_hash(data, True) != _training_hash(data, False)


@pytest.mark.parametrize("refit", [False, True])
def test_model_card_says_whether_the_weights_saw_the_validation_actors(refit):
    from aurora.evaluation.crossval import FoldData, train_on
    from aurora.reporting.model_card import model_card

    x, y = blobs(classes=3, seed=5)
    xv, yv = blobs(n_per_class=10, seed=6)
    none = np.arange(0)
    fitted = train_on(FoldData(x, y, xv, yv, xv[:0], none, none, None, 0, none), 10, 3,
                      TrainConfig(model="logreg", refit_with_val=refit))
    config = {"model": "logreg", "classes": ["a", "b", "c"], "input": "vectors", "feature_fingerprint": "f",
              "split": {"train": [3, 4], "val": [1, 2], "test": []}, "temperature": fitted.temperature,
              "refit_rows": fitted.refit_rows, "augmented_copies": 0, "class_weights": True, "smote": False,
              "speaker_norm": False, "training_hash": "0" * 64,
              "training_data": {"ravdess": {"speakers": 4, "clips": 240, "about": "RAVDESS speech"},
                                "emovo": {"speakers": 6, "clips": 588}}}
    card = model_card(config, {}, None, [{}])
    assert ("refitted on training + validation speakers" in card) == refit
    assert "Trained on 2 corpora" in card and "- **ravdess**: 4 speakers, 240 clips. RAVDESS speech" in card
    assert "- **emovo**: 6 speakers, 588 clips" in card
    assert f"softmax temperature ({fitted.temperature:.2f})" in card


def test_corpus_weighting_makes_each_corpus_and_its_speakers_count_alike():
    from aurora.data.examples import balanced, row_weights
    from aurora.evaluation.metrics import weighted_uar

    speakers = np.array(["a:1"] * 10 + ["a:2"] * 30 + ["b:1"] * 4)
    corpora = np.array([s.split(":")[0] for s in speakers])
    assert row_weights(speakers, corpora, "clips") is None  # every clip once: nothing to weigh
    by_speaker = row_weights(speakers, corpora, "speakers")
    sums = [by_speaker[:10].sum(), by_speaker[10:40].sum(), by_speaker[40:].sum()]
    assert sums == pytest.approx([sums[0]] * 3)
    by_corpus = row_weights(speakers, corpora, "corpora")
    assert by_corpus[:40].sum() == pytest.approx(by_corpus[40:].sum())  # corpus a = corpus b
    assert by_corpus[:10].sum() == pytest.approx(by_corpus[10:40].sum())  # its two speakers alike
    assert by_corpus.mean() == pytest.approx(1.0)
    y = np.array([0] * 35 + [1] * 9)
    weighted = balanced(by_corpus, y)
    assert weighted[y == 0].sum() == pytest.approx(weighted[y == 1].sum())
    # UAR with weights: the heavy rows decide their class's recall.
    truth, guess = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    assert weighted_uar(truth, guess) == pytest.approx(0.75)
    assert weighted_uar(truth, guess, np.array([3.0, 1.0, 1.0, 1.0])) == pytest.approx((0.75 + 1.0) / 2)


def test_weighted_logistic_regression_fits_as_if_the_rows_were_repeated():
    x, y = blobs()
    cfg = TrainConfig(model="logreg", class_weights=False)
    twice = np.r_[np.ones(len(y) // 2), 2 * np.ones(len(y) - len(y) // 2)]
    repeated = np.r_[np.arange(len(y)), np.arange(len(y) // 2, len(y))]
    weighted = fit_logreg(x, y, x, y, 3, cfg, grid=(1.0,), w_train=twice)
    copied = fit_logreg(x[repeated], y[repeated], x, y, 3, cfg, grid=(1.0,))
    np.testing.assert_allclose(predict_logits(weighted.network, x, 1), predict_logits(copied.network, x, 1),
                               atol=2e-3)
    plain = fit_logreg(x, y, x, y, 3, cfg, grid=(1.0,))
    assert not np.allclose(predict_logits(weighted.network, x, 1), predict_logits(plain.network, x, 1),
                           atol=2e-3)
