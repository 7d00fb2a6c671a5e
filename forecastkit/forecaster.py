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
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from . import __version__
from .data import Panel, from_pandas, load_csv
from .errors import ConfigError, DataError, NotFittedError
from .models.registry import get_spec
from .transforms import ColumnScaler, TargetTransform, check_transform_options
from .windows import check_window_args, last_window, make_windows, n_windows, window_levels

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
            f"lookback {lookback} + horizon {horizon}{' + 1 for differencing' if diff else ''}; "
            "pass a smaller --lookback / lookback=",
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
        """Restore a forecaster written by :meth:`save` (Keras ``safe_mode=True``)."""
        path = Path(path)
        meta_file = path / "metadata.json"
        if not meta_file.is_file():
            raise DataError(f"No saved model at {str(path)!r}: {meta_file.name} is missing. "
                            "Pass the directory given to --save-model / save().")
        metadata = json.loads(meta_file.read_text())
        if metadata.get("format") != METADATA_FORMAT:
            raise DataError(f"{meta_file} has format {metadata.get('format')!r}; this forecastkit "
                            f"reads format {METADATA_FORMAT}. Re-save it with this version.")
        forecaster = cls(**metadata["params"])
        forecaster.lookback_, forecaster.season_ = metadata["lookback"], metadata["season"]
        forecaster.hyper_ = metadata["hyper"]
        forecaster.target_, forecaster.freq_, forecaster.step_ = (
            metadata["target"], metadata["freq"], metadata["step"])
        forecaster.covariates_ = tuple(metadata["covariates"])
        forecaster.transforms_ = {sid: TargetTransform.from_dict(s) for sid, s in metadata["transforms"].items()}
        forecaster.covariate_scalers_ = {
            sid: ColumnScaler.from_dict(s) for sid, s in metadata["covariate_scalers"].items()}
        forecaster.history_ = _panel_from_json(metadata["history"])
        if get_spec(forecaster.model).kind == "neural":
            from .models.keras_common import import_keras

            keras = import_keras()
            forecaster.model_ = keras.models.load_model(path / "model.keras", safe_mode=True)
        return forecaster


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
