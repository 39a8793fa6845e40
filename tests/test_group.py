"""Group mode on synthetic speakers: it removes a speaker's offset from balanced and moderately
skewed folders, and falls back to lone-file predictions on small or one-sided ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurora.config import TrainConfig
from aurora.data.decision import Decision
from aurora.evaluation.group_eval import COMPOSITIONS, skewed_folders
from aurora.models.calibration import softmax
from aurora.models.fit import fit_logreg
from aurora.models.forward import predict_logits
from aurora.models.group import GroupModel, class_means, mix_evenness, true_label_offsets

CLASSES = ["neutral", "calm", "happy", "angry"]


def speakers(n_speakers: int, per_class: int, seed: int):
    """Class centres on a small scale, speaker offsets on a large one: lone-file is hard."""
    centres = np.random.default_rng(99).normal(0, 1.0, (len(CLASSES), 6))  # the same for every speaker
    rng = np.random.default_rng(seed)
    x, y, s = [], [], []
    for speaker in range(n_speakers):
        offset = rng.normal(0, 1.5, 6)
        for c in range(len(CLASSES)):
            x.append(centres[c] + offset + rng.normal(0, 0.35, (per_class, 6)))
            y += [c] * per_class
            s += [speaker] * per_class
    return np.vstack(x).astype(np.float32), np.array(y), np.array(s)


@pytest.fixture(scope="module")
def models():
    x, y, s = speakers(12, 10, seed=0)
    xv, yv, sv = speakers(4, 10, seed=1)
    cfg = TrainConfig(model="logreg", logreg_c=1.0)
    lone = fit_logreg(x, y, xv, yv, len(CLASSES), cfg)
    means = class_means(x, y, len(CLASSES))
    corrected = fit_logreg(x - true_label_offsets(x, y, s, means), y,
                           xv - true_label_offsets(xv, yv, sv, means), yv, len(CLASSES), cfg)
    return lone.network, GroupModel(corrected.network, means, 1.0, rounds=5, min_clips=8,
                                    min_entropy=0.5,  # lets the skewed folder below adapt
                                    shift_temperature=False)


def _accuracy(lone_net, group, x, y):
    lone = softmax(predict_logits(lone_net, x, 0))
    probs, mode = group.predict(x, lone)
    return (lone.argmax(1) == y).mean(), (probs.argmax(1) == y).mean(), mode


def test_group_mode_beats_lone_file_on_balanced_and_skewed_folders(models):
    lone_net, group = models
    x, y, _ = speakers(1, 10, seed=7)  # one unseen speaker
    lone_acc, group_acc, mode = _accuracy(lone_net, group, x, y)
    assert mode == "group" and group_acc > lone_acc + 0.1
    skewed = np.concatenate([np.flatnonzero(np.isin(y, [0, 1])), np.flatnonzero(y == 2)[:1],
                             np.flatnonzero(y == 3)[:1]])  # mostly neutral + calm
    lone_acc, group_acc, mode = _accuracy(lone_net, group, x[skewed], y[skewed])
    assert mode == "group" and group_acc >= lone_acc


def test_small_or_one_sided_folders_keep_lone_file_predictions(models):
    lone_net, group = models
    x, y, _ = speakers(1, 10, seed=8)
    lone = softmax(predict_logits(lone_net, x, 0))
    probs, mode = group.predict(x[:5], lone[:5])
    assert mode.startswith("lone-file fallback: folder has 5 clips")
    assert np.array_equal(probs, lone[:5])
    assert group.predict(x[:1], lone[:1])[1] == "lone-file fallback: folder has 1 clip, fewer than 8"
    one_sided = np.eye(len(CLASSES))[np.zeros(10, int)] * 0.9 + 0.025  # lone-file says "neutral" for all
    probs, mode = group.predict(x[y == 0], one_sided)
    assert "one-sided" in mode and np.array_equal(probs, one_sided)


def test_a_folder_of_mostly_two_emotions_is_one_sided_even_when_no_emotion_has_half(models):
    """The default gate judges the whole predicted mix: 9 neutral, 9 calm, 2 angry has no
    majority emotion (45 %) but an evenness of 0.68, below the default 0.70."""
    _, group = models
    cfg = TrainConfig()  # the default thresholds
    group = GroupModel(group.network, group.means, group.temperature, cfg.group_rounds, cfg.group_min_clips,
                       cfg.group_min_entropy, shift_temperature=False)
    predicted = np.repeat([0, 1, 3], [9, 9, 2])
    lone = np.eye(len(CLASSES))[predicted] * 0.9 + 0.025
    x = np.zeros((len(predicted), group.means.shape[1]), np.float32)
    probs, mode = group.predict(x, lone)
    assert mode.startswith("lone-file fallback: folder looks one-sided (predicted emotion mix 0.68")
    assert "45% predicted as one emotion" in mode and np.array_equal(probs, lone)
    balanced = np.eye(len(CLASSES))[np.tile(np.arange(len(CLASSES)), 5)] * 0.9 + 0.025
    assert group.predict(np.zeros((20, group.means.shape[1]), np.float32), balanced)[1] == "group"


def test_mix_evenness_is_one_for_a_balanced_mix_and_zero_for_one_emotion():
    assert mix_evenness(np.array([5, 5, 5, 5])) == pytest.approx(1.0)
    assert mix_evenness(np.array([0, 12, 0, 0])) == pytest.approx(0.0)
    assert 0 < mix_evenness(np.array([9, 9, 1, 1])) < mix_evenness(np.array([6, 6, 4, 4])) < 1


def test_skewed_folders_are_built_per_speaker_with_the_promised_mixes():
    rows = [{"speaker": a, "label": c, "clip_id": f"{a}-{c}-{k}"}
            for a in ("ravdess:01", "crema_d:1001") for c in range(4) for k in range(3)]
    meta = pd.DataFrame(rows).sample(frac=1, random_state=0)  # order must not matter
    folders = skewed_folders(meta, CLASSES)
    assert set(folders) == set(COMPOSITIONS)
    labels = meta.label.to_numpy()
    assert [len(f) for f in folders["balanced"]] == [12, 12]
    for folder in folders["mostly neutral+calm"]:
        assert sorted(np.bincount(labels[folder], minlength=4)) == [1, 1, 3, 3]
    mostly_one = folders["mostly one emotion"]
    assert len(mostly_one) == 8  # every emotion of every speaker in turn
    assert sorted(tuple(np.bincount(labels[f], minlength=4)) for f in mostly_one) == sorted(
        [(3, 1, 1, 1), (1, 3, 1, 1), (1, 1, 3, 1), (1, 1, 1, 3)] * 2)
    assert len(folders["one emotion per folder"]) == 8
    assert all(len(set(labels[f])) == 1 for f in folders["one emotion per folder"])
    for composition in COMPOSITIONS:  # a folder never mixes speakers
        speakers = meta.speaker.to_numpy()
        assert all(len(set(speakers[f])) == 1 for f in folders[composition])


def test_a_folded_class_counts_as_its_twin_in_the_offset_and_in_the_output(models):
    lone_net, group = models
    x, y, _ = speakers(1, 10, seed=7)
    lone = softmax(predict_logits(lone_net, x, 0))
    decision = Decision.parse(CLASSES, ["neutral+calm", "happy", "angry"])
    folded, mode = group.predict(x, lone, decision)
    assert mode == "group" and np.all(folded[:, 1] == 0)
    np.testing.assert_allclose(folded.sum(axis=1), 1.0, rtol=1e-6)
    twin = np.where(y == 1, 0, y)  # calm clips are right as neutral
    lone_right = (decision.apply(lone).argmax(axis=1) == twin).mean()
    assert (folded.argmax(axis=1) == twin).mean() > lone_right  # the offset is removed under the fold too
