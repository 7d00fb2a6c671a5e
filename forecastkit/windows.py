"""All window and horizon index arithmetic, in one place.

A series of length ``n`` gives supervised windows ``i = 0 .. n - lookback - horizon``:
inputs are rows ``i .. i + lookback - 1`` and targets rows ``i + lookback .. i + lookback +
horizon - 1``. Row ``i + lookback`` is the window's *origin*: the first value it forecasts,
never part of its inputs. Input features are the (transformed) target, then the
past-observed covariates, the future-known ones and the static ones.

With future-known features a window also has ``horizon`` *future rows* (the origin's
horizon): there the target and past-observed channels are zero, and a last 0/1 channel
flags them. A :class:`WindowSet` keeps every series' rows in one flat float32 table and
gathers the windows of a batch with one vectorised index, so memory grows with the panel,
not with panel x lookback.

Examples
--------
>>> import numpy as np
>>> inputs, targets = make_windows(np.arange(6.0), None, lookback=3, horizon=2)
>>> inputs[:, :, 0].tolist()
[[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]]
>>> targets.tolist()
[[3.0, 4.0], [4.0, 5.0]]
"""

from __future__ import annotations

import numpy as np

from .checks import check_int
from .errors import ConfigError


def check_window_args(lookback: int, horizon: int) -> None:
    """Raise a clear error unless ``lookback`` and ``horizon`` are integers >= 1.

    Examples
    --------
    >>> check_window_args(12, 1)
    """
    check_int(lookback, "lookback")
    check_int(horizon, "horizon")


def n_windows(n: int, lookback: int, horizon: int) -> int:
    """Number of complete windows in a series of length ``n`` (0 when too short).

    Examples
    --------
    >>> n_windows(10, lookback=3, horizon=2)
    6
    """
    return max(n - lookback - horizon + 1, 0)


def window_levels(inputs: np.ndarray, how: str, floor=0.0) -> np.ndarray:
    """Per-window ``[unit, offset]``, shape (m, 2), of a window normalisation: a window's
    values ``v`` are read as ``(v - offset) / unit``. ``window_last`` / ``window_mean``: divided
    by the last value / the mean of the window (offset 0); ``window_steps``: measured from the
    window's mean in units of its mean absolute step, at least ``floor`` (one per window or
    one for all).

    The levels come from the target channel of the inputs only (never from the targets).

    Examples
    --------
    >>> window_levels(np.array([[[2.0], [4.0]]]), "window_mean").tolist()
    [[3.0, 0.0]]
    >>> window_levels(np.array([[[2.0], [4.0], [3.0]]]), "window_steps").tolist()
    [[1.5, 3.0]]
    """
    history = inputs[:, :, 0]
    if how in ("window_last", "window_mean"):
        unit = history[:, -1:] if how == "window_last" else history.mean(axis=1, keepdims=True)
        return np.concatenate([unit, np.zeros_like(unit)], axis=1)
    if how == "window_steps":
        steps = np.abs(np.diff(history, axis=1)).mean(axis=1, keepdims=True) if history.shape[1] > 1 \
            else np.zeros((len(history), 1))
        unit = np.maximum(steps, np.reshape(floor, (-1, 1)))
        return np.concatenate([np.where(unit > 0, unit, 1.0), history.mean(axis=1, keepdims=True)], axis=1)
    raise ConfigError(f"`how` must be 'window_last', 'window_mean' or 'window_steps'. Received: how={how!r}")


class WindowSet:
    """The windows of many series, gathered batch by batch from one flat table of rows.

    Parameters
    ----------
    blocks : list of (z, past, known, static)
        One per series: ``z`` (n,) the transformed target, ``past`` (n, kp) and ``known``
        (n, kk) encoded covariates, ``static`` (ks,). Rows past the known target (a
        forecast's horizon) hold NaN in ``z``; they may only be future rows.
    lookback, horizon : int
    future_rows : bool
        Whether windows carry ``horizon`` future rows (future-known features).
    normalise : {None, "window_last", "window_mean", "window_steps"}
        Scale each window's target channel and targets by its :func:`window_levels` (from its
        history rows).
    floors : sequence of float, optional
        ``window_steps``: the least unit of each block's windows (default 0).
    starts : "train" or "last"
        ``"train"``: every complete window of every series; ``"last"``: one window per
        series whose history ends where ``z`` ends (for forecasting).

    Examples
    --------
    >>> blocks = [(np.arange(5.0), np.zeros((5, 0)), np.zeros((5, 0)), np.zeros(0))]
    >>> windows = WindowSet(blocks, lookback=2, horizon=1)
    >>> len(windows), windows.gather(np.array([2]))[1].tolist()
    (3, [[4.0]])
    """

    def __init__(self, blocks, lookback: int, horizon: int, future_rows: bool = False,
                 normalise: str | None = None, starts: str = "train", floors=None):
        check_window_args(lookback, horizon)
        self.lookback, self.horizon, self.normalise = lookback, horizon, normalise
        self.span = lookback + (horizon if future_rows else 0)
        self.future_rows = future_rows
        tables, first, counts = [], [], []
        offset = 0
        for z, past, known, static in blocks:
            z = np.asarray(z, dtype=float)
            n = len(z)
            known = np.asarray(known, dtype=float)
            rows = len(known) if future_rows else n
            table = np.zeros((rows, 1 + past.shape[1] + known.shape[1] + len(static)), np.float32)
            table[:n, 0] = z
            table[:n, 1:1 + past.shape[1]] = past[:n]
            table[:, 1 + past.shape[1]:table.shape[1] - len(static)] = known[:rows]
            table[:, table.shape[1] - len(static):] = static
            tables.append(table)
            history = int(np.isfinite(z).sum()) if starts == "last" else n
            if starts == "last":
                first.append(offset + history - lookback)
                counts.append(1)
            else:
                m = n_windows(n, lookback, horizon)
                first.append(offset)
                counts.append(m)
            offset += rows
        self.observed = 1 + (blocks[0][1].shape[1] if blocks else 0)
        self.table = np.concatenate(tables) if tables else np.zeros((0, 1), np.float32)
        self.table[~np.isfinite(self.table)] = 0.0
        counts = np.asarray(counts, dtype=np.int64)
        #: Series index (position in ``blocks``) of every window, and its first row in the table.
        self.series = np.repeat(np.arange(len(counts)), counts)
        self._floors = np.zeros(len(counts)) if floors is None else np.asarray(floors, dtype=float)
        self.starts = np.repeat(np.asarray(first, dtype=np.int64), counts) + _ranks(counts)
        self._mask = np.ones((self.span, self.table.shape[1]), np.float32)
        self._mask[lookback:, :self.observed] = 0.0

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def n_features(self) -> int:
        """Channels of one window row (the future-row flag included)."""
        return self.table.shape[1] + int(self.future_rows)

    def latest(self, fraction: float) -> tuple[np.ndarray, np.ndarray]:
        """Window positions split into (earlier, latest ``fraction`` of each series).

        Examples
        --------
        >>> blocks = [(np.arange(12.0), np.zeros((12, 0)), np.zeros((12, 0)), np.zeros(0))]
        >>> [part.tolist() for part in WindowSet(blocks, 2, 1).latest(0.2)]
        [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]]
        """
        counts = np.bincount(self.series, minlength=self.series.max() + 1 if len(self.series) else 0)
        held = (counts * fraction).astype(np.int64)
        rank = _ranks(counts)
        latest = rank >= (counts - held)[self.series]
        return np.flatnonzero(~latest), np.flatnonzero(latest)

    def gather(self, index: np.ndarray):
        """Inputs ``(b, span, features)``, targets ``(b, horizon)`` and levels ``(b, 2)``
        (:func:`window_levels`' unit and offset; None without ``normalise``).

        Forecast windows (``starts="last"``) have zero targets.
        """
        starts = self.starts[index]
        inputs = self.table[starts[:, None] + np.arange(self.span)]
        stop = len(self.table) - 1
        targets = self.table[np.minimum(starts[:, None] + self.lookback + np.arange(self.horizon), stop), 0]
        if self.future_rows:
            inputs *= self._mask
            flag = np.zeros((len(index), self.span, 1), np.float32)
            flag[:, self.lookback:] = 1.0
            inputs = np.concatenate([inputs, flag], axis=2)
        levels = None
        if self.normalise:
            levels = window_levels(inputs[:, :self.lookback], self.normalise, self._floors[self.series[index]])
            unit, offset = levels[:, :1].astype(np.float32), levels[:, 1:].astype(np.float32)
            inputs[:, :self.lookback, 0] = (inputs[:, :self.lookback, 0] - offset) / unit
            targets = (targets - offset) / unit
        return inputs, targets, levels

    def roll(self, values) -> None:
        """Recursive forecasting: write ``values`` (one per window, transformed units) as the
        target at each window's origin, then move every window one row on, so its history
        ends with that value. The blocks need room after the history (NaN target rows).

        Examples
        --------
        >>> blocks = [(np.array([1.0, 2.0, np.nan]), np.zeros((3, 0)), np.zeros((3, 0)), np.zeros(0))]
        >>> windows = WindowSet(blocks, lookback=2, horizon=1, starts="last")
        >>> windows.roll([5.0])
        >>> windows.gather(np.array([0]))[0][0, :, 0].tolist()
        [2.0, 5.0]
        """
        self.table[self.starts + self.lookback, 0] = values
        self.starts = self.starts + 1


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, .., c-1 for each count c, concatenated (vectorised).

    Examples
    --------
    >>> _ranks(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def make_windows(z: np.ndarray, x: np.ndarray | None, lookback: int, horizon: int):
    """All supervised windows of one series, materialised (small data, tests and examples).

    Parameters
    ----------
    z : array of shape (n,)
        The (transformed) target.
    x : array of shape (n, k) or None
        Past-observed covariates aligned with ``z``; they join the inputs as extra features.

    Returns
    -------
    inputs : float32 array (m, lookback, 1 + k)
    targets : float32 array (m, horizon)
        ``m = n_windows(n, lookback, horizon)``.
    """
    check_window_args(lookback, horizon)
    z = np.asarray(z, dtype=float)
    x = np.zeros((len(z), 0)) if x is None else np.asarray(x, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or len(x) != len(z):
        raise ConfigError(f"`x` must be an array of shape (n, k) aligned with the {len(z)} target "
                          f"values. Received: x of shape {x.shape}")
    windows = WindowSet([(z, x, np.zeros((len(z), 0)), np.zeros(0))], lookback, horizon)
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    return inputs, targets
