"""Load and validate time-series data into a :class:`Panel`.

Everything that enters forecastkit passes through :func:`load_csv` or :func:`from_pandas`
exactly once. They accept wide tables (a time column and one column per variable), long
panels (an id column, a time column, the target and covariates) and pandas objects with a
time index, and return a :class:`Panel` whose guarantees the rest of the package relies on:

- timestamps parse, are unique and increasing per series, and lie on one regular grid
  (a pandas offset alias such as ``"MS"`` or an integer step) shared by all series;
- the target and covariates are finite float64 numbers (missing values and gaps are an
  error unless a ``fill`` policy is given);
- rows are sorted by series (in order of first appearance) then time.

Every violation raises :class:`~forecastkit.errors.DataError` (or ``ConfigError`` for a bad
argument) with a one-line message naming the file, column, line and value, and the fix.

Examples
--------
>>> import pandas as pd
>>> sales = pd.Series([3.0, 4.0, 5.0], name="sales",
...                   index=pd.date_range("2024-01-01", periods=3, freq="MS"))
>>> panel = from_pandas(sales)
>>> panel.freq, panel.ids, panel.season_length()
('MS', ['sales'], 12)
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)
from pandas.tseries.api import guess_datetime_format
from pandas.tseries.frequencies import to_offset

from forecastkit.errors import ConfigError, ConfigTypeError, DataError

__all__ = [
    "FILL_POLICIES",
    "Panel",
    "from_pandas",
    "infer_frequency",
    "load_csv",
    "season_length",
]

FILL_POLICIES = ("interpolate", "ffill", "zero")

#: Column names (case-insensitive) recognised as the time column when ``time`` is None.
TIME_NAMES = ("time", "date", "datetime", "timestamp", "ds", "period", "month", "quarter",
              "year", "week", "day")

#: Largest accepted absolute value: squares of larger numbers overflow float64.
MAX_ABS_VALUE = 1e150

_DELIMITERS = (",", ";", "\t", "|")
_NA_TOKENS = ("", "na", "n/a", "nan", "null", "none", "<na>", "#n/a", "-nan")
_FILL_HINT = ("pass --fill interpolate|ffill|zero (fill='interpolate', 'ffill' or 'zero') "
              "to fill them")
_FREQ_HINT = "pass --freq ALIAS (freq=...) such as MS, W, D or h"
_TIME_FORMATS = ("Use ISO dates like 2000-01-31 or 2000-01-31 12:00, months like 1949-01, "
                 "quarters like 1970 Q1, or integer periods")
_QUARTER_PATTERNS = (r"(?P<year>\d{4})\s*-?\s*[Qq](?P<quarter>[1-4])",
                     r"[Qq](?P<quarter>[1-4])\s*-?\s*(?P<year>\d{4})")
_TZ_SUFFIX = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"
_THOUSANDS = r"[+-]?\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d+)?"
_MAX_GRID_FACTOR = 100  # an explicit freq may imply at most this many grid points per row
_ONE_DAY = pd.Timedelta(days=1)
_FUTURE_OFFSET_OPTION = "future.infer_freq_returns_offset"


# --------------------------------------------------------------------------------------
# Panel
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Panel:
    """Validated long-format panel; a single series is a panel of one.

    Build panels with :func:`load_csv` or :func:`from_pandas`, which establish the
    guarantees below; the constructor itself does not validate.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``id`` (str), ``time`` (``datetime64[ns]``, possibly tz-aware, or int64
        periods), ``y`` (float64, finite), then the covariate columns (float64, finite).
        Sorted by id (order of first appearance in the input) then time, with a RangeIndex
        and a regular grid per series (no gaps).
    target : str
        Original target column name (several names joined by "," for wide multi-target
        panels).
    freq : str or None
        Pandas offset alias of the grid (``"MS"``, ``"QS-JAN"``, ``"D"``, ``"h"``...), or
        None when time is integer periods.
    step : int
        Spacing of integer periods (1 for datetimes).
    covariates : tuple of str
        Past-observed covariate column names, in frame order.
    source : str
        File path or ``"<DataFrame>"``, used in messages.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"store": ["a", "a", "b", "b"], "week": [1, 2, 1, 2],
    ...                    "sales": [1.0, 2.0, 3.0, 4.0]})
    >>> panel = from_pandas(df, id="store", target="sales")
    >>> panel.ids, panel.freq, panel.step
    (['a', 'b'], None, 1)
    >>> panel.lengths
    {'a': 2, 'b': 2}
    """

    frame: pd.DataFrame
    target: str
    freq: str | None
    step: int = 1
    covariates: tuple[str, ...] = ()
    source: str = "<DataFrame>"

    def __repr__(self) -> str:
        return (f"Panel(source={self.source!r}, target={self.target!r}, "
                f"n_series={self.n_series}, rows={len(self.frame)}, freq={self.freq!r}, "
                f"step={self.step}, covariates={self.covariates!r})")

    @cached_property
    def _bounds(self) -> dict[str, tuple[int, int]]:
        """Row range ``(start, stop)`` of each id; rows of one id are contiguous."""
        ids = self.frame["id"].to_numpy(dtype=object)
        if len(ids) == 0:
            return {}
        change = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        starts = np.r_[0, change]
        stops = np.r_[change, len(ids)]
        return {str(ids[a]): (int(a), int(b)) for a, b in zip(starts, stops)}

    @property
    def ids(self) -> list[str]:
        """Series ids in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> from_pandas(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), target="a,b").ids
        ['a', 'b']
        """
        return list(self._bounds)

    @property
    def n_series(self) -> int:
        """Number of series.

        Examples
        --------
        >>> import pandas as pd
        >>> from_pandas(pd.Series([1.0, 2.0])).n_series
        1
        """
        return len(self._bounds)

    @property
    def lengths(self) -> dict[str, int]:
        """Number of rows of each series, in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> from_pandas(pd.Series([1.0, 2.0, 3.0], name="y")).lengths
        {'y': 3}
        """
        return {key: stop - start for key, (start, stop) in self._bounds.items()}

    def _slice(self, id: str) -> tuple[int, int]:
        try:
            return self._bounds[id]
        except (KeyError, TypeError):
            raise DataError(
                f"Unknown series id {id!r} in {_describe(self.source)}. "
                f"Known ids: {_preview(self.ids)}. Received: id={id!r}"
            ) from None

    def series(self, id: str) -> pd.DataFrame:
        """Return the rows of one series with a fresh RangeIndex.

        Parameters
        ----------
        id : str
            Series id, one of :attr:`ids`.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``time``, ``y`` and the covariates.

        Raises
        ------
        DataError
            If ``id`` is not in the panel.

        Examples
        --------
        >>> import pandas as pd
        >>> panel = from_pandas(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), target="a,b")
        >>> panel.series("b")["y"].tolist()
        [3.0, 4.0]
        """
        start, stop = self._slice(id)
        return self.frame.iloc[start:stop].reset_index(drop=True)

    def arrays(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Return ``(id, y, X)`` per series.

        Returns
        -------
        list of tuple
            ``y`` is float64 of shape ``(n,)``; ``X`` is float64 of shape
            ``(n, len(covariates))`` (zero columns without covariates).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2.0], "temp": [5.0, 6.0]})
        >>> [(key, y.shape, X.shape) for key, y, X in
        ...  from_pandas(df, target="y", covariates=["temp"]).arrays()]
        [('y', (2,), (2, 1))]
        """
        y = self.frame["y"].to_numpy(dtype="float64")
        x = self.frame[list(self.covariates)].to_numpy(dtype="float64").reshape(
            len(self.frame), len(self.covariates))
        return [(key, y[a:b], x[a:b]) for key, (a, b) in self._bounds.items()]

    def future_times(self, id: str, horizon: int) -> pd.Index:
        """Return the ``horizon`` timestamps (or integer periods) after a series' end.

        Parameters
        ----------
        id : str
            Series id.
        horizon : int
            Number of future steps, >= 1.

        Returns
        -------
        pandas.Index
            A DatetimeIndex on the panel frequency (same time zone), or an int64 Index.

        Examples
        --------
        >>> import pandas as pd
        >>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01", "2024-04-01"]))
        >>> from_pandas(s, freq="QS").future_times("y", 2).strftime("%Y-%m-%d").tolist()
        ['2024-07-01', '2024-10-01']
        """
        horizon = _check_horizon(horizon)
        start, stop = self._slice(id)
        last = self.frame["time"].iloc[stop - 1]
        if self.freq is None:
            values = int(last) + self.step * np.arange(1, horizon + 1, dtype="int64")
            return pd.Index(values, dtype="int64", name="time")
        grid = pd.date_range(last, periods=horizon + 1, freq=self.freq, name="time")
        return grid[1:].as_unit("ns")

    def season_length(self) -> int:
        """Return :func:`season_length` of the panel frequency (1 for integer periods).

        Examples
        --------
        >>> import pandas as pd
        >>> from_pandas(pd.Series([1.0, 2.0], index=pd.date_range(
        ...     "2024-01-01", periods=2, freq="h"))).season_length()
        24
        """
        return season_length(self.freq)

    def check_length(self, min_length: int, why: str) -> None:
        """Raise DataError if any series has fewer than ``min_length`` rows.

        Parameters
        ----------
        min_length : int
            Required number of rows per series.
        why : str
            What needs that many rows, e.g. ``"lookback 24 + horizon 12"``.

        Raises
        ------
        DataError
            Naming each short series with its length, the requirement and ``why``.

        Examples
        --------
        >>> import pandas as pd
        >>> panel = from_pandas(pd.Series([1.0, 2.0, 3.0], name="y"))
        >>> panel.check_length(3, "lookback 2 + horizon 1")
        >>> panel.check_length(4, "lookback 3 + horizon 1")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        forecastkit.errors.DataError: Series too short in <DataFrame>: 'y' has 3 rows, but ...
        """
        short = [(key, n) for key, n in self.lengths.items() if n < min_length]
        if not short:
            return
        listed = [f"{key!r} has {n} row{'s' if n != 1 else ''}" for key, n in short[:5]]
        if len(short) > 5:
            listed.append(f"and {len(short) - 5} more")
        raise DataError(
            f"Series too short in {_describe(self.source)}: {', '.join(listed)}, but {why} "
            f"needs at least {min_length} rows per series. Use a smaller lookback/horizon, "
            f"more data, or drop the short series."
        )


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def load_csv(path, *, target=None, time=None, id=None, covariates=(), freq=None,
             fill=None) -> Panel:
    """Read and validate a CSV file into a :class:`Panel`.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file (UTF-8, optional BOM; delimiter ``,`` ``;`` tab or ``|`` detected from the
        header line).
    target : str, list of str or None
        Column to forecast. A list or comma string ``"a,b"`` makes each column its own
        series (wide files only). None picks the only numeric value column.
    time : str or None
        Time column; None looks for a column named time, date, month... then the first
        column if it parses as dates.
    id : str or None
        Series id column of a long panel; None infers it when timestamps repeat and exactly
        one other non-numeric column exists.
    covariates : str or iterable of str
        Past-observed covariate columns.
    freq : str or None
        Pandas offset alias the timestamps must fit; None infers it.
    fill : {"interpolate", "ffill", "zero"} or None
        How to fill missing values and gaps; None makes them an error.

    Returns
    -------
    Panel

    Raises
    ------
    DataError
        If the file violates a validation rule (message names line, column, value and fix).
    ConfigError
        If an argument is invalid or the target is ambiguous.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "air.csv"
    >>> _ = path.write_text("Month,Passengers\\n1949-01,112\\n1949-02,118\\n1949-03,132\\n")
    >>> panel = load_csv(path)
    >>> panel.target, panel.freq, panel.frame["y"].tolist()
    ('Passengers', 'MS', [112.0, 118.0, 132.0])
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigTypeError(f"`path` must be a str or path-like. Received: path={path!r} "
                              f"of type {type(path).__name__}")
    options = _check_options(target, time, id, covariates, freq, fill)
    source = os.fspath(path)
    raw, rows = _read_csv(source)
    return _build_panel(raw, rows, **options)


def from_pandas(obj, *, target=None, time=None, id=None, covariates=(), freq=None, fill=None,
                source="<DataFrame>") -> Panel:
    """Validate a pandas Series or DataFrame into a :class:`Panel`.

    Accepts the same layouts and arguments as :func:`load_csv`. A Series is one series named
    by ``obj.name`` (default ``"y"``) over its index. When ``time`` is None, a DatetimeIndex
    or PeriodIndex is the time axis; otherwise a time-like column, then an integer index
    (integer periods).

    Parameters
    ----------
    obj : pandas.Series or pandas.DataFrame
    target, time, id, covariates, freq, fill
        See :func:`load_csv`. ``time`` may also name the index.
    source : str
        Name used in messages; rows are reported by position and index label.

    Returns
    -------
    Panel

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "2024-01-04"],
    ...                    "load": [1.0, 2.0, 4.0]})
    >>> from_pandas(df, fill="interpolate").frame["y"].tolist()
    [1.0, 2.0, 3.0, 4.0]
    """
    if not isinstance(source, str):
        raise ConfigTypeError(f"`source` must be a str. Received: source={source!r}")
    options = _check_options(target, time, id, covariates, freq, fill)
    if isinstance(obj, pd.Series):
        name = "y" if obj.name is None else str(obj.name)
        obj = obj.to_frame(name)
        if options["target"] is None:
            options["target"] = [name]
    elif not isinstance(obj, pd.DataFrame):
        raise ConfigTypeError(f"`obj` must be a pandas Series or DataFrame. "
                              f"Received: obj of type {type(obj).__name__}")
    if len(obj) == 0:
        raise DataError(f"{_describe(source)} has no rows. Pass a Series or DataFrame with "
                        f"at least one row.")
    raw, time_name = _frame_with_time_column(obj, options["time"], source)
    options["time"] = time_name
    rows = _Rows(source, labels=obj.index)
    return _build_panel(raw.reset_index(drop=True), rows, **options)


def season_length(freq: str | None) -> int:
    """Return the usual seasonal period of a frequency.

    Yearly 1, quarterly 4, monthly 12, semi-monthly 24, weekly 52, daily 7, business-daily
    5, hourly 24, half-hourly (``"30min"``) 48, other minutely and secondly 60; anything
    else and None 1. A multiple divides the base season when it divides it evenly
    (``"2h"`` -> 12, ``"3MS"`` -> 4, ``"15min"`` -> 4) and gives 1 otherwise.

    Parameters
    ----------
    freq : str or None
        Pandas offset alias.

    Returns
    -------
    int

    Examples
    --------
    >>> [season_length(f) for f in ("YS", "QS", "MS", "W", "D", "B", "h", "30min", None)]
    [1, 4, 12, 52, 7, 5, 24, 48, 1]
    """
    if freq is None:
        return 1
    offset = _to_offset(freq)
    base = _base_season(offset)
    if offset.n == 30 and isinstance(offset, pd.offsets.Minute):
        return 48
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
    offset = _infer_offset(index)
    if offset is None or _off_grid(index, offset).any():
        return None
    return offset.freqstr


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------


def _check_options(target, time, id, covariates, freq, fill) -> dict:
    """Validate argument types and values; return normalised keyword arguments."""
    for name, value in (("time", time), ("id", id)):
        if value is not None and not isinstance(value, str):
            raise ConfigTypeError(f"`{name}` must be a column name (str) or None. "
                                  f"Received: {name}={value!r}")
    if fill is not None and fill not in FILL_POLICIES:
        raise ConfigError(f"`fill` must be one of {FILL_POLICIES} or None. "
                          f"Received: fill={fill!r}")
    return {"target": _name_list("target", target, allow_none=True), "time": time, "id": id,
            "covariates": tuple(_name_list("covariates", covariates) or ()),
            "freq": None if freq is None else _to_offset(freq).freqstr, "fill": fill}


def _name_list(arg: str, value, allow_none: bool = False) -> list[str] | None:
    """Normalise a column name, comma string or iterable of names into a list."""
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and all(isinstance(v, str) for v in value):
        names = list(value)
        duplicated = sorted({v for v in names if names.count(v) > 1})
        if duplicated:
            raise ConfigError(f"`{arg}` lists a column more than once: {duplicated}. "
                              f"Received: {arg}={value!r}")
        return names
    raise ConfigTypeError(f"`{arg}` must be a column name, a comma-separated string or a "
                          f"list of column names. Received: {arg}={value!r}")


def _to_offset(freq):
    """Parse an offset alias, raising ConfigError with pandas' suggestion if any."""
    if not isinstance(freq, str):
        raise ConfigTypeError(f"`freq` must be a pandas offset alias (str) such as 'MS', 'D' "
                              f"or 'h'. Received: freq={freq!r}")
    try:
        return to_offset(freq)
    except ValueError as err:
        hint = re.search(r"(Did you mean \w+\?|Please use '\w+' instead)", str(err))
        extra = f" ({hint.group(1)})" if hint else ""
        raise ConfigError(f"`freq` must be a pandas offset alias such as 'YS', 'QS', 'MS', "
                          f"'W', 'D', 'h' or '30min'{extra}. Received: freq={freq!r}") from None


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
        raise ConfigTypeError(f"`horizon` must be an int. Received: horizon={horizon!r}")
    if horizon < 1:
        raise ConfigError(f"`horizon` must be >= 1. Received: horizon={horizon}")
    return int(horizon)


def _base_season(offset) -> int:
    """Season length of a frequency with multiple 1."""
    seasons = (
        ((pd.offsets.YearBegin, pd.offsets.YearEnd, pd.offsets.BYearBegin,
          pd.offsets.BYearEnd), 1),
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
    for classes, season in seasons:
        if isinstance(offset, classes):
            return season
    return 1


# --------------------------------------------------------------------------------------
# Locating rows in messages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Maps raw row positions to what the user sees: file lines or frame rows."""

    source: str
    lines: np.ndarray | None = None
    labels: pd.Index | None = None

    @property
    def is_file(self) -> bool:
        return self.lines is not None

    @property
    def where(self) -> str:
        return _describe(self.source)

    def at(self, pos) -> str:
        pos = int(pos)
        if self.lines is not None:
            return f"line {int(self.lines[pos])}"
        return f"row {pos} (index {_fmt(self.labels[pos])})"

    def sort_hint(self) -> str:
        if self.is_file:
            return "Sort the file by time (and id)"
        return "Sort the data by time (e.g. df.sort_values([id, time]) or df.sort_index())"


def _describe(source: str) -> str:
    return source if source.startswith("<") else repr(source)


def _fmt(value) -> str:
    """Short display of a timestamp or label: dates without a midnight time part."""
    if isinstance(value, pd.Timestamp):
        if value.tz is None and value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    return str(value)


def _value(column: pd.Series, pos: int) -> str:
    """repr of a raw cell for messages: strings quoted, numpy scalars as plain Python."""
    value = column.iloc[pos]
    return repr(value.item() if isinstance(value, np.generic) else value)


def _preview(values, limit: int = 8) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _first(mask) -> int | None:
    """Position of the first True, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if len(hits) else None


# --------------------------------------------------------------------------------------
# Reading CSV files
# --------------------------------------------------------------------------------------


def _read_csv(source: str) -> tuple[pd.DataFrame, _Rows]:
    """Decode, split and tokenise a CSV file into string columns plus line numbers."""
    text = _read_text(source)
    lines = text.split("\n")
    header_at = next((i for i, line in enumerate(lines) if line.strip(" \t\r")), None)
    if header_at is None:
        raise DataError(f"{source!r} is empty (only blank lines). Expected a header line such "
                        f"as 'date,value' followed by data rows.")
    header = lines[header_at].rstrip("\r")
    delimiter = max(_DELIMITERS, key=header.count)
    if header.count(delimiter) == 0:
        delimiter = ","
    names = [name.strip() for name in next(csv.reader([header], delimiter=delimiter))]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataError(f"{source!r} has duplicate column names in its header (line "
                        f"{header_at + 1}): {duplicated}. Rename the columns so each name is "
                        f"unique.")
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                            skip_blank_lines=True)
    except pd.errors.ParserError as err:
        detail = re.search(r"Expected \d+ fields in line \d+, saw \d+", str(err))
        raise DataError(
            f"{source!r} could not be parsed with delimiter {delimiter!r}: "
            f"{detail.group(0) if detail else str(err).strip().splitlines()[-1]}. "
            f"Make every row have the header's {len(names)} fields and quote values that "
            f"contain the delimiter."
        ) from None
    if len(table) <= 1:
        raise DataError(f"{source!r} has a header but no data rows (columns: {names}). Add "
                        f"at least one row below the header.")
    raw = table.iloc[1:].reset_index(drop=True)
    raw.columns = names
    return raw, _Rows(source, lines=_data_lines(text, lines, len(raw), delimiter))


def _read_text(source: str) -> str:
    """Read a file as UTF-8 (BOM allowed) with clear errors for missing/empty/non-UTF-8."""
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DataError(f"File not found: {source!r}. Check the path.") from None
    except IsADirectoryError:
        raise DataError(f"{source!r} is a directory, not a CSV file. Pass the path of a "
                        f"file.") from None
    if not data.strip():
        raise DataError(f"{source!r} is empty. Expected a header line such as 'date,value' "
                        f"followed by data rows.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        byte = data[err.start:err.start + 1]
        raise DataError(f"{source!r} is not valid UTF-8: byte 0x{byte.hex()} at byte offset "
                        f"{err.start} (line {line}) cannot be decoded. Re-save the file as "
                        f"UTF-8.") from None


def _data_lines(text: str, lines: list[str], n_rows: int, delimiter: str) -> np.ndarray:
    """Physical line number (1-based) of each data row, skipping blank lines like pandas."""
    if re.search(r"(?:^|\n)[ \t\r]*\n", text) or re.search(r"\n[ \t\r]+$", text):
        nonblank = np.flatnonzero(pd.Series(lines).str.strip(" \t\r").ne("").to_numpy()) + 1
    else:  # fast path: no blank lines (a final newline leaves one empty last element)
        nonblank = np.arange(1, len(lines) + (0 if lines[-1] == "" else 1))
    if len(nonblank) == n_rows + 1:
        return nonblank[1:]
    starts = _record_lines(text, delimiter)  # quoted fields span several lines
    if len(starts) == n_rows + 1:
        return starts[1:]
    return np.arange(2, n_rows + 2)


def _record_lines(text: str, delimiter: str) -> np.ndarray:
    """First physical line of each non-blank CSV record (slow path for multi-line quotes)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, previous = [], 0
    for record in reader:
        if any(field.strip(" \t\r") for field in record):
            starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts, dtype="int64")


# --------------------------------------------------------------------------------------
# pandas inputs
# --------------------------------------------------------------------------------------


def _frame_with_time_column(df: pd.DataFrame, time: str | None,
                            source: str) -> tuple[pd.DataFrame, str | None]:
    """Return a copy of ``df`` whose time axis is a column, and that column's name."""
    df = df.copy()
    df.columns = [str(c) for c in df.columns]
    if not _index_is_time(df, time):
        return df, time
    index = df.index
    name = str(index.name) if index.name is not None else "index"
    if name in df.columns:
        raise ConfigError(f"The index of {_describe(source)} is named {name!r} like a column; "
                          f"rename one of them or pass --time COL (time=...).")
    df.insert(0, name, index.to_numpy() if not isinstance(index, pd.PeriodIndex)
              else index.to_timestamp())
    return df, name


def _index_is_time(df: pd.DataFrame, time: str | None) -> bool:
    """Whether the index is the time axis: named by ``time``, or (``time`` None) a
    Datetime/PeriodIndex, or an integer index when no column looks like time."""
    index = df.index
    if time is not None:
        return time not in df.columns and time == index.name
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return True
    return (is_integer_dtype(index.dtype) and _find_time_name(df.columns) is None
            and not _first_column_is_time(df))


# --------------------------------------------------------------------------------------
# Column resolution
# --------------------------------------------------------------------------------------


def _find_time_name(columns) -> str | None:
    for column in columns:
        if str(column).strip().lower() in TIME_NAMES:
            return column
    return None


def _first_column_is_time(raw: pd.DataFrame) -> bool:
    """True if the first column is non-numeric and mostly parses as dates."""
    if raw.shape[1] == 0:
        return False
    column = raw.iloc[:, 0]
    if is_datetime64_any_dtype(column) or isinstance(column.dtype, pd.PeriodDtype):
        return True
    sample = _sample(column)
    if len(sample) == 0 or _looks_numeric(sample):
        return False
    text = sample.astype("str").str.strip()
    if _quarter_parts(text) is not None:
        return True
    try:
        parsed, bad = _parse_date_text(text)
    except (ValueError, OverflowError):
        return True  # dates with mixed time zones: the time checks report them
    return bool((~bad).mean() > 0.5)


def _sample(column: pd.Series, size: int = 1000) -> pd.Series:
    """The first ``size`` present values, enough to judge what a column holds."""
    return column[column.notna()].iloc[:size]


def _looks_numeric(column: pd.Series) -> bool:
    """True if more than half of the (first 1000) present values parse as numbers."""
    if is_numeric_dtype(column) and not is_bool_dtype(column):
        return True
    values, missing, bad = _parse_numbers(_sample(column))
    present = ~missing
    return bool(present.any() and (~bad[present]).mean() > 0.5)


def _check_columns(raw: pd.DataFrame, rows: _Rows, role: str, names) -> None:
    flags = {"target": "--target", "time": "--time", "id": "--id", "covariates": "--past-covariates"}
    for name in names:
        if name not in raw.columns:
            raise DataError(f"Column {name!r} ({flags[role]} / {role}=) not found in "
                            f"{rows.where}. Available columns: {list(raw.columns)}.")


def _resolve_columns(raw: pd.DataFrame, rows: _Rows, target, time, id, covariates):
    """Return ``(time, id, targets, covariates)`` column names, inferring the missing ones."""
    _check_columns(raw, rows, "time", [time] if time else [])
    _check_columns(raw, rows, "id", [id] if id else [])
    covariates = _split_names(covariates, raw.columns)
    _check_columns(raw, rows, "covariates", covariates)
    if target is not None:
        target = _split_names(target, raw.columns)
        _check_columns(raw, rows, "target", target)
    time = time or _infer_time_column(raw, rows)
    if id is None:
        id = _infer_id_column(raw, time, target, covariates)
    if target is None:
        target = [_infer_target(raw, rows, time, id, covariates)]
    _check_roles(rows, time, id, target, covariates)
    return time, id, target, covariates


def _split_names(names, columns) -> list[str]:
    """Split a single comma string ``"a, b"`` into names unless it is itself a column."""
    names = list(names)
    if len(names) == 1 and names[0] not in columns and "," in names[0]:
        return [name.strip() for name in names[0].split(",") if name.strip()]
    return names


def _infer_time_column(raw: pd.DataFrame, rows: _Rows) -> str:
    name = _find_time_name(raw.columns)
    if name is not None:
        return name
    if _first_column_is_time(raw):
        return raw.columns[0]
    raise ConfigError(f"Cannot find the time column in {rows.where}: no column is named one of "
                      f"{'/'.join(TIME_NAMES)} and the first column does not parse as dates. "
                      f"Columns: {list(raw.columns)}. Pass --time COL (time=...).")


def _infer_id_column(raw: pd.DataFrame, time: str, target, covariates) -> str | None:
    """The only other non-numeric column, if timestamps repeat (long format)."""
    if not raw[time].duplicated().any():
        return None
    taken = {time, *(target or ()), *covariates}
    others = [c for c in raw.columns if c not in taken and not _looks_numeric(raw[c])]
    return others[0] if len(others) == 1 else None


def _infer_target(raw: pd.DataFrame, rows: _Rows, time: str, id: str | None,
                  covariates) -> str:
    taken = {time, id, *covariates}
    remaining = [c for c in raw.columns if c not in taken]
    if len(remaining) == 1:  # the only value column: the numeric checks report bad values
        return remaining[0]
    candidates = [c for c in remaining if _looks_numeric(raw[c])]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise DataError(f"{rows.where} has no numeric value column besides the time column "
                        f"{time!r} (columns: {list(raw.columns)}). Pass --target COL "
                        f"(target=...) naming the column to forecast.")
    raise ConfigError(f"Cannot choose the target in {rows.where}: several numeric columns "
                      f"{candidates}. Pass --target COL (target=...) or several as "
                      f"--target a,b.")


def _check_roles(rows: _Rows, time, id, targets, covariates) -> None:
    """Reject columns used twice and covariate names that clash with frame columns."""
    if len(targets) > 1 and id is not None:
        raise ConfigError(f"Several targets {targets} need a wide file without an id column, "
                          f"but id={id!r}. Pass one --target COL (target=...) for a long panel.")
    if len(targets) > 1 and covariates:
        raise ConfigError(f"Covariates are not supported with several targets {targets}. "
                          f"Pass one --target COL (target=...) or drop --past-covariates.")
    roles = [("time", time), ("id", id)] + [("target", t) for t in targets] + [
        ("covariates", c) for c in covariates]
    seen: dict[str, str] = {}
    for role, name in roles:
        if name is None:
            continue
        if name in seen:
            raise ConfigError(f"Column {name!r} is used both as {seen[name]} and as {role} in "
                              f"{rows.where}. Give each role its own column.")
        seen[name] = role
    clash = [c for c in covariates if c in ("id", "time", "y")]
    if clash:
        raise ConfigError(f"Covariate names {clash} clash with the panel columns "
                          f"'id', 'time', 'y'. Rename the covariate columns.")


# --------------------------------------------------------------------------------------
# Parsing values
# --------------------------------------------------------------------------------------


def _text(column: pd.Series) -> pd.Series:
    """Stripped string view of a column (missing stays missing)."""
    return column.astype("str").str.strip()


def _parse_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return float64 values, a missing mask and a non-numeric mask.

    Strings are parsed by ``pd.to_numeric`` (surrounding spaces allowed); values it rejects
    are missing if they spell a missing value (``NA``, ``null``, ``nan``...), else bad.
    """
    if is_numeric_dtype(column) and not isinstance(column.dtype, pd.PeriodDtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return values, np.isnan(values), np.zeros(len(values), dtype=bool)
    missing = column.isna().to_numpy(dtype=bool, copy=True)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & ~missing
    if bad.any():
        suspects = np.flatnonzero(bad)
        spelled_na = _text(column.iloc[suspects]).str.lower().isin(_NA_TOKENS).to_numpy()
        missing[suspects[spelled_na]] = True
        bad[suspects[spelled_na]] = False
    return values, missing, bad


def _parse_times(column: pd.Series, rows: _Rows, name: str) -> pd.Series:
    """Parse a time column into datetime64[ns] (maybe tz-aware) or int64 periods."""
    if isinstance(column.dtype, pd.PeriodDtype):
        column = column.dt.to_timestamp()
    where = f"column `{name}` of {rows.where}"
    missing = _first(column.isna())
    if missing is not None:
        raise DataError(f"Missing time value in {where} at {rows.at(missing)}. Every row needs "
                        f"a timestamp: fill it in or delete the row.")
    if is_datetime64_any_dtype(column):
        return _to_ns(column, column, rows, where)
    if is_integer_dtype(column) and not is_bool_dtype(column):
        return column.astype("int64")
    if is_float_dtype(column):
        bad = _first(column != np.round(column))
        if bad is not None:
            raise DataError(f"Cannot parse time value {_value(column, bad)} in {where} at "
                            f"{rows.at(bad)}: integer periods must be whole numbers.")
        return column.astype("int64")
    return _parse_time_text(column, rows, where)


def _parse_time_text(column: pd.Series, rows: _Rows, where: str) -> pd.Series:
    """Parse strings: integer periods, YYYYMMDD, quarters ('1970 Q1') or dates."""
    text = column.astype("str")
    empty = _first(text.eq(""))
    if empty is not None:
        raise DataError(f"Missing time value in {where} at {rows.at(empty)}. Every row needs "
                        f"a timestamp: fill it in or delete the row.")
    integers = pd.to_numeric(text, errors="coerce")
    if is_integer_dtype(integers):
        compact = _compact_dates(text, integers)
        return integers.astype("int64") if compact is None else _to_ns(compact, column, rows,
                                                                       where)
    quarters = _quarter_parts(text)
    if quarters is not None:
        year, quarter, bad = quarters
        _raise_unparseable(bad, column, rows, where)
        parsed = pd.to_datetime(pd.DataFrame({"year": year, "month": 3 * quarter - 2,
                                              "day": 1}))
        return _to_ns(parsed, column, rows, where)
    try:
        parsed, bad = _parse_date_text(text)
    except (ValueError, OverflowError) as err:  # pandas refuses mixed UTC offsets
        _check_one_offset(text, column, rows, where)
        raise DataError(f"Cannot parse the time values in {where}: {err}. Write all "
                        f"timestamps in one format and one UTC offset.") from None
    _raise_unparseable(bad, column, rows, where)
    return _to_ns(parsed, column, rows, where)


def _compact_dates(text: pd.Series, integers: pd.Series) -> pd.Series | None:
    """Parse all-8-digit values such as 20240131 as dates, else None (integer periods)."""
    if not integers.between(10000101, 99991231).all():
        return None
    parsed = pd.to_datetime(text.str.strip(), format="%Y%m%d", errors="coerce")
    return None if parsed.isna().any() else parsed


def _quarter_parts(text: pd.Series):
    """``(year, quarter, bad)`` arrays if the first value looks like '1970 Q1', else None."""
    for pattern in _QUARTER_PATTERNS:
        if re.fullmatch(pattern, str(text.iloc[0]).strip()):
            parts = text.str.strip().str.extract(f"^{pattern}$")
            bad = parts["year"].isna().to_numpy()
            year = pd.to_numeric(parts["year"]).fillna(2000).astype("int64").to_numpy()
            quarter = pd.to_numeric(parts["quarter"]).fillna(1).astype("int64").to_numpy()
            return year, quarter, bad
    return None


def _check_one_offset(text: pd.Series, column: pd.Series, rows: _Rows, where: str) -> None:
    """Raise DataError if timestamps carry different UTC offsets (or some none)."""
    zone = text.str.extract(_TZ_SUFFIX, expand=False)
    if zone.isna().all():
        return
    zone = (zone.fillna("none").str.replace("Z", "+00:00", regex=False)
            .str.replace(r"^([+-]\d{2})$", r"\1:00", regex=True)
            .str.replace(r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True))
    differ = _first(zone.ne(zone.iloc[0]))
    if differ is not None:
        first = "no UTC offset" if zone.iloc[0] == "none" else f"UTC offset {zone.iloc[0]}"
        raise DataError(f"Mixed time zones in {where}: {rows.at(0)} has {first} but "
                        f"{rows.at(differ)} has {_value(column, differ)}. Write all "
                        f"timestamps with one UTC offset (e.g. convert them to UTC).")


def _parse_date_text(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse date strings as ISO 8601, else with the format guessed from the first value.

    Raises pandas' ValueError for mixed UTC offsets.
    """
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():  # slow path: surrounding spaces, or another format
        text = text.str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy()
    if bad.any():
        guessed = guess_datetime_format(str(text.iloc[0]))
        if guessed is not None:
            other = pd.to_datetime(text, format=guessed, errors="coerce")
            if other.isna().sum() < bad.sum():
                parsed, bad = other, other.isna().to_numpy()
    return parsed, bad


def _raise_unparseable(bad, column: pd.Series, rows: _Rows, where: str) -> None:
    pos = _first(bad)
    if pos is not None:
        raise DataError(f"Cannot parse time value {_value(column, pos)} in {where} at "
                        f"{rows.at(pos)}. {_TIME_FORMATS}.")


def _to_ns(parsed: pd.Series, column: pd.Series, rows: _Rows, where: str) -> pd.Series:
    """Convert to nanosecond resolution, reporting timestamps pandas cannot represent."""
    utc = parsed.dt.tz_convert(None) if parsed.dt.tz is not None else parsed
    outside = _first((utc < pd.Timestamp.min) | (utc > pd.Timestamp.max))
    if outside is not None:
        raise DataError(f"Time value {_value(column, outside)} in {where} at "
                        f"{rows.at(outside)} is outside the supported range "
                        f"{pd.Timestamp.min:%Y-%m-%d} to {pd.Timestamp.max:%Y-%m-%d}. Fix "
                        f"the timestamp or use integer periods.")
    return parsed.dt.as_unit("ns")


# --------------------------------------------------------------------------------------
# Row checks
# --------------------------------------------------------------------------------------


def _ticks(times: pd.Series) -> np.ndarray:
    """int64 view of times (UTC nanoseconds for datetimes) for fast comparisons."""
    if is_datetime64_any_dtype(times):
        return pd.DatetimeIndex(times).asi8
    return times.to_numpy(dtype="int64")


def _check_duplicates(codes, ticks, times, ids, rows: _Rows, has_id: bool) -> None:
    frame = pd.DataFrame({"code": codes, "tick": ticks})
    later = _first(frame.duplicated().to_numpy())
    if later is None:
        return
    first = _first((codes == codes[later]) & (ticks == ticks[later]))
    series = f" for series {ids[later]!r}" if has_id else ""
    hint = ("remove or aggregate the duplicate rows" if has_id else
            "remove or aggregate the duplicate rows, or if the data holds several series "
            "pass --id COL (id=...)")
    raise DataError(f"Duplicate timestamp {_fmt(times.iloc[later])}{series} in {rows.where} "
                    f"at {rows.at(first)} and {rows.at(later)}. Each series needs one row per "
                    f"timestamp: {hint}.")


def _check_sorted(codes, ticks, times, ids, rows: _Rows, has_id: bool) -> None:
    order = np.argsort(codes, kind="stable")
    c, t = codes[order], ticks[order]
    back = np.flatnonzero((c[1:] == c[:-1]) & (t[1:] < t[:-1]))
    if len(back) == 0:
        return
    k = back[np.argmin(order[back + 1])]
    pos, previous = order[k + 1], order[k]
    series = f" of series {ids[pos]!r}" if has_id else ""
    raise DataError(f"Timestamps{series} go backwards in {rows.where} at {rows.at(pos)}: "
                    f"{_fmt(times.iloc[pos])} comes after {_fmt(times.iloc[previous])} at "
                    f"{rows.at(previous)}. {rows.sort_hint()}.")


def _parse_value_columns(raw: pd.DataFrame, rows: _Rows, columns, times: pd.Series,
                         fill) -> dict[str, np.ndarray]:
    """Parse target/covariate columns; each check runs over all columns before the next."""
    parsed = {name: _parse_numbers(raw[name]) for name in columns}
    for name, (values, missing, bad) in parsed.items():
        _check_numeric(raw[name], name, bad, rows)
    if fill is None:
        for name, (values, missing, bad) in parsed.items():
            _check_missing(name, missing, times, rows)
    for name, (values, missing, bad) in parsed.items():
        _check_finite(raw[name], name, values, rows)
    for name, (values, missing, bad) in parsed.items():
        _check_magnitude(raw[name], name, values, rows)
    return {name: values for name, (values, missing, bad) in parsed.items()}


def _check_numeric(column: pd.Series, name: str, bad, rows: _Rows) -> None:
    pos = _first(bad)
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} must be numeric, but "
                        f"{rows.at(pos)} holds {_value(column, pos)}. "
                        f"{_number_hint(str(column.iloc[pos]).strip())}")


def _check_missing(name: str, missing, times: pd.Series, rows: _Rows) -> None:
    pos = _first(missing)
    if pos is not None:
        count = int(missing.sum())
        raise DataError(f"Column `{name}` of {rows.where} has {count} missing "
                        f"value{'s' if count > 1 else ''} (first at {rows.at(pos)}, time "
                        f"{_fmt(times.iloc[pos])}). Fix the data or {_FILL_HINT}.")


def _check_finite(column: pd.Series, name: str, values, rows: _Rows) -> None:
    pos = _first(np.isinf(values))
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} holds an infinite value at "
                        f"{rows.at(pos)}: {_value(column, pos)}. Replace it with a finite "
                        f"number, or leave the cell empty and {_FILL_HINT}.")


def _check_magnitude(column: pd.Series, name: str, values, rows: _Rows) -> None:
    pos = _first(np.abs(np.nan_to_num(values)) > MAX_ABS_VALUE)
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} holds {_value(column, pos)} at "
                        f"{rows.at(pos)}, beyond the supported magnitude {MAX_ABS_VALUE:g} "
                        f"(its square overflows float64). Rescale the column (e.g. divide "
                        f"by 1e6).")


def _number_hint(value: str) -> str:
    """How to fix a non-numeric cell: thousands separators, decimal comma, or generic."""
    if re.fullmatch(_THOUSANDS, value):
        digits = re.sub(r"[,.' ](?=\d{3}(?:\D|$))", "", value)
        return (f"Remove thousands separators ({value} -> {digits}) and use '.' as the "
                f"decimal point.")
    if re.fullmatch(r"[+-]?\d+,\d+", value):
        return f"Use '.' as the decimal point ({value} -> {value.replace(',', '.')})."
    return ("Replace it with a number (remove units, text and thousands separators), or leave "
            "the cell empty to mark it missing.")


# --------------------------------------------------------------------------------------
# Frequency and grid
# --------------------------------------------------------------------------------------


def _pandas_infer(index: pd.DatetimeIndex):
    """pandas.infer_freq as an offset or None.

    Opts into pandas' future offset return type locally where the option exists (pandas 3),
    so no deprecation warning is raised; older pandas returns a string, converted here.
    """
    with _offset_return_type():
        try:
            found = pd.infer_freq(index)
        except (TypeError, ValueError):
            return None
    return to_offset(found) if isinstance(found, str) else found


def _offset_return_type():
    try:
        pd.get_option(_FUTURE_OFFSET_OPTION)
    except KeyError:  # pandas < 3 has no such option (OptionError is a KeyError)
        return contextlib.nullcontext()
    return pd.option_context(_FUTURE_OFFSET_OPTION, True)


def _infer_offset(index: pd.DatetimeIndex):
    """Best offset for increasing times: pandas.infer_freq, else the most common spacing.

    Returns the first candidate grid that holds every time, else the first candidate (so
    that the caller can report the first time off its grid).
    """
    if len(index) >= 3:
        offset = _pandas_infer(index)
        if offset is not None:
            return offset
    spacing = pd.Timedelta(_mode(np.diff(index.asi8)), unit=index.unit)
    candidates = _spacing_candidates(index, spacing)
    for offset in candidates:
        if not _off_grid(index, offset).any():
            return offset
    return candidates[0]


def _spacing_candidates(index: pd.DatetimeIndex, spacing: pd.Timedelta) -> list:
    """Offsets whose step is ``spacing``: business days, the calendar alias pandas infers
    for three steps from the first time (e.g. 'MS', 'QS-JAN', 'W-MON'), the fixed step."""
    candidates = []
    if spacing == _ONE_DAY and _weekdays_only(index):
        candidates.append(pd.offsets.BusinessDay())
    step = _calendar_step(spacing / _ONE_DAY) or spacing
    start = index[0]
    named = _pandas_infer(pd.DatetimeIndex([start, start + step, start + 2 * step]))
    if named is not None:
        candidates.append(named)
    candidates.append(to_offset(spacing))
    return candidates


def _calendar_step(days: float) -> pd.DateOffset | None:
    """A month/year DateOffset whose length matches ``days``, or None."""
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


def _off_grid(index: pd.DatetimeIndex, offset) -> np.ndarray:
    """Mask of times not on the grid of ``offset`` that starts at ``index[0]``.

    A grid far denser than the data (see :func:`_too_sparse`) counts as not fitting.
    """
    if _too_sparse(index, offset):
        return np.r_[False, np.ones(len(index) - 1, dtype=bool)]
    grid = pd.date_range(index[0], index[-1], freq=offset)
    return ~index.isin(grid.as_unit(index.unit))


def _grid_size(index: pd.DatetimeIndex, offset) -> float:
    """Approximate number of grid points between the first and last time."""
    start = index[0]
    stride = (start + offset) - start
    if stride <= pd.Timedelta(0):
        return float("inf")
    # integer nanoseconds: a Timedelta overflows past ~292 years (e.g. yearly 1700-2008)
    return (index[-1].value - start.value) / stride.value + 1


def _too_sparse(index, offset) -> bool:
    """True if the grid would need far more points than there are rows."""
    return _grid_size(index, offset) > _MAX_GRID_FACTOR * len(index) + 1000


@dataclass
class _Series:
    """One series of the long working table: rows ``a:b`` of the sorted arrays."""

    key: str
    a: int
    b: int


def _series_label(key: str, has_ids: bool) -> str:
    return f"series {key!r}" if has_ids else "the series"


def _datetime_grid(index: pd.DatetimeIndex, series: list[_Series], pos: np.ndarray,
                   rows: _Rows, freq: str | None, has_ids: bool):
    """Resolve the panel offset and check every series lies on its grid.

    Without ``freq``, each series of 3+ rows infers its own offset and all must agree;
    two-row series (too short to tell a gap from the spacing) only have to fit the grid.
    """
    if freq is not None:
        offset = to_offset(freq)
        for s in series:
            _check_fits(index[s.a:s.b], offset, s, pos, rows, has_ids, "explicit")
        return offset
    inferred = {}
    for s in (s for s in series if s.b - s.a >= 2):
        inferred[s.key] = _infer_offset(index[s.a:s.b])
        _check_fits(index[s.a:s.b], inferred[s.key], s, pos, rows, has_ids, "own")
    if not inferred:
        raise DataError(f"Cannot infer the frequency of {rows.where}: every series has a "
                        f"single timestamp. P{_FREQ_HINT[1:]}.")
    reliable = [(s.key, inferred[s.key]) for s in series if s.b - s.a >= 3]
    for key, offset in reliable[1:]:
        if offset.freqstr != reliable[0][1].freqstr:
            raise DataError(f"All series in a panel must share one frequency, but series "
                            f"{reliable[0][0]!r} is {reliable[0][1].freqstr} and series "
                            f"{key!r} is {offset.freqstr} in {rows.where}. Resample them to "
                            f"one frequency or split the data.")
    start = index[0]
    offset = reliable[0][1] if reliable else min(inferred.values(),
                                                  key=lambda o: (start + o) - start)
    for s in series:
        if s.key in inferred and inferred[s.key].freqstr != offset.freqstr:
            _check_fits(index[s.a:s.b], offset, s, pos, rows, has_ids, "panel")
    return offset


def _check_fits(index: pd.DatetimeIndex, offset, s: _Series, pos, rows: _Rows,
                has_ids: bool, grid: str) -> None:
    """Raise DataError if ``index`` is not on the ``offset`` grid starting at its first time.

    ``grid`` says where the offset came from: "explicit" (--freq), "own" (the series' most
    common spacing) or "panel" (the frequency of the other series).
    """
    label = _series_label(s.key, has_ids)
    name = offset.freqstr
    if _too_sparse(index, offset):
        raise DataError(f"The {name} grid of {label} in {rows.where} would need about "
                        f"{_grid_size(index, offset):,.0f} points for {len(index)} rows: the "
                        f"timestamps are far sparser than that frequency. Pass the frequency "
                        f"the data is recorded at (--freq / freq=).")
    bad = _first(_off_grid(index, offset))
    if bad is None:
        return
    where = f"{_fmt(index[bad])} at {rows.at(pos[s.a + bad])}"
    if grid == "explicit":
        raise DataError(f"Timestamps of {label} in {rows.where} do not fit --freq {name} "
                        f"(freq={name!r}): {where} is not on the {name} grid starting "
                        f"{_fmt(index[0])}. Pass the frequency the data is recorded at, or "
                        f"omit it to infer one.")
    if grid == "panel":
        raise DataError(f"All series in a panel must share one frequency, but {where} of "
                        f"{label} in {rows.where} is not on the {name} grid of the other "
                        f"series. Resample the series to one frequency or split the data.")
    raise DataError(f"Timestamps of {label} in {rows.where} are irregular: {where} is not on "
                    f"the {name} grid of the most common spacing (starting "
                    f"{_fmt(index[0])}). Fix the timestamps or {_FREQ_HINT}.")


def _integer_step(ticks: np.ndarray, series: list[_Series], pos, rows: _Rows,
                  has_ids: bool) -> int:
    """Common step of integer periods and a check that every series lies on its grid.

    Series of 3+ rows each take their most common difference and must agree; two-row
    series only have to fit the step (without longer series, the gcd of their steps).
    """
    steps = {s.key: _mode(np.diff(ticks[s.a:s.b])) for s in series if s.b - s.a >= 2}
    if not steps:
        return 1
    reliable = [(s.key, steps[s.key]) for s in series if s.b - s.a >= 3]
    for key, own in reliable[1:]:
        if own != reliable[0][1]:
            raise DataError(f"All series in a panel must share one step, but series "
                            f"{reliable[0][0]!r} has step {reliable[0][1]} and series {key!r} "
                            f"has step {own} in {rows.where}. Put all series on one integer "
                            f"grid or split the data.")
    step = reliable[0][1] if reliable else int(np.gcd.reduce(list(steps.values())))
    for s in (s for s in series if s.b - s.a >= 2):
        _check_integer_grid(ticks[s.a:s.b], step, s, pos, rows, has_ids)
    return step


def _mode(values: np.ndarray) -> int:
    """Most common value (the smallest on ties)."""
    unique, counts = np.unique(values, return_counts=True)
    return int(unique[np.argmax(counts)])


def _check_integer_grid(periods: np.ndarray, step: int, s: _Series, pos, rows: _Rows,
                        has_ids: bool) -> None:
    label = _series_label(s.key, has_ids)
    size = (periods[-1] - periods[0]) // step + 1
    if size > _MAX_GRID_FACTOR * len(periods) + 1000:
        raise DataError(f"The step-{step} grid of {label} in {rows.where} would need {size:,} "
                        f"points for {len(periods)} rows: the periods are far sparser than "
                        f"their most common step. Fix the periods so they are evenly spaced.")
    bad = _first((periods - periods[0]) % step != 0)
    if bad is not None:
        raise DataError(f"Periods of {label} in {rows.where} are irregular: {periods[bad]} at "
                        f"{rows.at(pos[s.a + bad])} is not on the step-{step} grid starting "
                        f"at {periods[0]}. Fix the periods so they are evenly spaced.")


# --------------------------------------------------------------------------------------
# Gaps and filling
# --------------------------------------------------------------------------------------


def _series_grid(times, s: _Series, offset, step: int):
    """Full grid of one series: DatetimeIndex for datetimes, int64 array for periods."""
    if offset is None:
        return np.arange(times[s.a], times[s.b - 1] + 1, step, dtype="int64")
    return pd.date_range(times[s.a], times[s.b - 1], freq=offset).as_unit("ns")


def _check_gaps(grid, times, s: _Series, pos, rows: _Rows, has_ids: bool, unit: str) -> None:
    if len(grid) == s.b - s.a:
        return
    noun = "period" if unit.startswith("step-") else "timestamp"
    own = pd.Index(times[s.a:s.b])
    missing = grid[~pd.Index(grid).isin(own)]
    k = int(own.searchsorted(missing[0]))
    raise DataError(
        f"{_series_label(s.key, has_ids).capitalize()} in {rows.where} has {len(missing)} "
        f"missing {noun}{'s' if len(missing) > 1 else ''} on its {unit} grid (first "
        f"missing: {_fmt(missing[0])}, between {rows.at(pos[s.a + k - 1])} and "
        f"{rows.at(pos[s.a + k])}). Add the missing rows or {_FILL_HINT} after reindexing "
        f"onto the full grid."
    )


def _fill(values: np.ndarray, policy: str) -> np.ndarray:
    """Fill NaNs of a 2-D block column-wise with the given policy."""
    if policy == "zero":
        return np.nan_to_num(values, nan=0.0)
    if policy == "ffill":
        return pd.DataFrame(values).ffill().bfill().to_numpy(dtype="float64")
    out = values.copy()
    positions = np.arange(len(values))
    for j in range(values.shape[1]):
        known = ~np.isnan(values[:, j])
        out[:, j] = np.interp(positions, positions[known], values[known, j])
    return out


def _regularise(times, values, series: list[_Series], pos, rows: _Rows, offset, step: int,
                fill, names: list[str], has_ids: bool):
    """Check gaps (or reindex onto the full grid and fill); return per-series blocks."""
    unit = offset.freqstr if offset is not None else f"step-{step}"
    out_times, out_values = [], []
    for s in series:
        grid = _series_grid(times, s, offset, step)
        block = values[s.a:s.b]
        if fill is None:
            _check_gaps(grid, times, s, pos, rows, has_ids, unit)
        else:
            _check_not_all_missing(block, s, rows, [names[0] or s.key, *names[1:]], has_ids)
            if len(grid) != len(block):
                full = np.full((len(grid), block.shape[1]), np.nan)
                full[pd.Index(grid).get_indexer(times[s.a:s.b])] = block
                block = full
            if np.isnan(block).any():
                block = _fill(block, fill)
        out_times.append(grid if fill is not None else times[s.a:s.b])
        out_values.append(block)
    return out_times, out_values


def _check_not_all_missing(block, s: _Series, rows: _Rows, names, has_ids: bool) -> None:
    empty = _first(np.isnan(block).all(axis=0))
    if empty is not None:
        label = _series_label(s.key, has_ids)
        raise DataError(f"Column `{names[empty]}` of {label} in {rows.where} has no values at "
                        f"all, so --fill (fill=) cannot fill it. Provide data for it or drop "
                        f"the series.")


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------


def _build_panel(raw: pd.DataFrame, rows: _Rows, *, target, time, id, covariates, freq,
                 fill) -> Panel:
    """Validate a raw table (in the documented check order) and assemble the Panel."""
    time, id, targets, covariates = _resolve_columns(raw, rows, target, time, id, covariates)
    times = _parse_times(raw[time], rows, time)
    if freq is not None and not is_datetime64_any_dtype(times):
        raise ConfigError(f"`freq` applies to datetime time columns, but column `{time}` of "
                          f"{rows.where} holds integer periods. Drop --freq (freq=). "
                          f"Received: freq={freq!r}")
    ids, codes = _row_ids(raw, rows, id)
    ticks = _ticks(times)
    _check_duplicates(codes, ticks, times, ids, rows, id is not None)
    _check_sorted(codes, ticks, times, ids, rows, id is not None)
    values = _parse_value_columns(raw, rows, targets + list(covariates), times, fill)
    long = _melt(ids, codes, times, values, targets, list(covariates), id is not None)
    return _assemble(long, rows, targets, tuple(covariates), freq, fill,
                     has_ids=id is not None or len(targets) > 1)


def _row_ids(raw: pd.DataFrame, rows: _Rows, id: str | None):
    """Python-str ids per row and their codes in order of first appearance."""
    if id is None:
        return np.full(len(raw), "", dtype=object), np.zeros(len(raw), dtype="int64")
    column = raw[id]
    text = column.astype("str")
    missing = _first(column.isna() | text.eq(""))
    if missing is not None:
        raise DataError(f"Missing series id in column `{id}` of {rows.where} at "
                        f"{rows.at(missing)}. Every row of a long panel needs an id.")
    ids = text.to_numpy(dtype=object)
    codes, _ = pd.factorize(ids)
    return ids, codes.astype("int64")


def _melt(ids, codes, times, values, targets, covariates, has_id: bool) -> dict:
    """Stack one block per target into long arrays sorted by series then time."""
    n = len(times)
    covariate_block = np.column_stack([values[c] for c in covariates]) if covariates else \
        np.empty((n, 0))
    blocks = []
    for k, name in enumerate(targets):
        block_ids = ids if has_id else np.full(n, name, dtype=object)
        block_codes = codes if has_id else np.full(n, k, dtype="int64")
        blocks.append((block_ids, block_codes,
                       np.column_stack([values[name], covariate_block])))
    stacked_codes = np.concatenate([b[1] for b in blocks])
    order = np.argsort(stacked_codes, kind="stable")
    pos = np.tile(np.arange(n), len(targets))[order]
    return {"ids": np.concatenate([b[0] for b in blocks])[order],
            "codes": stacked_codes[order],
            "times": times.iloc[pos].reset_index(drop=True),
            "values": np.vstack([b[2] for b in blocks])[order],
            "pos": pos}


def _assemble(long: dict, rows: _Rows, targets, covariates, freq, fill, has_ids) -> Panel:
    """Resolve the grid (offset or integer step), check or fill gaps, build the Panel."""
    codes, times, pos = long["codes"], long["times"], long["pos"]
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts, stops = np.r_[0, change], np.r_[change, len(codes)]
    series = [_Series(str(long["ids"][a]), int(a), int(b)) for a, b in zip(starts, stops)]
    names = [targets[0] if len(targets) == 1 else None, *covariates]
    if is_datetime64_any_dtype(times):
        index = pd.DatetimeIndex(times)
        offset = _datetime_grid(index, series, pos, rows, freq, has_ids)
        step, grid_times = 1, index
    else:
        offset, grid_times = None, times.to_numpy(dtype="int64")
        step = _integer_step(grid_times, series, pos, rows, has_ids)
    out_times, out_values = _regularise(grid_times, long["values"], series, pos, rows,
                                        offset, step, fill, names, has_ids)
    frame = _frame(series, out_times, out_values, covariates, offset is not None)
    return Panel(frame=frame, target=",".join(targets), freq=offset.freqstr if offset else None,
                 step=step, covariates=covariates, source=rows.source)


def _frame(series: list[_Series], out_times, out_values, covariates,
           is_datetime: bool) -> pd.DataFrame:
    """Concatenate per-series blocks into the canonical panel frame."""
    keys = np.array([s.key for s in series], dtype=object)
    ids = np.repeat(keys, [len(t) for t in out_times])
    if is_datetime:
        time = out_times[0].append(list(out_times[1:])).as_unit("ns")
    else:
        time = np.concatenate(out_times).astype("int64")
    values = np.vstack(out_values).astype("float64")
    columns = {"id": pd.Series(ids, dtype="str"), "time": pd.Series(time),
               "y": values[:, 0]}
    columns.update({name: values[:, j] for j, name in enumerate(covariates, start=1)})
    return pd.DataFrame(columns)
