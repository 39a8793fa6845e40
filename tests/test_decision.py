"""The user's label set: kept classes renormalised, dropped ones zero, folded ones added to
their twin; bad names are clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from aurora.config import ConfigError
from aurora.data.decision import Decision, decide, split_names

CLASSES = ["neutral", "calm", "happy", "sad", "angry"]
PROBS = np.array([[0.1, 0.5, 0.1, 0.2, 0.1],
                  [0.05, 0.05, 0.3, 0.5, 0.1]])


def test_a_subset_drops_the_other_classes_and_renormalises():
    decision = Decision.parse(CLASSES, ["neutral", "happy", "sad"])
    out = decision.apply(PROBS)
    np.testing.assert_allclose(out, [[0.25, 0, 0.25, 0.5, 0], [0.05 / 0.85, 0, 0.3 / 0.85, 0.5 / 0.85, 0]])
    assert decision.label == "neutral,happy,sad"
    assert decision.kept.tolist() == decision.allowed.tolist() == [True, False, True, True, False]


def test_a_folded_class_adds_its_probability_to_its_twin():
    decision = Decision.parse(CLASSES, ["sad", "neutral+calm", "happy"])
    out = decision.apply(PROBS)
    np.testing.assert_allclose(out, [[0.6 / 0.9, 0, 0.1 / 0.9, 0.2 / 0.9, 0],
                                     [0.1 / 0.9, 0, 0.3 / 0.9, 0.5 / 0.9, 0]])
    assert out.argmax(axis=1).tolist() == [0, 3]  # calm's 0.5 now counts for neutral
    assert decision.label == "neutral+calm,happy,sad"  # in the model's order, whatever the user's
    assert decision.allowed.tolist() == [True, True, True, True, False]
    assert decision.kept.tolist() == [True, False, True, True, False]


def test_classes_text_splits_on_commas_and_keeps_folds_whole():
    assert split_names(" neutral+calm, happy,,sad ") == ("neutral+calm", "happy", "sad")
    assert split_names(None) == () and split_names("") == ()


def test_no_label_set_leaves_probabilities_alone():
    assert Decision.parse(CLASSES, None) is None and Decision.parse(CLASSES, ()) is None
    assert decide(PROBS, None) is PROBS
    np.testing.assert_allclose(decide(PROBS, Decision.parse(CLASSES, CLASSES)), PROBS)


@pytest.mark.parametrize(("names", "message"), [
    (["neutral", "bored"], "bored is not among this model's classes"),
    (["neutral+relaxed", "sad"], "relaxed is not among"),
    (["neutral+calm", "calm"], "names calm more than once"),
    (["neutral+calm"], "at least two"),
])
def test_bad_label_sets_are_clear_errors(names, message):
    with pytest.raises(ConfigError, match=message):
        Decision.parse(CLASSES, names)
