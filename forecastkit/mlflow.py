"""forecastkit in MLflow: a saved Forecaster as an MLflow pyfunc model that loads and serves.

:func:`log_model` logs a directory written by :meth:`Forecaster.save
<forecastkit.forecaster.Forecaster.save>` as an MLflow ``python_function`` model.
``mlflow.pyfunc.load_model(info.model_uri).predict(frame)`` (and ``mlflow models serve``)
then answer three kinds of request (:func:`predict_frame`), each with the tidy forecast frame
(``id, time, model, yhat``):

- an empty frame: the saved horizon after the training data's end;
- one row with an integer ``horizon`` column: the first ``horizon`` steps (at most the saved
  horizon);
- new history rows in the training layout (the target column as in training, a time column,
  the covariates, and a series ``id`` column for a panel), optionally with a ``horizon``
  column: the forecast after that history.

Needs ``pip install "forecastkit[mlflow]"``. Within this module ``import mlflow`` is the
MLflow package. :func:`tracking_store` points MLflow at a tracking store for one block.

Examples
--------
>>> from forecastkit import Forecaster, datasets
>>> forecaster = Forecaster("naive", horizon=3).fit(datasets.load("airline"))
>>> predict_frame(forecaster, pd.DataFrame({"horizon": [2]}))[["id", "yhat"]]
           id   yhat
0  passengers  432.0
1  passengers  432.0
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from . import __version__
from .checks import check_int
from .errors import ConfigError, ForecastkitError

#: The MLflow extra's install line, named when MLflow is missing.
MLFLOW_EXTRA = 'pip install "forecastkit[mlflow]"'
#: The key of the saved forecaster directory among the pyfunc model's artifacts.
ARTIFACT = "forecaster"

try:
    from mlflow.pyfunc import PythonModel
except ImportError:  # log_model and tracking_store say which extra to install
    PythonModel = object


def require_mlflow(needed_by: str = "forecastkit.mlflow"):
    """The ``mlflow`` package, or a ConfigError naming the extra that installs it.

    ``needed_by`` names what needs it in the message (e.g. ```mlflow_uri```).

    Examples
    --------
    >>> require_mlflow().__name__
    'mlflow'
    """
    try:
        import mlflow
        import mlflow.pyfunc  # noqa: F401
    except ImportError:
        raise ConfigError(f"{needed_by} needs MLflow, which is not installed: {MLFLOW_EXTRA}.") from None
    return mlflow


def is_file_store(uri: str) -> bool:
    """Whether tracking URI ``uri`` is a local directory store (``file:DIR`` or a plain path).

    Examples
    --------
    >>> is_file_store("file:runs/mlruns"), is_file_store("sqlite:///mlflow.db"), is_file_store("mlruns")
    (True, False, True)
    """
    return urlparse(uri).scheme in ("", "file")


@contextlib.contextmanager
def tracking_store(uri: str):
    """MLflow's tracking URI set to ``uri`` for a ``with`` block, then restored.

    A ``file:DIR`` store is allowed for the block (MLflow 3 refuses directory stores unless
    ``MLFLOW_ALLOW_FILE_STORE`` is true; naming one is choosing it).

    Examples
    --------
    >>> import mlflow, tempfile
    >>> with tracking_store("file:" + tempfile.mkdtemp()):
    ...     mlflow.get_tracking_uri().startswith("file:")
    True
    """
    mlflow = require_mlflow("`mlflow_uri`")
    previous = mlflow.get_tracking_uri() if mlflow.is_tracking_uri_set() else None
    with environment({"MLFLOW_ALLOW_FILE_STORE": "true"} if is_file_store(uri) else {}, "MLFLOW_TRACKING_URI"):
        mlflow.set_tracking_uri(uri)
        try:
            yield
        finally:
            mlflow.set_tracking_uri(previous)


@contextlib.contextmanager
def environment(values: dict[str, str], *kept: str):
    """Environment variables set to ``values`` for a ``with`` block; they and the ``kept``
    names are restored after it (set as they were, or unset).

    Examples
    --------
    >>> with environment({"FORECASTKIT_EXAMPLE": "1"}):
    ...     os.environ["FORECASTKIT_EXAMPLE"]
    '1'
    >>> "FORECASTKIT_EXAMPLE" in os.environ
    False
    """
    saved = {name: os.environ.get(name) for name in (*values, *kept)}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ForecasterModel(PythonModel):
    """The pyfunc model of a saved Forecaster: ``predict(frame)`` is :func:`predict_frame`."""

    def load_context(self, context):
        from .forecaster import Forecaster

        self.forecaster = Forecaster.load(context.artifacts[ARTIFACT])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:  # a frame: no schema
        try:
            return predict_frame(self.forecaster, model_input)
        except ForecastkitError as err:
            raise served_error(err) from None


def served_error(err: Exception) -> Exception:
    """``err`` (a forecastkit error) as an error of its own class that is also an MLflow
    ``MlflowException`` with its message: ``mlflow models serve`` then answers a bad request
    with forecastkit's message (HTTP 400) instead of "an unexpected error", and a caller of
    the pyfunc in Python can still catch the forecastkit class."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

    served = type(type(err).__name__, (MlflowException, type(err)), {"__module__": type(err).__module__})
    return served(str(err), error_code=INVALID_PARAMETER_VALUE)


def predict_frame(forecaster, frame) -> pd.DataFrame:
    """The tidy forecast a pyfunc request asks of fitted ``forecaster`` (see the module notes).

    ``frame``: empty (forecast after the training data), one row with an integer ``horizon``
    column (its first steps), or new history rows in the training layout (and optionally a
    ``horizon`` column). Returns ``id, time, model, yhat`` rows, ``horizon`` per series.

    Examples
    --------
    >>> from forecastkit import Forecaster, datasets
    >>> airline = pd.read_csv(datasets.path("airline"))
    >>> forecaster = Forecaster("naive", horizon=2).fit(airline.iloc[:-1])
    >>> predict_frame(forecaster, airline.tail(3))[["time", "yhat"]]
            time   yhat
    0 1961-01-01  432.0
    1 1961-02-01  432.0
    >>> predict_frame(forecaster, pd.DataFrame({"horizon": [3]}))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `horizon` must be at most 2, the horizon the model was saved with; refit it with a longer horizon for more steps. Received: horizon=3
    """
    frame = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    saved = forecaster.horizon_
    horizon = saved
    if "horizon" in frame.columns:
        horizon = requested_horizon(frame["horizon"], saved)
        frame = frame.drop(columns="horizon")
    future = forecaster.covariates_.get("future") or []
    if future:
        raise ConfigError(f"This model uses the future-known covariates {future}, whose values over the horizon "
                          "a pyfunc request cannot carry. Forecast it with Forecaster.predict(future=...).")
    if frame.empty:  # no rows, or a horizon column only: from the training data's end
        table = forecaster.predict()
    else:
        table = forecaster.predict(frame)  # read like the training data (options.training_layout)
    if horizon < saved:
        table = table[table.groupby("id", sort=False).cumcount() < horizon].reset_index(drop=True)
    return table


def requested_horizon(column: pd.Series, saved: int) -> int:
    """The one ``horizon`` a request's column asks for: an integer from 1 to ``saved``."""
    values = pd.unique(column.dropna())
    if len(values) != 1:
        raise ConfigError(f"`horizon` must be one value for the whole request. Received: horizon={list(values)}")
    horizon = check_int(values[0].item() if hasattr(values[0], "item") else values[0], "horizon")
    if horizon > saved:
        raise ConfigError(f"`horizon` must be at most {saved}, the horizon the model was saved with; refit it "
                          f"with a longer horizon for more steps. Received: horizon={horizon}")
    return horizon


def pyfunc_arguments(model_dir) -> dict:
    """The python model, artifacts and pip requirements of a saved forecaster's pyfunc model
    (checked: ``model_dir`` must hold a model written by ``Forecaster.save``)."""
    from .forecaster.persistence import read_metadata

    mlflow = require_mlflow("forecastkit.mlflow")
    if not isinstance(model_dir, (str, os.PathLike)):
        raise ConfigError(f"`model_dir` must be the directory given to Forecaster.save(). "
                          f"Received: model_dir of type {type(model_dir).__name__}")
    metadata = read_metadata(Path(model_dir) / "metadata.json")
    written = metadata["versions"]
    requirements = [f"forecastkit=={__version__}", f"mlflow=={mlflow.__version__}"]
    requirements += [f"{package}=={written[package]}" for package in ("keras", "tensorflow", "jax")
                     if package in written]
    return {"python_model": ForecasterModel(), "artifacts": {ARTIFACT: str(Path(model_dir).resolve())},
            "pip_requirements": requirements}


def log_model(model_dir, name: str = "model", **kwargs):
    """Log the Forecaster saved in ``model_dir`` as an MLflow pyfunc model named ``name``.

    Logs to MLflow's current tracking store (and active run, if any). The model's
    ``predict(frame)`` answers as :func:`predict_frame` does; ``mlflow models serve -m
    <info.model_uri>`` serves it. Requirements list this forecastkit, MLflow and the Keras
    the model was saved with. Further keywords go to ``mlflow.pyfunc.log_model`` (e.g.
    ``registered_model_name``).

    Parameters
    ----------
    model_dir : str or Path
        A directory written by :meth:`Forecaster.save <forecastkit.forecaster.Forecaster.save>`.
    name : str
        The model's name in MLflow.

    Returns
    -------
    mlflow.models.model.ModelInfo
        ``info.model_uri`` loads it: ``mlflow.pyfunc.load_model(info.model_uri)``.

    Examples
    --------
    >>> import mlflow, tempfile
    >>> from forecastkit import Forecaster, datasets
    >>> folder = tempfile.mkdtemp()
    >>> saved = Forecaster("naive", horizon=3).fit(datasets.load("airline")).save(f"{folder}/naive")
    >>> with tracking_store(f"file:{folder}/mlruns"):
    ...     info = log_model(saved, "naive")
    ...     model = mlflow.pyfunc.load_model(info.model_uri)
    >>> model.predict(pd.DataFrame({"horizon": [2]}))["yhat"].tolist()
    [432.0, 432.0]
    """
    if not isinstance(name, str) or not name:
        raise ConfigError(f"`name` must be a non-empty str. Received: name={name!r}")
    arguments = pyfunc_arguments(model_dir)
    import mlflow

    with quiet_mlflow():
        return mlflow.pyfunc.log_model(name=name, **{**arguments, **kwargs})


def save_model(model_dir, path) -> Path:
    """Write the Forecaster saved in ``model_dir`` as an MLflow pyfunc model directory ``path``
    (no tracking store; what :func:`log_model` logs). Returns ``path``."""
    arguments = pyfunc_arguments(model_dir)
    import mlflow

    with quiet_mlflow():
        mlflow.pyfunc.save_model(str(path), **arguments)
    return Path(path)


@contextlib.contextmanager
def quiet_mlflow():
    """MLflow without its chatter for a ``with`` block: no INFO lines (database tables created),
    no progress bars of artifact copies, and not the pyfunc warnings that do not apply here (the
    python model pickles a reference to :class:`ForecasterModel`, no code; the model has no
    signature on purpose, as it takes three kinds of frame). Its errors still show."""
    loggers = {logging.getLogger("mlflow"): logging.WARNING, logging.getLogger("mlflow.pyfunc"): logging.ERROR}
    levels = {logger: logger.level for logger in loggers}
    for logger, level in loggers.items():
        logger.setLevel(level)
    try:
        with environment({"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}):
            yield
    finally:
        for logger, level in levels.items():
            logger.setLevel(level)
