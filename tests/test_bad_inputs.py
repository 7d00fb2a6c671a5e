"""The bad-input corpus (tests/data/bad/cases.toml) through the command line and the Python API.

Every case must either fail with one clear line (CLI) and a forecastkit exception that is a
ValueError or TypeError (API), or succeed with a finite forecast, as its manifest entry says.
The command line runs all cases in one subprocess (one Python start-up instead of ~90):
each case calls ``forecastkit.cli.main`` with standard output and error captured, and the
subprocess reports exit code, standard error and whether TensorFlow had been imported.
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, errors
from forecastkit.cli import build_parser
from forecastkit.config import HYPER_FLAGS, read_config
from forecastkit.data import load_csv
from forecastkit.runs import split_names

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "bad"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
IDS = [case["name"] for case in CASES]

#: Runs in the subprocess: reads [{name, argv}] as JSON on stdin, prints one JSON result list.
#: Error cases go first, so "TensorFlow not imported" holds from the start to each of them.
DRIVER = r"""
import contextlib, io, json, sys, warnings
warnings.simplefilter("always")  # a warning repeated by a later case must show there too
from forecastkit.cli import main
results = []
for case in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(case["argv"])
        except SystemExit as exit:  # argparse usage errors
            code = exit.code
        except BaseException as raised:  # main must not let anything escape
            code = f"raised {type(raised).__name__}: {raised}"
    results.append({"name": case["name"], "code": code, "stdout": out.getvalue(),
                    "stderr": err.getvalue(),
                    "tensorflow": "tensorflow" in sys.modules or "keras" in sys.modules})
sys.__stdout__.write(json.dumps(results))
"""


def data_flag(case) -> list[str]:
    """``--config FILE`` for a TOML case, else ``--data FILE``."""
    flag = "--config" if case["file"].endswith(".toml") else "--data"
    return [flag, str(CORPUS / case["file"])]


def cli_argv(case, out: Path) -> list[str]:
    return ["forecast", *data_flag(case), *case["args"], "--quiet", "--out", str(out)]


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    """Every case through ``forecastkit.cli.main`` in one subprocess: name -> result."""
    folder = tmp_path_factory.mktemp("cli")
    ordered = sorted(CASES, key=lambda case: case["expect"] != "error")
    batch = [{"name": case["name"], "argv": cli_argv(case, folder / f"{case['name']}.csv")}
             for case in ordered]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(batch), capture_output=True,
                          text=True, cwd=folder, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # nothing may bypass the per-case capture
    return {result["name"]: result for result in json.loads(done.stdout)}, folder


def test_corpus_is_complete():
    """At least 30 cases, unique names, every file used and present (or missing on purpose)."""
    assert len(CASES) >= 30 and len(set(IDS)) == len(IDS)
    used = {case["file"] for case in CASES}
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".toml")} - {"cases.toml"}
    assert on_disk - used == set(), "files in the corpus without a case"
    assert used - on_disk == {"does_not_exist.csv", "does_not_exist.toml"}
    for case in CASES:
        assert case["expect"] in ("error", "ok")
        if case["expect"] == "error":
            assert issubclass(getattr(errors, case["error"]), (ValueError, TypeError))
            assert case["message"].strip()
        else:
            assert case["rows"] >= 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case(case, cli_results, tmp_path):
    results, folder = cli_results
    check_cli(case, results[case["name"]], folder / f"{case['name']}.csv")
    check_api(case)


def check_cli(case, result, out: Path) -> None:
    stderr = result["stderr"]
    assert "Traceback" not in stderr
    if case["expect"] == "error":
        assert result["code"] == 1, result
        lines = stderr.splitlines()
        assert len(lines) == 1, stderr
        assert lines[0].startswith("forecastkit: error: "), stderr
        assert case["message"] in lines[0]
        assert not result["tensorflow"], "TensorFlow imported on an error path"
        assert not out.exists()
    else:
        assert result["code"] == 0, stderr
        assert stderr == "" and result["stdout"] == ""  # --quiet
        check_forecast(pd.read_csv(out), case["rows"])


def check_forecast(forecast: pd.DataFrame, rows: int) -> None:
    assert list(forecast.columns[:4]) == ["id", "time", "model", "yhat"]
    assert all(c.startswith(("yhat_lo_", "yhat_hi_", "q")) for c in forecast.columns[4:])
    assert len(forecast) == rows
    assert np.isfinite(forecast.iloc[:, 3:].to_numpy(dtype=float)).all()


def check_api(case) -> None:
    if case["expect"] == "ok":
        check_forecast(api_forecast(case), case["rows"])
        return
    with pytest.raises(errors.ForecastkitError) as caught:
        api_forecast(case)
    err = caught.value
    assert type(err) is getattr(errors, case["error"]), f"{type(err).__name__}: {err}"
    assert isinstance(err, (ValueError, TypeError))
    assert case.get("api_message", case["message"]) in str(err)
    assert "\n" not in str(err)


def api_forecast(case) -> pd.DataFrame:
    """The case through the public API, as the command line would run it: config file,
    then load_csv, then Forecaster(...).fit(panel).predict()."""
    flags = vars(build_parser().parse_args(["forecast", *data_flag(case), *case["args"]]))
    settings = read_config(flags.pop("config")) if "config" in flags else {}
    tables = settings.pop("model_tables", {})
    settings.update(flags)
    roles = {role: split_names(settings.get(role))
             for role in ("past_covariates", "future_covariates", "static_covariates")}
    panel = load_csv(settings["data"], target=settings.get("target"), time=settings.get("time"),
                     id=settings.get("id"), freq=settings.get("freq"), fill=settings.get("fill"), **roles)
    model = settings.get("model", "linear")
    params = {**tables.get(model, {}), **{k: settings[k] for k in HYPER_FLAGS if k in settings}}
    season = settings.get("season")
    horizon = settings.get("horizon", season or panel.season_length())
    forecaster = Forecaster(model, horizon=horizon, lookback=settings.get("lookback"), params=params or None,
                            scaler=settings.get("scaler", "standard"), season=season,
                            mode=settings.get("mode", "global"), id_embedding=settings.get("id_embedding", 0),
                            calendar=settings.get("calendar"), quantiles=settings.get("quantiles"),
                            strategy=settings.get("strategy", "direct"))
    return forecaster.fit(panel).predict(level=settings.get("level"), samples=settings.get("samples"))


def test_cli_py_entry_point_gives_the_same_line(cli_results, tmp_path):
    """One case through ``python cli.py`` for real: the batch's in-process capture matches
    what a user sees on file descriptor 2."""
    case = next(case for case in CASES if case["name"] == "target_abc")
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), *cli_argv(case, tmp_path / "f.csv")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    results, _ = cli_results
    assert done.returncode == 1
    assert done.stderr == results["target_abc"]["stderr"]
    assert len(done.stderr.splitlines()) == 1
