"""The panel's time grid: one offset (or integer step) for all series, then gaps.

Without an explicit ``freq``, each series of three or more rows infers its own offset
(or most common step) and all must agree; two-row series, too short to tell a gap from
the spacing, only have to fit the panel grid. A missing grid point is a gap: an error, or
with a fill policy a row added and filled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from ..errors import DataError
from .frequency import (
    describe_offset,
    grid_size,
    infer_offset,
    most_common,
    off_grid,
    offset_stride,
    too_many_points,
)
from .layout import SeriesBlock
from .messages import display, first_true
from .values import FILL_HINT, fill_missing

_FREQ_HINT = "set `freq` to a pandas alias such as 'MS', 'W', 'D' or 'h'"
_OUT_OF_RANGE = (OverflowError, pd.errors.OutOfBoundsDatetime)


@dataclass(frozen=True)
class Grid:
    """A regular time axis: a pandas offset, or integer periods ``step`` apart.

    Examples
    --------
    >>> Grid(step=2).points(10, 14).tolist(), Grid(step=2).name
    ([10, 12, 14], 'step-2')
    >>> monthly = Grid(to_offset("MS"))
    >>> monthly.points(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-01")).month.tolist()
    [1, 2, 3]
    """

    offset: pd.DateOffset | None = None
    step: int = 1

    @property
    def freq(self) -> str | None:
        return None if self.offset is None else self.offset.freqstr

    @property
    def name(self) -> str:
        return self.freq or f"step-{self.step}"

    def points(self, first, last):
        """Every grid time from ``first`` to ``last``."""
        if self.offset is None:  # not arange(first, last + 1): last + 1 may overflow int64
            count = (int(last) - int(first)) // self.step + 1
            return int(first) + self.step * np.arange(count, dtype="int64")
        return pd.date_range(first, last, freq=self.offset).as_unit("ns")


def resolve_grid(blocks: list[SeriesBlock], freq: str | None) -> Grid:
    """The grid every series lies on: ``freq`` if given, else inferred."""
    if isinstance(blocks[0].times, pd.DatetimeIndex):
        return Grid(offset=_resolve_offset(blocks, freq))
    return Grid(step=_resolve_step(blocks))


def regularise(block: SeriesBlock, grid: Grid, fill: str | None, carry=()):
    """``(times, values)`` of a series on its full grid: a gap is an error without
    ``fill``; with it, missing rows are added and every NaN filled (the columns named in
    ``carry``, labels and static covariates, forward- then back-filled whatever ``fill``)."""
    points = grid.points(block.times[0], block.times[-1])
    if fill is None:
        _check_no_gaps(block, points, grid)
        return block.times, block.values
    _check_not_all_missing(block)
    values = block.values
    if len(points) != len(values):
        values = np.full((len(points), values.shape[1]), np.nan)
        values[pd.Index(points).get_indexer(block.times)] = block.values
    if np.isnan(values).any():
        values = fill_missing(values, fill,
                              [j for j, name in enumerate(block.columns) if name in carry])
    return points, values


def supplied_cells(block: SeriesBlock, grid: Grid, columns: list[int]) -> np.ndarray:
    """Which cells of ``block``'s ``columns`` (positions) a fill supplies on its grid: a boolean
    array, the grid's rows x ``columns``.

    Examples
    --------
    >>> from forecastkit.data.messages import Rows
    >>> block = SeriesBlock("a", "series 'a'", ("y",), np.array([1, 2, 4]),
    ...                     np.array([[1.0], [np.nan], [4.0]]), np.arange(3), Rows("<DataFrame>"))
    >>> supplied_cells(block, Grid(None, 1), [0])[:, 0].tolist()
    [False, True, True, False]
    """
    points = grid.points(block.times[0], block.times[-1])
    supplied = np.ones((len(points), len(columns)), bool)
    supplied[pd.Index(points).get_indexer(block.times)] = np.isnan(block.values[:, columns])
    return supplied


def filled_targets(block: SeriesBlock, grid: Grid) -> tuple[int, int]:
    """``(filled, last)`` of a series' target on its grid: how many values ``fill`` supplies
    (missing cells and gap rows), and how many of them end the series (where a forecast starts).

    Examples
    --------
    >>> from forecastkit.data.messages import Rows
    >>> block = SeriesBlock("a", "series 'a'", ("y",), np.array([1, 2, 3, 5, 6]),
    ...                     np.array([[1.0], [np.nan], [3.0], [5.0], [np.nan]]), np.arange(5), Rows("<DataFrame>"))
    >>> filled_targets(block, Grid(None, 1))
    (3, 1)
    """
    points = grid.points(block.times[0], block.times[-1])
    known = np.zeros(len(points), bool)
    known[pd.Index(points).get_indexer(block.times)] = ~np.isnan(block.values[:, 0])
    present = np.flatnonzero(known)
    return int((~known).sum()), int(len(points) - 1 - present[-1]) if len(present) else len(points)


def _resolve_offset(blocks: list[SeriesBlock], freq: str | None):
    if freq is not None:
        offset = to_offset(freq)
        for block in blocks:
            _check_on_grid(block, offset, "explicit")
        return offset
    inferred = []
    for block in (block for block in blocks if len(block) >= 2):
        inferred.append((block, infer_offset(block.times)))
        _check_on_grid(block, inferred[-1][1], "own")
    offset = _shared_offset(inferred, blocks[0])
    own = {block.key: found.freqstr for block, found in inferred}
    for block in blocks:  # one-row series too: their single time must be on the grid
        if own.get(block.key) != offset.freqstr:
            _check_on_grid(block, offset, "panel")
    return offset


def _shared_offset(inferred: list[tuple[SeriesBlock, object]], first: SeriesBlock):
    """The offset of the series of 3+ rows, which must agree, else the finest offset of
    the two-row series."""
    where = first.rows.where
    if not inferred:
        raise DataError(f"Cannot infer the frequency of {where}: every series has a single "
                        f"timestamp: {_FREQ_HINT}.")
    reliable = [(block.key, offset) for block, offset in inferred if len(block) >= 3]
    clash = _first_disagreement([(key, offset.freqstr) for key, offset in reliable])
    if clash:
        (a, freq_a), (b, freq_b) = clash
        raise DataError(f"All series in a panel must share one frequency, but series {a!r} "
                        f"is {freq_a} and series {b!r} is {freq_b} in {where}. Resample them "
                        f"to one frequency or split the data.")
    if reliable:
        return reliable[0][1]
    start = first.times[0]
    return min((offset for _, offset in inferred), key=lambda offset: offset_stride(start, offset))


def _resolve_step(blocks: list[SeriesBlock]) -> int:
    sized = [block for block in blocks if len(block) >= 2]
    if not sized:
        return 1
    steps = [most_common(np.diff(block.times)) for block in sized]
    reliable = [(block.key, step) for block, step in zip(sized, steps) if len(block) >= 3]
    clash = _first_disagreement(reliable)
    if clash:
        (a, step_a), (b, step_b) = clash
        raise DataError(f"All series in a panel must share one step, but series {a!r} has "
                        f"step {step_a} and series {b!r} has step {step_b} in "
                        f"{blocks[0].rows.where}. Put all series on one integer grid or split "
                        f"the data.")
    step = reliable[0][1] if reliable else int(np.gcd.reduce(steps))
    for block in sized:
        _check_on_step(block, step)
    return step


def _first_disagreement(found: list[tuple[str, object]]):
    """The first ``(key, value)`` and the first later one with another value, or None."""
    return next(((found[0], other) for other in found[1:] if other[1] != found[0][1]), None)


def _check_on_grid(block: SeriesBlock, offset, origin: str) -> None:
    """Raise DataError if the block's times are not on the ``offset`` grid from its start.

    ``origin`` says where the offset came from: "explicit" (``freq``), "own" (the series'
    most common spacing) or "panel" (the frequency of the other series).
    """
    index, name, where = block.times, offset.freqstr, block.rows.where
    size = grid_size(index, offset)
    if too_many_points(size, len(index)):
        raise DataError(f"The {name} grid of {block.label} in {where} would need about "
                        f"{size:,.0f} points for {len(index)} rows: the "
                        f"timestamps are far sparser than that frequency. Pass the frequency "
                        f"the data is recorded at as `freq`.")
    bad = first_true(off_grid(index, offset))
    if bad is None:
        return
    found = f"{display(index[bad])} at {block.at(bad)}"
    if origin == "explicit":
        raise DataError(f"Timestamps of {block.label} in {where} do not fit `freq` "
                        f"{name!r}: {found} is not on {_grid_phrase(index, bad, offset)}. "
                        f"{_freq_fix(index, offset)}")
    if origin == "panel":
        raise DataError(f"All series in a panel must share one frequency, but {found} of "
                        f"{block.label} in {where} is not on the {name} grid of the other "
                        f"series. Resample the series to one frequency or split the data.")
    raise DataError(f"Timestamps of {block.label} in {where} are irregular: {found} is not on "
                    f"the {name} grid of the most common spacing (starting "
                    f"{display(index[0])}). Fix the timestamps or {_FREQ_HINT}.")


def _grid_phrase(index: pd.DatetimeIndex, bad: int, offset) -> str:
    """The grid a time ``index[bad]`` is not on, with the grid times nearest the first time
    when that one is off the grid (which then starts at the next such time).

    Examples
    --------
    >>> _grid_phrase(pd.DatetimeIndex(["1949-01-01"]), 0, to_offset("ME"))
    'the ME grid (month ends): the nearest ME times are 1948-12-31 and 1949-01-31'
    >>> _grid_phrase(pd.DatetimeIndex(["2024-01-01", "2024-01-03 12:00"]), 1, to_offset("D"))
    'the D grid starting 2024-01-01'
    """
    name, words = offset.freqstr, describe_offset(offset)
    grid = f"the {name} grid" + (f" ({words})" if words else "")
    if bad > 0:
        return f"{grid} starting {display(index[0])}"
    try:
        before, after = offset.base.rollback(index[0]), offset.base.rollforward(index[0])
    except _OUT_OF_RANGE:
        return grid
    return (f"{grid}: the nearest {offset.base.freqstr} times are {display(before)} and "
            f"{display(after)}")


def _freq_fix(index: pd.DatetimeIndex, offset) -> str:
    """How to fix a `freq` the times do not fit: the alias they do fit (e.g. 'MS' rather than
    'ME' for month starts) if there is one."""
    found = infer_offset(index) if len(index) >= 2 else None
    if found is None or found.freqstr == offset.freqstr or off_grid(index, found).any():
        return "Pass the frequency the data is recorded at, or omit it to infer one."
    words = describe_offset(found)
    alias = repr(found.freqstr) + (f" ({words})" if words else "")
    return (f"They fit {alias}: set `freq` to {found.freqstr!r}, or omit it to infer the "
            f"frequency.")


def _check_on_step(block: SeriesBlock, step: int) -> None:
    """Raise DataError if integer periods are not ``step`` apart (gaps allowed)."""
    periods, where = block.times, block.rows.where
    size = (periods[-1] - periods[0]) // step + 1
    if too_many_points(size, len(periods)):
        raise DataError(f"The step-{step} grid of {block.label} in {where} would need "
                        f"{size:,} points for {len(periods)} rows: the periods are far "
                        f"sparser than their most common step. Fix the periods so they are "
                        f"evenly spaced.")
    bad = first_true((periods - periods[0]) % step != 0)
    if bad is not None:
        raise DataError(f"Periods of {block.label} in {where} are irregular: {periods[bad]} at "
                        f"{block.at(bad)} is not on the step-{step} grid starting at "
                        f"{periods[0]}. Fix the periods so they are evenly spaced.")


def _check_no_gaps(block: SeriesBlock, points, grid: Grid) -> None:
    if len(points) == len(block):
        return
    noun = "period" if grid.offset is None else "timestamp"
    own = pd.Index(block.times)
    missing = points[~pd.Index(points).isin(own)]
    k = int(own.searchsorted(missing[0]))
    raise DataError(
        f"{_sentence_start(block.label)} in {block.rows.where} has {len(missing)} missing "
        f"{noun}{'s' if len(missing) > 1 else ''} on its {grid.name} grid (first missing: "
        f"{display(missing[0])}, between {block.at(k - 1)} and {block.at(k)}). {_coarser(own, grid)}"
        f"{'add' if _coarser(own, grid) else 'Add'} the missing rows or {FILL_HINT} after reindexing onto the full grid."
    )


def _coarser(times: pd.Index, grid: Grid) -> str:
    """A sentence naming the coarser frequency every one of ``times`` is on, when the declared
    ``grid`` is finer (weekly rows read with ``freq='D'``); else ""."""
    if grid.offset is None or len(times) < 3 or not isinstance(times, pd.DatetimeIndex):
        return ""
    found = infer_offset(times)
    if (found is None or found.freqstr == grid.offset.freqstr or off_grid(times, found).any()
            or len(pd.date_range(times[0], times[-1], freq=found)) != len(times)):  # gaps there too
        return ""
    words = describe_offset(found)
    return (f"Every row is one {found.freqstr!r}{f' ({words})' if words else ''} step after the last: if that is "
            f"the data's frequency, set `freq` to {found.freqstr!r}, or leave it out to infer it. Otherwise ")


def _sentence_start(label: str) -> str:
    """``label`` with only its first letter upper-cased: "series 'Big'" -> "Series 'Big'"."""
    return label[:1].upper() + label[1:]


def _check_not_all_missing(block: SeriesBlock) -> None:
    empty = first_true(np.isnan(block.values).all(axis=0))
    if empty is not None:
        raise DataError(f"Column {block.columns[empty]!r} of {block.label} in "
                        f"{block.rows.where} has no values at all, so `fill` cannot "
                        f"fill it. Provide data for it or drop the series.")
