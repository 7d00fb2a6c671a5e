"""An ensemble's held-out origins: which members it combines, and its intervals' errors.

Each fit of an ensemble forecasts, from the history known at each of its latest training
origins whose whole horizon lies in the held-out (validation) windows of every network, with
every member, and compares with the actuals. The absolute errors, divided by each series' mean
absolute one-step change (its unit), decide the combination (:func:`choose_members`) and,
those of the chosen combination, the split-conformal intervals. Everything seen lies in the
fit's own training data, so a walk-forward fit's choice never sees its origin's future.

Choosing the members
    The members are ranked by their mean scaled error; the candidates are the median of the
    best ``k`` members, ``k = 1 ... n``. The largest ``k`` whose error is within
    :data:`TOLERANCE` of the best candidate's wins: a member is dropped only when the
    combination without it did clearly better (equal weights are hard to beat, and a few
    held-out origins are a noisy judge). No held-out origin (too short a history): every member.
    The chosen members' median is the forecast: each weighs ``1 / k``, the others 0
    (``weights_``).

Examples
--------
>>> import numpy as np
>>> forecasts = np.array([[[1.0, -1.0]], [[5.0, 5.0]], [[-1.0, 1.0]]])  # 3 members, 1 origin, 2 steps
>>> choose_members(forecasts, actual=np.zeros((1, 2)), units=np.ones((1, 1)))  # 0 and 2 cancel out
(0, 2)
"""

from __future__ import annotations

import numpy as np

from .checks import required_length
from .data import GLOBAL_ID
from .models.registry import TRAINING

#: A smaller combination must beat the best one's held-out error by more than this share.
TOLERANCE = 0.02
#: Held-out origins per series, at most (pooled over a global model's series: at most
#: :data:`CALIBRATION_TOTAL` in all, at least one per series).
CALIBRATION_PER_SERIES = 100
CALIBRATION_TOTAL = 2000
#: The validation share of a model's training windows when it has no networks.
VALIDATION = next(h.default for h in TRAINING if h.name == "validation")


def choose_members(forecasts: np.ndarray, actual: np.ndarray, units: np.ndarray,
                   tolerance: float = TOLERANCE) -> tuple[int, ...]:
    """Indices (ascending) of the members whose median is the ensemble's forecast.

    Parameters
    ----------
    forecasts : ndarray (members, origins, horizon)
        Every member's forecasts from the held-out origins.
    actual : ndarray (origins, horizon)
    units : ndarray (origins, 1)
        Each origin's series unit (errors are divided by it).
    tolerance : float
        See the module notes.

    Returns
    -------
    tuple of int
        Every member when there is no origin.

    Examples
    --------
    >>> import numpy as np
    >>> forecasts = np.array([[[1.0]], [[2.0]], [[3.0]]])
    >>> choose_members(forecasts, np.array([[1.0]]), np.ones((1, 1)))
    (0,)
    >>> choose_members(forecasts, np.array([[2.0]]), np.ones((1, 1)))
    (0, 1, 2)
    """
    members = forecasts.shape[0]
    if forecasts.shape[1] == 0:
        return tuple(range(members))
    scaled = np.abs(forecasts - actual[None]) / units[None]
    order = np.argsort(scaled.mean(axis=(1, 2)), kind="stable")
    scores = [float(np.mean(np.abs(np.median(forecasts[order[:k]], axis=0) - actual) / units))
              for k in range(1, members + 1)]
    best = min(scores)
    k = max(k for k in range(1, members + 1) if scores[k - 1] <= best * (1 + tolerance) + 1e-12)
    return tuple(sorted(int(i) for i in order[:k]))


def unit(y) -> float:
    """A series' mean absolute one-step change (1 when it has none): the unit of its errors.

    Examples
    --------
    >>> unit([1.0, 3.0, 2.0]), unit([5.0])
    (1.5, 1.0)
    """
    steps = np.abs(np.diff(np.asarray(y, dtype=float)))
    scale = float(steps.mean()) if len(steps) else float("nan")
    return scale if np.isfinite(scale) and scale > 0 else 1.0


def held_out(forecaster, local: bool) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """``(histories, actual, keys, units)`` at the held-out origins of the stored training tail
    (``calibration_origins_`` per series): the ``(id, history, known future)`` triples the
    members forecast from, the actuals ``(origins, horizon)``, each origin's calibration key (its
    series in local mode, else :data:`~forecastkit.data.GLOBAL_ID`) and its unit ``(origins, 1)``."""
    panel, horizon = forecaster.history_, forecaster.horizon_
    known = ["id", "time", *panel.future_covariates]
    histories, actual, keys, units = [], [], [], []
    for sid in panel.ids:
        frame = panel.series(sid)
        scale = unit(frame["y"])
        y = frame["y"].to_numpy(float)
        for j in range(forecaster.calibration_origins_.get(sid, 0)):
            origin = len(frame) - horizon - j
            future = frame.iloc[origin:origin + horizon][known].reset_index(drop=True)
            histories.append((sid, frame.iloc[:origin], future))
            actual.append(y[origin:origin + horizon])
            keys.append(sid if local else GLOBAL_ID)
            units.append(scale)
    return (histories, np.asarray(actual, dtype=float).reshape(-1, horizon), np.asarray(keys, dtype=object),
            np.asarray(units, dtype=float).reshape(-1, 1))


def origin_counts(lengths: dict, horizon: int, shapes: list, local: bool) -> dict:
    """Per series, how many of its latest training origins the intervals are calibrated on:
    those whose whole horizon lies in the held-out windows of every network, each network
    given as ``(lookback, warmup rows, model horizon, validation share)``; capped at
    :data:`CALIBRATION_PER_SERIES` (pooled series: :data:`CALIBRATION_TOTAL` in all).

    Examples
    --------
    >>> origin_counts({"a": 144}, 12, [(24, 0, 12, 0.1), (36, 0, 12, 0.1)], local=False)
    {'a': 9}
    """
    counts = {}
    for sid, n in lengths.items():
        held = [int(max(n - required_length(lookback, model_horizon, warmup) + 1, 0) * validation)
                - (horizon - model_horizon)
                for lookback, warmup, model_horizon, validation in shapes]
        counts[sid] = max(min(held) if held else int(max(n - horizon, 0) * VALIDATION), 0)
    cap = CALIBRATION_PER_SERIES if local or len(counts) == 1 else max(1, min(CALIBRATION_PER_SERIES,
                                                                                 CALIBRATION_TOTAL // len(counts)))
    return {sid: min(k, cap) for sid, k in counts.items()}


def sizes(counts: dict, local: bool) -> dict:
    """Calibration errors per key: per series (local) or pooled under ``"*"``."""
    return {str(sid): int(k) for sid, k in counts.items()} if local else {GLOBAL_ID: int(sum(counts.values()))}


def sorted_errors(errors: np.ndarray, keys: np.ndarray, sizes: dict) -> dict:
    """``{key: its scaled absolute errors sorted per step}``: the conformal calibration sets."""
    return {key: np.sort(errors[keys == key], axis=0) for key in sizes}


__all__ = ["CALIBRATION_PER_SERIES", "CALIBRATION_TOTAL", "TOLERANCE", "choose_members", "held_out",
           "origin_counts", "sizes", "sorted_errors", "unit"]
