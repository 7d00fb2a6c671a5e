r"""Naive forecasting baselines in numpy: Naive and Seasonal Naive, with their intervals.

Every neural forecaster is compared against these. All functions take one series ``y``
(1-D, finite, at least one observation) and return a float64 array of shape
``(horizon,)`` with the point forecasts for steps ``1..horizon`` after the last
observation ``y[T-1]`` (``T = len(y)``).

Each baseline also has a *native* prediction interval function
``<name>_intervals(y, horizon, season, levels)`` returning a float64 array of shape
``(len(levels), 2, horizon)``: ``out[i, 0]`` the lower and ``out[i, 1]`` the upper bound of
the central ``levels[i]`` % interval (``levels`` are percentages in ``(0, 100)``, e.g.
``(80, 95)``). They are the Gaussian intervals of Hyndman & Athanasopoulos, *Forecasting:
principles and practice* (3rd ed., section 5.5), centred on the point forecast of the same
function (same fallbacks), with the residual variance

.. math:: \hat\sigma^2 = \frac{1}{T - M} \sum_t e_t^2

the mean of the ``T - M`` available one-step in-sample residuals ``e_t`` (``M`` the
observations the method cannot forecast in-sample: 1 for naive, ``m`` for seasonal naive):
fpp3's formula with ``K = 0`` estimated parameters, not mean-centred and with no other bias
correction. A series with no residual at all (a single observation; seasonal naive on exactly
one season) gets ``sigma = 0``: the bounds equal the point forecast.

The M4 benchmark "Naive2", its seasonality test and seasonal indices are in
:mod:`forecastkit.models.naive2`.

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
>>> from forecastkit.models.baselines import naive, seasonal_naive
>>> naive([3.0, 5.0, 4.0], horizon=2)
array([4., 4.])
>>> seasonal_naive(np.arange(10.0), horizon=6, season=4)
array([6., 7., 8., 9., 6., 7.])
>>> naive_intervals([3.0, 5.0, 4.0], horizon=2, levels=(80,)).round(3)   # sigma = 1.581
array([[[1.974, 1.134],
        [6.026, 6.866]]])
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from ..checks import check_int, check_level_values
from ..errors import DataError

__all__ = ["naive", "seasonal_naive", "naive_intervals", "seasonal_naive_intervals"]


# --------------------------------------------------------------------------- validation


def _check_y(y) -> np.ndarray:
    """``y`` as a new 1-D finite float64 array, or a :class:`DataError` saying what is wrong."""
    try:
        arr = np.array(y, dtype=np.float64)  # copy: callers never see their data modified
    except (TypeError, ValueError) as err:
        raise DataError(
            "`y` must be a 1-D array of numbers (one series). "
            f"Received: y of type {type(y).__name__} that cannot be converted to float ({err}). "
            "Pass the target values only, e.g. panel.series(id)['y'].to_numpy()."
        ) from None
    if arr.ndim != 1:
        raise DataError(
            f"`y` must be 1-D (one series). Received: y with shape {arr.shape}. "
            "Pass a single series, e.g. y[:, 0] or y.ravel()."
        )
    if arr.size == 0:
        raise DataError(
            "`y` must contain at least 1 observation. Received: an empty array (len(y)=0)."
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        first = int(bad[0])
        raise DataError(
            f"`y` must contain only finite values. Received: {bad.size} non-finite value(s), "
            f"the first at position {first}: y[{first}]={float(arr[first])!r}. Fill or drop missing "
            "values before forecasting (`fill` when loading data)."
        )
    return arr


def _gaussian_bounds(point: np.ndarray, sd: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """``(len(levels), 2, H)`` bounds ``point -/+ z sd`` with ``z = Phi^-1(0.5 + level / 200)``."""
    z = norm.ppf(0.5 + np.asarray(levels) / 200.0)[:, None]
    return np.stack((point - z * sd, point + z * sd), axis=1)


def _residual_sigma(residuals: np.ndarray) -> float:
    """sqrt(mean(e^2)) of the one-step residuals (fpp3 section 5.5 with K = 0); 0 when there are none."""
    return float(np.sqrt(np.mean(residuals**2))) if residuals.size else 0.0


def _naive_sd(arr: np.ndarray, horizon: int) -> np.ndarray:
    """Standard deviation of the naive h-step error: ``sigma sqrt(h)``, sigma from ``diff(arr)``."""
    return _residual_sigma(np.diff(arr)) * np.sqrt(np.arange(1, horizon + 1))


# ----------------------------------------------------------------------------- forecasts


def naive(y, horizon: int, season: int = 1) -> np.ndarray:
    r"""Naive forecast: repeat the last observed value.

    .. math:: \hat y_{T+h} = y_T, \qquad h = 1, \dots, H

    (with ``y_T`` the last observation ``y[-1]``).

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int, default 1
        Unused; accepted so every baseline has the signature ``(y, horizon, season)``.

    Returns
    -------
    numpy.ndarray of float64, shape (horizon,)

    Raises
    ------
    DataError
        If ``y`` is not 1-D, empty or has non-finite values.
    ConfigError, ConfigTypeError
        If ``horizon`` is not an integer ``>= 1``.

    Examples
    --------
    >>> naive([1.0, 2.0, 3.0], horizon=2)
    array([3., 3.])
    """
    arr = _check_y(y)
    horizon = check_int(horizon, "horizon")
    return np.full(horizon, arr[-1], dtype=np.float64)


def seasonal_naive(y, horizon: int, season: int) -> np.ndarray:
    r"""Seasonal naive forecast: repeat the last observed season.

    .. math:: \hat y_{T+h} = y_{T - m + ((h - 1) \bmod m) + 1}, \qquad h = 1, \dots, H

    In 0-based numpy indexing the forecast for step ``h`` is
    ``y[T - m + (h - 1) % m]``, i.e. ``np.resize(y[-m:], H)``: the last ``m`` values
    repeated in their order, so each forecast has the same phase as the observation
    one (or more) seasons earlier.

    ``season=1`` gives :func:`naive`; a series shorter than one season (``T < m``)
    also falls back to :func:`naive` (there is no full season to repeat).

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int
        Season length ``m >= 1`` (observations per cycle, e.g. 12 for monthly data).

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
    >>> import numpy as np
    >>> seasonal_naive(np.arange(10.0), horizon=6, season=4)
    array([6., 7., 8., 9., 6., 7.])
    >>> seasonal_naive([1.0, 2.0], horizon=3, season=4)   # shorter than a season: naive
    array([2., 2., 2.])
    """
    arr = _check_y(y)
    horizon = check_int(horizon, "horizon")
    season = check_int(season, "season")
    n = arr.size
    if season == 1 or n < season:
        return np.full(horizon, arr[-1], dtype=np.float64)
    steps = np.arange(horizon)
    return arr[n - season + steps % season].copy()


# ------------------------------------------------------------------- prediction intervals


def _check_interval_args(y, horizon, season, levels):
    return (_check_y(y), check_int(horizon, "horizon"), check_int(season, "season"),
            check_level_values(levels))


def naive_intervals(y, horizon: int, season: int = 1, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Gaussian prediction intervals of :func:`naive` (fpp3 section 5.5).

    With the one-step residuals :math:`e_t = y_t - y_{t-1}` (``t = 1..T-1``, 0-based),
    :math:`\hat\sigma^2 = \frac{1}{T-1}\sum_t e_t^2` and
    :math:`z = \Phi^{-1}(0.5 + \mathrm{level}/200)`:

    .. math:: y_T \mp z\, \hat\sigma \sqrt{h}, \qquad h = 1, \dots, H

    (the random-walk forecast variance :math:`h \sigma^2`). A single observation has no
    residual: ``sigma = 0`` and the bounds equal the forecast.

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int, default 1
        Unused (the common baseline signature).
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
    >>> out = naive_intervals([10.0, 11.5, 10.0, 11.5, 10.0], horizon=4, levels=(95,))
    >>> out.shape
    (1, 2, 4)
    >>> out[0].round(2)     # sigma = 1.5: 10 -/+ 1.96 * 1.5 * sqrt(h)
    array([[ 7.06,  5.84,  4.91,  4.12],
           [12.94, 14.16, 15.09, 15.88]])
    """
    arr, horizon, season, levels = _check_interval_args(y, horizon, season, levels)
    return _gaussian_bounds(np.full(horizon, arr[-1]), _naive_sd(arr, horizon), levels)


def seasonal_naive_intervals(y, horizon: int, season: int, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Gaussian prediction intervals of :func:`seasonal_naive` (fpp3 section 5.5).

    With the one-step residuals :math:`e_t = y_t - y_{t-m}` (``t = m..T-1``, 0-based),
    :math:`\hat\sigma^2 = \frac{1}{T-m}\sum_t e_t^2`, ``k = floor((h - 1) / m)`` (the
    number of complete seasons between the origin and step ``h``) and
    :math:`z = \Phi^{-1}(0.5 + \mathrm{level}/200)`:

    .. math:: \hat y_{T+h} \mp z\, \hat\sigma \sqrt{k + 1}

    around the seasonal naive forecast :math:`\hat y_{T+h}`. Where :func:`seasonal_naive`
    falls back to :func:`naive` (``season == 1`` or ``T < m``) these are
    :func:`naive_intervals`. A series of exactly one season has no residual: ``sigma = 0``.

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
    Residuals ``y[t] - y[t-2]`` are ``-1, 1, -1, 1`` (sigma 1); the width grows after each
    full season:

    >>> y = [1.0, 5.0, 0.0, 6.0, 1.0, 5.0]
    >>> (seasonal_naive_intervals(y, horizon=4, season=2, levels=(80,))[0]).round(3)
    array([[-0.282,  3.718, -0.812,  3.188],
           [ 2.282,  6.282,  2.812,  6.812]])
    """
    arr, horizon, season, levels = _check_interval_args(y, horizon, season, levels)
    n = arr.size
    if season == 1 or n < season:
        return _gaussian_bounds(np.full(horizon, arr[-1]), _naive_sd(arr, horizon), levels)
    steps = np.arange(horizon)
    point = arr[n - season + steps % season]
    sigma = _residual_sigma(arr[season:] - arr[:-season])
    return _gaussian_bounds(point, sigma * np.sqrt(steps // season + 1.0), levels)
