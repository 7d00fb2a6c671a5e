"""Tests for forecastkit.models.baselines and .naive2 (numpy baselines: naive, seasonal naive, Naive2)."""

import numpy as np
import pytest
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf as sm_acf

from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.models.baselines import naive, seasonal_naive
from forecastkit.models.naive2 import naive2, seasonal_indices, seasonality_test

PATTERN4 = np.array([0.5, 1.5, 1.0, 1.0])  # mean 1


def airline_like(n=144, seed=1):
    """Monthly series: growing trend times a multiplicative season, small multiplicative noise."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    trend = 100.0 * np.exp(0.01 * t)
    season = 1.0 + 0.25 * np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(4 * np.pi * t / 12)
    return trend * season * (1.0 + 0.02 * rng.normal(size=n))


def white_noise(n=120, seed=0):
    return 50.0 + np.random.default_rng(seed).normal(size=n)


def reference_seasonality_test(y, m):
    """Independent M4 test from statsmodels' acf (mean-centred, full sum of squares)."""
    y = np.asarray(y, float)
    if m <= 1 or len(y) < 3 * m:
        return False
    r = sm_acf(y, nlags=m, adjusted=False, fft=False)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[1:m] ** 2)) / len(y))
    return bool(abs(r[m]) > limit)


# ------------------------------------------------------------------------------- naive


def test_naive_repeats_last_value():
    out = naive([4.0, 7.0, 5.5], horizon=3)
    assert out.dtype == np.float64 and out.shape == (3,)
    np.testing.assert_array_equal(out, [5.5, 5.5, 5.5])


def test_naive_accepts_ints_single_point_and_numpy_int_horizon():
    np.testing.assert_array_equal(naive([3], np.int64(2)), [3.0, 3.0])


def test_inputs_are_not_modified():
    y = np.array([1.0, 3.0, 2.0, 4.0] * 4)
    before = y.copy()
    for f in (lambda: naive(y, 2), lambda: seasonal_naive(y, 5, 4), lambda: naive2(y, 5, 4),
              lambda: seasonal_indices(y, 4), lambda: seasonality_test(y, 4)):
        f()
    np.testing.assert_array_equal(y, before)


# ---------------------------------------------------------------------- seasonal naive


def test_seasonal_naive_phase():
    np.testing.assert_array_equal(seasonal_naive(np.arange(10), 6, 4), [6, 7, 8, 9, 6, 7])


def test_seasonal_naive_short_horizon_and_exact_season_length():
    np.testing.assert_array_equal(seasonal_naive(np.arange(10), 2, 4), [6, 7])
    np.testing.assert_array_equal(seasonal_naive([1.0, 2.0, 3.0], 4, 3), [1, 2, 3, 1])


def test_seasonal_naive_season_one_and_too_short_are_naive():
    y = np.arange(10.0)
    np.testing.assert_array_equal(seasonal_naive(y, 3, 1), naive(y, 3))
    np.testing.assert_array_equal(seasonal_naive([1.0, 2.0, 3.0], 3, 4), [3.0, 3.0, 3.0])


# -------------------------------------------------------------------- seasonality test


def test_seasonality_test_hand_computed_three_cycles_is_negative():
    # y = [1,3,2,4] x 3: deviations [-1.5,.5,-.5,1.5], sum of squares 15. By hand:
    # r1 = -9.75/15 = -0.65, r2 = 7.5/15 = 0.5, r3 = -10.25/15, r4 = 10/15 = 2/3.
    # limit = 1.645 * sqrt((1 + 2 (r1^2 + r2^2 + r3^2)) / 12) = 0.8599 > 2/3 -> not seasonal.
    # (The M4 Python variant with r1 unsquared gives limit 0.506 and would say seasonal.)
    y = np.tile([1.0, 3.0, 2.0, 4.0], 3)
    r = sm_acf(y, nlags=4, adjusted=False, fft=False)
    np.testing.assert_allclose(r, [1.0, -0.65, 0.5, -10.25 / 15, 2 / 3])
    limit = 1.645 * np.sqrt((1 + 2 * (0.65**2 + 0.5**2 + (10.25 / 15) ** 2)) / 12)
    assert limit == pytest.approx(0.85988, abs=1e-5)
    assert seasonality_test(y, 4) is False
    # five cycles: r4 = 4*5/25 = 0.8 beats its limit
    assert seasonality_test(np.tile([1.0, 3.0, 2.0, 4.0], 5), 4) is True


def test_seasonality_test_positive_on_airline_like_series():
    assert seasonality_test(airline_like(), 12) is True


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seasonality_test_negative_on_white_noise(seed):
    assert seasonality_test(white_noise(seed=seed), 12) is False


def test_seasonality_test_needs_three_seasons_and_season_above_one():
    pattern = np.random.default_rng(0).uniform(0.5, 1.5, 12)
    y = 100.0 * np.tile(pattern, 4)
    assert seasonality_test(y[:36], 12) is True
    # at 35 points the acf criterion alone would still say seasonal ...
    r = sm_acf(y[:35], nlags=12, adjusted=False, fft=False)
    assert abs(r[12]) > 1.645 * np.sqrt((1 + 2 * np.sum(r[1:12] ** 2)) / 35)
    # ... but 35 < 3 * 12 observations: not seasonal by rule
    assert seasonality_test(y[:35], 12) is False
    assert seasonality_test(y, 1) is False


@pytest.mark.parametrize("value", [5.0, 0.1, -3.0])
def test_seasonality_test_constant_series_is_not_seasonal(value):
    assert seasonality_test(np.full(48, value), 12) is False


@pytest.mark.parametrize(
    "y, m",
    [(airline_like(), 12), (white_noise(seed=3), 12), (airline_like(60)[::3], 4),
     (white_noise(50, seed=5) + np.tile([0.0, 1.0, 0.0, -1.0, 0.5], 10), 5)],
)
def test_seasonality_test_matches_statsmodels_acf_reference(y, m):
    assert seasonality_test(y, m) is reference_seasonality_test(y, m)


# -------------------------------------------------------------------- seasonal indices


def test_seasonal_indices_pure_pattern_exact_and_phase_aligned():
    for offset in range(4):
        y = 20.0 * np.tile(PATTERN4, 5)[offset:]
        expected = np.roll(PATTERN4, -offset)  # index[t % 4] applies to y[t]
        np.testing.assert_allclose(seasonal_indices(y, 4), expected, rtol=1e-12)


def test_seasonal_indices_hand_computed_even_season():
    # m = 2, 2x2 MA weights [1/4, 1/2, 1/4]: trend at t=1..4 = 2.25, 2.75, 3.25, 3.75;
    # ratios 3/2.25, 2/2.75, 4/3.25, 3/3.75; phase 0 <- t=2,4; phase 1 <- t=1,3.
    y = [1.0, 3.0, 2.0, 4.0, 3.0, 5.0]
    raw = np.array([(2 / 2.75 + 3 / 3.75) / 2, (3 / 2.25 + 4 / 3.25) / 2])
    np.testing.assert_allclose(seasonal_indices(y, 2), raw / raw.mean(), rtol=1e-12)


@pytest.mark.parametrize("n, m", [(144, 12), (137, 12), (100, 7), (43, 4), (24, 12)])
def test_seasonal_indices_match_statsmodels_seasonal_decompose(n, m):
    y = airline_like(n, seed=n)
    sm = seasonal_decompose(y, model="multiplicative", period=m).seasonal
    ours = seasonal_indices(y, m)
    np.testing.assert_allclose(ours[np.arange(n) % m], sm, rtol=1e-10)
    assert ours.mean() == pytest.approx(1.0)


def test_seasonal_indices_season_one_and_errors():
    np.testing.assert_array_equal(seasonal_indices([1.0, 2.0], 1), [1.0])
    with pytest.raises(DataError, match=r"strictly positive.*y\[2\]=0\.0"):
        seasonal_indices([1.0, 2.0, 0.0, 3.0, 2.0, 1.0], 2)
    with pytest.raises(DataError, match=r"at least 2 \* season = 24.*len\(y\)=23"):
        seasonal_indices(airline_like(23), 12)


# ------------------------------------------------------------------------------ naive2


@pytest.mark.parametrize("cut", [13, 14, 15, 16, 17])
def test_naive2_reproduces_pure_multiplicative_pattern_in_phase(cut):
    full = 40.0 * np.tile(PATTERN4, 8)
    y, future = full[:cut], full[cut : cut + 9]
    assert seasonality_test(y, 4)
    np.testing.assert_allclose(naive2(y, 9, 4), future, rtol=1e-12)


def test_naive2_equals_naive_when_not_seasonal():
    y = white_noise(seed=1)
    assert not seasonality_test(y, 12)
    np.testing.assert_array_equal(naive2(y, 18, 12), naive(y, 18))


def test_naive2_matches_statsmodels_decomposition_reference():
    y = airline_like(137)
    h, m = 18, 12
    seasonal = seasonal_decompose(y, model="multiplicative", period=m).seasonal
    adjusted = y / seasonal
    si_out = np.resize(seasonal[-m:], h)  # last season of indices, continued (M4 R SIout)
    np.testing.assert_allclose(naive2(y, h, m), adjusted[-1] * si_out, rtol=1e-10)
    assert not np.allclose(naive2(y, h, m), naive(y, h))


def test_naive2_constant_series_is_naive():
    np.testing.assert_array_equal(naive2(np.full(40, 7.0), 5, 12), np.full(5, 7.0))


def test_naive2_non_positive_data_falls_back_to_naive():
    y = 40.0 * np.tile(PATTERN4, 8) - 30.0  # same seasonality, but has negative values
    assert seasonality_test(y, 4)
    np.testing.assert_array_equal(naive2(y, 6, 4), naive(y, 6))
    y0 = y + 10.0  # minimum exactly 0
    np.testing.assert_array_equal(naive2(y0, 6, 4), naive(y0, 6))


def test_naive2_short_series_falls_back_to_naive():
    y = 40.0 * np.tile(PATTERN4, 3)[:-1]  # 11 < 3 * 4
    np.testing.assert_array_equal(naive2(y, 4, 4), naive(y, 4))


def test_naive2_season_one_is_naive():
    y = airline_like()
    np.testing.assert_array_equal(naive2(y, 3, 1), naive(y, 3))


# -------------------------------------------------------------------------- validation


ALL = [
    lambda y, h, m: naive(y, h),
    seasonal_naive,
    naive2,
    lambda y, h, m: seasonality_test(y, m),
    lambda y, h, m: seasonal_indices(y, m),
]


@pytest.mark.parametrize("func", ALL)
@pytest.mark.parametrize(
    "y, match",
    [
        (np.ones((4, 2)), r"`y` must be 1-D .*shape \(4, 2\)"),
        ([], r"at least 1 observation.*len\(y\)=0"),
        ([1.0, np.nan, 2.0, np.nan], r"2 non-finite value\(s\).*y\[1\]=nan.*`fill` when loading"),
        ([1.0, 2.0, np.inf], r"y\[2\]=inf"),
        (["a", "b"], r"`y` must be a 1-D array of numbers"),
    ],
)
def test_bad_y_raises_data_error(func, y, match):
    with pytest.raises(DataError, match=match):
        func(y, 2, 2)


@pytest.mark.parametrize("func", [naive, lambda y, h: seasonal_naive(y, h, 2),
                                  lambda y, h: naive2(y, h, 2)])
def test_bad_horizon(func):
    with pytest.raises(ConfigError) as info:
        func([1.0, 2.0], 0)
    assert str(info.value) == "`horizon` must be >= 1. Received: horizon=0"
    for bad in (1.5, "3", True, None):
        with pytest.raises(ConfigTypeError, match=r"`horizon` must be an integer >= 1\. Received"):
            func([1.0, 2.0], bad)


@pytest.mark.parametrize("func", [lambda s: seasonal_naive([1.0], 1, s), lambda s: naive2([1.0], 1, s),
                                  lambda s: seasonality_test([1.0], s),
                                  lambda s: seasonal_indices([1.0], s)])
def test_bad_season(func):
    with pytest.raises(ConfigError, match=r"^`season` must be >= 1\. Received: season=-2$"):
        func(-2)
    with pytest.raises(ConfigTypeError, match=r"`season` must be an integer"):
        func(12.0)
