r"""ARIMA(p, d, q): d by KPSS tests, p and q <= 2 by AIC, and its prediction intervals.

One of the statistical baselines on statsmodels; their common rules (input checks, constant
and naive fallbacks, silenced warnings, single-threaded BLAS) are in
:mod:`forecastkit.models.statistical`.

Examples
--------
>>> import numpy as np
>>> arima(np.full(20, 7.0), horizon=2, season=4)    # a constant series: its constant
array([7., 7.])
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import lfilter
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.arima_process import arma2ma
from statsmodels.tsa.stattools import kpss

from .baselines import _gaussian_bounds, _naive_sd
from .statistical import (
    _FIT_ERRORS,
    _adjust,
    _constant,
    _failed,
    _finite,
    _fitting,
    _prepare,
    _prepare_intervals,
)

__all__ = ["arima", "arima_intervals"]

#: Largest AR and MA order searched by :func:`arima`.
ARIMA_MAX_ORDER = 2

#: Largest number of differences chosen by :func:`arima`.
ARIMA_MAX_D = 2

#: Iteration cap of the final maximum-likelihood fit in :func:`arima` (statsmodels'
#: default; the fit starts from the CSS estimates, so it rarely needs that many).
ARIMA_MAXITER = 50

#: Cap on residual evaluations of each conditional-sum-of-squares fit in :func:`arima`.
CSS_MAX_NFEV = 200

#: Shortest (differenced) series on which :func:`arima` runs a KPSS test.
KPSS_MIN_LENGTH = 10


def _ndiffs(x: np.ndarray) -> int:
    """Number of differences d <= 2 after which KPSS (level, 5 %) does not reject."""
    d = 0
    while d < ARIMA_MAX_D and x.size >= KPSS_MIN_LENGTH and np.ptp(x) > 0.0:
        nlags = int(3.0 * np.sqrt(x.size) / 13.0)
        test = kpss(x, regression="c", nlags=nlags, result_object=True)
        if not test.statistic > test.critical_values["5%"]:
            break
        x = np.diff(x)
        d += 1
    return d


def _css(x: np.ndarray, p: int, q: int, mean: bool, cond: int):
    """Conditional-sum-of-squares ARMA(p, q) fit of x; returns (sse, n_used, params).

    ``params`` = (mean if ``mean``, phi_1..phi_p, theta_1..theta_q) with
    ``x_t - mu = sum phi_i (x_{t-i} - mu) + e_t + sum theta_j e_{t-j}``; the residuals
    ``e_t`` run over ``t = cond..n-1`` with earlier ``e`` set to 0.
    """
    scale = float(np.std(x)) or 1.0  # work in units of sd(x): scale-free and well conditioned
    x = x / scale
    n_used = x.size - cond
    lags = np.column_stack([x[cond - 1 - i : x.size - 1 - i] for i in range(p)]) if p else None
    target = x[cond:]
    i_ar, i_ma = int(mean), int(mean) + p
    big = np.full(n_used, 1e10)  # penalty for an exploding (non-invertible) recursion
    denominator = np.ones(q + 1)

    def residuals(params):
        a = target
        if p:
            phi = params[i_ar:i_ma]
            a = a - lags @ phi
            if mean:
                a = a - params[0] * (1.0 - phi.sum())
        elif mean:
            a = a - params[0]
        if q:
            denominator[1:] = params[i_ma:]
            a = lfilter([1.0], denominator, a)
        return a if np.isfinite(a).all() else big

    def jacobian(params):
        # exact derivatives of the conditional recursion: d e / d par = (1 / theta(B)) (-z)
        e = residuals(params)
        phi = params[i_ar:i_ma]
        columns = []
        if mean:
            columns.append(np.full(n_used, -(1.0 - phi.sum())))
        for i in range(p):
            columns.append(-(lags[:, i] - (params[0] if mean else 0.0)))
        for j in range(1, q + 1):
            columns.append(-np.concatenate((np.zeros(j), e[:-j])))
        jac = np.column_stack(columns)
        if q:
            denominator[1:] = params[i_ma:]
            jac = lfilter([1.0], denominator, jac, axis=0)
        return jac

    start = np.zeros(i_ma + q)
    if mean:
        start[0] = x.mean()
    if start.size == 0:
        return float(target @ target) * scale**2, n_used, start
    fit = least_squares(residuals, start, jac=jacobian, method="lm", x_scale="jac",
                        max_nfev=CSS_MAX_NFEV)
    res = residuals(fit.x)
    params = fit.x.copy()
    if mean:
        params[0] *= scale
    return float(res @ res) * scale**2, n_used, params


def _admissible(params, p: int, q: int, mean: bool) -> bool:
    """True if the AR part is stationary and the MA part invertible (roots beyond 1.01)."""
    phi = params[int(mean) : int(mean) + p]
    ma = params[int(mean) + p :]
    # roots of z^p - phi_1 z^(p-1) - ... (inverse roots of the AR polynomial) inside 1/1.01
    if p and np.any(np.abs(np.roots(np.r_[1.0, -phi])) * 1.01 >= 1.0):
        return False
    if q and np.any(np.abs(np.roots(np.r_[1.0, ma])) * 1.01 >= 1.0):
        return False
    return True


def _undifference(diff_forecast: np.ndarray, z: np.ndarray, d: int) -> np.ndarray:
    """Integrate a forecast of the d-th differences back to the level of z."""
    out = diff_forecast
    for level in range(d - 1, -1, -1):
        last = np.diff(z, n=level)[-1]
        out = last + np.cumsum(out)
    return out


def arima(y, horizon: int, season: int) -> np.ndarray:
    r"""Automatic non-seasonal ARIMA(p, d, q) forecast on the seasonally adjusted series.

    1. Seasonal adjustment (instead of seasonal ARIMA terms): if ``season > 1``, all
       ``y > 0`` and the M4 test :func:`~forecastkit.models.naive2.seasonality_test`
       finds the series seasonal, ``z_t = y_t / S_{t mod m}`` with the multiplicative
       indices ``S`` of :func:`~forecastkit.models.naive2.seasonal_indices`, and the
       forecast is reseasonalised with the indices continuing the phase (as Naive2 and
       :func:`theta`). Otherwise ``z = y``. Seasonal (P, D, Q) terms are not searched: for
       monthly data they multiply the state dimension and the fitting time by about ten.
    2. Differencing ``d`` (as R's ``forecast::ndiffs``): starting from ``d = 0``, while
       ``d < 2`` and the KPSS level-stationarity test
       (``statsmodels.tsa.stattools.kpss(regression="c")`` with
       ``nlags = floor(3 sqrt(n_d) / 13)``, ``n_d`` the length of the series tested)
       rejects at 5 % (statistic above the 5 % critical value 0.463), difference once
       more. The test is skipped (``d`` kept) on a constant series or one shorter than
       :data:`KPSS_MIN_LENGTH` (10) points.
    3. Deterministic term: a mean for ``d = 0``, a drift for ``d = 1`` (a linear trend
       in the levels, statsmodels' ``trend="t"``), none for ``d = 2``.
    4. Orders ``p, q`` in ``0..min(2, n_d // 3)`` (R's ``auto.arima`` cap for short
       series), keeping those with more residuals than parameters, are ranked by the
       conditional-sum-of-squares AIC of the ARMA(p, q) model of the differenced series
       ``x`` (least squares with exact derivatives; residuals before the first ``max p``
       observations set to zero and the sum taken over the same ``n'`` observations for
       every candidate):

       .. math:: \mathrm{AIC}_{CSS} = n' \log(\mathrm{SSE} / n') + 2 (p + q + c + 1)

       with ``c = 1`` when there is a mean or drift. This is R's
       ``auto.arima(approximation=TRUE)`` strategy, tens of times faster than nine exact
       maximum-likelihood fits. Candidates whose CSS estimates are not stationary and
       invertible (a root of the AR or MA polynomial within 1.01 of the unit circle, R's
       rule) are ranked last; ties go to fewer parameters.
    5. The best-ranked order is fitted by exact Gaussian maximum likelihood with
       statsmodels ``ARIMA(x, order=(p, 0, q), trend="c" or "n", concentrate_scale=True)``
       on the differenced series (*simple differencing*: the same model as
       ``ARIMA(z, order=(p, d, q), trend="c"/"t"/"n")``, conditional on the first ``d``
       observations, with a smaller state), started from the CSS estimates and capped at
       :data:`ARIMA_MAXITER` iterations. Its point forecast of the differences is
       integrated back to levels (and reseasonalised). If the fit fails or its forecast is
       not finite, the next-ranked order is tried.

    Fallbacks: a constant series returns its constant; if the differenced series is
    constant (e.g. an exact straight line) the constant difference is extrapolated
    (``d = 1``: the last value plus ``h`` times the step).

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
        If every candidate order fails to fit or gives a non-finite forecast.

    Examples
    --------
    An exact straight line is differenced once and extrapolated:

    >>> import numpy as np
    >>> arima(np.arange(0.0, 30.0, 2.0), horizon=3, season=1)
    array([30., 32., 34.])

    A stationary series around 5 is forecast near its mean:

    >>> y = 5 + np.tile([0.3, -0.2, 0.1, -0.4, 0.2], 8)
    >>> bool(np.all(np.abs(arima(y, horizon=4, season=1) - 5) < 0.5))
    True
    """
    arr, horizon, season = _prepare(y, horizon, season)
    return _arima(arr, horizon, season)[0]


def _arima_sd(fit, d: int, z: np.ndarray, horizon: int) -> np.ndarray:
    r"""h-step forecast standard deviations of the fitted ARMA(p, q) of the d-th differences,
    in levels: :math:`\sigma \sqrt{\sum_{j<h} \psi_j^2}` with :math:`\psi_j` the MA(infinity)
    weights of :math:`\phi(B)(1-B)^d y_t = \theta(B) e_t`."""
    ar = np.asarray(fit.polynomial_ar, dtype=np.float64)
    for _ in range(d):
        ar = np.convolve(ar, [1.0, -1.0])
    psi = arma2ma(ar, np.asarray(fit.polynomial_ma, dtype=np.float64), lags=horizon)
    names = list(fit.model.param_names)
    sigma2 = float(fit.params[names.index("sigma2")]) if "sigma2" in names else float(fit.scale)
    sd = np.sqrt(sigma2 * np.cumsum(psi**2))
    if not np.all(np.isfinite(sd)):  # never seen; keep the bounds finite: naive of z
        sd = _naive_sd(z, horizon)
    return sd


def _arima(arr, horizon, season):
    """:func:`arima` on checked input: ``(forecast, sd)`` with ``sd`` the h-step forecast
    standard deviations of the same path (zero for deterministic fallbacks)."""
    if np.ptp(arr) == 0.0:
        return _constant(arr[0], horizon), np.zeros(horizon)
    with _fitting():
        z, future = _adjust(arr, season, horizon)
        d = _ndiffs(z)
        x = np.diff(z, n=d)
        if x.size == 0:  # a single observation
            return _constant(arr[-1], horizon), np.zeros(horizon)
        if np.ptp(x) == 0.0:  # deterministic: the differences are constant
            return _undifference(np.full(horizon, x[0]), z, d) * future, np.zeros(horizon)
        ranked, errors = _arima_rank(x, d)
        if not ranked:  # too short for even ARIMA(0, d, 0) with a constant: naive
            return _constant(arr[-1], horizon), _naive_sd(arr, horizon)
        mean = d < 2
        trend = "c" if mean else "n"  # on the differences: a mean (d = 0) or a drift (d = 1)
        for *_, p, q, start in ranked:
            concentrate = p + q + int(mean) > 0  # sigma2 profiled out of the likelihood
            try:
                model = ARIMA(x, order=(p, 0, q), trend=trend, concentrate_scale=concentrate)
                fit = model.fit(start_params=start if concentrate else None,
                                cov_type="none", low_memory=True,
                                method_kwargs={"maxiter": ARIMA_MAXITER})
                forecast = _finite(_undifference(np.asarray(fit.forecast(horizon)), z, d), horizon)
            except _FIT_ERRORS as err:
                errors.append(f"ARIMA({p},{d},{q}): {type(err).__name__}: {err}")
                continue
            if forecast is None:
                errors.append(f"ARIMA({p},{d},{q}): non-finite forecast")
                continue
            return forecast * future, _arima_sd(fit, d, z, horizon) * future
    raise _failed("arima", arr, season, errors)


def arima_intervals(y, horizon: int, season: int, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Prediction intervals of :func:`arima`: analytic, from the fitted model's psi-weights.

    The order is selected and fitted exactly as in :func:`arima`. With the fitted
    ARMA(p, q) polynomials of the ``d``-th differences, the MA(:math:`\infty`) weights
    :math:`\psi_j` of :math:`\phi(B)(1-B)^d z_t = \theta(B) e_t` (``statsmodels``
    ``arma2ma``; :math:`\psi_0 = 1`), so the differencing is undone consistently, and the
    maximum-likelihood innovation variance :math:`\sigma^2` of the fit:

    .. math:: \sigma_h^2 = \sigma^2 \sum_{j=0}^{h-1} \psi_j^2, \qquad
              \hat y_{T+h} \mp z\, \sigma_h\, S_{T+h}

    (Box & Jenkins; fpp3 section 9.8), :math:`z = \Phi^{-1}(0.5 + \mathrm{level}/200)`,
    :math:`\hat y_{T+h}` the forecast of :func:`arima` and :math:`S_{T+h}` the seasonal index
    of the step when the series was seasonally adjusted (else 1). Parameter uncertainty is
    not included (as in R's ``forecast`` and statsmodels).

    Fallbacks follow :func:`arima`: zero width for a constant series, a single observation
    or constant differences (an exact line); naive intervals of ``y`` where it is naive.

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
        As :func:`arima`; ConfigError also when a level is not in (0, 100).

    Examples
    --------
    >>> import numpy as np
    >>> y = 100 + np.cumsum(np.random.default_rng(0).normal(size=80))
    >>> out = arima_intervals(y, horizon=4, season=1, levels=(80, 95))
    >>> out.shape, bool(np.all(out[1, 0] < out[0, 0])), bool(np.all(out[0, 1] < out[1, 1]))
    ((2, 2, 4), True, True)
    """
    arr, horizon, season, levels = _prepare_intervals(y, horizon, season, levels)
    point, sd = _arima(arr, horizon, season)
    return _gaussian_bounds(point, sd, levels)


def _arima_rank(x: np.ndarray, d: int):
    """Step 4 of :func:`arima`: admissible orders ranked by CSS AIC, best first."""
    mean = d < 2
    max_order = min(ARIMA_MAX_ORDER, x.size // 3)
    ranked, errors = [], []
    for p in range(max_order + 1):
        for q in range(max_order + 1):
            k = p + q + int(mean) + 1
            if x.size - max_order <= k:
                continue
            try:
                sse, n_used, params = _css(x, p, q, mean, cond=max_order)
                aic = n_used * np.log(max(sse, 1e-300) / n_used) + 2.0 * k
                ok = bool(np.isfinite(aic)) and _admissible(params, p, q, mean)
            except _FIT_ERRORS as err:
                errors.append(f"CSS ARIMA({p},{d},{q}): {type(err).__name__}: {err}")
                aic, ok, params = np.inf, False, None
            # inadmissible or failed CSS fits go last, still tried (from default starts)
            ranked.append((not ok, aic if ok else np.inf, k, p, q, params if ok else None))
    ranked.sort(key=lambda c: c[:5])
    return ranked, errors
