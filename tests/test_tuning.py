"""Hyperparameter search: spaces, `forecastkit tune` (resumable, best.toml), pruning, and the nested
`evaluate --tune` (leakage-free per fit, cached in the run store, resumable)."""

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import forecastkit
from forecastkit import Forecaster, datasets
from forecastkit.cli import main
from forecastkit.config import merge_settings, read_config
from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.models.registry import get_spec, model_names
from forecastkit.models.spaces import Choice, Range, search_plan, tunable

#: Trials that train in a fraction of a second and never recompile: only the learning rate is searched.
TINY = ["--epochs", "1", "--batch-size", "16", "--space", "learning_rate=1e-3:1e-1:log,lookback=12"]


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------- spaces --
def test_every_hyperparameter_of_every_neural_model_has_a_space():
    for name in model_names("neural"):
        spec = get_spec(name)
        spaces = tunable(spec)
        for hyper in spec.all_hypers:
            assert hyper.name in spaces, (name, hyper.name)
        for setting in ("lookback", "scaler", "preprocess", "transform", "deseason", "difference", "cell"
                        if any(h.name == "cell" for h in spec.hypers) else "lookback"):
            assert setting in spaces
    assert tunable(get_spec("naive")) == {}


def test_space_text_and_dict_are_one_language():
    text = search_plan(get_spec("vanilla"), "units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|GRU,dropout=0.2")
    as_dict = search_plan(get_spec("vanilla"), {"units": (8, 64), "learning_rate": (1e-4, 1e-2, "log"),
                                                "cell": ["lstm", "gru"], "dropout": 0.2})
    assert text == as_dict
    assert text.searched["units"] == Range(8, 64) and text.searched["cell"] == Choice(("lstm", "gru"))
    assert text.searched["learning_rate"] == Range(1e-4, 1e-2, log=True) and text.fixed == {"dropout": 0.2}
    assert "patience" in search_plan(get_spec("mlp"), "patience").searched  # a bare name: its listed space
    assert "units" not in search_plan(get_spec("mlp"), given={"units"}).searched  # a given value is kept


@pytest.mark.parametrize("space, message", [
    ("unit=8:64", "Unknown parameter 'unit' in `space`: model 'mlp' can search units"),
    ("units=64:8", "`space` range units=64:8 is empty or inverted: give low:high with low < high."),
    ("units=8:8", "empty or inverted"),
    ("learning_rate=0:0.1:log", "a log range needs low > 0"),
    ("dropout=0:1.5", "`dropout` of model 'mlp' must be a number >= 0 and < 1"),
    ("loss=mse|msle", "`loss` of model 'mlp' must be one of: mse, mae, huber"),
    ("loss=1:3", "loss takes a choice list"),
    ("units=a:b", "must be two numbers"),
])
def test_bad_spaces_are_one_clear_error(space, message):
    with pytest.raises(ConfigError, match=None) as caught:
        search_plan(get_spec("mlp"), space)
    assert message in str(caught.value)
    with pytest.raises(ConfigTypeError):
        search_plan(get_spec("mlp"), "units=8.5:20")


def test_models_lists_every_space_beside_its_default(capsys):
    code, out, _ = cli(capsys, "models")
    text = " ".join(out.split())
    assert code == 0
    for shown in ("units=64 [8:256:log]*", "cell=lstm [any cell]", "dropout=0.0 [0:0.5]",
                  "learning_rate=0.003 [0.0001:0.03:log]*", "scaler=auto [standard|minmax"):
        assert shown in text, shown


# ------------------------------------------------------------------------------- forecastkit tune --
def make_study(folder):
    """A 2-trial study of linear on airline in ``folder``, resumed to 3 trials."""
    first = main(["tune", "--model", "linear", "--trials", "2", "--horizon", "6", *TINY, "--out", str(folder),
                  "--quiet"])
    before = pd.read_csv(folder / "trials.csv")
    second = main(["tune", "--model", "linear", "--trials", "3", "--horizon", "6", *TINY, "--out", str(folder),
                   "--resume", "--quiet"])
    return folder, (first, second), before


def test_tune_end_to_end(tmp_path, capsys):
    """One study (built once, whatever the test distribution) serves every check of `forecastkit tune`."""
    study = make_study(tmp_path / "t")
    check_resumed_study(study)
    check_best_toml(study, tmp_path, capsys)
    check_bad_input(study, tmp_path, capsys)


def check_resumed_study(study):
    folder, codes, before = study
    assert codes == (0, 0)
    trials = pd.read_csv(folder / "trials.csv")
    assert len(before) == 2 and len(trials) == 3 and trials["number"].tolist() == [0, 1, 2]
    assert {"number", "state", "value", "duration", "params_learning_rate"} <= set(trials.columns)
    assert trials.loc[:1, "value"].tolist() == before["value"].tolist()  # the same study, continued
    assert trials["params_learning_rate"].iloc[0] == 0.01  # the first trial tries the default
    for name in ("study.sqlite", "best.toml", "history.png", "importance.png"):
        assert (folder / name).stat().st_size > 0
    import optuna

    loaded = optuna.load_study(study_name="forecastkit", storage=f"sqlite:///{folder / 'study.sqlite'}")
    assert len(loaded.trials) == 3
    assert all(t.intermediate_values for t in loaded.trials)  # each epoch's held-out loss reached the pruner


def check_best_toml(study, tmp_path, capsys):
    folder, _, _ = study
    best = read_config(folder / "best.toml")
    import optuna

    from forecastkit.tuning.study import chosen_trial

    chosen, _ = chosen_trial(optuna.load_study(study_name="forecastkit", storage=f"sqlite:///{folder / 'study.sqlite'}"))
    assert best["model"] == best["models"] == "linear"
    assert best["learning_rate"] == chosen.params["learning_rate"]
    assert best["horizon"] == 6 and best["lookback"] == 12 and best["epochs"] == 1
    code, out, _ = cli(capsys, "forecast", "--config", str(folder / "best.toml"), "--out", str(tmp_path / "f.csv"))
    assert code == 0 and len(pd.read_csv(tmp_path / "f.csv")) == 6
    from forecastkit.runs import evaluation_models

    entries = evaluation_models(merge_settings(best), 6)  # what `evaluate --config best.toml` evaluates
    assert list(entries) == ["linear"] and entries["linear"].params["learning_rate"] == best["learning_rate"]


def check_bad_input(study, tmp_path, capsys):
    folder, _, _ = study
    stamp = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    base = ["tune", "--model", "linear", "--horizon", "6", *TINY]
    cases = [
        (["--trials", "3", "--out", str(folder)], ["already exists", "`--resume`", "`--overwrite`"]),
        (["--trials", "0", "--out", str(folder)], ["`--trials` must be >= 1. Received: trials=0"]),
        (["--trials", "3", "--out", str(folder), "--space", "unit=8:64"], ["Unknown parameter 'unit'"]),
        (["--trials", "3", "--out", str(folder), "--space", "learning_rate=0.1:0.01"], ["empty or inverted"]),
        (["--trials", "5", "--out", str(folder), "--resume", "--model", "mlp"], ["Cannot `--resume`", "model:"]),
        (["--trials", "5", "--out", str(folder), "--resume", "--data", "sunspots"], ["Cannot `--resume`", "data:"]),
        (["--trials", "5", "--out", str(folder), "--resume", "--overwrite"], ["pass one of them"]),
        (["--out", str(folder)], ["`--trials` is required"]),
        (["--trials", "3", "--out", str(tmp_path / "n"), "--model", "naive"], ["without hyperparameters to tune"]),
    ]
    for args, messages in cases:
        code, out, err = cli(capsys, *base, *args)
        lines = err.strip().splitlines()
        assert code != 0 and len(lines) == 1 and lines[0].startswith("forecastkit: error:"), (args, err)
        for message in messages:
            assert message in lines[0], (message, lines[0])
    code, out, err = cli(capsys, *base, "--trials", "3", "--out", str(folder), "--resume")
    assert code == 0 and "holds 3 trials already" in err and "nothing to do" in err
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamp


def test_python_tune_is_deterministic_and_returns_a_forecaster():
    import forecastkit

    template = Forecaster("linear", horizon=6, params={"epochs": 1, "batch_size": 16})
    runs = [forecastkit.tune(datasets.load("airline"), template, trials=2, space="learning_rate=1e-3:1e-1:log,lookback=12",
                             seed=3) for _ in range(2)]
    assert [t.params for t in runs[0].study.trials] == [t.params for t in runs[1].study.trials]
    assert [t.value for t in runs[0].study.trials] == [t.value for t in runs[1].study.trials]
    best = runs[0]
    assert best.forecaster.params["learning_rate"] == best.best_params["learning_rate"]
    assert best.forecaster.lookback == 12 and best.out is None
    assert len(best.forecaster.fit(datasets.load("airline")).predict()) == 6
    assert best.forecaster.seed == 3
    timed = forecastkit.tune(datasets.load("airline"), clone(template).set_params(seed=7), trials=5, timeout=1e-6,
                             space="learning_rate=1e-3:1e-1:log,lookback=12")
    assert len(timed.study.trials) == 1 and timed.ran == 1  # no trial starts after the timeout but the first
    assert timed.forecaster.seed == timed.seed == 7  # no seed given: the Forecaster's own


# ------------------------------------------------------------------------------ evaluate --tune N --
def _nested(panel, out=None, resume=False, trials=2):
    model = Forecaster("linear", params={"epochs": 1, "batch_size": 16})
    return walk_forward(panel, {"linear": model}, WalkForward(horizon=6, folds=2, stride=6, refit="always"),
                        baselines=False, n_jobs=1, tune=trials, space="learning_rate=1e-3:1e-1:log,lookback=12",
                        out=out, resume=resume)


def test_evaluate_tune_end_to_end(tmp_path):
    """One nested run (built once) serves the ranking, report, poisoning and resume checks."""
    nested_run = tmp_path / "run", _nested(datasets.load("airline"), out=tmp_path / "run")
    check_ranked_with_settings(nested_run, tmp_path)
    check_poisoned_future(nested_run)
    check_resume_repeats_no_search(nested_run)


def check_ranked_with_settings(nested_run, tmp_path):
    _, result = nested_run
    board = result.leaderboard("mase")
    assert set(board["model"]) == {"linear", "linear (tuned)"}
    from forecastkit.tuning.nested import tuning_table

    table = tuning_table(result)
    assert table[["model", "fit", "trials"]].values.tolist() == [["linear (tuned)", 0, 2], ["linear (tuned)", 1, 2]]
    assert table["lookback"].tolist() == [12, 12] and table["learning_rate"].between(1e-3, 1e-1).all()
    result.to_html(tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "Tuned settings per fit" in page and "inner_mase" in page


def test_a_search_that_keeps_the_defaults_gives_the_default_forecasts(tmp_path):
    result = walk_forward(datasets.load("airline"), {"linear": Forecaster("linear", params={"epochs": 2})},
                          WalkForward(horizon=6, folds=1, refit="always"), baselines=False, n_jobs=1, tune=1,
                          space="batch_size=32,l2=1.0")
    frame = result.to_frame()
    default, tuned = (frame[frame["model"] == m]["y_pred"].to_numpy() for m in ("linear", "linear (tuned)"))
    assert np.array_equal(default, tuned)  # one trial: the defaults, trained on the default model's seeds


def check_poisoned_future(nested_run):
    """Every value at and after an origin poisoned: the tuned settings and forecast there are unchanged."""
    _, clean = nested_run
    airline = datasets.load("airline")
    origin = clean.to_frame()["origin"].max()  # fit 1's origin: poison every value at and after it
    frame = airline.frame.copy()
    frame.loc[frame["time"] >= origin, "y"] = 1e6
    poisoned = _nested(airline.with_frame(frame))
    settings = [r.extras["tuning"].set_index("fit")[["params", "value"]] for r in (clean, poisoned)]
    pd.testing.assert_frame_equal(settings[0], settings[1])
    frames = [r.to_frame() for r in (clean, poisoned)]
    forecast = [f.loc[(f["model"] == "linear (tuned)") & (f["origin"] == origin), "y_pred"] for f in frames]
    assert len(forecast[0]) == 6 and np.array_equal(forecast[0].to_numpy(), forecast[1].to_numpy())


def check_resume_repeats_no_search(nested_run):
    folder, result = nested_run
    with sqlite3.connect(folder / "results.sqlite") as db:  # as if stopped after the searches, before the fits
        searches = db.execute("SELECT * FROM searches ORDER BY fit").fetchall()
        for table in ("results", "fits", "timings", "choices"):
            db.execute(f"DELETE FROM {table} WHERE model = 'linear (tuned)'")
    resumed = _nested(datasets.load("airline"), out=folder, resume=True)
    with sqlite3.connect(folder / "results.sqlite") as db:  # a repeated search would insert its row twice
        assert db.execute("SELECT * FROM searches ORDER BY fit").fetchall() == searches
    pd.testing.assert_frame_equal(resumed.to_frame(), result.to_frame())
    assert json.loads(searches[0][3])["lookback"] == 12


def test_a_resumed_study_reruns_the_trial_ctrl_c_interrupted(tmp_path, monkeypatch):
    # the interrupted trial is run again with its values and the budget still counts it once:
    # the resumed study proposes and scores what an uninterrupted one would have
    from forecastkit.tuning import objective as objective_module

    f = Forecaster("linear", horizon=6, params={"epochs": 1, "batch_size": 16})
    space = "learning_rate=1e-3:1e-1:log,lookback=12"
    airline = datasets.load("airline")
    whole = forecastkit.tune(airline, f, trials=4, space=space, out=tmp_path / "whole")
    scored = objective_module.Objective.score
    calls = []

    def interrupted_at_the_third(self, result, label, trial):
        calls.append(trial.number)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return scored(self, result, label, trial)

    monkeypatch.setattr(objective_module.Objective, "score", interrupted_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        forecastkit.tune(airline, f, trials=4, space=space, out=tmp_path / "cut")
    monkeypatch.setattr(objective_module.Objective, "score", scored)
    resumed = forecastkit.tune(airline, f, trials=4, space=space, out=tmp_path / "cut", resume=True)
    assert resumed.ran == 2  # the interrupted trial again, then the fourth
    trials = pd.read_csv(tmp_path / "cut" / "trials.csv")
    assert trials["state"].tolist() == ["COMPLETE", "COMPLETE", "FAIL", "COMPLETE", "COMPLETE"]
    assert trials["user_attrs_failure"].iloc[2] == "interrupted"
    kept = trials[trials["state"] == "COMPLETE"].reset_index(drop=True)
    expected = pd.read_csv(tmp_path / "whole" / "trials.csv")
    assert kept["params_learning_rate"].tolist() == expected["params_learning_rate"].tolist()
    assert kept["value"].tolist() == expected["value"].tolist()
    assert resumed.best_params == whole.best_params
    again = forecastkit.tune(airline, f, trials=4, space=space, out=tmp_path / "cut", resume=True)
    assert again.ran == 0  # the interrupted trial is not the budget's
    import optuna  # a killed process leaves its trial running: it is run again the same way

    stored = optuna.load_study(study_name="forecastkit", storage=f"sqlite:///{tmp_path / 'cut' / 'study.sqlite'}")
    running = stored.ask()
    rate = running.suggest_float("learning_rate", 1e-3, 1e-1, log=True)
    assert forecastkit.tune(airline, f, trials=5, space=space, out=tmp_path / "cut", resume=True).ran == 1
    trials = pd.read_csv(tmp_path / "cut" / "trials.csv")
    assert trials["state"].tolist()[-2:] == ["FAIL", "COMPLETE"]
    assert trials["params_learning_rate"].iloc[-1] == pytest.approx(rate, rel=1e-12)
