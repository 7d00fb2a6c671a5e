r"""The M4 benchmark "Naive2": naive on the seasonally adjusted series, with its intervals.

Naive2 follows the M4 competition benchmark code of the organisers (R ``Benchmarks and
Evaluation.R`` and Python ``ML_benchmarks.py``): a 90 % autocorrelation test at lag ``m``
(:func:`seasonality_test`), classical multiplicative decomposition
(:func:`seasonal_indices`), naive forecast of the seasonally adjusted series, reseasonalised
with the indices continuing the phase. The test and the indices also serve ETS, Theta and
ARIMA (:mod:`forecastkit.models.statistical`) and :mod:`forecastkit.preprocess.seasonality`.
:func:`naive2_intervals` are the Gaussian intervals of :mod:`forecastkit.models.baselines`
(fpp3 section 5.5) on the adjusted series, reseasonalised.

Conventions
-----------
* Time is counted from the first observation: ``y[0]`` is at ``t = 0``. Seasonal
  indices are returned as ``m = season`` numbers aligned so that ``index[t % m]``
  applies to ``y[t]``; the forecast for step ``h`` (``h = 1..H``) is at ``t = T + h - 1``
  and uses ``index[(T + h - 1) % m]`` (the phase simply continues).
* ``season`` is the number of observations per seasonal cycle (12 for monthly data,
  4 quarterly, 7 daily, 24 hourly, ...); ``season=1`` means "no seasonality".

Examples
--------
>>> import numpy as np
>>> naive2(np.tile([2.0, 6.0, 4.0, 4.0], 4), horizon=4, season=4)
array([2., 6., 4., 4.])
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int
from ..errors import DataError
from .baselines import _check_interval_args, _check_y, _gaussian_bounds, _naive_sd

__all__ = ["seasonality_test", "seasonal_indices", "naive2", "naive2_intervals"]

#: One-sided 90 % critical value of the standard normal used by the M4 seasonality test.
M4_CRITICAL_VALUE = 1.645


def _acf(arr: np.ndarray, nlags: int) -> np.ndarray:
    """Sample autocorrelations r_0..r_nlags, mean-centred, divided by the full sum of squares."""
    dev = arr - arr.mean()
    denom = float(dev @ dev)
    out = np.empty(nlags + 1, dtype=np.float64)
    out[0] = 1.0
    for k in range(1, nlags + 1):
        out[k] = float(dev[k:] @ dev[:-k]) / denom
    return out


def seasonality_test(y, season: int) -> bool:
    r"""90 % autocorrelation test for seasonality used by the M4 benchmarks.

    With ``n = len(y)``, ``m = season`` and the sample autocorrelations

    .. math::

        r_k = \frac{\sum_{t=k+1}^{n} (y_t - \bar y)(y_{t-k} - \bar y)}
                   {\sum_{t=1}^{n} (y_t - \bar y)^2}

    (mean-centred, normalised by the *full* sum of squares, as in R's ``acf`` and the
    organisers' Python ``acf``), the series is seasonal iff ``m > 1``, ``n >= 3 m`` and

    .. math::

        |r_m| > 1.645 \sqrt{\frac{1 + 2 \sum_{k=1}^{m-1} r_k^2}{n}}

    i.e. the lag-``m`` autocorrelation exceeds the one-sided 90 % limit of its
    Bartlett standard error under an MA(``m - 1``) null.

    Notes
    -----
    This is the test of the M4 statistical benchmarks (R ``SeasonalityTest``), which
    squares every ``r_k`` including ``r_1``. The organisers' Python ``seasonality_test``
    in ``ML_benchmarks.py`` adds ``r_1`` unsquared (a slip they documented but kept for
    reproducibility) and omits the ``n >= 3 m`` rule; we follow the R benchmark that
    produced the published Naive2 results. R's ``acf`` also stops at its default
    ``lag.max = 10 log10(n)``, which silently makes long seasons (e.g. 52) "not seasonal"
    for short series; we always compute the autocorrelations up to lag ``m``.
    A constant series (all values equal, ``r_k`` undefined) is not seasonal.

    Parameters
    ----------
    y : array_like of float, shape (n,)
        The observed series. 1-D, finite, ``n >= 1``.
    season : int
        Season length ``m >= 1``.

    Returns
    -------
    bool
        True when the series is judged seasonal.

    Raises
    ------
    DataError
        If ``y`` is not 1-D, empty or has non-finite values.
    ConfigError, ConfigTypeError
        If ``season`` is not an integer ``>= 1``.

    Examples
    --------
    >>> import numpy as np
    >>> seasonality_test(np.tile([1.0, 3.0, 2.0, 4.0], 5), season=4)
    True
    >>> seasonality_test(np.tile([1.0, 3.0, 2.0, 4.0], 2), season=4)   # < 3 seasons
    False
    >>> seasonality_test(np.random.default_rng(0).normal(size=48), season=12)
    False
    """
    arr = _check_y(y)
    season = check_int(season, "season")
    n = arr.size
    if season <= 1 or n < 3 * season or np.ptp(arr) == 0.0:
        return False
    r = _acf(arr, season)
    limit = M4_CRITICAL_VALUE * np.sqrt((1.0 + 2.0 * np.sum(r[1:season] ** 2)) / n)
    return bool(abs(r[season]) > limit)


def _centred_moving_average(arr: np.ndarray, season: int) -> np.ndarray:
    """Centred m-MA (odd m) or 2xm-MA (even m); NaN where the window does not fit."""
    if season % 2:
        weights = np.full(season, 1.0 / season)
    else:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    half = weights.size // 2
    trend = np.full(arr.size, np.nan)
    if arr.size >= weights.size:
        trend[half : arr.size - half] = np.convolve(arr, weights, mode="valid")
    return trend


def seasonal_indices(y, season: int) -> np.ndarray:
    r"""Multiplicative seasonal indices by classical decomposition (normalised to mean 1).

    1. Trend: centred moving average of order ``m`` (odd ``m``) or ``2 x m``
       (even ``m``, weights ``[1/2, 1, ..., 1, 1/2] / m``), defined where the window fits:

       .. math:: \hat T_t = \frac{1}{m}\Big(\tfrac12 y_{t-m/2} + \sum_{j=-m/2+1}^{m/2-1} y_{t+j}
                 + \tfrac12 y_{t+m/2}\Big) \quad (m \text{ even})

    2. Ratios to trend ``y_t / T_t``; raw index of phase ``j`` is the mean of the
       available ratios at ``t = j, j + m, j + 2m, ...``.
    3. Normalisation: ``S_j = raw_j / mean(raw)`` so the indices average to 1.

    This is R's ``decompose(type="multiplicative")`` and statsmodels'
    ``seasonal_decompose(model="multiplicative")``; the M4 Python benchmark code does the
    same with indices scaled to mean 100 (it picks the 2 x m average by the parity of the
    series length instead of ``m``, a slip noted by its authors; we use the parity of ``m``).

    Alignment: the result has length ``m`` and ``S[t % m]`` applies to ``y[t]``, with
    ``t = 0`` the first observation; the seasonal component of the whole series is
    ``S[np.arange(len(y)) % m]`` and forecasts continue with ``S[(len(y) + h - 1) % m]``.

    The indices are computed whether or not :func:`seasonality_test` finds seasonality.

    Parameters
    ----------
    y : array_like of float, shape (n,)
        The observed series, strictly positive, with ``n >= 2 m`` (two full seasons,
        so every phase has at least one ratio to trend).
    season : int
        Season length ``m >= 1``; ``m = 1`` returns ``array([1.0])``.

    Returns
    -------
    numpy.ndarray of float64, shape (season,)

    Raises
    ------
    DataError
        If ``y`` is not 1-D, finite and non-empty, has a value ``<= 0`` (the
        multiplicative decomposition is undefined), or is shorter than two seasons.
    ConfigError, ConfigTypeError
        If ``season`` is not an integer ``>= 1``.

    Examples
    --------
    A level of 10 times a fixed pattern ``[0.5, 1.5, 1, 1]``, starting at its 2nd phase:

    >>> import numpy as np
    >>> y = 10 * np.tile([0.5, 1.5, 1.0, 1.0], 4)[1:]
    >>> seasonal_indices(y, season=4)        # index[t % 4] applies to y[t]
    array([1.5, 1. , 1. , 0.5])
    """
    arr = _check_y(y)
    season = check_int(season, "season")
    if season == 1:
        return np.ones(1)
    if np.any(arr <= 0):
        first = int(np.flatnonzero(arr <= 0)[0])
        raise DataError(
            "`y` must be strictly positive for a multiplicative seasonal decomposition. "
            f"Received: y[{first}]={float(arr[first])!r}. Shift or rescale the series, or use "
            "naive2 (which falls back to the naive forecast for such series)."
        )
    if arr.size < 2 * season:
        raise DataError(
            f"`y` must have at least 2 * season = {2 * season} observations for a seasonal "
            f"decomposition with season={season}. Received: len(y)={arr.size}. "
            "Use a longer series or a shorter season."
        )
    ratios = arr / _centred_moving_average(arr, season)
    n_cycles = -(-arr.size // season)
    padded = np.full(n_cycles * season, np.nan)
    padded[: arr.size] = ratios
    raw = np.nanmean(padded.reshape(n_cycles, season), axis=0)
    return raw / raw.mean()


def naive2(y, horizon: int, season: int) -> np.ndarray:
    r"""Naive2, the M4 competition benchmark: naive on the seasonally adjusted series.

    If ``season > 1``, all values are positive and :func:`seasonality_test` finds the
    series seasonal, with ``S = seasonal_indices(y, season)``, ``m = season`` and
    ``T = len(y)``:

    .. math::

        \tilde y_t = y_t / S_{t \bmod m}, \qquad
        \hat y_{T+h} = \tilde y_{T-1} \, S_{(T + h - 1) \bmod m}, \quad h = 1, \dots, H

    (0-based ``t``): the last seasonally adjusted value, reseasonalised with the indices
    continuing the phase of the series. Otherwise the forecast is :func:`naive`.

    Fallbacks to :func:`naive` (documented behaviour, never an error):

    * ``season == 1``;
    * fewer than ``3 * season`` observations (the seasonality test needs three seasons);
    * no significant lag-``m`` autocorrelation (including white noise and constant series);
    * any value ``<= 0``: the multiplicative decomposition is undefined (M4 data are positive).

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int
        Season length ``m >= 1``.

    Returns
    -------
    numpy.ndarray of float64, shape (horizon,)

    Raises
    ------
    DataError
        If ``y`` is not 1-D, empty or has non-finite values.
    ConfigError, ConfigTypeError
        If ``horizon`` or ``season`` is not an integer ``>= 1``.

    Examples
    --------
    A trendless level of 10 times the pattern ``[0.5, 1.5, 1, 1]``, cut after the 3rd
    phase: the forecast continues the pattern in phase.

    >>> import numpy as np
    >>> y = 10 * np.tile([0.5, 1.5, 1.0, 1.0], 4)[:-1]
    >>> y[-4:]
    array([10.,  5., 15., 10.])
    >>> naive2(y, horizon=5, season=4)
    array([10.,  5., 15., 10., 10.])
    >>> naive2([1.0, 3.0, 2.0, 4.0], horizon=2, season=4)    # too short: naive
    array([4., 4.])
    """
    arr = _check_y(y)
    horizon = check_int(horizon, "horizon")
    season = check_int(season, "season")
    return _naive2(arr, horizon, season)[0]


def _naive2(arr: np.ndarray, horizon: int, season: int):
    """``(forecast, indices)`` of :func:`naive2`; ``indices`` is None when it is naive."""
    last = np.full(horizon, arr[-1], dtype=np.float64)
    if season == 1 or np.any(arr <= 0) or not seasonality_test(arr, season):
        return last, None
    indices = seasonal_indices(arr, season)
    n = arr.size
    adjusted_last = arr[-1] / indices[(n - 1) % season]
    return adjusted_last * indices[(n + np.arange(horizon)) % season], indices


def naive2_intervals(y, horizon: int, season: int, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Gaussian prediction intervals of :func:`naive2`: naive on the seasonally adjusted series.

    When :func:`naive2` adjusts the series (same test and indices ``S``), the naive
    intervals of :math:`\tilde y_t = y_t / S_{t \bmod m}` -- residuals
    :math:`\tilde y_t - \tilde y_{t-1}`, :math:`\hat\sigma^2` their mean square,
    :math:`\sigma_h = \hat\sigma\sqrt h` -- are reseasonalised like the point forecast:

    .. math:: \big(\tilde y_{T-1} \mp z\,\hat\sigma\sqrt h\big)\, S_{(T + h - 1) \bmod m}

    (0-based ``t``, :math:`z = \Phi^{-1}(0.5 + \mathrm{level}/200)`). Otherwise (every
    fallback of :func:`naive2`) these are :func:`naive_intervals`.

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int
        Season length ``m >= 1``.
    levels : sequence of float, default (80, 95)
        Interval levels in percent, each in ``(0, 100)``.

    Returns
    -------
    numpy.ndarray of float64, shape (len(levels), 2, horizon)
        ``[i, 0]`` lower and ``[i, 1]`` upper bounds of the ``levels[i]`` % interval.

    Raises
    ------
    DataError
        If ``y`` is not 1-D, empty or has non-finite values.
    ConfigError, ConfigTypeError
        If ``horizon`` or ``season`` is not an integer ``>= 1`` or a level is not in (0, 100).

    Examples
    --------
    >>> import numpy as np
    >>> y = 10 * np.tile([0.5, 1.5, 1.0, 1.0], 4) + np.tile([0.0, 0.3, -0.2, 0.1, -0.1], 4)[:16]
    >>> out = naive2_intervals(y, horizon=4, season=4, levels=(80, 95))
    >>> out.shape, bool(np.all(out[1, 0] < out[0, 0])), bool(np.all(out[0, 1] < out[1, 1]))
    ((2, 2, 4), True, True)
    """
    arr, horizon, season, levels = _check_interval_args(y, horizon, season, levels)
    point, indices = _naive2(arr, horizon, season)
    if indices is None:
        return _gaussian_bounds(point, _naive_sd(arr, horizon), levels)
    n = arr.size
    adjusted = arr / indices[np.arange(n) % season]
    sd = _naive_sd(adjusted, horizon) * indices[(n + np.arange(horizon)) % season]
    return _gaussian_bounds(point, sd, levels)
