"""How validation messages name places and values: sources, lines, rows, timestamps."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Rows:
    """Maps raw row positions to what the user sees: file lines or frame rows.

    Examples
    --------
    >>> Rows("sales.csv", lines=np.array([2, 4])).at(1)
    'line 4'
    >>> Rows("<DataFrame>", labels=pd.Index(["a", "b"])).at(1)
    'row 1 (index b)'
    """

    source: str
    lines: np.ndarray | None = None
    labels: pd.Index | None = None

    @property
    def where(self) -> str:
        return describe_source(self.source)

    def at(self, pos) -> str:
        pos = int(pos)
        if self.lines is not None:
            return f"line {int(self.lines[pos])}"
        return f"row {pos} (index {display(self.labels[pos])})"

    def sort_hint(self) -> str:
        if self.lines is not None:
            return "Sort the file by time (and id)"
        return "Sort the data by time (e.g. df.sort_values([id, time]) or df.sort_index())"


def dataset_source(name: str) -> str:
    """How messages and :attr:`Panel.source` name a shipped dataset (not by its file path).

    Examples
    --------
    >>> dataset_source("co2")
    "dataset 'co2'"
    """
    return f"dataset {name!r}"


def describe_source(source: str) -> str:
    """A file path quoted; a placeholder such as ``<DataFrame>`` or a shipped dataset as is.

    Examples
    --------
    >>> describe_source("sales.csv"), describe_source("<DataFrame>"), describe_source(dataset_source("co2"))
    ("'sales.csv'", '<DataFrame>', "dataset 'co2'")
    """
    if source.startswith("<") or re.fullmatch(r"dataset '[^'\\]+'", source):
        return source
    return repr(source)


def display(value) -> str:
    """Short display of a timestamp or label: dates without a midnight time part.

    Examples
    --------
    >>> display(pd.Timestamp("2024-01-31")), display(pd.Timestamp("2024-01-31 06:00")), display(7)
    ('2024-01-31', '2024-01-31 06:00:00', '7')
    """
    if isinstance(value, pd.Timestamp):
        if value.tz is None and value == value.normalize():
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    return str(value)


def cell_repr(column: pd.Series, pos: int) -> str:
    """repr of a raw cell: strings quoted, numpy scalars as plain Python."""
    value = column.iloc[pos]
    return repr(value.item() if isinstance(value, np.generic) else value)


def preview(values, limit: int = 8) -> str:
    """The first ``limit`` values as a list, with ``...`` when there are more."""
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def first_true(mask) -> int | None:
    """Position of the first True, or None."""
    hits = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(hits[0]) if len(hits) else None
