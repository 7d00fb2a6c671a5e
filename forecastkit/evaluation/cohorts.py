"""Cohorts of a global model's fits on a panel whose series end at different times.

A global fit may train on no row at or after the earliest cut-off of the origins it serves,
or a series would learn from another's future. :func:`group_by_cutoff` groups the series so
that each group, ending together, gets a fit of its own trained up to its own cut-off
(:func:`~forecastkit.evaluation.plan.units_of`), and, beyond the most fits allowed, groups
neighbours so that no series loses more of its history than it must (:func:`least_stale`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .plan import Series


def group_by_cutoff(series: list[Series], folds: dict, most: int) -> list[list[Series]]:
    """The cohorts of a global model's fits: ``series`` grouped by the time their first fit's
    training ends, at most ``most`` groups, earliest first.

    A global fit may train on no row at or after the earliest cut-off of the origins it
    serves, or a series would learn from another's future. On a panel whose series end at
    different times one fit for all would leave every series' training at the earliest
    series' cut-off (stale for the others: on a synthetic hourly panel whose every other
    series ends 260 hours early, the mlp's error on the longer series was 7-8% higher, seeds
    0-2). So each cohort of series ending together gets its own fit, on every series' rows
    before the cohort's cut-off. Series whose cut-offs fall at more than ``most`` distinct
    times are split into ``most`` groups of neighbours (series with the same cut-off stay
    together), each trained up to its earliest member's cut-off, so that no series loses more
    of the time before its own cut-off than it must (:func:`least_stale`).

    Examples
    --------
    >>> from forecastkit.evaluation.plan import Series
    >>> from forecastkit.evaluation.splits import WalkForward
    >>> def series(sid, n):
    ...     return Series(sid, np.zeros(n), pd.RangeIndex(n), None, [], None)
    >>> panel = [series("a", 40), series("b", 30), series("c", 40), series("d", 35)]
    >>> folds = {s.sid: WalkForward(horizon=2, folds=2).split(len(s.y)) for s in panel}
    >>> [[s.sid for s in group] for group in group_by_cutoff(panel, folds, 4)]
    [['b'], ['d'], ['a', 'c']]
    >>> [[s.sid for s in group] for group in group_by_cutoff(panel, folds, 2)]  # d loses 5 of 32 rows, not b
    [['b'], ['a', 'c', 'd']]
    >>> len(group_by_cutoff(panel, folds, 1))
    1
    """
    ends = {s.sid: s.times[folds[s.sid][0].train_end] for s in series}
    times = sorted(set(ends.values()))
    if len(times) <= most:
        rank = {t: i for i, t in enumerate(times)}
    else:  # per cut-off time: the latest start among its series, whose share of history is smallest
        origin = min(s.times[0] for s in series)
        starts = {}
        for s in series:
            starts[ends[s.sid]] = max(starts.get(ends[s.sid], s.times[0]), s.times[0])
        cuts = np.array([_elapsed(t, origin) for t in times], float)
        rank = dict(zip(times, least_stale(cuts, most, np.array([_elapsed(starts[t], origin) for t in times],
                                                                 float)).tolist()))
    groups: dict = {}
    for s in series:
        groups.setdefault(rank[ends[s.sid]], []).append(s)
    return [groups[k] for k in sorted(groups)]


def least_stale(cuts: np.ndarray, most: int, starts: np.ndarray | None = None) -> np.ndarray:
    """The group of each of the sorted, distinct cut-off times ``cuts`` (numbers): at most
    ``most`` groups of neighbours, each trained up to its first cut-off, chosen so that the
    largest share of its own history that a series loses, ``(own cut - group's cut) / (own
    cut - own start)``, is as small as ``most`` groups allow. ``starts``: per cut-off, the
    latest start among its series (default: all at 0).

    For a share ``keep`` of every series' history to be kept, greedy grouping (each group as
    long as it can be) needs the fewest groups; the largest ``keep`` needing at most ``most``
    groups is found by bisection.

    Examples
    --------
    >>> least_stale(np.array([60.0, 70, 80, 1000, 1100, 2500]), 3).tolist()
    [0, 0, 0, 1, 1, 2]
    >>> least_stale(np.array([60.0, 70, 80, 1000, 1100, 2500]), 1).tolist()
    [0, 0, 0, 0, 0, 0]
    >>> least_stale(np.array([10.0, 20, 30]), 2, starts=np.array([0.0, 0, 25])).tolist()  # 30 started late
    [0, 0, 1]
    """
    starts = np.zeros(len(cuts)) if starts is None else starts

    def greedy(keep: float) -> np.ndarray:
        group, first, index = 0, cuts[0], np.empty(len(cuts), np.int64)
        for i, (cut, start) in enumerate(zip(cuts, starts)):
            if first - start < keep * (cut - start):
                group, first = group + 1, cut
            index[i] = group
        return index

    low, high = 0.0, 1.0  # keep >= 0 holds in one group only when no start is after the first cut
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if greedy(middle)[-1] < most else (low, middle)
    return np.minimum(greedy(low), most - 1)  # series starting after earlier cut-offs may need more


def _elapsed(time, first) -> float:
    """``time - first`` as a number (nanoseconds for timestamps)."""
    if isinstance(time, pd.Timestamp):
        return float(time.value - pd.Timestamp(first).value)
    return float(time - first)
