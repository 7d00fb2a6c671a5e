r"""The walk-forward's scores of forecast distributions: CRPS, pinball loss, PIT and intervals.

When a run scores distributions (:class:`Scoring`: ``level``, ``samples`` or ``probabilistic``
set, or a model with a distribution or quantile head), every fit also asks its forecaster for
the forecast distribution of each origin it serves
(:meth:`~forecastkit.forecaster.Forecaster.predictive_histories`) and scores it against the
actual values, in the job, row by row (:func:`score_rows`); the rows are stored beside the
forecasts. Which distribution a model is scored on, by kind:

====================================  =========================================================
distribution head (``distribution``)  its distribution: the Normal's CRPS in closed form
                                      (linear transforms), else from sampled paths
quantile head (``quantiles``)         its quantiles (CRPS from the quantiles, PIT interpolated)
``samples=N``                         N sampled paths of every neural model (bootstrapped
                                      errors, or drawn from its distribution)
baseline with Gaussian native         that Gaussian (closed-form CRPS); its intervals in the
intervals (``gaussian_intervals``)    leaderboard stay conformal, like every baseline's
other neural model, ensemble          after the run, its conformal quantiles: the forecast
                                      plus or minus the conformal half-widths at the levels
                                      2%, 4%, ..., 98% (:data:`CONFORMAL_LEVELS`), calibrated on
                                      errors known before each origin only
other baseline (``ets``)              none: no CRPS (its native intervals are not Gaussian)
====================================  =========================================================

The pinball loss is the mean over :data:`~forecastkit.forecaster.SAMPLE_QUANTILES` (a
quantile head: over its own levels when it lacks those). Nothing scored here is ever fed to a
fit: the scores are computed after the fit forecast, from the actual values the results table
holds anyway.

Examples
--------
>>> scoring_of(levels=(80,), samples=None, probabilistic=False, models=[])
Scoring(levels=(80,), samples=None)
>>> scoring_of(levels=(), samples=None, probabilistic=False, models=[]) is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..forecaster.options import INTERVAL_PATHS, SAMPLE_QUANTILES, head_taus
from ..intervals import bound_columns, conformal_half_widths
from ..metrics.probabilistic import (
    CRPS_TAUS,
    crps_normal,
    crps_quantiles,
    crps_samples,
    pinball_rows,
    pit_normal,
    pit_quantiles,
    pit_samples,
)

#: Conformal interval levels whose bounds are a point model's forecast quantiles (1% .. 99%).
CONFORMAL_LEVELS = tuple(range(2, 100, 2))
#: Columns the scores add to the results table.
SCORE_COLUMNS = ("crps", "pinball", "pit", "distribution")
#: What the leaderboard says for a model without a scored distribution.
NO_DISTRIBUTION = "none (its native intervals are not Gaussian)"


@dataclass(frozen=True)
class Scoring:
    """What a run scores: interval ``levels`` (percent) and, with ``samples``, that many sampled
    paths per origin of every neural model."""

    levels: tuple = ()
    samples: int | None = None

    def to_config(self) -> dict:
        """The run configuration's record of it (a resumed run must score alike)."""
        return {"levels": list(self.levels), "samples": self.samples, "taus": list(SAMPLE_QUANTILES)}


def scoring_of(levels, samples, probabilistic: bool, models) -> Scoring | None:
    """The run's :class:`Scoring`, or None when nothing asks for distributions: no ``level``,
    ``samples`` or ``probabilistic``, and no model (``Forecaster``) with a distribution or a
    quantile head."""
    heads = any(getattr(f, "distribution", None) or head_taus(f) for f in models)
    if not (levels or samples or probabilistic or heads):
        return None
    return Scoring(tuple(levels), int(samples) if samples else None)


def score_rows(predictive, actual: np.ndarray, scoring: Scoring, rng: np.random.Generator,
               bounds: bool = True) -> list[tuple]:
    """``(method, crps, pinball, pit, bounds)`` per forecast value, origin by origin and step by
    step, of ``predictive`` (a :class:`~forecastkit.forecaster.predictive.Predictive` of ``n``
    origins) against ``actual`` ``(n, H)``. ``bounds``: JSON ``[lo, hi, ...]`` at
    ``scoring.levels`` (None when not ``bounds`` or unknown at a level)."""
    n, horizon = actual.shape
    y = actual.reshape(-1)
    if predictive.gaussian is not None:
        loc, sd = (np.asarray(v, dtype=float).reshape(-1) for v in predictive.gaussian)
        crps, pit = crps_normal(y, loc, sd), pit_normal(y, loc, sd)
    elif predictive.head is not None or (predictive.paths is None and predictive.draw is None):
        taus, values = predictive.head or (CRPS_TAUS, predictive.quantiles(CRPS_TAUS))  # a head, or quantiles alone
        values = values.reshape(n * horizon, -1)
        crps, pit = crps_quantiles(y, values, taus), pit_quantiles(y, values, taus)
    else:
        paths = predictive.sampled(scoring.samples or INTERVAL_PATHS)
        draws = np.moveaxis(paths, 1, -1).reshape(n * horizon, -1)
        crps, pit = crps_samples(y, draws), pit_samples(y, draws, rng)
    taus = SAMPLE_QUANTILES
    values = predictive.quantiles(taus)
    if values is None:  # a quantile head without those levels: its own
        taus, values = predictive.head
    pinball = pinball_rows(y, values.reshape(n * horizon, -1), taus)
    limits = _bounds(predictive, scoring.levels, n * horizon) if bounds and scoring.levels else None
    return [(predictive.method, float(crps[k]), float(pinball[k]), float(pit[k]),
             None if limits is None else json.dumps([round(float(v), 12) for v in limits[k]]))
            for k in range(n * horizon)]


def _bounds(predictive, levels: tuple, rows: int) -> np.ndarray | None:
    """``(rows, 2 * len(levels))`` lower and upper bounds at ``levels`` (None when unknown)."""
    parts = []
    for level in levels:
        alpha = 1 - float(level) / 100
        values = predictive.quantiles((alpha / 2, 1 - alpha / 2))
        if values is None:
            return None
        parts.append(values.reshape(rows, 2))
    return np.concatenate(parts, axis=1)


def attach(results: pd.DataFrame, stored: pd.DataFrame, scoring: Scoring, min_calibration: int,
           kinds: dict) -> pd.DataFrame:
    """``results`` with the :data:`SCORE_COLUMNS`: the ``stored`` scores of the fits (their
    bounds replacing the conformal ones), then conformal ones for the neural models and ensembles
    without (``kinds``: label -> "neural" or "baseline"), NaN with :data:`NO_DISTRIBUTION` for the
    remaining baselines; with levels, ``intervals`` says which method made each row's bounds."""
    keys = ["model", "id", "fit", "origin", "h"]
    out = results.copy()
    merged = out[keys].merge(stored, on=keys, how="left") if len(stored) else None
    for column in ("crps", "pinball", "pit"):
        out[column] = np.nan if merged is None else merged[column].to_numpy(dtype=float, na_value=np.nan)
    out["distribution"] = None if merged is None else merged["method"].to_numpy(dtype=object)  # NaN: none
    if scoring.levels:
        out["intervals"] = "conformal"
    if merged is not None and scoring.levels and merged["bounds"].notna().any():
        has = merged["bounds"].notna().to_numpy()
        values = np.array([json.loads(text) for text in merged.loc[has, "bounds"]], dtype=float)
        for j, level in enumerate(scoring.levels):
            lo, hi = bound_columns(level)
            out.loc[has, lo], out.loc[has, hi] = values[:, 2 * j], values[:, 2 * j + 1]
        out.loc[has, "intervals"] = out.loc[has, "distribution"]
    scored_models = set(out.loc[out["distribution"].notna(), "model"])
    conformal = out["model"].map(lambda m: kinds.get(m) != "baseline" and m not in scored_models).to_numpy(bool)
    if conformal.any():
        part = out.loc[conformal]
        crps, pinball, pit = conformal_scores(part, min_calibration)
        out.loc[conformal, "crps"], out.loc[conformal, "pinball"], out.loc[conformal, "pit"] = crps, pinball, pit
        out.loc[conformal, "distribution"] = "conformal"
    bare = out["model"].map(lambda m: kinds.get(m) == "baseline" and m not in scored_models).to_numpy(bool)
    out.loc[bare, "distribution"] = NO_DISTRIBUTION  # (a scored model's failed fits keep none)
    return out


def conformal_scores(results: pd.DataFrame, min_calibration: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CRPS, pinball loss and PIT of each row's conformal quantiles: ``y_pred`` minus and plus the
    half-widths at :data:`CONFORMAL_LEVELS` give the quantiles at ``0.01 .. 0.99``
    (:data:`~forecastkit.metrics.probabilistic.CRPS_TAUS`; 0.5 is ``y_pred``); a level whose
    conformal rank exceeds the earlier errors takes the largest of them. NaN where an origin has
    fewer than ``min_calibration`` earlier errors."""
    levels = sorted(set(CONFORMAL_LEVELS) | {round(abs(2 * t - 1) * 100, 9) for t in SAMPLE_QUANTILES if t != 0.5})
    half = conformal_half_widths(results, levels, min_calibration, clip=True)
    forecast = results["y_pred"].to_numpy(dtype=float, na_value=np.nan)
    y = results["y_true"].to_numpy(dtype=float)

    def quantiles(taus) -> np.ndarray:
        columns = []
        for tau in taus:
            level = round(abs(2 * tau - 1) * 100, 9)
            width = 0.0 if level == 0 else half[:, levels.index(level)]
            columns.append(forecast + np.sign(tau - 0.5) * width)
        return np.column_stack(columns)

    grid, sampled = quantiles(CRPS_TAUS), quantiles(SAMPLE_QUANTILES)
    crps, pinball, pit = (np.full(len(y), np.nan) for _ in range(3))
    ok = np.isfinite(grid).all(axis=1) & np.isfinite(sampled).all(axis=1)
    if ok.any():
        crps[ok] = crps_quantiles(y[ok], grid[ok], CRPS_TAUS)
        pinball[ok] = pinball_rows(y[ok], sampled[ok], SAMPLE_QUANTILES)
        pit[ok] = pit_quantiles(y[ok], grid[ok], CRPS_TAUS)
    return crps, pinball, pit
