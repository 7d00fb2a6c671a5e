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

* :func:`~forecastkit.models.ets.ets` -- ETS with additive errors; trend none / additive / damped, seasonality
  none / additive / multiplicative; chosen by AICc (seasons over 24: non-seasonal ETS on
  the seasonally adjusted series).
* :func:`~forecastkit.models.theta.theta` -- the Theta method of Assimakopoulos & Nikolopoulos (SES with drift,
  ``theta = 2``) on the series seasonally adjusted when the M4 seasonality test says so.
* :func:`~forecastkit.models.arima.arima` -- ARIMA(p, d, q) with ``d`` from repeated KPSS tests and ``p, q <= 2`` by
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

* :func:`~forecastkit.models.ets.ets_intervals` -- statsmodels' ETS intervals of the chosen model
  (``ETSResults.get_prediction``: analytic for the linear models, simulated with a fixed seed
  for the multiplicative-season ones);
* :func:`~forecastkit.models.theta.theta_intervals` -- the analytic formula of statsmodels'
  ``ThetaModelResults.prediction_intervals``, applied on the seasonally adjusted scale;
* :func:`~forecastkit.models.arima.arima_intervals` -- analytic, from the psi-weights of the fitted ARIMA(p, d, q)
  (differencing included) and its maximum-likelihood innovation variance.

A constant series gets zero-width intervals; a naive fallback gets
:func:`~forecastkit.models.baselines.naive_intervals`.

Typical cost of one call on a 2-core CPU: ``ets`` 0.1-0.3 s on 144 monthly points (nine
candidates, one refit), ``arima`` about 0.1 s, ``theta`` about 0.01 s.

The models live in :mod:`forecastkit.models.ets`, :mod:`forecastkit.models.theta` and
:mod:`forecastkit.models.arima`; this module holds what they share: the fitting context,
the argument checks, the fallbacks and the M4-style seasonal adjustment.

Examples
--------
>>> import numpy as np
>>> from forecastkit.models.arima import arima, arima_intervals
>>> from forecastkit.models.ets import ets
>>> from forecastkit.models.theta import theta
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
from statsmodels.tools.sm_exceptions import ModelWarning
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

from ..checks import check_int, check_level_values
from ..errors import TrainingError
from .baselines import _check_y
from .naive2 import seasonal_indices, seasonality_test

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
