"""Walk-forward evaluation: no leakage under any refit policy, durable resume, contained failures."""

import re
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import FAST
from sklearn.base import clone

from forecastkit import Forecaster, datasets
from forecastkit.cli import main
from forecastkit.errors import ConfigError, DataError
from forecastkit.evaluation import RunStore, WalkForward, jobs, walk_forward
from forecastkit.forecaster import as_panel


def series(values, name="y"):
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values), freq="MS"), name=name)


@pytest.fixture(scope="module")
def seasonal():
    t = np.arange(72)
    return 100 + 10 * np.sin(2 * np.pi * t / 12) + t * 0.5 + np.random.default_rng(1).normal(0, 1, 72)


def models():
    return {"linear": Forecaster("linear", horizon=3, lookback=12, params=FAST),
            "naive2": Forecaster("naive2", horizon=3), "seasonal_naive": Forecaster("seasonal_naive", horizon=3)}


def test_results_table_shape_and_values(seasonal):
    splitter = WalkForward(horizon=3, folds=4, stride=2, refit="always")
    result = walk_forward(series(seasonal), models(), splitter, baselines=False)
    frame = result.to_frame()
    assert list(frame.columns) == ["model", "id", "fit", "origin", "h", "time", "y_true", "y_pred"]
    assert len(frame) == 3 * 4 * 3
    naive = frame[frame["model"] == "seasonal_naive"]
    origins = sorted(naive["origin"].unique())
    assert origins[-1] == pd.Timestamp("2005-10-01")  # the last origin leaves exactly 3 rows
    first = naive[naive["origin"] == origins[0]]
    assert (first["time"] == first["origin"] + pd.to_timedelta(0, "D")).iloc[0]
    np.testing.assert_allclose(first["y_true"], seasonal[63:66])
    np.testing.assert_allclose(first["y_pred"], seasonal[51:54])  # one season before
    assert set(result.fits["status"]) == {"ok"} and len(result.timings) == 3 * 4


@pytest.mark.parametrize("refit, window, gap", [
    ("always", "expanding", 0), ("every:2", "expanding", 1), ("never", "expanding", 0),
    ("always", "sliding:30", 0), ("every:3", "sliding:30", 2),
])
def test_poisoned_future_changes_no_forecast(seasonal, refit, window, gap):
    splitter = WalkForward(horizon=3, folds=6, stride=1, refit=refit, window=window, gap=gap)
    clean = walk_forward(series(seasonal), models(), splitter, baselines=False).to_frame()
    origins = splitter.origins(len(seasonal))
    for cut in (origins[0], origins[3]):
        poisoned = seasonal.copy()
        poisoned[cut:] = 1e9  # everything at or after the cut is absurd
        dirty = walk_forward(series(poisoned), models(), splitter, baselines=False).to_frame()
        known = clean["origin"] <= series(seasonal).index[cut]
        assert known.sum() > 0
        pd.testing.assert_series_equal(clean.loc[known, "y_pred"], dirty.loc[known, "y_pred"])


def test_resumed_run_equals_uninterrupted(seasonal, tmp_path, monkeypatch):
    splitter = WalkForward(horizon=3, folds=4, refit="every:2")
    whole = walk_forward(series(seasonal), models(), splitter, out=tmp_path / "whole", baselines=False)
    original = RunStore.commit_fit
    calls = {"n": 0}

    def interrupt_after_three(self, *args, **kwargs):
        if calls["n"] == 3:
            raise KeyboardInterrupt
        calls["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RunStore, "commit_fit", interrupt_after_three)
    with pytest.raises(KeyboardInterrupt):
        walk_forward(series(seasonal), models(), splitter, out=tmp_path / "cut", baselines=False)
    monkeypatch.setattr(RunStore, "commit_fit", original)
    with pytest.raises(ConfigError, match="already holds a walk-forward run.*`resume`"):
        walk_forward(series(seasonal), models(), splitter, out=tmp_path / "cut", baselines=False)
    resumed = walk_forward(series(seasonal), models(), splitter, out=tmp_path / "cut", resume=True,
                           baselines=False)
    pd.testing.assert_frame_equal(resumed.to_frame(), whole.to_frame())


def test_warm_start_resume_continues_from_the_checkpoint_or_replays(seasonal, tmp_path, monkeypatch):
    warm = {"linear": Forecaster("linear", horizon=3, lookback=12, params=FAST, warm_start=True)}
    splitter = WalkForward(horizon=3, folds=6, refit="every:2")  # fits 0, 1, 2
    whole = walk_forward(series(seasonal), warm, splitter, out=tmp_path / "whole", baselines=False)
    assert not list((tmp_path / "whole").glob("checkpoints/*"))  # removed once the chain is complete
    original, fit_and_forecast = RunStore.commit_fit, jobs.fit_and_forecast
    for name, checkpoint, trained in (("cut", True, 1), ("replayed", False, 3)):
        monkeypatch.setattr(RunStore, "commit_fit", lambda self, model, sid, fit, *a: (
            (_ for _ in ()).throw(KeyboardInterrupt) if fit == 2 else original(self, model, sid, fit, *a)))
        with pytest.raises(KeyboardInterrupt):
            walk_forward(series(seasonal), warm, splitter, out=tmp_path / name, baselines=False)
        monkeypatch.setattr(RunStore, "commit_fit", original)
        assert len(list((tmp_path / name / "checkpoints").glob("*.keras"))) == 2  # fit 1's, and fit 2's uncommitted
        if not checkpoint:
            shutil.rmtree(tmp_path / name / "checkpoints")
        calls = []
        monkeypatch.setattr(jobs, "fit_and_forecast", lambda *a: calls.append(1) or fit_and_forecast(*a))
        resumed = walk_forward(series(seasonal), warm, splitter, out=tmp_path / name, resume=True, baselines=False)
        monkeypatch.setattr(jobs, "fit_and_forecast", fit_and_forecast)
        assert len(calls) == trained  # from the checkpoint: fit 2 alone; without: fits 0 and 1 replayed too
        pd.testing.assert_frame_equal(resumed.to_frame(), whole.to_frame(), check_exact=True)


def test_resume_with_other_settings_is_refused(seasonal, tmp_path):
    walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=2, stride=1, refit="always"), out=tmp_path, baselines=False)
    with pytest.raises(ConfigError, match=r"Cannot `resume` the run .* settings differ \(folds: 2 in the run, 3 now\)"):
        walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=3, stride=1, refit="always"), out=tmp_path,
                     resume=True, baselines=False)


def test_a_run_saved_before_cohorts_existed_resumes_as_it_ran(seasonal, tmp_path):
    # its global fits were one per origin: it compares as cohorts=1, and says so otherwise
    import json
    import sqlite3

    splitter = WalkForward(horizon=3, folds=2, stride=1, refit="always", cohorts=1)
    walk_forward(series(seasonal), ["naive"], splitter, out=tmp_path, baselines=False)
    with sqlite3.connect(tmp_path / "results.sqlite") as db:
        config = json.loads(db.execute("SELECT value FROM run WHERE key = 'config'").fetchone()[0])
        del config["splitter"]["cohorts"]
        db.execute("UPDATE run SET value = ? WHERE key = 'config'", (json.dumps(config, sort_keys=True),))
    with pytest.raises(ConfigError, match=r"settings differ \(cohorts: 1 in the run, 8 now\)"):
        walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=2, stride=1, refit="always"),
                     out=tmp_path, resume=True, baselines=False)
    walk_forward(series(seasonal), ["naive"], splitter, out=tmp_path, resume=True, baselines=False)


def test_failed_fits_are_recorded_and_the_run_goes_on(seasonal):
    values = seasonal.copy()
    values[66] = -5.0  # log is undefined once this row is in the training data (fits 2, 3, 4)
    logged = {"log_linear": Forecaster("linear", horizon=3, lookback=12, params=FAST, transform="log")}
    result = walk_forward(series(values), {**logged, "naive": Forecaster("naive", horizon=3)},
                          WalkForward(horizon=3, folds=5, stride=1, refit="always"), baselines=False)
    fits = result.fits.set_index(["model", "fit"])
    assert fits.loc[("log_linear", 1), "status"] == "ok"  # trained on rows < 66
    failed = result.failed
    assert list(failed["model"].unique()) == ["log_linear"] and len(failed) == 3
    assert "strictly positive" in failed["reason"].iloc[0]
    frame = result.to_frame()
    assert frame.loc[frame["model"] == "log_linear", "y_pred"].isna().sum() == 3 * 3
    assert frame.loc[frame["model"] == "naive", "y_pred"].notna().all()
    board = result.leaderboard().set_index("model")
    assert board.loc["log_linear", "origins"] == 2 and board.loc["naive", "origins"] == 5  # scored origins only


def test_diverging_model_and_raising_fold_are_contained(seasonal, monkeypatch):
    splitter = WalkForward(horizon=3, folds=6, refit="every:2")  # fits 0, 1, 2
    rows_of_fit_1 = splitter.split(len(seasonal))[2].train_end
    original = Forecaster.fit

    def fit(self, data, **kwargs):  # fit 1 of the linear model raises
        if self.model == "linear" and len(data.frame) == rows_of_fit_1:
            raise RuntimeError("injected failure")
        return original(self, data, **kwargs)

    monkeypatch.setattr(Forecaster, "fit", fit)
    linear = Forecaster("linear", horizon=3, lookback=12, params=FAST)
    models = {"linear": clone(linear).set_params(warm_start=True),
              "diverging": Forecaster("mlp", horizon=3, lookback=12, params={**FAST, "learning_rate": 1e30}),
              "naive": Forecaster("naive", horizon=3)}
    result = walk_forward(series(seasonal), models, splitter, baselines=False)
    assert result.fits.set_index(["model", "fit"]).loc["linear", "status"].tolist() == ["ok", "failed", "ok"]
    reasons = result.failed.groupby("model")["reason"].agg(list).to_dict()
    assert reasons["linear"] == ["RuntimeError: injected failure"]
    assert len(reasons["diverging"]) == 3 and all("diverged" in r for r in reasons["diverging"])
    frame = result.to_frame().set_index(["model", "fit"]).sort_index()
    assert frame.loc["naive", "y_pred"].notna().all() and frame.loc["diverging", "y_pred"].isna().all()
    assert frame.loc[("linear", 1), "y_pred"].isna().all() and frame.loc[("linear", 2), "y_pred"].notna().all()
    assert result.leaderboard().set_index("model")["failed_fits"].to_dict() == {"linear": 1, "diverging": 3, "naive": 0}
    # after a failed fit, a warm-started chain starts afresh: its fit 2 is a cold model's fit 2
    cold = walk_forward(series(seasonal), {"linear": linear}, splitter, baselines=False,
                        fast=False).to_frame()  # the sequential fit the warm chain's fresh fit 2 is
    np.testing.assert_array_equal(frame.loc[("linear", 2), "y_pred"], cold.loc[cold["fit"] == 2, "y_pred"])


def test_op_determinism_is_on_only_during_a_deterministic_run(seasonal, monkeypatch):
    from tensorflow.python.framework import config as tf_config

    seen, original = [], Forecaster.prepare_windows  # both walk-forward paths prepare each fit's windows
    monkeypatch.setattr(Forecaster, "prepare_windows", lambda self, *a, **k: (
        seen.append(tf_config.is_op_determinism_enabled()), original(self, *a, **k))[1])
    for deterministic in (True, False):
        result = walk_forward(series(seasonal), [Forecaster("linear", horizon=3, lookback=12, params=FAST)],
                              WalkForward(horizon=3, folds=1, refit="always"), baselines=False, deterministic=deterministic)
        assert result.config["deterministic"] is deterministic
    assert seen == [True, False] and not tf_config.is_op_determinism_enabled()


def test_every_series_of_a_panel_and_too_short_series(two_series):
    result = walk_forward(two_series, ["seasonal_naive"], WalkForward(horizon=2, folds=3, refit="always"), baselines=False)
    assert result.to_frame().groupby("id").size().to_dict() == {"a": 6, "b": 6}
    with pytest.raises(DataError, match="Model 'linear', series 'b'.*too short"):
        walk_forward(two_series, [Forecaster("linear", horizon=2, lookback=44, mode="local", params=FAST)],
                     WalkForward(horizon=2, folds=3, refit="always"), baselines=False)


def test_model_horizon_must_match(seasonal):
    with pytest.raises(ConfigError, match="horizon 1 but the walk-forward horizon is 3"):
        walk_forward(series(seasonal), [Forecaster("naive", horizon=1)], WalkForward(horizon=3, folds=5, stride=1, refit="always"), baselines=False)


def test_verdict_says_plainly_whether_a_neural_model_beat_the_baselines(seasonal):
    result = walk_forward(series(seasonal), models(), WalkForward(horizon=3, folds=12, refit="always"), baselines=False)
    _, lines = result.significance("mase")
    board = result.leaderboard("mase")
    assert lines[0].startswith(f"Best on MASE: {board['model'].iloc[0]} (")
    if board["model"].iloc[0] == "linear":
        assert lines[1].startswith("The best neural model, linear, ranks above every baseline")
    else:
        assert lines[1] == "No neural model beat the best baseline; the best neural model is linear."


def test_progress_lines_for_a_log(seasonal, capsys):
    walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=4, refit="always"), baselines=False,
                 progress="lines")
    err = capsys.readouterr().err.strip().splitlines()
    assert re.fullmatch(r"walk-forward fits 4/4 \(\d+ s\)", err[-1]), err
    assert all(line.startswith("walk-forward fits ") for line in err)
    assert all(re.search(r"about .* left at this rate\)$", line) for line in err[:-1])
    with pytest.raises(ConfigError, match="`progress` must be False, True or 'bar'"):
        walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=4), baselines=False, progress="dots")


def test_defaults_are_the_command_lines(seasonal):
    """WalkForward() is the CLI's (24 origins, refit every 6); the horizon is the season length."""
    frame = walk_forward(series(seasonal), ["naive"], baselines=False).to_frame()
    assert frame["origin"].nunique() == 24 and frame["h"].max() == 12
    assert WalkForward().horizon is None and WalkForward().with_horizon(12).horizon == 12


def test_skipped_series_warning_carries_the_series(two_series):
    from forecastkit.errors import SkippedSeriesWarning

    with pytest.warns(SkippedSeriesWarning) as caught:
        walk_forward(two_series, [Forecaster("linear", horizon=2, lookback=44, mode="local", params=FAST)],
                     WalkForward(horizon=2, folds=3, refit="always"), baselines=False, skip_short=True)
    assert caught[0].message.series == {"b": 48}


def test_mase_is_scaled_by_all_the_history_known_at_the_origin(seasonal):
    """A sliding window changes what a fit trains on, not the yardstick: naive's forecasts are
    the same in both runs, so are their MASE scores (the scale is the in-sample seasonal-naive
    MAE of every row before the origin)."""
    runs = [walk_forward(series(seasonal), ["naive"], WalkForward(horizon=3, folds=4, window=window, refit="always"),
                         baselines=False) for window in ("expanding", "sliding:10")]
    forecasts = [run.results.sort_values(["origin", "h"])["y_pred"].to_numpy() for run in runs]
    np.testing.assert_array_equal(*forecasts)
    boards = [run.leaderboard("mase").set_index("model")["mase"] for run in runs]
    assert boards[0]["naive"] == pytest.approx(boards[1]["naive"], rel=1e-12)


def test_the_result_ranks_by_the_runs_metric_and_a_metric_it_cannot_score_is_refused_first(seasonal):
    splitter = WalkForward(horizon=3, folds=4, refit="always")
    result = walk_forward(series(seasonal), ["naive", "seasonal_naive"], splitter, baselines=False, metric="rmse")
    assert result.leaderboard().equals(result.leaderboard("rmse"))
    assert result.significance()[1][0].startswith("Best on RMSE: ")
    assert "Best on RMSE" in result._repr_html_()
    with pytest.raises(ConfigError, match=r"`metric` must be one of .* \(msis scores prediction intervals: also set `level`"):
        walk_forward(series(seasonal), ["naive"], splitter, baselines=False, metric="msis")


def test_models_as_names_with_commas_and_nothing_silently_ignored(seasonal):
    splitter = WalkForward(horizon=3, folds=2, refit="always")
    panel = as_panel(series(seasonal))
    named = walk_forward(panel, "naive, seasonal_naive", splitter, baselines=False)
    assert sorted(named.leaderboard()["model"]) == ["naive", "seasonal_naive"]
    with pytest.raises(ConfigError, match="`models` is empty and `baselines` is False"):
        walk_forward(panel, [], splitter, baselines=False)
    with pytest.raises(ConfigError, match="Unknown argument `levels`: neither this function's own nor"):
        walk_forward(panel, ["naive"], splitter, baselines=False, levels=(80,))  # a misspelled `level`
    with pytest.raises(ConfigError, match="`target` cannot apply to `data` that is a Panel already"):
        Forecaster("naive", horizon=3).fit(panel, target="x")
    with pytest.raises(ConfigError, match="Unknown argument `levl`"):
        Forecaster("naive", horizon=3).fit(panel).predict(levl=80)


def test_a_forecasters_own_seed_or_level_that_the_run_overrides_is_said(seasonal):
    splitter = WalkForward(horizon=3, folds=2, refit="always")
    with pytest.warns(UserWarning, match=r"Forecaster 'm' has seed=5, but the walk-forward's `seed` \(0\) seeds every fit"):
        walk_forward(series(seasonal), {"m": Forecaster("naive", horizon=3, seed=5)}, splitter, baselines=False)
    with pytest.warns(UserWarning, match=r"Forecaster 'n' has level=80, but the walk-forward scores .* \(none\)"):
        walk_forward(series(seasonal), {"n": Forecaster("naive", horizon=3, level=80)}, splitter, baselines=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        walk_forward(series(seasonal), {"m": Forecaster("naive", horizon=3, seed=5)}, splitter, baselines=False, seed=5)


def test_a_run_whose_every_fit_fails_still_has_a_leaderboard(tmp_path, capsys):
    args = ["evaluate", "--models", "mlp", "--learning-rate", "1e12", "--epochs", "2", "--horizon", "6", "--folds", "2",
            "--stride", "6", "--no-baselines", "--out", str(tmp_path / "run")]
    assert main(args) == 3  # recorded with its reason, the run goes on
    out, err = capsys.readouterr()
    assert "diverged" in out + err
    board = pd.read_csv(tmp_path / "run" / "leaderboard.csv")
    assert board["model"].tolist() == ["mlp"] and board["failed_fits"].tolist() == [1]


def test_owa_without_naive2_is_refused_before_any_fit(airline, tmp_path, capsys):
    # OWA is relative to naive2: without it every value is NaN and the ranking would be the input order
    with pytest.raises(ConfigError, match="`metric` owa is relative to naive2"):
        walk_forward(airline, ["naive", "seasonal_naive"], WalkForward(horizon=6, folds=4, stride=6), baselines=False,
                     metric="owa")
    result = walk_forward(airline, ["naive", "seasonal_naive"], WalkForward(horizon=6, folds=4, stride=6),
                          baselines=False)
    with pytest.raises(ConfigError, match="add naive2 to `models`"):
        result.leaderboard("owa")
    code = main(["evaluate", "--models", "naive,seasonal_naive", "--no-baselines", "--folds", "4", "--stride", "6",
                 "--horizon", "6", "--metric", "owa", "--out", str(tmp_path / "run")])
    assert code == 1 and "add naive2 to `--models`" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
    # a run with no best model (every fit failed) is named as such by forecast --from-run
    assert main(["evaluate", "--models", "mlp", "--learning-rate", "1e12", "--epochs", "1", "--horizon", "6", "--folds",
                 "2", "--stride", "6", "--no-baselines", "--quiet", "--out", str(tmp_path / "failed")]) == 3
    assert main(["forecast", "--from-run", str(tmp_path / "failed")]) == 1
    err = capsys.readouterr().err
    assert "has no best model" in err and "pass `--model`, one of mlp" in err


def test_rmse_std_is_the_spread_of_the_per_origin_rmse(airline):
    result = walk_forward(airline, ["seasonal_naive"], WalkForward(horizon=6, folds=4, stride=6), baselines=False)
    frame = result.results.assign(sq=lambda r: (r["y_true"] - r["y_pred"]) ** 2)
    per_origin = np.sqrt(frame.groupby("origin")["sq"].mean())
    board = result.leaderboard("rmse").set_index("model")
    assert board.loc["seasonal_naive", "rmse_std"] == pytest.approx(per_origin.std())


def test_significance_on_rmse_shows_the_losses_and_difference_as_rmse(airline):
    # the test runs on squared errors, but the table a user reads beside the leaderboard is on RMSE
    result = walk_forward(airline, ["naive", "seasonal_naive"], WalkForward(horizon=6, folds=4, stride=6),
                          baselines=False)
    table, lines = result.significance("rmse")
    overall = table[table["id"] == "(all)"].iloc[0]
    board = result.leaderboard("rmse").set_index("model")
    assert overall["loss_model"] == pytest.approx(board.loc[overall["model"], "rmse"])
    assert overall["loss_reference"] == pytest.approx(board.loc[overall["reference"], "rmse"])
    assert overall["rel_diff"] == pytest.approx(overall["loss_model"] / overall["loss_reference"] - 1)
    from forecastkit.report import origin_losses
    from forecastkit.significance import compare

    squared = compare(origin_losses(result, "rmse"), overall["model"], overall["reference"], horizon=6, stride=6)
    assert overall["p"] == squared["p"].iloc[-1]  # the test itself is on squared errors
    assert overall["loss_model"] ** 2 == pytest.approx(squared["loss_model"].iloc[-1])


def test_warm_start_where_it_cannot_help_is_said(airline):
    splitter = WalkForward(horizon=3, folds=3, refit="never")
    models = {"naive": Forecaster("naive", horizon=3, warm_start=True),
              "linear": Forecaster("linear", horizon=3, lookback=6, params=FAST, warm_start=True)}
    with pytest.warns(UserWarning, match=r"does nothing for naive \(a baseline\) and linear \(fit once per series\)"):
        walk_forward(airline, models, splitter, baselines=False)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*warm_start")
        walk_forward(airline, {"linear": models["linear"]}, WalkForward(horizon=3, folds=3, refit="always"),
                     baselines=False)


def test_a_model_alias_is_the_model_not_a_second_one():
    # 'Seasonal-Naive' ran as a model of its own beside the baseline seasonal_naive
    result = walk_forward(datasets.load("airline"), ["Seasonal-Naive", "naive"], WalkForward(horizon=3, folds=3),
                          n_jobs=1)
    models = result.to_frame()["model"]
    assert "Seasonal-Naive" not in set(models) and (models == "seasonal_naive").sum() == 9


def test_filled_gaps_are_known_as_at_each_origin_and_never_scored():
    # fill='interpolate' drew a gap ending at an origin toward the origin's own actual (the
    # future), and a gap inside a horizon was scored as if observed
    from forecastkit.data import from_pandas

    y = 100 + np.cumsum(np.random.default_rng(0).normal(0, 3, 120))
    data = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=120, freq="D"), "sales": y})
    gaps = [107, 108, 109, 116, 117]  # a gap running up to the origin at row 110; one inside a horizon

    def run(frame):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = from_pandas(frame.drop(index=gaps), fill="interpolate")
            models = {"naive": "naive", "linear": Forecaster("linear", horizon=5, lookback=10, params=FAST)}
            return walk_forward(panel, models, WalkForward(horizon=5, folds=3, stride=5), baselines=False,
                                n_jobs=1).to_frame()

    clean = run(data)
    origin = str(data["date"][110].date())
    naive = clean[(clean["model"] == "naive") & (clean["origin"].astype(str) == origin)]
    assert np.allclose(naive["y_pred"], y[106])  # the last value observed before the origin
    assert not set(clean["time"].astype(str)) & {str(data["date"][g].date()) for g in gaps}
    poisoned = data.copy()
    poisoned.loc[110:, "sales"] = 1e6
    changed = run(poisoned)
    before = clean["origin"].astype(str) <= origin
    pd.testing.assert_series_equal(changed.loc[before, "y_pred"], clean.loc[before, "y_pred"])
