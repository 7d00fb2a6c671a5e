"""Forecasts of series that never went below zero kept at or above it.

A series whose history (the rows a forecast is made from) never goes below zero -- sales,
demand, counts, traffic, prices -- is taken not to go below it later either, yet a network
reading differences or per-window scales, and ETS or ARIMA too, can forecast below it (an
intermittent series' flat stretches, the end of a decline). Every forecast of such a series
from :class:`~forecastkit.Forecaster` -- the point forecast, interval bounds, quantiles,
sampled paths and the walk-forward's forecast distributions -- is raised to zero where it
falls below. No non-negative outcome is farther from the raised forecast than from the
original one (absolute, squared and sMAPE errors only shrink), and a raised distribution is
the distribution censored at zero, whose quantiles are the raised quantiles. Only the
history decides, so nothing at or after a forecast origin is seen; a series with one value
below zero in its history (returns, growth rates, temperatures in degrees Celsius) is
forecast as the model forecasts it.

Examples
--------
>>> import numpy as np, pandas as pd
>>> histories = [("a", pd.DataFrame({"y": [0.0, 2.0]}), None), ("b", pd.DataFrame({"y": [-1.0, 2.0]}), None)]
>>> floored(histories).tolist()
[True, False]
>>> at_least_zero(np.array([[-1.0, 1.0], [-1.0, 1.0]]), floored(histories)).tolist()
[[0.0, 1.0], [-1.0, 1.0]]
"""

from __future__ import annotations

import numpy as np


def never_negative(y) -> bool:
    """Whether the values ``y`` (NaN ignored) are all at least zero.

    >>> never_negative([3.0, 0.0, 1.0]), never_negative([3.0, 0.5]), never_negative([0.0, -1.0])
    (True, True, False)
    """
    y = np.asarray(y, dtype=float)
    y = y[~np.isnan(y)]
    return bool(y.size and y.min() >= 0)


def floored(histories: list) -> np.ndarray:
    """Which of the ``(id, frame, future)`` histories are forecast at or above zero: bool ``(n,)``."""
    return np.array([never_negative(frame["y"].to_numpy(float)) for _, frame, _ in histories], dtype=bool)


def at_least_zero(values, mask: np.ndarray) -> np.ndarray:
    """``values`` ``(n, ...)`` with the rows of ``mask`` raised to zero where below it."""
    values = np.array(values, dtype=float)
    if mask.any():
        values[mask] = np.maximum(values[mask], 0.0)
    return values


def floor_columns(columns: dict, histories: list) -> dict:
    """``{column: (n, horizon) array}`` (forecast, bounds, quantiles) with :func:`at_least_zero`
    applied to the histories that never went below zero."""
    mask = floored(histories)
    return {name: at_least_zero(values, mask) for name, values in columns.items()} if mask.any() else columns
