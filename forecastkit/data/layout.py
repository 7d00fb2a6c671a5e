"""Wide and long tables: which rows belong to which series, split into one block each;
static covariates constant per series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from ..errors import DataError
from .columns import Columns
from .messages import Rows, cell_repr, first_true
from .values import outside_values


@dataclass(frozen=True, eq=False)
class SeriesBlock:
    """One series of the table being validated, in time order."""

    key: str                 # series id; a wide table's target column name
    label: str               # how messages name it: "series 'a'", or "the series" if alone
    columns: tuple           # value column names: the target, then the covariates (all roles)
    times: object            # DatetimeIndex (ns), or int64 array of periods
    values: np.ndarray       # float64 (n, len(columns)), NaN where missing
    positions: np.ndarray    # raw row of each entry, for messages
    rows: Rows

    def __len__(self) -> int:
        return len(self.times)

    def at(self, k: int) -> str:
        """Where entry ``k`` came from: ``"line 7"`` or ``"row 5 (index ...)"``."""
        return self.rows.at(self.positions[k])


def row_ids(raw: pd.DataFrame, rows: Rows, id: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Python-str ids per row, surrounding spaces stripped (as from every label), and their
    codes in order of first appearance (all one series, id "", without an id column).

    Examples
    --------
    >>> ids, codes = row_ids(pd.DataFrame({"k": ["b", "a", "b "]}), Rows("<DataFrame>"), "k")
    >>> ids.tolist(), codes.tolist()
    (['b', 'a', 'b'], [0, 1, 0])
    """
    if id is None:
        return np.full(len(raw), "", dtype=object), np.zeros(len(raw), dtype="int64")
    column = raw[id]
    text = column.astype("str").str.strip()
    missing = first_true(column.isna() | text.eq(""))
    if missing is not None:
        raise DataError(f"Missing series id in column {id!r} of {rows.where} at "
                        f"{rows.at(missing)}. Every row of a long panel needs an id.")
    ids = text.to_numpy(dtype=object)
    codes, _ = pd.factorize(ids)
    return ids, codes.astype("int64")


def split_series(times: pd.Series, ids: np.ndarray, codes: np.ndarray,
                 values: dict[str, np.ndarray], columns: Columns,
                 rows: Rows) -> list[SeriesBlock]:
    """One block per series: per id of a long table (in order of first appearance), per
    target of a wide one."""
    if columns.id is None:
        every_row = np.arange(len(times))
        parts = [(target, target, every_row) for target in columns.targets]
        if len(columns.targets) > 1:  # each target's own span: blanks at its edges are not its rows
            parts = [(target, target, every_row[~outside_values(np.isnan(values[target]))])
                     for target in columns.targets]
            empty = next((target for target, _, kept in parts if len(kept) == 0), None)
            if empty is not None:
                raise DataError(f"Column {empty!r} of {rows.where} has no values. Leave it out of `target`.")
    else:
        order = np.argsort(codes, kind="stable")
        groups = np.split(order, np.cumsum(np.bincount(codes))[:-1])
        parts = [(str(ids[group[0]]), columns.targets[0], group) for group in groups]
    if is_datetime64_any_dtype(times):
        axis = pd.DatetimeIndex(times)
    else:
        axis = times.to_numpy(dtype="int64")
    covariates = columns.all_covariates
    tables = {target: np.column_stack([values[name] for name in (target, *covariates)])
              for target in columns.targets}
    named = columns.id is not None or len(columns.targets) > 1
    return [SeriesBlock(key=key, label=f"series {key!r}" if named else "the series",
                        columns=(target, *covariates), times=axis[positions],
                        values=tables[target][positions], positions=positions, rows=rows)
            for key, target, positions in parts]


def check_static(blocks: list[SeriesBlock], raw: pd.DataFrame, static) -> None:
    """Raise DataError if a static covariate takes two values within one series.

    Missing cells are not compared (they are an error, or filled, elsewhere); label codes
    compare as labels, numbers as numbers (``1`` equals ``1.0``).

    Examples
    --------
    >>> raw = pd.DataFrame({"region": ["north", "south"]})
    >>> block = SeriesBlock("a", "series 'a'", ("y", "region"), np.array([1, 2]),
    ...                     np.array([[1.0, 0.0], [2.0, 1.0]]), np.array([0, 1]),
    ...                     Rows("<DataFrame>", lines=np.array([2, 3])))
    >>> check_static([block], raw, ["region"])
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: Static covariate 'region' must be constant within each series, but series 'a' in <DataFrame> has 'north' at line 2 and 'south' at line 3. Give each series a single value of 'region', or list the column in `past_covariates` or `future_covariates` if it changes over time.
    """
    for block in blocks:
        for name in static:
            column = block.values[:, block.columns.index(name)]
            present = np.flatnonzero(~np.isnan(column))
            if len(present) == 0:
                continue
            first = present[0]
            other = first_true(column[present] != column[first])
            if other is None:
                continue
            other = present[other]
            cells = [cell_repr(raw[name], block.positions[k]) for k in (first, other)]
            raise DataError(f"Static covariate {name!r} must be constant within each series, "
                            f"but {block.label} in {block.rows.where} has {cells[0]} at "
                            f"{block.at(first)} and {cells[1]} at {block.at(other)}. Give each "
                            f"series a single value of {name!r}, or list the column in "
                            f"`past_covariates` or `future_covariates` if it changes over time.")
