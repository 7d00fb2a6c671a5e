"""Walk-forward splits: a pure index generator, no data and no models.

An *origin* ``o`` is a forecast cut-off given as a row position: rows before ``o`` are
known, the forecast covers rows ``o .. o + horizon - 1``. Each :class:`Fold` says which rows
train the model that forecasts from that origin: ``train_start .. train_end - 1``, where
``train_end = fit_origin - gap`` and ``fit_origin`` is the first origin served by the fit.
With ``refit="every:K"`` one fit serves K consecutive origins; ``"never"`` one fit serves all.

Examples
--------
>>> from forecastkit.evaluation import WalkForward
>>> splitter = WalkForward(horizon=2, folds=3, stride=2, refit="every:2")
>>> for fold in splitter.split(12):
...     print(fold)
Fold(fit=0, origin=6, train=0..6, test=6..8)
Fold(fit=0, origin=8, train=0..6, test=8..10)
Fold(fit=1, origin=10, train=0..10, test=10..12)
>>> for fold in WalkForward(horizon=1, folds=2, window="sliding:4", gap=1, refit="always").split(10):
...     print(fold)
Fold(fit=0, origin=8, train=3..7, test=8..9)
Fold(fit=1, origin=9, train=4..8, test=9..10)
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import pandas as pd

from ..checks import check_int
from ..errors import ConfigError, DataError, user_stacklevel
from ..settings import DEFAULTS


@dataclass(frozen=True)
class Fold:
    """One origin: the rows its fit trains on and the rows it forecasts."""

    fit: int
    origin: int
    train_start: int
    train_end: int  # exclusive
    horizon: int

    @property
    def train(self) -> range:
        return range(self.train_start, self.train_end)

    @property
    def test(self) -> range:
        return range(self.origin, self.origin + self.horizon)

    def __str__(self) -> str:
        return (f"Fold(fit={self.fit}, origin={self.origin}, train={self.train_start}..{self.train_end}, "
                f"test={self.origin}..{self.origin + self.horizon})")


def parse_refit(refit: str) -> int | None:
    """Origins served per fit: 1 for ``"always"``, K for ``"every:K"``, None for ``"never"``.

    Examples
    --------
    >>> parse_refit("every:5"), parse_refit("always"), parse_refit("never")
    (5, 1, None)
    """
    if refit == "always":
        return 1
    if refit == "never":
        return None
    if isinstance(refit, str) and refit.startswith("every:") and refit[6:].isdigit() and int(refit[6:]) >= 1:
        return int(refit[6:])
    raise ConfigError(f"`refit` must be 'always', 'never' or 'every:K' with K >= 1. Received: refit={refit!r}")


def parse_window(window: str) -> int | None:
    """Training window length: None for ``"expanding"``, N for ``"sliding:N"``.

    Examples
    --------
    >>> parse_window("sliding:48"), parse_window("expanding")
    (48, None)
    """
    if window == "expanding":
        return None
    if isinstance(window, str) and window.startswith("sliding:") and window[8:].isdigit() and int(window[8:]) >= 1:
        return int(window[8:])
    raise ConfigError(f"`window` must be 'expanding' or 'sliding:N' with N >= 1. Received: window={window!r}")


#: Origins per series when ``folds`` is left to the data (None): on a single series or a small panel.
DEFAULT_FOLDS = 24
#: On a larger panel, origins are fewer so that a model is scored at about this many (series,
#: origin) pairs, and at least :data:`MIN_PANEL_FOLDS` per series: the panel's verdict tests
#: across the series (Wilcoxon), which needs many series rather than many origins, and the
#: baselines re-estimated at every origin would otherwise dominate the run (the synthetic
#: 414-series hourly panel: 59,644 fits at 24 origins, about 45 minutes on 2 cores).
PANEL_ORIGINS = 1200
MIN_PANEL_FOLDS = 3


def default_folds(series: int) -> int:
    """Origins per series when ``folds`` is None, for a run over ``series`` series.

    Examples
    --------
    >>> default_folds(1), default_folds(20), default_folds(100), default_folds(414)
    (24, 24, 12, 3)
    """
    return max(MIN_PANEL_FOLDS, min(DEFAULT_FOLDS, PANEL_ORIGINS // max(int(series), 1)))


def sized_stride(horizon: int, folds: int) -> int:
    """The smallest stride whose ``folds`` origins are enough for a sized significance test.

    Forecasts from origins closer than the horizon share target rows, so their errors are
    correlated and the Diebold-Mariano test needs more origins (:func:`~forecastkit.significance.min_origins`:
    4 per overlap). This is the smallest ``stride`` with ``min_origins(horizon, stride) <= folds``;
    1 when even non-overlapping origins would be too few.

    Examples
    --------
    >>> sized_stride(12, 24), sized_stride(24, 24), sized_stride(1, 24), sized_stride(12, 2)
    (2, 4, 1, 1)
    """
    from ..significance.pairwise import min_origins

    fits = [stride for stride in range(1, horizon + 1) if min_origins(horizon, stride) <= folds]
    return fits[0] if fits else 1


@dataclass(frozen=True)
class WalkForward:
    """Where the origins fall and what each fit may train on.

    The defaults are the command line's (:data:`forecastkit.settings.DEFAULTS`): 24 origins
    (fewer on a large panel: :func:`default_folds`) spaced for a sized significance test
    (:func:`sized_stride`), a refit every 6 origins on an expanding window, and the horizon
    resolved from the data (the season length) by :func:`~forecastkit.evaluation.walk_forward`.

    Parameters
    ----------
    horizon : int or None
        Steps forecast from each origin; None (the default) lets
        :func:`~forecastkit.evaluation.walk_forward` use the data's season length.
        :meth:`split` and :meth:`origins` need it set (see :meth:`with_horizon`).
    folds : int or None
        Number of origins, the last one ending at the last row. Ignored when ``start`` is given.
        None (the default): 24, fewer on a panel of more than 50 series (:func:`default_folds`),
        resolved by :meth:`with_horizon`.
    stride : int or None
        Rows between consecutive origins; None (the default): the smallest stride whose
        ``folds`` origins suffice for a sized significance test (:func:`sized_stride`, 2 for
        horizon 12 and 24 folds), resolved by :meth:`with_horizon`.
    gap : int
        Rows left out between the end of a fit's training data and its first origin
        (they are still known, and used as model input, when forecasting).
    window : str
        ``"expanding"`` (all rows before the fit) or ``"sliding:N"`` (the last N rows).
    refit : str
        ``"always"``, ``"every:K"`` or ``"never"``.
    start : int, str, timestamp or None
        The first origin (origins then run to the end with ``stride``): a row position, or a
        timestamp resolved per series to its first row at or after it.
    cohorts : int
        A global model on a panel whose series end at different times: at most this many fits
        per fit index, one per group of series whose training ends together, each trained on
        every series' rows before its group's cut-off
        (:func:`~forecastkit.evaluation.cohorts.group_by_cutoff`); 1: one fit, every series
        trained up to the earliest series' cut-off.
    """

    horizon: int | None = DEFAULTS.horizon
    folds: int | None = DEFAULTS.folds
    stride: int | None = DEFAULTS.stride
    gap: int = DEFAULTS.gap
    window: str = DEFAULTS.window
    refit: str = DEFAULTS.refit
    start: int | str | None = DEFAULTS.start
    cohorts: int = DEFAULTS.cohorts

    def __post_init__(self):
        if self.horizon is not None:
            check_int(self.horizon, "horizon", 1)
        if self.stride is not None:
            check_int(self.stride, "stride", 1)
        check_int(self.gap, "gap", 0)
        check_int(self.cohorts, "cohorts", 1)
        if self.start is None:
            if self.folds is not None:
                check_int(self.folds, "folds", 1)
        elif not isinstance(self.start, (str, pd.Timestamp)):
            check_int(self.start, "start", 1)
        parse_refit(self.refit)
        parse_window(self.window)

    def with_horizon(self, horizon: int, rows: int | None = None, series: int = 1) -> "WalkForward":
        """This splitter with ``horizon``, ``folds`` and ``stride`` filled in where they are None.

        None ``folds`` become :func:`default_folds` of the run's number of ``series``. A None
        stride becomes :func:`sized_stride` of the horizon and ``folds``, kept small enough
        that the origins span at most half of the shortest series (``rows``).

        Examples
        --------
        >>> WalkForward().with_horizon(12).horizon, WalkForward(horizon=3).with_horizon(12).horizon
        (12, 3)
        >>> WalkForward().with_horizon(12).stride, WalkForward().with_horizon(12, rows=80).stride
        (2, 1)
        """
        horizon = self.horizon if self.horizon is not None else check_int(horizon, "horizon", 1)
        folds = self.folds if self.folds is not None or self.start is not None else default_folds(series)
        stride = self.stride
        if stride is None:
            stride = 1 if self.start is not None else sized_stride(horizon, folds)
            if rows is not None and self.start is None and folds > 1:
                stride = max(1, min(stride, (rows // 2 - horizon) // (folds - 1)))
        return dataclasses.replace(self, horizon=horizon, folds=folds, stride=stride)

    def _resolved_horizon(self) -> int:
        if self.horizon is None:
            raise ConfigError("`horizon` must be set to split a series (None is resolved from the data by "
                              "walk_forward). Received: horizon=None. Set `horizon`, or call with_horizon(h).")
        return self.horizon

    def origins(self, n: int, times=None) -> list[int]:
        """Origin positions for a series of ``n`` rows (each with a full horizon of actuals).

        ``times`` (the series' time index) is needed only when ``start`` is a timestamp.
        """
        check_int(n, "n", 0)
        horizon = self._resolved_horizon()
        if self.stride is None or (self.folds is None and self.start is None):
            return self.with_horizon(horizon, rows=n).origins(n, times)
        last = n - horizon
        if self.start is not None:
            start = self._start_position(times)
            if start > last:
                year = (isinstance(self.start, int) and isinstance(times, pd.DatetimeIndex) and 1000 <= start <= 2999)
                hint = f" (a row number: for the year, give a date such as {start}-01-01)" if year else ""
                raise DataError(
                    f"`start` origin {self.start}{hint} leaves no complete horizon of {horizon} in a "
                    f"series of {n} rows; the latest possible origin is row {last}. Use an earlier `start`. "
                    f"Received: start={self.start!r}"
                )
            return list(range(start, last + 1, self.stride))
        first = last - self.stride * (self.folds - 1)
        return list(range(first, last + 1, self.stride))

    def _start_position(self, times) -> int:
        if not isinstance(self.start, (str, pd.Timestamp)):
            return self.start
        if times is None or not isinstance(times, pd.DatetimeIndex):
            raise ConfigError(f"`start` {self.start!r} is a timestamp but the series has integer "
                              "periods; pass a row number, e.g. start=40. "
                              f"Received: start={self.start!r}")
        try:
            stamp = pd.Timestamp(self.start)
        except (ValueError, OverflowError):
            stamp = pd.NaT
        if stamp is pd.NaT:
            raise ConfigError(f"`start` must be a row number or a timestamp. Received: start={self.start!r}")
        if times.tz is not None and stamp.tz is None:
            # NaT for a time skipped or repeated by a DST change: the exceptions pandas raises
            # instead (pytz's NonExistentTimeError on pandas < 3) are no ValueErrors
            stamp = stamp.tz_localize(times.tz, ambiguous="NaT", nonexistent="NaT")
            if stamp is pd.NaT:
                raise ConfigError(f"`start` {self.start!r} does not exist or is ambiguous in the series' "
                                  f"time zone {times.tz} (a daylight-saving change); give it with its "
                                  f"UTC offset, e.g. '2020-10-25 02:30+01:00'. "
                                  f"Received: start={self.start!r}")
        elif times.tz is None and stamp.tz is not None:
            raise ConfigError(f"`start` {self.start!r} has a time zone but the series' times have none; "
                              f"give it without a UTC offset. Received: start={self.start!r}")
        if len(times) and stamp < times[0]:  # one message for every series it concerns
            warnings.warn(f"`start` {self.start!r} is before the first time of a series: its first origin is its "
                          "second row (the first an origin can have).", UserWarning, stacklevel=user_stacklevel())
        return max(int(times.searchsorted(stamp)), 1)

    def _shortfall_advice(self) -> str:
        """What moves the first fit later or needs fewer rows, for this splitter's settings."""
        smaller = [name for name, useful in (("`stride`", (self.stride or 1) > 1), ("`horizon`", True),
                                             ("`lookback`", True), ("`gap`", self.gap > 0)) if useful]
        smaller = ", ".join(smaller[:-1]) + f" or {smaller[-1]}"
        if self.start is not None:
            return f"Use a later `start`, or a smaller {smaller}."
        if self.folds is not None and self.folds <= 1:
            return f"Use a smaller {smaller}, or longer series."
        return f"Use fewer `folds`, or a smaller {smaller}."

    def split(self, n: int, min_train: int = 1, times=None) -> list[Fold]:
        """The folds of a series of ``n`` rows; each fit must see at least ``min_train`` rows.

        Raises a :class:`DataError` naming the shortfall when the series is too short, and
        a :class:`ConfigError` unless ``n`` is an integer >= 0 and ``min_train`` one >= 1.
        """
        check_int(min_train, "min_train", 1)
        check_int(n, "n", 0)
        if (self.stride is None or (self.folds is None and self.start is None)) and self.horizon is not None:
            return self.with_horizon(self.horizon, rows=n).split(n, min_train, times)
        origins = self.origins(n, times)
        horizon = self._resolved_horizon()
        per_fit = parse_refit(self.refit) or len(origins)
        length = parse_window(self.window)
        folds = []
        for k, origin in enumerate(origins):
            fit = k // per_fit
            train_end = origins[fit * per_fit] - self.gap
            train_start = 0 if length is None else max(0, train_end - length)
            folds.append(Fold(fit, origin, train_start, train_end, horizon))
        first = folds[0]
        if first.train_end - first.train_start < min_train:
            request = (f"start={self.start!r}" if self.start is not None else
                       f"{self.folds} folds with stride {self.stride}")
            raise DataError(
                f"The series ({n} rows) is too short for {request}, horizon {horizon}"
                f"{f' and gap {self.gap}' if self.gap else ''}: the first fit would train on "
                f"{max(first.train_end - first.train_start, 0)} rows but needs at least {min_train}. "
                f"{self._shortfall_advice()}"
            )
        return folds

