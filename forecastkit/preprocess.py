"""``preprocess="auto"``: the target transform chain, chosen per fit from its training data alone.

How a neural network sees trend and seasonality matters more for forecast accuracy than
most of its hyperparameters: the M4 machine-learning benchmarks deseasonalise first, N-BEATS
and DeepAR normalise per window, ES-RNN learns level and season per series. Which treatment
suits a dataset is not known in advance, so :func:`choose_chain` tries the candidate chains
on the training data of the fit and keeps the one whose forecasts of its own latest windows
were best:

1. **Candidates**: power ``none`` or ``log`` (``log`` only when every value is positive) x
   seasonality ``deseason`` (classical decomposition of the periods of
   :func:`~forecastkit.seasonality.seasonal_periods`, each kept only where the M4 test finds
   it) or ``sdiff`` (seasonal differences at the season length) when the M4 90 % seasonality
   test finds the season (in first differences) in at least half of the series, else ``none`` (the M4 benchmarks'
   rule: deseasonalise what is seasonal, and only that) x first differences ``no`` / ``yes``.
   A part the user fixed (``transform=``, ``deseason=``, ``seasonal_difference=``,
   ``difference=``) is not varied; a candidate that leaves too few training windows is not
   tried.
2. **Judge**: a ridge regression from the lookback window to the horizon (a direct linear
   autoregression, fitted in closed form, pooled over the series as a global model is), fit
   on each series' training rows before its latest ``K`` origins (``K <= 8``, spaced half a
   horizon apart) and scored on forecasts from those origins, in the original units, as MASE
   (scaled by the in-sample seasonal-naive error), averaged over series.
3. **Choice**: the simplest candidate within 2 % of the best score (fewer steps first), so a
   transform must earn its place.

Everything seen is the training slice handed in: nothing at or after a forecast origin.
Plain numpy: no Keras.

Examples
--------
>>> import numpy as np
>>> t = np.arange(120)
>>> y = 100 * np.exp(0.01 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
>>> choice = choose_chain([(y, t)], horizon=12, lookback=24, season=12, periods=(12,))
>>> choice.power, choice.deseason != "none" or choice.seasonal_difference
('log', True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .transforms import TargetTransform

PREPROCESS = ("auto", "none")
#: Most validation origins per series, and most series the judge looks at.
MAX_ORIGINS, MAX_SERIES = 8, 64
#: Fewest training windows a candidate must leave the judge.
MIN_WINDOWS = 8
#: A more complex chain must beat a simpler one by this share of its score.
TOLERANCE = 0.02
RIDGE = 1.0


@dataclass(frozen=True)
class Chain:
    """One choice of target transforms (the scaler is set apart, by ``scaler=``)."""

    power: str | None = None
    deseason: str = "none"
    seasonal_difference: bool = False
    difference: bool = False

    @property
    def steps(self) -> int:
        """How many transforms the chain applies (its complexity)."""
        return int(self.power is not None) + int(self.deseason != "none") + int(self.seasonal_difference) \
            + int(self.difference)

    def lost(self, season: int) -> int:
        """Leading rows the chain's differences consume."""
        return season * int(self.seasonal_difference) + int(self.difference)

    def transform(self, scaler: str, season: int, periods: tuple) -> TargetTransform:
        """An unfitted :class:`~forecastkit.transforms.TargetTransform` of this chain."""
        return TargetTransform(scaler, self.power, self.difference, self.deseason,
                               periods if self.deseason != "none" else (),
                               season if self.seasonal_difference else 0)


def candidates(fixed: dict, positive: bool, season: int, periods: tuple, deseason_method: str = "classical"):
    """The chains to try, simplest first; ``fixed`` maps a part's name to the user's value.

    Examples
    --------
    >>> len(candidates({}, positive=True, season=12, periods=(12,)))
    12
    >>> candidates({"power": None, "difference": True, "deseason": "none", "seasonal_difference": False},
    ...            positive=True, season=12, periods=(12,))
    [Chain(power=None, deseason='none', seasonal_difference=False, difference=True)]
    """
    powers = [fixed["power"]] if "power" in fixed else [None] + (["log"] if positive else [])
    seasonal = [("none", False)]
    if season > 1 or periods:
        seasonal += [(deseason_method, False)] if periods else []
        seasonal += [("none", True)] if season > 1 else []
    if "deseason" in fixed:
        seasonal = [(d, s) for d, s in seasonal if (d != "none") == (fixed["deseason"] != "none")]
        seasonal = [(fixed["deseason"] if d != "none" else d, s) for d, s in seasonal]
    if "seasonal_difference" in fixed:
        seasonal = [(d, s) for d, s in seasonal if s == fixed["seasonal_difference"]]
        if not seasonal:  # both fixed on: deseason, then seasonal differences
            seasonal = [(fixed.get("deseason", "none"), fixed["seasonal_difference"])]
    differences = [fixed["difference"]] if "difference" in fixed else [False, True]
    chains = [Chain(p, d, s, diff) for p in powers for d, s in seasonal for diff in differences]
    return sorted(dict.fromkeys(chains), key=lambda c: c.steps)


def choose_chain(series: list, horizon: int, lookback: int, season: int, periods: tuple, fixed: dict | None = None,
                 scaler: str = "standard") -> Chain:
    """The candidate chain whose judge forecasts the latest training windows best.

    Parameters
    ----------
    series : list of (values, positions)
        Each series' training values and their grid positions
        (:func:`~forecastkit.seasonality.grid_positions`).
    horizon, lookback, season : int
        The model's horizon and window length, and the season length.
    periods : tuple of int
        Season lengths to deseasonalise (empty: no deseason candidate).
    fixed : dict
        Parts the user set, by name (``power``, ``deseason``, ``seasonal_difference``,
        ``difference``); they are not varied.
    scaler : str
        The scaler every chain ends with.

    Returns
    -------
    Chain
    """
    fixed = dict(fixed or {})
    series = _spread(series, MAX_SERIES)
    positive = all(np.all(y > 0) for y, _ in series)
    options = candidates(fixed, positive, season, periods, fixed.get("deseason") or "classical")
    if not {"deseason", "seasonal_difference"} & set(fixed):
        seasonal = seasonal_share(series, season) >= 0.5
        options = [c for c in options if (c.deseason != "none" or c.seasonal_difference) == seasonal] or options
    if len(options) == 1:
        return options[0]
    shortest = min(len(y) for y, _ in series)
    origins = _origins(shortest, horizon)
    scores = {}
    for chain in options:
        train_rows = shortest - (horizon + origins[-1])
        if train_rows - chain.lost(season) - lookback - horizon + 1 < MIN_WINDOWS:
            continue
        scores[chain] = _judge(series, chain, horizon, lookback, season, periods, origins, scaler)
    finite = {c: s for c, s in scores.items() if np.isfinite(s)}
    if not finite:
        return _fallback(options, fixed)
    best = min(finite.values())
    return next(c for c in options if c in finite and finite[c] <= best * (1 + TOLERANCE) + 1e-12)


def seasonal_share(series: list, season: int) -> float:
    """Share of the series in which the M4 90 % test finds seasonality at ``season``.

    The test runs on first differences: a trend or a random walk has large autocorrelations at
    every lag, seasonal or not, and would pass it on the levels.

    Examples
    --------
    >>> import numpy as np
    >>> noise = np.random.default_rng(0).normal(size=30)
    >>> seasonal_share([(np.tile([1.0, 3.0, 2.0], 10), None), (noise, None)], season=3)
    0.5
    """
    from .seasonality import is_seasonal

    if season <= 1 or not series:
        return 0.0
    return float(np.mean([is_seasonal(np.diff(np.asarray(y, dtype=float)), season) for y, _ in series]))


def _fallback(options: list, fixed: dict) -> Chain:
    """With too little data to judge: the user's fixed parts, nothing else."""
    base = Chain(fixed.get("power"), fixed.get("deseason") or "none", bool(fixed.get("seasonal_difference")),
                 bool(fixed.get("difference")))
    return base if base in options or not options else options[0]


def _spread(items: list, most: int) -> list:
    """At most ``most`` items, evenly spread (deterministic)."""
    if len(items) <= most:
        return items
    return [items[int(k)] for k in np.linspace(0, len(items) - 1, most).round()]


def _origins(length: int, horizon: int) -> list[int]:
    """Offsets back from the end of each series' last validation origin: ``[0, s, 2s, ...]``,
    spread over at most a quarter of the series."""
    stride = max(1, horizon // 2)
    room = max(0, length // 4 - horizon)
    count = max(1, min(MAX_ORIGINS, room // stride + 1))
    return [k * stride for k in range(count)]


def _judge(series: list, chain: Chain, horizon: int, lookback: int, season: int, periods: tuple,
           origins: list, scaler: str) -> float:
    """Mean validation MASE of the pooled ridge judge for ``chain`` (inf if it fails)."""
    inputs, targets, fitted = [], [], []
    with np.errstate(all="ignore"):
        try:
            for y, positions in series:
                cut = len(y) - horizon - origins[-1]
                transform = chain.transform(scaler, season, periods).fit(y[:cut], positions=positions[:cut])
                z = transform.transform(y[:cut], positions[:cut])
                x, t = _windows(z, lookback, horizon)
                inputs.append(x)
                targets.append(t)
                fitted.append(transform)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            return np.inf
        weights = _ridge(np.concatenate(inputs), np.concatenate(targets))
        errors = []
        for (y, positions), transform in zip(series, fitted):
            cut = len(y) - horizon - origins[-1]
            scale = _naive_scale(y[:cut], season)
            per_origin = []
            for back in origins:
                origin = len(y) - horizon - back
                z = transform.transform(y[:origin], positions[:origin])[-lookback:]
                forecast = transform.inverse(np.r_[z, 1.0] @ weights, history=y[:origin],
                                             positions=positions[:origin])
                per_origin.append(np.mean(np.abs(y[origin:origin + horizon] - forecast)) / scale)
            errors.append(np.mean(per_origin))
    score = float(np.mean(errors))
    return score if np.isfinite(score) else np.inf


def _windows(z: np.ndarray, lookback: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    count = len(z) - lookback - horizon + 1
    index = np.arange(count)[:, None]
    x = z[index + np.arange(lookback)]
    t = z[index + lookback + np.arange(horizon)]
    return np.c_[x, np.ones(count)], t


def _ridge(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Ridge weights ``(lookback + 1, horizon)``; the intercept (last column) unpenalised."""
    penalty = np.full(x.shape[1], RIDGE)
    penalty[-1] = 0.0
    return np.linalg.solve(x.T @ x + np.diag(penalty), x.T @ t)


def _naive_scale(y: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast (naive when the series is too short)."""
    lag = season if season > 1 and len(y) > 2 * season else 1
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag]))) if len(y) > lag else 0.0
    return scale if scale > 0 else 1.0


def resolve_fixed(transform, difference, deseason, seasonal_difference) -> dict:
    """The parts the user set (not None) as :func:`choose_chain`'s ``fixed``; ``transform="none"``
    fixes no power.

    Examples
    --------
    >>> resolve_fixed("none", None, "stl", None)
    {'power': None, 'deseason': 'stl'}
    """
    fixed = {}
    if transform is not None:
        fixed["power"] = None if transform == "none" else transform
    if difference is not None:
        fixed["difference"] = bool(difference)
    if deseason is not None:
        fixed["deseason"] = deseason
    if seasonal_difference is not None:
        fixed["seasonal_difference"] = bool(seasonal_difference)
    return fixed


def fixed_chain(fixed: dict) -> Chain:
    """``preprocess="none"``: only what the user set, nothing chosen."""
    return replace(Chain(), **{k: v for k, v in fixed.items() if k != "deseason"},
                   deseason=fixed.get("deseason") or "none")
