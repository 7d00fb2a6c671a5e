"""What a neural fit learns before training: resolved settings, transforms, covariate
encoding and the training windows (:func:`prepare_windows`).

Every function takes the :class:`~forecastkit.forecaster.Forecaster` whose learned state it
sets or reads; none trains or imports Keras.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd

from ..checks import required_length
from ..data import GLOBAL_ID, Panel
from ..errors import ConfigError, FewWindowsWarning, ShortSeriesWarning, user_stacklevel
from ..features import FeatureEncoder, check_calendar, constant_calendar
from ..intervals import check_calibration_size
from ..models.registry import get_spec
from ..preprocess import choose_chain, fixed_chain
from ..preprocess.seasonality import grid_positions, seasonal_periods
from ..training import auto_batch_size
from ..windows import WindowSet
from .options import (
    covariate_roles,
    cut_lookback,
    default_lookback,
    fit_lookback,
    pad_rows,
    pads_short,
    tail,
    target_scaler,
)
from .options import fixed_chain as fixed_parts

#: Training windows below which a fit warns (:class:`~forecastkit.errors.FewWindowsWarning`):
#: fewer than this, or than a linear autoregression on the window has coefficients
#: (``lookback + 1``), leave the weights underdetermined.
MIN_WINDOWS = 10


def resolve(f, panel: Panel) -> None:
    """Settle the settings that depend on the data: season, horizon, lookback, hyperparameters."""
    f.hyper_ = f.check_params()
    f.season_ = int(f.season or panel.season_length())
    f.horizon_ = int(f.horizon or f.season_)
    f.lookback_ = fit_lookback(f, panel)
    f.pads_ = pads_short(f, panel.n_series)
    if f.lookback is None and panel.n_series > 1 and get_spec(f.model).kind == "neural":
        warn_if_cut(f, panel)
    if get_spec(f.model).kind == "baseline" and f.model != "naive" and f.season_ > 1:
        warn_season_unseen(f, panel)
    f.target_, f.freq_, f.step_ = panel.target, panel.freq, panel.step
    f.covariates_ = covariate_roles(panel)
    f.check_covariates(panel)
    f.check_target(panel)


def warn_season_unseen(f, panel: Panel) -> None:
    """Warn (:class:`~forecastkit.errors.ShortSeriesWarning`) when a seasonal baseline forecasts
    a series without its season, as it does, silently, on fewer rows than one season
    (seasonal_naive: it repeats the last value) or two (the others: no seasonal estimate)."""
    need = f.season_ if f.model == "seasonal_naive" else 2 * f.season_
    if min(panel.lengths.values()) < need:  # one message for every fit of a walk-forward
        cycles = "one cycle" if f.model == "seasonal_naive" else "two cycles"
        warnings.warn(ShortSeriesWarning(
            f"{f.model!r} forecasts a series shorter than {need} rows without its season of {f.season_} steps "
            f"(it needs {cycles}). Set `season` to a period the data cover, or give more history."),
            stacklevel=user_stacklevel())


def warn_if_cut(f, panel: Panel) -> None:
    """Warn (:class:`~forecastkit.errors.ShortSeriesWarning`) when the panel's shortest series
    cuts the default lookback that its longest series would allow to less than half: every
    series then forecasts from the shorter window, which the settings line alone does not explain."""
    full = cut_lookback(f.lookback_, f.horizon_, f.season_, max(panel.lengths.values()),
                        get_spec(f.model).lookback_multiple)
    if full is None:
        return
    sid = min(panel.lengths, key=panel.lengths.get)
    needed = required_length(full, f.model_horizon, f.warmup(f.season_))
    left = [n for n in panel.lengths.values() if n >= needed]
    then = default_lookback(f.horizon_, f.season_, min(left), get_spec(f.model).lookback_multiple)
    warnings.warn(ShortSeriesWarning(
        f"The shortest series, {sid!r} ({panel.lengths[sid]} rows), cuts the default lookback of every series "
        f"from {full} to {f.lookback_} rows. Set `lookback`, or set `skip_short` to True to leave out the "
        f"{len(panel.lengths) - len(left)} series shorter than {needed} rows (the lookback is then {then}, set by "
        f"the shortest series left)."), stacklevel=user_stacklevel())


def warn_padded(f, panel: Panel) -> None:
    """Warn (:class:`~forecastkit.errors.ShortSeriesWarning`) when a global model pads series
    too short for one window of its lookback (:func:`~.options.pad_rows`)."""
    if not f.pads_:
        return
    short = {sid: n for sid, n in panel.lengths.items()
             if pad_rows(n, f.lookback_, f.model_horizon, f.transforms_[sid].lost)}
    if not short:
        return
    named = ", ".join(f"{sid!r} ({n} rows)" for sid, n in list(short.items())[:3]) + (", ..." if len(short) > 3 else "")
    warnings.warn(ShortSeriesWarning(
        f"{len(short)} of {panel.n_series} series are too short for one window of lookback {f.lookback_} + horizon "
        f"{f.model_horizon}: {named}. The global model reads each with its start padded (its first value, or its "
        "mean change for differences) and trains one window on it. Set a smaller `lookback` to pad less."),
        stacklevel=user_stacklevel())


def describe_resolved(f, rows: int) -> tuple[str, str]:
    """``(lookback, horizon)`` in words, as the user gave them or labelled as resolved:
    ``("lookback 4 (resolved from horizon 100 and 108 rows)", "horizon 100")``."""
    lookback = f"lookback {f.lookback_}" + ("" if f.lookback else
                                          f" (resolved from horizon {f.horizon_} and {rows} rows)")
    horizon = f"horizon {f.horizon_}" + ("" if f.horizon else f" (resolved: the season length {f.season_})")
    return lookback, horizon


def check_windows(f, panel: Panel) -> None:
    """:func:`resolve` ``f`` on ``panel`` and raise DataError when a series is too short for
    the windows of the resolved lookback, horizon and differencing (see :meth:`Forecaster.check_windows`)."""
    resolve(f, panel)
    if get_spec(f.model).kind == "baseline":
        return
    warmup = f.warmup(f.season_)
    needed = required_length(f.lookback_, f.model_horizon, warmup)
    lookback, horizon = describe_resolved(f, min(panel.lengths.values()))
    step = "1 (one-step recursive model)" if f.strategy == "recursive" else horizon
    if f.pads_ and max(panel.lengths.values()) >= needed:  # the others are padded: each needs its targets
        needed = required_length(1, f.model_horizon, warmup)
        lookback = "1 row of history (a global model pads a series shorter than its window)"
    panel.check_length(needed, f"{lookback} + {step}{f' + {warmup} for differencing' if warmup else ''}")


def levels_before_fit(f, panel: Panel, levels: tuple) -> None:
    """See :meth:`Forecaster.check_levels_before_fit` (one network; ``levels`` checked)."""
    if not levels or get_spec(f.model).kind == "baseline" or f.distribution:
        return
    hyper = f.check_params()
    season = int(f.season or panel.season_length())
    model_horizon = 1 if f.strategy == "recursive" else f.horizon or season
    needed = required_length(fit_lookback(f, panel), model_horizon, f.warmup(season))
    windows = [max(n - needed + 1, 0) for n in panel.lengths.values()]
    held = [int(w * hyper["validation"]) for w in windows]
    local = f.mode == "local"
    check_calibration_size(levels, min(held) if local else sum(held), min(windows) if local else sum(windows))


def prepare_windows(f, panel: Panel) -> dict:
    """See :meth:`Forecaster.prepare_windows`."""
    check_windows(f, panel)
    f.transforms_ = {}
    shortest = min(panel.lengths.values())
    calendar = check_calendar(f.calendar, panel.freq)
    constant = constant_calendar(panel.frame["time"], calendar) if calendar else []
    if constant:
        warnings.warn(f"Calendar features that take one value on this {panel.freq!r} data carry nothing: "
                      f"{', '.join(map(repr, constant))}. Drop them from `calendar`.", UserWarning,
                      stacklevel=user_stacklevel())
    f.encoder_ = FeatureEncoder(calendar).fit(panel)
    chains = choose_chains(f, panel)
    blocks = []
    for sid in panel.ids:
        frame = panel.series(sid)
        where = f" of series {sid!r}" if panel.n_series > 1 else ""
        f.transforms_[sid] = chains[sid].transform(target_scaler(f), f.season_, f.periods_).fit(
            frame["y"].to_numpy(float), where, positions(f, frame))
        blocks.append(block(f, sid, frame))
    f.ids_ = list(f.transforms_)
    warn_padded(f, panel)
    warn_seasons_kept(f, panel)
    describe_transforms(f)
    f.history_ = tail(panel, f.lookback_ + f.warmup())
    if f.mode == "local" and len(blocks) > 1:
        windows = {sid: make_window_set(f, [each], [sid]) for sid, each in zip(f.ids_, blocks)}
    else:
        windows = {GLOBAL_ID: make_window_set(f, blocks, f.ids_)}
    warn_few_windows(f, windows, shortest)
    if not f.hyper_.get("batch_size", 1):  # 0: by the training windows of the largest set
        f.hyper_ = {**f.hyper_, "batch_size": auto_batch_size(max(len(ws) for ws in windows.values()))}
    return windows


def warn_few_windows(f, windows: dict, rows: int) -> None:
    """One :class:`~forecastkit.errors.FewWindowsWarning` when a model would train on fewer
    than ``max(MIN_WINDOWS, lookback + 1)`` windows (after holding out the validation share)."""
    validation = f.hyper_["validation"]
    minimum = max(MIN_WINDOWS, f.lookback_ + 1)
    fewest = min(len(ws.latest(validation)[0]) or len(ws) for ws in windows.values())  # as training splits
    if fewest >= minimum:
        return
    warnings.warn(f"{f.model!r} trains on only {fewest} window(s) (fewer than {minimum}: too few to learn "
                  f"from) with {', '.join(describe_resolved(f, rows))}; use a shorter `horizon` or `lookback`, or "
                  "more data.", FewWindowsWarning, stacklevel=user_stacklevel())


def choose_chains(f, panel: Panel) -> dict:
    """Each series' transform chain, chosen from ``panel`` (the training data) under
    ``preprocess="auto"`` (one chain for a global model, one per series for local ones),
    else the parts the user set."""
    fixed = fixed_parts(f)
    f.periods_ = ()
    if fixed.get("deseason", "auto") != "none":
        # a frequency without a calendar grid (business days) cannot place seasons: auto goes
        # without them (an explicit deseason was refused there by check_seasons, in resolve)
        with contextlib.suppress(ConfigError):
            grid_positions(panel.frame["time"].iloc[:1], panel.freq, panel.step)
            f.periods_ = seasonal_periods(panel.freq, f.season_)
    if f.preprocess == "none":
        return dict.fromkeys(panel.ids, fixed_chain(fixed))
    series = {sid: (panel.series(sid)["y"].to_numpy(float), positions(f, panel.series(sid)))
              for sid in panel.ids}

    def choose(chosen):
        return choose_chain(chosen, f.model_horizon, f.lookback_, f.season_, f.periods_, fixed, target_scaler(f))

    if f.mode == "local":
        return {sid: choose([values]) for sid, values in series.items()}
    return dict.fromkeys(panel.ids, choose(list(series.values())))


def warn_seasons_kept(f, panel: Panel) -> None:
    """A UserWarning when the deseasonalisation the user set removed no pattern from some series:
    the M4 test, which decides each period, found none there, or the series is too short for it."""
    asked = fixed_parts(f).get("deseason")
    kept = [sid for sid, t in f.transforms_.items() if t.seasonality is not None and not t.seasonality.found]
    if asked in (None, "none") or not kept:
        return
    named = ", ".join(map(repr, kept[:3])) + (", ..." if len(kept) > 3 else "")
    warnings.warn(f"`deseason` {asked!r} removed no seasonal pattern from {len(kept)} of {panel.n_series} series "
                  f"({named}): the M4 seasonality test finds none at period {', '.join(map(str, f.periods_))}, or "
                  f"the series is shorter than the {3 * min(f.periods_) + 1} rows (3 seasons) the test needs. Seasonal "
                  "differences (`seasonal_difference`) remove the season of a short series.", UserWarning,
                  stacklevel=user_stacklevel())


def describe_transforms(f) -> None:
    """``preprocess_`` (the chains in words, distinct ones joined by " | ") and ``periods_``."""
    described = dict.fromkeys(t.describe() for t in f.transforms_.values())
    f.preprocess_ = " | ".join(described)
    f.periods_ = max((t.periods for t in f.transforms_.values()), key=len)


def positions(f, frame: pd.DataFrame) -> np.ndarray | None:
    """Grid positions of ``frame``'s rows when deseasonalisation needs them (else None)."""
    if not getattr(f, "periods_", ()):
        return None
    return grid_positions(frame["time"], f.freq_, f.step_)


def block(f, sid: str, frame: pd.DataFrame, future: pd.DataFrame | None = None, forecast: bool = False):
    """``(z, past, known, static)`` rows of one series for a :class:`WindowSet`.

    A padded fit's (``pads_``) series too short for one window get the rows :func:`pad_rows`
    says before their first: the first transformed value repeated (a chain in levels) or the
    mean of its transformed changes before the window's targets (a chain of differences), and
    their covariates' first rows.

    ``future`` (forecasting only): the horizon rows (time and future-known covariates)
    after ``frame``; the target and past-observed covariates are unknown there (NaN).
    ``forecast``: the block of a forecast window, which needs ``lookback`` rows only.
    """
    diff = f.transforms_[sid].lost
    z = f.transforms_[sid].transform(frame["y"].to_numpy(float), positions(f, frame))
    past = f.encoder_.past_rows(sid, frame)[diff:]
    rows = frame if future is None else pd.concat([frame[future.columns], future], ignore_index=True)
    known = f.encoder_.known_rows(sid, rows)[diff:]
    targets = 0 if forecast else f.model_horizon
    pad = pad_rows(len(frame), f.lookback_, targets, diff) if f.pads_ else 0
    if pad:  # a series too short for one window: flat before its start (levels), or its mean change (differences),
        z = np.r_[np.full(pad, z[:len(z) - targets].mean() if diff else z[0]), z]  # of its inputs, not its targets
        past, known = np.pad(past, ((pad, 0), (0, 0)), mode="edge"), np.pad(known, ((pad, 0), (0, 0)), mode="edge")
    if future is not None:
        z = np.r_[z, np.full(len(future), np.nan)]
        past = np.r_[past, np.full((len(future), past.shape[1]), np.nan)]
    return z, past, known, f.encoder_.static_row(frame)


def with_empty_rows(block: tuple, rows: int) -> tuple:
    """A ``(z, past, known, static)`` block with ``rows`` unknown rows after it (NaN target)."""
    z, past, known, static = block
    return (np.r_[z, np.full(rows, np.nan)], np.r_[past, np.zeros((rows, past.shape[1]))],
            np.r_[known, np.zeros((rows, known.shape[1]))], static)


#: ``window_steps``: a window's unit is at least this share of its series' mean absolute step
#: in training (a flat stretch, e.g. the zeros of an intermittent series, would otherwise
#: magnify its targets without bound).
STEP_FLOOR = 0.1


def make_window_set(f, blocks, sids: list, starts: str = "train") -> WindowSet:
    """A :class:`WindowSet` of ``blocks`` (one per series of ``sids``) with ``f``'s lookback,
    model horizon and scaler; ``window_steps`` windows take their unit floor from their
    series' fitted transform, the same in training and forecasting."""
    scaler = target_scaler(f)
    normalise = scaler if scaler.startswith("window_") else None
    floors = [STEP_FLOOR * f.transforms_[sid].params.get("step", 0.0) for sid in sids]
    return WindowSet(blocks, f.lookback_, f.model_horizon, f.encoder_.has_future_rows, normalise, starts, floors)


def window_shape(f) -> tuple:
    """(rows, features) of ``f``'s model windows."""
    encoder = f.encoder_
    future = f.model_horizon if encoder.has_future_rows else 0
    return (f.lookback_ + future,
            1 + encoder.n_past + encoder.n_known + encoder.n_static + int(encoder.has_future_rows))
