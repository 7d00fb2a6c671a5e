"""The time column: timestamps or integer periods, unique and increasing per series."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_float_dtype, is_integer_dtype
from pandas.tseries.api import guess_datetime_format
from pandas.tseries.frequencies import to_offset

from ..errors import DataError, EpochTimesWarning, user_stacklevel
from .frequency import grid_size, infer_frequency
from .messages import Rows, cell_repr, display, first_true

_TIME_FORMATS = ("Use ISO dates like 2000-01-31 or 2000-01-31 12:00, months like 1949-01, "
                 "quarters like 1970 Q1, Unix epoch seconds or milliseconds, or integer periods")
_QUARTER_PATTERNS = (r"(?P<year>\d{4})\s*-?\s*[Qq](?P<quarter>[1-4])",
                     r"[Qq](?P<quarter>[1-4])\s*-?\s*(?P<year>\d{4})")
_MAX_STEP = pd.Timedelta.max  # about 292 years
_MAX_PERIOD_SPAN = int(np.iinfo("int64").max)
_TZ_SUFFIX = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"
_FIRST_DAY = np.datetime64(pd.Timestamp.min.ceil("D").date(), "D")
_LAST_DAY = np.datetime64(pd.Timestamp.max.floor("D").date(), "D")
#: Numeric dates that read as day/month/year or month/day/year: 01/02/1949, 1.2.1949, 01-02-49
_DAY_MONTH = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2,4}\b")
_ISO_HINT = "Write the dates as ISO dates (YYYY-MM-DD)"


def parse_times(column: pd.Series, rows: Rows, name: str, grid: str | None = None) -> pd.Series:
    """Parse a time column into datetime64[ns] (maybe tz-aware) or int64 periods.

    ``grid``: the frequency the times must lie on, when known (future data: the history's),
    which settles dates that read as day/month/year and as month/day/year.

    Examples
    --------
    >>> parse_times(pd.Series(["1970 Q1", "1970 Q2"]), Rows("<DataFrame>"), "t").tolist()
    [Timestamp('1970-01-01 00:00:00'), Timestamp('1970-04-01 00:00:00')]
    >>> parse_times(pd.Series(["3", "5"]), Rows("<DataFrame>"), "t").tolist()
    [3, 5]
    """
    if isinstance(column.dtype, pd.PeriodDtype):
        column = column.dt.to_timestamp()
    where = f"column {name!r} of {rows.where}"
    _check_present(column.isna(), rows, where)
    if is_datetime64_any_dtype(column):
        return _to_ns(column, column, rows, where)
    if is_integer_dtype(column):
        return _epoch_or_periods(column.astype("int64"), rows, where)
    if is_float_dtype(column):
        return _whole_periods(column.to_numpy(dtype="float64"), column, rows, where)
    return _parse_time_text(column, rows, where, grid)


#: Unix epoch times forecastkit recognises in an integer time column: 2000-01-01 to 2100-01-01,
#: in seconds (10 digits) or milliseconds (13 digits).
EPOCH_SECONDS = (946_684_800, 4_102_444_800)


def _epoch_or_periods(values: pd.Series, rows: Rows, where: str) -> pd.Series:
    """Integers as Unix epoch times (UTC, naive) when every one is an epoch second or millisecond
    between 2000 and 2100 (:data:`EPOCH_SECONDS`), said with an
    :class:`~forecastkit.errors.EpochTimesWarning`; else integer periods.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     _epoch_or_periods(pd.Series([1609459200, 1609462800]), Rows("<DataFrame>"), "t").tolist()
    [Timestamp('2021-01-01 00:00:00'), Timestamp('2021-01-01 01:00:00')]
    >>> _epoch_or_periods(pd.Series([1990, 1991]), Rows("<DataFrame>"), "t").tolist()
    [1990, 1991]
    """
    low, high = EPOCH_SECONDS
    for unit, scale, digits in (("s", 1, 10), ("ms", 1000, 13)):
        if len(values) and values.between(low * scale, high * scale).all():
            times = pd.to_datetime(values, unit=unit).astype("datetime64[ns]")
            name = "seconds" if unit == "s" else "milliseconds"
            warnings.warn(EpochTimesWarning(f"The {digits}-digit integers of {where} are read as Unix epoch {name} "
                                            f"(UTC): {times.iloc[0]} to {times.iloc[-1]}."),
                                            stacklevel=user_stacklevel())
            return times
    return values


def _whole_periods(numbers: np.ndarray, column: pd.Series, rows: Rows, where: str) -> pd.Series:
    """Float periods as int64; DataError naming the first one that is not a whole number
    in the int64 range (fractions, infinities, 1e300).

    Examples
    --------
    >>> _whole_periods(np.array([1.0, 2.0]), pd.Series(["1", "2.0"]), Rows("<DataFrame>"), "t").tolist()
    [1, 2]
    """
    whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2.0 ** 63)
    bad = first_true(~whole)
    if bad is not None:
        raise DataError(f"Cannot parse time value {cell_repr(column, bad)} in {where} at "
                        f"{rows.at(bad)}: integer periods must be whole numbers (within "
                        f"+-9.2e18). {_TIME_FORMATS}.")
    return pd.Series(numbers.astype("int64"), index=column.index, name=column.name)


def mostly_dates(text: pd.Series) -> bool:
    """True if stripped strings look like quarters or more than half parse as dates."""
    if _quarter_parts(text) is not None:
        return True
    try:
        _, bad = _parse_date_text(text)
    except (ValueError, OverflowError):
        return True  # dates with mixed time zones: the time checks report them
    return bool((~bad).mean() > 0.5)


def check_unique_and_increasing(times: pd.Series, ids: np.ndarray, codes: np.ndarray,
                                rows: Rows, has_id_column: bool) -> None:
    """Raise DataError on the first duplicate timestamp, then on the first step back in
    time, then on the first step of datetimes too long for pandas to measure (about 292
    years), within each series (``codes`` numbers the series of each row); integer periods
    must span less than the int64 range, so that differences of periods fit in int64."""
    if is_datetime64_any_dtype(times):  # int64 views, fast to compare
        ticks = pd.DatetimeIndex(times).asi8  # UTC nanoseconds
    else:
        ticks = times.to_numpy(dtype="int64")
    _check_unique(codes, ticks, times, ids, rows, has_id_column)
    _check_increasing(codes, ticks, times, ids, rows, has_id_column)
    if is_datetime64_any_dtype(times):
        _check_spacing(codes, ticks, times, ids, rows, has_id_column)
    else:
        _check_period_span(ticks, times, rows)


def _check_present(missing, rows: Rows, where: str) -> None:
    pos = first_true(missing)
    if pos is not None:
        raise DataError(f"Missing time value in {where} at {rows.at(pos)}. Every row needs "
                        f"a timestamp: fill it in or delete the row.")


def _parse_time_text(column: pd.Series, rows: Rows, where: str, grid: str | None = None) -> pd.Series:
    """Parse strings: integer periods, YYYYMMDD, quarters ('1970 Q1') or dates."""
    text = column.astype("str")
    _check_present(text.eq(""), rows, where)
    integers = pd.to_numeric(text, errors="coerce")
    if is_integer_dtype(integers):
        compact = _compact_dates(text, integers)
        if compact is None:
            return _epoch_or_periods(integers.astype("int64"), rows, where)
        return _to_ns(compact, column, rows, where)
    if is_float_dtype(integers) and not integers.isna().any():  # all numbers, some not integers
        return _whole_periods(integers.to_numpy(dtype="float64"), column, rows, where)
    quarters = _quarter_parts(text)
    if quarters is not None:
        parsed = _quarter_starts(*quarters, column, rows, where)
    else:
        parsed = _parse_dates(text, column, rows, where, grid)
    return _to_ns(parsed, column, rows, where)


def _quarter_starts(year, quarter, bad, column: pd.Series, rows: Rows,
                    where: str) -> pd.Series:
    """First day of each quarter; DataError naming the first value that is no quarter."""
    _check_parsed(bad, column, rows, where)
    # numpy days, not pd.to_datetime(year/month/day): pandas < 3 refuses years such as 1500
    days = ((year - 1970) * 12 + 3 * quarter - 3).astype("datetime64[M]").astype("datetime64[D]")
    outside = first_true((days < _FIRST_DAY) | (days > _LAST_DAY))
    if outside is not None:
        _raise_out_of_range(column, outside, rows, where)
    return pd.Series(days.astype("datetime64[ns]"))


def _parse_dates(text: pd.Series, column: pd.Series, rows: Rows, where: str, grid: str | None = None) -> pd.Series:
    """Dates in one format; DataError naming the first unparseable value or mixed zones."""
    try:
        parsed, bad = _parse_date_text(text)
    except (ValueError, OverflowError):  # mixed UTC offsets
        utc = _daylight_saving_as_utc(text, where)
        if utc is not None:
            return utc
        _check_one_offset(text, column, rows, where)
        raise DataError(f"Cannot parse the time values in {where}: they mix UTC offsets or "
                        f"formats. Write all timestamps in one format and one UTC "
                        f"offset.") from None
    _check_parsed(bad, column, rows, where)
    formats = _guessed_formats(str(text.iloc[0]).strip())
    if len(formats) == 2:  # numeric dates: day/month/year or month/day/year?
        parsed = _day_or_month_first(text.str.strip(), parsed, formats, column, rows, where, grid)
    if parsed.dt.tz is not None:  # pandas reads a time without offset after one with as UTC
        _check_one_offset(text, column, rows, where)
    return parsed


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


def _parse_date_text(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse date strings as ISO 8601, else with the format guessed from the first value.

    Raises ValueError for mixed UTC offsets.
    """
    parsed = _to_datetime(text, "ISO8601")
    bad = parsed.isna().to_numpy()
    if bad.any():  # slow path: surrounding spaces, or another format
        text = text.str.strip()
        parsed = _to_datetime(text, "ISO8601")
        bad = parsed.isna().to_numpy()
    if bad.any():  # month/day/year before day/month/year: on a tie the first wins
        for guessed in _guessed_formats(str(text.iloc[0])):
            other = _to_datetime(text, guessed)
            if other.isna().sum() < bad.sum():
                parsed, bad = other, other.isna().to_numpy()
            if not bad.any():
                break
    return parsed, bad


def _guessed_formats(first: str) -> list[str]:
    """Formats to try on date text that is not ISO 8601: the one pandas guesses from the
    first value, or for numeric dates such as 01/02/1949 (day/month/year or month/day/year)
    both orders, month first.

    Examples
    --------
    >>> _guessed_formats("01/02/1949"), _guessed_formats("13.01.2000 06:00")
    (['%m/%d/%Y', '%d/%m/%Y'], ['%m.%d.%Y %H:%M', '%d.%m.%Y %H:%M'])
    >>> _guessed_formats("Jan 5, 2024"), _guessed_formats("soon")
    (['%b %d, %Y'], [])
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Parsing dates in %d/%m/%Y format when dayfirst=False"
        guessed = guess_datetime_format(first)
    if guessed is None:
        return []
    match = _DAY_MONTH.match(first)
    if match is None or guessed[:5] not in ("%m{0}%d".format(match.group(1)),
                                            "%d{0}%m".format(match.group(1))):
        return [guessed]
    separator, rest = match.group(1), guessed[5:]
    return [f"%m{separator}%d{rest}", f"%d{separator}%m{rest}"]


def _day_or_month_first(text: pd.Series, parsed: pd.Series, formats: list[str],
                        column: pd.Series, rows: Rows, where: str, grid: str | None = None) -> pd.Series:
    """Numeric dates read month/day/year, unless only day/month/year reads them all or puts
    them on a regular grid (then with a warning); DataError if the order cannot be told.

    ``formats`` are the month-first and the day-first format; ``parsed``, the text read by
    the one that reads every value (month-first if both do).
    """
    if _to_datetime(text.iloc[:1000], formats[1]).isna().any():  # fast path: month-first
        return parsed
    month_first, day_first = (_to_datetime(text, format) for format in formats)
    if day_first.isna().any() or month_first.equals(day_first):
        return month_first
    differ = first_true(month_first.ne(day_first))  # NaT differs from every date
    example = (f"{cell_repr(column, differ)} at {rows.at(differ)} is "
               f"{display(day_first.iloc[differ])}")
    unreadable = first_true(month_first.isna())
    if unreadable is not None:
        why = (f"{cell_repr(column, unreadable)} at {rows.at(unreadable)} is not a valid "
               f"month/day/year date")
        return _warn_day_first(day_first, where, example, why)
    grids = [_regular_grid(month_first), _regular_grid(day_first)]
    if grids[1] is not None and grids[0] is None:
        why = (f"so they lie on the {grids[1]} grid, while as month/day/year they lie on no "
               f"regular grid")
        return _warn_day_first(day_first, where, example, why)
    if grids[0] is not None and grids[1] is None:
        return month_first
    if grid is not None and grids[1] == grid != grids[0]:  # the history's grid settles it
        return _warn_day_first(day_first, where, example, f"so they lie on the {grid} grid of the history")
    if grid is not None and grids[0] == grid != grids[1]:
        return month_first
    both = (f"both readings lie on a regular grid ({grids[0]} and {grids[1]})" if grids[0]
            else "neither reading lies on a regular grid")
    raise DataError(f"Cannot tell whether the time values in {where} are day/month/year or "
                    f"month/day/year dates: {cell_repr(column, differ)} at {rows.at(differ)} "
                    f"is {display(day_first.iloc[differ])} or "
                    f"{display(month_first.iloc[differ])}, and {both}. {_ISO_HINT}.")


def _regular_grid(times: pd.Series) -> str | None:
    """The frequency of the distinct times if they hold at least half of its grid points
    (a few gaps), else None: 1st-12th of each month is no daily grid.

    Examples
    --------
    >>> _regular_grid(pd.Series(pd.to_datetime(["2000-01-01", "2000-02-01", "2000-04-01"])))
    'MS'
    >>> _regular_grid(pd.Series(pd.to_datetime(["2000-01-01", "2000-01-02", "2000-02-01"]))) is None
    True
    """
    index = pd.DatetimeIndex(times.unique()).sort_values()
    freq = infer_frequency(index)
    if freq is None or grid_size(index, to_offset(freq)) > 2 * len(index):
        return None
    return freq


def _warn_day_first(day_first: pd.Series, where: str, example: str, why: str) -> pd.Series:
    warnings.warn(f"Read the time values in {where} as day/month/year dates ({example}): "
                  f"{why}. {_ISO_HINT} to avoid this guess.", UserWarning, stacklevel=user_stacklevel())
    return day_first


def _to_datetime(text: pd.Series, format: str) -> pd.Series:
    """``pd.to_datetime(text, format=format, errors="coerce")``, raising ValueError for
    mixed UTC offsets on every pandas version.

    pandas 3 raises for them; pandas 2.2 and 2.3 return an object column with a
    FutureWarning instead, turned into the same ValueError here (other warnings pass on).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = pd.to_datetime(text, format=format, errors="coerce")
    if not is_datetime64_any_dtype(parsed):
        raise ValueError("the timestamps mix UTC offsets (or only some have one)")
    for warning in caught:
        warnings.warn(warning.message, stacklevel=user_stacklevel())
    return parsed


def _zones(text: pd.Series) -> pd.Series | None:
    """Each timestamp's UTC offset as ``+HH:MM`` (``"none"`` without one); None when none has one."""
    zone = text.str.strip().str.extract(_TZ_SUFFIX, expand=False)
    if zone.isna().all():
        return None
    return (zone.fillna("none").str.replace("Z", "+00:00", regex=False)
            .str.replace(r"^([+-]\d{2})$", r"\1:00", regex=True)
            .str.replace(r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True))


def _daylight_saving(zone: pd.Series) -> bool:
    """Whether the offsets are two, an hour apart: local time with daylight saving."""
    offsets = set(zone)
    return "none" not in offsets and len(offsets) == 2 and _hour_apart(*offsets)


def _daylight_saving_as_utc(text: pd.Series, where: str) -> pd.Series | None:
    """Local times with daylight saving read as UTC instants (tz-aware), when those lie on a
    regular grid finer than a day (hourly data): every timestamp carries its own offset, so
    nothing is lost, and the UTC hours are evenly spaced where the local ones are not. None
    otherwise (daily data at local midnights are not evenly spaced in UTC)."""
    zone = _zones(text)
    if zone is None or not _daylight_saving(zone):
        return None
    utc = pd.to_datetime(text.str.strip(), utc=True, errors="coerce")
    if utc.isna().any() or utc.nunique() != text.str.strip().nunique():  # two local times, one instant: no
        return None
    freq = _regular_grid(utc)
    try:
        finer = freq is not None and pd.Timedelta(to_offset(freq)) < pd.Timedelta(days=1)
    except ValueError:  # a calendar offset (months, ...): not finer than a day
        finer = False
    if not finer:
        return None
    warnings.warn(f"The time values in {where} are local time with daylight saving (UTC offsets "
                  f"{' and '.join(sorted(set(zone)))}): read as UTC, {utc.iloc[0]} to {utc.iloc[-1]}.",
                  UserWarning, stacklevel=user_stacklevel())
    return utc


def _check_one_offset(text: pd.Series, column: pd.Series, rows: Rows, where: str) -> None:
    """Raise DataError if timestamps carry different UTC offsets (or some none)."""
    zone = _zones(text)
    if zone is None:
        return
    differ = first_true(zone.ne(zone.iloc[0]))
    if differ is not None and _daylight_saving(zone):
        raise DataError(f"Mixed time zones in {where}: {rows.at(0)} has UTC offset {zone.iloc[0]} but "
                        f"{rows.at(differ)} has {cell_repr(column, differ)}, local time with daylight saving, "
                        "which is read as UTC only where that makes an evenly spaced hourly (or finer) grid. "
                        "Convert the timestamps to UTC, or for daily or coarser data write the dates without "
                        "time and offset (e.g. 2021-03-29).")
    if differ is not None:
        first = "no UTC offset" if zone.iloc[0] == "none" else f"UTC offset {zone.iloc[0]}"
        raise DataError(f"Mixed time zones in {where}: {rows.at(0)} has {first} but "
                        f"{rows.at(differ)} has {cell_repr(column, differ)}. Write all "
                        f"timestamps with one UTC offset (e.g. convert them to UTC).")


def _hour_apart(a: str, b: str) -> bool:
    """Whether two ``+HH:MM`` offsets are one hour apart (a daylight-saving change).

    Examples
    --------
    >>> _hour_apart("+01:00", "+02:00"), _hour_apart("-05:00", "+00:00")
    (True, False)
    """
    def minutes(offset: str) -> int:
        sign = -1 if offset.startswith("-") else 1
        hours, _, rest = offset[1:].partition(":")
        return sign * (int(hours) * 60 + int(rest or 0))

    try:
        return abs(minutes(a) - minutes(b)) == 60
    except ValueError:
        return False


def _check_parsed(bad, column: pd.Series, rows: Rows, where: str) -> None:
    pos = first_true(bad)
    if pos is not None:
        if _is_out_of_range(column.iloc[pos]):
            _raise_out_of_range(column, pos, rows, where)
        raise DataError(f"Cannot parse time value {cell_repr(column, pos)} in {where} at "
                        f"{rows.at(pos)}. {_TIME_FORMATS}.")


def _is_out_of_range(value) -> bool:
    """True if ``value`` reads as a date outside pandas' nanosecond range (1677-2262).

    pandas < 3 parses such dates (e.g. '1500-01-01') to NaT like unparseable text;
    ``pd.Timestamp`` reads them at a coarser resolution on every version.

    Examples
    --------
    >>> _is_out_of_range("1500-01-01"), _is_out_of_range("2024-01-01"), _is_out_of_range("soon")
    (True, False, False)
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a probe: dateutil's format guesses need no warning
            stamp = pd.Timestamp(str(value).strip())
    except (ValueError, OverflowError):
        return False
    if stamp is pd.NaT:
        return False
    if stamp.tz is not None:
        stamp = stamp.tz_convert(None)
    return bool(stamp < pd.Timestamp.min or stamp > pd.Timestamp.max)


def _raise_out_of_range(column: pd.Series, pos: int, rows: Rows, where: str):
    raise DataError(f"Time value {cell_repr(column, pos)} in {where} at {rows.at(pos)} is "
                    f"outside the supported range {pd.Timestamp.min:%Y-%m-%d} to "
                    f"{pd.Timestamp.max:%Y-%m-%d}. Fix the timestamp or use integer periods.")


def _to_ns(parsed: pd.Series, column: pd.Series, rows: Rows, where: str) -> pd.Series:
    """Convert to nanosecond resolution, reporting timestamps pandas cannot represent."""
    utc = parsed.dt.tz_convert(None) if parsed.dt.tz is not None else parsed
    outside = first_true((utc < pd.Timestamp.min) | (utc > pd.Timestamp.max))
    if outside is not None:
        _raise_out_of_range(column, outside, rows, where)
    return parsed.dt.as_unit("ns")


def _check_unique(codes, ticks, times, ids, rows: Rows, has_id_column: bool) -> None:
    later = first_true(pd.DataFrame({"code": codes, "tick": ticks}).duplicated().to_numpy())
    if later is None:
        return
    first = first_true((codes == codes[later]) & (ticks == ticks[later]))
    series = f" for series {ids[later]!r}" if has_id_column else ""
    hint = ("remove or aggregate the duplicate rows" if has_id_column else
            "remove or aggregate the duplicate rows, or if the data holds several series "
            "set `id` to the series id column")
    raise DataError(f"Duplicate timestamp {display(times.iloc[later])}{series} in "
                    f"{rows.where} at {rows.at(first)} and {rows.at(later)}. Each series "
                    f"needs one row per timestamp: {hint}.")


def _first_bad_step(codes, ticks, bad_step):
    """Row positions ``(previous, current)`` of the first consecutive pair of one series
    (in file order of ``current``) for which ``bad_step(earlier_ticks, later_ticks)`` holds,
    or None."""
    order = np.argsort(codes, kind="stable")
    c, t = codes[order], ticks[order]
    bad = np.flatnonzero((c[1:] == c[:-1]) & bad_step(t[:-1], t[1:]))
    if len(bad) == 0:
        return None
    k = bad[np.argmin(order[bad + 1])]
    return order[k], order[k + 1]


def _check_increasing(codes, ticks, times, ids, rows: Rows, has_id_column: bool) -> None:
    pair = _first_bad_step(codes, ticks, lambda earlier, later: later < earlier)
    if pair is None:
        return
    previous, pos = pair
    series = f" of series {ids[pos]!r}" if has_id_column else ""
    raise DataError(f"Timestamps{series} go backwards in {rows.where} at {rows.at(pos)}: "
                    f"{display(times.iloc[pos])} comes after {display(times.iloc[previous])} "
                    f"at {rows.at(previous)}. {rows.sort_hint()}.")


def _check_spacing(codes, ticks, times, ids, rows: Rows, has_id_column: bool) -> None:
    """Raise DataError if consecutive times of a series are more than a pandas Timedelta
    apart (e.g. a bare year ``1700`` among dates), which no grid arithmetic can handle."""
    pair = _first_bad_step(codes, ticks.view("uint64"),  # increasing: exact unsigned steps
                           lambda earlier, later: later - earlier > np.uint64(_MAX_STEP.value))
    if pair is None:
        return
    previous, pos = pair
    series = f" of series {ids[pos]!r}" if has_id_column else ""
    raise DataError(f"Timestamps{series} in {rows.where} jump from "
                    f"{display(times.iloc[previous])} at {rows.at(previous)} to "
                    f"{display(times.iloc[pos])} at {rows.at(pos)}, more than the "
                    f"{_MAX_STEP.days // 365} years pandas can measure between two times. Fix "
                    f"the time values (e.g. a bare year such as 1700 among full dates) or use "
                    f"integer periods.")


def _check_period_span(ticks: np.ndarray, times: pd.Series, rows: Rows) -> None:
    """Raise DataError if integer periods span more than the int64 range (e.g. -9e18 and
    9e18), where the difference of two periods, a grid step, overflows."""
    low, high = int(np.argmin(ticks)), int(np.argmax(ticks))
    if int(ticks[high]) - int(ticks[low]) <= _MAX_PERIOD_SPAN:
        return
    raise DataError(f"Integer periods in {rows.where} span from {times.iloc[low]} at "
                    f"{rows.at(low)} to {times.iloc[high]} at {rows.at(high)}, more than "
                    f"{_MAX_PERIOD_SPAN} (the int64 range) apart. Renumber the periods, e.g. "
                    f"from 0 or 1.")
