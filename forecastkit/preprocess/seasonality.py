"""Seasonal positions and seasonal components, learned from training values only.

Deseasonalising a series needs to know, for every row, where it falls in each season. Rows
are placed on an integer grid by :func:`grid_positions` (hours since 1970 for hourly data,
months for monthly data, the integer time itself for integer periods), so phase ``pos % m``
is the same for a row whether it is seen in training, in a forecast history or in the
horizon. :class:`Seasonality` learns one index per phase of each period, by classical
decomposition (centred moving average; the M4 benchmarks' method) or by STL / MSTL
(statsmodels), and applies or removes it at any positions.

Plain numpy / pandas / statsmodels: no Keras.

Examples
--------
>>> import numpy as np, pandas as pd
>>> grid_positions(pd.date_range("1970-03-01", periods=3, freq="MS"), "MS")
array([2, 3, 4])
>>> y = np.tile([1.0, 3.0, 2.0, 4.0], 6) + 10
>>> s = Seasonality("classical", (4,)).fit(y, np.arange(24))
>>> np.round(s.remove(y, np.arange(24))[:4], 6)
array([12.5, 12.5, 12.5, 12.5])
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from ..errors import ConfigError

DESEASON_METHODS = ("none", "classical", "stl")
#: Classical indices average the latest this many cycles of the longest period (None: all).
RECENT_CYCLES: int | None = 5
_NS_PER_WEEK = 7 * 86_400 * 10**9
#: Months spanned by one step of a calendar offset, by offset class name.
_MONTHS = {"MonthBegin": 1, "MonthEnd": 1, "QuarterBegin": 3, "QuarterEnd": 3, "YearBegin": 12, "YearEnd": 12}


def grid_positions(times, freq: str | None, step: int = 1) -> np.ndarray:
    """Integer positions of ``times`` on their regular grid: consecutive rows differ by 1.

    Parameters
    ----------
    times : array_like
        Timestamps (``freq`` given) or integer periods (``freq`` None).
    freq : str or None
        The panel's pandas frequency; None for integer periods.
    step : int
        Spacing of integer periods.

    Raises
    ------
    ConfigError
        For a frequency without a fixed calendar grid (business days, for example).

    Examples
    --------
    >>> import pandas as pd
    >>> grid_positions(pd.date_range("1970-01-01 02:00", periods=2, freq="h"), "h")
    array([2, 3])
    >>> grid_positions([10, 12, 14], None, step=2)
    array([5, 6, 7])
    """
    if freq is None:
        return np.asarray(times, dtype="int64") // int(step)
    offset = to_offset(freq)
    stamps = pd.DatetimeIndex(times)
    if isinstance(offset, pd.offsets.Tick):
        return stamps.as_unit("ns").asi8 // offset.nanos
    if isinstance(offset, pd.offsets.Week):
        return stamps.as_unit("ns").asi8 // _NS_PER_WEEK // offset.n
    months = _MONTHS.get(type(offset).__name__)
    if months is None:
        raise ConfigError(f"Deseasonalisation needs a regular calendar grid, but frequency {freq!r} has none "
                          "(business days skip dates). Set `deseason` to 'none', or `seasonal_difference` "
                          "to True.")
    month = (stamps.year.to_numpy().astype("int64") - 1970) * 12 + stamps.month.to_numpy() - 1
    return month // (months * offset.n)


def seasonal_periods(freq: str | None, season: int) -> tuple[int, ...]:
    """The periods to deseasonalise: ``season``, plus the weekly cycle of sub-daily and daily data.

    Hourly data get (24, 168), half-hourly (48, 336), daily (7,) (its yearly cycle is left to
    the model: 365.25 is not an integer). Periods of 1 are dropped.

    Examples
    --------
    >>> seasonal_periods("h", 24), seasonal_periods("MS", 12), seasonal_periods(None, 1)
    ((24, 168), (12,), ())
    """
    periods = [season] if season > 1 else []
    if freq is not None:
        offset = to_offset(freq)
        if isinstance(offset, pd.offsets.Tick) and offset.nanos < 86_400 * 10**9:
            per_day = 86_400 * 10**9 // offset.nanos
            if season == per_day:
                periods.append(7 * per_day)
    return tuple(sorted(set(periods)))


def is_seasonal(x: np.ndarray, period: int) -> bool:
    """The M4 90 % autocorrelation test (:func:`~forecastkit.models.naive2.seasonality_test`)."""
    from ..models.naive2 import seasonality_test

    return bool(period > 1 and len(x) >= 3 * period and np.all(np.isfinite(x)) and seasonality_test(x, period))


class Seasonality:
    """Seasonal indices per phase of each period; additive or multiplicative.

    Parameters
    ----------
    method : {"classical", "stl"}
        ``classical``: differences to a centred moving average of order ``m`` (``2 x m`` for
        even ``m``), averaged per phase and centred (R's ``decompose``, the M4 benchmarks'
        method; on the log scale when multiplicative, i.e. geometric-mean ratios), over the
        latest :data:`RECENT_CYCLES` cycles of the longest period only, so a pattern that
        changed over the years is removed as it is now (X-11's seasonal filters, too, weigh
        the nearest years; ``benchmarks/results/defaults.md``, twelfth pass).
        ``stl``: statsmodels ``STL`` (one period) or ``MSTL`` (several): at the training
        positions the seasonal component itself (a pattern that changes over the years is
        removed as it was at each time), elsewhere (the horizon, later histories) its last
        full cycle.
    periods : tuple of int
        Season lengths; several are removed one after the other, shortest first.
    multiplicative : bool
        Divide by the indices (positive series) instead of subtracting them.
    test : bool
        Adjust only for periods the M4 seasonality test finds in the training values' first
        differences (levels of a trend or random walk correlate at every lag); others get
        neutral indices.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.tile([1.0, 2.0], 8)
    >>> s = Seasonality("classical", (2,), multiplicative=True, test=False).fit(y, np.arange(16))
    >>> np.round(np.exp(s.indices[0]), 4)     # indices are kept on the log scale
    array([0.7071, 1.4142])
    """

    def __init__(self, method: str = "classical", periods: tuple = (), multiplicative: bool = False,
                 test: bool = True):
        if method not in DESEASON_METHODS[1:]:
            raise ConfigError(f"`deseason` must be one of {', '.join(DESEASON_METHODS)}. Received: deseason={method!r}")
        self.method = method
        self.periods = tuple(int(p) for p in periods)
        self.multiplicative = bool(multiplicative)
        self.test = bool(test)
        self.indices: list[np.ndarray] = []
        #: STL: the training positions and, per period, the seasonal component at them.
        self.positions = np.zeros(0, dtype="int64")
        self.components: list[np.ndarray] = []

    def fit(self, x: np.ndarray, positions: np.ndarray) -> "Seasonality":
        """Learn the indices from training values ``x`` at grid ``positions``."""
        x = np.asarray(x, dtype=float)
        positions = np.asarray(positions, dtype="int64")
        work = np.log(x) if self.multiplicative else x.copy()
        self.indices, self.components = [], []
        self.positions = positions.copy() if self.method == "stl" else np.zeros(0, dtype="int64")
        usable = [p for p in self.periods if len(x) >= 2 * p]
        found = self._stl(work, usable) if self.method == "stl" and usable else {}
        for p in self.periods:
            index, along = np.zeros(p), np.zeros(len(self.positions))
            if p in usable and (not self.test or is_seasonal(np.diff(work), p)):
                if self.method == "stl":
                    along = found[p]  # the horizon continues its last cycle as it is (not re-centred)
                    index[positions[-p:] % p] = along[-p:]
                else:
                    index = _per_phase(self._classical(work, p), positions, p, max(usable) * (RECENT_CYCLES or 0))
                    work = work - index[positions % p]
            self.indices.append(index)
            if self.method == "stl":
                self.components.append(along)
        return self

    @property
    def found(self) -> tuple:
        """The periods whose pattern :meth:`fit` removes (the others have neutral indices)."""
        return tuple(p for k, p in enumerate(self.periods)
                     if np.any(self.indices[k]) or (self.components and np.any(self.components[k])))

    def component(self, positions: np.ndarray) -> np.ndarray:
        """The seasonal component at ``positions`` (log scale when multiplicative)."""
        positions = np.asarray(positions, dtype="int64")
        total = np.zeros(positions.shape)
        for p, index in zip(self.periods, self.indices):
            total = total + index[positions % p]
        if len(self.positions) and self.components:
            slot = np.clip(np.searchsorted(self.positions, positions), 0, len(self.positions) - 1)
            seen = self.positions[slot] == positions
            total = np.where(seen, np.sum(self.components, axis=0)[slot], total)
        return total

    def remove(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Seasonally adjusted ``x``."""
        c = self.component(positions)
        return np.asarray(x, dtype=float) / np.exp(c) if self.multiplicative else np.asarray(x, dtype=float) - c

    def restore(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Undo :meth:`remove` (``x`` may have leading axes; ``positions`` is its last axis)."""
        c = self.component(positions)
        return np.asarray(x, dtype=float) * np.exp(c) if self.multiplicative else np.asarray(x, dtype=float) + c

    def to_dict(self) -> dict:
        return {"method": self.method, "periods": list(self.periods), "multiplicative": self.multiplicative,
                "test": self.test, "indices": [index.tolist() for index in self.indices],
                "positions": self.positions.tolist(), "components": [c.tolist() for c in self.components]}

    @classmethod
    def from_dict(cls, state: dict) -> "Seasonality":
        seasonality = cls(state["method"], tuple(state["periods"]), state["multiplicative"], state["test"])
        seasonality.indices = [np.asarray(index, dtype=float) for index in state["indices"]]
        seasonality.positions = np.asarray(state.get("positions", []), dtype="int64")
        seasonality.components = [np.asarray(c, dtype=float) for c in state.get("components", [])]
        return seasonality

    # -- estimation --------------------------------------------------------------------
    @staticmethod
    def _classical(work: np.ndarray, period: int) -> np.ndarray:
        """Detrended values (``x - centred MA``), NaN where the average does not fit."""
        from ..models.naive2 import _centred_moving_average

        return work - _centred_moving_average(work, period)

    @staticmethod
    def _stl(work: np.ndarray, periods: list) -> dict:
        """Seasonal components of STL (one period) or MSTL (several), by period."""
        from statsmodels.tsa.seasonal import MSTL, STL

        if len(periods) == 1:
            return {periods[0]: np.asarray(STL(work, period=periods[0], robust=True).fit().seasonal, dtype=float)}
        result = np.asarray(MSTL(work, periods=periods).fit().seasonal, dtype=float).reshape(len(work), -1)
        return {p: result[:, k] for k, p in enumerate(periods)}


def _per_phase(detrended: np.ndarray, positions: np.ndarray, period: int, span: int = 0) -> np.ndarray:
    """Mean of ``detrended`` per phase ``positions % period``, centred to mean 0; with ``span``,
    over the latest ``span`` positions that have a value only."""
    phase = positions % period
    ok = np.isfinite(detrended)
    if span and ok.any():
        ok &= positions > positions[ok].max() - span
    sums = np.bincount(phase[ok], weights=detrended[ok], minlength=period)
    counts = np.bincount(phase[ok], minlength=period)
    index = np.divide(sums, counts, out=np.zeros(period), where=counts > 0)
    return index - index[counts > 0].mean() if counts.any() else index
