"""Window arithmetic: off-by-one cases, covariates, levels."""

import numpy as np
import pytest

from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.windows import WindowSet, make_windows, n_windows, window_levels


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


def block(n, past=0, known=0, static=(), start=0.0, future=0):
    """A series block whose values are start + row number (NaN target in ``future`` rows)."""
    rows = np.arange(n + future, dtype=float) + start
    z = np.where(np.arange(n + future) < n, rows, np.nan)
    past_rows = np.stack([rows * 10 + j for j in range(past)], axis=1) if past else np.zeros((n + future, 0))
    known_rows = np.stack([rows * 100 + j for j in range(known)], axis=1) if known else np.zeros((n + future, 0))
    return z, past_rows, known_rows, np.asarray(static, dtype=float)


def test_forecast_window_ends_at_last_known_row():
    windows = WindowSet([block(5, past=1)], lookback=3, horizon=2, starts="last")
    inputs, _, _ = windows.gather(np.array([0]))
    assert inputs.tolist() == [[[2, 20], [3, 30], [4, 40]]]


def test_windows_of_several_series_never_cross_series():
    windows = WindowSet([block(6), block(4, start=100.0)], lookback=2, horizon=1)
    assert len(windows) == n_windows(6, 2, 1) + n_windows(4, 2, 1) == 6
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    assert inputs[:, :, 0].tolist() == [[0, 1], [1, 2], [2, 3], [3, 4], [100, 101], [101, 102]]
    assert targets[:, 0].tolist() == [2, 3, 4, 5, 102, 103]
    assert windows.series.tolist() == [0, 0, 0, 0, 1, 1]


def test_table_grows_with_rows_not_rows_times_lookback():
    windows = WindowSet([block(1000, past=2)] * 3, lookback=200, horizon=5)
    assert windows.table.shape == (3000, 3)  # one row per observation, not per window step
    assert len(windows) == 3 * n_windows(1000, 200, 5)


def test_future_rows_carry_known_features_only():
    # 4 history rows, horizon 2: the future rows hold the known covariate and the flag, and
    # zeros where the target and past covariate would be
    windows = WindowSet([block(6, past=1, known=1, static=[7.0])], lookback=3, horizon=2, future_rows=True)
    inputs, targets, _ = windows.gather(np.array([1]))
    assert inputs.shape == (1, 5, 5)  # target, past, known, static, flag
    assert inputs[0].tolist() == [[1, 10, 100, 7, 0], [2, 20, 200, 7, 0], [3, 30, 300, 7, 0],
                                  [0, 0, 400, 7, 1], [0, 0, 500, 7, 1]]
    assert targets.tolist() == [[4, 5]]
    forecast = WindowSet([block(4, past=1, known=1, future=2)], 3, 2, future_rows=True, starts="last")
    inputs, _, _ = forecast.gather(np.array([0]))
    assert inputs[0, :, 0].tolist() == [1, 2, 3, 0, 0] and inputs[0, 3:, 2].tolist() == [400, 500]


def test_window_normalisation_levels_come_from_history_rows():
    windows = WindowSet([block(6, start=1.0)], lookback=2, horizon=1, normalise="window_last")
    inputs, targets, levels = windows.gather(np.array([0]))
    assert levels.tolist() == [[2.0, 0.0]] and inputs[0, :, 0].tolist() == [0.5, 1.0] and targets.tolist() == [[1.5]]


def test_window_steps_measure_each_window_from_its_mean_in_its_mean_step():
    z = np.array([10.0, 12.0, 11.0, 15.0, 16.0])
    windows = WindowSet([(z, np.zeros((5, 0)), np.zeros((5, 0)), np.zeros(0))], lookback=3, horizon=1,
                        normalise="window_steps")
    inputs, targets, levels = windows.gather(np.array([0, 1]))
    assert levels[0].tolist() == pytest.approx([1.5, 11.0])  # mean |step| of 10, 12, 11; their mean
    assert inputs[0, :, 0].tolist() == pytest.approx([-2 / 3, 2 / 3, 0.0])
    assert targets[0, 0] == pytest.approx((15.0 - 11.0) / 1.5)
    # the inverse a forecast applies (value * unit + offset) gives back every target exactly
    np.testing.assert_allclose(targets[:, 0] * levels[:, 0] + levels[:, 1], [15.0, 16.0], rtol=1e-6)


def test_window_steps_of_a_flat_stretch_use_the_floor_given():
    z = np.r_[np.zeros(8), 5.0, np.zeros(3)]  # an intermittent series: flat windows, then a spike
    windows = WindowSet([(z, np.zeros((12, 0)), np.zeros((12, 0)), np.zeros(0))], lookback=4, horizon=1,
                        normalise="window_steps", floors=[0.25])
    inputs, targets, levels = windows.gather(np.arange(len(windows)))
    assert levels[0].tolist() == [0.25, 0.0]  # no division by a zero step
    assert np.isfinite(targets).all() and targets.max() == pytest.approx(5.0 / 0.25)


def test_latest_windows_per_series_are_held_out():
    windows = WindowSet([block(12), block(7)], lookback=2, horizon=1)
    earlier, latest = windows.latest(0.25)
    assert latest.tolist() == [8, 9, 14]  # 10 windows -> 2 held out; 5 windows -> 1
    assert sorted(earlier.tolist() + latest.tolist()) == list(range(len(windows)))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_bad_lookback_and_horizon(bad):
    with pytest.raises((ConfigError, ConfigTypeError), match="lookback"):
        make_windows(np.arange(5.0), None, bad, 1)
    with pytest.raises((ConfigError, ConfigTypeError), match="horizon"):
        make_windows(np.arange(5.0), None, 2, bad)


def test_window_levels_use_inputs_only():
    inputs = np.array([[[1.0], [3.0]], [[2.0], [6.0]]])
    assert window_levels(inputs, "window_last").tolist() == [[3.0, 0.0], [6.0, 0.0]]
    assert window_levels(inputs, "window_mean").tolist() == [[2.0, 0.0], [4.0, 0.0]]
    assert window_levels(inputs, "window_steps").tolist() == [[2.0, 2.0], [4.0, 4.0]]
    with pytest.raises(ConfigError):
        window_levels(inputs, "median")
