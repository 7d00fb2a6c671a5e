"""MLflow tracking (--mlflow) and the pyfunc model (forecastkit.mlflow), on real stores and servers.

The stores are real (file:DIR, sqlite:///PATH, an `mlflow server` on 127.0.0.1), and so is the
served model (`mlflow models serve --env-manager local`); both servers start together in one
module fixture, so their start-up times overlap, and are always stopped.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import mlflow
import numpy as np
import optuna
import pandas as pd
import pytest

from forecastkit import Forecaster, datasets
from forecastkit.cli import main
from forecastkit.errors import ConfigError
from forecastkit.mlflow import log_model, save_model, tracking_store
from forecastkit.settings import RunSettings
from forecastkit.tracking import log_tune

BIN = os.path.dirname(sys.executable)  # the venv's mlflow and uvicorn
#: Bounded wait for a server to answer (they start in a few seconds on an idle machine).
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process we started (in its own process group), its address and its log."""

    def __init__(self, args: list[str], url: str, probe: str, log_path, env: dict | None = None):
        self.url, self.probe, self.log_path = url, probe, log_path
        environment = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""), **(env or {})}
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(args, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait(self) -> str:
        """The server's address once it answers; fails with its log if it died or took too long."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.url + self.probe, timeout=2)
                return self.url
            time.sleep(0.25)
        pytest.fail(f"server {self.url} did not start: {open(self.log_path).read()[-3000:]}")

    def signal(self, number: int) -> None:
        """Signal the process group of the process we started (the server and its workers)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)


def stop(servers) -> None:
    """Stop every server, together (SIGTERM, then SIGKILL after a bounded wait)."""
    for server in servers:
        server.signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.signal(signal.SIGKILL)
            server.process.wait()


def naive_model(folder) -> str:
    return str(Forecaster("naive", horizon=3).fit(datasets.load("airline")).save(folder / "naive"))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """A tracking server and a served naive model, started at once (their start-ups overlap)."""
    folder = tmp_path_factory.mktemp("servers")
    store = f"file:{folder}/models"
    with tracking_store(store):
        info = log_model(naive_model(folder), "naive")
    port, model_port = free_port(), free_port()
    started = {
        "tracking": Server([f"{BIN}/mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                            "--backend-store-uri", f"file:{folder}/server-store",
                            "--artifacts-destination", str(folder / "server-artifacts")],
                           f"http://127.0.0.1:{port}", "/health", folder / "tracking.log",
                           {"MLFLOW_ALLOW_FILE_STORE": "true"}),
        "model": Server([f"{BIN}/mlflow", "models", "serve", "-m", info.model_uri, "--env-manager", "local",
                         "-h", "127.0.0.1", "-p", str(model_port)],
                        f"http://127.0.0.1:{model_port}", "/ping", folder / "serve.log",
                        {"MLFLOW_TRACKING_URI": store, "MLFLOW_ALLOW_FILE_STORE": "true"}),
    }
    try:
        yield started
    finally:
        stop(started.values())


def search(uri: str, experiment: str = "forecastkit") -> pd.DataFrame:
    with tracking_store(uri):
        return mlflow.search_runs(experiment_names=[experiment])


def artifacts(uri: str, run_id: str, path: str | None = None) -> list[str]:
    with tracking_store(uri):
        return sorted(item.path for item in mlflow.MlflowClient().list_artifacts(run_id, path))


def test_evaluate_logs_one_run_with_metrics_per_model_and_the_run_files(tmp_path, capsys):
    """Done when: an `evaluate --mlflow file:DIR` run appears in mlflow.search_runs with per-model
    MASE metrics, per-horizon steps, settings, versions and the report artifact."""
    uri, out = f"file:{tmp_path}/mlruns", tmp_path / "run"
    assert main(["evaluate", "--models", "naive,seasonal_naive", "--no-baselines", "--horizon", "3", "--folds", "4",
                 "--out", str(out), "--quiet", "--mlflow", uri]) == 0
    assert capsys.readouterr().err == ""
    runs = search(uri)
    assert len(runs) == 1 and runs["status"][0] == "FINISHED"
    run = runs.iloc[0]
    board = pd.read_csv(out / "leaderboard.csv").set_index("model")
    for model in ("naive", "seasonal_naive"):
        for metric in ("mase", "smape", "mae", "rmse", "mape", "mase_std", "origins"):
            assert run[f"metrics.{metric}_{model}"] == pytest.approx(board.loc[model, metric], rel=1e-5)
    assert run["params.horizon"] == "3" and run["params.folds"] == "4" and run["params.season"] == "12"
    assert run["params.stride"] == "3" and run["params.data"] == "airline"
    assert run["params.models"] == ",".join(board.index)
    assert "params.mlflow_uri" not in runs  # the store's address is not a setting of the run
    assert run["tags.forecastkit.command"] == "evaluate"
    assert run["tags.forecastkit.version"] == "0.1.0" and run["tags.keras.backend"] == "tensorflow"
    assert run["tags.keras.version"].startswith("3.")
    assert "Best on MASE" in run["tags.mlflow.note.content"]
    assert {"report.html", "leaderboard.csv", "results.csv", "significance.csv", "forecasts.png",
            "run.json"} <= set(artifacts(uri, run["run_id"]))
    with tracking_store(uri):
        history = mlflow.MlflowClient().get_metric_history(run["run_id"], "mase_by_h_naive")
    results = pd.read_csv(out / "results.csv")
    assert [point.step for point in sorted(history, key=lambda p: p.step)] == [1, 2, 3]
    assert len(results[results["model"] == "naive"]) == 4 * 3
    assert np.mean([p.value for p in history]) == pytest.approx(board.loc["naive", "mase"], rel=1e-6)
    assert "mlflow_uri" not in json.loads((out / "run.json").read_text())["settings"]


def test_forecast_logs_its_settings_csv_and_a_pyfunc_model_to_sqlite_quietly(tmp_path, capfd):
    """--quiet stays quiet: no MLflow INFO lines about the new database, no progress bars."""
    uri, out = f"sqlite:///{tmp_path}/mlflow.db", tmp_path / "forecast.csv"
    assert main(["forecast", "--model", "naive", "--horizon", "3", "--out", str(out), "--quiet", "--mlflow", uri,
                 "--mlflow-experiment", "demand"]) == 0
    error = capfd.readouterr().err  # MLflow logs to the process's standard error
    assert [line for line in error.splitlines() if "mlflow" in line.lower() or "artifacts" in line] == []
    runs = search(uri, "demand")
    assert len(runs) == 1
    run = runs.iloc[0]
    assert run["params.model"] == "naive" and run["params.horizon"] == "3" and run["params.season"] == "12"
    assert run["tags.forecastkit.command"] == "forecast"
    assert "forecast.csv" in artifacts(uri, run["run_id"])
    assert run["artifact_uri"].startswith((tmp_path / "mlartifacts" / "demand").as_uri())  # beside the database
    assert "model/MLmodel" in artifacts(uri, run["run_id"], "model")
    with tracking_store(uri):
        model = mlflow.pyfunc.load_model(f"runs:/{run['run_id']}/model")
    expected = pd.read_csv(out, parse_dates=["time"])
    pd.testing.assert_frame_equal(model.predict(pd.DataFrame()), expected)


def test_pyfunc_model_answers_empty_horizon_and_history_requests(tmp_path):
    """A Keras model on a two-series panel, logged with log_model and loaded through MLflow."""
    passengers = pd.read_csv(datasets.path("airline"))
    frame = pd.concat([passengers.assign(id="a"), passengers.assign(id="b", passengers=passengers["passengers"] * 2)])
    forecaster = Forecaster("linear", horizon=4, lookback=12, params={"epochs": 1}).fit(frame, id="id")
    saved = forecaster.save(tmp_path / "linear")
    with tracking_store(f"file:{tmp_path}/mlruns"):
        info = log_model(saved, "linear")
        model = mlflow.pyfunc.load_model(info.model_uri)
    assert info.model_uri.startswith("models:/")
    full = model.predict(pd.DataFrame())
    pd.testing.assert_frame_equal(full, forecaster.predict())
    assert len(full) == 2 * 4 and list(full.columns) == ["id", "time", "model", "yhat"]
    first = model.predict(pd.DataFrame({"horizon": [2]}))
    pd.testing.assert_frame_equal(first, full.groupby("id").head(2).reset_index(drop=True))
    history = frame.groupby("id").head(100)  # new history: each series' first 100 months
    expected = forecaster.predict(history, id="id")
    pd.testing.assert_frame_equal(model.predict(history), expected)
    assert str(expected["time"].iloc[0].date()) == "1957-05-01"
    with pytest.raises(ConfigError, match=r"`horizon` must be at most 4.*Received: horizon=5"):
        model.predict(pd.DataFrame({"horizon": [5]}))
    with pytest.raises(ConfigError, match=r"`horizon` must be >= 1"):
        model.predict(pd.DataFrame({"horizon": [0]}))


def test_evaluate_logs_to_a_real_tracking_server(servers, tmp_path):
    from forecastkit import runs

    url = servers["tracking"].wait()
    settings = RunSettings(models="naive,seasonal_naive", no_baselines=True, horizon=3, folds=4,
                           out=str(tmp_path / "run"), mlflow_uri=url, mlflow_experiment="served")
    result, out = runs.evaluate(settings)
    runs.write_evaluation(result, out, settings)
    found = search(url, "served")
    assert len(found) == 1
    board = result.leaderboard("mase").set_index("model")
    assert found["metrics.mase_naive"][0] == pytest.approx(board.loc["naive", "mase"])
    assert "report.html" in artifacts(url, found["run_id"][0])


def test_mlflow_models_serve_answers_a_request(servers):
    url = servers["model"].wait()

    def post(body: dict):
        request = urllib.request.Request(f"{url}/invocations", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    status, answer = post({"dataframe_split": {"columns": ["horizon"], "data": [[2]]}})
    assert status == 200, answer
    predictions = pd.DataFrame(answer["predictions"])
    assert list(predictions.columns) == ["id", "time", "model", "yhat"]
    assert predictions["yhat"].tolist() == [432.0, 432.0] and predictions["id"].tolist() == ["passengers"] * 2
    assert pd.to_datetime(predictions["time"]).dt.strftime("%Y-%m").tolist() == ["1961-01", "1961-02"]
    status, answer = post({"dataframe_records": [{"month": "1960-11-01", "passengers": 390},
                                                 {"month": "1960-12-01", "passengers": 400}]})
    assert status == 200 and [row["yhat"] for row in answer["predictions"]] == [400.0] * 3
    status, answer = post({"dataframe_records": [{"horizon": 9}]})
    assert status == 400 and "`horizon` must be at most 3" in answer["message"]  # forecastkit's, not "unexpected"


def test_log_tune_logs_a_parent_run_with_one_nested_run_per_trial(tmp_path):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=f"sqlite:///{tmp_path}/study.sqlite", study_name="mlp",
                                sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.ThresholdPruner(upper=2.5))

    def objective(trial):
        units = trial.suggest_int("units", 4, 8)
        rate = trial.suggest_float("learning_rate", 1e-3, 1e-1, log=True)
        for epoch in range(3):
            loss = abs(units - 6) + rate + 1.0 / (epoch + 1)
            trial.report(loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        trial.set_user_attr("fit_seconds", 0.5)
        return loss

    for units in (4, 6, 7):  # 4 is pruned: its first loss is above 2.5
        study.enqueue_trial({"units": units, "learning_rate": 0.01})
    study.optimize(objective, n_trials=3)
    (tmp_path / "trials.csv").write_text(study.trials_dataframe().to_csv(index=False))
    uri = f"file:{tmp_path}/mlruns"
    parent = log_tune(study, RunSettings(model="mlp", mlflow_uri=uri), tmp_path)
    runs = search(uri).set_index("run_id")
    assert len(runs) == 4
    top = runs.loc[parent]
    assert top["params.model"] == "mlp" and top["params.trials"] == "3"
    assert top["params.best.units"] == "6" == str(study.best_params["units"])
    assert top["metrics.best_mase_mlp"] == pytest.approx(study.best_value)
    assert top["metrics.pruned_trials"] == 1 and top["tags.forecastkit.command"] == "tune"
    assert artifacts(uri, parent) == ["trials.csv"]  # the study database stays out
    trials = runs[runs["tags.mlflow.parentRunId"] == parent].sort_values("tags.optuna.trial")
    assert trials["tags.optuna.trial"].tolist() == ["0", "1", "2"]
    assert trials["status"].tolist()[0] == "KILLED" and set(trials["status"][1:]) == {"FINISHED"}
    done = trials.iloc[1]
    assert done["metrics.mase_mlp"] == pytest.approx(study.trials[1].value)
    assert done["params.units"] == str(study.trials[1].params["units"]) and done["metrics.fit_seconds"] == 0.5
    with tracking_store(uri):
        steps = mlflow.MlflowClient().get_metric_history(done.name, "intermediate_value")
    assert sorted(point.step for point in steps) == [0, 1, 2]


def test_tracking_errors_are_one_line_naming_flags(tmp_path, capsys, monkeypatch):
    assert main(["evaluate", "--mlflow-experiment", "x", "--out", str(tmp_path / "run")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "`--mlflow-experiment`" in error and "`--mlflow`" in error
    assert main(["forecast", "--model", "naive", "--mlflow", "nosuch://place", "--out", str(tmp_path / "f.csv")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "`--mlflow` 'nosuch://place'" in error
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if MLflow were not installed
    assert main(["forecast", "--model", "naive", "--mlflow", "sqlite:///x.db", "--out", str(tmp_path / "f.csv")]) == 1
    error = capsys.readouterr().err
    assert error == ('forecastkit: error: `--mlflow` needs MLflow, which is not installed: '
                     'pip install "forecastkit[mlflow]".\n')
    with pytest.raises(ConfigError, match=r"forecastkit\[mlflow\]"):
        save_model(tmp_path / "none", tmp_path / "model")
    assert not (tmp_path / "f.csv").exists() and not (tmp_path / "run").exists()


def test_without_the_flag_nothing_imports_mlflow(tmp_path):
    command = ["forecast", "--model", "naive", "--horizon", "2", "--quiet", "--out", str(tmp_path / "f.csv")]
    code = (f"import sys; from forecastkit.cli import main; assert main({command!r}) == 0; "
            "assert 'mlflow' not in sys.modules, 'mlflow imported without --mlflow'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
