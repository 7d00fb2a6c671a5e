"""Tests for forecastkit.synthetic: the long-lag series, its echo score, one-step forecasts and
the hourly panel.

Fast and Keras-free: the only forecaster used is the naive baseline.
"""

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, from_pandas
from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.synthetic import (
    adding_problem,
    adding_scores,
    echo_scores,
    hourly_panel,
    long_lag_series,
    one_step_forecasts,
)


def parts(**kwargs):
    return long_lag_series(components=True, **kwargs)


# ------------------------------------------------------------------- the series --
def test_same_seed_same_series_other_seed_other_series():
    a = long_lag_series(lag=30, length=500, seed=4)
    pd.testing.assert_frame_equal(a, long_lag_series(lag=30, length=500, seed=4))
    assert not a["y"].equals(long_lag_series(lag=30, length=500, seed=5)["y"])
    # components add columns, they do not change y
    pd.testing.assert_frame_equal(parts(lag=30, length=500, seed=4)[["time", "y"]], a)


@pytest.mark.parametrize("lag", [1, 7, 100, 1000])
def test_every_event_echoes_exactly_lag_steps_later(lag):
    frame = parts(lag=lag, length=3 * lag + 500, events=0.05, noise=0.0, echo=0.5, seed=lag)
    y, event, echo = (frame[c].to_numpy() for c in ("y", "event", "echo"))
    np.testing.assert_array_equal(y, event + echo)  # noise 0: y is its two parts
    np.testing.assert_array_equal(echo[lag:], 0.5 * event[:-lag])
    times = np.flatnonzero(event)
    times = times[times + lag < len(y)]
    assert len(times) > 5
    np.testing.assert_array_equal(y[times + lag], 0.5 * y[times])
    # nothing anywhere else: no echo one step early or late, no second echo
    marked = np.zeros(len(y), bool)
    marked[np.flatnonzero(event)] = True
    marked[np.flatnonzero(echo)] = True
    assert (y[~marked] == 0).all()
    assert set(np.unique(np.abs(y))) == {0.0, 0.5, 1.0}  # events and echoes never coincide
    assert (echo[2 * lag:][echo[lag:-lag] != 0] == 0).all()  # an echo does not echo again


def test_values_rates_and_noise():
    lag, length, rate = 50, 200_000, 0.02
    frame = parts(lag=lag, length=length, events=rate, noise=0.1, echo=0.4, seed=1)
    event, echo = frame["event"].to_numpy(), frame["echo"].to_numpy()
    assert set(np.unique(event)) == {-1.0, 0.0, 1.0}
    assert set(np.unique(echo)) == {-0.4, 0.0, 0.4}
    assert (event[echo != 0] == 0).all()
    realised = (event != 0).mean()
    assert realised == pytest.approx(rate / (1 + rate), rel=0.05)  # no event where an echo lands
    assert (event == 1).mean() == pytest.approx((event == -1).mean(), rel=0.1)
    # echoes in the first `lag` rows come from the burn-in: as many as anywhere else
    assert (echo[:lag] != 0).sum() <= 10
    residual = frame["y"].to_numpy() - event - echo
    assert residual.std() == pytest.approx(0.1, rel=0.02) and abs(residual.mean()) < 0.002


@pytest.mark.parametrize("lag, length", [(1, 2), (5, 6), (100, 101), (100, 5_000), (1000, 1001)])
def test_lengths_and_time_column(lag, length):
    frame = long_lag_series(lag=lag, length=length)
    assert list(frame.columns) == ["time", "y"] and len(frame) == length
    np.testing.assert_array_equal(frame["time"].to_numpy(), np.arange(length))
    assert frame["time"].dtype == np.int64 and frame["y"].dtype == np.float64
    assert np.isfinite(frame["y"]).all()


def test_numpy_integers_are_accepted():
    frame = long_lag_series(lag=np.int64(10), length=np.int32(50), seed=np.uint8(2))
    pd.testing.assert_frame_equal(frame, long_lag_series(lag=10, length=50, seed=2))


def test_loads_as_one_series_with_integer_periods():
    frame = long_lag_series(lag=20, length=300)
    panel = from_pandas(frame)
    assert panel.n_series == 1 and panel.freq is None and panel.target == "y"
    np.testing.assert_array_equal(panel.frame["y"].to_numpy(), frame["y"].to_numpy())
    with_parts = parts(lag=20, length=300)
    assert from_pandas(with_parts, target="y").n_series == 1
    forecast = Forecaster("naive", horizon=2).fit(frame).predict()
    assert forecast["time"].tolist() == [300, 301] and forecast["yhat"].tolist() == [frame["y"].iloc[-1]] * 2


BAD_ARGUMENTS = [
    ({"lag": 0}, ConfigError, "`lag` must be >= 1. Received: lag=0"),
    ({"lag": -3}, ConfigError, "Received: lag=-3"),
    ({"lag": 2.5}, ConfigTypeError, "Received: lag=2.5 (float)"),
    ({"lag": 10.0}, ConfigTypeError, "Received: lag=10.0 (float)"),
    ({"lag": True}, ConfigTypeError, "Received: lag=True (bool)"),
    ({"lag": "10"}, ConfigTypeError, "Received: lag='10' (str)"),
    ({"length": 0}, ConfigError, "`length` must be >= 1. Received: length=0"),
    ({"length": 10}, ConfigError, "`length` must be > `lag` (10)"),
    ({"length": 5}, ConfigError, "Received: length=5"),
    ({"length": None}, ConfigTypeError, "Received: length=None (NoneType)"),
    ({"events": 0}, ConfigError, "`events` must be a number in (0, 1). Received: events=0.0"),
    ({"events": 1}, ConfigError, "Received: events=1.0"),
    ({"events": -0.1}, ConfigError, "Received: events=-0.1"),
    ({"events": math.nan}, ConfigError, "Received: events=nan"),
    ({"events": "rare"}, ConfigTypeError, "Received: events='rare' (str)"),
    ({"noise": -0.1}, ConfigError, "`noise` must be a number >= 0. Received: noise=-0.1"),
    ({"noise": math.inf}, ConfigError, "Received: noise=inf"),
    ({"noise": None}, ConfigTypeError, "Received: noise=None"),
    ({"echo": 0}, ConfigError, "`echo` must be a number in (0, 1). Received: echo=0.0"),
    ({"echo": 1}, ConfigError, "Received: echo=1.0"),
    ({"echo": -0.5}, ConfigError, "Received: echo=-0.5"),
    ({"seed": -1}, ConfigError, "`seed` must be >= 0. Received: seed=-1"),
    ({"seed": 1.5}, ConfigTypeError, "Received: seed=1.5 (float)"),
    ({"components": "yes"}, ConfigTypeError, "`components` must be True or False. Received: components='yes'"),
]


@pytest.mark.parametrize("change, error, message", BAD_ARGUMENTS)
def test_argument_errors_name_the_argument_and_the_value(change, error, message):
    arguments = {"lag": 10, "length": 100, **change}
    with pytest.raises(error) as raised:
        long_lag_series(**arguments)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value, ValueError if error is ConfigError else TypeError)


def test_noise_zero_is_allowed():
    assert set(np.unique(np.abs(long_lag_series(lag=3, length=200, noise=0)["y"]))) <= {0.0, 0.5, 1.0}


# -------------------------------------------------------------------- the score --
@pytest.fixture(scope="module")
def series():
    return parts(lag=40, length=4_000, seed=2)


def test_echo_scores_of_the_oracle_zero_and_the_wrong_sign(series):
    at_echo = series["echo"].to_numpy() != 0
    oracle = echo_scores(series, series["echo"])
    assert oracle["n_echo"] == at_echo.sum() > 50 and oracle["n_other"] == len(series) - oracle["n_echo"]
    assert oracle["echo_sign"] == 1.0
    assert oracle["mse_echo"] == pytest.approx(0.01, rel=0.3)  # the noise alone
    assert oracle["echo_skill"] > 0.9
    zero = echo_scores(series, np.zeros(len(series)))
    assert zero["echo_skill"] == 0.0 and zero["echo_sign"] == 0.0  # a forecast of 0 has no sign
    assert zero["mse_echo"] == zero["mse_echo_zero"] == pytest.approx(0.25 + 0.01, rel=0.3)
    assert zero["mse_other"] == oracle["mse_other"]  # the oracle is 0 off the echoes too
    wrong = echo_scores(series, -series["echo"])
    assert wrong["echo_sign"] == 0.0 and wrong["echo_skill"] < -2
    y = series["y"].to_numpy()
    assert zero["mse"] == pytest.approx(np.mean(y ** 2))
    assert zero["mse_other"] == pytest.approx(np.mean(y[~at_echo] ** 2))


def test_echo_scores_of_a_slice_and_a_series_taken_by_position(series):
    part = series.iloc[2_000:]
    forecast = pd.Series(part["echo"].to_numpy(), index=np.arange(len(part)) + 7)  # index ignored
    scores = echo_scores(part, forecast)
    assert scores["n_echo"] == (part["echo"] != 0).sum() and scores["echo_sign"] == 1.0


def test_echo_scores_without_echo_steps_gives_nan():
    quiet = pd.DataFrame({"y": [0.1, -0.2], "echo": [0.0, 0.0]})
    scores = echo_scores(quiet, [0.0, 0.0])
    assert scores["n_echo"] == 0 and math.isnan(scores["mse_echo"]) and math.isnan(scores["echo_skill"])
    assert scores["mse_other"] == pytest.approx(0.025)


@pytest.mark.parametrize("frame, forecast, message", [
    (pd.DataFrame({"y": [1.0]}), [0.0], "columns `y` and `echo`"),
    ([1.0], [0.0], "Received: list"),
    (pd.DataFrame({"y": [1.0, 2.0], "echo": [0.0, 0.5]}), [0.0], "one value per row of `series` (2 rows)"),
    (pd.DataFrame({"y": [1.0, 2.0], "echo": [0.0, 0.5]}), [[0.0, 1.0]], "shape (1, 2)"),
    (pd.DataFrame({"y": [1.0, 2.0], "echo": [0.0, 0.5]}), [0.0, math.nan], "1 NaN or infinite"),
])
def test_echo_scores_errors(frame, forecast, message):
    with pytest.raises(DataError) as raised:
        echo_scores(frame, forecast)
    assert message in str(raised.value)


# ------------------------------------------------------------ one-step forecasts --
def test_one_step_forecasts_see_only_the_rows_before():
    frame = long_lag_series(lag=10, length=300, seed=3)
    naive = Forecaster("naive").fit(frame.iloc[:200])
    y = frame["y"].to_numpy()
    for rows in (None, 1, 50):
        forecasts = one_step_forecasts(naive, frame, start=200, rows=rows, chunk=7)
        np.testing.assert_array_equal(forecasts, y[199:299])
    seasonal = Forecaster("seasonal_naive", season=10).fit(frame.iloc[:200])
    np.testing.assert_array_equal(one_step_forecasts(seasonal, frame, start=250), y[240:290])


@pytest.mark.parametrize("kwargs, error, message", [
    ({"start": 0}, ConfigError, "`start` must be >= 1. Received: start=0"),
    ({"start": 300}, ConfigError, "`start` must be < len(series) (300)"),
    ({"start": 200, "rows": 0}, ConfigError, "`rows` must be >= 1"),
    ({"start": 200, "chunk": 0}, ConfigError, "`chunk` must be >= 1"),
])
def test_one_step_forecasts_errors(kwargs, error, message):
    frame = long_lag_series(lag=10, length=300)
    naive = Forecaster("naive").fit(frame.iloc[:200])
    with pytest.raises(error) as raised:
        one_step_forecasts(naive, frame, **kwargs)
    assert message in str(raised.value)


def test_one_step_forecasts_needs_a_fitted_forecaster_and_time_and_y():
    frame = long_lag_series(lag=10, length=300)
    with pytest.raises(ConfigError, match="must be fitted"):
        one_step_forecasts(Forecaster("naive"), frame, start=200)
    naive = Forecaster("naive").fit(frame.iloc[:200])
    with pytest.raises(DataError, match="columns `time` and `y`"):
        one_step_forecasts(naive, frame.rename(columns={"y": "value"}), start=200)


def test_importing_it_does_not_import_tensorflow():
    code = ("import sys, forecastkit.synthetic as s; s.echo_scores(s.long_lag_series(5, 50, components=True), "
            "[0.0] * 50); print('tensorflow' in sys.modules or 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ the hourly panel --
def _acf(values: np.ndarray, lag: int) -> np.ndarray:
    """Autocorrelation at ``lag`` of each row of ``values``."""
    centred = values - values.mean(axis=1, keepdims=True)
    return (centred[:, :-lag] * centred[:, lag:]).sum(axis=1) / (centred ** 2).sum(axis=1)


@pytest.fixture(scope="module")
def hourly():
    return hourly_panel()


def test_hourly_panel_shape_columns_and_times(hourly):
    assert hourly.shape == (414 * 960, 3) and list(hourly.columns) == ["id", "time", "y"]
    assert hourly["y"].dtype == np.float64 and np.isfinite(hourly["y"]).all() and (hourly["y"] > 0).all()
    ids = hourly["id"].unique()
    assert len(ids) == 414 and ids[0] == "H001" and ids[-1] == "H414" and list(ids) == sorted(ids)
    first = hourly[hourly["id"] == "H001"]["time"]
    assert first.iloc[0] == pd.Timestamp("2016-01-04") and first.iloc[0].day_name() == "Monday"
    assert (first.diff().dropna() == pd.Timedelta(hours=1)).all()
    assert (hourly.groupby("id")["time"].agg(["min", "max", "size"]).nunique() == 1).all()  # one grid


def test_hourly_panel_same_seed_same_frame_other_seed_other_frame(hourly):
    small = hourly_panel(n_series=5, length=300, seed=7)
    pd.testing.assert_frame_equal(small, hourly_panel(n_series=5, length=300, seed=7))
    assert not np.allclose(small["y"], hourly_panel(n_series=5, length=300, seed=8)["y"])
    pd.testing.assert_frame_equal(hourly, hourly_panel(414, 960, 0))


def test_hourly_panel_has_daily_and_weekly_seasonality(hourly):
    y = np.log(hourly["y"].to_numpy().reshape(414, 960))
    daily, weekly, six_days, half_day = (_acf(y, lag) for lag in (24, 168, 144, 12))
    assert np.median(daily) > 0.5 and np.median(weekly) > 0.6
    assert np.median(half_day) < 0.2  # a cycle, not merely persistence
    assert (weekly > six_days).mean() > 0.9  # the weekly cycle: a week back beats six days back
    assert (daily > 0.3).mean() > 0.9


def test_hourly_panel_series_differ_in_level_scale_and_noise(hourly):
    y = hourly["y"].to_numpy().reshape(414, 960)
    means = y.mean(axis=1)
    assert means.max() / means.min() > 100  # orders of magnitude apart, like meters of all sizes
    relative_range = (y.max(axis=1) - y.min(axis=1)) / means
    assert relative_range.std() > 0.2
    steps = np.diff(np.log(y), axis=1).std(axis=1)
    assert steps.max() / steps.min() > 1.5


def test_hourly_panel_loads_as_an_hourly_panel():
    panel = from_pandas(hourly_panel(n_series=4, length=200), id="id")
    assert panel.n_series == 4 and panel.freq == "h" and panel.season_length() == 24
    assert set(panel.lengths.values()) == {200}


@pytest.mark.parametrize("change, error, message", [
    ({"n_series": 0}, ConfigError, "`n_series` must be >= 1. Received: n_series=0"),
    ({"n_series": 2.0}, ConfigTypeError, "Received: n_series=2.0 (float)"),
    ({"length": 0}, ConfigError, "`length` must be >= 1. Received: length=0"),
    ({"length": "960"}, ConfigTypeError, "Received: length='960' (str)"),
    ({"seed": -1}, ConfigError, "`seed` must be >= 0. Received: seed=-1"),
    ({"seed": None}, ConfigTypeError, "Received: seed=None (NoneType)"),
])
def test_hourly_panel_argument_errors(change, error, message):
    with pytest.raises(error) as raised:
        hourly_panel(**{"n_series": 2, "length": 48, **change})
    assert message in str(raised.value)


def test_hourly_panel_tiny_sizes():
    one = hourly_panel(n_series=1, length=1)
    assert one.shape == (1, 3) and one["id"].tolist() == ["H001"] and one["y"].iloc[0] > 0
    assert hourly_panel(n_series=1000, length=2)["id"].iloc[-1] == "H1000"


# ------------------------------------------------------------ the adding problem (issue 19) --
def test_adding_problem_is_hochreiter_and_schmidhubers_experiment_4():
    T = 100
    inputs, targets = adding_problem(500, T, seed=3)
    assert inputs.shape == (500, T + T // 10, 2) and inputs.dtype == np.float32 and targets.shape == (500,)
    values, markers = inputs[..., 0], inputs[..., 1]
    started = (markers != 0) | (values != 0)
    first = started.argmax(axis=1)  # sequences are padded at the front with (0, 0) pairs
    lengths = inputs.shape[1] - first
    assert lengths.min() >= T and lengths.max() <= T + T // 10 and len(set(lengths.tolist())) > 5
    assert (markers[:, -1] == -1).all()
    rows = np.arange(500)
    assert np.isin(markers[rows, first], (-1, 1)).all()  # the first pair: -1, or 1 when it is marked
    marked = markers == 1
    assert (marked.sum(axis=1) == 2).all() and ((markers != 0).sum(axis=1) <= 4).all()
    positions = np.argwhere(marked)[:, 1].reshape(500, 2) - first[:, None]
    assert (positions[:, 0] < 10).all() and (positions[:, 1] < T // 2).all()  # X1 in the first 10, X2 the first T/2
    assert (np.abs(values) <= 1).all() and values[marked].std() > 0.4
    assert (values[rows[positions[:, 0] == 0], first[positions[:, 0] == 0]] == 0).all()  # a marked first pair is 0
    np.testing.assert_allclose(targets, 0.5 + (values * marked).sum(axis=1) / 4, rtol=1e-6)
    again, _ = adding_problem(500, T, seed=3)
    np.testing.assert_array_equal(again, inputs)
    assert not np.array_equal(adding_problem(500, T, seed=4)[0], inputs)


def test_adding_scores_and_errors():
    assert adding_scores([0.5, 0.5, 0.5, 0.5], [0.5, 0.53, 0.55, 0.45]) == {"solved_share": 0.5, "mse": 0.001475}
    with pytest.raises(DataError, match="one value per target"):
        adding_scores([0.5, 0.5], [0.5])
    with pytest.raises(ConfigError, match="`T` must be >= 22. Received: T=10"):
        adding_problem(2, 10)
