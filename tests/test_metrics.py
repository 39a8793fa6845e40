import numpy as np
import pytest

from aurora.evaluation.metrics import classification_metrics, expected_calibration_error, summarize

CLASSES = ["a", "b", "c"]


def test_metrics_from_a_known_confusion():
    # actual a: 3 right; actual b: 1 right, 1 -> a; actual c: 2 -> b, 2 right
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 0, 1, 1, 2, 2])
    m = classification_metrics(y_true, y_pred, CLASSES)
    assert m["confusion"] == [[3, 0, 0], [1, 1, 0], [0, 2, 2]]
    assert m["accuracy"] == pytest.approx(6 / 9)
    recalls = [1.0, 0.5, 0.5]
    precisions = [3 / 4, 1 / 3, 1.0]
    f1 = [2 * p * r / (p + r) for p, r in zip(precisions, recalls, strict=True)]
    assert m["uar"] == pytest.approx(np.mean(recalls))
    assert m["macro_f1"] == pytest.approx(np.mean(f1))
    assert m["weighted_f1"] == pytest.approx(np.average(f1, weights=[3, 2, 4]))
    assert m["min_class_recall"] == 0.5
    assert m["per_class"]["b"]["precision"] == pytest.approx(1 / 3)
    assert m["per_class"]["a"]["one_vs_rest_accuracy"] == pytest.approx(8 / 9)
    assert m["confusion_normalized"][1] == [0.5, 0.5, 0.0]


def test_summary_is_mean_and_std_over_folds():
    folds = [classification_metrics(np.array([0, 1, 2]), np.array(p), CLASSES)
             for p in ([0, 1, 2], [0, 1, 1])]
    s = summarize(folds, CLASSES)
    assert s["accuracy"]["mean"] == pytest.approx((1 + 2 / 3) / 2)
    assert s["accuracy"]["std"] == pytest.approx(np.std([1, 2 / 3]))
    assert s["per_class"]["c"]["recall"]["mean"] == 0.5


def test_ece_is_zero_when_confidence_matches_accuracy():
    probs = np.array([[0.75, 0.25]] * 4)
    assert expected_calibration_error(probs, np.array([0, 0, 0, 1])) == pytest.approx(0.0)
    assert expected_calibration_error(probs, np.array([1, 1, 1, 1])) == pytest.approx(0.75)


def test_temperature_scaling_fixes_overconfidence_without_changing_predictions():
    from aurora.models.calibration import fit_temperature, softmax

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 3000)
    clean = np.eye(3)[y] * 2.0 + rng.normal(0, 1.0, (3000, 3))
    overconfident = clean * 4.0
    t = fit_temperature(overconfident, y)
    assert t == pytest.approx(4.0 * fit_temperature(clean, y), rel=0.02)  # scaling logits scales T
    before = expected_calibration_error(softmax(overconfident), y)
    after = expected_calibration_error(softmax(overconfident / t), y)
    assert after < before / 2
    np.testing.assert_array_equal(softmax(overconfident / t).argmax(1), overconfident.argmax(1))


def test_input_shift_is_one_on_average_over_the_training_clips_and_grows_further_out():
    from aurora.models.calibration import input_shift
    from aurora.models.standardize import moments

    rng = np.random.default_rng(1)
    train = rng.normal(5.0, 2.0, (500, 40)) * rng.uniform(0.5, 3.0, 40)
    m = moments(train, np.arange(len(train)))
    assert input_shift(m.apply(train)).mean() == pytest.approx(1.0, rel=1e-3)
    louder = m.apply(train * 1.5)  # the same clips, every input further from the training mean
    assert np.median(input_shift(louder)) > 2 * np.median(input_shift(m.apply(train)))
    sequences = [m.apply(train[:10]), m.apply(train[10:30])]  # sequence models: frames averaged
    np.testing.assert_allclose(input_shift(sequences),
                               [input_shift(s).mean() for s in sequences], rtol=1e-12)


def test_shift_scaled_temperature_softens_only_outlying_clips_and_is_fitted_with_them():
    from aurora.models.calibration import calibrated, fit_temperature

    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 4000)
    clean = np.eye(3)[y] * 2.0 + rng.normal(0, 1.0, (4000, 3))
    shift = rng.uniform(0.3, 4.0, 4000)
    # Logits that grow with the shift, as a linear model's do on inputs further out.
    grown = clean * np.maximum(1.0, shift)[:, None]
    t = fit_temperature(grown, y, shift)
    assert t == pytest.approx(fit_temperature(clean, y), rel=0.02)
    one_t, scaled = calibrated(grown, fit_temperature(grown, y)), calibrated(grown, t, shift)
    assert expected_calibration_error(scaled, y) < expected_calibration_error(one_t, y) / 2
    np.testing.assert_array_equal(scaled.argmax(1), grown.argmax(1))
    inside = shift <= 1
    np.testing.assert_allclose(calibrated(grown, t, shift)[inside], calibrated(grown, t)[inside])
    assert (calibrated(grown, t, shift).max(1)[~inside] < calibrated(grown, t).max(1)[~inside]).all()
