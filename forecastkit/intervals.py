r"""Prediction intervals: conformal calibration in the walk-forward, and interval metrics.

For a central interval ``[l, u]`` at level ``L`` percent (``alpha = 1 - L/100``) and the
actual value ``y``:

==================  =====================================================================
coverage            share of ``y`` inside ``[l, u]`` (nominal: ``L / 100``)
width               mean of ``u - l``
Winkler score       :math:`(u - l) + \frac{2}{\alpha}(l - y)\,[y < l] + \frac{2}{\alpha}(y - u)\,[y > u]`
MSIS                the Winkler score divided by the in-sample seasonal-naive MAE ``s`` (M4)
pinball loss        :math:`\max(\tau (y - q), (\tau - 1)(y - q))` of a ``tau``-quantile ``q``
CRPS                from quantiles: :math:`\frac{2}{K} \sum_k \mathrm{pinball}_{\tau_k}`;
                    from samples: :math:`E|X - y| - \frac12 E|X - X'|`
==================  =====================================================================

Conformal intervals (:func:`conformal_intervals`) need no model support: at each origin,
for each model, series and horizon step ``h``, the interval is the forecast plus or minus
the ``ceil((1 - alpha)(k + 1))``-th smallest absolute error of the same model, series and
step among the ``k`` earlier forecasts whose actual value was already known at the origin
(its time is before the origin). No residual at or after the origin is ever used.

Examples
--------
>>> coverage([1.0, 2.0, 3.0], [0.0, 2.5, 2.0], [2.0, 3.0, 4.0])
0.6666666666666666
>>> winkler([5.0], [0.0], [4.0], level=50)
8.0
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from .checks import check_int, check_level_values, check_levels  # noqa: F401  (re-exported for callers)
from .errors import ConfigError
from .metrics.probabilistic import crps_quantiles, crps_samples

#: Interval metrics a leaderboard can rank by (at the largest requested level).
INTERVAL_METRICS = ("msis", "winkler", "coverage_gap")


def bound_columns(level) -> tuple[str, str]:
    """Column names of an interval's bounds: ``("yhat_lo_80", "yhat_hi_80")``.

    Examples
    --------
    >>> bound_columns(95), bound_columns(97.5)
    (('yhat_lo_95', 'yhat_hi_95'), ('yhat_lo_97.5', 'yhat_hi_97.5'))
    """
    return f"yhat_lo_{level}", f"yhat_hi_{level}"


# --------------------------------------------------------------------------- metrics --
def _arrays(*values) -> list[np.ndarray]:
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays) or arrays[0].size == 0:
        raise ConfigError(f"Interval metrics need non-empty arrays of one shape. Received shapes: "
                          f"{[a.shape for a in arrays]}")
    return arrays


def _alpha(level) -> float:
    return 1.0 - check_levels([level])[0] / 100.0


def winkler_rows(y, lo, hi, level) -> np.ndarray:
    r"""Winkler (interval) score of each value: :math:`(u - l) + \frac{2}{\alpha}(l - y)^+ + \frac{2}{\alpha}(y - u)^+`.

    Examples
    --------
    >>> winkler_rows([1.0, 5.0], [0.0, 0.0], [2.0, 4.0], level=50).tolist()
    [2.0, 8.0]
    """
    y, lo, hi = (np.asarray(v, dtype=np.float64) for v in (y, lo, hi))
    alpha = _alpha(level)
    return (hi - lo) + 2.0 / alpha * np.maximum(lo - y, 0.0) + 2.0 / alpha * np.maximum(y - hi, 0.0)


def coverage(y, lo, hi) -> float:
    """Share of actual values inside their interval ``[lo, hi]``.

    Examples
    --------
    >>> coverage([1.0, 5.0], [0.0, 0.0], [2.0, 4.0])
    0.5
    """
    y, lo, hi = _arrays(y, lo, hi)
    return float(np.mean((y >= lo) & (y <= hi)))


def width(lo, hi) -> float:
    """Mean interval width ``mean(hi - lo)``.

    Examples
    --------
    >>> width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    lo, hi = _arrays(lo, hi)
    return float(np.mean(hi - lo))


def winkler(y, lo, hi, level) -> float:
    """Mean Winkler score of intervals at ``level`` percent (see :func:`winkler_rows`).

    Examples
    --------
    >>> winkler([1.0, 5.0], [0.0, 0.0], [2.0, 4.0], level=50)
    5.0
    """
    y, lo, hi = _arrays(y, lo, hi)
    return float(np.mean(winkler_rows(y, lo, hi, level)))


def msis(y, lo, hi, scale, level) -> float:
    r"""Mean scaled interval score (M4): the mean Winkler score divided by ``scale``.

    .. math:: \mathrm{MSIS} = \frac{1}{h}\sum_{t} \frac{(u_t - l_t) + \frac{2}{\alpha}(l_t - y_t)^+
              + \frac{2}{\alpha}(y_t - u_t)^+}{s}

    with ``s`` the in-sample MAE of the seasonal naive forecast
    (:func:`~forecastkit.metrics.insample_scales`); a per-value array of scales is allowed.

    Examples
    --------
    >>> msis([1.0, 5.0], [0.0, 0.0], [2.0, 4.0], scale=2.0, level=50)
    2.5
    """
    y, lo, hi = _arrays(y, lo, hi)
    s = np.broadcast_to(np.asarray(scale, dtype=np.float64), y.shape)
    if np.any(~(s > 0)):
        raise ConfigError("`scale` must be > 0 (the in-sample seasonal-naive MAE). "
                          f"Received: scale={scale!r}")
    return float(np.mean(winkler_rows(y, lo, hi, level) / s))


def pinball(y, q, tau: float) -> float:
    r"""Mean pinball (quantile) loss of ``tau``-quantile forecasts ``q``.

    .. math:: \rho_\tau(y, q) = \max(\tau (y - q), (\tau - 1)(y - q))

    Examples
    --------
    >>> pinball([10.0, 10.0], [8.0, 12.0], tau=0.9)
    1.0
    """
    if not 0 < float(tau) < 1:
        raise ConfigError(f"`tau` must be strictly between 0 and 1. Received: tau={tau!r}")
    y, q = _arrays(y, q)
    e = y - q
    return float(np.mean(np.maximum(tau * e, (tau - 1) * e)))


def crps_from_quantiles(y, quantiles, taus) -> float:
    r"""CRPS approximated from quantile forecasts: twice the mean pinball loss over the levels.

    .. math:: \mathrm{CRPS}(F, y) \approx \frac{2}{K} \sum_{k=1}^{K} \rho_{\tau_k}(y, q_k)

    ``quantiles`` has shape ``(n, K)`` (one column per ``taus[k]``); exact as ``K`` grows
    with evenly spread levels. The mean of :func:`~forecastkit.metrics.probabilistic.crps_quantiles`.

    Examples
    --------
    >>> round(crps_from_quantiles([0.0], [[-1.2816, 0.0, 1.2816]], [0.1, 0.5, 0.9]), 4)
    0.1709
    """
    return float(np.mean(crps_quantiles(y, quantiles, taus)))


def crps_from_samples(y, samples) -> float:
    r"""CRPS of sampled forecasts, mean over values: :math:`E|X - y| - \frac12 E|X - X'|`.

    ``samples`` has shape ``(n, S)``: ``S`` draws for each of the ``n`` values. The mean of
    :func:`~forecastkit.metrics.probabilistic.crps_samples`.

    Examples
    --------
    >>> crps_from_samples([0.0], [[0.0, 0.0]]), crps_from_samples([1.0], [[-1.0, 1.0]])
    (0.0, 0.5)
    """
    return float(np.mean(crps_samples(y, samples)))


# ------------------------------------------------------------------------ conformal --
def conformal_intervals(results: pd.DataFrame, levels, min_calibration: int = 10) -> pd.DataFrame:
    """Walk-forward results with conformal interval columns ``yhat_lo_<L>``, ``yhat_hi_<L>``.

    For each row (model, id, h, origin), the calibration scores are the absolute errors of
    the same model, series and step ``h`` whose actual value's ``time`` is before the
    row's ``origin`` (known when forecasting from it), from fits that succeeded. With ``k``
    of them the half-width is their ``ceil((1 - alpha) * (k + 1))``-th smallest value (split
    conformal); when ``k < min_calibration`` or that rank exceeds ``k`` the bounds are NaN
    (no interval yet; such rows are left out of interval metrics).

    Examples
    --------
    >>> results = pd.DataFrame({"model": "m", "id": "a", "h": 1, "origin": range(5), "time": range(5),
    ...                         "y_true": [1.0, 2.0, 3.0, 4.0, 5.0], "y_pred": [1.5, 2.0, 2.0, 4.0, 5.0]})
    >>> conformal_intervals(results, [50], min_calibration=2)["yhat_hi_50"].tolist()
    [nan, nan, 2.5, 4.5, 5.5]
    """
    levels = check_levels(levels)
    out = results.copy()
    half = conformal_half_widths(out, levels, min_calibration)
    forecast = out["y_pred"].to_numpy(dtype=np.float64, na_value=np.nan) if len(out) else np.zeros(0)
    for j, level in enumerate(levels):
        lo, hi = bound_columns(level)
        out[lo], out[hi] = forecast - half[:, j], forecast + half[:, j]
    return out


def conformal_half_widths(results: pd.DataFrame, levels, min_calibration: int = 10, clip: bool = False) -> np.ndarray:
    """Split-conformal half-widths ``(len(results), len(levels))`` of every row at ``levels``
    (percent, any order), calibrated as :func:`conformal_intervals` says; NaN where an origin
    has fewer than ``min_calibration`` earlier errors or the rank exceeds them (``clip``: the
    largest error instead, for quantiles in the far tails, as CRPS needs them).

    Examples
    --------
    >>> results = pd.DataFrame({"model": "m", "id": "a", "h": 1, "origin": range(4), "time": range(4),
    ...                         "y_true": [1.0, 2.0, 3.0, 4.0], "y_pred": [1.5, 2.0, 2.0, 4.0]})
    >>> conformal_half_widths(results, [50, 20], min_calibration=2)[2:].tolist()
    [[0.5, 0.0], [0.5, 0.0]]
    """
    levels = check_level_values(levels)
    check_int(min_calibration, "min_calibration")
    half = np.full((len(results), len(levels)), np.nan)
    if results.empty:
        return half
    exact = [Fraction(str(level)) for level in levels]
    numerators = np.array([f.numerator for f in exact], dtype=object)
    denominators = np.array([100 * f.denominator for f in exact], dtype=object)
    error = (results["y_true"] - results["y_pred"]).abs().to_numpy(dtype=np.float64, na_value=np.nan)
    origins = results["origin"].to_numpy()
    known_at = results["time"].to_numpy()
    groups = pd.DataFrame({k: results[k].to_numpy() for k in ("model", "id", "h")}).groupby(
        ["model", "id", "h"], sort=False).indices
    for positions in groups.values():
        rows = positions[np.argsort(origins[positions], kind="stable")]
        order = np.argsort(known_at[rows], kind="stable")
        known_sorted, scores = known_at[rows][order], error[rows][order]
        counts = np.searchsorted(known_sorted, origins[rows], side="left")  # residuals known before the origin
        for row, k in zip(rows, counts):
            calibration = scores[:k]
            calibration = np.sort(calibration[np.isfinite(calibration)])
            n = len(calibration)
            if n < min_calibration:
                continue
            ranks = (-(-(numerators * (n + 1)) // denominators)).astype(np.int64)  # ceil, exact
            ranks = np.minimum(ranks, n) if clip else ranks
            usable = ranks <= n
            half[row, usable] = calibration[ranks[usable] - 1]
    return half


def _conformal_rank(level, n: int) -> int:
    """``ceil(level / 100 * (n + 1))`` without floating-point error (0.8 * 10 is 8, not 9).

    Examples
    --------
    >>> _conformal_rank(80, 9), _conformal_rank(90, 9), _conformal_rank(97.5, 39)
    (8, 9, 39)
    """
    exact = Fraction(str(level)) * (n + 1) / 100
    return math.ceil(exact)


def rank_needed(level, n: int | None = None) -> int:
    """Rank of the calibration error giving a ``level``% split-conformal interval with ``n``
    errors; with ``n`` None, the fewest errors for which that rank exists.

    Examples
    --------
    >>> rank_needed(80), rank_needed(95), rank_needed(80, 99)
    (4, 19, 80)
    """
    if n is not None:
        return _conformal_rank(level, n)
    n = 1
    while _conformal_rank(level, n) > n:
        n += 1
    return n


def conformal_half_width(errors, level) -> np.ndarray:
    """Per step, the split-conformal half-width at ``level``% from ``errors`` (absolute
    errors, one row per calibration window, each column sorted ascending).

    Examples
    --------
    >>> conformal_half_width(np.sort(np.arange(20.0)).reshape(-1, 1), 80).tolist()
    [16.0]
    """
    errors = np.asarray(errors, dtype=float)
    return errors[rank_needed(level, len(errors)) - 1]


def check_calibration_size(levels, held_out: int, windows: int | None = None) -> None:
    """Raise when ``held_out`` calibration errors cannot give split-conformal intervals at
    every level in ``levels``; ``windows``, the fit's windows, lets the message name the
    held-out share that would.

    Examples
    --------
    >>> check_calibration_size((80,), 4)
    >>> check_calibration_size((80, 95), 9, windows=90)
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: 95% intervals of a neural model are calibrated on its held-out windows and need at least 19 of them per model, but this fit holds out 9 of its 90 windows. Raise the held-out share `validation` to 0.25, use more data, or a lower `level`.
    """
    needed = max(rank_needed(level) for level in levels)
    if held_out < needed:
        share = np.ceil(20 * needed / windows) / 20 if windows else None
        fix = (f"Raise the held-out share `validation` to {share:g}, use more data" if share and share <= 0.5
               else "Use more data" if windows else "Raise the held-out share `validation`, use more data")
        raise ConfigError(
            f"{max(levels)}% intervals of a neural model are calibrated on its held-out windows and need at "
            f"least {needed} of them per model, but this fit holds out {held_out}"
            f"{f' of its {windows} windows' if windows else ''}. {fix}, or a lower `level`.")


def interval_rows(results: pd.DataFrame, scales, level) -> pd.DataFrame:
    """Per-row interval quantities at ``level``: ``covered``, ``width``, ``winkler``, ``msis``.

    ``results`` carries the bound columns of ``level``; ``scales`` is the walk-forward scales
    table (``msis`` uses the same effective scale as MASE). Rows without an interval are NaN.
    """
    from .metrics import effective_scale

    lo_col, hi_col = bound_columns(level)
    y = results["y_true"].to_numpy(dtype=np.float64)
    lo = results[lo_col].to_numpy(dtype=np.float64, na_value=np.nan)
    hi = results[hi_col].to_numpy(dtype=np.float64, na_value=np.nan)
    has = np.isfinite(lo) & np.isfinite(hi)
    keyed = scales.assign(_s=effective_scale(scales["scale"].to_numpy(float), scales["scale_naive"].to_numpy(float)))
    scale = results[["id", "origin"]].merge(keyed[["id", "origin", "_s"]], how="left", on=["id", "origin"])["_s"]
    scale = scale.to_numpy(dtype=np.float64)
    score = winkler_rows(y, lo, hi, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(scale > 0, score / scale, np.nan)
    return pd.DataFrame({"covered": np.where(has, ((y >= lo) & (y <= hi)).astype(float), np.nan),
                         "width": np.where(has, hi - lo, np.nan), "winkler": np.where(has, score, np.nan),
                         "msis": np.where(has, scaled, np.nan)}, index=results.index)


def interval_scores(results: pd.DataFrame, scales, levels, by=("model",)) -> pd.DataFrame:
    """Coverage, its gap to nominal, width, Winkler score and MSIS per group and level.

    Columns per level ``L``: ``coverage_L``, ``coverage_gap_L`` (coverage - L/100),
    ``width_L``, ``winkler_L``, ``msis_L`` and ``intervals_L`` (rows with an interval).
    """
    by = list(by)
    table = None
    for level in check_levels(levels):
        rows = interval_rows(results, scales, level)
        rows[by] = results[by].to_numpy()
        grouped = rows.groupby(by, sort=False)
        part = grouped[["covered", "width", "winkler", "msis"]].mean()
        part["intervals"] = grouped["covered"].count()
        part = part.rename(columns={"covered": "coverage"})
        part.insert(1, "coverage_gap", part["coverage"] - level / 100.0)
        part.columns = [f"{c}_{level}" for c in part.columns]
        table = part if table is None else table.join(part)
    return table.reset_index()
