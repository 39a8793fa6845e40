"""No leakage: for every fold (and leave-one-corpus-out split), train/validation/test speakers are
disjoint across corpora, no
augmented copy or SMOTE sample derives from a validation or test clip, and
normalisation statistics come from training rows only."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aurora.config import TrainConfig
from aurora.data.examples import Examples, load_examples
from aurora.data.labels import LabelSpace
from aurora.data.splits import leave_one_corpus_out, make_splits
from aurora.errors import DatasetError
from aurora.evaluation.crossval import model_inputs, prepare_fold

N_ACTORS, CLASSES, DIM = 14, 4, 6


def speaker(actor: int) -> str:
    """Two corpora: actors 1-8 of one, the rest of another (namespaced as the manifest does)."""
    return f"ravdess:{actor:02d}" if actor <= 8 else f"crema_d:{1000 + actor}"


@pytest.fixture(scope="module")
def examples():
    """Originals (class 0 under-represented) plus two augmented copies of every clip."""
    rng = np.random.default_rng(0)
    rows, stats = [], []
    for actor in range(1, N_ACTORS + 1):
        for c in range(CLASSES):
            for rep in range(2 if c == 0 else 5):
                clip = f"a{actor}-c{c}-{rep}"
                base = rng.normal(c, 1.0, DIM) + actor * 0.1
                for copy in range(3):
                    rows.append({"clip_id": clip if copy == 0 else f"{clip}+aug{copy}",
                                 "source_clip_id": clip,
                                 "speaker": speaker(actor), "corpus": speaker(actor).split(":")[0],
                                 "gender": "male" if actor % 2 else "female",
                                 "emotion": str(c), "label": c, "augmented": copy > 0})
                    stats.append(base + rng.normal(0, 0.1, DIM))
    return Examples(pd.DataFrame(rows), np.asarray(stats, np.float32), [f"s{i}" for i in range(DIM)],
                    None, [])


@pytest.fixture(scope="module")
def splits(examples):
    genders = dict(zip(examples.meta.speaker, examples.meta.gender, strict=True))
    corpora = dict(zip(examples.meta.speaker, examples.meta.corpus, strict=True))
    test = [speaker(7), speaker(14)]
    folds, final = make_splits(genders, test, n_folds=5, n_val=2, corpora=corpora)
    loco = leave_one_corpus_out(genders, corpora, test, n_val=2)
    assert [f.name for f in loco] == ["without-crema_d", "without-ravdess"]
    return [*folds, final, *loco]


@pytest.mark.parametrize("speaker_norm", [False, True])
def test_every_fold_is_leak_free(examples, splits, speaker_norm):
    cfg = TrainConfig(model="mlp", smote=True, weighting="clips", use_augmented=True,
                      speaker_norm=speaker_norm)
    meta = examples.meta
    inputs = model_inputs(examples, cfg, speaker_norm)
    for fold in splits:
        train, val, test = examples.fold_rows(fold, augmented=True)
        assert not set(fold.train) & (set(fold.val) | set(fold.test))
        assert not set(fold.val) & set(fold.test)
        assert set(meta.speaker.iloc[train]) <= set(fold.train)
        assert set(meta.speaker.iloc[val]) <= set(fold.val)
        assert set(meta.speaker.iloc[test]) <= set(fold.test)
        # Augmented copies: only in training, and only of training actors' clips.
        copies = meta.iloc[train][meta.augmented.iloc[train].to_numpy()]
        assert len(copies) > 0
        sources = meta.set_index("clip_id").loc[copies.source_clip_id]
        assert set(sources.speaker) <= set(fold.train)
        assert not meta.augmented.iloc[np.concatenate([val, test])].any()

        data = prepare_fold(examples, inputs, fold, cfg)
        # Normalisation statistics: exactly the training rows' moments.
        np.testing.assert_allclose(data.moments.mean, inputs[train].mean(axis=0), rtol=1e-4, atol=1e-4)
        # SMOTE: originals first, then synthetic rows that interpolate training rows of one class,
        # so each lies inside the bounding box of that class's training rows.
        assert data.smote_added > 0
        n = len(train)
        np.testing.assert_array_equal(data.x_train[:n], data.moments.apply(inputs[train]))
        for x, y in zip(data.x_train[n:], data.y_train[n:], strict=True):
            own = data.x_train[:n][data.y_train[:n] == y]
            assert (x >= own.min(axis=0) - 1e-5).all() and (x <= own.max(axis=0) + 1e-5).all()


def test_held_out_clips_cannot_move_training_statistics(examples, splits):
    """Changing every validation and test clip's features changes neither the standardisation nor
    the training rows. (Validation rows join the fit only through train.refit_with_val, after C and
    the temperature were chosen; test rows never do.)"""
    cfg = TrainConfig(model="mlp", smote=True, weighting="clips")
    fold = splits[0]
    before = prepare_fold(examples, examples.stats, fold, cfg)
    _, val, test = examples.fold_rows(fold, augmented=False)
    poisoned = examples.stats.copy()
    poisoned[np.concatenate([val, test])] += 1000.0
    after = prepare_fold(replace(examples, stats=poisoned), poisoned, fold, cfg)
    np.testing.assert_array_equal(before.x_train, after.x_train)
    np.testing.assert_array_equal(before.moments.mean, after.moments.mean)
    assert np.abs(after.x_test).min() > 10  # the poisoned rows really were different


@pytest.mark.parametrize("speaker_norm", [False, True])
def test_held_out_clips_are_scored_on_their_inference_inputs_and_train_nothing(examples, splits,
                                                                                speaker_norm):
    """Examples.heldout (the originals as `aurora predict` computes them, e.g. at another encoder
    precision) feeds a fold's test rows only: training rows, validation rows and the
    standardisation are those of the training inputs."""
    cfg = TrainConfig(model="mlp", smote=False, use_augmented=True, speaker_norm=speaker_norm)
    heldout = examples.stats.copy()
    originals = ~examples.meta.augmented.to_numpy()
    heldout[originals] += np.random.default_rng(1).normal(0, 0.05, heldout[originals].shape)
    shifted = replace(examples, heldout=heldout)
    fold = splits[0]
    inputs = model_inputs(shifted, cfg, speaker_norm)
    inference = model_inputs(shifted, cfg, speaker_norm, heldout=True)
    plain = prepare_fold(examples, model_inputs(examples, cfg, speaker_norm), fold, cfg)
    data = prepare_fold(shifted, inputs, fold, cfg, inference)
    np.testing.assert_array_equal(data.x_train, plain.x_train)
    np.testing.assert_array_equal(data.x_val, plain.x_val)
    np.testing.assert_array_equal(data.moments.mean, plain.moments.mean)
    np.testing.assert_array_equal(data.x_test, data.moments.apply(inference[data.test_index]))
    assert not np.allclose(data.x_test, plain.x_test)  # the test rows really came from `heldout`


def test_a_clip_without_its_inference_inputs_stops_loading(tmp_path):
    manifest = pd.DataFrame({"clip_id": ["a", "b"], "status": "ok", "speaker": ["s1", "s2"],
                             "corpus": "ravdess", "gender": ["f", "m"], "emotion": ["happy", "sad"]})
    pd.DataFrame({"clip_id": ["a", "b"], "x": [1.0, 2.0]}).to_parquet(tmp_path / "train.parquet")
    pd.DataFrame({"clip_id": ["a"], "x": [1.5]}).to_parquet(tmp_path / "inference.parquet")
    labels = LabelSpace(("happy", "sad"))
    train, inference = [tmp_path / "train.parquet"], [tmp_path / "inference.parquet"]
    with pytest.raises(DatasetError, match=r"1 clips lack their inference-time features, e\.g\. b"):
        load_examples(manifest, labels, train, heldout=inference)
    pd.DataFrame({"clip_id": ["b", "a"], "x": [2.5, 1.5]}).to_parquet(inference[0])
    loaded = load_examples(manifest, labels, train, heldout=inference)
    np.testing.assert_array_equal(loaded.stats[:, 0], [1.0, 2.0])
    np.testing.assert_array_equal(loaded.heldout[:, 0], [1.5, 2.5])  # matched by clip_id
