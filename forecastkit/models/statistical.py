r"""Statistical baselines on statsmodels: automatic ETS, Theta and ARIMA.

Each function has the signature of the numpy baselines in
:mod:`forecastkit.models.baselines`: it takes one series ``y`` (1-D, finite, at least
one observation, oldest first), the number of steps ``horizon`` and the season length
``season`` (observations per cycle, ``1`` = no seasonality) and returns a float64 array of
shape ``(horizon,)`` with the point forecasts for steps ``1..horizon`` after ``y[-1]``.
Each call selects and fits its model on ``y`` alone (no state is kept), so a walk-forward
evaluation simply calls it once per origin with the history known at that origin.

The selection rules are deterministic (same input, same output) and chosen so one call
takes a fraction of a second on a few hundred observations:

* :func:`ets` -- ETS with additive errors; trend none / additive / damped, seasonality
  none / additive / multiplicative; chosen by AICc (seasons over 24: non-seasonal ETS on
  the seasonally adjusted series).
* :func:`theta` -- the Theta method of Assimakopoulos & Nikolopoulos (SES with drift,
  ``theta = 2``) on the series seasonally adjusted when the M4 seasonality test says so.
* :func:`arima` -- ARIMA(p, d, q) with ``d`` from repeated KPSS tests and ``p, q <= 2`` by
  (conditional-sum-of-squares) AIC, fitted by maximum likelihood, on the seasonally
  adjusted series when the M4 seasonality test says so.

Common rules (documented fallbacks, never errors):

* a constant series is forecast by its constant (no model can be fitted to it);
* a series too short for any candidate model gets the naive forecast (last value);
* seasonality is used only when there is enough data for it (see each function).

statsmodels' convergence and estimation warnings are silenced inside each call only
(``warnings.catch_warnings``), never globally, and BLAS runs single-threaded during the call
(``threadpoolctl``; the matrices are tiny and a multi-threaded BLAS makes statsmodels'
Kalman filter several times slower on a busy CPU). Forecasts are always finite: a
candidate whose fit raises or whose forecast is not finite is discarded, and when every
candidate fails :class:`~forecastkit.errors.TrainingError` names the model and the reasons.

Each model also has a native prediction interval function ``<name>_intervals(y, horizon,
season, levels)`` returning a float64 array of shape ``(len(levels), 2, horizon)``
(``out[i, 0]`` lower, ``out[i, 1]`` upper bound of the central ``levels[i]`` % interval,
levels in percent, each in ``(0, 100)``). It runs the same selection and fit as the point
function (so the same fallbacks), centres the bounds on the same point forecast and maps
them back through the same transforms (reseasonalised with the same indices):

* :func:`ets_intervals` -- statsmodels' ETS intervals of the chosen model
  (``ETSResults.get_prediction``: analytic for the linear models, simulated with a fixed seed
  for the multiplicative-season ones);
* :func:`theta_intervals` -- the analytic formula of statsmodels'
  ``ThetaModelResults.prediction_intervals``, applied on the seasonally adjusted scale;
* :func:`arima_intervals` -- analytic, from the psi-weights of the fitted ARIMA(p, d, q)
  (differencing included) and its maximum-likelihood innovation variance.

A constant series gets zero-width intervals; a naive fallback gets
:func:`~forecastkit.models.baselines.naive_intervals`.

Typical cost of one call on a 2-core CPU: ``ets`` 0.1-0.3 s on 144 monthly points (nine
candidates, one refit), ``arima`` about 0.1 s, ``theta`` about 0.01 s.

Examples
--------
>>> import numpy as np
>>> from forecastkit.models.statistical import arima, ets, theta
>>> y = np.full(20, 7.0)                      # a constant series: its constant
>>> ets(y, horizon=2, season=4), theta(y, 2, 4), arima(y, 2, 4)
(array([7., 7.]), array([7., 7.]), array([7., 7.]))
>>> arima_intervals(y, horizon=2, season=4, levels=(80, 95)).shape   # zero width here
(2, 2, 2)
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.signal import lfilter
from statsmodels.tools.sm_exceptions import ModelWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.arima_process import arma2ma
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.stattools import kpss
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

from ..checks import check_int
from ..intervals import check_level_values
from ..errors import TrainingError
from .baselines import (
    _check_y, _gaussian_bounds, _naive_sd, seasonal_indices, seasonality_test,
)

__all__ = ["arima", "ets", "theta", "arima_intervals", "ets_intervals", "theta_intervals"]

#: Largest season length for which :func:`ets` considers seasonal models (as R's
#: ``forecast::ets``); longer seasons (weekly data with 52, hourly with 168, ...) would
#: need too many initial states to estimate.
ETS_MAX_SEASON = 24

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

#: Shortest series :func:`theta` fits (fewer points: naive forecast).
THETA_MIN_LENGTH = 3

#: Sample paths statsmodels simulates for the ETS intervals of multiplicative-season models
#: (those without an analytic forecast variance), and the seed that makes them repeatable.
ETS_SIMULATIONS = 2000
ETS_SEED = 0


# ------------------------------------------------------------------------------ helpers

#: What a failed statsmodels fit raises (anything else is a bug and propagates).
_FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError)


@contextlib.contextmanager
def _fitting():
    """Local fitting context: statsmodels' model warnings and numpy overflow noise silenced,
    BLAS limited to one thread (the matrices are tiny; on a busy machine a multi-threaded
    BLAS makes statsmodels' Kalman filter several times slower). All restored on exit."""
    with (
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        warnings.simplefilter("ignore", ModelWarning)  # Convergence/Value/Estimation/...
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _prepare(y, horizon, season):
    return _check_y(y), check_int(horizon, "horizon"), check_int(season, "season")


def _constant(value: float, horizon: int) -> np.ndarray:
    return np.full(horizon, value, dtype=np.float64)


def _failed(model: str, arr: np.ndarray, season: int, errors: list[str]) -> TrainingError:
    reasons = "; ".join(errors) or "no candidate model could be fitted"
    return TrainingError(
        f"`{model}` could not fit any candidate model to y (len(y)={arr.size}, "
        f"season={season}): {reasons}. Check the series for extreme values or use a simpler "
        "baseline such as naive2."
    )


def _finite(forecast, horizon: int) -> np.ndarray | None:
    out = np.asarray(forecast, dtype=np.float64).reshape(-1)
    if out.shape != (horizon,) or not np.all(np.isfinite(out)):
        return None
    return out


def _prepare_intervals(y, horizon, season, levels):
    arr, horizon, season = _prepare(y, horizon, season)
    return arr, horizon, season, check_level_values(levels)


def _zero_width(point: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """Degenerate intervals (lower = upper = point) of a deterministic forecast."""
    return np.broadcast_to(point, (len(levels), 2, point.size)).copy()


def _adjust(arr: np.ndarray, season: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """M4-style seasonal adjustment: ``(y / S[t % m], S for the forecast steps)`` when
    ``season > 1``, all ``y > 0`` and the M4 test finds seasonality; else ``(y, ones)``."""
    if season > 1 and arr.min() > 0 and seasonality_test(arr, season):
        indices = seasonal_indices(arr, season)
        n = arr.size
        return arr / indices[np.arange(n) % season], indices[(n + np.arange(horizon)) % season]
    return arr, np.ones(horizon)


# ---------------------------------------------------------------------------------- ETS


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
    and the M4 test :func:`~forecastkit.models.baselines.seasonality_test` finds the
    series seasonal, the non-seasonal candidates are fitted to the series divided by the
    multiplicative indices of :func:`~forecastkit.models.baselines.seasonal_indices`, and
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


# -------------------------------------------------------------------------------- Theta


def theta(y, horizon: int, season: int) -> np.ndarray:
    r"""Theta method forecast (the M4 benchmark "Theta"), via statsmodels ``ThetaModel``.

    1. Seasonal adjustment: if ``season > 1``, all ``y > 0`` and the M4 90 %
       autocorrelation test :func:`~forecastkit.models.baselines.seasonality_test` finds
       the series seasonal (which needs ``len(y) >= 3 * season``), the series is divided
       by the multiplicative indices of a classical decomposition
       (``ThetaModel(deseasonalize=True, use_test=False, method="auto")``, which is
       multiplicative for positive data, the same indices as
       :func:`~forecastkit.models.baselines.seasonal_indices`); otherwise it is used as is.
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


# -------------------------------------------------------------------------------- ARIMA


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
       ``y > 0`` and the M4 test :func:`~forecastkit.models.baselines.seasonality_test`
       finds the series seasonal, ``z_t = y_t / S_{t mod m}`` with the multiplicative
       indices ``S`` of :func:`~forecastkit.models.baselines.seasonal_indices`, and the
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
