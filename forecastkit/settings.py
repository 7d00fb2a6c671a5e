"""Run settings, defined once: every setting's name, type, default, help and commands.

The command line's flags (``--learning-rate``), the TOML config keys (``learning_rate`` or
``learning-rate``) and the Python defaults all derive from :class:`RunSettings`, so a
setting has one name and one default everywhere. ``None`` means "resolved from the data"
(e.g. ``horizon`` and ``season`` from the frequency) or "the model's own default" (the
hyperparameters). Each field's metadata holds its help text, the commands that take it
(:data:`COMMANDS`), its group in ``--help`` and, for a hyperparameter, ``hyper=True``.

Examples
--------
>>> DEFAULTS.folds, DEFAULTS.refit, DEFAULTS.horizon
(None, 'every:6', None)
>>> RunSettings(horizon=6).horizon
6
>>> flag("learning_rate"), setting_kinds("dropout"), hyper_names()[:2]
('--learning-rate', (<class 'int'>, <class 'float'>), ('epochs', 'units'))
>>> "evaluate" in commands_of("resume"), "forecast" in commands_of("resume")
(True, False)
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field

#: The commands that take run settings.
COMMANDS = ("forecast", "evaluate", "ablation", "tune")
RUNS = ("evaluate", "ablation")  # commands writing a run directory
TRACKED = ("forecast", "evaluate", "tune")  # commands logging an MLflow run with --mlflow


def _setting(default=None, help: str | dict = "", *, commands=COMMANDS, group: str | dict = "model",
             metavar: str | dict | None = None, default_text: str | dict | None = None, hyper: bool = False,
             flags: dict | None = None, factory=None, flag: str | None = None):
    """A field with its command-line metadata.

    ``help`` is one text, or ``{command: text}`` (then those are the commands taking it);
    ``group`` and ``default_text`` likewise. ``default_text`` replaces the ``(default: ...)`` shown in ``--help``
    (``""``: none). ``flags`` maps extra flags to the constant each stores (``--global``). ``flag``: the
    flag, when an issue named it otherwise than ``--name-with-dashes`` (``mlflow_uri``: ``--mlflow``).
    """
    if isinstance(help, dict):
        commands = tuple(help)
    metadata = {"help": help, "commands": tuple(commands), "group": group, "metavar": metavar,
                "default_text": default_text, "hyper": hyper, "flags": flags, "flag": flag}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


_LOCAL = "forecast reads their values after the data's end from --future-data"
_WALK = "the walk-forward takes their values over each origin's horizon from the data"
_SEE_MODELS = "(defaults: `forecastkit models`)"


#: Settings of ``forecast --from-run`` taken from the command, not from the evaluate run (with
#: ``model``): what to write and how, and what only forecasting needs (the covariates' future values).
FORECAST_OUTPUTS = ("out", "save_model", "quiet", "verbose", "samples", "level", "future_data", "mlflow_uri",
                    "mlflow_experiment")


@dataclass(frozen=True)
class RunSettings:
    """Every run setting with its type and default (see the command line's ``--help``).

    Build one with :func:`forecastkit.config.merge_settings` (defaults < TOML file < flags);
    ``model_tables`` holds a config file's ``[models.<name>]`` tables (name -> hyperparameters).
    """

    # data
    data: str | None = _setting(
        help="CSV file (wide or long; compressed too: .gz, .bz2, .xz, .zst, a one-file .zip), or a shipped dataset name",
        group="data", metavar="FILE|NAME",
        default_text="airline")
    target: str | list | None = _setting(
        help="target column; 'a,b' makes one series per column of a wide file", group="data", metavar="COL",
        default_text="the only value column")
    time: str | None = _setting(help="time column", group="data", metavar="COL", default_text="inferred")
    id: str | None = _setting(help="series id column of a long file", group="data", metavar="COL")
    past_covariates: str | list | None = _setting(
        help="covariate columns known up to each forecast origin (observed with the target), fed to neural "
             "models as extra inputs", group="data", metavar="A,B")
    future_covariates: str | list | None = _setting(
        help={c: "covariate columns known over the horizon too (planned prices, holidays); "
                 + (_LOCAL if c == "forecast" else _WALK) for c in COMMANDS}, group="data", metavar="A,B")
    static_covariates: str | list | None = _setting(
        help="columns holding one value per series (store type, region); numeric or labels", group="data",
        metavar="A,B")
    future_data: str | None = _setting(
        help={"forecast": "CSV with the --future-covariates' values over the horizon: a time column, the id "
                          "column of a panel, and those covariates"}, group="data", metavar="FILE")
    calendar: str | list | None = _setting(
        help="calendar features known over the horizon: minute, hour, weekday, day, week, month, quarter, "
             "dayofyear (needs timestamps)", group="data", metavar="A,B")
    skip_short: bool = _setting(
        False, "leave out, with a warning, series too short for the lookback + horizon", group="data",
        default_text="an error naming them; a global model on a panel pads them")
    freq: str | None = _setting(help="pandas frequency such as MS, W-SUN, D, h", group="data", metavar="F",
                                default_text="inferred")
    fill: str | None = _setting(help="repair missing values and gaps: interpolate, ffill or zero", group="data",
                                metavar="POLICY", default_text="missing values are an error")
    # model
    horizon: int | None = _setting(help="steps to forecast", metavar="H",
                                   default_text="the season length, e.g. 12 for monthly data, or 1")
    mode: str = _setting(
        "global", flags={"--global": ("global", "neural models on a panel: one model trained on the windows of "
                                                "all series, each scaled on its own (default)"),
                         "--local": ("local", "neural models on a panel: one model per series (baselines are "
                                              "always per series)")})
    id_embedding: int = _setting(0, "global models: learn a D-vector per series id, fed beside each window",
                                 metavar="D", default_text="0, none")
    lookback: int | None = _setting(help="input window length", metavar="L",
                                    default_text="k x max(season, horizon, 5), k per model (1 or 2: `forecastkit models` "
                                                 "lists them), capped at half the history (a global model on a panel: "
                                                 "at half a season at least, padding shorter series)")
    season: int | None = _setting(help="season length", metavar="M", default_text="from the frequency")
    scaler: str = _setting("auto", "auto, standard, minmax, none, window_last, window_mean or window_steps",
                           metavar="S", default_text="auto: window_steps for the mlp under --preprocess auto, "
                                                     "else standard (fit on the training data only)")
    preprocess: str = _setting(
        "auto", "auto (default): neural models choose log, deseasonalising or seasonal differences, and "
                "differences per fit from its training data; none: only the transforms set by the flags below",
        metavar="P", default_text="")
    transform: str | None = _setting(help="none, log or boxcox", metavar="T", default_text="chosen by --preprocess")
    deseason: str | None = _setting(
        help="classical, stl or none: remove the seasonal indices (season, and the weekly cycle of hourly/daily "
             "data)", metavar="D", default_text="chosen by --preprocess")
    seasonal_difference: bool | None = _setting(help="model differences at the season length",
                                                default_text="chosen by --preprocess")
    difference: bool | None = _setting(help="model first differences", default_text="chosen by --preprocess")
    seed: int = _setting(0, "random seed; same seed, same numbers", metavar="S")
    model: str | None = _setting(
        help={"forecast": "model name, see `forecastkit models`",
              "ablation": "recurrent builder: vanilla, stacked, bidirectional, cnn_lstm or encoder_decoder",
              "tune": "the neural model to tune, see `forecastkit models`"},
        metavar="NAME", default_text={"forecast": "linear; with --from-run: best", "ablation": "vanilla",
                                      "tune": "required"})
    models: str | list | None = _setting(help={"evaluate": "models to evaluate"}, metavar="A,B|all",
                                         default_text="all neural models")
    strategy: str = _setting(
        "direct", {"forecast": "neural models: direct (one network output per horizon step) or recursive "
                               "(a one-step network fed its own forecasts)",
                   "evaluate": "neural models: direct or recursive (one-step network rolled out over the horizon)",
                   "tune": "direct or recursive (one-step network rolled out over the horizon)"},
        metavar="S")
    distribution: str | None = _setting(
        help={"forecast": "neural models: forecast a distribution per step, normal, studentt or negbin (counts), "
                          "trained by its likelihood; yhat is its mean, --level / --quantiles / --samples come "
                          "from it",
              "evaluate": "neural models: forecast a distribution per step (normal, studentt or negbin), trained "
                          "by its likelihood; its intervals and CRPS are scored"},
        metavar="D", default_text="none, a point forecast")
    members: str | list | None = _setting(
        help={c: "model ensemble: the models whose median it forecasts, per series and step"
              for c in ("forecast", "evaluate")}, metavar="A,B", default_text="linear,mlp,vanilla")
    bag: int = _setting(
        1, {c: "neural models (and each neural member of an ensemble): train N copies over seeds and lookbacks "
               "(x1, x1.5, x2 the lookback) and forecast their median" for c in ("forecast", "evaluate")},
        metavar="N")
    no_baselines: bool = _setting(
        False, {"evaluate": "leave out the reference baselines (naive, seasonal_naive, naive2, ets, theta, arima)"})
    cells: str | list = _setting("all", {"ablation": "cells to compare; lstm, the default, is always in"},
                                 metavar="A,B|all")
    repeats: int = _setting(1, {"ablation": "seeds per cell: the metric's spread across them shows the "
                                            "training noise"}, metavar="K")
    # walk-forward
    folds: int | None = _setting(
        None, "number of forecast origins", commands=RUNS, group="walk-forward", metavar="N",
        default_text="24; on a panel of more than 50 series fewer, about 1,200 series x origins in all, at least 3")
    stride: int | None = _setting(
        None, "rows between origins (default: the smallest that gives --folds origins enough for a sized "
              "significance test, e.g. 2 for horizon 12 and 24 folds)", commands=RUNS, group="walk-forward",
        metavar="S")
    start: int | str | None = _setting(
        help="first origin, a row number or a timestamp (instead of --folds)", commands=RUNS,
        group="walk-forward", metavar="T")
    gap: int = _setting(0, "rows left out of training before each fit's first origin", commands=RUNS,
                        group="walk-forward", metavar="G")
    window: str = _setting("expanding", "training window: expanding or sliding:N", commands=RUNS,
                           group="walk-forward", metavar="W")
    refit: str = _setting("every:6", "always, every:K (one fit serves K origins) or never", commands=RUNS,
                          group="walk-forward", metavar="R")
    cohorts: int = _setting(
        8, "a global model on a panel whose series end at different times: at most K fits per origin, one "
           "per group of series ending together, each trained up to its group's cut-off (1: one fit, every "
           "series trained up to the earliest cut-off)", commands=RUNS, group="walk-forward", metavar="K")
    warm_start: bool = _setting(False, {"evaluate": "with every:K, continue from the previous fit's weights"},
                                group="walk-forward")
    metric: str = _setting(
        "mase", {"evaluate": "rank by mase, smape, mae, rmse, mape or owa, by the forecast distributions' crps "
                             "or pinball loss, or with --level by the interval scores msis, winkler or coverage_gap",
                 "ablation": "rank by mase, smape, mae, rmse or mape",
                 "tune": "the metric trials minimise: mase, smape, mae, rmse, mape or owa"},
        group={"evaluate": "walk-forward", "ablation": "walk-forward", "tune": "tuning"}, metavar="M")
    level: str | int | float | list | None = _setting(
        help={"forecast": "add prediction intervals at these levels (percent, e.g. 80,95) as yhat_lo_L / "
                          "yhat_hi_L columns: native for the baselines, split-conformal on the held-out windows "
                          "for neural models (--strategy recursive: quantiles of 1000 sampled paths)",
              "evaluate": "add conformal prediction intervals at these levels (percent, e.g. 80,95), calibrated "
                          "on errors known before each origin, and score them"},
        group={"forecast": "output", "evaluate": "walk-forward"}, metavar="L,L")
    min_calibration: int = _setting(
        10, {"evaluate": "earlier errors needed per model, series and step before an origin gets an interval"},
        group="walk-forward", metavar="N")
    # hyperparameter search (tune; evaluate --tune): Optuna, scored on training data only
    trials: int | None = _setting(
        help={"tune": "trials in all: with --resume the study continues up to N (N at or below the trials done: "
                      "nothing to do)"}, group="tuning", metavar="N", default_text="required")
    tune: int = _setting(
        0, {"evaluate": "also tune every neural model with N Optuna trials per fit, each search on that fit's "
                        "training data alone (an inner walk-forward); the tuned ones rank as 'NAME (tuned)'; "
                        "needs pip install \"forecastkit[optuna]\""}, group="tuning", metavar="N",
        default_text="0, no tuning")
    timeout: int | float | None = _setting(help={"tune": "start no trial after S seconds"}, group="tuning",
                                           metavar="S", default_text="none")
    inner_folds: int = _setting(
        3, {c: "origins of the inner walk-forward scoring each trial: the last of the training data, up to a "
               "horizon apart, each with its own fit" for c in ("tune", "evaluate")}, group="tuning", metavar="K")
    space: str | dict | None = _setting(
        help={c: "search space: name=low:high[:log], name=a|b|c, name=value (fixed) or a bare name (its listed "
                 "space), comma-separated, e.g. units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|gru"
              for c in ("tune", "evaluate")}, group="tuning", metavar="SPACE",
        default_text="units, layers, l2, filters, kernel_size, learning_rate, batch_size, lookback "
                     "over the spaces `forecastkit models` lists")
    # hyperparameters of the neural models (None: the model's own default)
    epochs: int | None = _setting(help="maximum epochs", group="hyper", metavar="N", hyper=True,
                                  default_text="100, early stopping")
    units: int | None = _setting(help="units per layer", group="hyper", metavar="N", hyper=True)
    layers: int | None = _setting(help="layers (stacked, mlp)", group="hyper", metavar="N", hyper=True)
    l2: int | float | None = _setting(help="ridge prior on the weights, per training window (linear)", group="hyper",
                                      metavar="A", hyper=True, default_text="1")
    filters: int | None = _setting(help="convolution filters (cnn_lstm)", group="hyper", metavar="N", hyper=True)
    kernel_size: int | None = _setting(help="convolution kernel width (cnn_lstm)", group="hyper", metavar="N",
                                       hyper=True)
    batch_size: int | None = _setting(help=f"batch size {_SEE_MODELS}", group="hyper", metavar="N", hyper=True)
    learning_rate: int | float | None = _setting(help=f"Adam learning rate {_SEE_MODELS}", group="hyper",
                                                 metavar="LR", hyper=True)
    patience: int | None = _setting(help=f"early-stopping patience in epochs {_SEE_MODELS}", group="hyper",
                                    metavar="N", hyper=True)
    dropout: int | float | None = _setting(help="dropout rate", group="hyper", metavar="P", hyper=True,
                                           default_text="0")
    validation: int | float | None = _setting(
        help="share of the latest training windows held out for early stopping and interval calibration",
        group="hyper", metavar="F", hyper=True, default_text="0.1")
    window_sample: int | None = _setting(
        help="windows drawn per series per epoch, afresh each epoch; bounds the epoch time of long panels",
        group="hyper", metavar="N", hyper=True, default_text="0, all")
    cell: str | None = _setting(
        help="recurrent cell of the LSTM-family models: lstm (default), peephole, nig, nfg, nog, niaf, noaf, np, "
             "cifg, fgr, indy or gru (see `forecastkit models`)", commands=("forecast", "evaluate", "tune"),
        group="hyper", metavar="NAME", hyper=True)
    forget_init: str | None = _setting(
        help="starting gate biases of the recurrent models (vanilla, stacked, bidirectional): keras (forget bias 1) "
             "or chrono (Tallec & Ollivier 2018: memory time scales up to --chrono-max steps, for long lags)",
        commands=("forecast", "evaluate", "tune"), group="hyper", metavar="NAME", hyper=True,
        default_text="keras")
    chrono_max: int | None = _setting(
        help="chrono's longest memory time scale in steps", commands=("forecast", "evaluate", "tune"),
        group="hyper", metavar="N", hyper=True, default_text="0, 4 x the lookback")
    loss: str | None = _setting(
        help=f"training loss on the scaled targets: mse, mae or huber (delta 1); early stopping watches it too "
             f"{_SEE_MODELS}", group="hyper", metavar="NAME", hyper=True)
    steps_per_epoch: int | None = _setting(
        help="optimiser steps per epoch: larger training sets train each epoch on N x batch-size windows drawn "
             f"afresh (0: all windows) {_SEE_MODELS}", group="hyper", metavar="N", hyper=True)
    # output
    out: str | None = _setting(
        help={"forecast": "forecast CSV to write (.tsv: tab-separated; .gz etc.: compressed; -: standard output)",
              "evaluate": "run directory", "ablation": "run directory",
              "tune": "study folder: study.sqlite, trials.csv, best.toml, history.png, importance.png"},
        group="output", metavar={"forecast": "FILE", "evaluate": "DIR", "ablation": "DIR", "tune": "DIR"},
        default_text={"forecast": "forecast.csv", "evaluate": "forecastkit-run", "ablation": "forecastkit-ablation",
                      "tune": "forecastkit-tune"})
    save_model: str | None = _setting(help={"forecast": "also save the fitted model to DIR"}, group="output",
                                      metavar="DIR")
    quantiles: str | float | list | None = _setting(
        help={"forecast": "neural models: also forecast these quantiles (e.g. 0.1,0.9) with a pinball-loss "
                          "quantile head (with --distribution: the distribution's quantiles); adds q0.1-style "
                          "columns"}, group="output", metavar="Q,Q")
    samples: int | None = _setting(
        help={"forecast": "neural models: draw N future paths (bootstrapping the held-out errors, or from "
                          "--distribution) and add their quantiles as q0.05 ... q0.95 columns",
              "evaluate": "neural models: score N sampled future paths per origin (CRPS, pinball loss, intervals "
                          "from their quantiles)"}, group="output", metavar="N")
    from_run: str | None = _setting(
        help={"forecast": "refit the winner (or --model NAME) of an `evaluate` run with that run's data and "
                          "settings, on all the data"}, group="output", metavar="DIR")
    resume: bool = _setting(False, "continue the interrupted run (tune: study) in --out (not with --overwrite)",
                            commands=(*RUNS, "tune"), group="output")
    overwrite: bool = _setting(
        False, "replace the run (tune: study) in --out: removes only forecastkit's own files there (not with "
               "--resume)", commands=(*RUNS, "tune"), group="output")
    fast_nondeterministic: bool = _setting(
        False, {"evaluate": "skip TensorFlow op determinism: faster on some hardware, but reruns may differ in the "
                            "last digits"}, group="output")
    jobs: int | None = _setting(
        None, "processes training the fits (1: in this process); not with --scheduler", commands=RUNS,
        group="output", metavar="N", default_text="all CPUs, capped by memory and the number of jobs")
    scheduler: str | None = _setting(
        None, "run the fits on Dask: local:N (a LocalCluster of N workers) or tcp://HOST:PORT (a running "
              "scheduler); needs pip install \"forecastkit[dask]\"; not with --jobs", commands=RUNS,
        group="output", metavar="ADDRESS")
    mlflow_uri: str | None = _setting(
        None, "log this command as one MLflow run (settings, metrics, files) to this tracking store: "
              "sqlite:///PATH, file:DIR or http://HOST:PORT; needs pip install \"forecastkit[mlflow]\"",
        commands=TRACKED, group="output", metavar="URI", flag="--mlflow", default_text="no tracking")
    mlflow_experiment: str = _setting("forecastkit", "the MLflow experiment of the --mlflow run",
                                      commands=TRACKED, group="output", metavar="NAME")
    quiet: bool = _setting(False, "print nothing but errors", group="output")
    verbose: bool = _setting(False, "show Keras epoch logs", group="output")
    # not a flag: the config file's [models.<name>] tables
    model_tables: dict = _setting(commands=(), group="", factory=dict)


#: The defaults of every setting.
DEFAULTS = RunSettings()

#: Fields that are not settings a user names (no flag, no top-level TOML key).
_INTERNAL = ("model_tables",)


def setting_names() -> tuple[str, ...]:
    """Names of every run setting (flag ``--name-with-dashes``, TOML key), in declaration order.

    Examples
    --------
    >>> setting_names()[:3]
    ('data', 'target', 'time')
    """
    return tuple(f.name for f in dataclasses.fields(RunSettings) if f.name not in _INTERNAL)


def setting_field(name: str) -> dataclasses.Field:
    """The dataclass field of setting ``name`` (its ``metadata`` holds help, commands, group)."""
    return _fields()[name]


@functools.cache
def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(RunSettings)}


def flag(name: str) -> str:
    """The command-line flag of setting ``name``: ``learning_rate`` -> ``--learning-rate`` (or the
    flag its field names: ``mlflow_uri`` -> ``--mlflow``)."""
    named = _fields()[name].metadata.get("flag") if name in _fields() else None
    return named or "--" + name.replace("_", "-")


@functools.cache
def setting_kinds(name: str) -> tuple[type, ...]:
    """The types a value of setting ``name`` may have (``None`` aside): from its annotation."""
    hint = typing.get_type_hints(RunSettings)[name]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return tuple(t for t in typing.get_args(hint) if t is not type(None))
    return (hint,)


def commands_of(name: str) -> tuple[str, ...]:
    """The commands that take setting ``name`` as a flag."""
    return setting_field(name).metadata["commands"]


@functools.cache
def hyper_names() -> tuple[str, ...]:
    """The settings that are hyperparameters of the neural models (``--epochs`` ...)."""
    return tuple(f.name for f in dataclasses.fields(RunSettings) if f.metadata.get("hyper"))
