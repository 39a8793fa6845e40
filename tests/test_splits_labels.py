import numpy as np
import pytest

from aurora.data.labels import LabelSpace
from aurora.data.splits import make_splits

GENDERS = {a: "male" if a % 2 else "female" for a in range(1, 21)}


def test_folds_partition_the_actors_by_speaker_and_gender():
    folds, final = make_splits(GENDERS, [21, 22, 23, 24], n_folds=5, n_val=2)
    held_out = [a for f in folds for a in f.test]
    assert sorted(held_out) == list(range(1, 21))  # every actor held out exactly once
    for fold in folds:
        train, val, test = set(fold.train), set(fold.val), set(fold.test)
        assert not (train & val or train & test or val & test)
        assert train | val | test == set(GENDERS)
        assert len(test) == 4 and sorted(GENDERS[a] for a in test) == ["female"] * 2 + ["male"] * 2
        assert sorted(GENDERS[a] for a in val) == ["female", "male"]
    assert folds[0].test == (1, 2, 3, 4)  # the usual leave-4-actors-out folds
    assert final.test == ()  # actors 21-24 are absent here
    assert not set(final.train) & set(final.val)


def test_present_test_actors_are_never_in_any_fold():
    genders = {**GENDERS, 21: "male", 22: "female"}
    folds, final = make_splits(genders, [21, 22, 23, 24], n_folds=5, n_val=2)
    assert final.test == (21, 22)
    for fold in [*folds, final]:
        assert not {21, 22} & (set(fold.train) | set(fold.val))


def test_too_few_actors_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot make 5 folds"):
        make_splits({1: "male", 2: "female", 3: "male"}, [], n_folds=5, n_val=2)


def test_label_subset_and_merge():
    space = LabelSpace(["neutral", "happy", "sad"], {"calm": "neutral"})
    np.testing.assert_array_equal(space.encode(["neutral", "calm", "happy", "sad", "angry"]),
                                  [0, 0, 1, 2, -1])
    with pytest.raises(ValueError, match="not RAVDESS emotions"):
        LabelSpace(["neutral", "happy"], {"bored": "neutral"})
    with pytest.raises(ValueError, match="neither an emotion nor a merge target"):
        LabelSpace(["neutral", "joy"])
    with pytest.raises(ValueError, match="at least two distinct"):
        LabelSpace(["sad", "sad"])
