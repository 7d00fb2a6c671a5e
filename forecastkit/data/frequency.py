"""Frequencies: offset aliases, season lengths and the grid that timestamps lie on."""

from __future__ import annotations

import contextlib
import re
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from ..errors import ConfigError, ConfigTypeError, user_stacklevel

#: An inferred or explicit grid may need at most this many points per row (plus 1000).
MAX_GRID_FACTOR = 100

_ONE_DAY = pd.Timedelta(days=1)
_OUT_OF_RANGE = (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta)
_FUTURE_OFFSET_OPTION = "future.infer_freq_returns_offset"
_DEPRECATION = (FutureWarning, DeprecationWarning)
#: Quarterly offsets and the first of the three equivalent anchor months each is named by:
#: quarters starting in Jan/Apr/Jul/Oct are 'QS-JAN' (not 'QS-APR'...), quarters ending in
#: Mar/Jun/Sep/Dec 'QE-DEC', as pandas' own defaults 'QS' and 'QE'.
_QUARTER_ANCHORS = (
    ((pd.offsets.QuarterBegin, pd.offsets.BQuarterBegin), 1),
    ((pd.offsets.QuarterEnd, pd.offsets.BQuarterEnd), 10),
)
_SEASONS = (  # season length of each offset family with multiple 1
    ((pd.offsets.YearBegin, pd.offsets.YearEnd, pd.offsets.BYearBegin, pd.offsets.BYearEnd), 1),
    ((pd.offsets.QuarterBegin, pd.offsets.QuarterEnd, pd.offsets.BQuarterBegin,
      pd.offsets.BQuarterEnd), 4),
    ((pd.offsets.SemiMonthBegin, pd.offsets.SemiMonthEnd), 24),
    ((pd.offsets.MonthBegin, pd.offsets.MonthEnd, pd.offsets.BusinessMonthBegin,
      pd.offsets.BusinessMonthEnd), 12),
    ((pd.offsets.Week,), 52),
    ((pd.offsets.BusinessDay,), 5),
    ((pd.offsets.Day,), 7),
    ((pd.offsets.Hour,), 24),
    ((pd.offsets.Minute, pd.offsets.Second), 60),
)


_DESCRIPTIONS = (  # business offsets first: read before their calendar namesakes
    (pd.offsets.BusinessMonthBegin, "first business days of months"),
    (pd.offsets.BusinessMonthEnd, "last business days of months"),
    (pd.offsets.MonthBegin, "month starts"), (pd.offsets.MonthEnd, "month ends"),
    (pd.offsets.QuarterBegin, "quarter starts"), (pd.offsets.QuarterEnd, "quarter ends"),
    (pd.offsets.YearBegin, "year starts"), (pd.offsets.YearEnd, "year ends"),
)


def season_length(freq: str | None) -> int:
    """Return the usual seasonal period of a frequency.

    Yearly 1, quarterly 4, monthly 12, semi-monthly 24, weekly 52, daily 7, business-daily
    5, hourly 24; steps of 5 to 30 minutes the day's steps (``"30min"`` 48, ``"15min"`` 96,
    ``"5min"`` 288); minutely and secondly 60; anything else and None 1. Another multiple
    divides the base season when it divides it evenly (``"2h"`` -> 12, ``"3MS"`` -> 4) and
    gives 1 otherwise.

    Parameters
    ----------
    freq : str or None
        Pandas offset alias.

    Returns
    -------
    int

    Examples
    --------
    >>> [season_length(f) for f in ("YS", "QS", "MS", "W", "D", "B", "h", "30min", "15min", None)]
    [1, 4, 12, 52, 7, 5, 24, 48, 96, 1]
    """
    if freq is None:
        return 1
    offset = parse_freq(freq)
    if isinstance(offset, pd.offsets.Minute) and 5 <= abs(offset.n) < 60 and 1440 % offset.n == 0:
        return 1440 // abs(offset.n)  # steps of 5 to 30 minutes: the daily cycle, as for hours
    base = next((season for kinds, season in _SEASONS if isinstance(offset, kinds)), 1)
    n = abs(offset.n)
    return base // n if n and base % n == 0 else 1


def infer_frequency(times) -> str | None:
    """Infer the pandas offset alias of sorted, unique timestamps, tolerating gaps.

    Uses :func:`pandas.infer_freq`; when that fails (e.g. because of gaps) takes the most
    common spacing and returns its alias if every timestamp lies on that grid.

    Parameters
    ----------
    times : array-like of datetimes
        At least two increasing timestamps.

    Returns
    -------
    str or None
        Offset alias such as ``"MS"`` or ``"QS-JAN"``; None when fewer than two timestamps
        or the times are not on any regular grid.

    Examples
    --------
    >>> infer_frequency(["2020-01-01", "2020-02-01", "2020-04-01"])  # gap in March
    'MS'
    >>> infer_frequency(["2020-01-01", "2020-01-02", "2020-01-05 13:00"]) is None
    True
    """
    index = pd.DatetimeIndex(times).as_unit("ns")
    if len(index) < 2:
        return None
    offset = infer_offset(index)
    if offset is None or off_grid(index, offset).any():
        return None
    return offset.freqstr


def parse_freq(freq):
    """Parse an offset alias, raising ConfigError with a suggestion if there is one.

    Aliases pandas has deprecated ('M', 'H', 'Q', 'A', 'T', ...) are refused with their
    replacement: pandas 2.2 and 2.3 accept them with a FutureWarning, pandas 3 not at all.

    Examples
    --------
    >>> parse_freq("MS")
    <MonthBegin>
    >>> parse_freq("M")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `freq` must be a pandas offset alias such as 'YS', 'QS', 'MS', 'W', 'D', 'h' or '30min' ('M' is a deprecated alias. Did you mean ME? Please use 'ME' instead, or 'MS' if the times are month starts). Received: freq='M'
    """
    if not isinstance(freq, str):
        raise ConfigTypeError(f"`freq` must be a pandas offset alias (str) such as 'MS', 'D' "
                              f"or 'h'. Received: freq={freq!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            offset = to_offset(freq)
        except ValueError as err:
            offset, hint = None, re.search(r"(Did you mean \w+\?|Please use '\w+' instead)",
                                           str(err), flags=re.IGNORECASE)
    deprecated = [w for w in caught if issubclass(w.category, _DEPRECATION)]
    for other in caught:
        if other not in deprecated:
            warnings.warn(other.message, stacklevel=user_stacklevel())
    if offset is not None and not deprecated:
        return offset
    if offset is not None:  # the offset pandas still maps a deprecated alias to
        new = offset.freqstr
        extra = (f" ({freq!r} is a deprecated alias. Did you mean {new}? Please use {new!r} "
                 f"instead{_start_alternative(offset)})")
    else:
        extra = f" ({hint.group(1)[0].upper()}{hint.group(1)[1:]})" if hint else ""
    raise ConfigError(f"`freq` must be a pandas offset alias such as 'YS', 'QS', 'MS', "
                      f"'W', 'D', 'h' or '30min'{extra}. Received: freq={freq!r}") from None


def describe_offset(offset) -> str | None:
    """What the points of an offset's grid are, in words, for the usual calendar offsets.

    Examples
    --------
    >>> [describe_offset(to_offset(alias)) for alias in ("ME", "QS", "D")]
    ['month ends', 'quarter starts', None]
    """
    return next((words for kinds, words in _DESCRIPTIONS if isinstance(offset, kinds)), None)


def _start_alternative(offset) -> str:
    """For a month/quarter/year-end offset (what deprecated 'M', 'Q', 'Y' mean), the clause
    naming its start counterpart, e.g. ", or 'MS' if the times are month starts"; else ""."""
    n = offset.n
    if isinstance(offset, pd.offsets.BusinessMonthEnd):
        start = pd.offsets.BusinessMonthBegin(n)
    elif isinstance(offset, pd.offsets.MonthEnd):
        start = pd.offsets.MonthBegin(n)
    elif isinstance(offset, pd.offsets.QuarterEnd):
        month = offset.startingMonth % 12 + 1
        start = canonical_offset(pd.offsets.QuarterBegin(n, startingMonth=month))
    elif isinstance(offset, pd.offsets.YearEnd):
        start = pd.offsets.YearBegin(n, month=offset.month % 12 + 1)
    else:
        return ""
    return f", or {start.freqstr!r} if the times are {describe_offset(start)}"


def most_common(values: np.ndarray) -> int:
    """Most common value (the smallest on ties).

    Examples
    --------
    >>> most_common(np.array([3, 1, 3, 1, 2]))
    1
    """
    unique, counts = np.unique(values, return_counts=True)
    return int(unique[np.argmax(counts)])


def too_many_points(size: float, n_rows: int) -> bool:
    """True if a grid of ``size`` points is far denser than ``n_rows`` rows."""
    return size > MAX_GRID_FACTOR * n_rows + 1000


def grid_size(index: pd.DatetimeIndex, offset) -> float:
    """Approximate number of grid points between the first and last time."""
    start = index[0]
    stride = offset_stride(start, offset)
    if stride <= pd.Timedelta(0):
        return float("inf")
    # integer nanoseconds: a Timedelta overflows past ~292 years (e.g. yearly 1700-2008)
    return (index[-1].value - start.value) / stride.value + 1


def offset_stride(time: pd.Timestamp, offset) -> pd.Timedelta:
    """Length of one ``offset`` step at ``time``, taken backwards where a step forwards
    would pass the end of pandas' range (2262-04-11)."""
    try:
        return (time + offset) - time
    except _OUT_OF_RANGE:
        return time - (time - offset)


def off_grid(index: pd.DatetimeIndex, offset) -> np.ndarray:
    """Mask of times not on the grid of ``offset`` that starts at ``index[0]``.

    A grid far denser than the data (see :func:`too_many_points`) counts as not fitting.
    """
    if too_many_points(grid_size(index, offset), len(index)):
        return np.r_[False, np.ones(len(index) - 1, dtype=bool)]
    mask = np.ones(len(index), dtype=bool)
    for end in range(len(index), 0, -1):
        try:
            grid = pd.date_range(index[0], index[end - 1], freq=offset)
        except _OUT_OF_RANGE:  # the step past index[end - 1] leaves pandas' range: off grid
            continue
        mask[:end] = ~index[:end].isin(grid.as_unit(index.unit))
        break
    return mask


def infer_offset(index: pd.DatetimeIndex):
    """Best offset for increasing times: pandas.infer_freq, else the most common spacing.

    Returns the first candidate grid that holds every time, else the first candidate (so
    that the caller can report the first time off its grid).
    """
    if len(index) >= 3:
        offset = _pandas_infer(index)
        if offset is not None:
            return offset
    spacing = pd.Timedelta(most_common(np.diff(index.asi8)), unit=index.unit)
    candidates = _spacing_candidates(index, spacing)
    return next((offset for offset in candidates if not off_grid(index, offset).any()),
                candidates[0])


def _pandas_infer(index: pd.DatetimeIndex):
    """pandas.infer_freq as an offset or None, quarterly anchors named canonically.

    Opts into pandas' future offset return type locally where the option exists (pandas 3),
    so no deprecation warning is raised; older pandas returns a string, converted here.
    """
    with _offset_return_type():
        try:
            found = pd.infer_freq(index)
        except (TypeError, ValueError):
            return None
    if found is None:
        return None
    return canonical_offset(to_offset(found) if isinstance(found, str) else found)


def canonical_offset(offset):
    """``offset`` with a quarterly anchor named by the first of its equivalent months.

    'QS-JAN', 'QS-APR', 'QS-JUL' and 'QS-OCT' are one grid; pandas' infer_freq names it
    differently across versions (2.2.3 and 2.3 say 'QS-OCT' for quarters starting in
    January). Other offsets are returned unchanged.

    Examples
    --------
    >>> canonical_offset(to_offset("QS-OCT")).freqstr, canonical_offset(to_offset("2QS-MAY")).freqstr
    ('QS-JAN', '2QS-FEB')
    >>> canonical_offset(to_offset("QE-MAR")).freqstr, canonical_offset(to_offset("BQE-JAN")).freqstr
    ('QE-DEC', 'BQE-OCT')
    """
    for kinds, first in _QUARTER_ANCHORS:
        if isinstance(offset, kinds):
            month = (offset.startingMonth - 1) % 3 + first
            if month != offset.startingMonth:
                return type(offset)(n=offset.n, normalize=offset.normalize, startingMonth=month)
    return offset


def _offset_return_type():
    try:
        pd.get_option(_FUTURE_OFFSET_OPTION)
    except KeyError:  # pandas < 3 has no such option (OptionError is a KeyError)
        return contextlib.nullcontext()
    return pd.option_context(_FUTURE_OFFSET_OPTION, True)


def _spacing_candidates(index: pd.DatetimeIndex, spacing: pd.Timedelta) -> list:
    """Offsets whose step is ``spacing``: business days, the calendar alias pandas infers
    for three steps from the first time (e.g. 'MS', 'QS-JAN', 'W-MON'), the fixed step."""
    candidates = []
    if spacing == _ONE_DAY and _weekdays_only(index):
        candidates.append(pd.offsets.BusinessDay())
    named = _pandas_infer_steps(index, _calendar_step(spacing / _ONE_DAY) or spacing)
    if named is not None:
        candidates.append(named)
    candidates.append(to_offset(spacing))
    return candidates


def _pandas_infer_steps(index: pd.DatetimeIndex, step):
    """pandas' alias for three times ``step`` apart from the first time (or, near the end
    of pandas' range, up to the last), or None if neither fits in that range."""
    first, last = index[0], index[-1]
    for probe in (lambda: [first, first + step, first + 2 * step],
                  lambda: [last - 2 * step, last - step, last]):
        try:
            return _pandas_infer(pd.DatetimeIndex(probe()))
        except _OUT_OF_RANGE:
            continue
    return None


def _calendar_step(days: float) -> pd.DateOffset | None:
    """A month/year DateOffset whose length matches ``days``, or None.

    Examples
    --------
    >>> _calendar_step(91.0), _calendar_step(365.0), _calendar_step(7.0)
    (<DateOffset: months=3>, <DateOffset: years=1>, None)
    """
    for months in (1, 2, 3, 4, 6):
        if abs(days - 30.44 * months) <= 1.6 + 0.5 * months:
            return pd.DateOffset(months=months)
    if 364 <= days <= 367:
        return pd.DateOffset(years=1)
    return None


def _weekdays_only(index: pd.DatetimeIndex) -> bool:
    """True if no time falls on a weekend although the span covers one."""
    if (index.day_of_week >= 5).any():
        return False
    return (index[-1] - index[0]) >= pd.Timedelta(days=2) and bool(
        (pd.date_range(index[0], index[-1], freq="D").day_of_week >= 5).any())
