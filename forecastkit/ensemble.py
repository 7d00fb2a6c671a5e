"""Ensembles: the median of several models (``ensemble``) and bagging of one network (``bag``).

``Forecaster("ensemble", members="linear,mlp,vanilla")`` fits every member on the same
training data with the ensemble's settings (horizon, lookback, preprocessing, season,
covariates, mode, strategy) and forecasts the median, per series and horizon step, of the
members' forecasts. ``Forecaster("vanilla", bag=5)`` fits five copies of one network over
different seeds and lookbacks (N-BEATS style) and forecasts their median (``bag=1``, the
default: one network). In an ensemble, ``bag`` bags every neural member, each one median.

Default members
    ``linear, mlp, vanilla`` (:data:`DEFAULT_MEMBERS`): the cheapest builder of each family.
    Their biases differ (linear in the window, nonlinear in it, recurrent over it), so their
    errors do too, and together they cost about one LSTM plus a little; the median of three
    ignores whichever member is furthest off at each step. Only neural members by default:
    baselines are what the ensemble is compared with.
    Any model may be a member, baselines included (they get only ``horizon``, ``season`` and
    ``seed``); an ensemble may not.
Seeds
    Member ``name`` trains with :func:`member_seed` ``(seed, name)``. Bag copy 0 is the single
    network; copy ``j`` gets ``member_seed(seed, f"bag{j}")`` and a :func:`bag_lookbacks` window.
Hyperparameters
    An ensemble's ``params`` holds hyperparameters shared by every member that has them
    (``{"epochs": 20}``) and dicts of one member's own (``{"mlp": {"units": 16}}``); a shared
    name no member has is an error. A bag's ``params`` are its network's.
Members chosen on held-out origins
    Each fit of an ensemble scores every member on its latest training origins whose horizon
    lies in every network's held-out windows and forecasts the median of the best ``k``, the
    smallest combination kept only when it beats every larger one by 2 %
    (:mod:`forecastkit.ensemble_validation`; ``weights_``, ``preprocess_``): only the fit's own
    training data decides. A bag forecasts the median of all its copies. The walk-forward
    trains ensembles and bags on its sequential path.
Intervals (``predict(level=...)``)
    Split-conformal on the ensemble's own errors at those held-out origins, divided by each
    series' mean absolute one-step change, pooled over series (one list each in local mode).
Refused, before any training
    Quantile heads, sampled paths and ``warm_start``: a median of networks has no quantile
    head, no one set of held-out residuals to draw paths from nor of weights to continue.

Examples
--------
>>> import numpy as np
>>> from forecastkit import Forecaster, datasets
>>> f = Forecaster("ensemble", members="linear,naive,seasonal_naive", horizon=3, lookback=12,
...                params={"epochs": 2}).fit(datasets.load("airline"))
>>> [member.model for member in f.members_]
['linear', 'naive', 'seasonal_naive']
>>> each = np.array([member.predict()["yhat"] for member in f.members_])
>>> chosen = [i for i, member in enumerate(f.members_) if member.model in f.weights_]
>>> bool(np.allclose(f.predict()["yhat"], np.median(each[chosen], axis=0)))
True
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import ensemble_validation as validation
from .checks import check_int, check_levels
from .data import GLOBAL_ID
from .errors import ConfigError, DataError, ModelFileError, NotFittedError
from .forecaster import floors, options, persistence, preparation
from .intervals import bound_columns, check_calibration_size, conformal_half_width
from .models.registry import MODELS, get_spec, model_names
from .versions import versions

_ENSEMBLES = tuple(model_names("ensemble"))
#: The members of ``ensemble`` when ``members`` is None.
DEFAULT_MEMBERS: tuple[str, ...] = get_spec("ensemble").members
#: Lookback multipliers the copies of a bag cycle through (copy ``j``: ``LOOKBACK_FACTORS[j % 3]``).
LOOKBACK_FACTORS = (1.0, 1.5, 2.0)
_FOLDER = re.compile(r"members/[0-9]+-[a-z0-9_]+")


# ------------------------------------------------------------------------ checks --
def is_composite(forecaster) -> bool:
    """Whether ``forecaster`` forecasts the median of several fitted forecasters: an ensemble or
    a bag (``bag`` other than 1), or a model given ``members`` (:func:`check_composite` refuses).

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> [is_composite(Forecaster(m, bag=b)) for m, b in (("mlp", 1), ("mlp", 3), ("ensemble", 1))]
    [False, True, True]
    """
    bag = forecaster.bag
    return (get_spec(forecaster.model).name in _ENSEMBLES or forecaster.members is not None
            or isinstance(bag, bool) or not isinstance(bag, (int, np.integer)) or bag != 1)


def check_bag(bag) -> int:
    """``bag`` checked: an integer >= 1.

    >>> check_bag(5)
    5
    """
    return check_int(bag, "bag")


def check_members(members) -> tuple[str, ...]:
    """``members`` (``"a,b"``, a list of model names, or None for :data:`DEFAULT_MEMBERS`) checked.

    Examples
    --------
    >>> check_members("mlp, naive"), check_members(None)
    (('mlp', 'naive'), ('linear', 'mlp', 'vanilla'))
    >>> check_members("mlp,ensemble")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `members` may not include an ensemble ('ensemble'): list the models themselves, e.g. members='linear,mlp,vanilla'. Received: members='mlp,ensemble'
    """
    if members is None:
        return DEFAULT_MEMBERS
    items = members.split(",") if isinstance(members, str) else members if isinstance(members, (list, tuple)) else None
    if items is None or not all(isinstance(item, str) for item in items):
        raise ConfigError("`members` must name registered models, as 'linear,mlp' or a list of names. "
                          f"Received: members={members!r}")
    names = tuple(item.strip() for item in items if item.strip())
    if not names:
        raise ConfigError(f"`members` must name at least one model, e.g. '{','.join(DEFAULT_MEMBERS)}'. "
                          f"Received: members={members!r}")
    if len(names) < len(items):
        raise ConfigError(f"`members` has an empty name (two commas in a row, or one at an end): list the models, "
                          f"e.g. '{','.join(DEFAULT_MEMBERS)}'. Received: members={members!r}")
    for name in names:
        if name in _ENSEMBLES:
            raise ConfigError(f"`members` may not include an ensemble ({name!r}): list the models "
                              f"themselves, e.g. members='{','.join(DEFAULT_MEMBERS)}'. Received: members={members!r}")
        if name not in MODELS:
            close = difflib.get_close_matches(name, list(MODELS), n=1)
            raise ConfigError(f"`members` lists {name!r}, which is not a model. Available models: "
                              f"{', '.join(m for m in MODELS if m not in _ENSEMBLES)}. Received: members={members!r}"
                              + (f". Did you mean {close[0]!r}?" if close else ""))
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice:
        raise ConfigError(f"`members` lists {twice!r} twice; for several copies of one network use "
                          f"`bag`. Received: members={members!r}")
    return names


def check_composite(forecaster) -> dict:
    """``check_params`` of an ensemble or a bag: settings, members and hyperparameters checked
    before any data or Keras. Returns ``{member: resolved hyperparameters}`` for an ensemble,
    the network's own resolved hyperparameters for a bag."""
    bag = check_bag(forecaster.bag)
    spec = get_spec(forecaster.model)
    if spec.kind != "ensemble" and forecaster.members is not None:
        raise ConfigError(f"`members` lists the members of model 'ensemble'; model {forecaster.model!r} "
                          f"has none. Use model='ensemble', or drop members. "
                          f"Received: members={forecaster.members!r}")
    if spec.kind == "baseline":
        raise ConfigError(f"`bag` trains copies of a neural network over seeds and lookbacks; "
                          f"{forecaster.model!r} is a baseline, which has neither. Use bag=1. Received: bag={bag}")
    what = "an ensemble" if spec.kind == "ensemble" else f"a bag (bag={bag})"
    if options.check_quantiles(forecaster.quantiles):
        raise ConfigError(f"`quantiles` train one network's quantile head; {what} forecasts the median "
                          "of several models and has none. Drop quantiles; use `level` for intervals.")
    if forecaster.distribution is not None:
        raise ConfigError(f"`distribution` trains one network's distribution head; {what} forecasts the median "
                          "of several models and has none. Drop distribution; use `level` for intervals.")
    if forecaster.warm_start:
        raise ConfigError(f"`warm_start` continues one network's weights; {what} trains several. "
                          "Drop warm_start.")
    check_int(forecaster.seed, "seed", minimum=0)
    if spec.kind != "ensemble":
        return type(forecaster)(**{**forecaster.get_params(), "bag": 1}).check_params()
    if bag > 1 and all(get_spec(name).kind == "baseline" for name in check_members(forecaster.members)):
        raise ConfigError(f"`bag` trains copies of an ensemble's neural members; its members "
                          f"({', '.join(check_members(forecaster.members))}) are all baselines. Use bag=1, or add "
                          f"a neural member. Received: bag={bag}")
    return {member.model: member.check_params() for member in _members(forecaster)}


def refuse_sampling(forecaster, name: str) -> None:
    """Raise for an ensemble or a bag: sampled paths need one network's held-out residuals."""
    if is_composite(forecaster):
        raise ConfigError(f"`{name}` draws future paths from one network's held-out errors; model "
                          f"{forecaster.model!r} (bag={forecaster.bag!r}) forecasts the median of several models and "
                          "has no such paths. Use `level`: split-conformal intervals on the median's errors.")


def kind_of(forecaster) -> str:
    """``"neural"`` or ``"baseline"``: how the walk-forward and the command line treat
    ``forecaster``. An ensemble with a neural member is neural (it trains, follows the refit
    policy and needs lookback rows); one of baselines only is a baseline.

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> [kind_of(f) for f in (Forecaster("ensemble"), Forecaster("ensemble", members="naive,ets"),
    ...                       Forecaster("mlp", bag=3))]
    ['neural', 'baseline', 'neural']
    """
    return model_kind(forecaster.model, forecaster.members)


def model_kind(model: str, members=None) -> str:
    """:func:`kind_of` from a model name and (an ensemble's) ``members``."""
    spec = get_spec(model)
    if spec.kind != "ensemble":
        return spec.kind
    return "neural" if any(get_spec(name).kind == "neural" for name in check_members(members)) else "baseline"


def accepted_hypers(forecaster) -> set[str]:
    """Hyperparameter names ``forecaster`` takes in ``params`` (an ensemble: its members')."""
    spec = get_spec(forecaster.model)
    names = check_members(forecaster.members) if spec.kind == "ensemble" else (forecaster.model,)
    return {h.name for name in names for h in get_spec(name).all_hypers}


def ensemble_params(settings: dict, strict: bool = True) -> dict:
    """``params`` of an ensemble from run settings (CLI flags and config file).

    The ``[models.ensemble]`` table (shared hyperparameters, ``[models.ensemble.<member>]``
    tables), then each member's own ``[models.<member>]`` table under its name, less what the
    hyperparameter settings (flags and top-level config keys) give: those apply to every
    member, over any table, as they do over a single model's table
    (:func:`~forecastkit.config.model_params`). A flag no member has is an error
    (``strict``) or is left out (``evaluate``, where a flag applies to every model having it).
    """
    from .config import HYPER_FLAGS

    names = check_members(settings.get("members"))
    tables = settings.get("model_tables") or {}
    params = {key: dict(value) if isinstance(value, dict) else value
              for key, value in (tables.get("ensemble") or {}).items()}
    known = {h.name for name in names for h in get_spec(name).all_hypers}
    for flag in HYPER_FLAGS:
        if settings.get(flag) is None:
            continue
        if flag not in known and strict:
            raise ConfigError(f"`--{flag.replace('_', '-')}` applies to none of the ensemble's members "
                              f"({', '.join(names)}). Their hyperparameters are: {', '.join(sorted(known)) or 'none'}.")
        if flag in known:
            params[flag] = settings[flag]
    given = {flag for flag in HYPER_FLAGS if settings.get(flag) is not None}
    for name in names:
        own = {key: value for key, value in {**(tables.get(name) or {}), **params.pop(name, {})}.items()
               if key not in given}
        params.update({name: own} if own else {})
    return params


def member_seed(seed: int, key: str) -> int:
    """The seed of ensemble member ``key`` (its model name) or bag copy ``key`` (``"bag<j>"``),
    derived from the ensemble's ``seed``.

    Examples
    --------
    >>> member_seed(0, "mlp") == member_seed(0, "mlp") != member_seed(1, "mlp") != member_seed(0, "bag1")
    True
    """
    return zlib.crc32(f"{int(seed)}|{key}".encode()) % (2**31 - 1)


def bag_lookbacks(lookback: int, bag: int, cap: int) -> list[int]:
    """Lookbacks of a bag's copies: copy ``j`` looks back ``lookback * LOOKBACK_FACTORS[j % 3]``
    rows (x1, x1.5, x2, x1, ...), rounded, at most ``cap`` and never fewer than ``lookback``.

    ``fit`` passes ``cap`` = half the rows for windows of the shortest series (of the longest
    when a global model pads short ones), as :func:`~forecastkit.forecaster.default_lookback`
    caps. Copies look back 1, 1.5 and 2 default windows, as N-BEATS' ensemble looks back
    several horizons.

    Examples
    --------
    >>> bag_lookbacks(24, 5, cap=60)
    [24, 36, 48, 24, 36]
    >>> bag_lookbacks(24, 3, cap=30)
    [24, 30, 30]
    """
    return [max(lookback, min(int(round(lookback * LOOKBACK_FACTORS[j % len(LOOKBACK_FACTORS)])), cap))
            for j in range(bag)]


# ------------------------------------------------------------------------ members --
def _members(forecaster) -> list:
    """The ensemble's unfitted members, with the ensemble's settings and their own seeds."""
    names = check_members(forecaster.members)
    shared, tables = _split_params(forecaster.params, names)
    horizon = forecaster.__dict__.get("horizon_", forecaster.horizon)  # resolved once fitting
    cls, settings = type(forecaster), {**forecaster.get_params(), "horizon": horizon, "level": None}
    members = []
    for name in names:
        spec, seed = get_spec(name), member_seed(forecaster.seed, name)
        if spec.kind != "neural":
            members.append(cls(name, horizon=horizon, season=forecaster.season, seed=seed,
                               verbose=forecaster.verbose, params=tables.get(name) or None))
            continue
        known = {h.name for h in spec.all_hypers}
        params = {**{k: v for k, v in shared.items() if k in known}, **tables.get(name, {})}
        members.append(cls(**{**settings, "model": name, "members": None, "params": params or None, "seed": seed}))
    return members


def _split_params(params, names: tuple) -> tuple[dict, dict]:
    """An ensemble's ``params`` as (shared hyperparameters, ``{member: its own}``), checked."""
    if params is None:
        return {}, {}
    if not isinstance(params, dict):
        raise ConfigError(f"`params` must be a dict of hyperparameters. Received: params={params!r}")
    shared, tables = {}, {}
    for key, value in params.items():
        if key in MODELS:
            if key not in names:
                raise ConfigError(f"`params` holds hyperparameters of {key!r}, which is not a member of this ensemble "
                                  f"({', '.join(names)}). Add it to `members`, or drop its entry.")
            if not isinstance(value, dict):
                raise ConfigError(f"`params[{key!r}]` must be a dict of {key}'s own hyperparameters. "
                                  f"Received: params[{key!r}]={value!r}")
            tables[key] = dict(value)
        else:
            shared[key] = value
    known = list(dict.fromkeys(h.name for name in names for h in get_spec(name).all_hypers))
    for key in shared:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            raise ConfigError(f"Unknown hyperparameter {key!r} for model 'ensemble': none of its members "
                              f"({', '.join(names)}) has it. Their hyperparameters are: {', '.join(known) or 'none'}."
                              + (f" Did you mean {close[0]!r}?" if close else ""))
    return shared, tables


def _copies(forecaster, panel) -> list:
    """A bag's unfitted copies: seeds and lookbacks as :func:`member_seed` and :func:`bag_lookbacks` say."""
    lookbacks = bag_lookbacks(forecaster.lookback_, forecaster.bag, _bag_cap(
        forecaster, panel, forecaster.model_horizon, _warmup(forecaster, forecaster.season_)))
    settings = {**forecaster.get_params(), "bag": 1, "horizon": forecaster.horizon_, "level": None}
    return [type(forecaster)(**{**settings, "lookback": lookback,
                                "seed": forecaster.seed if j == 0 else member_seed(forecaster.seed, f"bag{j}")})
            for j, lookback in enumerate(lookbacks)]


def _bag_cap(forecaster, panel, model_horizon: int, warmup: int) -> int:  # see bag_lookbacks
    return ((max if options.pads_short(forecaster, panel.n_series) else min)(panel.lengths.values())
            - model_horizon - warmup + 1) // 2


def _warmup(forecaster, season: int) -> int:
    """Leading rows ``forecaster``'s differencing consumes (after ``fit``: its chosen chain's)."""
    warmup = getattr(forecaster, "warmup", None)
    return int(warmup(season)) if callable(warmup) else int(bool(forecaster.difference))


def _leaves(forecaster) -> list:
    """The fitted single models under an ensemble or a bag (bags unpacked)."""
    return [leaf for member in forecaster.members_
            for leaf in (_leaves(member) if hasattr(member, "members_") and is_composite(member) else [member])]


def _neural(leaves: list) -> list:
    return [leaf for leaf in leaves if get_spec(leaf.model).kind == "neural"]


# ---------------------------------------------------------------- fit / forecast --
def unfitted_members(forecaster, panel) -> list:
    """An ensemble's members or a bag's copies, resolved on ``panel`` and unfitted; DataError
    when a series is too short for one's windows (before any trains)."""
    preparation.resolve(forecaster, panel)
    members = _members(forecaster) if get_spec(forecaster.model).name in _ENSEMBLES else _copies(forecaster, panel)
    for member in members:
        member.check_windows(panel)
    return members


def fit_composite(forecaster, panel):
    """``Forecaster.fit`` of an ensemble or a bag: fit every member on ``panel`` alone."""
    from .errors import ShortSeriesWarning

    members = unfitted_members(forecaster, panel)
    widest = max(members, key=lambda member: member.lookback or 0)  # a bag's copy that pads the most
    for member in members:
        with warnings.catch_warnings():
            if member is not widest and get_spec(forecaster.model).name not in _ENSEMBLES:
                warnings.simplefilter("ignore", ShortSeriesWarning)  # the widest copy says it for all
            member.fit(panel)
    forecaster.members_, forecaster.transforms_ = members, {}
    forecaster.calibration_ = None  # computed on the first request for intervals
    leaves = _leaves(forecaster)
    neural = _neural(leaves)
    shapes = [(leaf.lookback_, _warmup(leaf, leaf.season_), leaf.model_horizon, leaf.hyper_["validation"])
              for leaf in neural]
    local = forecaster.mode == "local" and panel.n_series > 1
    forecaster.calibration_origins_ = validation.origin_counts(panel.lengths, forecaster.horizon_, shapes, local)
    if len(neural) < len(leaves):  # a baseline member forecasts from the whole history
        forecaster.history_ = panel
    else:
        rows = max(max(leaf.history_.lengths.values()) for leaf in neural)
        forecaster.history_ = options.tail(panel, rows + max(forecaster.calibration_origins_.values())
                                           + forecaster.horizon_)
    forecaster.combination_ = tuple(range(len(members)))
    if get_spec(forecaster.model).name in _ENSEMBLES and len(members) > 1:
        _combine(forecaster)
    _describe(forecaster)
    return forecaster


def _combine(forecaster) -> None:
    """Choose the members the ensemble combines on its held-out origins
    (:func:`~forecastkit.ensemble_validation.choose_members`) and keep the chosen median's
    errors there as the intervals' calibration."""
    local = _local(forecaster)
    histories, actual, keys, units = validation.held_out(forecaster, local)
    if not histories:
        return
    each = np.stack([np.asarray(member.predict_histories(histories), dtype=float)
                     for member in forecaster.members_])
    forecaster.combination_ = validation.choose_members(each, actual, units)
    errors = np.abs(actual - np.median(each[list(forecaster.combination_)], axis=0)) / units
    sizes = validation.sizes(forecaster.calibration_origins_, local)
    forecaster.calibration_ = validation.sorted_errors(errors, keys, sizes)


def _describe(forecaster) -> None:
    """``weights_`` (:func:`weights`) and ``preprocess_``: the chosen members, then their chains."""
    forecaster.weights_ = weights(forecaster)
    choices = [f"{leaf.model}: {leaf.preprocess_}" for leaf in _leaves(forecaster) if hasattr(leaf, "preprocess_")]
    if get_spec(forecaster.model).name in _ENSEMBLES:
        kept = list(forecaster.weights_)  # one member: it beat the median of more
        choices.insert(0, f"{kept[0]} alone" if len(kept) == 1 else "median of " + ", ".join(kept))
    if choices:
        forecaster.preprocess_ = "; ".join(dict.fromkeys(choices))


def weights(forecaster) -> dict:
    """``weights_`` of a fitted ensemble or bag: ``{member: weight}`` of the members it combines
    (``1 / k`` each; members left out are not listed)."""
    chosen = [forecaster.members_[i] for i in forecaster.combination_]
    return {member.model if get_spec(forecaster.model).name in _ENSEMBLES else f"copy{i}": 1 / len(chosen)
            for i, member in zip(forecaster.combination_, chosen)}


def median_of_members(forecaster, histories: list) -> np.ndarray:
    """``predict_histories`` of an ensemble or a bag: the median of its members' forecasts,
    ``(len(histories), horizon)``."""
    if not hasattr(forecaster, "members_"):
        raise NotFittedError("This Forecaster is not fitted yet. Call `fit(data)` before forecasting.")
    if not histories:
        return np.zeros((0, forecaster.horizon_))
    chosen = getattr(forecaster, "combination_", range(len(forecaster.members_)))
    forecasts = [np.asarray(forecaster.members_[i].predict_histories(histories), dtype=float) for i in chosen]
    return np.median(np.stack(forecasts), axis=0)


def predict_composite(forecaster, data, future, levels, samples, load_kwargs: dict) -> pd.DataFrame:
    """``Forecaster.predict`` of an ensemble or a bag (see :meth:`Forecaster.predict`)."""
    levels = check_levels(levels)
    forecaster.check_samples(samples)  # refused: no sampled paths
    local = _local(forecaster)
    if levels:
        check_calibration_size(levels, min(validation.sizes(forecaster.calibration_origins_, local).values()))
    panel = (options.as_panel(forecaster.history_, **load_kwargs) if data is None  # as Forecaster.predict reads
             else options.read_new_history(data, forecaster.history_, forecaster.covariates_, load_kwargs))
    leaves = _leaves(forecaster)
    if data is not None:
        for leaf in leaves:
            leaf.check_history(panel)
    futures = (_neural(leaves) or leaves)[0].future_frames(panel, future)
    histories = [(sid, panel.series(sid), futures.get(sid)) for sid in panel.ids]
    columns = {"yhat": median_of_members(forecaster, histories)}
    if levels:
        calibration, scales = _calibration(forecaster)
        unseen = next((sid for sid, _, _ in histories if local and sid not in calibration), None)
        if unseen is not None:
            raise DataError(f"Series {unseen!r} was not in the training data, so this local model has no errors "
                            "of its own to calibrate intervals on. Forecast it without levels, or refit.")
        units = [scales.get(sid) or validation.unit(frame["y"]) for sid, frame, _ in histories]  # unseen: its own scale
        for level in levels:
            half = np.array([conformal_half_width(calibration[sid if local else GLOBAL_ID], level) * unit
                             for (sid, _, _), unit in zip(histories, units)])
            lo, hi = bound_columns(level)
            columns[lo], columns[hi] = columns["yhat"] - half, columns["yhat"] + half
    name = get_spec(forecaster.model).name
    frame = pd.concat([
        pd.DataFrame({"id": sid, "time": panel.future_times(sid, forecaster.horizon_), "model": name,
                      **{column: values[i] for column, values in floors.floor_columns(columns, histories).items()}})
        for i, (sid, _, _) in enumerate(histories)], ignore_index=True)
    if levels:
        kind = "ensemble" if name in _ENSEMBLES else "bag"
        frame.attrs["intervals"] = f"split-conformal on the {kind}'s median at its held-out origins"
    return frame


# ---------------------------------------------------------------------- intervals --
def _local(forecaster) -> bool:
    """Whether a fitted ensemble or bag calibrates per series (local mode on a panel)."""
    return forecaster.mode == "local" and len(forecaster.calibration_origins_) > 1


def _calibration(forecaster) -> tuple[dict, dict]:
    """``({key: sorted absolute scaled errors, (origins, horizon)}, {id: unit})`` of the ensemble's
    forecast at the held-out origins of the stored training tail (computed once: at ``fit`` for
    an ensemble, on the first request for a bag or a loaded model)."""
    panel, local = forecaster.history_, _local(forecaster)
    scales = {sid: validation.unit(panel.series(sid)["y"]) for sid in panel.ids}
    if getattr(forecaster, "calibration_", None) is not None:
        return forecaster.calibration_, scales
    histories, actual, keys, units = validation.held_out(forecaster, local)
    errors = np.abs(actual - median_of_members(forecaster, histories).reshape(actual.shape)) / units
    sizes = validation.sizes(forecaster.calibration_origins_, local)
    forecaster.calibration_ = validation.sorted_errors(errors, keys, sizes)
    return forecaster.calibration_, scales


def levels_before_fit(forecaster, panel, levels) -> None:
    """``check_levels_before_fit`` of an ensemble or a bag: raise now, not after training, when
    its fit on ``panel`` would have too few calibration origins for ``levels``."""
    levels = check_levels(levels)
    if not levels:
        return
    hyper = forecaster.check_params()
    season = int(forecaster.season or panel.season_length())
    horizon = int(forecaster.horizon or season)
    model_horizon = 1 if forecaster.strategy == "recursive" else horizon
    lookback = options.fit_lookback(forecaster, panel)
    warmup = _warmup(forecaster, season)
    ensemble = get_spec(forecaster.model).name in _ENSEMBLES
    hypers = [h for name, h in hyper.items() if get_spec(name).kind == "neural"] if ensemble else [hyper]
    lookbacks = bag_lookbacks(lookback, forecaster.bag, _bag_cap(forecaster, panel, model_horizon, warmup))
    shapes = [(each, warmup, model_horizon, h["validation"]) for h in hypers for each in lookbacks]
    local = forecaster.mode == "local" and panel.n_series > 1
    counts = validation.origin_counts(panel.lengths, horizon, shapes, local)
    check_calibration_size(levels, min(validation.sizes(counts, local).values()))


# -------------------------------------------------------------------- save / load --
def save_composite(forecaster, path) -> Path:
    """``Forecaster.save`` of an ensemble or a bag: ``metadata.json`` and each member saved in
    its own folder ``members/<i>-<model>`` (a bagged member: its copies inside it)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    folders = []
    for i, member in enumerate(forecaster.members_):
        folders.append(f"members/{i}-{member.model}")
        member.save(path / folders[-1])
    metadata = {
        "format": persistence.METADATA_FORMAT, "params": forecaster.get_params(),
        "lookback": forecaster.lookback_, "season": forecaster.season_, "horizon": forecaster.horizon_,
        "hyper": forecaster.hyper_,
        "target": forecaster.target_, "freq": forecaster.freq_, "step": forecaster.step_,
        "covariates": forecaster.covariates_, "transforms": {}, "encoder": None, "ids": [], "calibration": {},
        "history": persistence.panel_to_json(forecaster.history_),
        "versions": versions(keras_backend=bool(_neural(_leaves(forecaster)))),
        "members": folders, "calibration_origins": forecaster.calibration_origins_,
        "combination": list(forecaster.combination_),
    }
    (path / "metadata.json").write_text(json.dumps(metadata, indent=1))
    return path


def load_composite(cls, meta_file: Path, metadata: dict):
    """``Forecaster.load`` of an ensemble or a bag (``metadata`` already checked by
    ``Forecaster.load``); each member is loaded from its folder the same way (safe mode)."""
    try:
        forecaster = cls(**metadata["params"])
        forecaster.check_params()
        expected = (list(check_members(forecaster.members)) if get_spec(forecaster.model).name in _ENSEMBLES
                    else [forecaster.model] * check_bag(forecaster.bag))
        persistence.restore_settings(forecaster, metadata)
        forecaster.transforms_ = {}
        forecaster.calibration_ = None
        forecaster.history_ = persistence.panel_from_json(metadata["history"])
        forecaster.calibration_origins_ = {str(sid): int(k) for sid, k in metadata["calibration_origins"].items()}
        folders = metadata["members"]
        if not isinstance(folders, list) or not all(isinstance(f, str) and _FOLDER.fullmatch(f) for f in folders):
            raise ValueError(f"`members` must list folders members/<i>-<model>, not {folders!r}")
        if len(folders) != len(expected):
            raise ValueError(f"it lists {len(folders)} members, but its params say {len(expected)}")
        forecaster.combination_ = tuple(int(i) for i in metadata.get("combination", range(len(folders))))
        if not forecaster.combination_ or any(not 0 <= i < len(folders) for i in forecaster.combination_):
            raise ValueError(f"`combination` must list member positions below {len(folders)}, "
                             f"not {metadata['combination']!r}")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        reason = f"missing key {err}" if isinstance(err, KeyError) else str(err)
        raise ModelFileError(f"{meta_file} is malformed ({reason}); it was not written by forecastkit's save() or "
                             "was edited. Re-save the model.") from None
    forecaster.members_ = [cls.load(meta_file.parent / folder) for folder in folders]
    for member, name, folder in zip(forecaster.members_, expected, folders):
        if member.model != name or member.horizon_ != forecaster.horizon_:
            raise ModelFileError(f"{meta_file.parent / folder} holds a {member.model!r} model of horizon "
                                 f"{member.horizon_}, but {meta_file} expects {name!r} of horizon {forecaster.horizon_}: "
                                 "the folders were edited or mixed up. Re-save the model.")
    _describe(forecaster)
    from .forecaster.engines import CompositeEngine

    forecaster.engine_ = CompositeEngine(forecaster)
    forecaster.remember_settings()
    return forecaster


__all__ = ["DEFAULT_MEMBERS", "LOOKBACK_FACTORS", "bag_lookbacks", "check_bag", "check_members", "is_composite",
           "kind_of", "member_seed"]
