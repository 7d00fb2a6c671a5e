r"""Scaled errors: MASE, its in-sample scales (with the naive fallback) and the M4 OWA.

Examples
--------
>>> seasonal, naive_scale = insample_scales([10.0, 12.0, 10.0, 12.0], season=1)
>>> mase([14.0, 12.0], [13.0, 13.0], scale=naive_scale)
0.5
"""

from __future__ import annotations

import warnings

import numpy as np

from ..checks import check_int
from ..errors import ConfigError, DataError, MetricWarning, user_stacklevel
from .inputs import _as_float, _pair, _scalar_or_array


def _scaled_abs_error(y_true, y_pred, scale=None):
    if scale is None:
        raise ConfigError(
            "The `mase` row loss needs `scale` (the effective in-sample scale per row). "
            "Received: scale=None. Compute it with insample_scales() and effective_scale()."
        )
    s = np.asarray(scale, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(np.subtract(y_true, y_pred)) / np.where(s > 0, s, np.nan)


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
            stacklevel=user_stacklevel(),
        )
        if n_undefined == y.size:
            return float("nan")
    return float(np.mean(losses[defined]))


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
            "missing values first (`fill` when loading data)."
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
