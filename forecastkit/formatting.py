"""Numbers as people read them in tables: one column, one scale, one number of decimals.

A column is formatted as a whole: the number of decimals is chosen from its typical
magnitude (the median of its non-zero absolute values) so that a typical value shows
:data:`SIGNIFICANT_DIGITS` significant digits, and every value of the column gets that same
number of decimals. There are no thousands separators, and scientific notation only for
columns whose typical magnitude is too tiny or too huge to read in fixed notation.
Integer-valued columns (counts, ranks, whole sales) have no decimals.

This module does not import Keras or TensorFlow.

Examples
--------
>>> format_column([17090.4, 9551.0, 12003.25])
['17090', '9551', '12003']
>>> format_column([0.8312, 1.2, 2.61])
['0.831', '1.200', '2.610']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["MISSING", "SIGNIFICANT_DIGITS", "format_column", "format_frame", "format_times"]

#: Significant digits a typical value of a column shows.
SIGNIFICANT_DIGITS = 4
#: Text of a missing value (NaN, None).
MISSING = "–"
_MAX_DECIMALS = 8  # a typical magnitude needing more decimals than this is shown as 1.234e-09
_MAX_FIXED = 1e15  # from here on, 1.234e+15


def format_column(values) -> list[str]:
    """Format numbers with one number of decimals chosen from their typical magnitude.

    Parameters
    ----------
    values : iterable of numbers
        One table column (a list, numpy array or pandas Series). NaN and None show as
        :data:`MISSING`, infinities as ``inf`` and ``-inf``.

    Returns
    -------
    list of str
        One string per value, in order.

    Examples
    --------
    Integer-valued columns have no decimals, whatever their dtype:

    >>> format_column([112.0, 118.0, float("nan")])
    ['112', '118', '–']

    Otherwise every value gets the decimals that give the typical value 4 significant digits:

    >>> format_column([0.0123, 0.0456, -0.000001])
    ['0.01230', '0.04560', '0.00000']
    >>> format_column([1234.5678, 98.7])
    ['1234.6', '98.7']

    Only tiny or huge magnitudes fall back to scientific notation:

    >>> format_column([3.2e-12, 4.51e-12])
    ['3.200e-12', '4.510e-12']
    """
    numbers = pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").to_numpy("float64")
    finite = numbers[np.isfinite(numbers)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < _MAX_FIXED:
        spec = ".0f"
    else:
        spec = _spec(finite)
    return [_one(value, spec) for value in numbers]


def _spec(finite: np.ndarray) -> str:
    """The format spec of a column from its finite values."""
    nonzero = np.abs(finite[finite != 0])
    if nonzero.size == 0:
        return ".0f"
    typical = float(np.median(nonzero))
    decimals = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(typical))
    if decimals > _MAX_DECIMALS or typical >= _MAX_FIXED:
        return f".{SIGNIFICANT_DIGITS - 1}e"
    return f".{max(decimals, 0)}f"


def _one(value: float, spec: str) -> str:
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = format(value, spec)
    if text.startswith("-") and not any(c in "123456789" for c in text.split("e")[0]):
        return text[1:]  # -0.000 after rounding reads as 0.000
    return text


def format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as text: numeric columns by :func:`format_column`, the others as ``str``.

    Timestamps by :func:`format_times`; booleans and other columns keep their ``str``;
    missing values show as :data:`MISSING`. Index and column labels are kept.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Same shape, index and columns, every cell a ``str``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"model": ["naive", "mlp"], "mase": [1.7712, 0.95],
    ...                       "mae": [17090.0, 9551.3], "origins": [24, 24]})
    >>> print(format_frame(table).to_string(index=False))
    model  mase   mae origins
    naive 1.771 17090      24
      mlp 0.950  9551      24
    """
    texts = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            texts.append(format_column(column))
        elif pd.api.types.is_datetime64_any_dtype(column):
            texts.append(format_times(column))
        else:
            texts.append([MISSING if _is_missing(v) else str(v) for v in column])
    return pd.DataFrame(dict(enumerate(texts)), index=frame.index, dtype="object").set_axis(frame.columns, axis=1)


def format_times(times) -> list[str]:
    """Timestamps as text: dates without a midnight clock when every one is at midnight.

    Parameters
    ----------
    times : pandas.Series of datetime64 (or anything else, shown by ``str``)

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> format_times(pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])))
    ['2024-01-01', '2024-02-01']
    >>> format_times(pd.Series(pd.to_datetime(["2024-01-01 06:00", None])))
    ['2024-01-01 06:00:00', '–']
    """
    times = pd.Series(times)
    if not pd.api.types.is_datetime64_any_dtype(times):
        return [MISSING if _is_missing(t) else str(t) for t in times]
    shown = times.dt.strftime("%Y-%m-%d") if (times.dropna() == times.dropna().dt.normalize()).all() \
        else times.astype("str")
    return [MISSING if missing else text for text, missing in zip(shown, times.isna())]


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False


def listing(items: list, shown: int | None = None) -> str:
    """``items`` as an English list: "a", "a and b", "a, b and c"; beyond ``shown`` of them
    (None: no limit), the first ``shown`` and how many more.

    Examples
    --------
    >>> listing(["a", "b", "c"]), listing(["a", "b", "c", "d", "e"], shown=3)
    ('a, b and c', 'a, b, c and 2 more')
    """
    items = [str(item) for item in items]
    if shown is not None and len(items) > shown:
        return ", ".join(items[:shown]) + f" and {len(items) - shown} more"
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]

