"""All window and horizon index arithmetic, in one place.

A series of length ``n`` gives supervised windows ``i = 0 .. n - lookback - horizon``:
inputs are rows ``i .. i + lookback - 1`` and targets rows ``i + lookback .. i + lookback +
horizon - 1``. Row ``i + lookback`` is the window's *origin*: the first value it forecasts,
never part of its inputs. Input features are the (transformed) target followed by the
covariate columns. Windows are strided views (numpy ``sliding_window_view``) copied once.

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
from numpy.lib.stride_tricks import sliding_window_view

from .errors import ConfigError


def check_window_args(lookback: int, horizon: int) -> None:
    """Raise a clear error unless ``lookback`` and ``horizon`` are integers >= 1.

    Examples
    --------
    >>> check_window_args(12, 1)
    """
    for name, value in (("lookback", lookback), ("horizon", horizon)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ConfigError(f"`{name}` must be an integer >= 1. Received: {name}={value!r}")
        if value < 1:
            raise ConfigError(f"`{name}` must be >= 1. Received: {name}={value}")


def n_windows(n: int, lookback: int, horizon: int) -> int:
    """Number of complete windows in a series of length ``n`` (0 when too short).

    Examples
    --------
    >>> n_windows(10, lookback=3, horizon=2)
    6
    """
    return max(n - lookback - horizon + 1, 0)


def make_windows(z: np.ndarray, x: np.ndarray | None, lookback: int, horizon: int):
    """Supervised windows of one series.

    Parameters
    ----------
    z : array of shape (n,)
        The (transformed) target.
    x : array of shape (n, k) or None
        Covariates aligned with ``z``; they join the inputs as extra features.

    Returns
    -------
    inputs : float32 array (m, lookback, 1 + k)
    targets : float32 array (m, horizon)
        ``m = n_windows(n, lookback, horizon)``.
    """
    check_window_args(lookback, horizon)
    z = np.asarray(z, dtype=float)
    m = n_windows(len(z), lookback, horizon)
    features = _features(z, x)
    if m == 0:
        return (np.zeros((0, lookback, features.shape[1]), np.float32), np.zeros((0, horizon), np.float32))
    inputs = sliding_window_view(features[: m + lookback - 1], lookback, axis=0)  # (m, f, L)
    targets = sliding_window_view(z[lookback:], horizon)[:m]
    return inputs.transpose(0, 2, 1).astype(np.float32), targets.astype(np.float32)


def last_window(z: np.ndarray, x: np.ndarray | None, lookback: int) -> np.ndarray:
    """The input window ending at the last row: shape (1, lookback, 1 + k).

    Examples
    --------
    >>> last_window(np.arange(5.0), None, 2)[0, :, 0].tolist()
    [3.0, 4.0]
    """
    features = _features(np.asarray(z, dtype=float), x)
    if len(features) < lookback:
        raise ConfigError(f"`lookback` must be <= the history length {len(features)}. Received: lookback={lookback}")
    return features[None, -lookback:].astype(np.float32)


def window_levels(inputs: np.ndarray, how: str) -> np.ndarray:
    """Per-window level for ``window_last`` / ``window_mean`` normalisation, shape (m, 1).

    The level comes from the target channel of the inputs only (never from the targets).

    Examples
    --------
    >>> window_levels(np.array([[[2.0], [4.0]]]), "window_mean").tolist()
    [[3.0]]
    """
    if how == "window_last":
        return inputs[:, -1:, 0]
    if how == "window_mean":
        return inputs[:, :, 0].mean(axis=1, keepdims=True)
    raise ConfigError(f"`how` must be 'window_last' or 'window_mean'. Received: how={how!r}")


def _features(z: np.ndarray, x: np.ndarray | None) -> np.ndarray:
    """The target as the first feature column, then the covariates: shape (n, 1 + k).

    ``x`` of shape (n, k) keeps its k columns even when n is 0; a 1-D ``x`` is one column.

    Examples
    --------
    >>> _features(np.zeros(0), np.zeros((0, 2))).shape, _features(np.arange(3.0), None).shape
    ((0, 3), (3, 1))
    """
    if x is None:
        return z[:, None]
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) != len(z):
        raise ConfigError(f"`x` must be an array of shape (n, k) aligned with the {len(z)} target "
                          f"values. Received: x of shape {x.shape}")
    return np.concatenate([z[:, None], x], axis=1)
