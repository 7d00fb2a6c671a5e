"""Command line: help, errors without traceback or TensorFlow, forecast end to end."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecastkit.models.registry import get_spec, model_names

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
                 "--units", "--layers", "--batch-size", "--learning-rate", "--patience", "--dropout", "--loss",
                 "--steps-per-epoch"):
        assert flag in result.stdout


def test_evaluate_help_lists_resume_and_determinism_flags():
    result = run("evaluate", "--help")
    assert result.returncode == 0
    for flag in ("--resume", "--fast-nondeterministic", "--warm-start", "--refit", "--out"):
        assert flag in result.stdout
    assert "130 when interrupted" in " ".join(result.stdout.split())


def test_cli_py_and_module_behave_alike():
    a = run("models", script=[str(ROOT / "cli.py")])
    b = run("models", script=["-m", "forecastkit"])
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout
    assert "encoder_decoder" in a.stdout and "naive2" in a.stdout and "units=32" in a.stdout


def test_command_runs_exit_handlers_and_keeps_exit_code_without_teardown(tmp_path):
    # the console script ends with os._exit after main: non-daemon threads finish and exit
    # handlers run first, output is flushed through a pipe, the exit code is main's (0, 2)
    marker, thread_marker = tmp_path / "handler-ran", tmp_path / "thread-ran"
    script = ("import atexit, pathlib, sys, threading, time\n"
              f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
              "threading.Thread(target=lambda: (time.sleep(0.5), "
              f"pathlib.Path({str(thread_marker)!r}).write_text('yes'))).start()\n"
              "from forecastkit.cli import run\n"
              "sys.argv = ['forecastkit', *sys.argv[1:]]\n"
              "run()\n"
              "raise SystemExit(99)  # never reached\n")
    ok = run("datasets", script=["-c", script])
    assert ok.returncode == 0 and "airline" in ok.stdout and marker.read_text() == thread_marker.read_text() == "yes"
    bad = run("forecast", "--horizon", script=["-c", script])
    assert bad.returncode == 2 and "--horizon" in bad.stderr


def test_datasets_command_lists_shipped_data():
    result = run("datasets")
    assert result.returncode == 0
    for name in ("airline", "sunspots", "visnights", "macrodata"):
        assert name in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--model", "prophet"], "Unknown model 'prophet'"),
    (["--horizon", "0"], "`--horizon` must be >= 1. Received: horizon=0"),
    (["--data", "missing.csv"], "no such file, and not a shipped dataset"),
    (["--model", "linear", "--units", "8"], "`--units` does not apply to model 'linear'"),
    (["--data", "co2"], "--fill"),
    (["--data", "airline", "--target", "nope"], "nope"),
    (["--lookback", "200"], "lookback 200"),
    (["--fill", "magic", "--data", "co2"], "magic"),
    (["--scaler", "robust"], "`--scaler` must be one of"),
    (["--model", "vanilla", "--loss", "l1"], "`--loss` of model 'vanilla' must be one of: mse, mae, huber. "
                                             "Received: loss='l1'"),
    (["--model", "mlp", "--steps-per-epoch", "-2"], "`--steps-per-epoch` of model 'mlp' must be >= 0. "
                                                    "Received: steps_per_epoch=-2"),
    (["--model", "naive", "--loss", "mae"], "`--loss` does not apply to model 'naive'"),
    (["--season", "-2"], "`--season` must be >= 1. Received: season=-2"),  # not the horizon it would set
    (["--save-model", "README.md"], "`--save-model` 'README.md' is a file, but a saved model is a directory"),
    (["--from-run", "runs/x", "--data", "nile", "--horizon", "6"],
     "`--from-run` refits with the data and settings of that run, so `--data`, `--horizon` would be ignored"),
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


def write_series(path, values):
    dates = pd.date_range("2000-01-01", periods=len(values), freq="MS")
    pd.DataFrame({"month": dates.strftime("%Y-%m-%d"), "sales": values}).to_csv(path, index=False)


def test_evaluate_end_to_end_then_forecast_from_the_run(tmp_path):
    out = tmp_path / "run"
    args = ["evaluate", "--models", "linear,seasonal_naive,naive", "--no-baselines", "--horizon", "3",
            "--folds", "12", "--refit", "every:6", "--epochs", "2", "--lookback", "12", "--out", str(out)]
    result = run(*args)
    assert result.returncode == 0, result.stderr
    for name in ("results.csv", "leaderboard.csv", "significance.csv", "report.html", "forecasts.png",
                 "run.json", "results.sqlite"):
        assert (out / name).exists(), name
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == ["model", "id", "fit", "origin", "h", "time", "y_true", "y_pred"]
    assert len(results) == 3 * 12 * 3 and results.groupby("model")["fit"].nunique().to_dict() == {
        "linear": 2, "naive": 12, "seasonal_naive": 12}
    board = pd.read_csv(out / "leaderboard.csv")
    assert board["model"].tolist()[0] in {"linear", "seasonal_naive", "naive"} and len(board) == 3
    assert {"rank", "mase", "mase_std", "smape", "owa", "failed_fits"} <= set(board.columns)
    assert "Best on MASE:" in result.stdout and "origins" in result.stdout
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "Leaderboard" in page and "http" not in page.split("<body>")[1]
    # forecasts.png is the figure the report embeds, drawn once
    assert base64.b64encode((out / "forecasts.png").read_bytes()).decode() in page
    # rerunning into the same directory never overwrites it
    again = run(*args)
    assert again.returncode == 1 and "--resume" in again.stderr
    resumed = run(*args, "--resume")
    assert resumed.returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(out / "results.csv"), results)
    # the winner, refit on all the data with the run's settings
    forecast = run("forecast", "--from-run", str(out), "--out", str(tmp_path / "f.csv"))
    assert forecast.returncode == 0, forecast.stderr
    best = board["model"].iloc[0]
    assert pd.read_csv(tmp_path / "f.csv")["model"].unique().tolist() == [best]
    named = run("forecast", "--from-run", str(out), "--model", "naive", "--out", str(tmp_path / "g.csv"))
    assert named.returncode == 0 and pd.read_csv(tmp_path / "g.csv")["model"].iloc[0] == "naive"
    assert "yhat_lo_80" not in pd.read_csv(tmp_path / "g.csv").columns
    ranged = run("forecast", "--from-run", str(out), "--model", "naive", "--level", "80", "--out", str(tmp_path / "h.csv"))
    assert ranged.returncode == 0 and {"yhat_lo_80", "yhat_hi_80"} <= set(pd.read_csv(tmp_path / "h.csv").columns)
    unknown = run("forecast", "--from-run", str(out), "--model", "mlp")
    assert unknown.returncode == 1 and "was not in the run" in unknown.stderr


def test_evaluate_failed_fits_exit_3_and_are_reported(tmp_path):
    values = 100 + 10 * np.sin(np.arange(60) * np.pi / 6)
    values[54] = -1.0  # fits from origin 55 on cannot take a log
    data = tmp_path / "s.csv"
    write_series(data, values)
    config = tmp_path / "run.toml"  # an mlp whose loss becomes NaN: the fits before row 54 diverge
    config.write_text("[models.mlp]\nlearning_rate = 1e30\nunits = 4\nlayers = 1\n")
    # standard scaling: window_steps would read this deseasonalised sine as flat windows, nothing to diverge on
    result = run("evaluate", "--data", str(data), "--models", "linear,naive,mlp", "--no-baselines", "--transform",
                 "log", "--scaler", "standard", "--horizon", "2", "--folds", "6", "--stride", "1", "--refit", "always", "--epochs", "2",
                 "--lookback", "6", "--config", str(config), "--out", str(tmp_path / "run"))
    assert result.returncode == 3, result.stderr
    assert "failed fit: linear" in result.stdout and "strictly positive" in result.stdout
    assert "failed fit: mlp / sales / fit 0: TrainingError: Training 'training mlp' diverged" in result.stdout
    assert "Invalid loss" not in result.stdout
    board = pd.read_csv(tmp_path / "run" / "leaderboard.csv").set_index("model")
    assert board["failed_fits"].to_dict() == {"linear": 4, "mlp": 6, "naive": 0}
    fits = pd.read_csv(tmp_path / "run" / "results.csv").groupby("model")["fit"].nunique()
    assert fits.to_dict() == {"linear": 6, "mlp": 6, "naive": 6}  # the run went on to the end


@pytest.mark.parametrize("args, message", [
    (["--refit", "sometimes"], "`--refit` must be 'always', 'never' or 'every:K'"),
    (["--window", "rolling"], "`--window` must be 'expanding' or 'sliding:N'"),
    (["--metric", "r2"], "`--metric` must be one of"),
    (["--folds", "200"], "too short for 200 folds"),
    (["--models", "linear,prophet"], "Unknown model 'prophet'"),
    (["--start", "1970-01-01", "--models", "naive"], "latest possible origin"),
    (["--layers", "3", "--models", "vanilla,linear"], "`--layers` applies to none of the models"),
])
def test_evaluate_bad_input_fails_fast_without_tensorflow(args, message, tmp_path):
    result = run("evaluate", "--out", str(tmp_path / "run"), *args)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("NO-TF")


@pytest.mark.parametrize("model", model_names())
def test_every_model_forecasts_a_shipped_series_from_the_cli(model, tmp_path, capsys):
    from forecastkit.cli import main

    spec = get_spec(model)
    neural = []
    if spec.kind != "baseline":  # an ensemble passes --epochs to its members
        neural = ["--epochs", "1"] + (["--units", "4"] if "units" in {h.name for h in spec.hypers} else [])
    out = tmp_path / "f.csv"
    assert main(["forecast", "--data", "shampoo", "--model", model, "--horizon", "3", "--lookback", "6",
                 "--quiet", "--out", str(out), *neural]) == 0
    forecast = pd.read_csv(out)
    assert len(forecast) == 3 and forecast["yhat"].notna().all() and (forecast["model"] == model).all()
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------------ reruns, --from-run, what is printed --
def quick_evaluate(data, out, *extra):
    from forecastkit.cli import main

    return main(["evaluate", "--data", str(data), "--models", "naive,seasonal_naive", "--no-baselines",
                 "--horizon", "3", "--folds", "4", "--out", str(out), *extra])


def test_overwrite_replaces_only_forecastkits_files_and_not_with_resume(tmp_path, capsys):
    data = tmp_path / "s.csv"
    write_series(data, 100 + 10 * np.sin(np.arange(48) * np.pi / 6))
    out = tmp_path / "run"
    assert quick_evaluate(data, out) == 0
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert quick_evaluate(data, out) == 1
    refusal = capsys.readouterr().err
    assert "--overwrite" in refusal and "--resume" in refusal and len(refusal.splitlines()) == 1
    assert quick_evaluate(data, out, "--overwrite", "--resume") == 1
    assert "`--overwrite`" in capsys.readouterr().err
    results = (out / "results.csv").read_bytes()
    assert quick_evaluate(data, out, "--overwrite") == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "results.csv").read_bytes() == results
    capsys.readouterr()
    assert quick_evaluate(data, out, "--resume", "--horizon", "2") == 1
    mismatch = [line for line in capsys.readouterr().err.splitlines() if line.startswith("forecastkit: error:")]
    assert "horizon: 3 in the run, 2 now" in mismatch[0] and len(mismatch[0]) < 400, mismatch


def test_evaluate_never_replaces_a_users_files_that_are_not_a_run(tmp_path, capsys):
    # an --out folder without forecastkit's store: its results.csv was replaced, exit 0, even
    # when it was the data being evaluated (and --overwrite would then have deleted it)
    data = tmp_path / "run" / "results.csv"
    data.parent.mkdir()
    write_series(data, 100 + 10 * np.sin(np.arange(48) * np.pi / 6))
    before = data.read_bytes()
    for extra in ((), ("--overwrite",)):
        assert quick_evaluate(data, data.parent, *extra) == 1
        assert "is a file the run writes in `--out`" in capsys.readouterr().err and data.read_bytes() == before
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "leaderboard.csv").write_text("my own table")
    assert quick_evaluate(tmp_path / "run" / "results.csv", mine) == 1
    err = capsys.readouterr().err
    assert "holds leaderboard.csv, which the run would replace, and no run of forecastkit's" in err
    assert (mine / "leaderboard.csv").read_text() == "my own table"
    assert quick_evaluate(tmp_path / "run" / "results.csv", mine, "--overwrite", "--quiet") == 0


def test_forecast_from_run_works_from_any_directory_and_notices_changed_data(tmp_path, monkeypatch, capsys):
    import json

    from forecastkit.cli import main

    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    write_series(tmp_path / "sales.csv", 100 + 10 * np.sin(np.arange(48) * np.pi / 6))
    assert quick_evaluate("../sales.csv", "run") == 0
    run_json = json.loads((tmp_path / "project" / "run" / "run.json").read_text())
    assert run_json["data_path"] == str((tmp_path / "sales.csv").resolve())
    assert len(run_json["data_sha256"]) == 64
    monkeypatch.chdir(tmp_path)
    assert main(["forecast", "--from-run", "project/run", "--out", "f.csv", "--quiet"]) == 0
    assert len(pd.read_csv(tmp_path / "f.csv")) == 3
    write_series(tmp_path / "sales.csv", 200 + 10 * np.sin(np.arange(48) * np.pi / 6))
    capsys.readouterr()
    assert main(["forecast", "--from-run", "project/run", "--out", "g.csv"]) == 1
    error = capsys.readouterr().err
    assert "sales.csv" in error and "changed since the run" in error and "Evaluate again" in error


def test_resolved_settings_line_and_plain_progress_when_piped(tmp_path, capsys):
    from forecastkit.cli import main

    assert main(["forecast", "--model", "naive", "--out", str(tmp_path / "f.csv")]) == 0
    err = capsys.readouterr().err
    assert "season 12 (resolved from the frequency MS)" in err and "horizon 12 (resolved" in err
    assert main(["forecast", "--model", "naive", "--horizon", "3", "--quiet", "--out", str(tmp_path / "f.csv")]) == 0
    assert capsys.readouterr().err == ""
    write_series(tmp_path / "s.csv", 100 + 10 * np.sin(np.arange(48) * np.pi / 6))
    assert quick_evaluate(tmp_path / "s.csv", tmp_path / "run") == 0
    err = capsys.readouterr().err  # stderr is not a terminal here: plain lines, no live bar
    assert "horizon 3 (given)" in err and "\r" not in err and "\x1b[" not in err
    assert "4 origins 3 apart (stride resolved" in err


def test_library_messages_name_flags_on_the_command_line_but_config_keys_as_written(tmp_path, capsys):
    from forecastkit.cli import main

    assert main(["forecast", "--validation", "1.5", "--model", "mlp", "--out", str(tmp_path / "f.csv")]) == 1
    flagged = capsys.readouterr().err
    assert "`--validation`" in flagged and "`validation`" not in flagged
    config = tmp_path / "run.toml"
    config.write_text('model = "mlp"\nvalidation = 1.5\n')
    assert main(["forecast", "--config", str(config), "--out", str(tmp_path / "f.csv")]) == 1
    written = capsys.readouterr().err
    assert "`validation`" in written and "`--validation`" not in written


def test_evaluate_labels_spelling_variants_with_the_registered_name(tmp_path):
    result = run("evaluate", "--models", "Seasonal-Naive,NAIVE", "--no-baselines", "--horizon", "3", "--folds", "2",
                 "--quiet", "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    assert sorted(set(pd.read_csv(tmp_path / "run" / "results.csv")["model"])) == ["naive", "seasonal_naive"]


def test_a_horizon_near_the_length_warns_once_in_flags(tmp_path, capsys):
    from forecastkit.cli import main

    assert main(["forecast", "--model", "linear", "--horizon", "100", "--epochs", "1", "--out",
                 str(tmp_path / "f.csv")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("forecastkit: warning:")]
    assert len(warnings) == 1 and "lookback 22 (resolved from horizon 100 and 144 rows)" in warnings[0]
    assert "`--horizon`" in warnings[0] and "`horizon`" not in warnings[0]


def test_start_and_folds_together_are_refused_and_resume_says_when_it_starts(tmp_path):
    both = run("evaluate", "--models", "naive", "--folds", "3", "--start", "1958-01-01", "--out", str(tmp_path / "a"))
    assert both.returncode == 1 and not (tmp_path / "a").exists()
    assert both.stderr.strip() == ("forecastkit: error: `--start` (the first origin) decides the number of origins, "
                                   "so `--folds` would be ignored: give one of them.")
    fresh = run("evaluate", "--models", "naive", "--no-baselines", "--folds", "2", "--out", str(tmp_path / "b"),
                "--resume")
    assert fresh.returncode == 0, fresh.stderr
    assert f"forecastkit: warning: No run to `--resume` in {str(tmp_path / 'b')!r}: starting it." in fresh.stderr


def test_a_baseline_says_it_ignores_the_covariates_given_and_shows_no_lookback(tmp_path):
    result = run("forecast", "--data", "uschange", "--model", "naive", "--past-covariates", "income",
                 "--out", str(tmp_path / "f.csv"))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "forecastkit: warning: naive forecasts from the target alone: it ignores the covariates 'income'."
    assert lines[1].startswith("settings: ") and "lookback" not in lines[1]
    assert result.stdout.strip().endswith("NO-TF")


def test_an_interrupt_silences_tensorflows_exit_logs(monkeypatch, capsys):
    # a trace cut short by Ctrl-C leaves ops TensorFlow logs at exit ("Object was never used"),
    # a traceback-like block after the line that already said what happened
    import logging

    import tensorflow  # noqa: F401  (loaded, as by any run that trained)

    from forecastkit.cli import commands, main

    logger = logging.getLogger("tensorflow")
    monkeypatch.setattr(logger, "level", logger.level)  # restored after the test
    monkeypatch.setattr(commands, "run_command", lambda args, from_file: 130)
    assert main(["models"]) == 130
    assert logger.level == logging.CRITICAL


def test_forecast_out_is_checked_before_training_and_never_replaces_the_data(tmp_path, capsys):
    from forecastkit.cli import main

    data = tmp_path / "my.csv"
    data.write_text((ROOT / "datasets" / "airline.csv").read_text())
    before = data.read_text()
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("")
    refused = {str(data): "is the file the forecast reads its data from",
               str(tmp_path / "folder"): "is a directory; name a file",
               str(tmp_path / "afile" / "x.csv"): "is a file, not a directory",
               str(tmp_path / "f.parquet"): "written as CSV, not .parquet"}
    for out, message in refused.items():  # mlp: refused before TensorFlow trains anything
        assert main(["forecast", "--data", str(data), "--model", "mlp", "--out", out, "--save-model",
                     str(tmp_path / "m")]) == 1
        err = capsys.readouterr().err
        assert f"`--out` {out!r}" in err and message in err, err
    assert data.read_text() == before and not (tmp_path / "m").exists()
    assert main(["forecast", "--data", str(data), "--model", "naive", "--horizon", "2", "--out", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "id,time,model,yhat" and len(captured.out.splitlines()) == 3
    assert main(["forecast", "--data", str(data), "--model", "naive", "--horizon", "2", "--quiet",
                 "--out", str(tmp_path / "f.tsv.gz")]) == 0
    assert list(pd.read_csv(tmp_path / "f.tsv.gz", sep="\t").columns) == ["id", "time", "model", "yhat"]


def test_the_forecast_table_shows_each_series_at_its_own_scale(tmp_path, capsys):
    # one precision per column printed a 1e-4 series beside a 1e7 one as 0.000
    from forecastkit.cli import main

    t = pd.date_range("2000-01-01", periods=48, freq="MS")
    wave = 1 + 0.1 * np.sin(np.arange(48))
    pd.concat([pd.DataFrame({"id": "tiny", "time": t, "y": 1e-4 * wave}),
               pd.DataFrame({"id": "huge", "time": t, "y": 1e7 * wave})]).to_csv(tmp_path / "s.csv", index=False)
    assert main(["forecast", "--data", str(tmp_path / "s.csv"), "--id", "id", "--model", "naive", "--horizon", "1",
                 "--out", str(tmp_path / "f.csv")]) == 0
    rows = {line.split("│")[1].strip(): line for line in capsys.readouterr().out.splitlines() if line.startswith("│")}
    assert "0.0001012" in rows["tiny"] and "10123573" in rows["huge"]


def test_a_usage_error_is_one_line():
    # the whole usage block (40 lines for evaluate) came above the error
    result = run("evaluate", "--cohorts", "x")
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "forecastkit evaluate: error: argument --cohorts: invalid int value: 'x'. See `forecastkit evaluate --help`."]


def test_messages_speak_the_command_line(tmp_path, capsys):
    # Python syntax and row numbers where a user of the command line means something else
    from forecastkit.cli import main

    wide = tmp_path / "wide.csv"
    wide.write_text("date,a,b\n2020-01-01,1,2\n2020-02-01,2,3\n2020-03-01,3,4\n")
    assert main(["forecast", "--data", str(wide), "--model", "naive", "--out", str(tmp_path / "f.csv")]) == 1
    assert "or to several: use `--target a,b`." in capsys.readouterr().err
    assert main(["evaluate", "--data", "airline", "--start", "1958", "--models", "naive", "--no-baselines",
                 "--out", str(tmp_path / "r")]) == 1
    assert "origin 1958 (a row number: for the year, give a date such as 1958-01-01)" in capsys.readouterr().err
    years = tmp_path / "years.csv"
    years.write_text("year,v\n" + "".join(f"{1990 + k},{k % 3}\n" for k in range(12)))
    assert main(["forecast", "--data", str(years), "--model", "naive", "--horizon", "2",
                 "--out", str(tmp_path / "y.csv")]) == 0
    assert "season 1 (integer periods: none unless given)" in capsys.readouterr().err


@pytest.mark.parametrize("model, data, extra", [
    ("linear", "airline", {"horizon": 3}),
    ("vanilla", "visnights", {"id": "region", "horizon": 4, "lookback": None}),
    ("ensemble", "airline", {"members": "linear,mlp"}),
])
def test_forecast_announces_its_settings_before_training_with_the_lookback_it_fits(model, data, extra):
    # a long fit said nothing until it had trained; the lookback announced must be the one fitted
    from forecastkit import runs
    from forecastkit.forecaster.facade import Forecaster
    from forecastkit.settings import RunSettings

    order = []
    fit = Forecaster.fit

    def recording_fit(self, *args, **kwargs):
        order.append("fit")
        return fit(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Forecaster, "fit", recording_fit)
        settings = RunSettings(model=model, data=data, epochs=1, preprocess="none", **extra)
        forecaster, _, _ = runs.forecast(settings, announce=order.append)
    line = next(item for item in order if item != "fit")
    assert order.index(line) < order.index("fit")
    assert f"lookback {forecaster.lookback_} (resolved)" in line, line


def test_forecast_out_never_replaces_the_data_through_a_hard_link(tmp_path, capsys):
    # the path differed, so the forecast overwrote the data it read
    from forecastkit.cli import main

    data, link = tmp_path / "d.csv", tmp_path / "hard.csv"
    data.write_text((ROOT / "datasets" / "airline.csv").read_text())
    os.link(data, link)
    assert main(["forecast", "--data", str(link), "--model", "naive", "--out", str(data)]) == 1
    assert "is the file the forecast reads its data from" in capsys.readouterr().err
    assert data.read_text() == (ROOT / "datasets" / "airline.csv").read_text()


def test_evaluate_out_naming_a_file_is_refused_before_the_data_is_read(tmp_path):
    # it failed with the raw "File exists" after reading the data
    taken = tmp_path / "results.csv"
    taken.write_text("mine\n")
    result = run("evaluate", "--data", str(tmp_path / "missing.csv"), "--models", "naive", "--out", str(taken))
    assert result.returncode == 1 and taken.read_text() == "mine\n"
    assert result.stderr.strip() == (f"forecastkit: error: `--out` {str(taken)!r} is a file; a run writes a directory "
                                     f"of files there. Name a directory, e.g. {str(tmp_path / 'results')!r}.")


def test_the_settings_line_claims_a_sized_test_only_when_the_origins_allow_one():
    # 3 origins 4 apart on a short series: the line said "enough origins for a sized test", the verdict not
    from forecastkit import datasets
    from forecastkit.runs import resolved_line, splitter_of
    from forecastkit.settings import RunSettings

    airline = datasets.load("airline")
    short = airline.with_frame(airline.frame.iloc[:40])
    line = resolved_line(RunSettings(models="naive", folds=3), short, 12, None, splitter_of(RunSettings(folds=3), 12))
    assert "3 origins 4 apart (stride resolved; too few origins for a sized significance test: raise --folds)" in line
    line = resolved_line(RunSettings(models="naive"), airline, 12, None, splitter_of(RunSettings(), 12))
    assert "24 origins 2 apart (stride resolved: enough origins for a sized test)" in line


def test_a_one_step_horizon_resolved_from_no_season_says_how_to_forecast_further(tmp_path):
    result = run("forecast", "--data", "nile", "--model", "naive", "--out", str(tmp_path / "f.csv"))
    assert result.returncode == 0, result.stderr
    settings = next(line for line in result.stderr.splitlines() if line.startswith("settings: "))
    assert "horizon 1 (resolved: the season length; set --horizon for more steps ahead)" in settings
    given = run("forecast", "--data", "nile", "--model", "naive", "--horizon", "1", "--out", str(tmp_path / "g.csv"))
    assert "horizon 1 (given)" in given.stderr


def test_verbose_epoch_logs_leave_the_csv_on_standard_output_alone(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(1000)
    pd.DataFrame({"id": np.repeat(["a", "b", "c"], 1000), "time": np.tile(pd.date_range("2021-01-01", periods=1000,
                                                                                      freq="D"), 3),
                  "y": np.tile(100 + 10 * np.sin(2 * np.pi * t / 7), 3) + rng.normal(0, 1, 3000)}
                 ).to_csv(tmp_path / "daily.csv", index=False)
    result = subprocess.run([sys.executable, "-m", "forecastkit", "forecast", "--data", "daily.csv", "--id", "id",
                             "--model", "linear", "--epochs", "2", "--verbose", "--out", "-"], capture_output=True,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "id,time,model,yhat" and len(result.stdout.splitlines()) == 22
    assert "Epoch 1/2" in result.stderr  # Keras' own logs, on standard error
