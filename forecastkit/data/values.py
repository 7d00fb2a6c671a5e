"""Target and covariate values: numeric parsing, missing and bad values, fill policies."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from ..errors import DataError
from .messages import Rows, cell_repr, display, first_true

FILL_POLICIES = ("interpolate", "ffill", "zero")

#: Largest accepted absolute value: squares of larger numbers overflow float64.
MAX_ABS_VALUE = 1e150

#: The end of a sentence that names the fill policies.
FILL_HINT = ("pass --fill interpolate|ffill|zero (fill='interpolate', 'ffill' or 'zero') "
             "to fill them")

_NA_TOKENS = ("", "na", "n/a", "nan", "null", "none", "<na>", "#n/a", "-nan")
_THOUSANDS = r"[+-]?\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d+)?"


class Numbers(NamedTuple):
    """A column parsed as numbers."""

    values: np.ndarray   # float64, NaN where missing or bad
    missing: np.ndarray  # bool: empty or spelled missing ("NA", "null", ...)
    bad: np.ndarray      # bool: present but not a number


def parse_numbers(column: pd.Series) -> Numbers:
    """Parse a column as float64, telling missing values from non-numeric ones.

    Strings are parsed by ``pd.to_numeric`` (surrounding spaces allowed); values it rejects
    are missing if they spell a missing value (``NA``, ``null``, ``nan``...), else bad.

    Examples
    --------
    >>> numbers = parse_numbers(pd.Series(["1.5", " NA ", "abc"]))
    >>> numbers.values.tolist(), numbers.missing.tolist(), numbers.bad.tolist()
    ([1.5, nan, nan], [False, True, False], [False, False, True])
    """
    if is_numeric_dtype(column) and not isinstance(column.dtype, pd.PeriodDtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return Numbers(values, np.isnan(values), np.zeros(len(values), dtype=bool))
    missing = column.isna().to_numpy(dtype=bool, copy=True)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & ~missing
    if bad.any():
        suspects = np.flatnonzero(bad)
        spelled = column.iloc[suspects].astype("str").str.strip().str.lower().isin(_NA_TOKENS)
        missing[suspects[spelled.to_numpy()]] = True
        bad[suspects[spelled.to_numpy()]] = False
    return Numbers(values, missing, bad)


def parse_value_columns(raw: pd.DataFrame, rows: Rows, names, times: pd.Series,
                        fill) -> dict[str, np.ndarray]:
    """Parse the target and covariate columns into float64 arrays (NaN where missing).

    Each check runs over all columns before the next: non-numeric values, then missing
    values (unless ``fill``), infinite values, absurd magnitudes.
    """
    parsed = {name: parse_numbers(raw[name]) for name in names}
    checks = [_check_numeric, _check_missing, _check_finite, _check_magnitude]
    if fill is not None:
        checks.remove(_check_missing)
    for check in checks:
        for name, numbers in parsed.items():
            check(raw[name], name, numbers, times, rows)
    return {name: numbers.values for name, numbers in parsed.items()}


def fill_missing(block: np.ndarray, policy: str) -> np.ndarray:
    """Fill the NaNs of a 2-D block column by column with a policy of FILL_POLICIES.

    ``interpolate`` is linear in position, ``ffill`` carries values forward, and both give
    leading gaps the first value; ``zero`` writes zeros.

    Examples
    --------
    >>> block = np.array([[np.nan], [1.0], [np.nan], [3.0], [np.nan]])
    >>> [fill_missing(block, p)[:, 0].tolist() for p in FILL_POLICIES]
    [[1.0, 1.0, 2.0, 3.0, 3.0], [1.0, 1.0, 1.0, 3.0, 3.0], [0.0, 1.0, 0.0, 3.0, 0.0]]
    """
    if policy == "zero":
        return np.nan_to_num(block, nan=0.0)
    if policy == "ffill":
        return pd.DataFrame(block).ffill().bfill().to_numpy(dtype="float64")
    out = block.copy()
    positions = np.arange(len(block))
    for j in range(block.shape[1]):
        known = ~np.isnan(block[:, j])
        out[:, j] = np.interp(positions, positions[known], block[known, j])
    return out


def _check_numeric(column: pd.Series, name: str, numbers: Numbers, times, rows: Rows) -> None:
    pos = first_true(numbers.bad)
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} must be numeric, but "
                        f"{rows.at(pos)} holds {cell_repr(column, pos)}. "
                        f"{_number_hint(str(column.iloc[pos]).strip())}")


def _check_missing(column: pd.Series, name: str, numbers: Numbers, times, rows: Rows) -> None:
    pos = first_true(numbers.missing)
    if pos is not None:
        count = int(numbers.missing.sum())
        raise DataError(f"Column `{name}` of {rows.where} has {count} missing "
                        f"value{'s' if count > 1 else ''} (first at {rows.at(pos)}, time "
                        f"{display(times.iloc[pos])}). Fix the data or {FILL_HINT}.")


def _check_finite(column: pd.Series, name: str, numbers: Numbers, times, rows: Rows) -> None:
    pos = first_true(np.isinf(numbers.values))
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} holds an infinite value at "
                        f"{rows.at(pos)}: {cell_repr(column, pos)}. Replace it with a finite "
                        f"number, or leave the cell empty and {FILL_HINT}.")


def _check_magnitude(column: pd.Series, name: str, numbers: Numbers, times,
                     rows: Rows) -> None:
    pos = first_true(np.abs(np.nan_to_num(numbers.values)) > MAX_ABS_VALUE)
    if pos is not None:
        raise DataError(f"Column `{name}` of {rows.where} holds {cell_repr(column, pos)} at "
                        f"{rows.at(pos)}, beyond the supported magnitude {MAX_ABS_VALUE:g} "
                        f"(its square overflows float64). Rescale the column (e.g. divide "
                        f"by 1e6).")


def _number_hint(value: str) -> str:
    """How to fix a non-numeric cell: thousands separators, decimal comma, or generic.

    Examples
    --------
    >>> _number_hint("1,234")
    "Remove thousands separators (1,234 -> 1234) and use '.' as the decimal point."
    >>> _number_hint("3,5")
    "Use '.' as the decimal point (3,5 -> 3.5)."
    """
    if re.fullmatch(_THOUSANDS, value):
        digits = re.sub(r"[,.' ](?=\d{3}(?:\D|$))", "", value)
        return (f"Remove thousands separators ({value} -> {digits}) and use '.' as the "
                f"decimal point.")
    if re.fullmatch(r"[+-]?\d+,\d+", value):
        return f"Use '.' as the decimal point ({value} -> {value.replace(',', '.')})."
    return ("Replace it with a number (remove units, text and thousands separators), or leave "
            "the cell empty to mark it missing.")
