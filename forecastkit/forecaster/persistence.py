"""Saving and loading a :class:`~forecastkit.forecaster.Forecaster`.

A saved forecaster is a directory: ``metadata.json`` (plain JSON: parameters, resolved
settings, transforms, covariate encoding, calibration errors, the training tail and the
versions that wrote it) and, for neural models, ``model.keras`` (a global model) or
``models/<i>.keras`` (one per series, ``i`` its position in ``ids``). Loading refuses
anything :func:`save` did not write: malformed metadata, another major version of
forecastkit, Keras archives carrying code (``Lambda`` layers) or of the wrong shapes.

Examples
--------
>>> import tempfile
>>> from forecastkit import Forecaster, datasets
>>> f = Forecaster("naive", horizon=2).fit(datasets.load("airline"))
>>> with tempfile.TemporaryDirectory() as folder:
...     loaded = load(Forecaster, save(f, folder))
>>> loaded.predict()["yhat"].tolist()
[432.0, 432.0]
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from .. import __version__, ensemble
from ..data import Panel
from ..errors import ConfigError, ModelFileError, ModelVersionWarning, user_stacklevel
from ..features import FeatureEncoder
from ..grouped.trainer import SlotModel
from ..models.families import n_params
from ..models.registry import get_spec
from ..preprocess.transforms import TargetTransform
from ..versions import versions
from . import preparation
from .engines import CompositeEngine, choose_engine, input_shape, model_file_names
from .options import covariate_roles, head_taus, pads_short

METADATA_FORMAT = 2

#: Keys of metadata.json and their JSON types.
METADATA_TYPES = {
    "format": int, "params": dict, "lookback": int, "season": int, "hyper": dict, "target": str,
    "freq": (str, type(None)), "step": int, "covariates": dict, "transforms": dict,
    "encoder": (dict, type(None)), "ids": list, "calibration": dict, "history": dict, "versions": dict,
}
#: Keys metadata.json may lack (written by an older forecastkit), and their JSON types.
OPTIONAL_METADATA_TYPES = {"residuals": dict, "horizon": int, "grouped": bool}


#: What ``save`` writes in its directory (and removes there first, so no earlier model's file stays).
MODEL_ENTRIES = ("metadata.json", "model.keras", "models", "members")


def check_save_path(path, name: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path`, if a model can be saved there: a new or an empty
    directory, or a saved model's (which the new one replaces); not a file (a saved model is a
    directory) nor a directory of other files.

    Examples
    --------
    >>> check_save_path(__file__, "save_model")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `save_model` ...persistence.py' is a file, but a saved model is a directory (metadata.json and the model files): name a new or an existing directory.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"`{name}` {str(path)!r} is a file, but a saved model is a directory (metadata.json and "
                          "the model files): name a new or an existing directory.")
    if path.is_dir() and not (path / "metadata.json").is_file():
        others = sorted(entry.name for entry in path.iterdir())
        if others:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise ConfigError(f"`{name}` {str(path)!r} holds other files ({shown}) and no saved model: name a new "
                              "or an empty directory, or a saved model's directory to replace that model.")
    return path


def clear_saved_model(path: Path) -> None:
    """Remove the files of a model saved in ``path`` (:data:`MODEL_ENTRIES`); other files stay."""
    import shutil

    for name in MODEL_ENTRIES:
        entry = path / name
        if entry.is_dir():
            shutil.rmtree(entry)
        elif entry.exists():
            entry.unlink()


def save(forecaster, path) -> Path:
    """Write ``metadata.json`` and the Keras models of a fitted ``forecaster`` into directory ``path``."""
    f = forecaster
    path = check_save_path(path)
    clear_saved_model(path)  # a model saved here before: none of its files may stay beside the new one's
    engine = f.engine_
    if isinstance(engine, CompositeEngine):
        return ensemble.save_composite(f, path)  # metadata.json and members/<i>-<model>/ folders
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for name, model in engine.model_files().items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        model.save(path / name)
    neural = engine.neural
    metadata = {
        "format": METADATA_FORMAT, "params": f.get_params(),
        "lookback": f.lookback_, "season": f.season_, "horizon": f.horizon_, "hyper": f.hyper_,
        "target": f.target_, "freq": f.freq_, "step": f.step_, "covariates": f.covariates_,
        "transforms": {sid: t.to_dict() for sid, t in f.transforms_.items()},
        "encoder": f.encoder_.to_dict() if neural else None,
        "ids": list(f.ids_) if neural else [],
        "calibration": f.calibration_ if neural else {},
        "history": panel_to_json(f.history_),
        "versions": versions(keras_backend=neural),
    }
    if neural and hasattr(f, "residuals_"):  # optional: files of older versions have none
        metadata["residuals"] = f.residuals_
    if getattr(engine, "grouped", False):  # forecasts ran through the grouped forward: so do the loaded model's
        metadata["grouped"] = True
    (path / "metadata.json").write_text(json.dumps(metadata, indent=1))
    return path


def load(cls, path):
    """A forecaster of class ``cls`` restored from ``path`` (see :meth:`Forecaster.load`)."""
    meta_file = Path(path) / "metadata.json"
    metadata = read_metadata(meta_file)
    if "members" in metadata:  # an ensemble or a bag
        return ensemble.load_composite(cls, meta_file, metadata)
    try:
        params = dict(metadata["params"])
        if isinstance(params.get("level"), list):  # JSON has no tuples: as it was given
            params["level"] = tuple(params["level"])
        f = cls(**params)
        f.check_params()
        restore_settings(f, metadata)
        f.transforms_ = {sid: TargetTransform.from_dict(s) for sid, s in metadata["transforms"].items()}
        if f.transforms_:
            preparation.describe_transforms(f)
        if metadata["encoder"] is not None:
            f.encoder_ = FeatureEncoder.from_dict(metadata["encoder"])
            f.ids_ = [str(sid) for sid in metadata["ids"]]
            f.pads_ = pads_short(f, len(f.ids_))
            f.calibration_ = _errors(metadata["calibration"])
            if "residuals" in metadata:
                f.residuals_ = _errors(metadata["residuals"])
        f.history_ = panel_from_json(metadata["history"])
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        reason = f"missing key {err}" if isinstance(err, KeyError) else str(err)
        raise ModelFileError(f"{meta_file} is malformed ({reason}); it was not written by "
                             "forecastkit's save() or was edited. Re-save the model.") from None
    engine = choose_engine(f)
    if engine.neural:
        if not hasattr(f, "encoder_"):
            raise ModelFileError(f"{meta_file} is malformed (a neural model without its `encoder`); "
                                 "it was not written by forecastkit's save() or was edited. Re-save the model.")
        pooled = not (f.mode == "local" and len(f.ids_) > 1)
        files = model_file_names(f, pooled)
        models = {key: load_keras_model(meta_file.parent / name, f) for key, name in files.items()}
        if metadata.get("grouped"):
            models = as_slot_models(f, models)
        engine = type(engine)(f, models)
    f.engine_ = engine
    f.remember_settings()
    return f


def as_slot_models(f, models: dict) -> dict:
    """Keras models saved from :class:`~forecastkit.grouped.SlotModel` s back as slot models, so
    the loaded forecaster forecasts through the same (NumPy) forward, bit for bit."""
    from ..grouped import layer_plan

    build_args, _ = get_spec(f.model).split(f.hyper_)
    arch = layer_plan(f.model, build_args, preparation.window_shape(f), f.model_horizon)
    return {key: SlotModel(arch, model.get_weights(), {**build_args, **trained_l2(model, build_args)})
            for key, model in models.items()}


def trained_l2(model, build_args: dict) -> dict:
    """``{"l2": coefficient}`` of a saved linear model's regularizer (the coefficient its fit
    trained with, :func:`~forecastkit.training.ridge_coefficient`), else nothing."""
    if "l2" not in build_args:
        return {}
    regularizer = getattr(model.get_layer("forecast"), "kernel_regularizer", None)
    return {"l2": float(regularizer.get_config()["l2"]) if regularizer is not None else 0.0}


def restore_settings(f, metadata: dict) -> None:
    """The resolved settings every saved forecaster has (single or composite)."""
    f.lookback_, f.season_ = int(metadata["lookback"]), int(metadata["season"])
    f.horizon_ = int(f.horizon or metadata.get("horizon") or f.season_)
    f.hyper_ = metadata["hyper"]
    f.target_, f.freq_, f.step_ = metadata["target"], metadata["freq"], metadata["step"]
    f.covariates_ = {role: list(names) for role, names in metadata["covariates"].items()}


def _errors(table: dict) -> dict:
    return {str(key): [[float(v) for v in row] for row in errors] for key, errors in table.items()}


def read_metadata(meta_file: Path) -> dict:
    """metadata.json, checked for JSON syntax, version, format, keys and types."""
    if not meta_file.is_file():
        raise ModelFileError(f"No saved model at {str(meta_file.parent)!r}: {meta_file.name} is missing. "
                             "Pass the directory given to save().")
    try:
        metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ModelFileError(f"{meta_file} is not UTF-8 text ({err.reason} at byte {err.start}); "
                             "it was not written by forecastkit's save(). Re-save the model.") from None
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{meta_file} is not valid JSON ({err.msg} at line {err.lineno}, column "
                             f"{err.colno}); it was not written by forecastkit's save() or was edited. "
                             "Re-save the model.") from None
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{meta_file} must hold a JSON object. Received: {type(metadata).__name__}")
    check_version(meta_file, metadata.get("versions"))
    if metadata.get("format") != METADATA_FORMAT:
        raise ModelFileError(f"{meta_file} has format {metadata.get('format')!r}; this forecastkit "
                             f"reads format {METADATA_FORMAT}. Re-save it with this version.")
    for key, kind in {**METADATA_TYPES, **OPTIONAL_METADATA_TYPES}.items():
        if key not in metadata:
            if key in OPTIONAL_METADATA_TYPES:
                continue
            raise ModelFileError(f"{meta_file} has no {key!r} key; it was not written by forecastkit's "
                                 "save() or was edited. Re-save the model.")
        if not isinstance(metadata[key], kind) or (isinstance(metadata[key], bool) and kind is not bool):
            expected = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise ModelFileError(f"`{key}` in {meta_file} must be {expected.replace('NoneType', 'null')}. "
                                 f"Received: {key}={metadata[key]!r}")
    return metadata


def check_version(meta_file: Path, saved_versions) -> None:
    """Refuse another major version of forecastkit; warn about another minor version."""
    saved = saved_versions.get("forecastkit") if isinstance(saved_versions, dict) else None
    parts = saved.split(".") if isinstance(saved, str) else []
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        raise ModelFileError(f"{meta_file} does not say which forecastkit version wrote it "
                             f"(versions.forecastkit={saved!r}); it was not written by save(). Re-save the model.")
    ours = __version__.split(".")
    if parts[0] != ours[0]:
        raise ModelFileError(f"{meta_file} was written by forecastkit {saved}, a different major version "
                             f"than this forecastkit {__version__}, which cannot read it. Refit and save "
                             f"the model with forecastkit {__version__}, or load it with forecastkit {saved}.")
    if parts[1] != ours[1]:
        warnings.warn(f"{meta_file} was written by forecastkit {saved}; this is forecastkit {__version__}. "
                      "The model should load, but re-save it with this version to be sure.",
                      ModelVersionWarning, stacklevel=user_stacklevel())


def load_keras_model(model_file: Path, forecaster):
    """Load a ``.keras`` file in Keras safe mode and check it fits the metadata."""
    if not model_file.is_file():
        raise ModelFileError(f"{model_file} is missing; a saved {forecaster.model!r} model needs it. "
                             "Pass the directory given to save().")
    import zipfile

    if not zipfile.is_zipfile(model_file):
        raise ModelFileError(f"{model_file} is not a Keras .keras archive (a zip file); it was not written "
                             "by Forecaster.save() or is damaged. Re-save the model.")
    code = code_layers(model_file)
    if code:
        raise ModelFileError(f"{model_file} contains a {code} layer, which runs arbitrary Python code when "
                             "loaded; forecastkit loads models in Keras safe mode and refuses it. Only load "
                             "models written by Forecaster.save().")
    import importlib

    from ..models.keras_common import import_keras

    importlib.import_module("forecastkit.models.quantile")  # registers the quantile head's layer and loss
    importlib.import_module("forecastkit.models.distributions")  # and the distribution heads'
    importlib.import_module("forecastkit.models.cell_layers")  # and the recurrent cells' (ForecastCell)
    keras = import_keras()
    try:
        model = keras.models.load_model(model_file, safe_mode=True)
    except Exception as err:  # Keras raises many types for a bad archive; name the file instead
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFileError(f"{model_file} cannot be loaded safely ({reason}). Only load models written by "
                             "Forecaster.save(), and re-save it if it was edited.") from None
    expected_in = preparation.window_shape(forecaster)
    taus = head_taus(forecaster)
    width = n_params(forecaster.distribution) if forecaster.distribution else len(taus)
    expected_out = (forecaster.model_horizon, width) if width else (forecaster.model_horizon,)
    got_in, got_out = input_shape(model), tuple(model.output_shape[1:])
    if got_in != expected_in or got_out != expected_out:
        raise ModelFileError(
            f"{model_file} maps windows of shape {got_in} to {got_out} forecasts, but its metadata.json "
            f"says windows of {expected_in[0]} rows with {expected_in[1]} feature(s) and horizon {expected_out[0]}: "
            "the files were edited or come from different models. Re-save the model.")
    return model


def code_layers(model_file: Path) -> str | None:
    """The class name of a layer that carries Python code (Lambda) in a .keras archive's config."""
    import zipfile

    try:
        with zipfile.ZipFile(model_file) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None  # not a readable archive: Keras' own error is reported instead
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("class_name") in ("Lambda", "TFOpLambda"):
                return item["class_name"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def panel_to_json(panel: Panel) -> dict:
    """A panel as plain JSON (:func:`panel_from_json` restores it)."""
    frame = panel.frame
    time = frame["time"]
    tz = None
    if pd.api.types.is_datetime64_any_dtype(time):
        tz = str(time.dt.tz) if time.dt.tz is not None else None
        utc = time.dt.tz_convert("UTC").dt.tz_localize(None) if tz else time
        times = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").tolist()
    else:
        times = [int(t) for t in time]
    columns = ["y", *panel.covariates, *panel.future_covariates, *panel.static_covariates]
    return {
        "target": panel.target, "freq": panel.freq, "step": panel.step, "roles": covariate_roles(panel),
        "source": panel.source, "tz": tz, "time_column": panel.time_column, "id_column": panel.id_column,
        "columns": {"id": frame["id"].astype(str).tolist(), "time": times,
                    **{c: frame[c].astype(str if c in panel.categorical else float).tolist() for c in columns}},
    }


def panel_from_json(state: dict) -> Panel:
    """The panel :func:`panel_to_json` wrote."""
    columns = dict(state["columns"])
    if state["freq"] is not None:
        time = pd.to_datetime(pd.Series(columns["time"]), format="%Y-%m-%dT%H:%M:%S.%f")
        if state["tz"]:
            time = time.dt.tz_localize("UTC").dt.tz_convert(state["tz"])
        columns["time"] = time.astype("datetime64[ns, " + state["tz"] + "]" if state["tz"] else "datetime64[ns]")
    else:
        columns["time"] = pd.Series(columns["time"], dtype="int64")
    frame = pd.DataFrame(columns)
    roles = state["roles"]
    for column in ("id", *roles["categorical"]):
        frame[column] = frame[column].astype("str")
    return Panel(frame=frame, target=state["target"], freq=state["freq"], step=state["step"],
                 covariates=tuple(roles["past"]), future_covariates=tuple(roles["future"]),
                 static_covariates=tuple(roles["static"]), categorical=tuple(roles["categorical"]),
                 source=state["source"], time_column=state.get("time_column"),  # files before 2026-12-07: none
                 id_column=state.get("id_column"))


__all__ = ["METADATA_FORMAT", "load", "save"]
