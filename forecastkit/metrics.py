r"""Forecast accuracy metrics: MAE, RMSE, MAPE, sMAPE, MASE and the M4 OWA.

Plain numpy/pandas functions (no Keras), usable on any forecasts. Throughout,
``y`` is the actual value, ``f`` the forecast and ``e = y - f`` the error; means run over
all values given (any shape; ``y_true`` and ``y_pred`` are matched by position, not
by pandas index).

Two layers:

* Scalar metrics on arrays: :func:`mae`, :func:`rmse`, :func:`mape`, :func:`smape`,
  :func:`mase`, plus the MASE scales (:func:`insample_scales`, :func:`effective_scale`)
  and :func:`owa`.
* Table metrics on the walk-forward results: :data:`ROW_LOSSES` (one loss per forecast
  value, also the input of Diebold-Mariano tests), :func:`row_losses` and :func:`score`
  (leaderboards by model, id, horizon and/or origin).

The results table has one row per forecast value with the columns ``model``, ``id``,
``fit``, ``origin``, ``h``, ``time``, ``y_true``, ``y_pred`` (``y_pred`` is NaN when the
fit failed). The scales table has one row per ``(id, origin)`` with ``scale`` (in-sample
MAE of the seasonal naive forecast, lag ``m``, on the history known at that origin) and
``scale_naive`` (the same with lag 1), as returned by :func:`insample_scales`.

Undefined values are NaN, never ``inf``: MAPE skips ``y == 0`` and MASE skips rows
whose scale is undefined, each with a :class:`MetricWarning` saying how many.

Examples
--------
>>> from forecastkit.metrics import mae, smape, mase, insample_scales
>>> history = [10.0, 12.0, 10.0, 12.0]
>>> seasonal, naive_scale = insample_scales(history, season=1)
>>> naive_scale
2.0
>>> mae([14.0, 12.0], [13.0, 13.0]), mase([14.0, 12.0], [13.0, 13.0], scale=naive_scale)
(1.0, 0.5)
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import pandas as pd

from .checks import check_int
from .errors import ConfigError, ConfigTypeError, DataError

__all__ = [
    "MetricWarning",
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "insample_scales",
    "effective_scale",
    "owa",
    "ROW_LOSSES",
    "METRICS",
    "GROUP_COLUMNS",
    "row_losses",
    "score",
]


class MetricWarning(UserWarning):
    """A metric skipped values where it is undefined (``y == 0`` in MAPE, zero MASE scale)."""


# ----------------------------------------------------------------------------- validation


def _as_float(value, name: str) -> np.ndarray:
    """``value`` as a float64 array, or a ConfigTypeError naming the argument."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigTypeError(
            f"`{name}` must be an array of numbers with one shape. Received: {name} of type "
            f"{type(value).__name__} that cannot be converted to float ({err})."
        ) from None


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(y_true, y_pred)`` float arrays of the same, non-empty shape."""
    y = _as_float(y_true, "y_true")
    f = _as_float(y_pred, "y_pred")
    if y.shape != f.shape:
        raise ConfigError(
            "Arguments `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={y.shape}, y_pred.shape={f.shape}. "
            "Pass one forecast per actual value, in the same order."
        )
    if y.size == 0:
        raise ConfigError(
            "Arguments `y_true` and `y_pred` must contain at least 1 value. "
            f"Received: y_true.shape={y.shape}, y_pred.shape={f.shape}."
        )
    return y, f


def _scalar_or_array(out: np.ndarray):
    """Python float for 0-d results, the array otherwise."""
    return float(out) if np.ndim(out) == 0 else out


# ------------------------------------------------------------------------ per-row losses


def _abs_error(y_true, y_pred, scale=None):
    return np.abs(np.subtract(y_true, y_pred))


def _squared_error(y_true, y_pred, scale=None):
    e = np.subtract(y_true, y_pred)
    return e * e


def _ape(y_true, y_pred, scale=None):
    y = np.asarray(y_true, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * np.abs(y - y_pred) / np.abs(y)
    return np.where(y == 0, np.nan, out)


def _sape(y_true, y_pred, scale=None):
    y = np.asarray(y_true, dtype=np.float64)
    f = np.asarray(y_pred, dtype=np.float64)
    denom = np.abs(y) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 200.0 * np.abs(y - f) / denom
    out = np.where(denom == 0, 0.0, out)                         # 0/0 counts as 0
    return np.where(np.isinf(f) & np.isfinite(y), 200.0, out)    # the limit, not inf/inf


def _scaled_abs_error(y_true, y_pred, scale=None):
    if scale is None:
        raise ConfigError(
            "The `mase` row loss needs `scale` (the effective in-sample scale per row). "
            "Received: scale=None. Compute it with insample_scales() and effective_scale()."
        )
    s = np.asarray(scale, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(np.subtract(y_true, y_pred)) / np.where(s > 0, s, np.nan)


#: Per-row loss of each metric, ``loss(y_true, y_pred, scale=None) -> ndarray`` on numpy
#: arrays (no validation; NaN inputs give NaN). Aggregating a metric over rows is the mean
#: of its row losses (``rmse``: square root of the mean). These are also the losses the
#: Diebold-Mariano test compares.
#:
#: ==========  =====================================================================
#: ``mae``     :math:`|e|`
#: ``rmse``    :math:`e^2` (aggregated by mean, then square root)
#: ``mape``    :math:`100 |e| / |y|`, NaN where ``y == 0``
#: ``smape``   :math:`200 |e| / (|y| + |f|)`, 0 where ``y == f == 0``
#: ``mase``    :math:`|e| / s` with ``s`` the :func:`effective_scale`; NaN where ``s`` is NaN or 0
#: ==========  =====================================================================
ROW_LOSSES: dict[str, Callable[..., np.ndarray]] = {
    "mae": _abs_error,
    "rmse": _squared_error,
    "mape": _ape,
    "smape": _sape,
    "mase": _scaled_abs_error,
}

#: Metric names accepted by :func:`score` (``owa`` is a ratio of averages, not a row loss).
METRICS: tuple[str, ...] = (*ROW_LOSSES, "owa")

#: Columns of the results table :func:`score` can group by.
GROUP_COLUMNS: tuple[str, ...] = ("model", "id", "h", "origin")


# ---------------------------------------------------------------------- scalar metrics


def mae(y_true, y_pred) -> float:
    r"""Mean absolute error.

    .. math:: \mathrm{MAE} = \frac{1}{n} \sum_{i=1}^{n} |y_i - f_i|

    Parameters
    ----------
    y_true, y_pred : array_like of float
        Actual values and forecasts, same shape (any number of dimensions), at least one
        value. NaN propagates to the result.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        If the shapes differ or the arrays are empty.
    ConfigTypeError
        If an input cannot be converted to numbers.

    Examples
    --------
    >>> mae([3.0, 5.0, 2.0], [2.0, 5.0, 4.0])
    1.0
    """
    y, f = _pair(y_true, y_pred)
    return float(np.mean(_abs_error(y, f)))


def rmse(y_true, y_pred) -> float:
    r"""Root mean squared error.

    .. math:: \mathrm{RMSE} = \sqrt{\frac{1}{n} \sum_{i=1}^{n} (y_i - f_i)^2}

    Parameters
    ----------
    y_true, y_pred : array_like of float
        Actual values and forecasts, same shape, at least one value.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        If the shapes differ or the arrays are empty.
    ConfigTypeError
        If an input cannot be converted to numbers.

    Examples
    --------
    >>> rmse([1.0, 2.0, 3.0, 4.0], [4.0, 2.0, 7.0, 4.0])
    2.5
    """
    y, f = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean(_squared_error(y, f))))


def mape(y_true, y_pred) -> float:
    r"""Mean absolute percentage error, in percent.

    .. math:: \mathrm{MAPE} = \frac{100}{|I|} \sum_{i \in I} \frac{|y_i - f_i|}{|y_i|},
              \qquad I = \{i : y_i \neq 0\}

    Values with ``y == 0`` (percentage error undefined) are skipped and a
    :class:`MetricWarning` says how many; if every ``y`` is 0 the result is NaN.
    Prefer :func:`smape` or :func:`mase` for series at or near zero.

    Parameters
    ----------
    y_true, y_pred : array_like of float
        Actual values and forecasts, same shape, at least one value.

    Returns
    -------
    float

    Warns
    -----
    MetricWarning
        When some (or all) ``y_true`` values are 0.

    Raises
    ------
    ConfigError
        If the shapes differ or the arrays are empty.

    Examples
    --------
    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     print(mape([0.0, 100.0, 200.0], [5.0, 110.0, 180.0]))
    10.0
    >>> print(caught[0].message)
    MAPE skipped 1 of 3 values where y_true == 0 (percentage error undefined); use smape or mase for series that reach zero.
    """
    y, f = _pair(y_true, y_pred)
    losses = _ape(y, f)
    _warn_skipped_zero_y(int(np.count_nonzero(y == 0)), y.size, stacklevel=3)
    if np.all(y == 0):
        return float("nan")
    return float(np.mean(losses[y != 0]))   # NaN forecasts propagate


def _warn_skipped_zero_y(n_zero: int, n: int, stacklevel: int) -> None:
    if n_zero == 0:
        return
    if n_zero == n:
        msg = (f"MAPE is undefined: all {n} values of y_true are 0; returning nan. "
               "Use smape or mase instead.")
    else:
        msg = (f"MAPE skipped {n_zero} of {n} values where y_true == 0 (percentage error "
               "undefined); use smape or mase for series that reach zero.")
    warnings.warn(msg, MetricWarning, stacklevel=stacklevel)


def smape(y_true, y_pred) -> float:
    r"""Symmetric mean absolute percentage error (M4 definition), in percent (0 to 200).

    .. math:: \mathrm{sMAPE} = \frac{200}{n} \sum_{i=1}^{n} \frac{|y_i - f_i|}{|y_i| + |f_i|}

    A term with ``y_i = f_i = 0`` (0/0) counts as 0: the forecast is exact. An infinite
    forecast contributes the limit 200.

    Parameters
    ----------
    y_true, y_pred : array_like of float
        Actual values and forecasts, same shape, at least one value.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        If the shapes differ or the arrays are empty.

    Examples
    --------
    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    y, f = _pair(y_true, y_pred)
    return float(np.mean(_sape(y, f)))


def mase(y_true, y_pred, scale) -> float:
    r"""Mean absolute scaled error.

    .. math:: \mathrm{MASE} = \frac{1}{|I|} \sum_{i \in I} \frac{|y_i - f_i|}{s_i},
              \qquad I = \{i : s_i > 0\}

    where ``s`` is the in-sample MAE of the seasonal naive forecast on the history known
    when forecasting (see :func:`insample_scales`; M4 uses one scale per series,
    :math:`s = \frac{1}{T-m}\sum_{t=m+1}^{T} |y_t - y_{t-m}|`). With a scalar scale this
    is ``mae(y_true, y_pred) / scale``.

    Values whose scale is 0 or NaN (undefined, e.g. a constant history) are skipped with
    a :class:`MetricWarning`; if no value has a defined scale the result is NaN (never
    ``inf``). Apply :func:`effective_scale` first for the naive-scale fallback.

    Parameters
    ----------
    y_true, y_pred : array_like of float
        Actual values and forecasts, same shape, at least one value.
    scale : float or array_like of float
        A scalar, an array of the shape of ``y_true`` (one scale per value), or, for 2-D
        ``y_true`` of shape ``(n_origins, horizon)``, one scale per row (shape
        ``(n_origins,)``). Must be ``>= 0`` (or NaN).

    Returns
    -------
    float

    Warns
    -----
    MetricWarning
        When some (or all) values have a zero or NaN scale.

    Raises
    ------
    ConfigError
        If the shapes differ, the arrays are empty, or ``scale`` is negative.

    Examples
    --------
    >>> mase([10.0, 12.0], [11.0, 14.0], scale=2.0)
    0.75
    >>> mase([[10.0, 12.0], [20.0, 20.0]], [[11.0, 14.0], [22.0, 20.0]], scale=[2.0, 4.0])
    0.5
    """
    y, f = _pair(y_true, y_pred)
    s = _as_float(scale, "scale")
    if s.ndim == 1 and y.ndim == 2 and s.shape[0] == y.shape[0] and s.shape != y.shape:
        s = s[:, None]
    if s.ndim != 0 and s.shape != y.shape and s.shape != (y.shape[0], 1):
        raise ConfigError(
            "Argument `scale` must be a scalar or have the shape of `y_true` (one scale per "
            "value; or one per row of a 2-D y_true). "
            f"Received: scale.shape={s.shape}, y_true.shape={y.shape}."
        )
    if np.any(s < 0):
        bad = float(s[s < 0].flat[0]) if s.ndim else float(s)
        raise ConfigError(
            "`scale` must be >= 0 (a mean absolute error). "
            f"Received: scale={bad!r}. Compute it with insample_scales()."
        )
    losses = np.broadcast_to(_scaled_abs_error(y, f, s), y.shape)
    defined = np.broadcast_to(s > 0, y.shape)
    n_undefined = int(y.size - np.count_nonzero(defined))
    if n_undefined:
        what = ("all" if n_undefined == y.size else f"{n_undefined} of")
        warnings.warn(
            f"MASE undefined for {what} {y.size} values (scale is 0 or nan, e.g. a constant "
            "history); they are skipped. Use effective_scale() to fall back to the naive scale.",
            MetricWarning,
            stacklevel=2,
        )
        if n_undefined == y.size:
            return float("nan")
    return float(np.mean(losses[defined]))


# ---------------------------------------------------------------------------- MASE scales


def insample_scales(y, season: int) -> tuple[float, float]:
    r"""In-sample MAE of the seasonal naive and of the naive forecast: the MASE scales.

    .. math::

        s_m = \frac{1}{T - m} \sum_{t=m+1}^{T} |y_t - y_{t-m}|, \qquad
        s_1 = \frac{1}{T - 1} \sum_{t=2}^{T} |y_t - y_{t-1}|

    computed on the history ``y`` known at a forecast origin (``T = len(y)``,
    ``m = season``). ``s_m`` is NaN when ``T <= m`` (no seasonal difference exists) and
    ``s_1`` is NaN when ``T <= 1``. With ``season=1`` both are equal.

    Fallback rule (applied by :func:`effective_scale`, used by :func:`score` and
    :func:`row_losses`): use ``s_m`` if it is > 0; otherwise ``s_1`` if it is > 0
    (short histories, or a history that repeats its season exactly, like a constant
    season pattern); otherwise the scale is undefined (NaN) and MASE rows using it are
    reported as undefined, not ``inf``.

    Parameters
    ----------
    y : array_like of float, shape (T,)
        The history, oldest first; 1-D and finite (may be empty: both scales NaN).
    season : int
        Season length ``m >= 1`` (1 for no seasonality, 12 for monthly data, ...).

    Returns
    -------
    tuple of float
        ``(seasonal scale s_m, naive scale s_1)``.

    Raises
    ------
    DataError
        If ``y`` is not 1-D or has non-finite values.
    ConfigError, ConfigTypeError
        If ``season`` is not an integer ``>= 1``.

    Examples
    --------
    >>> insample_scales([1.0, 2.0, 4.0, 7.0, 11.0], season=2)
    (5.0, 2.5)
    >>> insample_scales([3.0, 5.0], season=4)
    (nan, 2.0)
    """
    arr = _as_float(y, "y")
    if arr.ndim != 1:
        raise DataError(
            f"`y` must be 1-D (one series' history). Received: y with shape {arr.shape}. "
            "Pass a single series, e.g. y.ravel()."
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        first = int(bad[0])
        raise DataError(
            f"`y` must contain only finite values. Received: {bad.size} non-finite value(s), "
            f"the first at position {first}: y[{first}]={float(arr[first])!r}. Fill or drop "
            "missing values first (--fill / fill= when loading data)."
        )
    season = check_int(season, "season")

    def lag_mae(m: int) -> float:
        if arr.size <= m:
            return float("nan")
        return float(np.mean(np.abs(arr[m:] - arr[:-m])))

    return lag_mae(season), lag_mae(1)


def effective_scale(scale, scale_naive):
    r"""The MASE scale actually used: seasonal, else naive, else undefined.

    .. math::

        s = \begin{cases} s_m & s_m > 0 \\ s_1 & s_m \le 0 \text{ or NaN, and } s_1 > 0 \\
            \mathrm{NaN} & \text{otherwise (MASE undefined)} \end{cases}

    The naive fallback is M4-compatible: it only changes series whose seasonal scale is
    0 (a season repeated exactly) or NaN (history shorter than a season), for which
    the M4 MASE would be ``inf`` or undefined. A constant history has both scales 0:
    the MASE of its forecasts is undefined (NaN), not ``inf``.

    Parameters
    ----------
    scale, scale_naive : float or array_like of float
        Seasonal and naive in-sample scales as returned by :func:`insample_scales`
        (arrays are combined element-wise).

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, an array otherwise.

    Examples
    --------
    >>> effective_scale(4.0, 2.5), effective_scale(0.0, 2.5), effective_scale(float("nan"), 2.5)
    (4.0, 2.5, 2.5)
    >>> effective_scale(0.0, 0.0)
    nan
    >>> effective_scale([3.0, 0.0, 0.0], [1.0, 2.0, 0.0])
    array([ 3.,  2., nan])
    """
    s = _as_float(scale, "scale")
    s1 = _as_float(scale_naive, "scale_naive")
    try:
        out = np.where(s > 0, s, np.where(s1 > 0, s1, np.nan))
    except ValueError:
        raise ConfigError(
            "Arguments `scale` and `scale_naive` must have the same shape. "
            f"Received: scale.shape={s.shape}, scale_naive.shape={s1.shape}."
        ) from None
    return _scalar_or_array(out)


def owa(smape_model, mase_model, smape_naive2, mase_naive2):
    r"""Overall weighted average, the M4 competition ranking measure.

    .. math::

        \mathrm{OWA} = \frac12 \left( \frac{\mathrm{sMAPE}}{\mathrm{sMAPE}_{\mathrm{Naive2}}}
                       + \frac{\mathrm{MASE}}{\mathrm{MASE}_{\mathrm{Naive2}}} \right)

    with each sMAPE / MASE the average over the same forecasts (ratios of averages, as
    in M4, not an average of per-series ratios). Below 1 beats Naive2. NaN when a
    Naive2 value is 0 or NaN (ratio undefined) or any input is NaN.

    Parameters
    ----------
    smape_model, mase_model : float or array_like of float
        Average sMAPE and MASE of the model.
    smape_naive2, mase_naive2 : float or array_like of float
        Average sMAPE and MASE of Naive2 on the same forecasts.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar inputs, an array otherwise.

    Examples
    --------
    >>> owa(9.0, 2.5, 10.0, 2.0)
    1.075
    >>> owa(9.161, 2.777, 9.161, 2.777)
    1.0
    """
    values = [_as_float(v, n) for v, n in ((smape_model, "smape_model"), (mase_model, "mase_model"),
                                           (smape_naive2, "smape_naive2"),
                                           (mase_naive2, "mase_naive2"))]
    s, m, s2, m2 = values
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 0.5 * (s / np.where(s2 > 0, s2, np.nan) + m / np.where(m2 > 0, m2, np.nan))
    except ValueError:
        raise ConfigError(
            "Arguments of `owa` must be scalars or arrays of one shape. Received shapes: "
            + ", ".join(f"{n}={v.shape}" for n, v in zip(
                ("smape_model", "mase_model", "smape_naive2", "mase_naive2"), values))
        ) from None
    return _scalar_or_array(out)


# -------------------------------------------------------------------------- table metrics


def _check_frame(frame, name: str, required, why: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigTypeError(
            f"`{name}` must be a pandas DataFrame. Received: {name} of type "
            f"{type(frame).__name__}."
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"`{name}` is missing column(s) {', '.join(map(repr, missing))} needed {why}. "
            f"Received columns: {', '.join(map(str, frame.columns))}."
        )


def _check_metric_name(metric, valid, argument: str, note: str = "") -> str:
    if not isinstance(metric, str) or metric not in valid:
        raise ConfigError(
            f"Unknown metric {metric!r} in `{argument}`. Valid metrics: "
            f"{', '.join(valid)}.{note} Received: {argument}={metric!r}"
        )
    return metric


def _y_arrays(results: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    try:
        y = results["y_true"].to_numpy(dtype=np.float64)
        f = results["y_pred"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise ConfigTypeError(
            f"`results` columns 'y_true' and 'y_pred' must be numeric. Received: dtypes "
            f"y_true={results['y_true'].dtype}, y_pred={results['y_pred'].dtype} ({err})."
        ) from None
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        row = results.index[bad[0]]
        raise DataError(
            f"`results` column 'y_true' must be finite. Received: {bad.size} non-finite "
            f"value(s), the first at index {row!r}: y_true={float(y[bad[0]])!r}. Actual values "
            "come from the validated panel; fill missing values when loading (--fill / fill=)."
        )
    return y, f


def _lookup_scales(results: pd.DataFrame, scales) -> np.ndarray:
    """The effective MASE scale of every results row (aligned by position)."""
    if scales is None:
        raise ConfigError(
            "`scales` is required for mase and owa (the in-sample scale per id and origin). "
            "Received: scales=None. Pass the walk-forward scales table, or build one with "
            "insample_scales() on each history (columns id, origin, scale, scale_naive)."
        )
    _check_frame(scales, "scales", ("id", "origin", "scale", "scale_naive"), "for mase")
    lookup = pd.DataFrame({
        "id": scales["id"].to_numpy(),
        "origin": scales["origin"].to_numpy(),
        "_scale": effective_scale(scales["scale"].to_numpy(dtype=np.float64, na_value=np.nan),
                                  scales["scale_naive"].to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)),
    })
    dup = lookup.duplicated(["id", "origin"])
    if dup.any():
        first = lookup.loc[dup.to_numpy()].iloc[0]
        raise ConfigError(
            "`scales` must have one row per (id, origin). Received: "
            f"{int(dup.sum())} duplicate row(s), the first id={first['id']!r}, "
            f"origin={first['origin']!r}."
        )
    keys = pd.DataFrame({"id": results["id"].to_numpy(), "origin": results["origin"].to_numpy()})
    try:
        merged = keys.merge(lookup, how="left", on=["id", "origin"], indicator=True, sort=False)
    except (TypeError, ValueError) as err:
        raise ConfigError(
            "`scales` columns 'id' and 'origin' must have the types of the results' columns. "
            f"Received: results id/origin dtypes {results['id'].dtype}/{results['origin'].dtype}, "
            f"scales id/origin dtypes {scales['id'].dtype}/{scales['origin'].dtype} ({err})."
        ) from None
    missing = (merged["_merge"] == "left_only").to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ConfigError(
            f"`scales` has no row for id={keys['id'].iloc[first]!r}, "
            f"origin={keys['origin'].iloc[first]!r} ({int(missing.sum())} results row(s) without "
            "a scale). Pass one scale per (id, origin) of the results, computed with "
            "insample_scales() on the history known at that origin (results origin dtype "
            f"{results['origin'].dtype}, scales origin dtype {scales['origin'].dtype})."
        )
    return merged["_scale"].to_numpy(dtype=np.float64)


def _losses(results: pd.DataFrame, scales, metric: str, y, f) -> np.ndarray:
    scale = _lookup_scales(results, scales) if metric == "mase" else None
    return np.asarray(ROW_LOSSES[metric](y, f, scale), dtype=np.float64)


def row_losses(results: pd.DataFrame, scales, metric: str) -> pd.Series:
    r"""Per-row loss of one metric for every forecast in a results table.

    The loss of row ``i`` is ``ROW_LOSSES[metric](y_true_i, y_pred_i, s_i)`` (see
    :data:`ROW_LOSSES`): :math:`|e|`, :math:`e^2` (rmse), :math:`100|e|/|y|` (mape),
    :math:`200|e|/(|y|+|f|)` (smape) or :math:`|e|/s` (mase), with ``s`` the
    :func:`effective_scale` of the row's ``(id, origin)`` in ``scales``.

    NaN marks rows where the loss is undefined or the fit failed: ``y_pred`` NaN, mape
    with ``y_true == 0``, mase with an undefined scale. No warning is raised here
    (:func:`score` reports the counts).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results with at least ``y_true`` and ``y_pred`` (plus ``id`` and ``origin``
        for mase).
    scales : pandas.DataFrame or None
        Columns ``id``, ``origin``, ``scale``, ``scale_naive``, one row per (id, origin);
        only used (and then required) for ``metric="mase"``.
    metric : str
        One of ``mae``, ``rmse``, ``mape``, ``smape``, ``mase``.

    Returns
    -------
    pandas.Series of float64
        Aligned with ``results.index``, named after the metric.

    Raises
    ------
    ConfigError
        Unknown metric, missing columns, or a results (id, origin) without a scale.
    DataError
        Non-finite ``y_true``.

    Examples
    --------
    >>> import pandas as pd
    >>> results = pd.DataFrame({"model": "naive", "id": "a", "origin": [5, 5], "h": [1, 2],
    ...                         "y_true": [10.0, 12.0], "y_pred": [11.0, 11.0]})
    >>> scales = pd.DataFrame({"id": ["a"], "origin": [5], "scale": [0.0], "scale_naive": [2.0]})
    >>> row_losses(results, scales, "mase").tolist()
    [0.5, 0.5]
    >>> row_losses(results, None, "smape").round(3).tolist()
    [9.524, 8.696]
    """
    metric = _check_metric_name(
        metric, tuple(ROW_LOSSES), "metric",
        " (owa is a ratio of averages, not a per-row loss: use score().)" if metric == "owa"
        else "")
    needed = ("y_true", "y_pred") + (("id", "origin") if metric == "mase" else ())
    _check_frame(results, "results", needed, f"for {metric}")
    y, f = _y_arrays(results)
    return pd.Series(_losses(results, scales, metric, y, f), index=results.index, name=metric)


def _normalise_names(value, argument: str) -> tuple:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise ConfigTypeError(
            f"`{argument}` must be a string or a sequence of strings. "
            f"Received: {argument}={value!r} ({type(value).__name__})"
        ) from None


def score(results: pd.DataFrame, scales=None, by=("model",),
          metrics=("mae", "rmse", "mape", "smape", "mase", "owa")) -> pd.DataFrame:
    r"""Leaderboard: aggregate the row losses of each metric per group.

    For a group ``G`` of scored rows (``y_pred`` not NaN), with :data:`ROW_LOSSES`
    :math:`\ell_i`:

    .. math::

        \mathrm{metric}(G) = \operatorname{mean}_{i \in G,\ \ell_i \text{ defined}} \ell_i,
        \qquad \mathrm{RMSE}(G) = \sqrt{\operatorname{mean}_{i \in G} e_i^2}

        \mathrm{OWA}(G) = \frac12 \left(
            \frac{\sum_{i \in P_s} \mathrm{sAPE}_i}{\sum_{i \in P_s} \mathrm{sAPE}^{N2}_i} +
            \frac{\sum_{i \in P_m} \mathrm{SE}_i}{\sum_{i \in P_m} \mathrm{SE}^{N2}_i} \right)

    where ``N2`` is the row of model ``"naive2"`` with the same ``(id, origin, h)`` and
    ``P_s`` / ``P_m`` are the rows of ``G`` where both the model's and Naive2's sMAPE /
    MASE loss are defined: a ratio of means over the same forecasts (M4). OWA is NaN
    when ``naive2`` is not in ``results`` (or has no matching rows).

    Failed rows (``y_pred`` NaN) are excluded and counted in ``n_failed``; ``n`` counts
    the rows scored. MAPE skips ``y_true == 0`` and MASE skips rows with an undefined
    scale (see :func:`effective_scale`), each with a :class:`MetricWarning` giving the
    count; a group with no defined row gets NaN.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results: ``model``, ``id``, ``fit``, ``origin``, ``h``, ``time``,
        ``y_true``, ``y_pred`` (only ``y_true``, ``y_pred``, the ``by`` columns and, for
        mase / owa, ``id``, ``origin`` (+ ``model``, ``h`` for owa) are required).
    scales : pandas.DataFrame or None
        ``id``, ``origin``, ``scale``, ``scale_naive``, one row per (id, origin);
        required when ``mase`` or ``owa`` is requested.
    by : str or sequence of str, default ("model",)
        Group columns, any of ``model``, ``id``, ``h``, ``origin``; ``()`` pools all rows.
        Groups appear in order of first appearance in ``results``.
    metrics : str or sequence of str
        Any of ``mae``, ``rmse``, ``mape``, ``smape``, ``mase``, ``owa``.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, one float column per metric (in the order
        requested), then ``n`` and ``n_failed`` (int64). RangeIndex.

    Raises
    ------
    ConfigError
        Unknown metric or group column, missing columns, missing scales, or duplicate
        naive2 rows for one (id, origin, h).
    DataError
        Non-finite ``y_true``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> results = pd.DataFrame({
    ...     "model": ["naive2"] * 2 + ["linear"] * 2, "id": "a", "fit": 0, "origin": 5,
    ...     "h": [1, 2] * 2, "time": [5, 6] * 2, "y_true": [10.0, 12.0] * 2,
    ...     "y_pred": [11.0, 11.0, 10.5, np.nan]})
    >>> scales = pd.DataFrame({"id": ["a"], "origin": [5], "scale": [2.0], "scale_naive": [2.0]})
    >>> print(score(results, scales, metrics=("mae", "mase", "owa")).round(3).to_string())
        model  mae  mase    owa  n  n_failed
    0  naive2  1.0  0.50  1.000  2         0
    1  linear  0.5  0.25  0.506  1         1

    ``linear`` failed at ``h=2``, so its OWA pairs its ``h=1`` forecast with Naive2's:
    ``0.5 * (4.878 / 9.524 + 0.25 / 0.5) = 0.506``.
    """
    by = _normalise_names(by, "by")
    for column in by:
        if not isinstance(column, str) or column not in GROUP_COLUMNS:
            raise ConfigError(
                f"Unknown group column {column!r} in `by`. Valid columns: "
                f"{', '.join(GROUP_COLUMNS)}. Received: by={by!r}"
            )
    by = tuple(dict.fromkeys(by))
    metrics = _normalise_names(metrics, "metrics")
    for metric in metrics:
        _check_metric_name(metric, METRICS, "metrics")
    metrics = tuple(dict.fromkeys(metrics))

    needed = list(by) + ["y_true", "y_pred"]
    if "mase" in metrics or "owa" in metrics:
        needed += ["id", "origin"]
    if "owa" in metrics:
        needed += ["model", "h"]
    _check_frame(results, "results", tuple(dict.fromkeys(needed)),
                 f"to score {', '.join(metrics)} by {', '.join(by) or '()'}")

    y, f = _y_arrays(results)
    scored = ~np.isnan(f)
    row_metrics = [m for m in ROW_LOSSES if m in metrics or (m in ("smape", "mase")
                                                             and "owa" in metrics)]
    losses = {m: _losses(results, scales, m, y, f) for m in row_metrics}

    if "mape" in metrics:
        _warn_skipped_zero_y(int(np.count_nonzero(scored & (y == 0))), int(scored.sum()),
                             stacklevel=2)
    if "mase" in metrics:
        n_undef = int(np.count_nonzero(scored & np.isnan(losses["mase"])))
        if n_undef:
            warnings.warn(
                f"MASE undefined for {n_undef} of {int(scored.sum())} scored rows (in-sample "
                "scale 0 or nan even after the naive fallback: constant or too-short history); "
                "they are skipped.", MetricWarning, stacklevel=2)

    columns = {c: results[c].to_numpy() for c in by} if by else {"_all": np.zeros(len(y))}
    keys = list(columns)
    frame = pd.DataFrame(columns)
    frame["n"] = scored.astype(np.int64)
    frame["n_failed"] = (~scored).astype(np.int64)
    for m, loss in losses.items():
        frame[m] = loss                       # NaN already where failed or undefined

    if "owa" in metrics:
        _add_owa_sums(frame, results, losses)

    grouped = frame.groupby(keys, sort=False, dropna=False, observed=True)
    sums = grouped[["n", "n_failed"] + [c for c in frame.columns if c.startswith("_owa")]].sum()
    means = grouped[list(losses)].mean() if losses else pd.DataFrame(index=sums.index)

    out = pd.DataFrame(index=sums.index)
    for metric in metrics:
        if metric == "rmse":
            out[metric] = np.sqrt(means["rmse"])
        elif metric == "owa":
            out[metric] = _owa_from_sums(sums) if "_owa_s" in sums else np.nan
        else:
            out[metric] = means[metric]
    out["n"] = sums["n"].astype(np.int64)
    out["n_failed"] = sums["n_failed"].astype(np.int64)
    out = out.reset_index()
    if not by:
        out = out.drop(columns="_all")
    return out


def _add_owa_sums(frame: pd.DataFrame, results: pd.DataFrame, losses: dict) -> None:
    """Add the paired sMAPE / MASE sums of the model and of naive2 (same id, origin, h)."""
    is_n2 = (results["model"] == "naive2").to_numpy(dtype=bool, na_value=False)
    if not is_n2.any():
        return
    keys = ["id", "origin", "h"]
    n2 = pd.DataFrame({k: results[k].to_numpy()[is_n2] for k in keys})
    n2["_s2"] = losses["smape"][is_n2]
    n2["_m2"] = losses["mase"][is_n2]
    dup = n2.duplicated(keys)
    if dup.any():
        first = n2.loc[dup.to_numpy()].iloc[0]
        raise ConfigError(
            "`results` must have one naive2 row per (id, origin, h) to compute owa. Received: "
            f"{int(dup.sum())} duplicate row(s), the first id={first['id']!r}, "
            f"origin={first['origin']!r}, h={first['h']!r}."
        )
    all_keys = pd.DataFrame({k: results[k].to_numpy() for k in keys})
    merged = all_keys.merge(n2, how="left", on=keys, sort=False)
    s, s2 = losses["smape"], merged["_s2"].to_numpy(dtype=np.float64)
    m, m2 = losses["mase"], merged["_m2"].to_numpy(dtype=np.float64)
    ok_s = ~np.isnan(s) & ~np.isnan(s2)
    ok_m = ~np.isnan(m) & ~np.isnan(m2)
    frame["_owa_s"] = np.where(ok_s, s, 0.0)
    frame["_owa_s2"] = np.where(ok_s, s2, 0.0)
    frame["_owa_m"] = np.where(ok_m, m, 0.0)
    frame["_owa_m2"] = np.where(ok_m, m2, 0.0)
    frame["_owa_ns"] = ok_s.astype(np.int64)
    frame["_owa_nm"] = ok_m.astype(np.int64)


def _owa_from_sums(sums: pd.DataFrame) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(sums["_owa_ns"] > 0, sums["_owa_s"], np.nan)
        m = np.where(sums["_owa_nm"] > 0, sums["_owa_m"], np.nan)
        return owa(s, m, sums["_owa_s2"].to_numpy(), sums["_owa_m2"].to_numpy())
