"""Target transforms: fit on training data only, exact inverses, JSON round trip."""

import json

import numpy as np
import pytest

from forecastkit.errors import ConfigError, DataError
from forecastkit.preprocess.transforms import ColumnScaler, TargetTransform

Y = np.array([3.0, 5.0, 4.0, 8.0, 9.0, 7.0, 12.0])


@pytest.mark.parametrize("scaler", ["standard", "minmax", "none"])
@pytest.mark.parametrize("power", [None, "log", "boxcox"])
@pytest.mark.parametrize("difference", [False, True])
def test_inverse_recovers_the_future(scaler, power, difference):
    train, future = Y[:5], Y[5:]
    t = TargetTransform(scaler, power, difference).fit(train)
    z_future = t.transform(np.concatenate([train, future]))[-len(future):]
    back = t.inverse(z_future, anchor=train[-1])
    np.testing.assert_allclose(back, future, rtol=1e-10)


def test_parameters_come_from_training_data_only():
    t = TargetTransform("standard").fit(Y[:4])
    assert t.params["mean"] == pytest.approx(Y[:4].mean())
    assert t.params["scale"] == pytest.approx(Y[:4].std())
    t2 = TargetTransform("minmax").fit(Y[:4])
    assert t2.transform(np.array([3.0, 8.0])).tolist() == [0.0, 1.0]


def test_constant_series_scales_safely():
    t = TargetTransform("standard").fit(np.full(5, 4.0))
    assert t.transform(np.full(2, 4.0)).tolist() == [0.0, 0.0]
    assert t.inverse(np.zeros(2)).tolist() == [4.0, 4.0]
    assert TargetTransform("none", "boxcox").fit(np.full(5, 4.0)).params["lam"] == 1.0


def test_inverse_of_several_paths_with_differencing():
    t = TargetTransform("none", None, True).fit(Y)
    paths = np.array([[1.0, 1.0], [0.0, -2.0]])
    assert t.inverse(paths, anchor=np.array([10.0, 20.0])).tolist() == [[11, 12], [20, 18]]


def test_json_round_trip_is_exact():
    t = TargetTransform("standard", "boxcox", True).fit(Y)
    again = TargetTransform.from_dict(json.loads(json.dumps(t.to_dict())))
    np.testing.assert_array_equal(again.transform(Y), t.transform(Y))
    s = ColumnScaler().fit(np.array([[1.0, 5.0], [3.0, 5.0]]))
    s2 = ColumnScaler.from_dict(json.loads(json.dumps(s.to_dict())))
    np.testing.assert_array_equal(s2.transform([[2.0, 5.0]]), [[0.0, 0.0]])


def test_positive_only_transforms_reject_non_positive_training_data():
    with pytest.raises(DataError, match=r"strictly positive.*minimum of -1\. Set `transform` to 'none' \(no log\)\.$"):
        TargetTransform("standard", "log").fit(np.array([1.0, -1.0]))
    with pytest.raises(DataError, match=r"`scaler` 'window_last'.*Set `scaler` to 'standard'\.$"):
        TargetTransform("window_last").fit(np.array([0.0, 1.0]))
    with pytest.raises(DataError, match=r"`transform` 'boxcox'.*Set `transform` to 'none' \(no Box-Cox\)\.$"):
        TargetTransform("standard", "boxcox").fit(np.array([0.0, 1.0]))


@pytest.mark.parametrize("kwargs, message", [
    ({"scaler": "robust"}, "`scaler` must be one of"),
    ({"power": "sqrt"}, "`transform` must be one of"),
    ({"difference": "yes"}, "`difference` must be true or false"),
    ({"scaler": "window_mean", "difference": True}, "cannot follow"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TargetTransform(**kwargs)


@pytest.mark.parametrize("y, difference, expected", [
    (np.full(12, 5.0), False, [5.0, 5.0, 5.0]),  # a constant series stays constant
    (np.zeros(12), True, [0.0, 0.0, 0.0]),  # an all-zero one never goes negative
    (np.arange(12.0) * 2 + 1, True, [25.0, 27.0, 29.0]),  # a straight line continues
])
def test_a_flat_training_history_is_continued_whatever_the_model_says(y, difference, expected):
    # the scale of a flat history fell back to 1, so a global network's output for it (noise
    # learned from the other series) came through: 5.008, 4.999, 5.025; -0.0012 for zeros
    t = TargetTransform("standard", difference=difference).fit(y)
    assert t.inverse(np.array([0.3, -0.7, 1.9]), history=y).tolist() == expected
    assert TargetTransform.from_dict(t.to_dict()).inverse(np.array([0.3, -0.7, 1.9]), history=y).tolist() == expected
