"""The model zoo: every forecaster by name, its description and hyperparameters.

This module never imports Keras: builders are named as ``"module:function"`` strings and
imported on first use, so listing models and validating hyperparameters stays fast.

Examples
--------
>>> from forecastkit.models.registry import get_spec, model_names
>>> "linear" in model_names()
True
>>> get_spec("stacked").defaults()["layers"]
2
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import ConfigError, ConfigTypeError


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: name, default, type and the rule it obeys."""

    name: str
    default: object
    kind: type
    help: str
    minimum: float | None = None
    maximum: float | None = None  # exclusive upper bound

    def check(self, model: str, value: object) -> object:
        """Return ``value`` converted to this hyperparameter's type, or raise a clear error.

        Examples
        --------
        >>> Hyper("units", 32, int, "LSTM units", minimum=1).check("vanilla", 8)
        8
        """
        rule = _rule(self)
        if self.kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, self.kind)
        if not ok:
            raise ConfigTypeError(
                f"`{self.name}` of model '{model}' must be {rule}. "
                f"Received: {self.name}={value!r} ({type(value).__name__})"
            )
        value = self.kind(value)
        too_low = self.minimum is not None and value < self.minimum
        too_high = self.maximum is not None and value >= self.maximum
        if too_low or too_high:
            raise ConfigError(
                f"`{self.name}` of model '{model}' must be {rule}. Received: {self.name}={value!r}"
            )
        return value


def _rule(hyper: Hyper) -> str:
    noun = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    parts = [noun.get(hyper.kind, hyper.kind.__name__)]
    if hyper.minimum is not None:
        parts.append(f">= {hyper.minimum}")
    if hyper.maximum is not None:
        parts.append(f"< {hyper.maximum}")
    return " ".join(parts)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: how to build it and what it accepts."""

    name: str
    description: str
    hypers: tuple[Hyper, ...]
    builder: str = ""  # "module:function" for neural models; empty for numpy baselines

    @property
    def kind(self) -> str:
        """``"neural"`` (a Keras builder) or ``"baseline"`` (numpy)."""
        return "neural" if self.builder else "baseline"

    def defaults(self) -> dict[str, object]:
        """Hyperparameter defaults as a dict."""
        return {h.name: h.default for h in self.hypers}

    def resolve(self, params: dict | None) -> dict[str, object]:
        """Defaults updated with ``params``, each value checked; unknown names are errors.

        Examples
        --------
        >>> get_spec("linear").resolve({"l2": 0.01})["l2"]
        0.01
        """
        params = dict(params or {})
        known = {h.name: h for h in self.hypers}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ConfigError(
                f"Unknown hyperparameter {unknown[0]!r} for model '{self.name}'. "
                f"Its hyperparameters are: {', '.join(known) or 'none'}."
            )
        resolved = self.defaults()
        for name, value in params.items():
            resolved[name] = known[name].check(self.name, value)
        return resolved

    def load_builder(self):
        """Import and return the Keras builder function (imports TensorFlow)."""
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module, __package__), function)


TRAINING = (
    Hyper("epochs", 100, int, "maximum training epochs (early stopping may end sooner)", 1),
    Hyper("batch_size", 32, int, "windows per gradient step", 1),
    Hyper("learning_rate", 0.001, float, "Adam learning rate", 1e-12, 10.0),
    Hyper("patience", 10, int, "epochs without validation improvement before stopping", 1),
    Hyper("validation", 0.1, float, "fraction of the latest training windows held out for early stopping", 0.0, 0.9),
)
_UNITS = Hyper("units", 32, int, "recurrent units per layer", 1)
_DROPOUT = Hyper("dropout", 0.0, float, "dropout rate on layer inputs", 0.0, 1.0)


def _neural(name: str, description: str, builder: str, *hypers: Hyper) -> ModelSpec:
    return ModelSpec(name, description, tuple(hypers) + TRAINING, builder)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        _neural(
            "linear", "one Dense layer from the window to the horizon (linear autoregression)",
            ".dense:build_linear", Hyper("l2", 0.0, float, "L2 penalty on the weights", 0.0),
        ),
        _neural(
            "mlp", "multilayer perceptron on the flattened window", ".dense:build_mlp",
            Hyper("units", 64, int, "hidden units per layer", 1),
            Hyper("layers", 2, int, "hidden layers", 1), _DROPOUT,
        ),
        _neural("vanilla", "one LSTM layer, then Dense to the horizon", ".recurrent:build_vanilla",
                _UNITS, _DROPOUT),
        _neural("stacked", "several LSTM layers, then Dense to the horizon", ".recurrent:build_stacked",
                _UNITS, Hyper("layers", 2, int, "LSTM layers", 1), _DROPOUT),
        _neural("bidirectional", "bidirectional LSTM over the window, then Dense",
                ".recurrent:build_bidirectional", _UNITS, _DROPOUT),
        _neural(
            "cnn_lstm", "causal Conv1D feature extractor, then LSTM, then Dense", ".conv:build_cnn_lstm",
            Hyper("filters", 32, int, "convolution filters", 1),
            Hyper("kernel_size", 3, int, "convolution kernel width", 1), _UNITS, _DROPOUT,
        ),
        _neural("encoder_decoder", "seq2seq: encoder LSTM, decoder LSTM over the horizon, per-step output",
                ".seq2seq:build_encoder_decoder", _UNITS, _DROPOUT),
        ModelSpec("naive", "repeats the last observed value", ()),
        ModelSpec("seasonal_naive", "repeats the last observed season (season length m)", ()),
        ModelSpec("naive2", "naive on the seasonally adjusted series when a 90% ACF test finds "
                  "seasonality (M4 benchmark)", ()),
    )
}

def model_names(kind: str | None = None) -> list[str]:
    """Registered model names, optionally only ``"neural"`` or ``"baseline"`` ones."""
    return [name for name, spec in MODELS.items() if kind in (None, spec.kind)]


def get_spec(name: str) -> ModelSpec:
    """The :class:`ModelSpec` registered under ``name``, or a clear error listing the names."""
    if not isinstance(name, str) or name not in MODELS:
        raise ConfigError(
            f"Unknown model {name!r}. Available models: {', '.join(MODELS)} "
            "(run `forecastkit models` for descriptions)."
        )
    return MODELS[name]
