"""Tests for the native prediction intervals of the six baselines (``<name>_intervals``).

Contract of every ``f(y, horizon, season, levels)``: float64 array of shape
``(len(levels), 2, horizon)``, ``[i, 0]`` lower and ``[i, 1]`` upper bound of ``levels[i]`` %,
finite, centred on (bracketing) the model's own point forecast, nested in the level.
"""

import importlib
import warnings

import numpy as np
import pytest
from scipy.stats import norm
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.forecasting.theta import ThetaModel

from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.models.arima import _arima_sd, arima, arima_intervals
from forecastkit.models.baselines import (
    naive,
    naive_intervals,
    seasonal_naive,
    seasonal_naive_intervals,
)
from forecastkit.models.ets import ets, ets_intervals
from forecastkit.models.naive2 import naive2, naive2_intervals, seasonal_indices
from forecastkit.models.registry import get_spec, model_names
from forecastkit.models.theta import theta, theta_intervals

PAIRS = [
    (naive, naive_intervals), (seasonal_naive, seasonal_naive_intervals), (naive2, naive2_intervals),
    (ets, ets_intervals), (theta, theta_intervals), (arima, arima_intervals),
]
ids = [point.__name__ for point, _ in PAIRS]
Z80, Z95 = norm.ppf(0.9), norm.ppf(0.975)


def airline_like(n=120, seed=1):
    """Monthly series: growing trend times a multiplicative season, multiplicative noise."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    season = 1.0 + 0.25 * np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(4 * np.pi * t / 12)
    return 100.0 * np.exp(0.01 * t) * season * (1.0 + 0.03 * rng.normal(size=n))


@pytest.fixture(scope="module")
def seasonal_bounds():
    y = airline_like()
    return y, {point.__name__: (point(y, 12, 12), f(y, 12, 12, (50, 80, 95))) for point, f in PAIRS}


@pytest.fixture(scope="module")
def airline_series(airline):
    return airline.series(airline.ids[0])["y"].to_numpy(float)


# ----------------------------------------------------------------------- common contract


@pytest.mark.parametrize("name", ids)
def test_shape_finite_bracketing_and_nested(name, seasonal_bounds):
    _, results = seasonal_bounds
    point, out = results[name]
    assert out.shape == (3, 2, 12) and out.dtype == np.float64
    assert np.all(np.isfinite(out))
    assert np.all(out[:, 0] <= point) and np.all(point <= out[:, 1])
    width = out[:, 1] - out[:, 0]
    assert np.all(width > 0)
    assert np.all(np.diff(width, axis=0) > 0)  # wider for higher levels
    assert np.all(out[1:, 0] < out[:-1, 0]) and np.all(out[1:, 1] > out[:-1, 1])  # nested


@pytest.mark.parametrize("point, f", PAIRS, ids=ids)
def test_rows_follow_the_order_of_levels(point, f):
    y = airline_like(60, seed=3)
    both = f(y, 3, 12, (95, 80))
    assert np.array_equal(both[0], f(y, 3, 12, (95,))[0])
    assert np.array_equal(both[1], f(y, 3, 12, (80,))[0])


@pytest.mark.parametrize("name", ["naive", "seasonal_naive", "naive2", "theta", "arima"])
def test_gaussian_intervals_are_centred_on_the_point_forecast(name, seasonal_bounds):
    _, results = seasonal_bounds
    point, out = results[name]
    np.testing.assert_allclose(out.mean(axis=1), np.broadcast_to(point, (3, 12)), rtol=1e-12)


@pytest.mark.parametrize("point, f", PAIRS, ids=ids)
def test_single_observation_and_constant_series_have_zero_width(point, f):
    for y in ([5.0], np.full(30, 7.0)):
        out = f(y, 4, 4, (80, 95))
        assert out.shape == (2, 2, 4) and np.all(np.isfinite(out))
        assert np.all(out == point(y, 4, 4))


@pytest.mark.parametrize(
    "levels, error, shown",
    [
        ((80, 100), ConfigError, "100"),
        ((0, 95), ConfigError, "0"),
        ((-5,), ConfigError, "-5"),
        ((150,), ConfigError, "150"),
        ((float("nan"),), ConfigError, "nan"),
        ((), ConfigError, "()"),
        (("80",), ConfigTypeError, "'80'"),
        ((True,), ConfigTypeError, "True"),
        (None, ConfigTypeError, "None"),
    ],
)
@pytest.mark.parametrize("point, f", PAIRS, ids=ids)
def test_bad_levels_raise_naming_levels_and_the_value(point, f, levels, error, shown):
    with pytest.raises(error, match="`levels`") as info:
        f(np.arange(1.0, 40.0), 3, 12, levels)
    assert f"Received: levels={levels!r}" in str(info.value) and shown in str(info.value)


@pytest.mark.parametrize("point, f", PAIRS, ids=ids)
def test_a_single_number_is_one_level(point, f):
    y = airline_like(48, seed=4)
    assert np.array_equal(f(y, 2, 12, 90), f(y, 2, 12, (90.0,)))


@pytest.mark.parametrize("point, f", PAIRS, ids=ids)
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"horizon": 0}, ConfigError, r"`horizon` must be >= 1. Received: horizon=0"),
        ({"season": 0}, ConfigError, r"`season` must be >= 1. Received: season=0"),
        ({"y": [1.0, np.nan, 2.0]}, DataError, r"y\[1\]=nan"),
    ],
)
def test_bad_y_horizon_season_raise_as_the_point_forecast(point, f, kwargs, error, match):
    args = {"y": np.arange(1.0, 40.0), "horizon": 3, "season": 12, **kwargs}
    with pytest.raises(error, match=match):
        f(**args)


@pytest.mark.parametrize("point, f", PAIRS[3:], ids=ids[3:])
def test_no_warnings_escape_and_filters_restored(point, f):
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f(airline_like(48, seed=5), 12, 12, (80, 95))
        f(100.0 + np.cumsum(np.random.default_rng(2).normal(0.5, 2.0, 40)), 5, 1, (80,))
    assert [str(w.message) for w in caught] == []
    assert warnings.filters == filters


def test_registry_names_the_interval_function_of_every_baseline():
    for name in model_names("baseline"):
        spec = get_spec(name)
        assert spec.intervals == spec.forecast + "_intervals"
        assert spec.load_intervals() is getattr(
            importlib.import_module(spec.forecast.split(":")[0], "forecastkit.models"), f"{name}_intervals")
    with pytest.raises(ConfigError, match="no native prediction intervals"):
        get_spec("linear").load_intervals()


# ---------------------------------------------------------------- closed forms (fpp3 5.5)


def test_naive_closed_form():
    y = [10.0, 12.0, 11.0, 14.0]  # residuals 2, -1, 3: sigma^2 = 14 / 3
    out = naive_intervals(y, horizon=3, levels=(80, 95))
    sd = np.sqrt(14.0 / 3.0) * np.sqrt([1.0, 2.0, 3.0])
    np.testing.assert_allclose(out[0], [14 - Z80 * sd, 14 + Z80 * sd], rtol=1e-14)
    np.testing.assert_allclose(out[1], [14 - Z95 * sd, 14 + Z95 * sd], rtol=1e-14)
    assert np.allclose(out[1, 1, 0], 14 + 1.959964 * 2.160247, atol=1e-5)  # by hand


def test_seasonal_naive_closed_form():
    y = np.array([1.0, 5.0, 3.0, 2.0, 4.0, 6.0, 1.0, 3.0, 6.0])  # m = 3
    # residuals y[t] - y[t-3]: 1, -1, 3, -1, -1, 0 -> sigma^2 = 13 / 6
    out = seasonal_naive_intervals(y, horizon=7, season=3, levels=(80,))
    point = np.array([1.0, 3.0, 6.0, 1.0, 3.0, 6.0, 1.0])  # the last season repeated
    k = np.array([0, 0, 0, 1, 1, 1, 2])  # floor((h - 1) / m)
    sd = np.sqrt(13.0 / 6.0) * np.sqrt(k + 1.0)
    np.testing.assert_allclose(out[0], [point - Z80 * sd, point + Z80 * sd], rtol=1e-14)


def test_width_non_decreasing_in_h_for_naive_and_seasonal_naive():
    y = airline_like(60)
    for out in (naive_intervals(y, 30, 12), seasonal_naive_intervals(y, 30, 12)):
        width = out[:, 1] - out[:, 0]  # (p + a) - (p - a): exact up to rounding of p
        assert np.all(np.diff(width, axis=1) >= -1e-12 * width[:, 1:])
    snaive = seasonal_naive_intervals(y, 30, 12, (80,))[0]
    width = snaive[1] - snaive[0]
    np.testing.assert_allclose(width[:12], width[0], rtol=1e-12)  # constant within a season,
    np.testing.assert_allclose(width[12:24], width[12], rtol=1e-12)  # then one step up
    np.testing.assert_allclose(width[12] / width[0], np.sqrt(2.0), rtol=1e-12)


def test_naive2_closed_form_reseasonalised():
    y = airline_like(48, seed=2)
    indices = seasonal_indices(y, 12)
    adjusted = y / indices[np.arange(48) % 12]
    sigma = np.sqrt(np.mean(np.diff(adjusted) ** 2))
    future = indices[(48 + np.arange(15)) % 12]
    expected_sd = sigma * np.sqrt(np.arange(1, 16)) * future
    out = naive2_intervals(y, 15, 12, (95,))[0]
    point = naive2(y, 15, 12)
    np.testing.assert_allclose(out, [point - Z95 * expected_sd, point + Z95 * expected_sd], rtol=1e-12)
    np.testing.assert_allclose(out / future, [adjusted[-1] - Z95 * expected_sd / future,
                                              adjusted[-1] + Z95 * expected_sd / future], rtol=1e-12)


def test_fallbacks_follow_the_point_forecast():
    short = [3.0, 1.0, 4.0]
    # seasonal naive shorter than a season, naive2 not seasonal / too short: naive intervals
    assert np.array_equal(seasonal_naive_intervals(short, 5, 12), naive_intervals(short, 5))
    assert np.array_equal(naive2_intervals(short, 5, 12), naive_intervals(short, 5))
    noise = 50.0 + np.random.default_rng(0).normal(size=60)
    assert np.array_equal(naive2_intervals(noise, 5, 12), naive_intervals(noise, 5))
    # ets with too few points (no admissible model) and theta with 2 points are naive
    assert np.array_equal(ets_intervals([1.0, 2.0, 4.0], 3, 1), naive_intervals([1.0, 2.0, 4.0], 3))
    assert np.array_equal(theta_intervals([1.0, 3.0], 3, 1), naive_intervals([1.0, 3.0], 3))
    # an exact line: arima extrapolates it deterministically, zero width
    line = np.arange(0.0, 30.0, 2.0)
    assert np.all(arima_intervals(line, 3, 1) == arima(line, 3, 1))
    # a season of exactly m points has no seasonal residual: zero width
    one_season = [1.0, 5.0, 3.0]
    assert np.all(seasonal_naive_intervals(one_season, 4, 3) == seasonal_naive(one_season, 4, 3))


# ------------------------------------------------------------------ statistical models


def test_theta_equals_statsmodels_prediction_intervals_when_not_adjusted():
    y = 100 + np.cumsum(np.random.default_rng(3).normal(0.3, 1.0, 80))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ThetaModel(y, deseasonalize=False, use_test=False).fit().prediction_intervals(
            6, theta=2, alpha=0.05)
    out = theta_intervals(y, 6, 1, (95,))[0]
    np.testing.assert_allclose(out[0], reference["lower"], rtol=1e-10)
    np.testing.assert_allclose(out[1], reference["upper"], rtol=1e-10)


@pytest.mark.parametrize("d, order", [(0, (1, 0, 1)), (1, (1, 0, 0)), (2, (0, 0, 1))])
def test_arima_psi_weights_match_statsmodels_integrated_model(d, order):
    """The undifferenced variance equals statsmodels' state-space ARIMA(p, d, q) forecast variance."""
    z = np.random.default_rng(d).normal(size=200)
    for _ in range(d):
        z = np.cumsum(z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ARIMA(np.diff(z, n=d), order=order, trend="c" if d < 2 else "n",
                    concentrate_scale=True).fit(cov_type="none", low_memory=True)
        params = np.r_[fit.params[1:] if d < 2 else fit.params, fit.scale]
        full = ARIMA(z, order=(order[0], d, order[2]), trend="n").smooth(params)
        reference = np.sqrt(full.get_forecast(8).var_pred_mean)
    np.testing.assert_allclose(_arima_sd(fit, d, z, 8), reference, rtol=1e-8)


@pytest.mark.parametrize("point, f", PAIRS[3:], ids=ids[3:])
def test_ets_theta_arima_sane_on_airline(point, f, airline_series):
    train, test = airline_series[:-12], airline_series[-12:]
    out = f(train, 12, 12, (80, 95))
    forecast = point(train, 12, 12)
    assert np.all(np.isfinite(out))
    assert np.all(out[:, 0] <= forecast) and np.all(forecast <= out[:, 1])
    assert np.all(out[1, 0] < out[0, 0]) and np.all(out[0, 1] < out[1, 1])
    width = out[1, 1] - out[1, 0]
    assert np.all(width > 0.01 * train[-1]) and np.all(width < train[-1])  # plausible scale
    assert width[-1] > width[0]  # uncertainty grows with h
    assert np.all(out[1, 0] > 0)  # passengers: a 95% lower bound stays positive here
    covered = np.mean((test >= out[1, 0]) & (test <= out[1, 1]))
    assert covered >= 0.75, covered


def test_ets_intervals_are_repeatable_and_seasonal_adjustment_is_used(airline_series):
    y = airline_series[:-12]
    first = ets_intervals(y, 6, 12, (80,))
    assert np.array_equal(first, ets_intervals(y, 6, 12, (80,)))  # seeded simulation
    weekly = airline_like(160, seed=5)  # season 52 > ETS_MAX_SEASON: adjusted path
    out = ets_intervals(weekly, 5, 52, (80, 95))
    forecast = ets(weekly, 5, 52)
    assert np.all(np.isfinite(out)) and np.all(out[:, 0] <= forecast) and np.all(forecast <= out[:, 1])


# -------------------------------------------------------------------------------- coverage


def test_naive_coverage_on_simulated_random_walks():
    """2000 Gaussian random walks of 100 points, 6 steps ahead: 80% covers 80 +/- 3 points."""
    rng = np.random.default_rng(2024)
    reps, n, horizon = 2000, 100, 6
    walks = np.cumsum(rng.normal(size=(reps, n + horizon)), axis=1)
    hits = np.array([
        (w[n:] >= b[:, 0]) & (w[n:] <= b[:, 1])
        for w in walks for b in [naive_intervals(w[:n], horizon, 1, (80, 95))]
    ]).reshape(reps, 2, horizon)
    coverage = hits.mean(axis=(0, 2)) * 100
    assert abs(coverage[0] - 80) <= 3, coverage
    assert abs(coverage[1] - 95) <= 3, coverage


def test_arima_coverage_on_simulated_ar1():
    """80 AR(1) series (phi 0.5, mean 20, unit noise) of 120 points, 6 steps ahead: the 80%
    interval covers 80 +/- 5 points.

    Coverage is measured without Monte-Carlo noise from the future draws: given the simulated
    history, y[T+h] ~ N(20 + phi^h (y[T] - 20), (1 - phi^(2h)) / (1 - phi^2)) exactly, so each
    interval's coverage probability is known; their mean estimates the coverage with a
    standard error of about 0.5 points (about 2.4 points from 0/1 hits of one future path).
    The automatic order selection costs a few points (KPSS sometimes differences, p and q are
    estimated): about 77.7% for 80% and 93.5% for 95% here.
    """
    rng = np.random.default_rng(7)
    reps, n, horizon, burn, phi = 80, 120, 6, 50, 0.5
    h = np.arange(1, horizon + 1)
    sd = np.sqrt((1 - phi ** (2 * h)) / (1 - phi**2))
    probabilities = []
    for _ in range(reps):
        e = rng.normal(size=burn + n)
        x = np.zeros_like(e)
        for t in range(1, x.size):
            x[t] = phi * x[t - 1] + e[t]
        x = 20.0 + x[burn:]
        bounds = arima_intervals(x, horizon, 1, (80, 95))
        mean = 20.0 + phi**h * (x[-1] - 20.0)
        probabilities.append(norm.cdf((bounds[:, 1] - mean) / sd) - norm.cdf((bounds[:, 0] - mean) / sd))
    coverage = np.mean(probabilities, axis=(0, 2)) * 100
    assert abs(coverage[0] - 80) <= 5, coverage
    assert abs(coverage[1] - 95) <= 5, coverage
