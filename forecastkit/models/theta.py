r"""The Theta method (SES with drift on the seasonally adjusted series) and its intervals.

One of the statistical baselines on statsmodels; their common rules (input checks, constant
and naive fallbacks, silenced warnings, single-threaded BLAS) are in
:mod:`forecastkit.models.statistical`.

Examples
--------
>>> import numpy as np
>>> theta(np.full(20, 7.0), horizon=2, season=4)    # a constant series: its constant
array([7., 7.])
"""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.statespace.sarimax import SARIMAX

from .baselines import _gaussian_bounds, _naive_sd
from .naive2 import seasonality_test
from .statistical import (
    _FIT_ERRORS,
    _constant,
    _failed,
    _finite,
    _fitting,
    _prepare,
    _prepare_intervals,
    _zero_width,
)

__all__ = ["theta", "theta_intervals"]

#: Shortest series :func:`theta` fits (fewer points: naive forecast).
THETA_MIN_LENGTH = 3


def theta(y, horizon: int, season: int) -> np.ndarray:
    r"""Theta method forecast (the M4 benchmark "Theta"), via statsmodels ``ThetaModel``.

    1. Seasonal adjustment: if ``season > 1``, all ``y > 0`` and the M4 90 %
       autocorrelation test :func:`~forecastkit.models.naive2.seasonality_test` finds
       the series seasonal (which needs ``len(y) >= 3 * season``), the series is divided
       by the multiplicative indices of a classical decomposition
       (``ThetaModel(deseasonalize=True, use_test=False, method="auto")``, which is
       multiplicative for positive data, the same indices as
       :func:`~forecastkit.models.naive2.seasonal_indices`); otherwise it is used as is.
    2. On the adjusted series :math:`x_1..x_T`: the slope :math:`b_0` of the OLS line
       :math:`x_t = a_0 + b_0 (t - 1)`, and simple exponential smoothing with its
       :math:`\alpha` fitted by least squares (initial level :math:`x_1`), giving
       the SES forecast :math:`\tilde x_{T+h}` (the same for every ``h``).
    3. Forecast with ``theta = 2`` (half the trend line's slope added to SES, Hyndman &
       Billah 2003):

       .. math:: \hat x_{T+h} = \tilde x_{T+h} + \tfrac12 b_0
                 \Big(h - 1 + \frac{1}{\alpha} - \frac{(1 - \alpha)^T}{\alpha}\Big)

       reseasonalised with the indices continuing the phase of the series.

    Fallbacks: a constant series returns its constant; fewer than 3 observations
    (:data:`THETA_MIN_LENGTH`) return the naive forecast.

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
    TrainingError
        If the fit fails or gives a non-finite forecast.

    Examples
    --------
    A straight line: SES follows it closely (``alpha`` near 1) and half its slope is
    added per step:

    >>> import numpy as np
    >>> theta(np.arange(1.0, 21.0), horizon=3, season=1).round(1)
    array([20.5, 21. , 21.5])
    """
    arr, horizon, season = _prepare(y, horizon, season)
    return _theta(arr, horizon, season)[0]


def _theta(arr, horizon, season):
    """:func:`theta` on checked input: ``(forecast, results)``, ``results`` the fitted
    ``ThetaModelResults`` (None for the constant and naive fallbacks)."""
    if np.ptp(arr) == 0.0:
        return _constant(arr[0], horizon), None
    if arr.size < THETA_MIN_LENGTH:
        return _constant(arr[-1], horizon), None
    seasonal = season > 1 and arr.min() > 0 and seasonality_test(arr, season)
    try:
        with _fitting():
            model = ThetaModel(
                arr, period=season if seasonal else None, deseasonalize=seasonal,
                use_test=False, method="auto",
            )
            results = model.fit()
            forecast = _finite(results.forecast(horizon, theta=2.0), horizon)
    except _FIT_ERRORS as err:
        raise _failed("theta", arr, season, [f"{type(err).__name__}: {err}"]) from err
    if forecast is None:
        raise _failed("theta", arr, season, ["non-finite forecast"])
    return forecast, results


def _ima_sigma2(z: np.ndarray) -> float:
    """Innovation variance of an ARIMA(0,1,1) with drift fitted to ``z`` by maximum likelihood
    (the estimator of statsmodels' ``ThetaModelResults.sigma2``); if that fit fails, the mean
    squared first difference (the naive residual variance)."""
    try:
        sigma2 = float(np.asarray(SARIMAX(z, order=(0, 1, 1), trend="c").fit(disp=False).params)[-1])
    except _FIT_ERRORS:
        sigma2 = np.nan
    if not (np.isfinite(sigma2) and sigma2 >= 0.0):
        sigma2 = float(np.mean(np.diff(z) ** 2))
    return sigma2


def theta_intervals(y, horizon: int, season: int, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Prediction intervals of :func:`theta`, from statsmodels' Theta interval formula.

    With the fitted SES parameter :math:`\alpha` and the innovation variance
    :math:`\sigma^2` of an ARIMA(0,1,1) with drift fitted by maximum likelihood to the
    (seasonally adjusted) series :math:`x` -- the formula and the estimator of statsmodels'
    ``ThetaModelResults.prediction_intervals`` / ``.sigma2``:

    .. math:: \sigma_h^2 = \sigma^2 \big(1 + (h - 1)(1 + (\alpha - 1)^2)\big),
              \qquad \hat y_{T+h} \mp z\, \sigma_h\, S_{T+h}

    with :math:`z = \Phi^{-1}(0.5 + \mathrm{level}/200)`, :math:`\hat y_{T+h}` the forecast
    of :func:`theta` and :math:`S_{T+h}` the multiplicative seasonal index of the forecast
    step (1 when the series is not adjusted). statsmodels itself estimates ``sigma^2`` on the
    *unadjusted* series and adds the unscaled width to the reseasonalised forecast; here the
    variance and the width are both on the adjusted scale and reseasonalised like the point
    forecast (identical to statsmodels when there is no seasonal adjustment).

    Note the variance factor is statsmodels' :math:`1 + (\alpha-1)^2` per step, wider than
    the :math:`\alpha^2` of the textbook ARIMA(0,1,1) psi-weights when :math:`\alpha < 1`.

    Fallbacks follow :func:`theta`: a constant series has zero-width intervals; fewer than 3
    observations give :func:`~forecastkit.models.baselines.naive_intervals`.

    Cost: the extra ARIMA(0,1,1) fit for ``sigma^2`` (about 0.05-0.2 s on a few hundred points)
    on top of :func:`theta`.

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
    DataError, ConfigError, ConfigTypeError, TrainingError
        As :func:`theta`; ConfigError also when a level is not in (0, 100).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(1.0, 21.0) + np.tile([0.3, -0.3], 10)
    >>> out = theta_intervals(y, horizon=3, season=1, levels=(95,))
    >>> bool(np.all(out[0, 0] < theta(y, 3, 1))), bool(np.all(np.diff(out[0, 1] - out[0, 0]) > 0))
    (True, True)
    """
    arr, horizon, season, levels = _prepare_intervals(y, horizon, season, levels)
    point, results = _theta(arr, horizon, season)
    if results is None:
        if np.ptp(arr) == 0.0:
            return _zero_width(point, levels)
        return _gaussian_bounds(point, _naive_sd(arr, horizon), levels)
    model = results.model
    with _fitting():
        factors, z = np.ones(horizon), arr
        if model.deseasonalize:
            mul = model.method.startswith("mul")
            in_sample = np.asarray(seasonal_decompose(arr, model="mul" if mul else "add",
                                                      period=season).seasonal)
            z = arr / in_sample if mul else arr - in_sample
            if mul:
                factors = np.asarray(results.forecast_components(horizon)["seasonal"],
                                     dtype=np.float64)
        alpha = float(np.asarray(results.params)[1])
        sigma2 = _ima_sigma2(z)
    steps = np.arange(horizon)
    sd = np.sqrt(sigma2 * (1.0 + steps * (1.0 + (alpha - 1.0) ** 2))) * factors
    return _gaussian_bounds(point, sd, levels)
