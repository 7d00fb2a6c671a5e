"""Tests for the statistical baselines on statsmodels: forecastkit.models.ets, .theta, .arima and their
shared rules (forecastkit.models.statistical)."""

import time
import warnings

import numpy as np
import pytest

from forecastkit.errors import ConfigError, ConfigTypeError, DataError, TrainingError
from forecastkit.models import arima as arima_module
from forecastkit.models import ets as ets_module
from forecastkit.models import statistical
from forecastkit.models import theta as theta_module
from forecastkit.models.arima import arima
from forecastkit.models.baselines import naive, seasonal_naive
from forecastkit.models.ets import ets
from forecastkit.models.naive2 import seasonal_indices
from forecastkit.models.theta import theta

MODELS = [ets, theta, arima]
ids = [f.__name__ for f in MODELS]


def airline_like(n=144, seed=1):
    """Monthly series: growing trend times a multiplicative season, small multiplicative noise."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    trend = 100.0 * np.exp(0.01 * t)
    season = 1.0 + 0.25 * np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(4 * np.pi * t / 12)
    return trend * season * (1.0 + 0.02 * rng.normal(size=n))


def yearly_walk(n=300, seed=2):
    """Random walk with drift: the 300-point yearly series of the timing checks."""
    return 100.0 + np.cumsum(np.random.default_rng(seed).normal(0.5, 2.0, n))


def mae(a, b):
    return float(np.mean(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.fixture(scope="module")
def seasonal_split():
    y = airline_like()
    return y[:-12], y[-12:]


@pytest.fixture(scope="module")
def seasonal_forecasts(seasonal_split):
    train, _ = seasonal_split
    return {f.__name__: f(train, 12, 12) for f in MODELS}


# ----------------------------------------------------------------------- common contract


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_shape_dtype_finite_on_seasonal_series(model, seasonal_forecasts):
    out = seasonal_forecasts[model.__name__]
    assert out.shape == (12,) and out.dtype == np.float64
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_beats_naive_and_seasonal_naive_on_held_out_year(
    model, seasonal_split, seasonal_forecasts
):
    train, test = seasonal_split
    err = mae(seasonal_forecasts[model.__name__], test)
    assert err < 0.5 * mae(naive(train, 12), test)
    assert err < mae(seasonal_naive(train, 12, 12), test)


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_beats_seasonal_naive_on_real_airline_last_year(model, airline):
    y = airline.arrays()[0][1]
    train, test = y[:-12], y[-12:]
    assert mae(model(train, 12, 12), test) < mae(seasonal_naive(train, 12, 12), test)


@pytest.mark.parametrize("model", MODELS, ids=ids)
@pytest.mark.parametrize("n", [1, 5, 40])
def test_constant_series_returns_the_constant(model, n):
    np.testing.assert_array_equal(model(np.full(n, 3.5), 4, 12), np.full(4, 3.5))


@pytest.mark.parametrize("model", MODELS, ids=ids)
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_short_series_give_finite_forecasts(model, n):
    y = np.array([5.0, 7.0, 6.0, 8.0, 7.5, 9.0, 8.0, 10.0, 9.5, 11.0, 10.0, 12.0, 11.5])[:n]
    out = model(y, 3, 12)  # season longer than the series: no seasonality
    assert out.shape == (3,) and np.all(np.isfinite(out))


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_single_observation_is_naive(model):
    np.testing.assert_array_equal(model([4.0], 2, 1), [4.0, 4.0])


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_deterministic_and_input_untouched(model):
    y = airline_like(60, seed=3)
    before = y.copy()
    first, second = model(y, 6, 12), model(y, 6, 12)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(y, before)


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_accepts_lists_and_integer_arrays(model):
    y = [3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10]
    np.testing.assert_allclose(model(y, 2, 1), model(np.array(y, dtype=float), 2, 1))


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_negative_seasonal_series(model):
    """Values <= 0: no multiplicative seasonality anywhere, still finite and sensible."""
    y = airline_like() - 300.0
    out = model(y[:-12], 12, 12)
    assert np.all(np.isfinite(out))
    assert mae(out, y[-12:]) < mae(naive(y[:-12], 12), y[-12:])


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_long_season_weekly(model):
    """Season 52 (> 24: no seasonal ETS states): seasonal adjustment still beats naive."""
    t = np.arange(300)
    rng = np.random.default_rng(4)
    y = 50 + 0.02 * t + 8 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 1, t.size)
    out = model(y[:-52], 52, 52)
    assert out.shape == (52,)
    assert mae(out, y[-52:]) < 0.5 * mae(naive(y[:-52], 52), y[-52:])


@pytest.mark.parametrize("model", MODELS, ids=ids)
def test_no_warnings_escape_and_filters_restored(model):
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model(airline_like(48, seed=5), 12, 12)
        model(yearly_walk(40), 5, 1)
    assert [str(w.message) for w in caught] == []
    assert warnings.filters == filters


@pytest.mark.parametrize("model", MODELS, ids=ids)
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"horizon": 0}, ConfigError, r"`horizon` must be >= 1. Received: horizon=0"),
        ({"horizon": 2.0}, ConfigTypeError, r"`horizon` must be an integer"),
        ({"season": 0}, ConfigError, r"`season` must be >= 1. Received: season=0"),
        ({"season": "12"}, ConfigTypeError, r"`season` must be an integer"),
        ({"y": [1.0, np.nan, 2.0]}, DataError, r"y\[1\]=nan"),
        ({"y": np.ones((4, 2))}, DataError, r"must be 1-D"),
        ({"y": []}, DataError, r"at least 1 observation"),
    ],
)
def test_validation_errors(model, kwargs, error, match):
    args = {"y": [1.0, 2.0, 3.0], "horizon": 2, "season": 1, **kwargs}
    with pytest.raises(error, match=match):
        model(args["y"], args["horizon"], args["season"])


@pytest.mark.parametrize("model", MODELS, ids=ids)
@pytest.mark.parametrize(("y", "season"), [(airline_like(), 12), (yearly_walk(), 1)],
                         ids=["monthly144", "yearly300"])
def test_speed(model, y, season):
    best = np.inf
    for _ in range(2):
        start = time.perf_counter()
        model(y, 12, season)
        best = min(best, time.perf_counter() - start)
    assert best < 2.0, f"{model.__name__} took {best:.2f} s on {y.size} points"


# -------------------------------------------------------------------------------- ETS


def test_ets_candidate_set():
    def names(y, season):
        candidates = ets_module._ets_candidates(y, season)
        return [ets_module._ets_name(t, d, s) for t, d, s, _ in candidates]

    y = airline_like()
    assert names(y, 12) == [
        "ETS(A,N,N)", "ETS(A,A,N)", "ETS(A,Ad,N)",
        "ETS(A,N,A)", "ETS(A,A,A)", "ETS(A,Ad,A)",
        "ETS(A,N,M)", "ETS(A,A,M)", "ETS(A,Ad,M)",
    ]
    assert "ETS(A,N,M)" not in names(y - 300.0, 12)        # multiplicative needs y > 0
    assert len(names(y, 1)) == len(names(y, 52)) == 3       # no season / season > 24
    assert len(names(y[:23], 12)) == 3                      # fewer than two seasons
    # R's rule n > k + 4: ETS(A,N,N) has k = 2, ETS(A,A,N) 4, ETS(A,Ad,N) 5
    assert names(y[:7], 1) == ["ETS(A,N,N)"]
    assert names(y[:9], 1) == ["ETS(A,N,N)", "ETS(A,A,N)"]
    assert names(y[:6], 1) == []


def test_ets_too_short_is_naive():
    np.testing.assert_array_equal(ets([1.0, 3.0, 2.0, 5.0, 4.0, 6.0], 3, 1), [6.0, 6.0, 6.0])


def test_ets_extrapolates_a_noisy_trend():
    t = np.arange(60.0)
    y = 10 + 2 * t + np.random.default_rng(0).normal(0, 0.3, t.size)
    out = ets(y, 5, 1)
    np.testing.assert_allclose(np.diff(out), 2.0, atol=0.15)
    np.testing.assert_allclose(out[0], 10 + 2 * 60, atol=1.0)


def test_ets_picks_seasonality_on_a_seasonal_series():
    y = airline_like()
    out = ets(y, 12, 12)
    # the forecast keeps the seasonal shape: peak in the same phase as the data
    phase = np.argmax(seasonal_indices(y, 12))
    assert (y.size + np.argmax(out)) % 12 == phase


def test_ets_raises_training_error_when_every_candidate_fails(monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("optimizer exploded")

    monkeypatch.setattr(ets_module.ETSModel, "fit", broken)
    with pytest.raises(TrainingError, match=r"`ets`.*len\(y\)=144.*optimizer exploded"):
        ets(airline_like(), 12, 12)


# ------------------------------------------------------------------------------ Theta


def test_theta_nonseasonal_forecast_is_a_straight_line_with_half_the_slope():
    t = np.arange(80.0)
    y = 5 + 0.5 * t + np.random.default_rng(1).normal(0, 0.2, t.size)
    out = theta(y, 6, 1)
    np.testing.assert_allclose(np.diff(out), 0.25, atol=0.02)  # b0 / 2 with b0 ~ 0.5


def test_theta_deseasonalises_when_the_m4_test_says_so():
    y = airline_like()
    out = theta(y, 24, 12)
    indices = seasonal_indices(y, 12)
    adjusted = out / indices[(y.size + np.arange(24)) % 12]
    # the seasonally adjusted forecast is the theta line: constant steps, upward
    np.testing.assert_allclose(np.diff(adjusted, 2), 0.0, atol=1e-8)
    assert np.all(np.diff(adjusted) > 0)


def test_theta_does_not_deseasonalise_nonpositive_series():
    out = theta(airline_like() - 300.0, 24, 12)
    np.testing.assert_allclose(np.diff(out, 2), 0.0, atol=1e-8)


def test_theta_raises_training_error(monkeypatch):
    def broken(self, *args, **kwargs):
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setattr(theta_module.ThetaModel, "fit", broken)
    with pytest.raises(TrainingError, match=r"`theta`.*LinAlgError: singular"):
        theta(airline_like(), 12, 12)


# ------------------------------------------------------------------------------ ARIMA


def test_ndiffs_follows_kpss():
    rng = np.random.default_rng(7)
    noise = rng.normal(size=200)
    with statistical._fitting():  # as inside arima(): KPSS table warnings silenced
        assert arima_module._ndiffs(noise) == 0
        assert arima_module._ndiffs(np.cumsum(noise)) == 1
        assert arima_module._ndiffs(np.cumsum(np.cumsum(noise))) == 2
        assert arima_module._ndiffs(noise[:9] + np.arange(9.0) * 10) == 0  # too short to test


def test_css_recovers_ar_and_ma_coefficients():
    rng = np.random.default_rng(3)
    e = rng.normal(size=2001)
    ar = np.zeros(2000)
    for t in range(1, 2000):
        ar[t] = 0.7 * ar[t - 1] + e[t]
    ma = 3.0 + e[1:] + 0.5 * e[:-1]
    _, n_used, params = arima_module._css(ar, 1, 0, True, cond=2)
    assert n_used == 1998
    np.testing.assert_allclose(params, [0.0, 0.7], atol=0.1)
    _, _, params = arima_module._css(ma, 0, 1, True, cond=2)
    np.testing.assert_allclose(params, [3.0, 0.5], atol=0.1)


def test_undifference():
    z = np.array([1.0, 4.0, 9.0, 16.0])
    undo = arima_module._undifference
    np.testing.assert_allclose(undo(np.array([2.0, 2.0]), z, 2), [25.0, 36.0])
    np.testing.assert_allclose(undo(np.array([1.0, -1.0]), z, 1), [17.0, 16.0])
    np.testing.assert_allclose(undo(np.array([5.0, 6.0]), z, 0), [5.0, 6.0])


def test_arima_exact_quadratic_is_extrapolated():
    t = np.arange(20.0)
    np.testing.assert_allclose(arima(t**2, 3, 1), [400.0, 441.0, 484.0])


def test_arima_random_walk_with_drift_follows_the_drift():
    y = yearly_walk()
    out = arima(y, 10, 1)
    drift = (y[-1] - y[0]) / (y.size - 1)
    np.testing.assert_allclose(np.diff(out), drift, rtol=0.2)
    assert abs(out[0] - y[-1]) < 5.0


def test_arima_ar1_reverts_to_the_mean():
    rng = np.random.default_rng(11)
    y = np.empty(300)
    y[0] = 0.0
    for t in range(1, 300):
        y[t] = 0.6 * y[t - 1] + rng.normal()
    y += 20.0
    out = arima(y, 30, 1)
    assert abs(out[-1] - y.mean()) < 0.5
    # the first step moves from the last value toward the mean
    assert abs(out[0] - 20.0) < abs(y[-1] - 20.0) + 0.5


def test_arima_raises_training_error_when_every_order_fails(monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("no luck")

    monkeypatch.setattr(arima_module.ARIMA, "fit", broken)
    with pytest.raises(TrainingError, match=r"`arima`.*ARIMA\(0,1,0\): ValueError: no luck"):
        arima(yearly_walk(100), 5, 1)
