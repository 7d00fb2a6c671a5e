"""Run settings: defaults < TOML config file < command-line flags, validated in one place.

A config file is TOML. Top-level keys mirror the long flags (``horizon = 12``,
``learning_rate = 0.01`` or ``learning-rate``); ``[models.<name>]`` tables hold per-model
hyperparameters. Unknown keys, unknown models and wrong types are errors.

Examples
--------
>>> settings = merge_settings({"horizon": 6, "model_tables": {"mlp": {"units": 16}}}, flags={"model": "mlp"})
>>> settings["horizon"], settings["model"], model_params(settings)["units"]
(6, 'mlp', 16)
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import ConfigError, ConfigTypeError
from .models.registry import get_spec

#: Hyperparameter flags shared by the neural models (flag name -> hyperparameter name).
HYPER_FLAGS = ("epochs", "units", "layers", "batch_size", "learning_rate", "patience", "dropout", "validation",
               "window_sample", "cell", "loss", "steps_per_epoch")

#: Every run setting with its default and type (None: no default, optional).
SETTINGS: dict[str, tuple[object, type | tuple[type, ...]]] = {
    "data": (None, str),
    "target": (None, str),
    "time": (None, str),
    "id": (None, str),
    "past_covariates": (None, str),
    "future_covariates": (None, str),
    "static_covariates": (None, str),
    "future_data": (None, str),
    "calendar": (None, str),
    "skip_short": (False, bool),
    "mode": ("global", str),
    "id_embedding": (0, int),
    "model": (None, str),
    "models": (None, (str, list)),
    "horizon": (None, int),
    "lookback": (None, int),
    "freq": (None, str),
    "fill": (None, str),
    "season": (None, int),
    "scaler": ("standard", str),
    "preprocess": ("auto", str),
    "transform": (None, str),
    "deseason": (None, str),
    "seasonal_difference": (None, bool),
    "difference": (None, bool),
    "out": (None, str),
    "save_model": (None, str),
    "from_run": (None, str),
    "folds": (24, int),
    "stride": (1, int),
    "gap": (0, int),
    "window": ("expanding", str),
    "start": (None, (int, str)),
    "refit": ("every:6", str),
    "warm_start": (False, bool),
    "metric": ("mase", str),
    "level": (None, (str, int, float, list)),
    "min_calibration": (10, int),
    "quantiles": (None, (str, float, list)),
    "strategy": ("direct", str),
    "samples": (None, int),
    "resume": (False, bool),
    "fast_nondeterministic": (False, bool),
    "no_baselines": (False, bool),
    "seed": (0, int),
    "quiet": (False, bool),
    "verbose": (False, bool),
    "epochs": (None, int),
    "units": (None, int),
    "layers": (None, int),
    "batch_size": (None, int),
    "learning_rate": (None, (int, float)),
    "patience": (None, int),
    "dropout": (None, (int, float)),
    "validation": (None, (int, float)),
    "window_sample": (None, int),
    "cell": (None, str),
    "loss": (None, str),
    "steps_per_epoch": (None, int),
    "cells": ("all", (str, list)),
    "repeats": (1, int),
    "members": (None, (str, list)),
    "bag": (1, int),
}


def read_config(path: str | Path) -> dict:
    """Parse a TOML config file, checking keys and value types.

    Returns a dict of top-level settings plus ``"model_tables"`` (name -> hyperparameters). A
    relative ``data`` path is taken relative to the config file when the file exists there.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {str(path)!r} does not exist. Check the --config path.") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"Config file {str(path)!r} is not UTF-8 text ({err.reason} at byte {err.start}). "
                          "Re-save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"Config file {str(path)!r} is not valid TOML: {err}. "
                          "See https://toml.io for the syntax.") from None
    config = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name == "models" and isinstance(value, dict):
            config["model_tables"] = _read_models(path, value)
            continue
        if name not in SETTINGS:
            raise ConfigError(
                f"Unknown key {key!r} in config file {str(path)!r}. Known keys: "
                f"{', '.join(SETTINGS)}, and [models.<name>] tables."
            )
        config[name] = check_type(name, value, f"in config file {str(path)!r}")
    if "data" in config and not Path(config["data"]).is_absolute():
        relative = path.parent / config["data"]
        if relative.exists():
            config["data"] = str(relative)
    return config


def _read_models(path: Path, tables) -> dict:
    if not isinstance(tables, dict):
        raise ConfigError(f"`models` in config file {str(path)!r} must be a table of [models.<name>] tables.")
    models = {}
    for name, params in tables.items():
        spec = get_spec(name)
        if not isinstance(params, dict):
            raise ConfigError(f"[models.{name}] in config file {str(path)!r} must be a table of hyperparameters.")
        if spec.kind != "ensemble":  # an ensemble's table (shared and per-member): checked with its members
            spec.resolve(params)
        models[name] = dict(params)
    return models


def check_type(name: str, value, where: str):
    """Check one setting's type (ints are accepted where floats are expected)."""
    default, kind = SETTINGS[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise ConfigTypeError(f"`{name}` {where} must be {expected}. Received: {name}={value!r}")
    return value


def merge_settings(config: dict, flags: dict | None = None) -> dict:
    """Defaults, then config-file values, then flags (only flags the user actually gave).

    The config file's ``[models.<name>]`` tables stay under ``"model_tables"``.
    """
    settings = {name: default for name, (default, _) in SETTINGS.items()}
    settings.update(config)
    settings.update(flags or {})
    settings["model_tables"] = dict(config.get("model_tables", {}))
    return settings


def model_params(settings: dict, strict: bool = True) -> dict:
    """Hyperparameters for ``settings["model"]``: its config table, then hyperparameter flags.

    A hyperparameter flag the model does not have is an error naming the model's own
    (``strict``), or is skipped for that model (``strict=False``, used by ``evaluate``, where
    a flag applies to every model that has it). An ensemble: :func:`~forecastkit.ensemble.ensemble_params`.
    """
    spec = get_spec(settings["model"])
    if spec.kind == "ensemble":
        from .ensemble import ensemble_params

        return ensemble_params(settings, strict)
    params = dict(settings["model_tables"].get(settings["model"], {}))
    known = {h.name for h in spec.all_hypers}
    for name in HYPER_FLAGS:
        if settings.get(name) is None:
            continue
        if name not in known and not strict:
            continue
        if name not in known:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(
                f"`{flag}` does not apply to model '{spec.name}'. Its hyperparameters are: "
                f"{', '.join(h.name for h in spec.all_hypers) or 'none'}."
            )
        params[name] = settings[name]
    spec.resolve(params)
    return params
