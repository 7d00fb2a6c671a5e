"""The model zoo: every forecaster by name, its description and hyperparameters.

This is the one place that names hyperparameters, their defaults and allowed ranges. It never
imports Keras: builders are named as ``"module:function"`` strings and imported on first use,
so listing models and validating hyperparameters stays fast.

Examples
--------
>>> from forecastkit.models.registry import get_spec, model_names
>>> "linear" in model_names()
True
>>> get_spec("stacked").defaults()["layers"]
2
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, replace

from ..checks import check_int
from ..errors import ConfigError, ConfigTypeError
from .cells import (
    CELL_NAMES,
    DEFAULT_CELL,
    DEFAULT_FORGET_INIT,
    FORGET_INITS,
    check_forget_init,
)
from .hyper import check_float, check_horizon, check_input_shape
from .names import Names, normal_form


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: name, default, type (int, float or str) and its allowed values."""

    name: str
    default: int | float | str
    kind: type  # int, float or str
    help: str
    minimum: float = 0.0
    maximum: float | None = None  # exclusive upper bound
    choices: tuple[str, ...] = ()  # str hyperparameters: the allowed values

    def check(self, model: str, value: object) -> int | float:
        """Return ``value`` as a Python int/float, or raise a Keras-style error.

        Examples
        --------
        >>> Hyper("units", 32, int, "LSTM units", minimum=1).check("vanilla", 8)
        8
        >>> Hyper("cell", "lstm", str, "cell", choices=("lstm", "gru")).check("vanilla", "gur")
        Traceback (most recent call last):
        ...
        forecastkit.errors.ConfigError: `cell` of model 'vanilla' must be one of: lstm, gru. Received: cell='gur'. Did you mean 'gru'?
        >>> Hyper("cell", "lstm", str, "cell", choices=("lstm", "gru")).check("vanilla", "GRU")  # variants
        'gru'
        """
        if self.kind is str:
            if not isinstance(value, str):
                raise ConfigTypeError(f"`{self.name}` of model '{model}' must be a string, one of: "
                                      f"{', '.join(self.choices)}. Received: {self.name}={value!r} "
                                      f"({type(value).__name__})")
            if value in self.choices:
                return value
            names = Names(self.choices)
            found = names.find(value)
            if found is None:
                raise ConfigError(f"`{self.name}` of model '{model}' must be one of: {', '.join(self.choices)}. "
                                  f"Received: {self.name}={value!r}.{names.hint(value)}")
            return found
        if self.kind is int:
            return check_int(value, self.name, int(self.minimum), context=f"model '{model}'")
        return check_float(model, self.name, value, minimum=self.minimum, maximum=self.maximum,
                           include_maximum=self.maximum is None)


#: The training losses (``loss``); Huber's delta is on the scaled targets, like the losses themselves.
LOSSES = ("mse", "mae", "huber")
HUBER_DELTA = 1.0

# These training defaults, and each model's own ``training`` and ``lookback_multiple`` below, were
# chosen on training-period validation of the shipped datasets (benchmarks/choose_defaults.py; the
# evidence is in benchmarks/results/defaults.md, "Training defaults").
TRAINING = (
    Hyper("epochs", 100, int, "maximum training epochs (early stopping may end sooner)", 1),
    Hyper("batch_size", 0, int, "windows per gradient step (0: by the training windows, 32 up to 16,000 "
          "of them, doubled per doubling, at most 256)", 0),
    Hyper("learning_rate", 0.003, float, "Adam learning rate", 1e-12),
    Hyper("patience", 10, int, "epochs without validation improvement before stopping", 1),
    Hyper("validation", 0.1, float, "share of the latest training windows held out for early stopping",
          0.0, 0.9),
    Hyper("window_sample", 0, int, "windows drawn per series per epoch, afresh each epoch (0: all)", 0),
    Hyper("loss", "mse", str, "training loss on the scaled targets: mse, mae or huber (delta 1); early "
          "stopping watches the same loss", choices=LOSSES),
    Hyper("steps_per_epoch", 50, int, "optimiser steps per epoch: when the fit windows exceed steps_per_epoch x "
          "batch_size, each epoch draws that many afresh (0: every window)", 0),
)
_TRAINING_NAMES = frozenset(h.name for h in TRAINING)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: how to build it and what it accepts."""

    name: str
    description: str
    hypers: tuple[Hyper, ...] = ()  # the builder's own; neural models add TRAINING
    builder: str = ""  # neural models: "module:function" of the Keras builder
    forecast: str = ""  # baselines: "module:function" of f(y, horizon, season) -> forecasts
    training: tuple[tuple[str, float | str], ...] = ()  # this model's own training defaults
    intervals: str = ""  # baselines: "module:function" of f(y, horizon, season, levels) -> bounds
    members: tuple[str, ...] = ()  # ensembles: the default members (see forecastkit.ensemble)
    #: Neural models the fold-parallel path covers: "module:function" of the grouped plan
    #: ``f(input_shape, horizon, hyper) -> layers`` beside the Keras builder (forecastkit.grouped).
    grouped: str = ""
    #: The default lookback in multiples of ``max(season, horizon, 5)`` (forecaster.default_lookback).
    lookback_multiple: int = 2
    #: The target scaler ``scaler="auto"`` gives under ``preprocess="auto"`` (forecaster.target_scaler).
    scaler: str = "standard"
    #: Baselines whose native intervals are Gaussian (a forecast distribution: scored by the Gaussian CRPS).
    gaussian_intervals: bool = False

    @property
    def kind(self) -> str:
        """``"neural"`` (a Keras builder), ``"baseline"`` (a per-series forecast function) or
        ``"ensemble"`` (the median of other models, :mod:`forecastkit.ensemble`)."""
        return "ensemble" if self.members else "neural" if self.builder else "baseline"

    @property
    def all_hypers(self) -> tuple[Hyper, ...]:
        """The builder's hyperparameters followed by the training settings (neural models)."""
        if not self.builder:
            return self.hypers
        own = dict(self.training)
        return self.hypers + tuple(replace(h, default=own.get(h.name, h.default)) for h in TRAINING)

    def defaults(self) -> dict[str, int | float]:
        """Every hyperparameter's default, training settings included."""
        return {h.name: h.default for h in self.all_hypers}

    def resolve(self, params: dict | None) -> dict[str, int | float]:
        """Defaults updated with ``params``, each value checked; unknown names are errors.

        Examples
        --------
        >>> get_spec("linear").resolve({"l2": 0.01})["l2"]
        0.01
        >>> get_spec("vanilla").resolve({"unit": 8})
        Traceback (most recent call last):
        ...
        forecastkit.errors.ConfigError: Unknown hyperparameter 'unit' for model 'vanilla'. Its hyperparameters are: units, dropout, cell, forget_init, chrono_max, epochs, batch_size, learning_rate, patience, validation, window_sample, loss, steps_per_epoch. Did you mean 'units'?
        """
        params = dict(params or {})
        known = {h.name: h for h in self.all_hypers}
        unknown = [name for name in params if name not in known]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), list(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"Unknown hyperparameter {unknown[0]!r} for model '{self.name}'. "
                f"Its hyperparameters are: {', '.join(known) or 'none'}.{hint}"
            )
        resolved = self.defaults()
        for name, value in params.items():
            resolved[name] = known[name].check(self.name, value)
        if "forget_init" in resolved:  # chrono needs a cell with a forget gate
            check_forget_init(resolved["cell"], resolved["forget_init"], self.name)
        return resolved

    def split(self, resolved: dict) -> tuple[dict, dict]:
        """``(builder arguments, training settings)`` of a :meth:`resolve` result."""
        build = {k: v for k, v in resolved.items() if k not in _TRAINING_NAMES}
        training = {k: v for k, v in resolved.items() if k in _TRAINING_NAMES}
        return build, training

    def load_builder(self):
        """Import and return the Keras builder function (imports TensorFlow)."""
        return _import(self.builder)

    def load_grouped(self):
        """Import and return the builder's grouped plan
        ``f(input_shape, horizon, hyper) -> tuple of forecastkit.grouped.Layer``: the same
        architecture as the Keras builder, for the fold-parallel path (imports TensorFlow).

        Examples
        --------
        >>> [layer.kind for layer in get_spec("mlp").load_grouped()((12, 1), 3, {"units": 4, "layers": 2})]
        ['flatten', 'dense', 'dense', 'dense']
        """
        return _import(self.grouped)

    def load_forecast(self):
        """Import and return a baseline's ``f(y, horizon, season)`` forecast function."""
        return _import(self.forecast)

    def load_intervals(self):
        """Import and return a baseline's native interval function
        ``f(y, horizon, season, levels) -> array (len(levels), 2, horizon)`` (lower, upper).

        Examples
        --------
        >>> get_spec("naive").load_intervals()([1.0, 2.0], 1, 1, (80,)).shape
        (1, 2, 1)
        """
        if not self.intervals:
            raise ConfigError(
                f"Model '{self.name}' has no native prediction intervals. Models with them: "
                f"{', '.join(n for n, s in MODELS.items() if s.intervals)}."
            )
        return _import(self.intervals)


def _import(target: str):
    module, function = target.split(":")
    return getattr(importlib.import_module(module, __package__), function)


_UNITS = Hyper("units", 32, int, "LSTM units per layer", 1)
_CELL = Hyper("cell", DEFAULT_CELL, str, "recurrent cell (forecastkit models lists them)", choices=CELL_NAMES)
#: Starting gate biases (cells.chrono_bias): chrono reaches lags of hundreds of steps (benchmarks/long_lag.py).
_GATE_INIT = (Hyper("forget_init", DEFAULT_FORGET_INIT, str, "starting gate biases: keras (forget bias 1) or "
                    "chrono (Tallec & Ollivier 2018)", choices=FORGET_INITS),
              Hyper("chrono_max", 0, int, "chrono's longest memory time scale in steps (0: 4 x the lookback)", 0))
_DROPOUT = Hyper("dropout", 0.0, float, "dropout rate on layer inputs", 0.0, 1.0)

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("linear", "one Dense layer from the window to the horizon (linear autoregression)",
                  (Hyper("l2", 1.0, float, "ridge prior on the weights, per training window: the squared norm "
                         "costs l2 / (training windows) on the mean loss"),), ".dense:build_linear",
                  training=(("learning_rate", 0.01),), grouped=".dense:grouped_linear"),
        ModelSpec("mlp", "multilayer perceptron on the flattened window",
                  (Hyper("units", 64, int, "hidden units per layer", 1),
                   Hyper("layers", 2, int, "hidden layers", 1), _DROPOUT), ".dense:build_mlp",
                  training=(("loss", "mae"),), lookback_multiple=1, grouped=".dense:grouped_mlp",
                  scaler="window_steps"),
        ModelSpec("vanilla", "one LSTM layer (or another cell), then Dense to the horizon",
                  (_UNITS, _DROPOUT, _CELL, *_GATE_INIT), ".recurrent:build_vanilla", lookback_multiple=1,
                  grouped=".recurrent:grouped_vanilla"),
        ModelSpec("stacked", "several LSTM layers (or another cell), then Dense to the horizon",
                  (_UNITS, Hyper("layers", 2, int, "LSTM layers", 1), _DROPOUT, _CELL, *_GATE_INIT),
                  ".recurrent:build_stacked", lookback_multiple=1, grouped=".recurrent:grouped_stacked"),
        ModelSpec("bidirectional", "bidirectional LSTM (or another cell) over the window, then Dense",
                  (_UNITS, _DROPOUT, _CELL, *_GATE_INIT), ".recurrent:build_bidirectional",
                  training=(("learning_rate", 0.01),), lookback_multiple=1,
                  grouped=".recurrent:grouped_bidirectional"),
        ModelSpec("cnn_lstm", "causal Conv1D feature extractor, then LSTM (or another cell), then Dense",
                  (Hyper("filters", 32, int, "convolution filters", 1),
                   Hyper("kernel_size", 3, int, "convolution kernel width", 1), _UNITS, _DROPOUT, _CELL),
                  ".conv:build_cnn_lstm", grouped=".conv:grouped_cnn_lstm"),
        ModelSpec("encoder_decoder", "seq2seq: encoder and decoder LSTMs (or another cell), per-step output",
                  (_UNITS, _DROPOUT, _CELL), ".seq2seq:build_encoder_decoder", lookback_multiple=1,
                  grouped=".seq2seq:grouped_encoder_decoder"),
        ModelSpec("naive", "repeats the last observed value", forecast=".baselines:naive",
                  intervals=".baselines:naive_intervals", gaussian_intervals=True),
        ModelSpec("seasonal_naive", "repeats the last observed season (season length m)",
                  forecast=".baselines:seasonal_naive",
                  intervals=".baselines:seasonal_naive_intervals", gaussian_intervals=True),
        ModelSpec("naive2", "naive on the seasonally adjusted series when a 90% ACF test finds "
                  "seasonality (M4 benchmark)", forecast=".naive2:naive2",
                  intervals=".naive2:naive2_intervals", gaussian_intervals=True),
        ModelSpec("ets", "exponential smoothing (statsmodels ETS), trend and season chosen by AICc",
                  forecast=".ets:ets",
                  intervals=".ets:ets_intervals"),
        ModelSpec("theta", "the Theta method (SES with drift) on the seasonally adjusted series",
                  forecast=".theta:theta",
                  intervals=".theta:theta_intervals", gaussian_intervals=True),
        ModelSpec("arima", "ARIMA(p,d,q): d by KPSS tests, p and q <= 2 by AIC",
                  forecast=".arima:arima",
                  intervals=".arima:arima_intervals", gaussian_intervals=True),
        ModelSpec("ensemble", "the median, per series and step, of its members' forecasts (members=, --members); "
                  "each neural member may be bagged (bag=, --bag)", members=("linear", "mlp", "vanilla")),
    )
}


def model_names(kind: str | None = None) -> list[str]:
    """Registered model names, optionally only ``"neural"``, ``"baseline"`` or ``"ensemble"`` ones."""
    return [name for name, spec in MODELS.items() if kind in (None, spec.kind)]


_MODEL_NAMES = Names(MODELS)
#: The models with a recurrent ``cell`` hyperparameter (the LSTM family).
_CELL_MODELS = tuple(name for name, spec in MODELS.items() if any(h.name == "cell" for h in spec.hypers))


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` registered under ``name``, or a clear error listing the names.

    ``-``/``_`` and case variants are accepted (:mod:`.names`); an unknown name gets a
    suggestion, and a recurrent cell's name (``lstm``, ``gru``, ...) the LSTM-family models.

    Examples
    --------
    >>> get_spec("cnn-lstm").name
    'cnn_lstm'
    >>> get_spec("vanila")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: Unknown model 'vanila'. Available models: linear, mlp, vanilla, stacked, bidirectional, cnn_lstm, encoder_decoder, naive, seasonal_naive, naive2, ets, theta, arima, ensemble (run `forecastkit models` for descriptions). Did you mean 'vanilla'?
    """
    spec = MODELS.get(name) if isinstance(name, str) else None
    if spec is not None:
        return spec
    found = _MODEL_NAMES.find(name)
    if found is not None:
        return MODELS[found]
    raise ConfigError(
        f"Unknown model {name!r}. Available models: {', '.join(MODELS)} "
        f"(run `forecastkit models` for descriptions).{_model_hint(name)}"
    )


#: Other names of models, suggested (not accepted) when an unknown name is one of them.
_MODEL_HINTS = {"seq2seq": "encoder_decoder", "snaive": "seasonal_naive", "autoarima": "arima"}


def _model_hint(name: object) -> str:
    """A suggestion for an unknown model name; a recurrent cell's name (or ``rnn``) points to
    the LSTM-family models."""
    if not isinstance(name, str):
        return ""
    form = normal_form(name)
    if form in _MODEL_HINTS:
        return f" Did you mean {_MODEL_HINTS[form]!r}?"
    cell = Names(CELL_NAMES).find(name) or (DEFAULT_CELL if form in ("rnn", "recurrent") else None)
    if cell is None:
        return _MODEL_NAMES.hint(name)
    return (f" Did you mean {_CELL_MODELS[0]!r}? The LSTM-family models ({', '.join(_CELL_MODELS)}) take the "
            f"recurrent cell as `cell`, e.g. model={_CELL_MODELS[0]!r}, cell={cell!r}.")


def check_build_args(model: str, input_shape, horizon, /, **hyper) -> tuple[tuple[int, int], int, dict]:
    """Validate what a Keras builder receives; returns ``((lookback, n_features), horizon, hyper)``.

    ``hyper`` must hold only the builder's own hyperparameters; missing ones take defaults.

    Examples
    --------
    >>> check_build_args("vanilla", (24, 1), 12, units=16)
    ((24, 1), 12, {'units': 16, 'dropout': 0.0, 'cell': 'lstm', 'forget_init': 'keras', 'chrono_max': 0})
    """
    spec = get_spec(model)
    shape = check_input_shape(model, input_shape)
    build, _ = spec.split(spec.resolve(hyper))
    return shape, check_horizon(model, horizon), build
