"""load_csv and from_pandas: validate a table once, in the documented order, into a Panel."""

from __future__ import annotations

import dataclasses
import os
import warnings

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from ..errors import (
    ConfigError,
    ConfigTypeError,
    DataError,
    FilledValuesWarning,
    user_stacklevel,
)
from ..formatting import listing
from .columns import index_as_time_column, resolve_columns
from .layout import check_static, row_ids, split_series
from .messages import Rows, describe_source
from .options import LoadOptions, check_options
from .panel import Panel
from .reading import read_csv
from .timegrid import filled_targets, regularise, resolve_grid, supplied_cells
from .timestamps import check_unique_and_increasing, parse_times
from .values import parse_value_columns


def load_csv(path, *, target=None, time=None, id=None, past_covariates=(), freq=None,
             fill=None, future_covariates=(), static_covariates=(), source=None) -> Panel:
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
    past_covariates : str or iterable of str
        Past-observed covariate columns (known up to each forecast origin). Like the two
        other roles: a name, a comma string ``"a,b"`` or a list of names.
    freq : str or None
        Pandas offset alias the timestamps must fit; None infers it.
    fill : {"interpolate", "ffill", "zero"} or None
        How to fill missing values and gaps; None makes them an error. Categorical
        covariates and static covariates are always forward-filled then back-filled
        within their series (a label cannot be interpolated or zeroed), whatever the
        policy.
    future_covariates : str or iterable of str
        Covariate columns also known for the forecast horizon (calendar, planned prices);
        their future values are read by :func:`read_future`.
    static_covariates : str or iterable of str
        Covariate columns constant within each series (store type, region).
    source : str or None
        Name used in messages and kept as :attr:`Panel.source`; None: the path.

    A covariate column of any role is categorical when none of its values is a number:
    its labels (stripped ``str``) are kept as they are and listed in
    :attr:`Panel.categorical`; a column mixing numbers and labels is an error. A column may
    play one role only, and is never inferred as the target or id.

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

    A long panel with covariates of each role:

    >>> _ = path.write_text("store,date,sales,temp,promo,size\\n"
    ...                     "a,2024-01-01,5,20,yes,big\\na,2024-01-02,6,21,no,big\\n"
    ...                     "b,2024-01-01,1,18,no,small\\nb,2024-01-02,2,19,no,small\\n")
    >>> panel = load_csv(path, target="sales", past_covariates="temp",
    ...                  future_covariates="promo", static_covariates="size")
    >>> list(panel.frame.columns), panel.categorical
    (['id', 'time', 'y', 'temp', 'promo', 'size'], ('promo', 'size'))
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigTypeError(f"`path` must be a str or path-like. Received: path={path!r} "
                              f"of type {type(path).__name__}")
    if source is not None and not isinstance(source, str):
        raise ConfigTypeError(f"`source` must be a str or None. Received: source={source!r}")
    options = check_options(target, time, id, past_covariates, freq, fill, future_covariates,
                            static_covariates)
    raw, rows = read_csv(os.fspath(path), source)
    return _validate(raw, rows, options)


def from_pandas(obj, *, target=None, time=None, id=None, past_covariates=(), freq=None,
                fill=None, future_covariates=(), static_covariates=(), source="<DataFrame>") -> Panel:
    """Validate a pandas Series or DataFrame into a :class:`Panel`.

    Accepts the same layouts and arguments as :func:`load_csv`. A Series is one series named
    by ``obj.name`` (default ``"y"``) over its index. When ``time`` is None, a DatetimeIndex
    or PeriodIndex is the time axis; otherwise a time-like column, then an integer index
    (integer periods). A two-level MultiIndex is a panel's (series id, time).

    Parameters
    ----------
    obj : pandas.Series or pandas.DataFrame
    target, time, id, past_covariates, freq, fill, future_covariates, static_covariates
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
    options = check_options(target, time, id, past_covariates, freq, fill, future_covariates,
                            static_covariates)
    if isinstance(obj, pd.Series):
        name = "y" if obj.name is None else str(obj.name)
        obj = obj.to_frame(name)
        if options.target is None:
            options = dataclasses.replace(options, target=[name])
    elif not isinstance(obj, pd.DataFrame):
        raise ConfigTypeError(f"`obj` must be a pandas Series or DataFrame. "
                              f"Received: obj of type {type(obj).__name__}")
    if len(obj) == 0:
        raise DataError(f"{describe_source(source)} has no rows. Pass a Series or DataFrame "
                        f"with at least one row.")
    if isinstance(obj.index, pd.MultiIndex):  # a panel indexed by (id, time)
        names = list(obj.index.names)
        if len(names) != 2 or None in names or set(names) & set(map(str, obj.columns)):
            raise DataError(f"{describe_source(source)} has a MultiIndex with levels {names}; a panel's index "
                            "must be two named levels, the series id then the time (e.g. "
                            "index.set_names(['id', 'time'])), or reset_index() and pass `id` and `time`.")
        obj = obj.reset_index()
        options = dataclasses.replace(options, id=options.id or str(names[0]), time=options.time or str(names[1]))
    raw, time = index_as_time_column(obj, options.time, source)
    options = dataclasses.replace(options, time=time)
    panel = _validate(raw.reset_index(drop=True), Rows(source, labels=obj.index), options)
    if time is not None and time not in map(str, obj.columns) and obj.index.name is None:
        panel = dataclasses.replace(panel, time_column=None)  # an unnamed index: no column to look for again
    return panel


def _validate(raw: pd.DataFrame, rows: Rows, options: LoadOptions) -> Panel:
    """Check a raw table in the documented order, first problem wins, and build the Panel."""
    columns = resolve_columns(raw, rows, options)
    times = parse_times(raw[columns.time], rows, columns.time)
    if options.freq is not None and not is_datetime64_any_dtype(times):
        raise ConfigError(f"`freq` applies to datetime time columns, but column "
                          f"{columns.time!r} of {rows.where} holds integer periods. Set `freq` "
                          f"to None (leave it out). Received: freq={options.freq!r}")
    ids, codes = row_ids(raw, rows, columns.id)
    check_unique_and_increasing(times, ids, codes, rows, columns.id is not None)
    wide = columns.id is None and len(columns.targets) > 1  # one series per target column
    values, labels = parse_value_columns(raw, rows, columns.targets, columns.all_covariates,
                                         times, options.fill, edges=wide)
    blocks = split_series(times, ids, codes, values, columns, rows)
    check_static(blocks, raw, columns.static_covariates)
    grid = resolve_grid(blocks, options.freq)
    carry = {*labels, *columns.static_covariates}
    if options.fill is not None:
        _say_filled(blocks, grid, options.fill, rows)
    regular = [regularise(block, grid, options.fill, carry) for block in blocks]
    covariates = columns.all_covariates
    filled = None
    if options.fill is not None:  # the target and the numeric past covariates, for a walk-forward
        scored = [0] + [list(blocks[0].columns).index(name) for name in columns.past_covariates if name not in labels]
        filled = {str(block.key): supplied_cells(block, grid, scored) for block in blocks}
        filled = {key: cells for key, cells in filled.items() if cells.any()} or None
    return Panel(frame=_panel_frame(blocks, regular, covariates, labels),
                 target=",".join(columns.targets), freq=grid.freq, step=grid.step,
                 covariates=tuple(columns.past_covariates),
                 future_covariates=tuple(columns.future_covariates),
                 static_covariates=tuple(columns.static_covariates),
                 categorical=tuple(name for name in covariates if name in labels),
                 source=rows.source, time_column=columns.time, id_column=columns.id,
                 fill=options.fill if filled else None, filled=filled)


def _say_filled(blocks, grid, fill: str, rows: Rows) -> None:
    """One :class:`~forecastkit.errors.FilledValuesWarning`: how many target values ``fill``
    supplies, in which series, and the series whose last values (a forecast's start) are filled."""
    counts = {block.key: filled_targets(block, grid) for block in blocks}
    filled = {key: n for key, (n, _) in counts.items() if n}
    if not filled:
        return
    total = sum(filled.values())
    where = "" if len(blocks) == 1 else \
        f" of {len(filled)} series ({listing([f'{k!r}: {n}' for k, n in filled.items()], shown=3)})"
    text = f"`fill` {fill!r} supplied {total} target value{'s' if total > 1 else ''}{where} in {rows.where}."
    last = {key: n for key, (_, n) in counts.items() if n}
    if last:
        most = max(last.values())
        named = "" if len(blocks) == 1 else f" of {listing([repr(k) for k in last], shown=3)}"
        text += (f" The last {most} value{'s' if most > 1 else ''}{named} are filled, and a forecast starts from "
                 "them: leave those rows out if they are not yet known.")
    warnings.warn(FilledValuesWarning(text), stacklevel=user_stacklevel())


def _panel_frame(blocks, regular, covariates, labels) -> pd.DataFrame:
    """Concatenate the regularised ``(times, values)`` of each series into the panel frame,
    decoding label codes (``labels``: column -> its labels) into ``str`` columns."""
    ids = np.repeat(np.array([block.key for block in blocks], dtype=object),
                    [len(times) for times, _ in regular])
    all_times = [times for times, _ in regular]
    if isinstance(all_times[0], pd.DatetimeIndex):
        time = all_times[0].append(all_times[1:]).as_unit("ns")
    else:
        time = np.concatenate(all_times).astype("int64")
    values = np.vstack([values for _, values in regular]).astype("float64")
    columns = {"id": pd.Series(ids, dtype="str"), "time": pd.Series(time), "y": values[:, 0]}
    for j, name in enumerate(covariates, start=1):
        if name in labels:
            names = np.array(labels[name], dtype=object)
            columns[name] = pd.Series(names[values[:, j].astype("int64")], dtype="str")
        else:
            columns[name] = values[:, j]
    return pd.DataFrame(columns)
