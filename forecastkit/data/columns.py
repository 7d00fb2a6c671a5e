"""Choosing the columns: time, series id, target(s) and covariates, given or inferred."""

from __future__ import annotations

import warnings
from typing import NamedTuple

import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)

from ..errors import ConfigError, DataError, IgnoredColumnWarning, user_stacklevel
from .messages import Rows, describe_source
from .options import COVARIATE_ROLES, LoadOptions
from .timestamps import mostly_dates
from .values import parse_numbers

#: Column names taken as the series id of a long file even where no timestamp repeats.
ID_NAMES = ("id", "unique_id", "series_id", "series", "item_id")
#: Column names (case-insensitive) recognised as the time column when ``time`` is None.
TIME_NAMES = ("time", "date", "datetime", "timestamp", "ds", "ts", "period", "month", "quarter",
              "year", "week", "day")



class Columns(NamedTuple):
    """The role of each used column."""

    time: str
    id: str | None
    targets: list[str]
    past_covariates: list[str]
    future_covariates: list[str] = []
    static_covariates: list[str] = []

    @property
    def all_covariates(self) -> list[str]:
        """Covariates of every role in panel frame order: past, future, static."""
        return [*self.past_covariates, *self.future_covariates, *self.static_covariates]


def resolve_columns(raw: pd.DataFrame, rows: Rows, options: LoadOptions) -> Columns:
    """Check the named columns exist and infer the missing roles.

    Examples
    --------
    >>> raw = pd.DataFrame({"date": ["2024-01-01"], "store": ["a"], "sales": ["1"]})
    >>> resolve_columns(raw, Rows("<DataFrame>"), LoadOptions(id="store")).targets
    ['sales']
    >>> raw["region"] = ["north"]
    >>> columns = resolve_columns(raw, Rows("<DataFrame>"),
    ...                           LoadOptions(id="store", static_covariates=("region",)))
    >>> columns.id, columns.targets, columns.static_covariates
    ('store', ['sales'], ['region'])
    """
    time, id, target = options.time, options.id, options.target
    _require(raw, rows, "time", [time] if time else [])
    _require(raw, rows, "id", [id] if id else [])
    roles = {}
    for role in COVARIATE_ROLES:
        roles[role] = _split_names(getattr(options, role), raw.columns)
        _require(raw, rows, role, roles[role])
    covariates = [name for names in roles.values() for name in names]
    if target is not None:
        target = _split_names(target, raw.columns)
        _require_some_target(target, options.target)
        _require(raw, rows, "target", target)
    time = time or _infer_time(raw, rows)
    if id is None:
        id = _infer_id(raw, rows, time, target, covariates)
    if target is None:
        target = [_infer_target(raw, rows, time, id, covariates)]
    columns = Columns(time, id, target, **roles)
    _check_roles(rows, columns)
    return columns


def index_as_time_column(df: pd.DataFrame, time: str | None,
                         source: str) -> tuple[pd.DataFrame, str | None]:
    """A copy of ``df`` with str column names whose time axis is a column, and its name.

    The index is the time axis when ``time`` names it, or (``time`` None) when it is a
    Datetime/PeriodIndex, or an integer index while no column looks like time.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0]}, index=pd.DatetimeIndex(["2024-01-01"], name="ts"))
    >>> frame, time = index_as_time_column(df, None, "<DataFrame>")
    >>> list(frame.columns), time
    (['ts', 'y'], 'ts')
    """
    df = df.copy()
    df.columns = [str(c) for c in df.columns]
    if not _index_is_time(df, time):
        return df, time
    index = df.index
    name = str(index.name) if index.name is not None else "index"
    if name in df.columns:
        raise ConfigError(f"The index of {describe_source(source)} is named {name!r} like a "
                          f"column; rename one of them or set `time` to the time column's name.")
    df.insert(0, name, index.to_timestamp() if isinstance(index, pd.PeriodIndex)
              else index.to_numpy())
    return df, name


def _index_is_time(df: pd.DataFrame, time: str | None) -> bool:
    index = df.index
    if time is not None:
        return time not in df.columns and time == index.name
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        return True
    return (is_integer_dtype(index.dtype) and _named_time(df.columns) is None
            and not _first_column_is_time(df))


def _require(raw: pd.DataFrame, rows: Rows, role: str, names) -> None:
    for name in names:
        if name not in raw.columns:
            raise DataError(f"Column {name!r} (`{role}`) not found in "
                            f"{rows.where}. Available columns: {list(raw.columns)}.")


def _require_some_target(names: list[str], received) -> None:
    if not names:
        shown = received[0] if len(received) == 1 else received  # a comma string as given
        raise ConfigError(f"`target` must name at least one column, or be None to infer it. "
                          f"Received: target={shown!r}")


def _split_names(names, columns) -> list[str]:
    """Split a single comma string ``"a, b"`` into names unless it is itself a column."""
    names = list(names)
    if len(names) == 1 and names[0] not in columns and "," in names[0]:
        return [name.strip() for name in names[0].split(",") if name.strip()]
    return names


def _infer_time(raw: pd.DataFrame, rows: Rows) -> str:
    name = _named_time(raw.columns)
    if name is not None:
        return name
    if _first_column_is_time(raw):
        return raw.columns[0]
    raise ConfigError(f"Cannot find the time column in {rows.where}: no column is named one of "
                      f"{'/'.join(TIME_NAMES)} and the first column does not parse as dates. "
                      f"Columns: {list(raw.columns)}. Set `time` to the time column's name.")


def _named_time(columns) -> str | None:
    """The first column named like time (see TIME_NAMES), or None."""
    return next((c for c in columns if str(c).strip().lower() in TIME_NAMES), None)


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
    return mostly_dates(sample.astype("str").str.strip())


def _infer_id(raw: pd.DataFrame, rows: Rows, time: str, target, covariates) -> str | None:
    """The only other non-numeric column, if timestamps repeat (long format); else a text
    column named like an id (:data:`ID_NAMES`): series one after another in time, or (one
    target column) the one series it names, so a panel's series fitted one at a time keep
    their names. Any other text column of several values is left out with a warning naming it
    (it may name the series)."""
    taken = {time, *(target or ()), *covariates}
    others = [c for c in raw.columns if c not in taken and not _looks_numeric(raw[c])]
    if raw[time].duplicated().any():
        return others[0] if len(others) == 1 else None
    wide = len(target or ()) > 1  # several target columns: one series each, not named by a column
    named = [c for c in others if str(c).strip().lower() in ID_NAMES and (raw[c].nunique() > 1 or not wide)]
    if len(named) == 1:
        return named[0]
    several = [c for c in others if raw[c].nunique() > 1]
    for column in several:
        warnings.warn(IgnoredColumnWarning(
            f"Column {column!r} of {rows.where} holds text ({raw[column].nunique()} different values) and is not "
            f"used. If it names the series, set `id` to {column!r}; if it is a covariate, give it its role "
            "(e.g. `past_covariates`)."), stacklevel=user_stacklevel())
    return None


def _infer_target(raw: pd.DataFrame, rows: Rows, time: str, id: str | None,
                  covariates) -> str:
    """The only column left, else the only numeric one."""
    remaining = [c for c in raw.columns if c not in {time, id, *covariates}]
    if len(remaining) == 1:  # the only value column: the numeric checks report bad values
        return remaining[0]
    candidates = [c for c in remaining if _looks_numeric(raw[c])]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise DataError(f"{rows.where} has no numeric value column besides the time column "
                        f"{time!r} (columns: {list(raw.columns)}). Set `target` to the name of the "
                        f"column to forecast.")
    several = ""
    if id is None and raw[time].duplicated().any():  # long format with numeric series ids
        named = [c for c in candidates if str(c).strip().lower() in ID_NAMES]
        which = repr(named[0]) if len(named) == 1 else "the column that names them"
        several = f" Its times repeat, so it holds several series: set `id` to {which} first."
    raise ConfigError(f"Cannot choose the target in {rows.where}: several numeric columns "
                      f"{candidates}.{several} Set `target` to one of them, or to several: use "
                      f"target='a,b'.")


def _sample(column: pd.Series, size: int = 1000) -> pd.Series:
    """The first ``size`` present values, enough to judge what a column holds."""
    return column[column.notna()].iloc[:size]


def _looks_numeric(column: pd.Series) -> bool:
    """True if more than half of the (first 1000) present values parse as numbers."""
    if is_numeric_dtype(column) and not is_bool_dtype(column):
        return True
    numbers = parse_numbers(_sample(column))
    present = ~numbers.missing
    return bool(present.any() and (~numbers.bad[present]).mean() > 0.5)


def _check_roles(rows: Rows, columns: Columns) -> None:
    """Reject several targets with an id or covariates, a column in two roles, and
    covariate names that clash with the panel's own columns.

    Examples
    --------
    >>> _check_roles(Rows("<DataFrame>"), Columns("date", None, ["y"], ["p"], ["p"]))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: Column 'p' is used both as `past_covariates` and as `future_covariates` in <DataFrame>. Give each column one role: a covariate is either past-observed, known in the future or static.
    """
    time, id, targets = columns.time, columns.id, columns.targets
    covariates = columns.all_covariates
    if len(targets) > 1 and id is not None:
        raise ConfigError(f"Several targets {targets} need a wide file without an id column, "
                          f"but id={id!r}. Set `target` to one column for a long panel.")
    if len(targets) > 1 and covariates:
        given = [f"`{role}`" for role in COVARIATE_ROLES if getattr(columns, role)]
        raise ConfigError(f"Covariates are not supported with several targets {targets}. "
                          f"Set `target` to one column or drop {' and '.join(given)}.")
    roles = [("time", time), ("id", id), *(("target", t) for t in targets),
             *((role, c) for role in COVARIATE_ROLES for c in getattr(columns, role))]
    seen: dict[str, str] = {}
    for role, name in roles:
        if name is None:
            continue
        if name in seen:
            first, second = (f"`{r}`" for r in (seen[name], role))
            hint = (": a covariate is either past-observed, known in the future or static"
                    if role in COVARIATE_ROLES else "")
            raise ConfigError(f"Column {name!r} is used both as {first} and as {second} in "
                              f"{rows.where}. Give each column one role{hint}.")
        seen[name] = role
    clash = [c for c in covariates if c in ("id", "time", "y")]
    if clash:
        raise ConfigError(f"Covariate names {clash} clash with the panel columns "
                          f"'id', 'time', 'y'. Rename the covariate columns.")

