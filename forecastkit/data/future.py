"""Future-known covariates: their values over the forecast horizon, read and validated."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from ..checks import check_horizon
from ..errors import ConfigTypeError, DataError
from .columns import _infer_time, _looks_numeric, index_as_time_column
from .layout import row_ids
from .messages import Rows, cell_repr, describe_source, display, first_true, preview
from .options import check_options
from .panel import Panel
from .reading import read_csv
from .timestamps import parse_times
from .values import MAX_ABS_VALUE, _number_hint, _plain, parse_numbers

#: How messages name a DataFrame passed as the future data.
FUTURE_SOURCE = "<future DataFrame>"


def read_future(data, panel: Panel, horizon: int, *, time=None, id=None) -> pd.DataFrame:
    """Read the values of the panel's future covariates over the forecast horizon.

    Parameters
    ----------
    data : str, os.PathLike or pandas.DataFrame
        CSV file (read like :func:`load_csv` reads one) or DataFrame with a time column (or
        time index), a series id column when the panel has several series, and every
        column of ``panel.future_covariates``. It must have a row for each of the
        ``horizon`` steps after each series' last time (:meth:`Panel.future_times`); other
        rows (the history, later times, other series) and other columns are ignored.
    panel : Panel
        The history, loaded with ``future_covariates``.
    horizon : int
        Number of future steps, >= 1.
    time : str or None
        Time column; None: the history's time column (``panel.time_column``) when the data
        has it, else a column named time, date, month... then the first column if it parses
        as dates.
    id : str or None
        Series id column; None: the history's id column (``panel.id_column``) when the data
        has it, else a column named ``id`` if there is one, else (panels of several series)
        inferred as :func:`load_csv` does.

    Returns
    -------
    pandas.DataFrame
        Columns ``id`` (str), ``time`` (as in ``panel.frame``) and the future covariates,
        float64 or, for the categorical ones (``panel.categorical``), ``str`` labels:
        exactly ``horizon`` rows per series, series in ``panel.ids`` order, with a
        RangeIndex.

    Raises
    ------
    DataError
        If the panel has no future covariates, or the data lacks a future covariate column,
        a series, a time of the horizon or a value, holds a label in a numeric column, a
        non-finite number, time values that do not parse, or two rows for one series and
        time. The message names the source, series, time, step, column and the fix.
    ConfigError, ConfigTypeError
        If an argument is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> from forecastkit.data import from_pandas
    >>> history = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"],
    ...                         "sales": [5.0, 6.0, 7.0], "price": [2.0, 2.0, 2.5],
    ...                         "promo": ["no", "yes", "no"]})
    >>> panel = from_pandas(history, target="sales", future_covariates="price,promo")
    >>> plan = pd.DataFrame({"month": ["2024-03", "2024-04", "2024-05"],
    ...                      "price": [2.5, 2.5, 3.0], "promo": ["no", "yes", "yes"]})
    >>> read_future(plan, panel, 2)
          id       time  price promo
    0  sales 2024-04-01    2.5   yes
    1  sales 2024-05-01    3.0   yes
    """
    horizon = check_horizon(horizon)
    if not isinstance(panel, Panel):
        raise ConfigTypeError(f"`panel` must be a Panel (from load_csv or from_pandas). "
                              f"Received: panel of type {type(panel).__name__}")
    options = check_options(None, time, id, (), None, None)
    if not panel.future_covariates:
        raise DataError(f"The panel from {describe_source(panel.source)} has no future "
                        f"covariates, so there is nothing to read from the future data. Load "
                        f"the history with `future_covariates` set to those columns, or "
                        f"drop the future data.")
    time = options.time or _held(data, panel.time_column)
    raw, rows = _read(data, time)
    time = time or (panel.time_column if panel.time_column in raw.columns else None)
    id = options.id or (panel.id_column if panel.id_column in raw.columns else None)
    names = list(panel.future_covariates)
    absent = [name for name in names if name not in raw.columns]
    if absent:
        raise DataError(f"Future covariate column{'s' if len(absent) > 1 else ''} "
                        f"{', '.join(map(repr, absent))} not found in {rows.where} "
                        f"(columns: {list(raw.columns)}). The future data must hold every "
                        f"`future_covariates` column {names} for the {horizon} steps after "
                        f"the history.")
    time = _time_column(raw, rows, time)
    id_column = _id_column(raw, rows, time, id, panel)
    ticks = _ticks(parse_times(raw[time], rows, time, panel.freq), rows, time, panel)
    if id_column is None:
        codes = np.zeros(len(raw), dtype="int64")
    else:
        codes = pd.Index(panel.ids).get_indexer(row_ids(raw, rows, id_column)[0])
    future = {key: panel.future_times(key, horizon) for key in panel.ids}
    positions = _locate(codes, ticks, future, rows, time, id_column)
    flat = positions.reshape(-1)
    out = {"id": pd.Series(np.repeat(np.array(panel.ids, dtype=object), horizon), dtype="str"),
           "time": _concat(list(future.values()))}
    for name in names:
        cells = _plain(raw[name]).iloc[flat].reset_index(drop=True)
        place = _Place(rows, flat, future, horizon)
        if name in panel.categorical:
            out[name] = _labels(cells, name, place)
        else:
            out[name] = _numbers(cells, name, place)
    return pd.DataFrame(out)


class _Place:
    """Names the row, series, time and step of entry ``k`` of the located cells."""

    def __init__(self, rows: Rows, flat: np.ndarray, future: dict, horizon: int):
        self.rows, self.flat, self.future, self.horizon = rows, flat, future, horizon
        self.keys = list(future)

    def __call__(self, k: int) -> str:
        key, step = self.keys[k // self.horizon], k % self.horizon
        return (f"{self.rows.at(self.flat[k])} (series {key!r}, time "
                f"{display(self.future[key][step])}, step {step + 1} of {self.horizon})")


def _held(data, name: str | None) -> str | None:
    """``name`` when the DataFrame ``data`` holds it as a column or as its index' name."""
    if name is None or not isinstance(data, pd.DataFrame):
        return None
    return name if name in map(str, data.columns) or data.index.name == name else None


def _read(data, time: str | None) -> tuple[pd.DataFrame, Rows]:
    if isinstance(data, (str, os.PathLike)):
        return read_csv(os.fspath(data))
    if not isinstance(data, pd.DataFrame):
        raise ConfigTypeError(f"`data` must be a CSV path or a pandas DataFrame holding the "
                              f"future covariates. Received: data of type "
                              f"{type(data).__name__}")
    if len(data) == 0:
        raise DataError(f"{FUTURE_SOURCE} has no rows. Pass the future covariate values for "
                        f"the forecast horizon.")
    raw, _ = index_as_time_column(data, time, FUTURE_SOURCE)
    return raw.reset_index(drop=True), Rows(FUTURE_SOURCE, labels=data.index)


def _time_column(raw: pd.DataFrame, rows: Rows, time: str | None) -> str:
    if time is None:
        return _infer_time(raw, rows)
    if time not in raw.columns:
        raise DataError(f"Column {time!r} (`time`) not found in {rows.where}. "
                        f"Available columns: {list(raw.columns)}.")
    return time


def _id_column(raw: pd.DataFrame, rows: Rows, time: str, id: str | None,
               panel: Panel) -> str | None:
    """The series id column: ``id``, else one named "id", else (several series) the only
    other non-numeric column, as :func:`load_csv` infers it (here times need not repeat)."""
    if id is not None:
        if id not in raw.columns:
            raise DataError(f"Column {id!r} (`id`) not found in {rows.where}. "
                            f"Available columns: {list(raw.columns)}.")
        return id
    if "id" in raw.columns and time != "id":
        return "id"
    if panel.n_series == 1:
        return None
    taken = {time, *panel.target.split(","), *panel.covariates, *panel.future_covariates,
             *panel.static_covariates}
    others = [c for c in raw.columns if c not in taken and not _looks_numeric(raw[c])]
    if len(others) != 1:
        raise DataError(f"{rows.where} needs a series id column: the panel has "
                        f"{panel.n_series} series {preview(panel.ids)}. Name the id column "
                        f"'id' or set `id` to its name. Columns: {list(raw.columns)}.")
    return others[0]


def _ticks(times: pd.Series, rows: Rows, name: str, panel: Panel) -> np.ndarray:
    """int64 keys comparable with the panel's times: UTC nanoseconds or periods."""
    history = panel.frame["time"]
    where = f"column {name!r} of {rows.where}"
    if is_datetime64_any_dtype(history) != is_datetime64_any_dtype(times):
        kinds = ("dates", "integer periods")
        ours, theirs = kinds if is_datetime64_any_dtype(times) else kinds[::-1]
        raise DataError(f"The time values in {where} are {ours} but the history "
                        f"{describe_source(panel.source)} has {theirs}. Write the future "
                        f"times like the history's.")
    if not is_datetime64_any_dtype(times):
        return times.to_numpy(dtype="int64")
    if (history.dt.tz is None) != (times.dt.tz is None):
        zones = ("a UTC offset", "none") if times.dt.tz is not None else ("none", "a UTC offset")
        raise DataError(f"The times in {where} have {zones[0]} but the times of the history "
                        f"{describe_source(panel.source)} have {zones[1]}. Write the future "
                        f"times with the same time zone as the history.")
    return pd.DatetimeIndex(times).asi8


def _locate(codes: np.ndarray, ticks: np.ndarray, future: dict, rows: Rows, time: str,
            id_column: str | None) -> np.ndarray:
    """Raw row of each (series, step), shape ``(n_series, horizon)``; DataError for a
    duplicated row, a missing series or a missing step."""
    keys = list(future)
    horizon = len(future[keys[0]])
    wanted_ticks = [pd.DatetimeIndex(times).asi8 if isinstance(times, pd.DatetimeIndex)
                    else np.asarray(times, dtype="int64") for times in future.values()]
    wanted = pd.MultiIndex.from_arrays([
        np.repeat(np.arange(len(keys), dtype="int64"), horizon), np.concatenate(wanted_ticks)])
    rows_of = np.flatnonzero(codes >= 0)
    have = pd.MultiIndex.from_arrays([codes[rows_of].astype("int64"), ticks[rows_of]])
    used = have.isin(wanted)
    rows_of, have = rows_of[used], have[used]
    later = first_true(have.duplicated())
    if later is not None:
        code, tick = codes[rows_of[later]], ticks[rows_of[later]]
        first = first_true((codes[rows_of] == code) & (ticks[rows_of] == tick))
        key = keys[code]
        step = int(np.flatnonzero(wanted_ticks[code] == tick)[0])
        raise DataError(f"Duplicate rows for series {key!r} at time "
                        f"{display(future[key][step])} (step {step + 1} of {horizon}) in "
                        f"{rows.where}: {rows.at(rows_of[first])} and {rows.at(rows_of[later])}. "
                        f"Keep one row per series and time in the future data.")
    found = have.get_indexer(wanted).reshape(len(keys), horizon)
    present = np.zeros(len(keys), dtype=bool)
    present[np.unique(codes[codes >= 0])] = True
    for k, key in enumerate(keys):
        times = future[key]
        span = f"{display(times[0])} to {display(times[-1])}"
        if id_column is not None and not present[k]:
            raise DataError(f"The future data must cover every series: {rows.where} has no rows "
                            f"for series {key!r} (column {id_column!r}), which needs the "
                            f"{horizon} step{'s' if horizon > 1 else ''} {span}. Add its "
                            f"rows.")
        step = first_true(found[k] < 0)
        if step is not None:
            raise DataError(f"The future data must cover the whole horizon: series {key!r} in "
                            f"{rows.where} has no row for {display(times[step])} (step "
                            f"{step + 1} of {horizon}) in column {time!r}. Add a row for each "
                            f"of the {horizon} steps after the history ({span}).")
    return rows_of[found]


def _concat(all_times: list) -> pd.Series:
    if isinstance(all_times[0], pd.DatetimeIndex):
        return pd.Series(all_times[0].append(all_times[1:]).as_unit("ns"))
    return pd.Series(np.concatenate([np.asarray(t, dtype="int64") for t in all_times]))


def _labels(cells: pd.Series, name: str, place: _Place) -> pd.Series:
    missing = first_true(parse_numbers(cells).missing)
    if missing is not None:
        raise DataError(f"Column {name!r} of {place.rows.where} has no label at "
                        f"{place(missing)}. Future covariates must be known for every step of "
                        f"the horizon: fill in the value.")
    return pd.Series(cells.astype("str").str.strip().to_numpy(object), dtype="str")


def _numbers(cells: pd.Series, name: str, place: _Place) -> np.ndarray:
    numbers = parse_numbers(cells)
    bad = first_true(numbers.bad)
    if bad is not None:
        hint = _number_hint(str(cells.iloc[bad]).strip())
        if hint.startswith("Replace"):  # the generic hint: an empty cell is no fix here
            hint = "Replace it with a number (remove units, text and thousands separators)."
        raise DataError(f"Column {name!r} of {place.rows.where} must be numeric (it is in the "
                        f"history), but {place(bad)} holds {cell_repr(cells, bad)}. {hint}")
    missing = first_true(numbers.missing)
    if missing is not None:
        raise DataError(f"Column {name!r} of {place.rows.where} has no value at "
                        f"{place(missing)}. Future covariates must be known for every step of "
                        f"the horizon: fill in the value.")
    values = numbers.values
    extreme = first_true(~np.isfinite(values) | (np.abs(values) > MAX_ABS_VALUE))
    if extreme is not None:
        raise DataError(f"Column {name!r} of {place.rows.where} holds "
                        f"{cell_repr(cells, extreme)} at {place(extreme)}, which is not a finite "
                        f"number within +-{MAX_ABS_VALUE:g}. Replace it with a finite number.")
    return values.astype("float64")
