"""Run settings: defaults < TOML config file < command-line flags, merged into one :class:`RunSettings`.

A config file is TOML. Top-level keys are the settings of :class:`~forecastkit.settings.RunSettings`
(``horizon = 12``, ``learning_rate = 0.01`` or ``learning-rate``); ``[models.<name>]`` tables hold
per-model hyperparameters. Unknown keys, unknown models and wrong types are errors; the known
keys and their types come from :class:`~forecastkit.settings.RunSettings`.

Examples
--------
>>> settings = merge_settings({"horizon": 6, "model_tables": {"mlp": {"units": 16}}}, flags={"model": "mlp"})
>>> settings.horizon, settings.model, model_params(settings)["units"]
(6, 'mlp', 16)
"""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from pathlib import Path

from .errors import ConfigError, ConfigTypeError
from .models.registry import ModelSpec, get_spec
from .settings import (
    FORECAST_OUTPUTS,
    RunSettings,
    hyper_names,
    setting_kinds,
    setting_names,
)

#: The settings that are hyperparameters of the neural models (``--epochs`` ...), as in :mod:`.settings`.
HYPER_FLAGS = hyper_names()


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
        if name not in setting_names():
            raise ConfigError(
                f"Unknown key {key!r} in config file {str(path)!r}. Known keys: "
                f"{', '.join(setting_names())}, and [models.<name>] tables."
            )
        if isinstance(value, (datetime.date, datetime.time)) and str in setting_kinds(name):
            value = value.isoformat()  # a native TOML date or date-time, e.g. start = 1958-01-01
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
        models[spec.name] = dict(params)
    return models


def check_type(name: str, value, where: str):
    """Check one setting's type (ints are accepted where floats are expected)."""
    kinds = setting_kinds(name)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise ConfigTypeError(f"`{name}` {where} must be {expected}. Received: {name}={value!r}")
    return value


def merge_settings(config: dict, flags: dict | None = None) -> RunSettings:
    """Defaults, then config-file values, then flags (only flags the user actually gave), as
    one frozen :class:`RunSettings`.

    The config file's ``[models.<name>]`` tables go to ``model_tables``.
    """
    values = {**config, **(flags or {})}
    values["model_tables"] = dict(config.get("model_tables", {}))
    unknown = set(values) - {f.name for f in dataclasses.fields(RunSettings)}
    if unknown:
        raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}. Known: {', '.join(setting_names())}.")
    check_together(values)
    return RunSettings(**values)


def check_together(values: dict) -> None:
    """Refuse settings given together where one would silently override the other.

    Examples
    --------
    >>> check_together({"folds": 3, "start": "1958-01"})
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `start` (the first origin) decides the number of origins, so `folds` would be ignored: give one of them.
    """
    if "start" in values and "folds" in values and values["start"] is not None:
        raise ConfigError("`start` (the first origin) decides the number of origins, so `folds` would be "
                          "ignored: give one of them.")
    if values.get("quiet") and values.get("verbose"):
        raise ConfigError("`quiet` prints nothing and `verbose` prints more: give one of them.")
    if values.get("from_run"):
        ignored = sorted(set(values) - {"from_run", "model", "model_tables", *FORECAST_OUTPUTS})
        if ignored:
            names = ", ".join(f"`{name}`" for name in ignored)
            raise ConfigError(f"`from_run` refits with the data and settings of that run, so {names} would be "
                              f"ignored: drop {'it' if len(ignored) == 1 else 'them'}, or forecast without "
                              "`from_run`.")


def model_params(settings: RunSettings, strict: bool = True, spec: ModelSpec | None = None) -> dict:
    """Hyperparameters for ``settings.model``: its config table, then the hyperparameter settings.

    A hyperparameter setting the model does not have is an error naming the model's own
    (``strict``), or is skipped for that model (``strict=False``, used by ``evaluate``, where
    a setting applies to every model that has it). An ensemble:
    :func:`~forecastkit.ensemble.ensemble_params`. ``spec``: the model's, when already looked up.
    """
    spec = spec or get_spec(settings.model)
    if spec.kind == "ensemble":
        from .ensemble import ensemble_params

        return ensemble_params(vars(settings), strict)
    params = dict(settings.model_tables.get(settings.model, {}))
    known = {h.name for h in spec.all_hypers}
    for name in HYPER_FLAGS:
        value = getattr(settings, name)
        if value is None or name not in known and not strict:
            continue
        if name not in known:
            raise ConfigError(
                f"`{name}` does not apply to model '{spec.name}'. Its hyperparameters are: "
                f"{', '.join(h.name for h in spec.all_hypers) or 'none'}."
            )
        params[name] = value
    spec.resolve(params)
    return params
