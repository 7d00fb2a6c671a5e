"""MLflow tracking of the commands: one MLflow run per ``evaluate``, ``forecast`` or ``tune``.

With ``mlflow_uri`` (``--mlflow URI``) a command logs one run to that tracking store
(``sqlite:///PATH``, ``file:DIR`` or a server's ``http://HOST:PORT``) in the experiment
``mlflow_experiment`` (default ``forecastkit``):

- params: the command's settings as resolved (horizon, season, stride, lookback, models) and
  the models' hyperparameters as ``<model>.<name>``;
- metrics: every leaderboard column per model as ``<column>_<model>`` (``mase_naive``), and
  each metric per horizon step as ``<metric>_by_h_<model>`` with the step ``h``;
- artifacts: the run directory's files (report.html, leaderboard.csv, results.csv,
  significance.csv, the plots, run.json); a forecast's CSV and its model as an MLflow pyfunc
  model (``runs:/<run id>/model``, see :mod:`forecastkit.mlflow`);
- tags: the command, forecastkit's, Keras' and the libraries' versions, the Keras backend;
  an evaluation's verdict is the run's description.

``tune`` logs a parent run with one nested run per Optuna trial (:func:`log_tune`). Without
``mlflow_uri`` nothing here imports MLflow.

Examples
--------
>>> metric_key("mase", "naive"), metric_key("mase", "mlp (tuned)")
('mase_naive', 'mase_mlp _tuned_')
>>> check_tracking(RunSettings())  # no mlflow_uri: no tracking, no MLflow import
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
import re
import tempfile
import time
from pathlib import Path

from .errors import ConfigError, ConfigTypeError
from .settings import DEFAULTS, RunSettings, commands_of, setting_names

#: Settings never logged as params: the store itself (an address may carry credentials) and output noise.
UNLOGGED = ("mlflow_uri", "mlflow_experiment", "quiet", "verbose")
#: Characters MLflow refuses in metric and param keys (replaced by ``_``).
_KEY_UNSAFE = re.compile(r"[^\w\-. /]")
#: MLflow's HTTP settings while the store is checked (unless set in the environment).
QUICK_CHECK = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_TIMEOUT": "10"}
#: Optuna trial states -> the status of their nested MLflow run.
TRIAL_STATUS = {"COMPLETE": "FINISHED", "FAIL": "FAILED"}


def check_tracking(settings: RunSettings) -> None:
    """Check the tracking settings before any work: MLflow installed, the store usable and the
    experiment found or created. Without ``mlflow_uri``: nothing, unless an experiment is named."""
    uri, experiment = settings.mlflow_uri, settings.mlflow_experiment
    if uri is None:
        if experiment != DEFAULTS.mlflow_experiment:
            raise ConfigError(f"`mlflow_experiment` names the experiment of an MLflow run, but no `mlflow_uri` was "
                              f"given. Pass `mlflow_uri` (e.g. sqlite:///mlflow.db) or drop `mlflow_experiment`. "
                              f"Received: mlflow_experiment={experiment!r}")
        return
    for name, value in (("mlflow_uri", uri), ("mlflow_experiment", experiment)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigTypeError(f"`{name}` must be a non-empty str. Received: {name}={value!r}")
    from .mlflow import environment

    # a server that does not answer: said in seconds, not after MLflow's minutes of retries
    quick = {name: value for name, value in QUICK_CHECK.items() if name not in os.environ}
    with environment(quick), _client(settings) as client:
        experiment_id(client, experiment)


@contextlib.contextmanager
def _client(settings: RunSettings):
    """An MlflowClient of the settings' store (MLflow's own errors about it as one ConfigError)."""
    from .mlflow import quiet_mlflow, require_mlflow, tracking_store

    mlflow = require_mlflow("`mlflow_uri`")
    with tracking_store(settings.mlflow_uri), quiet_mlflow():
        try:
            yield mlflow.MlflowClient(tracking_uri=settings.mlflow_uri)
        except mlflow.exceptions.MlflowException as err:
            reason = str(err).strip().splitlines()[0].rstrip(".") if str(err).strip() else type(err).__name__
            raise ConfigError(f"MLflow cannot log to `mlflow_uri` {settings.mlflow_uri!r}: {reason}. Use "
                              "sqlite:///PATH, file:DIR or the address of a running `mlflow server`.") from None


def experiment_id(client, name: str) -> str:
    """The id of experiment ``name`` in the client's store, created when missing; a new
    experiment of a ``sqlite:///PATH`` store keeps its artifacts beside the database, in
    ``mlartifacts/<name>`` (MLflow's default, ``./mlruns``, depends on the working directory)."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    uri = client.tracking_uri
    database = uri[len("sqlite:///"):] if uri.startswith("sqlite:///") else ""
    location = None
    if database and database != ":memory:":
        location = (Path(database).resolve().parent / "mlartifacts" / safe_key(name).replace(" ", "_")).as_uri()
    return client.create_experiment(name, artifact_location=location)


@contextlib.contextmanager
def tracked_run(settings: RunSettings, command: str, run_name: str | None = None):
    """A new MLflow run of ``command`` for the ``with`` block, tagged with the versions; yields
    ``(client, run_id)`` and ends the run FINISHED, or FAILED when the block raises."""
    from .runs import DEFAULT_DATASET

    with _client(settings) as client:
        run = client.create_run(experiment_id(client, settings.mlflow_experiment), tags=run_tags(command),
                                run_name=run_name or f"{command} {Path(settings.data or DEFAULT_DATASET).name}")
        run_id = run.info.run_id
        try:
            yield client, run_id
        except BaseException:
            client.set_terminated(run_id, "FAILED")
            raise
        client.set_terminated(run_id, "FINISHED")


def run_tags(command: str) -> dict[str, str]:
    """The tags of a command's run: the command and the versions of forecastkit, Python, the
    libraries and Keras, and the Keras backend (:func:`forecastkit.versions.versions`)."""
    from .versions import REPORT_PACKAGES, versions

    tags = {"forecastkit.command": command, "mlflow.source.name": f"forecastkit {command}"}
    for name, value in versions(REPORT_PACKAGES, keras_backend=True).items():
        tags["keras.backend" if name == "backend" else f"{name}.version"] = str(value)
    return tags


def settings_params(settings: RunSettings, command: str, resolved: dict | None = None) -> dict[str, str]:
    """The settings ``command`` takes as MLflow params (text; unset ones left out), with the
    values the run resolved (``resolved``) in place of the given ones.

    Examples
    --------
    >>> params = settings_params(RunSettings(horizon=6, models=["naive", "ets"]), "evaluate", {"season": 12})
    >>> params["horizon"], params["models"], params["season"], "mlflow_uri" in params
    ('6', 'naive,ets', '12', False)
    """
    from .runs import DEFAULT_DATASET

    values = {name: getattr(settings, name) for name in setting_names()
              if command in commands_of(name) and name not in UNLOGGED}
    if "data" in values:
        values["data"] = values["data"] or DEFAULT_DATASET
    values.update(resolved or {})
    return {safe_key(name): param_text(value) for name, value in values.items() if value is not None}


def param_text(value) -> str:
    """A setting's value as an MLflow param: lists joined by commas."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def safe_key(key: str) -> str:
    """``key`` with the characters MLflow refuses in keys replaced by ``_``."""
    return _KEY_UNSAFE.sub("_", key)


def metric_key(metric: str, model: str) -> str:
    """The key of a model's metric: ``mase_<model>``."""
    return safe_key(f"{metric}_{model}")


def hyper_params(models: dict[str, dict | None]) -> dict[str, str]:
    """``{model: hyperparameters}`` as ``<model>.<name>`` params."""
    return {safe_key(f"{model}.{name}"): param_text(value)
            for model, params in models.items() for name, value in (params or {}).items()}


def _log(client, run_id: str, params: dict | None = None, metrics: dict | None = None,
         steps: list[tuple[str, float, int]] = ()) -> None:
    """Log params, metrics (``key -> value``) and stepped metrics in batches; NaN values are left out."""
    from mlflow.entities import Metric, Param

    now = int(time.time() * 1000)
    points = [(key, value, 0) for key, value in (metrics or {}).items()] + list(steps)
    client.log_batch(run_id, params=[Param(key, value) for key, value in (params or {}).items()],
                     metrics=[Metric(key, float(value), now, int(step)) for key, value, step in points
                              if value is not None and math.isfinite(float(value))])


def log_evaluation(settings: RunSettings, result, paths: dict) -> str:
    """Log an ``evaluate`` run: settings, leaderboard metrics per model, per-horizon metrics
    as steps, the verdict and the run directory's files (``paths``). Returns the run id."""
    from .intervals import INTERVAL_METRICS
    from .metrics import METRICS

    metric = settings.metric
    board = result.leaderboard(metric)
    splitter = result.config.get("splitter", {})
    resolved = {"horizon": splitter.get("horizon"), "season": result.season, "stride": splitter.get("stride"),
                "models": list(board["model"])}
    params = {**settings_params(settings, "evaluate", resolved),
              **hyper_params({label: spec.get("params") for label, spec in result.config["models"].items()})}
    metrics = {metric_key(column, row["model"]): row[column] for _, row in board.iterrows()
               for column in board.columns if column != "model" and _is_number(row[column])}
    steps = []
    relative = "naive2" in set(board["model"])  # OWA is relative to naive2's forecasts: none without them
    for name in METRICS + (INTERVAL_METRICS if result.levels else ()):
        if name == "owa" and not relative:
            continue
        table = result.by_horizon(name)
        steps += [(metric_key(f"{name}_by_h", model), value, h)
                  for model, row in table.iterrows() for h, value in row.items() if _is_number(value)]
    _, verdict = result.significance(metric)
    with tracked_run(settings, "evaluate") as (client, run_id):
        _log(client, run_id, params, metrics, steps)
        client.set_tag(run_id, "mlflow.note.content", "\n\n".join(verdict))
        for path in paths.values():
            if Path(path).is_file():
                client.log_artifact(run_id, str(path))
    return run_id


def log_forecast(settings: RunSettings, forecaster, table) -> str:
    """Log a ``forecast`` run: settings and resolved hyperparameters, the forecast as
    ``forecast.csv`` and the fitted model as an MLflow pyfunc model at ``model``. Returns the run id."""
    from .mlflow import save_model

    resolved = {"model": forecaster.model, "horizon": forecaster.horizon_, "season": forecaster.season_,
                "lookback": getattr(forecaster, "lookback_", None),
                "preprocess_chosen": getattr(forecaster, "preprocess_", None) or None}
    params = {**settings_params(settings, "forecast", resolved),
              **hyper_params({forecaster.model: getattr(forecaster, "hyper_", None)})}
    with tempfile.TemporaryDirectory(prefix="forecastkit-mlflow-") as folder, \
            tracked_run(settings, "forecast", f"forecast {forecaster.model}") as (client, run_id):
        _log(client, run_id, params)
        csv = Path(folder) / Path(settings.out or "forecast.csv").name
        table.to_csv(csv, index=False)
        client.log_artifact(run_id, str(csv))
        model_dir = forecaster.save(Path(folder) / "forecaster")
        client.log_artifacts(run_id, str(save_model(model_dir, Path(folder) / "model")), "model")
    return run_id


def log_tune(study, settings: RunSettings, out) -> str:
    """Log a ``tune`` run: a parent run with the settings, the best trial's params
    (``best.<name>``) and value (``best_<metric>_<model>``) and the files in ``out`` (study
    databases aside), and one nested run per trial of the Optuna ``study`` with its params, its
    value (``<metric>_<model>``), its intermediate values as steps and its numeric user
    attributes. Returns the parent run's id.

    Examples
    --------
    >>> import optuna, tempfile
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    >>> study.optimize(lambda trial: (trial.suggest_int("units", 4, 8) - 6) ** 2, n_trials=3)
    >>> folder = tempfile.mkdtemp()
    >>> settings = RunSettings(model="mlp", mlflow_uri=f"file:{folder}/mlruns")
    >>> run_id = log_tune(study, settings, folder)
    >>> with _client(settings) as client:
    ...     trials = client.search_runs([experiment_id(client, "forecastkit")],
    ...                                 f"tags.mlflow.parentRunId = '{run_id}'")
    >>> len(trials), sorted(trials[0].data.metrics)
    (3, ['mase_mlp'])
    """
    metric, model = settings.metric, settings.model or "model"
    key = metric_key(metric, model)
    done = [trial for trial in study.trials if trial.state.name == "COMPLETE"]
    params = settings_params(settings, "tune", {"model": model, "metric": metric, "trials": len(study.trials)})
    metrics = {state.lower() + "_trials": sum(t.state.name == state for t in study.trials)
               for state in ("COMPLETE", "PRUNED", "FAIL")}
    if done and len(study.directions) == 1:
        params.update({safe_key(f"best.{name}"): param_text(value) for name, value in study.best_params.items()})
        metrics[f"best_{key}"] = study.best_value
    files = [path for path in sorted(Path(out).iterdir()) if path.is_file() and ".sqlite" not in path.name
             and not path.name.endswith((".db", ".log"))] if Path(out).is_dir() else []
    with tracked_run(settings, "tune", f"tune {model}") as (client, run_id):
        _log(client, run_id, params, metrics)
        for path in files:
            client.log_artifact(run_id, str(path))
        experiment = client.get_run(run_id).info.experiment_id
        for trial in study.trials:
            log_trial(client, experiment, run_id, trial, key)
    return run_id


def log_trial(client, experiment: str, parent_run_id: str, trial, key: str) -> str:
    """One Optuna trial as a nested run of ``parent_run_id``; its value as metric ``key``."""
    start = trial.datetime_start.timestamp() * 1000 if trial.datetime_start else None
    tags = {"mlflow.parentRunId": parent_run_id, "optuna.trial": str(trial.number),
            "optuna.state": trial.state.name}
    child = client.create_run(experiment, start_time=int(start) if start else None, tags=tags,
                              run_name=f"trial {trial.number}").info.run_id
    values = trial.values or []
    metrics = {key: values[0]} if len(values) == 1 else {f"{key}_{i}": v for i, v in enumerate(values)}
    metrics.update({safe_key(name): value for name, value in trial.user_attrs.items() if _is_number(value)})
    steps = [("intermediate_value", value, step) for step, value in sorted(trial.intermediate_values.items())]
    _log(client, child, {safe_key(name): param_text(value) for name, value in trial.params.items()}, metrics,
         steps)
    end = trial.datetime_complete.timestamp() * 1000 if trial.datetime_complete else None
    client.set_terminated(child, TRIAL_STATUS.get(trial.state.name, "KILLED"), int(end) if end else None)
    return child


def _is_number(value) -> bool:
    """A finite real number (not a bool): something MLflow can log as a metric."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
