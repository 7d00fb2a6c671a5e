r"""Scores of forecast distributions, one value per forecast: CRPS, pinball loss, PIT.

For an actual value ``y`` and a forecast distribution ``F`` (given in closed form, by
``S`` draws, or by quantiles ``q_k`` at levels ``tau_k``):

=================  ========================================================================
CRPS (Normal)      :math:`\sigma\,[z(2\Phi(z) - 1) + 2\varphi(z) - 1/\sqrt\pi]`, :math:`z = (y - \mu)/\sigma`
CRPS (draws)       :math:`E|X - y| - \frac12 E|X - X'|` over the draws
CRPS (quantiles)   :math:`\frac{2}{K} \sum_k \rho_{\tau_k}(y, q_k)`, exact as ``K`` grows
pinball loss       :math:`\frac1K \sum_k \max(\tau_k (y - q_k), (\tau_k - 1)(y - q_k))`
PIT                :math:`F(y)`; from draws randomised over ties (counts):
                   :math:`(\#\{X < y\} + U (\#\{X = y\} + 1)) / (S + 1)`; from quantiles
                   the piecewise-linear CDF through ``(q_k, tau_k)``
=================  ========================================================================

A calibrated forecaster's PIT values are uniform on (0, 1): :func:`pit_histogram` and
:func:`calibration_curve` (the share of PIT values inside each central interval) show how far
they are from it. Plain NumPy and SciPy; :mod:`forecastkit.intervals` averages these rows
(``crps_from_samples``, ``crps_from_quantiles``).

Examples
--------
>>> crps_normal([0.0], [0.0], [1.0]).round(4).tolist()  # (sqrt(2) - 1) / sqrt(pi)
[0.2337]
>>> pit_normal([1.96], [0.0], [1.0]).round(3).tolist()
[0.975]
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import ConfigError

#: Probabilistic metrics a walk-forward leaderboard can rank by (lower is better).
PROBABILISTIC_METRICS = ("crps", "pinball")
#: Levels of the quantiles CRPS is computed from when only quantiles are known (1% .. 99%).
CRPS_TAUS = tuple(k / 100 for k in range(1, 100))


def _rows(y, values, name: str) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    values = np.asarray(values, dtype=np.float64).reshape(len(y), -1)
    if len(y) == 0 or values.shape[1] == 0:
        raise ConfigError(f"`{name}` must hold at least one value per actual value. Received: {name} of shape "
                          f"{values.shape} for {len(y)} values")
    return y, values


def crps_normal(y, loc, scale) -> np.ndarray:
    r"""CRPS of each ``N(loc, scale^2)`` forecast for its ``y``, in closed form.

    .. math:: \mathrm{CRPS} = \sigma\,[z(2\Phi(z) - 1) + 2\varphi(z) - 1/\sqrt\pi],\quad z = (y - \mu)/\sigma

    A zero ``scale`` (a constant history's zero-width intervals) is a point mass: ``|y - loc|``.

    Examples
    --------
    >>> crps_normal([1.0, 0.0], [0.0, 0.0], [1.0, 2.0]).round(4).tolist()
    [0.6024, 0.4674]
    """
    y, loc, scale = (np.asarray(v, dtype=np.float64) for v in (y, loc, scale))
    positive = scale > 0
    z = (y - loc) / np.where(positive, scale, 1.0)
    density = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    spread = scale * (z * (2 * special.ndtr(z) - 1) + 2 * density - 1 / np.sqrt(np.pi))
    return np.where(positive, spread, np.abs(y - loc))


def crps_samples(y, samples) -> np.ndarray:
    r"""CRPS of each row of draws ``samples`` ``(n, S)`` for its ``y``: :math:`E|X - y| - \frac12 E|X - X'|`.

    Examples
    --------
    >>> crps_samples([0.0, 1.0], [[0.0, 0.0], [-1.0, 1.0]]).tolist()
    [0.0, 0.5]
    """
    y, x = _rows(y, samples, "samples")
    x = np.sort(x, axis=1)
    m = x.shape[1]
    first = np.mean(np.abs(x - y[:, None]), axis=1)
    # E|X - X'| from sorted draws: (2 / m^2) * sum_i (2i - m - 1) x_(i)
    weights = 2 * np.arange(1, m + 1) - m - 1
    return first - (x * weights).sum(axis=1) / (m * m)


def _check_taus(taus, k: int) -> np.ndarray:
    taus = np.asarray(taus, dtype=np.float64).reshape(-1)
    if len(taus) != k or not np.all((taus > 0) & (taus < 1)):
        raise ConfigError(f"`quantiles` must have one column per tau in (0, 1). Received: {k} column(s), "
                          f"taus={taus.tolist()}")
    return taus


def pinball_rows(y, quantiles, taus) -> np.ndarray:
    r"""Mean pinball loss over the levels of each row of quantiles ``(n, K)`` at ``taus``.

    .. math:: \frac1K \sum_k \max(\tau_k (y - q_k), (\tau_k - 1)(y - q_k))

    Examples
    --------
    >>> pinball_rows([10.0], [[8.0, 12.0]], [0.1, 0.9]).round(6).tolist()
    [0.2]
    """
    y, q = _rows(y, quantiles, "quantiles")
    taus = _check_taus(taus, q.shape[1])
    error = y[:, None] - q
    return np.mean(np.maximum(taus * error, (taus - 1) * error), axis=1)


def crps_quantiles(y, quantiles, taus) -> np.ndarray:
    r"""CRPS of each row of quantiles ``(n, K)`` at ``taus``: twice its mean pinball loss.

    Examples
    --------
    >>> crps_quantiles([0.0], [[-1.2816, 0.0, 1.2816]], [0.1, 0.5, 0.9]).round(4).tolist()
    [0.1709]
    """
    return 2.0 * pinball_rows(y, quantiles, taus)


def pit_normal(y, loc, scale) -> np.ndarray:
    """The PIT of each ``y`` under ``N(loc, scale^2)``: ``Phi((y - loc) / scale)``.

    Examples
    --------
    >>> pit_normal([0.0], [0.0], [3.0]).tolist()
    [0.5]
    """
    y, loc, scale = (np.asarray(v, dtype=np.float64) for v in (y, loc, scale))
    positive = scale > 0
    return np.where(positive, special.ndtr((y - loc) / np.where(positive, scale, 1.0)), (y >= loc) * 1.0)


def pit_samples(y, samples, rng: np.random.Generator) -> np.ndarray:
    """The PIT of each ``y`` among its draws ``(n, S)``: its rank, randomised over ties
    (``(#{X < y} + U (#{X = y} + 1)) / (S + 1)``, ``U`` uniform from ``rng``), uniform on
    (0, 1) for a calibrated forecast, counts included.

    Examples
    --------
    >>> pit_samples([5.0], [[1.0, 2.0, 9.0]], np.random.default_rng(0)).round(3).tolist()
    [0.659]
    """
    y, x = _rows(y, samples, "samples")
    below = np.sum(x < y[:, None], axis=1)
    ties = np.sum(x == y[:, None], axis=1)
    return (below + rng.random(len(y)) * (ties + 1)) / (x.shape[1] + 1)


def pit_quantiles(y, quantiles, taus) -> np.ndarray:
    """The PIT of each ``y`` under the piecewise-linear CDF through its quantiles ``(n, K)`` at
    ``taus`` (0 below the lowest quantile, 1 above the highest).

    Examples
    --------
    >>> pit_quantiles([0.5, 5.0], [[0.0, 1.0], [0.0, 1.0]], [0.25, 0.75]).tolist()
    [0.5, 1.0]
    """
    y, q = _rows(y, quantiles, "quantiles")
    taus = _check_taus(taus, q.shape[1])
    q = np.sort(q, axis=1)
    return np.array([np.interp(value, row, taus, left=0.0, right=1.0) for value, row in zip(y, q)])


def pit_histogram(pit, bins: int = 10) -> np.ndarray:
    """The density of the PIT values in ``bins`` equal bins of (0, 1): 1 everywhere when calibrated.

    Examples
    --------
    >>> pit_histogram([0.1, 0.3, 0.6, 0.9], bins=2).tolist()
    [1.0, 1.0]
    """
    pit = np.asarray(pit, dtype=np.float64)
    pit = pit[np.isfinite(pit)]
    counts, _ = np.histogram(pit, bins=bins, range=(0.0, 1.0))
    return counts * bins / max(len(pit), 1)


def calibration_curve(pit, levels) -> np.ndarray:
    """The empirical coverage of each central interval at ``levels`` (percent): the share of
    PIT values in ``[alpha / 2, 1 - alpha / 2]``; the diagonal ``levels / 100`` when calibrated.

    Examples
    --------
    >>> calibration_curve([0.05, 0.3, 0.5, 0.7, 0.95], [50, 90]).tolist()
    [0.6, 1.0]
    """
    pit = np.asarray(pit, dtype=np.float64)
    pit = pit[np.isfinite(pit)]
    alpha = 1 - np.asarray(levels, dtype=np.float64) / 100
    if len(pit) == 0:
        return np.full(len(alpha), np.nan)
    return np.array([np.mean((pit >= a / 2) & (pit <= 1 - a / 2)) for a in alpha])
