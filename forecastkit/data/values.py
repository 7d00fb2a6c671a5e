"""Target and covariate values: numeric parsing, labels, missing and bad values, fill policies.

A covariate column (of any role) is *categorical* when none of its present values parses as
a number, and numeric when all do; a column mixing both is an error. Labels travel through
validation as float codes (0, 1, ... in order of first appearance, NaN where missing), so
the grid and fill code handles one float64 block per series; the panel frame decodes them
back to stripped ``str`` labels.
"""

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
FILL_HINT = "set `fill` to 'interpolate', 'ffill' or 'zero' to fill them"

NA_TOKENS = ("", "na", "n/a", "nan", "null", "none", "<na>", "#n/a", "-nan")
_THOUSANDS = r"[+-]?\d{1,3}(?:[,.' ]\d{3})+(?:[.,]\d+)?"
_SCIENTIFIC = r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+"


class Numbers(NamedTuple):
    """A column parsed as numbers."""

    values: np.ndarray   # float64, NaN where missing or bad
    missing: np.ndarray  # bool: empty or spelled missing ("NA", "null", ...)
    bad: np.ndarray      # bool: present but not a number


def parse_numbers(column: pd.Series) -> Numbers:
    """Parse a column as float64, telling missing values from non-numeric ones.

    Strings are parsed by ``pd.to_numeric`` (surrounding spaces allowed); values it rejects
    are missing if they spell a missing value (``NA``, ``null``, ``nan``...), infinite if
    they overflow float64 (``1e400``, which pandas 2.2+ rejects), else bad.

    Examples
    --------
    >>> numbers = parse_numbers(pd.Series(["1.5", " NA ", "abc", "-1e400"]))
    >>> numbers.values.tolist(), numbers.missing.tolist(), numbers.bad.tolist()
    ([1.5, nan, nan, -inf], [False, True, False, False], [False, False, True, False])
    """
    if is_numeric_dtype(column) and not isinstance(column.dtype, pd.PeriodDtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return Numbers(values, np.isnan(values), np.zeros(len(values), dtype=bool))
    missing = column.isna().to_numpy(dtype=bool, copy=True)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & ~missing
    if bad.any():
        suspects = np.flatnonzero(bad)
        text = column.iloc[suspects].astype("str").str.strip()
        spelled = text.str.lower().isin(NA_TOKENS).to_numpy()
        missing[suspects[spelled]] = True
        bad[suspects[spelled]] = False
        huge = text.str.fullmatch(_SCIENTIFIC).to_numpy(dtype=bool)
        for pos, cell in zip(suspects[huge], text[huge]):
            values[pos] = float(cell)  # +-inf: _check_finite names it
            bad[pos] = False
    return Numbers(values, missing, bad)


def parse_value_columns(raw: pd.DataFrame, rows: Rows, targets, covariates, times: pd.Series,
                        fill, edges: bool = False) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Parse the target and covariate columns into float64 arrays (NaN where missing).

    Targets must be numeric; a covariate is numeric or categorical (see the module
    docstring). Each check runs over all columns before the next: non-numeric values in a
    target or numbers mixed with labels in a covariate, then missing values (unless
    ``fill``), infinite values, absurd magnitudes. With ``edges`` (a wide file's several
    targets), a target's blanks before its first value and after its last are where that
    series starts and ends, not missing values.

    Returns
    -------
    values : dict of str to numpy.ndarray
        Per column, float64 numbers, or label codes for a categorical column.
    labels : dict of str to list of str
        Per categorical column, its labels: code ``k`` stands for ``labels[k]``.

    Examples
    --------
    >>> raw = pd.DataFrame({"y": ["1", "2", "3"], "promo": [" low", "high", "low"]})
    >>> values, labels = parse_value_columns(raw, Rows("<DataFrame>"), ["y"], ["promo"],
    ...                                      pd.Series([1, 2, 3]), None)
    >>> values["promo"].tolist(), labels
    ([0.0, 1.0, 0.0], {'promo': ['low', 'high']})
    """
    columns = {name: _plain(raw[name]) for name in [*targets, *covariates]}
    parsed = {name: parse_numbers(column) for name, column in columns.items()}
    labels: dict[str, list[str]] = {}
    for name, numbers in parsed.items():  # one pass, in column order: the first problem wins
        if name not in covariates:
            _check_numeric(columns[name], name, numbers, times, rows)
        elif _is_categorical(columns[name], name, numbers, rows):
            parsed[name], labels[name] = _label_codes(columns[name], numbers.missing)
    checks = [_check_missing, _check_finite, _check_magnitude]
    if fill is not None:
        checks.remove(_check_missing)
    for check in checks:
        for name, numbers in parsed.items():
            if edges and name in targets and check is _check_missing:
                numbers = numbers._replace(missing=numbers.missing & ~outside_values(numbers.missing))
            check(columns[name], name, numbers, times, rows)
    return {name: numbers.values for name, numbers in parsed.items()}, labels


def outside_values(missing: np.ndarray) -> np.ndarray:
    """Where a column is blank before its first value or after its last (all of it when it has none).

    Examples
    --------
    >>> outside_values(np.array([True, False, True, False, True, True])).tolist()
    [True, False, False, False, True, True]
    """
    present = np.flatnonzero(~missing)
    if len(present) == 0:
        return np.ones(len(missing), bool)
    index = np.arange(len(missing))
    return (index < present[0]) | (index > present[-1])


def _plain(column: pd.Series) -> pd.Series:
    """A pandas categorical column as its plain values (numbers or labels)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(object)
    return column


def _is_categorical(column: pd.Series, name: str, numbers: Numbers, rows: Rows) -> bool:
    """True if no present value is a number, False if all are; DataError for a mix.

    The kind of the first present value is the expected one; the message names the first
    value of the other kind.
    """
    is_number = ~numbers.missing & ~numbers.bad
    if not (numbers.bad.any() and is_number.any()):
        return bool(numbers.bad.any())
    first = first_true(~numbers.missing)
    number_first = bool(is_number[first])
    other = first_true(numbers.bad if number_first else is_number)
    kinds = ("a number", "a label") if number_first else ("a label", "a number")
    hint = f" {_number_hint(str(column.iloc[other]).strip())}" if number_first else ""
    raise DataError(f"Column {name!r} of {rows.where} mixes numbers and labels: "
                    f"{rows.at(first)} holds {cell_repr(column, first)} ({kinds[0]}) but "
                    f"{rows.at(other)} holds {cell_repr(column, other)} ({kinds[1]}). Make the "
                    f"column all numbers or all labels (a covariate without any number is "
                    f"categorical).{hint}")


def _label_codes(column: pd.Series, missing: np.ndarray) -> tuple[Numbers, list[str]]:
    """Stripped labels as float codes in order of first appearance (NaN where missing)."""
    present = ~missing
    codes, uniques = pd.factorize(column[present].astype("str").str.strip().to_numpy(object))
    values = np.full(len(column), np.nan)
    values[present] = codes
    return Numbers(values, missing, np.zeros(len(column), dtype=bool)), [str(u) for u in uniques]


def fill_missing(block: np.ndarray, policy: str, carry=()) -> np.ndarray:
    """Fill the NaNs of a 2-D block column by column with a policy of FILL_POLICIES.

    ``interpolate`` is linear in position, ``ffill`` carries values forward, and both give
    leading gaps the first value; ``zero`` writes zeros. The columns at positions ``carry``
    (labels and static covariates, which must not be averaged or zeroed) follow the
    ``ffill`` rule whatever the policy.

    Examples
    --------
    >>> block = np.array([[np.nan], [1.0], [np.nan], [3.0], [np.nan]])
    >>> [fill_missing(block, p)[:, 0].tolist() for p in FILL_POLICIES]
    [[1.0, 1.0, 2.0, 3.0, 3.0], [1.0, 1.0, 1.0, 3.0, 3.0], [0.0, 1.0, 0.0, 3.0, 0.0]]
    >>> fill_missing(np.hstack([block, block]), "zero", carry=[1])[:, 1].tolist()
    [1.0, 1.0, 1.0, 3.0, 3.0]
    """
    out = _fill(block, policy)
    carry = list(carry)
    if carry:
        out = np.array(out)  # writable
        out[:, carry] = _fill(block[:, carry], "ffill")
    return out


def _fill(block: np.ndarray, policy: str) -> np.ndarray:
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
        raise DataError(f"Column {name!r} of {rows.where} must be numeric, but "
                        f"{rows.at(pos)} holds {cell_repr(column, pos)}. "
                        f"{_number_hint(str(column.iloc[pos]).strip())}")


def _check_missing(column: pd.Series, name: str, numbers: Numbers, times, rows: Rows) -> None:
    pos = first_true(numbers.missing)
    if pos is not None:
        count = int(numbers.missing.sum())
        raise DataError(f"Column {name!r} of {rows.where} has {count} missing "
                        f"value{'s' if count > 1 else ''} (first at {rows.at(pos)}, time "
                        f"{display(times.iloc[pos])}). Fix the data or {FILL_HINT}.")


def _check_finite(column: pd.Series, name: str, numbers: Numbers, times, rows: Rows) -> None:
    pos = first_true(np.isinf(numbers.values))
    if pos is not None:
        raise DataError(f"Column {name!r} of {rows.where} holds an infinite value at "
                        f"{rows.at(pos)}: {cell_repr(column, pos)}. Replace it with a finite "
                        f"number, or leave the cell empty and {FILL_HINT}.")


def _check_magnitude(column: pd.Series, name: str, numbers: Numbers, times,
                     rows: Rows) -> None:
    pos = first_true(np.abs(np.nan_to_num(numbers.values)) > MAX_ABS_VALUE)
    if pos is not None:
        raise DataError(f"Column {name!r} of {rows.where} holds {cell_repr(column, pos)} at "
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
