r"""Forecast accuracy metrics: MAE, RMSE, MAPE, sMAPE, MASE and the M4 OWA.

Plain numpy/pandas functions (no Keras), usable on any forecasts. Throughout,
``y`` is the actual value, ``f`` the forecast and ``e = y - f`` the error; means run over
all values given (any shape; ``y_true`` and ``y_pred`` are matched by position, not
by pandas index).

Four modules (the first three by one import path, ``from forecastkit.metrics import ...``):

* :mod:`~forecastkit.metrics.point`: point errors on arrays, :func:`mae`, :func:`rmse`,
  :func:`mape`, :func:`smape`.
* :mod:`~forecastkit.metrics.scaled`: scaled errors, :func:`mase`, its scales
  (:func:`insample_scales`, :func:`effective_scale`) and :func:`owa`.
* :mod:`~forecastkit.metrics.scoring`: metrics on the walk-forward results table,
  :data:`ROW_LOSSES` (one loss per forecast value, also the input of Diebold-Mariano
  tests), :func:`row_losses` and :func:`score` (leaderboards by model, id, horizon and/or
  origin).
* :mod:`~forecastkit.metrics.probabilistic`: scores of forecast distributions, one per value:
  CRPS (closed form for a Normal, from draws or quantiles), pinball loss, PIT, and the PIT
  histogram and calibration curve.

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

from ..errors import MetricWarning
from .point import mae, mape, rmse, smape
from .scaled import effective_scale, insample_scales, mase, owa
from .scoring import GROUP_COLUMNS, METRICS, ROW_LOSSES, row_losses, score

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
