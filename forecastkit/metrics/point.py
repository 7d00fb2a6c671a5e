r"""Point-error metrics on arrays: MAE, RMSE, MAPE and sMAPE, with their per-row losses.

Throughout, ``y`` is the actual value, ``f`` the forecast and ``e = y - f`` the error; means
run over all values given (any shape; ``y_true`` and ``y_pred`` are matched by position).

Examples
--------
>>> mae([3.0, 5.0, 2.0], [2.0, 5.0, 4.0]), smape([100.0, 0.0], [300.0, 0.0])
(1.0, 50.0)
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import MetricWarning, user_stacklevel
from .inputs import _pair


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
    _warn_skipped_zero_y(int(np.count_nonzero(y == 0)), y.size)
    if np.all(y == 0):
        return float("nan")
    return float(np.mean(losses[y != 0]))   # NaN forecasts propagate


def _warn_skipped_zero_y(n_zero: int, n: int) -> None:
    if n_zero == 0:
        return
    if n_zero == n:
        msg = (f"MAPE is undefined: all {n} values of y_true are 0; returning nan. "
               "Use smape or mase instead.")
    else:
        msg = (f"MAPE skipped {n_zero} of {n} values where y_true == 0 (percentage error "
               "undefined); use smape or mase for series that reach zero.")
    warnings.warn(msg, MetricWarning, stacklevel=user_stacklevel())


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
