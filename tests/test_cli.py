"""Command line: help, errors without traceback or TensorFlow, forecast end to end."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NO_TF = "import sys; from forecastkit.cli import main; rc = main(sys.argv[1:]); " \
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules or 'keras' in sys.modules else 'NO-TF'); sys.exit(rc)"


def run(*args, cwd=None, script=None):
    command = [sys.executable, "-c", NO_TF, *args] if script is None else [sys.executable, *script, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=300)


def test_help_is_fast_and_complete():
    result = run("forecast", "--help", script=[str(ROOT / "cli.py")])
    assert result.returncode == 0
    for flag in ("--data", "--target", "--time", "--id", "--model", "--horizon", "--lookback", "--freq",
                 "--fill", "--season", "--out", "--save-model", "--config", "--seed", "--quiet", "--epochs",
                 "--units", "--layers", "--batch-size", "--learning-rate", "--patience", "--dropout"):
        assert flag in result.stdout


def test_cli_py_and_module_behave_alike():
    a = run("models", script=[str(ROOT / "cli.py")])
    b = run("models", script=["-m", "forecastkit"])
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout
    assert "encoder_decoder" in a.stdout and "naive2" in a.stdout and "units=32" in a.stdout


def test_datasets_command_lists_shipped_data():
    result = run("datasets")
    assert result.returncode == 0
    for name in ("airline", "sunspots", "visnights", "macrodata"):
        assert name in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--model", "prophet"], "Unknown model 'prophet'"),
    (["--horizon", "0"], "`horizon` must be >= 1. Received: horizon=0"),
    (["--data", "missing.csv"], "no such file, and not a shipped dataset"),
    (["--model", "linear", "--units", "8"], "`--units` does not apply to model 'linear'"),
    (["--data", "co2"], "--fill"),
    (["--data", "airline", "--target", "nope"], "nope"),
    (["--lookback", "200"], "lookback 200"),
    (["--fill", "magic", "--data", "co2"], "magic"),
    (["--scaler", "robust"], "`scaler` must be one of"),
])
def test_bad_input_is_one_line_exit_1_without_tensorflow(args, message, tmp_path):
    result = run("forecast", "--out", str(tmp_path / "f.csv"), *args)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forecastkit: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("NO-TF")
    assert not (tmp_path / "f.csv").exists()


def test_bad_file_content_is_a_data_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,value\n2020-01-01,1\n2020-01-02,abc\n2020-01-03,3\n")
    result = run("forecast", "--data", str(bad), "--out", str(tmp_path / "f.csv"))
    assert result.returncode == 1 and "abc" in result.stderr and "line 3" in result.stderr


def test_usage_error_exits_2():
    result = run("forecast", "--horizon", "three")
    assert result.returncode == 2 and "invalid int value" in result.stderr


def test_config_file_with_unknown_key(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('horizon = 3\ncolour = "blue"\n')
    result = run("forecast", "--config", str(config))
    assert result.returncode == 1 and "Unknown key 'colour'" in result.stderr


def test_forecast_end_to_end_with_config_and_saved_model(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('model = "mlp"\nhorizon = 4\nepochs = 50\n[models.mlp]\nunits = 8\nlayers = 1\n')
    out, saved = tmp_path / "out" / "f.csv", tmp_path / "model"
    result = run("forecast", "--config", str(config), "--epochs", "2", "--lookback", "12",
                 "--out", str(out), "--save-model", str(saved))
    assert result.returncode == 0, result.stderr
    forecast = pd.read_csv(out)
    assert list(forecast.columns) == ["id", "time", "model", "yhat"] and len(forecast) == 4
    assert forecast["time"].iloc[0] == "1961-01-01" and (forecast["model"] == "mlp").all()
    assert "mlp forecast" in result.stdout and "1961-01-01" in result.stdout
    assert (saved / "model.keras").exists() and (saved / "metadata.json").exists()
    from forecastkit.forecaster import Forecaster

    loaded = Forecaster.load(saved)
    assert loaded.hyper_["epochs"] == 2 and loaded.hyper_["units"] == 8
    pd.testing.assert_series_equal(loaded.predict()["yhat"], forecast["yhat"], check_exact=False, rtol=1e-12)


def test_quiet_prints_nothing_and_panel_forecast(tmp_path):
    out = tmp_path / "f.csv"
    result = run("forecast", "--data", "visnights", "--model", "seasonal_naive", "--quiet", "--out", str(out))
    assert result.returncode == 0 and result.stdout.strip() == "NO-TF" and result.stderr == ""
    forecast = pd.read_csv(out)
    assert forecast["id"].nunique() == 20 and len(forecast) == 20 * 4
