"""The forecaster's settings: constants, parameter checks and data-dependent defaults.

Nothing here touches Keras or trains; everything can run before ``fit``.

Examples
--------
>>> check_quantiles("0.9,0.1")
(0.1, 0.9)
>>> default_lookback(horizon=12, season=12, shortest=144)
24
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..checks import check_int
from ..data import Panel, from_pandas, load_csv
from ..errors import ConfigError, DataError, user_stacklevel
from ..features import check_calendar
from ..models.families import check_distribution
from ..models.registry import get_spec
from ..preprocess import PREPROCESS, resolve_fixed
from ..preprocess.seasonality import DESEASON_METHODS, grid_positions, seasonal_periods
from ..preprocess.transforms import LEVEL_SCALERS, SCALERS, check_transform_options
from ..windows import check_window_args

MODES = ("global", "local")
STRATEGIES = ("direct", "recursive")
#: Quantile levels of the ``q<tau>`` columns ``predict(samples=N)`` adds from sampled paths.
SAMPLE_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
#: Sampled paths behind the intervals (``level``) of a recursive model.
INTERVAL_PATHS = 1000
#: Rolled-out paths per batch when sampling (bounds the memory of many series x many paths).
PATH_CHUNK = 65536


def check_quantiles(quantiles) -> tuple[float, ...]:
    """``quantiles`` (``"0.1,0.9"`` or a list) as a sorted tuple of levels in (0, 1).

    Examples
    --------
    >>> check_quantiles("0.9,0.1"), check_quantiles(None)
    ((0.1, 0.9), ())
    """
    if quantiles is None or quantiles == "" or quantiles == ():
        return ()
    items = quantiles.split(",") if isinstance(quantiles, str) else quantiles if isinstance(
        quantiles, (list, tuple)) else [quantiles]
    taus = []
    for item in items:
        try:
            tau = float(item)
        except (TypeError, ValueError):
            tau = float("nan")
        if isinstance(item, bool) or not 0 < tau < 1:
            raise ConfigError(f"`quantiles` must be levels strictly between 0 and 1, such as (0.1, 0.9). "
                              f"Received: quantiles={quantiles!r}")
        taus.append(tau)
    if len(set(taus)) != len(taus):
        raise ConfigError(f"`quantiles` lists a level twice. Received: quantiles={quantiles!r}")
    return tuple(sorted(taus))


def model_taus(quantiles) -> tuple[float, ...]:
    """Quantile levels a quantile model forecasts (0.5 included), or () for point models.

    Examples
    --------
    >>> model_taus("0.1,0.9"), model_taus(None)
    ((0.1, 0.5, 0.9), ())
    """
    taus = check_quantiles(quantiles)
    return tuple(sorted({*taus, 0.5})) if taus else ()


def head_taus(forecaster) -> tuple[float, ...]:
    """Quantile levels ``forecaster``'s network outputs through a quantile head (0.5 included), or
    (): a point model, or a distribution model, whose ``quantiles`` come from its distribution.

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> head_taus(Forecaster("mlp", quantiles="0.1")), head_taus(Forecaster("mlp", quantiles="0.1", distribution="normal"))
    ((0.1, 0.5), ())
    """
    return () if forecaster.distribution else model_taus(forecaster.quantiles)


def target_scaler(forecaster) -> str:
    """The scaler of the target transforms. ``scaler="auto"`` (the default) is the model's own
    (the registry's ``scaler``: ``window_steps`` for the mlp, else ``standard``) under
    ``preprocess="auto"`` when no differences were asked for, and ``standard`` otherwise;
    ``distribution="negbin"`` takes ``"none"`` (raw counts, scaled inside the network by their
    window mean).

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> target_scaler(Forecaster("mlp")), target_scaler(Forecaster("mlp", preprocess="none"))
    ('window_steps', 'standard')
    >>> target_scaler(Forecaster("vanilla")), target_scaler(Forecaster("mlp", distribution="negbin"))
    ('standard', 'none')
    """
    f = forecaster
    if f.scaler != "auto" and f.scaler not in SCALERS:
        raise ConfigError(f"`scaler` must be one of auto, {', '.join(SCALERS)}. Received: scaler={f.scaler!r}")
    if f.distribution == "negbin":
        return "none"
    if f.scaler != "auto":
        return f.scaler
    if f.preprocess == "auto" and not (f.difference or f.seasonal_difference):
        return get_spec(f.model).scaler
    return "standard"


def default_lookback(horizon: int, season: int, shortest: int, multiple: int = 2, longest: int | None = None) -> int:
    """Default window length: ``multiple * max(season, horizon, 5)``, capped at half the usable
    history. ``multiple`` is the model's ``lookback_multiple`` in the registry (chosen on
    training-period validation, ``benchmarks/results/defaults.md``).

    A single series (``longest`` None) caps the window at half its own usable history. A global
    model on a panel takes ``longest`` too: its shortest series may cut the window to half a
    season (or horizon), no further (nor further than the longest allows); the series then too
    short for one window are padded (:func:`pad_rows`).

    Examples
    --------
    >>> default_lookback(horizon=12, season=12, shortest=144)
    24
    >>> default_lookback(horizon=12, season=12, shortest=36)
    12
    >>> default_lookback(horizon=12, season=12, shortest=144, multiple=1)
    12
    >>> default_lookback(horizon=52, season=52, shortest=66, multiple=1, longest=500)
    26
    """
    own = max(1, min(multiple * max(season, horizon, 5), (shortest - horizon + 1) // 2))
    if longest is None:
        return own
    return max(own, min(max(season, horizon, 5) // 2, default_lookback(horizon, season, longest, multiple)))


def pads_short(forecaster, n_series: int) -> bool:
    """Whether a fit of ``forecaster`` on ``n_series`` series pads the series too short for one
    window (:func:`pad_rows`): a global network (or an ensemble's) on a panel. A single series,
    a local model (one network per series) and a baseline are never padded.

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> pads_short(Forecaster("mlp"), 3), pads_short(Forecaster("mlp"), 1), pads_short(Forecaster("mlp", mode="local"), 3)
    (True, False, False)
    """
    return n_series > 1 and forecaster.mode != "local" and get_spec(forecaster.model).kind in ("neural", "ensemble")


def pad_rows(rows: int, lookback: int, model_horizon: int, warmup: int) -> int:
    """Rows a padded series (:func:`pads_short`) of ``rows`` rows gets before its first row, so
    that it holds one window of ``lookback`` rows and ``model_horizon`` targets (0 for a
    forecast window) after the ``warmup`` rows its differences consume; none when it is long
    enough (:func:`~forecastkit.checks.required_length`).

    Examples
    --------
    >>> pad_rows(100, lookback=26, model_horizon=52, warmup=1), pad_rows(66, 26, 52, 1), pad_rows(20, 26, 0, 1)
    (0, 13, 7)
    """
    return max(0, lookback + model_horizon + warmup - rows)


def fit_lookback(forecaster, panel: Panel) -> int:
    """The window a fit of ``forecaster`` on ``panel`` reads (its ``lookback_``): the given
    ``lookback``, else :func:`default_lookback` of its horizon and season on the panel's
    shortest series (and longest, for a global model on a panel), at the model's
    ``lookback_multiple``. Known before any training.

    Examples
    --------
    >>> from forecastkit import Forecaster, datasets
    >>> fit_lookback(Forecaster("vanilla"), datasets.load("airline"))
    12
    >>> fit_lookback(Forecaster("linear", horizon=3), datasets.load("airline"))
    24
    """
    season = int(forecaster.season or panel.season_length())
    horizon = int(forecaster.horizon or season)
    longest = max(panel.lengths.values()) if pads_short(forecaster, panel.n_series) else None
    return int(forecaster.lookback or default_lookback(horizon, season, min(panel.lengths.values()),
                                                       get_spec(forecaster.model).lookback_multiple, longest))


def cut_lookback(lookback: int, horizon: int, season: int, longest: int, multiple: int) -> int | None:
    """The default lookback the longest series (``longest`` rows) would allow, when a shorter
    one cut ``lookback`` to less than half of it (every series then reads the shorter window);
    else None.

    Examples
    --------
    >>> cut_lookback(2, horizon=4, season=4, longest=60, multiple=2), cut_lookback(8, 4, 4, 60, 2)
    (10, None)
    """
    full = default_lookback(horizon, season, longest, multiple)
    return full if 2 * lookback < full else None


#: The keyword arguments of the data loaders (:func:`~forecastkit.data.load_csv`, ``from_pandas``).
LOADER_ARGUMENTS = ("target", "time", "id", "past_covariates", "future_covariates", "static_covariates", "freq",
                    "fill", "source")


def training_layout(history: Panel, roles: dict, data, given: dict) -> dict:
    """``given`` (the caller's loader arguments for new history ``data``) completed so that
    ``data`` is read like the training data ``history``: its target, time and id columns,
    covariate roles and frequency (``roles``: the fitted model's ``covariates_``), each where
    ``data`` (a DataFrame or a CSV path) holds the columns and ``given`` does not set it.

    Examples
    --------
    >>> from forecastkit.data import from_pandas
    >>> history = from_pandas(pd.DataFrame({"step": [1, 2, 3], "sales": [1.0, 2.0, 3.0]}), time="step")
    >>> layout = training_layout(history, {}, pd.DataFrame({"step": [7, 8], "sales": [4.0, 5.0]}), {})
    >>> layout["target"], layout["time"], layout["past_covariates"]
    ('sales', 'step', [])
    """
    if isinstance(data, (str, Path)):
        try:
            columns = set(pd.read_csv(data, nrows=0).columns)
        except (OSError, ValueError):  # the loader reports it
            return dict(given)
    elif isinstance(data, pd.DataFrame):
        columns = set(map(str, data.columns)) | ({str(data.index.name)} if data.index.name is not None else set())
    else:  # a Series (its own layout) or a Panel (loaded already)
        return dict(given)
    needs = {"target": history.target.split(","),  # several: wide columns, one series each
             "time": [history.time_column], "id": [history.id_column],
             **{f"{role}_covariates": list(roles.get(role, [])) for role in ("past", "future", "static")}}
    layout = {}
    for name, needed in needs.items():
        if name in given or None in needed:
            continue
        if all(column in columns for column in needed):
            layout[name] = needed if name.endswith("covariates") else ",".join(needed)
    if "time" in layout and history.freq is not None and "freq" not in given:
        layout["freq"] = history.freq
    return {**layout, **given}


def read_new_history(data, history: Panel, roles: dict, given: dict) -> Panel:
    """New history ``data`` read like the training data ``history`` unless ``given`` says otherwise
    (:func:`training_layout`); timestamps off the grid of the frequency the model was fit on are
    refused as such: a fitted model forecasts at its own frequency, another ``freq`` cannot help."""
    load_kwargs, freq = training_layout(history, roles, data, given), history.freq
    try:
        return as_panel(data, **load_kwargs)
    except DataError as err:
        if freq is None or load_kwargs.get("freq") != freq or f"do not fit `freq` {freq!r}" not in str(err):
            raise
        what = str(err).split(" They fit ")[0]
        raise DataError(f"{what} The model was fit on {freq!r} data and forecasts at that frequency: give it "
                        f"history at {freq!r} (resample the data), or fit a model on this data.") from None


def as_panel(data, **kwargs) -> Panel:
    """A :class:`Panel` from a Panel, a CSV path or a pandas object (kwargs go to the loader).

    An argument the loaders do not take (a misspelled one, e.g. ``levels=``), or any loader
    argument beside a Panel (it is loaded already), is a ConfigError: never silently ignored.

    Examples
    --------
    >>> as_panel(pd.Series([1.0, 2.0, 3.0], name="y")).lengths
    {'y': 3}
    >>> as_panel(pd.Series([1.0, 2.0, 3.0]), levels=(80,))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: Unknown argument `levels`: neither this function's own nor one of the data loader's (target, time, id, past_covariates, future_covariates, static_covariates, freq, fill, source).
    """
    unknown = sorted(set(kwargs) - set(LOADER_ARGUMENTS))
    if unknown:
        raise ConfigError(f"Unknown argument{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(f'`{name}`' for name in unknown)}: neither this function's own nor one of "
                          f"the data loader's ({', '.join(LOADER_ARGUMENTS)}).")
    if isinstance(data, Panel):
        if kwargs:
            raise ConfigError(f"{', '.join(f'`{name}`' for name in kwargs)} cannot apply to `data` that is a Panel "
                              "already (loaded with its own settings): load it again with them, or drop them.")
        return data
    if isinstance(data, (str, Path)):
        return load_csv(data, **kwargs)
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return from_pandas(data, **kwargs)
    raise ConfigError(
        "`data` must be a forecastkit Panel, a CSV path or a pandas DataFrame/Series. "
        f"Received: data of type {type(data).__name__}"
    )


#: Forecaster arguments that shape a network's training data (its window and target
#: transforms). A baseline forecasts the raw series and ignores them (:func:`warn_ignored_by_baseline`).
TRAINING_DATA_ARGS = ("lookback", "transform", "difference", "deseason", "seasonal_difference", "scaler",
                      "preprocess", "id_embedding")


def warn_ignored_by_baseline(forecaster) -> None:
    """Warn when a baseline is given a window, target transforms (:data:`TRAINING_DATA_ARGS`) or
    calendar features, which it does not apply."""
    from ..settings import DEFAULTS

    given = [f"{name}={getattr(forecaster, name)!r}" for name in (*TRAINING_DATA_ARGS, "calendar")
             if getattr(forecaster, name) != getattr(DEFAULTS, name)]
    if given:
        warnings.warn(f"{forecaster.model!r} is a baseline, which forecasts the raw series: it ignores "
                      f"{', '.join(given)} (settings of a neural model's training data).", stacklevel=user_stacklevel())


def warn_covariates_ignored(model: str, covariates) -> None:
    """Warn that baseline ``model`` ignores the ``covariates`` the caller declared."""
    if covariates:
        warnings.warn(f"{model} forecasts from the target alone: it ignores the covariates "
                      f"{', '.join(map(repr, covariates))}.", stacklevel=user_stacklevel())


def check_settings(forecaster) -> dict:
    """Validate a single (not composite) forecaster's constructor arguments without data or Keras;
    returns the resolved hyperparameters (see :meth:`Forecaster.check_params`)."""
    f = forecaster
    spec = get_spec(f.model)
    check_window_args(f.lookback if f.lookback is not None else 1, f.horizon if f.horizon is not None else 1)
    fixed = fixed_chain(f)
    check_transform_options(target_scaler(f), fixed.get("power"), bool(fixed.get("difference")),
                            fixed.get("deseason") or "none", int(bool(fixed.get("seasonal_difference"))))
    if f.season is not None:
        check_int(f.season, "season")
    check_int(f.seed, "seed", minimum=0)
    if not isinstance(f.verbose, (bool, int, np.integer)) or f.verbose not in (0, 1, 2):
        raise ConfigError("`verbose` must be 0 (silent), 1 (a progress bar) or 2 (Keras' epoch logs). "
                          f"Received: verbose={f.verbose!r}")
    if f.mode not in MODES:
        raise ConfigError(f"`mode` must be 'global' or 'local'. Received: mode={f.mode!r}")
    check_int(f.id_embedding, "id_embedding", minimum=0)
    if f.id_embedding and f.mode == "local":
        raise ConfigError("`id_embedding` learns a vector per series inside one global model; it has no "
                          f"meaning with mode='local'. Drop it or use mode='global'. Received: "
                          f"id_embedding={f.id_embedding}")
    check_calendar(f.calendar)
    distribution = check_distribution(f.distribution)
    if distribution and spec.kind != "neural":
        raise ConfigError(f"`distribution` trains a distribution head, which only neural models have; "
                          f"{f.model!r} is a baseline. Use `level` for its native intervals.")
    if distribution == "negbin":
        check_counts_settings(f)
    taus = check_quantiles(f.quantiles)
    if taus and spec.kind != "neural":
        raise ConfigError(f"`quantiles` train a quantile head, which only neural models have; "
                          f"{f.model!r} is a baseline. Use `level` for its intervals.")
    if taus and not distribution and (f.difference or f.seasonal_difference):
        raise ConfigError("`quantiles` cannot be combined with `difference` or `seasonal_difference`: quantiles "
                          "of differences do not add up to quantiles of the level. Drop one of them.")
    if isinstance(f.strategy, bool) or f.strategy not in STRATEGIES:
        raise ConfigError(f"`strategy` must be 'direct' or 'recursive'. Received: strategy={f.strategy!r}")
    if f.strategy != "direct" and spec.kind != "neural":
        raise ConfigError(f"`strategy={f.strategy!r}` applies to neural models; {f.model!r} "
                          "is a baseline, which forecasts every step natively. Use strategy='direct'.")
    if taus and not distribution and f.strategy == "recursive":
        raise ConfigError("`quantiles` cannot be combined with strategy='recursive': a one-step "
                          "quantile head's quantiles do not compound over the horizon. Use strategy='direct', "
                          "or `level` / `samples` (quantiles of sampled paths).")
    if f.params is not None and not isinstance(f.params, dict):
        raise ConfigError(f"`params` must be a dict of hyperparameters. Received: params={f.params!r}")
    return spec.resolve(f.params)


def check_seasons(forecaster, panel: Panel) -> None:
    """Raise :class:`ConfigError`, before any fit, when the deseasonalisation or seasonal
    differences the user set cannot apply to ``panel``: its season is 1 (nothing to remove; a
    seasonal difference of lag 1 would be a second first difference), or deseasonalising meets
    a frequency without a calendar grid (business days)."""
    f = forecaster
    if get_spec(f.model).kind != "neural":
        return
    fixed = fixed_chain(f)
    deseason, sdiff = fixed.get("deseason") or "none", bool(fixed.get("seasonal_difference"))
    season = int(f.season or panel.season_length())
    why = ("integer periods, and no `season` given" if panel.freq is None
           else f"the frequency {panel.freq!r} has no seasonal cycle forecastkit knows; give `season`")
    if deseason != "none":
        grid_positions(panel.frame["time"].iloc[:1], panel.freq, panel.step)  # business days: no grid
        if not seasonal_periods(panel.freq, season):
            raise ConfigError(f"`deseason` {deseason!r} removes a seasonal pattern, but this data's season length "
                              f"is 1 ({why}). Set `season` to the cycle's length, or use deseason='none'.")
    if sdiff and season <= 1:
        raise ConfigError(f"`seasonal_difference` subtracts the value one season earlier, but this data's season "
                          f"length is 1 ({why}): it would be a second first difference. Set `season` to the "
                          "cycle's length, or drop `seasonal_difference`.")


def fixed_chain(forecaster) -> dict:
    """The transform parts the user set, checked (see :func:`~forecastkit.preprocess.resolve_fixed`)."""
    f = forecaster
    if isinstance(f.preprocess, bool) or f.preprocess not in PREPROCESS:
        raise ConfigError(f"`preprocess` must be 'auto' or 'none'. Received: preprocess={f.preprocess!r}")
    if f.deseason is not None and f.deseason not in DESEASON_METHODS:
        raise ConfigError(f"`deseason` must be one of {', '.join(DESEASON_METHODS)}. "
                          f"Received: deseason={f.deseason!r}")
    for name in ("difference", "seasonal_difference"):
        value = getattr(f, name)
        if value is not None and not isinstance(value, (bool, np.bool_)):
            raise ConfigError(f"`{name}` must be True, False or None (auto). Received: {name}={value!r}")
    if f.transform not in (None, "none", "log", "boxcox"):
        raise ConfigError(f"`transform` must be one of log, boxcox or none. Received: transform={f.transform!r}")
    fixed = resolve_fixed(f.transform, f.difference, f.deseason, f.seasonal_difference)
    scaler = target_scaler(f)
    if scaler in LEVEL_SCALERS or f.preprocess == "none" or head_taus(f) or f.distribution == "negbin":
        # level scalers take raw levels; quantiles of differences do not add up; negbin models raw
        # counts: nothing to choose
        fixed = {"power": None, "difference": False, "deseason": "none", "seasonal_difference": False, **fixed}
    elif scaler == "window_steps":  # levels (log and deseasonalised ones too), never differences
        fixed = {"difference": False, "seasonal_difference": False, **fixed}
    return fixed


def check_counts_settings(forecaster) -> None:
    """``distribution="negbin"`` models raw counts (scaled inside the network): refuse the target
    transforms a user set and the window scalers."""
    f = forecaster
    chosen = {"transform": f.transform not in (None, "none"), "difference": bool(f.difference),
              "deseason": f.deseason not in (None, "none"), "seasonal_difference": bool(f.seasonal_difference),
              "scaler": str(f.scaler).startswith("window_")}
    name = next((name for name, used in chosen.items() if used), None)
    if name:
        raise ConfigError(f"`distribution` 'negbin' models the raw counts, scaled by each window's mean inside the "
                          f"network, so it takes no `{name}`. Drop it, or use `distribution` 'normal' or 'studentt'. "
                          f"Received: {name}={getattr(f, name)!r}")


def covariate_roles(panel: Panel) -> dict:
    """The covariate columns of each role, as JSON-friendly lists.

    Examples
    --------
    >>> covariate_roles(as_panel(pd.Series([1.0, 2.0], name="y")))
    {'past': [], 'future': [], 'static': [], 'categorical': []}
    """
    return {"past": list(panel.covariates), "future": list(panel.future_covariates),
            "static": list(panel.static_covariates), "categorical": list(panel.categorical)}


def describe_roles(roles: dict) -> str:
    """Covariate roles in words (``"past ['price']"``), or ``"none"``."""
    named = [f"{role} {names}" for role, names in roles.items() if names and role != "categorical"]
    return ", ".join(named) or "none"


def tail(panel: Panel, rows: int) -> Panel:
    """The last ``rows`` rows of every series of ``panel``."""
    return panel.with_frame(panel.frame.groupby("id", sort=False).tail(rows).reset_index(drop=True))
