r"""Automatic exponential smoothing (ETS), chosen by AICc, and its prediction intervals.

One of the statistical baselines on statsmodels; their common rules (input checks, constant
and naive fallbacks, silenced warnings, single-threaded BLAS) are in
:mod:`forecastkit.models.statistical`.

Examples
--------
>>> import numpy as np
>>> ets(np.full(20, 7.0), horizon=2, season=4)      # a constant series: its constant
array([7., 7.])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

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
    _zero_width,
)

__all__ = ["ets", "ets_intervals"]

#: Largest season length for which :func:`ets` considers seasonal models (as R's
#: ``forecast::ets``); longer seasons (weekly data with 52, hourly with 168, ...) would
#: need too many initial states to estimate.
ETS_MAX_SEASON = 24

#: Sample paths statsmodels simulates for the ETS intervals of multiplicative-season models
#: (those without an analytic forecast variance), and the seed that makes them repeatable.
ETS_SIMULATIONS = 2000
ETS_SEED = 0


def _ets_candidates(arr: np.ndarray, season: int):
    """Admissible (trend, damped, seasonal, npars) in a fixed order (simplest first)."""
    n = arr.size
    seasonals = [None]
    if 1 < season <= ETS_MAX_SEASON and n >= max(2 * season, 10 + 2 * (season // 2)):
        seasonals.append("add")
        if arr.min() > 0:
            seasonals.append("mul")
    for seasonal in seasonals:
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            npars = 2 + 2 * (trend is not None) + int(damped) + (season if seasonal else 0)
            if n > npars + 4:
                yield trend, damped, seasonal, npars


def _ets_name(trend, damped, seasonal) -> str:
    t = "N" if trend is None else ("Ad" if damped else "A")
    s = {None: "N", "add": "A", "mul": "M"}[seasonal]
    return f"ETS(A,{t},{s})"


def _ets_model(arr, trend, damped, seasonal, season, init):
    return ETSModel(
        arr, error="add", trend=trend, damped_trend=damped, seasonal=seasonal,
        seasonal_periods=season if seasonal else None, initialization_method=init,
    )


def ets(y, horizon: int, season: int) -> np.ndarray:
    r"""Automatic exponential smoothing (ETS) forecast, chosen by AICc.

    Candidate models are the additive-error innovations state space models
    ETS(A, T, S) of Hyndman et al. (statsmodels ``ETSModel`` with ``error="add"``) with

    * trend ``T``: none (N), additive (A) or additive damped (Ad);
    * seasonality ``S``: none (N), additive (A), or multiplicative (M, only if all
      ``y > 0``). Seasonal candidates are used only if ``1 < season <= 24``
      (:data:`ETS_MAX_SEASON`, as R's ``forecast::ets``) and
      ``n >= max(2 m, 10 + 2 floor(m/2))`` (two full seasons, and enough points for the
      heuristic initial states), with ``n = len(y)``, ``m = season``.

    A candidate with ``k`` parameters -- smoothing parameters
    (:math:`\alpha`, :math:`\beta`, :math:`\gamma`, :math:`\phi` as present) plus initial
    states (level, trend, ``m - 1`` free seasonal states) -- is admissible only if
    ``n > k + 4`` (R's rule), so at most 9 models are fitted and short series keep the
    simpler ones.

    Selection and fitting, in three steps:

    1. every admissible candidate is fitted by maximum likelihood over its smoothing
       parameters, with the initial states from the heuristic of Hyndman &
       Athanasopoulos (FPP3 section 8.6, statsmodels ``initialization_method="heuristic"``;
       for ``n < 10``, where the heuristic is unavailable, the initial states are
       estimated too);
    2. the candidate with the smallest

       .. math:: \mathrm{AICc} = -2 \log L + 2 (k + 1) + \frac{2 (k + 1)(k + 2)}{n - k - 2}

       is chosen (``k + 1`` counts the variance; ties go to the simpler model, in the
       order N, A, Ad and then N, A, M);
    3. the chosen model is refitted with its initial states estimated jointly by maximum
       likelihood (``initialization_method="estimated"``, started from step 1), and the
       refit is kept when its likelihood is at least as high.

    The forecast is the model's point forecast (the conditional mean), e.g. for
    ETS(A,Ad,M): :math:`\hat y_{T+h} = (\ell_T + (\phi + \dots + \phi^h) b_T)\,
    s_{T+h-m\lceil h/m \rceil}`.

    Seasons longer than 24 (weekly data with 52, hourly with 168, ...): if all ``y > 0``
    and the M4 test :func:`~forecastkit.models.naive2.seasonality_test` finds the
    series seasonal, the non-seasonal candidates are fitted to the series divided by the
    multiplicative indices of :func:`~forecastkit.models.naive2.seasonal_indices`, and
    the forecast is reseasonalised with the indices continuing the phase (as Naive2).

    Fallbacks: a constant series returns its constant; a series with fewer than 7
    observations (no admissible model) returns the naive forecast.

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The observed series, oldest first. 1-D, finite, ``T >= 1``.
    horizon : int
        Number of steps ``H >= 1`` to forecast.
    season : int
        Season length ``m >= 1`` (1 = no seasonal candidates).

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
        If every candidate fails to fit or gives a non-finite forecast.

    Examples
    --------
    A noisy linear trend of slope 2 is extrapolated with that slope:

    >>> import numpy as np
    >>> y = 10 + 2 * np.arange(30.0) + np.tile([0.5, -0.5, 0.0], 10)
    >>> ets(y, horizon=3, season=1).round(0)
    array([70., 72., 74.])
    >>> ets([1.0, 2.0, 3.0], horizon=2, season=1)      # too short: naive
    array([3., 3.])
    """
    arr, horizon, season = _prepare(y, horizon, season)
    return _ets_path(arr, horizon, season)[0]


def _ets_path(arr, horizon, season):
    """:func:`ets` on checked input: ``(forecast, results, z, future)`` with ``results`` the
    fitted ``ETSResults`` of the series ``z`` actually modelled (None for the constant and
    naive fallbacks) and ``future`` the reseasonalising factors (None: not adjusted)."""
    if np.ptp(arr) == 0.0:
        return _constant(arr[0], horizon), None, arr, None
    with _fitting():
        if season > ETS_MAX_SEASON:
            z, future = _adjust(arr, season, horizon)
            forecast, results = _ets(z, horizon, 1, arr, season)
            return forecast * future, results, z, future
        forecast, results = _ets(arr, horizon, season, arr, season)
        return forecast, results, arr, None


def _ets(arr, horizon, season, original, original_season):
    """Steps 1-3 of :func:`ets` on ``arr`` (``original``/``original_season`` for messages);
    returns ``(forecast, results)``, ``results`` None for the naive fallback."""
    candidates = list(_ets_candidates(arr, season))
    if not candidates:
        return _constant(arr[-1], horizon), None
    n = arr.size
    init = "heuristic" if n >= 10 else "estimated"
    errors: list[str] = []
    best = None  # (aicc, model, params, llf, spec)
    for trend, damped, seasonal, npars in candidates:
        name = _ets_name(trend, damped, seasonal)
        try:
            model = _ets_model(arr, trend, damped, seasonal, season, init)
            params = model.fit(disp=False, return_params=True)
            llf = float(model.loglike(params))
        except _FIT_ERRORS as err:
            errors.append(f"{name}: {type(err).__name__}: {err}")
            continue
        k = npars + 1
        aicc = -2.0 * llf + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1)
        if not np.isfinite(aicc):
            errors.append(f"{name}: non-finite likelihood")
        elif best is None or aicc < best[0]:
            best = (aicc, model, params, llf, (trend, damped, seasonal))
    if best is None:
        raise _failed("ets", original, original_season, errors)

    _, model, params, llf, spec = best
    forecast = results = None
    if init == "heuristic":
        forecast, results = _ets_refit(arr, *spec, season, params, llf, horizon)
    if forecast is None:
        try:
            results = model.smooth(params)
            forecast = _finite(results.forecast(horizon), horizon)
        except _FIT_ERRORS as err:
            errors.append(f"{_ets_name(*spec)}: {type(err).__name__}: {err}")
        else:
            if forecast is None:
                errors.append(f"{_ets_name(*spec)}: non-finite forecast")
    if forecast is None:
        raise _failed("ets", original, original_season, errors)
    return forecast, results


def _ets_refit(arr, trend, damped, seasonal, season, params, llf, horizon):
    """Step 3 of :func:`ets`: estimate the initial states too; ``(forecast, results)``, or
    ``(None, None)`` if it does not help."""
    try:
        model = _ets_model(arr, trend, damped, seasonal, season, "estimated")
        start = np.array(model.start_params, dtype=np.float64)
        start[: len(params)] = params  # smoothing parameters come first, then the states
        refit = model.fit(start_params=start, disp=False, return_params=True)
        if not float(model.loglike(refit)) >= llf:
            return None, None
        results = model.smooth(refit)
        forecast = _finite(results.forecast(horizon), horizon)
        return forecast, (results if forecast is not None else None)
    except _FIT_ERRORS:
        return None, None


def ets_intervals(y, horizon: int, season: int, levels=(80.0, 95.0)) -> np.ndarray:
    r"""Prediction intervals of :func:`ets`: statsmodels' intervals of the chosen ETS model.

    The model is selected and fitted exactly as in :func:`ets`; its
    ``ETSResults.get_prediction`` gives the bounds: analytic for the linear models
    (ETS(A,N,N), (A,A,N), (A,Ad,N), (A,N,A), (A,A,A), (A,Ad,A): Gaussian with the forecast
    variance of Hyndman et al. 2008, table 6.1, and ``sigma^2`` the mean squared one-step
    residual), and the empirical quantiles of :data:`ETS_SIMULATIONS` simulated sample paths
    (seeded with :data:`ETS_SEED`, so repeatable) for the multiplicative-season models.
    Each bound is taken relative to statsmodels' mean forecast and added to the forecast of
    :func:`ets` (the same number up to rounding); for seasons over 24 (fitted on the
    seasonally adjusted series) the offset is reseasonalised like the forecast:
    ``forecast + (bound - adjusted forecast) * S``. Simulated bounds are empirical quantiles,
    so they need not be symmetric (nor, for very low levels, contain the mean forecast).

    Fallbacks follow :func:`ets`: a constant series has zero-width intervals; a series too
    short for any candidate gets the naive intervals (of the adjusted series, reseasonalised,
    when adjusted).

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
        As :func:`ets`; ConfigError also when a level is not in (0, 100).

    Examples
    --------
    >>> import numpy as np
    >>> y = 10 + 2 * np.arange(30.0) + np.tile([0.5, -0.5, 0.0], 10)
    >>> out = ets_intervals(y, horizon=3, season=1, levels=(80, 95))
    >>> out.shape, bool(np.all(out[1, 0] < out[0, 0])), bool(np.all(out[0, 1] < out[1, 1]))
    ((2, 2, 3), True, True)
    """
    arr, horizon, season, levels = _prepare_intervals(y, horizon, season, levels)
    point, results, z, future = _ets_path(arr, horizon, season)
    if np.ptp(arr) == 0.0:
        return _zero_width(point, levels)
    scale = np.ones(horizon) if future is None else future
    if results is None:  # naive fallback
        return _gaussian_bounds(point, _naive_sd(z, horizon) * scale, levels)
    with _fitting():
        # statsmodels 0.15's get_prediction needs pandas data (it reads predicted_mean.index):
        # the same model and parameters on z as a Series, which reproduces the same forecast
        model = results.model
        results = ETSModel(
            pd.Series(z), error=model.error, trend=model.trend, damped_trend=model.damped_trend,
            seasonal=model.seasonal, seasonal_periods=model.seasonal_periods,
            initialization_method=model.initialization_method,
        ).smooth(np.asarray(results.params))
        prediction = results.get_prediction(
            start=z.size, end=z.size + horizon - 1, simulate_repetitions=ETS_SIMULATIONS,
            rng=np.random.default_rng(ETS_SEED),
        )
        mean = np.asarray(prediction.predicted_mean, dtype=np.float64)
        bounds = np.stack([np.asarray(prediction.pred_int(alpha=1.0 - level / 100.0)).T
                           for level in levels])
    return point + (bounds - mean) * scale
