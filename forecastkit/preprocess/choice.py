"""``preprocess="auto"``: the target transform chain, chosen per fit from its training data alone.

How a neural network sees trend and seasonality matters more for forecast accuracy than
most of its hyperparameters: the M4 machine-learning benchmarks deseasonalise first, N-BEATS
and DeepAR normalise per window, ES-RNN learns level and season per series. A network also
cannot extrapolate a level it never saw, so a trending series must reach it as changes.
:func:`choose_chain` decides each part of the chain from the fit's training data:

1. **Seasonality, by test**: deseasonalise (classical decomposition of the periods of
   :func:`~forecastkit.preprocess.seasonality.seasonal_periods`) when the M4 90 % autocorrelation test
   finds the season, in first differences, in at least half of the series; each period's
   indices are then kept only where the test finds that period (the M4 benchmarks' rule:
   deseasonalise what is seasonal, and only that). Seasonal differencing is never chosen, only
   set (``seasonal_difference=True``): on training-period validation it lost to
   deseasonalising (``benchmarks/results/choose_preprocess.md``).
2. **Differences, unless intermittent**: a network cannot extrapolate a level outside its
   training range, and on training-period validation first differences won for linear and mlp
   on 5 of the 7 shipped datasets, stationary ones included (``uschange``); letting the KPSS
   test decide instead lost 5 % overall in an earlier run of the same script
   (``benchmarks/choose_preprocess.py``; ``benchmarks/results/choose_preprocess.md``). An
   intermittent series keeps returning to zero, so its level never leaves the range it
   trained on, and its differences are spikes whose sum drifts: when at least half of the
   series are intermittent (:func:`intermittent_share`), levels are modelled instead
   (``benchmarks/intermittent.py``: 5-6 % better for linear and vanilla on every panel).
   ``difference=False`` (``--no-difference``) models levels, ``difference=True`` differences.
3. **Log or not, by validation** (positive data only): a ridge regression from the lookback
   window to the horizon (a direct linear autoregression, fitted in closed form, pooled over
   the series as a global model is) is fit on each series' training rows before its latest
   ``K`` origins (``K <= 8``, spaced half a horizon apart) and scored on forecasts from those
   origins, in the original units, as MASE (scaled by the in-sample seasonal-naive error),
   averaged over series; ``log`` must beat no power transform by 2 %.

A part the user fixed (``transform=``, ``deseason=``, ``seasonal_difference=``,
``difference=``) is not decided. Everything seen is the training slice handed in: nothing at
or after a forecast origin. Plain numpy: no Keras.

Examples
--------
>>> import numpy as np
>>> t = np.arange(120)
>>> y = 100 * np.exp(0.01 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
>>> choice = choose_chain([(y, t)], horizon=12, lookback=24, season=12, periods=(12,))
>>> choice.deseason, choice.difference
('classical', True)
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
#: ``log`` must beat no power transform by this share of the judge's score.
TOLERANCE = 0.02
RIDGE = 1.0
#: Syntetos and Boylan's (2005) cut-off for intermittent demand: an average interval between
#: demands of at least 1.32 periods, i.e. zeros in at least ``1 - 1 / 1.32`` (24 %) of them.
INTERMITTENT_INTERVAL = 1.32


@dataclass(frozen=True)
class Chain:
    """One choice of target transforms (the scaler is set apart, by ``scaler=``)."""

    power: str | None = None
    deseason: str = "none"
    seasonal_difference: bool = False
    difference: bool = False

    def lost(self, season: int) -> int:
        """Leading rows the chain's differences consume."""
        return season * int(self.seasonal_difference) + int(self.difference)

    def transform(self, scaler: str, season: int, periods: tuple) -> TargetTransform:
        """An unfitted :class:`~forecastkit.preprocess.transforms.TargetTransform` of this chain."""
        return TargetTransform(scaler, self.power, self.difference, self.deseason,
                               periods if self.deseason != "none" else (),
                               season if self.seasonal_difference else 0)


def candidates(fixed: dict, positive: bool, seasonal: bool) -> list:
    """The chains :func:`choose_chain` judges (one per power transform), differences still
    undecided; ``fixed`` maps a part's name to the user's value.

    Examples
    --------
    >>> candidates({}, positive=True, seasonal=True)
    [Chain(power=None, deseason='classical', seasonal_difference=False, difference=False), Chain(power='log', deseason='classical', seasonal_difference=False, difference=False)]
    >>> candidates({"power": None, "seasonal_difference": True}, positive=True, seasonal=True)
    [Chain(power=None, deseason='none', seasonal_difference=True, difference=False)]
    """
    powers = [fixed["power"]] if "power" in fixed else [None] + (["log"] if positive else [])
    sdiff = bool(fixed.get("seasonal_difference", False))
    deseason = fixed.get("deseason") or ("classical" if seasonal and not sdiff else "none")
    return [Chain(power, deseason, sdiff, bool(fixed.get("difference", False))) for power in powers]


def choose_chain(series: list, horizon: int, lookback: int, season: int, periods: tuple, fixed: dict | None = None,
                 scaler: str = "standard") -> Chain:
    """The transform chain for these training series (see the module docstring for the rule).

    Parameters
    ----------
    series : list of (values, positions)
        Each series' training values and their grid positions
        (:func:`~forecastkit.preprocess.seasonality.grid_positions`).
    horizon, lookback, season : int
        The model's horizon and window length, and the season length.
    periods : tuple of int
        Season lengths to deseasonalise (empty: no deseasonalising).
    fixed : dict
        Parts the user set, by name (``power``, ``deseason``, ``seasonal_difference``,
        ``difference``); they are not decided.
    scaler : str
        The scaler every chain ends with.

    Returns
    -------
    Chain
    """
    fixed = dict(fixed or {})
    series = _spread(series, MAX_SERIES)
    positive = all(np.all(y > 0) for y, _ in series)
    seasonal = bool(periods) and seasonal_share(series, season if season > 1 else min(periods)) >= 0.5
    options = candidates({"difference": intermittent_share(series) < 0.5, **fixed}, positive, seasonal)
    if len(options) == 1:
        return options[0]
    lost = min(chain.lost(season) for chain in options)
    judged = [s for s in series if _judge_windows(len(s[0]), horizon, lookback, lost) >= MIN_WINDOWS] or series
    shortest = min(len(y) for y, _ in judged)
    origins = _origins(shortest, horizon)
    scores = {}
    for chain in options:
        if _judge_windows(shortest, horizon, lookback, chain.lost(season)) < MIN_WINDOWS:
            continue
        scores[chain] = _judge(judged, chain, horizon, lookback, season, periods, origins, scaler)
    finite = {c: s for c, s in scores.items() if np.isfinite(s)}
    if not finite:
        return options[0]
    best = min(finite.values())
    return next(c for c in options if c in finite and finite[c] <= best * (1 + TOLERANCE) + 1e-12)


def _judge_windows(length: int, horizon: int, lookback: int, lost: int) -> int:
    """Training windows the judge has in a series of ``length`` rows, before its validation
    origins (:func:`_origins`), for a chain that loses ``lost`` rows. A panel's series with
    too few for every chain are left out of the judging (a global model pads them)."""
    return length - horizon - _origins(length, horizon)[-1] - lost - lookback - horizon + 1


def intermittent_share(series: list) -> float:
    """Share of the ``(values, positions)`` series that are intermittent: zeros in at least
    ``1 - 1 / INTERMITTENT_INTERVAL`` of their values.

    >>> intermittent_share([(np.array([0.0, 3, 0, 0, 1]), None), (np.arange(1.0, 6), None)])
    0.5
    """
    share = 1 - 1 / INTERMITTENT_INTERVAL
    return float(np.mean([np.mean(np.asarray(y) == 0) >= share for y, _ in series]))


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
                if positions is None:
                    positions = np.arange(len(y))
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
            positions = np.arange(len(y)) if positions is None else positions
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
