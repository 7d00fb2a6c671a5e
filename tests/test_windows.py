"""Window arithmetic: off-by-one cases, covariates, levels."""

import numpy as np
import pytest

from forecastkit.errors import ConfigError
from forecastkit.windows import last_window, make_windows, n_windows, window_levels


def test_first_and_last_window_horizon_one():
    y = np.arange(10.0)
    inputs, targets = make_windows(y, None, lookback=3, horizon=1)
    assert inputs.shape == (7, 3, 1) and targets.shape == (7, 1)
    assert inputs[0, :, 0].tolist() == [0, 1, 2] and targets[0].tolist() == [3]
    assert inputs[-1, :, 0].tolist() == [6, 7, 8] and targets[-1].tolist() == [9]


def test_multi_step_horizon_last_target_is_last_value():
    y = np.arange(10.0)
    inputs, targets = make_windows(y, None, lookback=4, horizon=3)
    assert len(inputs) == n_windows(10, 4, 3) == 4
    assert targets[0].tolist() == [4, 5, 6]
    assert inputs[-1, :, 0].tolist() == [3, 4, 5, 6] and targets[-1].tolist() == [7, 8, 9]


def test_window_never_contains_its_targets():
    y = np.arange(30.0)
    inputs, targets = make_windows(y, None, lookback=5, horizon=4)
    assert np.all(inputs[:, -1, 0] + 1 == targets[:, 0])


def test_exactly_one_window_and_too_short():
    inputs, targets = make_windows(np.arange(5.0), None, lookback=3, horizon=2)
    assert len(inputs) == 1 and targets[0].tolist() == [3, 4]
    inputs, targets = make_windows(np.arange(4.0), None, lookback=3, horizon=2)
    assert inputs.shape == (0, 3, 1) and targets.shape == (0, 2)


def test_covariates_are_aligned_features():
    y = np.arange(6.0)
    x = np.stack([100 + y, 200 + y], axis=1)
    inputs, targets = make_windows(y, x, lookback=2, horizon=1)
    assert inputs.shape == (4, 2, 3)
    assert inputs[1].tolist() == [[1, 101, 201], [2, 102, 202]]
    assert targets[1].tolist() == [3]


def test_last_window_ends_at_last_row():
    x = np.arange(5.0)[:, None] * 10
    window = last_window(np.arange(5.0), x, 3)
    assert window.tolist() == [[[2, 20], [3, 30], [4, 40]]]
    with pytest.raises(ConfigError, match="lookback"):
        last_window(np.arange(2.0), None, 3)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_bad_lookback_and_horizon(bad):
    with pytest.raises(ConfigError, match="lookback"):
        make_windows(np.arange(5.0), None, bad, 1)
    with pytest.raises(ConfigError, match="horizon"):
        make_windows(np.arange(5.0), None, 2, bad)


def test_window_levels_use_inputs_only():
    inputs = np.array([[[1.0], [3.0]], [[2.0], [6.0]]])
    assert window_levels(inputs, "window_last").tolist() == [[3.0], [6.0]]
    assert window_levels(inputs, "window_mean").tolist() == [[2.0], [4.0]]
    with pytest.raises(ConfigError):
        window_levels(inputs, "median")
