"""``Forecaster``: one scikit-learn-style interface over every model in the zoo.

``fit`` learns target transforms and the model from the training data only; ``predict``
forecasts the ``horizon`` steps after the end of the training data (or of newly supplied
history) and returns the long frame the CLI writes: ``id, time, model, yhat``. ``save``
writes ``model.keras`` (neural models) and ``metadata.json`` (everything else, plain JSON);
``Forecaster.load`` restores it with Keras safe mode.

Examples
--------
>>> from forecastkit import Forecaster, datasets
>>> panel = datasets.load("airline")
>>> forecaster = Forecaster("seasonal_naive", horizon=3).fit(panel)
>>> forecaster.predict()[["time", "yhat"]].to_string(index=False)
'      time  yhat\\n1961-01-01 417.0\\n1961-02-01 391.0\\n1961-03-01 419.0'
"""

from __future__ import annotations

import json
import platform
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from . import __version__
from .data import Panel, from_pandas, load_csv
from .errors import ConfigError, DataError, ModelFileError, ModelVersionWarning, NotFittedError
from .models.registry import get_spec
from .transforms import ColumnScaler, TargetTransform, check_transform_options
from .windows import check_window_args, last_window, make_windows, window_levels

METADATA_FORMAT = 1


def default_lookback(horizon: int, season: int, shortest: int) -> int:
    """Default window length: ``2 * max(season, horizon, 5)``, capped at half the usable history.

    Examples
    --------
    >>> default_lookback(horizon=12, season=12, shortest=144)
    24
    >>> default_lookback(horizon=12, season=12, shortest=36)
    12
    """
    return max(1, min(2 * max(season, horizon, 5), (shortest - horizon + 1) // 2))


def as_panel(data, **kwargs) -> Panel:
    """A :class:`Panel` from a Panel, a CSV path or a pandas object (kwargs go to the loader)."""
    if isinstance(data, Panel):
        return data
    if isinstance(data, (str, Path)):
        return load_csv(data, **kwargs)
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return from_pandas(data, **kwargs)
    raise ConfigError(
        "`data` must be a forecastkit Panel, a CSV path or a pandas DataFrame/Series. "
        f"Received: data of type {type(data).__name__}"
    )


class Forecaster(BaseEstimator):
    """Fit any zoo model to a panel and forecast ``horizon`` steps ahead.

    Parameters
    ----------
    model : str
        A registered model name (``forecastkit models`` lists them).
    horizon : int
        Steps forecast at once (direct multi-output).
    lookback : int or None
        Window length fed to neural models; None picks :func:`default_lookback`.
    params : dict or None
        Model hyperparameters and training settings (``epochs``, ``batch_size``,
        ``learning_rate``, ``patience``, ``validation``); unknown names are errors.
    scaler, transform, difference :
        Target transforms (see :class:`~forecastkit.transforms.TargetTransform`), fit per
        series on the training data only.
    season : int or None
        Season length; None derives it from the data's frequency (12 for monthly, ...).
    seed : int
        Seeds Python, NumPy and Keras: the same seed gives the same forecast.
    verbose : int
        0 silent, 1 progress bar, 2 Keras epoch logs.
    warm_start : bool
        Neural models: a second ``fit`` continues from the weights (and optimizer state) of
        the previous one instead of fresh ones; the transforms are still refit.

    Attributes
    ----------
    lookback_, season_, hyper_ : resolved settings.
    model_ : the trained ``keras.Model`` (neural models only).
    history_ : Panel of what ``predict()`` forecasts from (the training tail).
    transforms_ : dict id -> fitted TargetTransform; covariate_scalers_ likewise.
    """

    def __init__(self, model="linear", horizon=1, lookback=None, params=None, scaler="standard",
                 transform=None, difference=False, season=None, seed=0, verbose=0, warm_start=False):
        self.model = model
        self.horizon = horizon
        self.lookback = lookback
        self.params = params
        self.scaler = scaler
        self.transform = transform
        self.difference = difference
        self.season = season
        self.seed = seed
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------ validation --
    def check_params(self) -> dict:
        """Validate every constructor argument without touching data or Keras.

        Returns the resolved hyperparameters. Raises ConfigError / ConfigTypeError.
        """
        spec = get_spec(self.model)
        check_window_args(self.lookback if self.lookback is not None else 1, self.horizon)
        check_transform_options(self.scaler, self.transform, self.difference)
        if self.season is not None:
            _check_positive_int("season", self.season)
        _check_positive_int("seed", self.seed, minimum=0)
        if self.params is not None and not isinstance(self.params, dict):
            raise ConfigError(f"`params` must be a dict of hyperparameters. Received: params={self.params!r}")
        return spec.resolve(self.params)

    # ------------------------------------------------------------------------- fit --
    def fit(self, data, **load_kwargs) -> "Forecaster":
        """Learn transforms and model from ``data`` (Panel, CSV path or pandas object)."""
        hyper = self.check_params()
        panel = as_panel(data, **load_kwargs)
        spec = get_spec(self.model)
        self.season_ = int(self.season or panel.season_length())
        shortest = min(panel.lengths.values())
        self.lookback_ = int(self.lookback or default_lookback(self.horizon, self.season_, shortest))
        self.hyper_ = hyper
        self.target_, self.freq_, self.step_ = panel.target, panel.freq, panel.step
        self.covariates_ = tuple(panel.covariates)
        if spec.kind == "baseline":
            panel.check_length(1, "a baseline needs at least one observation")
            self.history_ = panel
            self.transforms_, self.covariate_scalers_ = {}, {}
            return self
        self._fit_neural(panel, spec, hyper)
        return self

    def _fit_neural(self, panel: Panel, spec, hyper: dict) -> None:
        lookback, horizon, diff = self.lookback_, self.horizon, int(self.difference)
        panel.check_length(
            lookback + horizon + diff,
            f"lookback {lookback} + horizon {horizon}{' + 1 for differencing' if diff else ''}",
        )
        self.transforms_, self.covariate_scalers_ = {}, {}
        train_parts, val_parts = [], []
        for sid, y, x in panel.arrays():
            where = f" of series {sid!r}" if panel.n_series > 1 else ""
            transform = TargetTransform(self.scaler, self.transform, self.difference).fit(y, where)
            scaler = ColumnScaler().fit(x)
            self.transforms_[sid], self.covariate_scalers_[sid] = transform, scaler
            inputs, targets = make_windows(transform.transform(y), scaler.transform(x)[diff:], lookback, horizon)
            inputs, targets = self._normalise(inputs, targets)
            n_val = int(len(inputs) * hyper["validation"])
            cut = len(inputs) - n_val
            train_parts.append((inputs[:cut], targets[:cut]))
            val_parts.append((inputs[cut:], targets[cut:]))
        x_train, y_train = (np.concatenate(a) for a in zip(*train_parts))
        x_val, y_val = (np.concatenate(a) for a in zip(*val_parts))
        self.model_ = self._train(spec, hyper, x_train, y_train, x_val, y_val)
        self.history_ = _tail(panel, lookback + diff)

    def _normalise(self, inputs, targets, levels=None):
        if not self.scaler.startswith("window_"):
            return inputs, targets
        levels = window_levels(inputs, self.scaler) if levels is None else levels
        inputs = inputs.copy()
        inputs[:, :, 0] /= levels
        return inputs, targets / levels

    def _train(self, spec, hyper, x_train, y_train, x_val, y_val):
        from .models.keras_common import compile_model, import_keras
        from .training import train

        keras = import_keras()
        keras.utils.set_random_seed(self.seed)
        previous = getattr(self, "model_", None) if self.warm_start else None
        if previous is not None and tuple(previous.input_shape[1:]) == x_train.shape[1:]:
            model = previous
        else:
            build_args, _ = spec.split(hyper)
            model = spec.load_builder()(x_train.shape[1:], self.horizon, **build_args)
            compile_model(model, learning_rate=hyper["learning_rate"])
        train(keras, model, (x_train, y_train, x_val, y_val), hyper, self.verbose, f"training {self.model}")
        return model

    # --------------------------------------------------------------------- predict --
    def predict(self, data=None, **load_kwargs) -> pd.DataFrame:
        """Forecast ``horizon`` steps after the training data, or after ``data`` if given.

        Returns a long frame with columns ``id, time, model, yhat``, ``horizon`` rows per
        series. New history is validated like training data; neural models need at least
        ``lookback`` rows per series and only series seen in ``fit``.
        """
        if not hasattr(self, "history_"):
            raise NotFittedError(
                "This Forecaster is not fitted yet. Call `fit(data)` before `predict()`."
            )
        panel = self.history_ if data is None else self._check_history(as_panel(data, **load_kwargs))
        histories = panel.arrays()
        forecasts = self.predict_histories(histories)
        rows = [
            pd.DataFrame({"id": sid, "time": panel.future_times(sid, self.horizon),
                          "model": self.model, "yhat": values})
            for (sid, _, _), values in zip(histories, forecasts)
        ]
        return pd.concat(rows, ignore_index=True)

    def predict_histories(self, histories: list[tuple[str, np.ndarray, np.ndarray]]) -> np.ndarray:
        """Forecasts from several histories at once: one row of ``horizon`` values each.

        The low-level entry used by walk-forward evaluation: each history is ``(id, y, x)``,
        the values known at one forecast origin (raw scale, oldest first). Neural models
        forecast all of them in one batched call, with the transforms learned in ``fit``
        for that id; baselines re-estimate from each history.
        """
        spec = get_spec(self.model)
        if spec.kind == "baseline":
            forecast = spec.load_forecast()
            return np.array([forecast(y, self.horizon, self.season_) for _, y, _ in histories])
        diff = int(self.difference)
        windows = []
        for sid, y, x in histories:
            z = self.transforms_[sid].transform(y[-(self.lookback_ + diff):])
            x = self.covariate_scalers_[sid].transform(x[-self.lookback_:])
            windows.append(last_window(z, x, self.lookback_))
        inputs = np.concatenate(windows)
        levels = window_levels(inputs, self.scaler) if self.scaler.startswith("window_") else None
        inputs, _ = self._normalise(inputs, np.zeros((len(inputs), self.horizon)), levels)
        predicted = np.asarray(self.model_.predict(inputs, verbose=0, batch_size=1024), dtype=float)
        if levels is not None:
            predicted = predicted * levels
        return np.array([self.transforms_[sid].inverse(row, anchor=y[-1])
                         for (sid, y, _), row in zip(histories, predicted)])

    def _check_history(self, panel: Panel) -> Panel:
        if tuple(panel.covariates) != self.covariates_:
            raise DataError(
                f"The new history has covariates {list(panel.covariates)} but the model was "
                f"fit with {list(self.covariates_)}; supply the same covariate columns."
            )
        if self.freq_ != panel.freq:
            raise DataError(
                f"The new history has frequency {panel.freq!r} but the model was fit on "
                f"{self.freq_!r}; resample the data or pass --freq {self.freq_}."
            )
        if get_spec(self.model).kind == "neural":
            unknown = [sid for sid in panel.ids if sid not in self.transforms_]
            if unknown:
                raise DataError(
                    f"Series {unknown[0]!r} was not in the training data, so it has no fitted "
                    f"scaler. Known series: {', '.join(self.transforms_)}."
                )
            panel.check_length(self.lookback_ + int(self.difference),
                               f"the model's lookback {self.lookback_}")
        return panel

    # ----------------------------------------------------------------- save / load --
    def save(self, path) -> Path:
        """Write ``metadata.json`` (and ``model.keras`` for neural models) into directory ``path``."""
        if not hasattr(self, "history_"):
            raise NotFittedError("This Forecaster is not fitted yet. Call `fit(data)` before `save()`.")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if hasattr(self, "model_"):
            self.model_.save(path / "model.keras")
        metadata = {
            "format": METADATA_FORMAT,
            "params": self.get_params(),
            "lookback": self.lookback_, "season": self.season_, "hyper": self.hyper_,
            "target": self.target_, "freq": self.freq_, "step": self.step_,
            "covariates": list(self.covariates_),
            "transforms": {sid: t.to_dict() for sid, t in self.transforms_.items()},
            "covariate_scalers": {sid: s.to_dict() for sid, s in self.covariate_scalers_.items()},
            "history": _panel_to_json(self.history_),
            "versions": _versions(keras_used=hasattr(self, "model_")),
        }
        (path / "metadata.json").write_text(json.dumps(metadata, indent=1))
        return path

    @classmethod
    def load(cls, path) -> "Forecaster":
        """Restore a forecaster written by :meth:`save`, refusing anything it did not write.

        ``metadata.json`` must be valid JSON with every key of the right type, written by the
        same major version of forecastkit (another minor version warns with
        :class:`~forecastkit.errors.ModelVersionWarning`); ``model.keras`` is loaded with Keras
        ``safe_mode=True``, must contain no code (``Lambda`` layers), and its input and output
        shapes must match the metadata's lookback, features and horizon.

        Raises
        ------
        ModelFileError
            (a :class:`~forecastkit.errors.DataError`) naming the file and the reason.
        """
        meta_file = Path(path) / "metadata.json"
        metadata = _read_metadata(meta_file)
        try:
            forecaster = cls(**metadata["params"])
            forecaster.check_params()
            forecaster.lookback_, forecaster.season_ = metadata["lookback"], metadata["season"]
            forecaster.hyper_ = metadata["hyper"]
            forecaster.target_, forecaster.freq_, forecaster.step_ = (
                metadata["target"], metadata["freq"], metadata["step"])
            forecaster.covariates_ = tuple(metadata["covariates"])
            forecaster.transforms_ = {sid: TargetTransform.from_dict(s) for sid, s in metadata["transforms"].items()}
            forecaster.covariate_scalers_ = {
                sid: ColumnScaler.from_dict(s) for sid, s in metadata["covariate_scalers"].items()}
            forecaster.history_ = _panel_from_json(metadata["history"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            reason = f"missing key {err}" if isinstance(err, KeyError) else str(err)
            raise ModelFileError(f"{meta_file} is malformed ({reason}); it was not written by "
                                 "forecastkit's save() or was edited. Re-save the model.") from None
        if get_spec(forecaster.model).kind == "neural":
            forecaster.model_ = _load_keras_model(meta_file.parent / "model.keras", forecaster)
        return forecaster


#: Keys of metadata.json and their JSON types.
_METADATA_TYPES = {
    "format": int, "params": dict, "lookback": int, "season": int, "hyper": dict, "target": str,
    "freq": (str, type(None)), "step": int, "covariates": list, "transforms": dict,
    "covariate_scalers": dict, "history": dict, "versions": dict,
}


def _read_metadata(meta_file: Path) -> dict:
    """metadata.json, checked for JSON syntax, version, format, keys and types."""
    if not meta_file.is_file():
        raise ModelFileError(f"No saved model at {str(meta_file.parent)!r}: {meta_file.name} is missing. "
                             "Pass the directory given to --save-model / save().")
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
    _check_version(meta_file, metadata.get("versions"))
    if metadata.get("format") != METADATA_FORMAT:
        raise ModelFileError(f"{meta_file} has format {metadata.get('format')!r}; this forecastkit "
                             f"reads format {METADATA_FORMAT}. Re-save it with this version.")
    for key, kind in _METADATA_TYPES.items():
        if key not in metadata:
            raise ModelFileError(f"{meta_file} has no {key!r} key; it was not written by forecastkit's "
                                 "save() or was edited. Re-save the model.")
        if not isinstance(metadata[key], kind) or isinstance(metadata[key], bool):
            expected = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise ModelFileError(f"`{key}` in {meta_file} must be {expected.replace('NoneType', 'null')}. "
                                 f"Received: {key}={metadata[key]!r}")
    return metadata


def _check_version(meta_file: Path, versions) -> None:
    """Refuse another major version of forecastkit; warn about another minor version."""
    saved = versions.get("forecastkit") if isinstance(versions, dict) else None
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
                      ModelVersionWarning, stacklevel=4)


def _load_keras_model(model_file: Path, forecaster: "Forecaster"):
    """Load ``model.keras`` in Keras safe mode and check it fits the metadata."""
    if not model_file.is_file():
        raise ModelFileError(f"{model_file} is missing; a saved {forecaster.model!r} model needs it. "
                             "Pass the directory given to --save-model / save().")
    import zipfile

    if not zipfile.is_zipfile(model_file):
        raise ModelFileError(f"{model_file} is not a Keras .keras archive (a zip file); it was not written "
                             "by Forecaster.save() or is damaged. Re-save the model.")
    code = _code_layers(model_file)
    if code:
        raise ModelFileError(f"{model_file} contains a {code} layer, which runs arbitrary Python code when "
                             "loaded; forecastkit loads models in Keras safe mode and refuses it. Only load "
                             "models written by Forecaster.save().")
    from .models.keras_common import import_keras

    keras = import_keras()
    try:
        model = keras.models.load_model(model_file, safe_mode=True)
    except Exception as err:  # Keras raises many types for a bad archive; name the file instead
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFileError(f"{model_file} cannot be loaded safely ({reason}). Only load models written by "
                             "Forecaster.save(), and re-save it if it was edited.") from None
    expected_in = (forecaster.lookback_, 1 + len(forecaster.covariates_))
    expected_out = (forecaster.horizon,)
    got_in, got_out = tuple(model.input_shape[1:]), tuple(model.output_shape[1:])
    if got_in != expected_in or got_out != expected_out:
        raise ModelFileError(
            f"{model_file} maps windows of shape {got_in} to {got_out} forecasts, but its metadata.json "
            f"says lookback {expected_in[0]} with {expected_in[1]} feature(s) and horizon {expected_out[0]}: "
            "the files were edited or come from different models. Re-save the model.")
    return model


def _code_layers(model_file: Path) -> str | None:
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


def _check_positive_int(name: str, value, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")


def _tail(panel: Panel, rows: int) -> Panel:
    frame = panel.frame.groupby("id", sort=False).tail(rows).reset_index(drop=True)
    return Panel(frame=frame, target=panel.target, freq=panel.freq, step=panel.step,
                 covariates=tuple(panel.covariates), source=panel.source)


def _panel_to_json(panel: Panel) -> dict:
    frame = panel.frame
    time = frame["time"]
    tz = None
    if pd.api.types.is_datetime64_any_dtype(time):
        tz = str(time.dt.tz) if time.dt.tz is not None else None
        utc = time.dt.tz_convert("UTC").dt.tz_localize(None) if tz else time
        times = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").tolist()
    else:
        times = [int(t) for t in time]
    return {
        "target": panel.target, "freq": panel.freq, "step": panel.step,
        "covariates": list(panel.covariates), "source": panel.source, "tz": tz,
        "columns": {"id": frame["id"].astype(str).tolist(), "time": times,
                    **{c: frame[c].astype(float).tolist() for c in ["y", *panel.covariates]}},
    }


def _panel_from_json(state: dict) -> Panel:
    columns = dict(state["columns"])
    if state["freq"] is not None:
        time = pd.to_datetime(pd.Series(columns["time"]), format="%Y-%m-%dT%H:%M:%S.%f")
        if state["tz"]:
            time = time.dt.tz_localize("UTC").dt.tz_convert(state["tz"])
        columns["time"] = time.astype("datetime64[ns, " + state["tz"] + "]" if state["tz"] else "datetime64[ns]")
    else:
        columns["time"] = pd.Series(columns["time"], dtype="int64")
    frame = pd.DataFrame(columns)
    frame["id"] = frame["id"].astype(object)
    return Panel(frame=frame, target=state["target"], freq=state["freq"], step=state["step"],
                 covariates=tuple(state["covariates"]), source=state["source"])


def _versions(keras_used: bool) -> dict:
    versions = {"forecastkit": __version__, "python": platform.python_version(),
                "numpy": np.__version__, "pandas": pd.__version__}
    if keras_used:
        import keras

        versions["keras"] = keras.__version__
        versions["backend"] = keras.backend.backend()
    return versions
