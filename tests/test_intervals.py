"""Prediction intervals: metric formulas, conformal calibration without leakage, coverage."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecastkit import datasets
from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.intervals import (
    bound_columns,
    check_levels,
    conformal_intervals,
    coverage,
    crps_from_quantiles,
    crps_from_samples,
    interval_scores,
    msis,
    pinball,
    width,
    winkler,
)


def synthetic_results(n_origins=400, horizon=3, sigma=1.0, seed=0, models=("m",)):
    """Results of forecasts whose errors are iid N(0, sigma^2): actual = forecast + noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for model in models:
        for origin in range(n_origins):
            for h in range(1, horizon + 1):
                forecast = 10.0 + np.sin(origin / 7)
                rows.append((model, "a", origin, origin, h, origin + h - 1, forecast + rng.normal(0, sigma), forecast))
    return pd.DataFrame(rows, columns=["model", "id", "fit", "origin", "h", "time", "y_true", "y_pred"])


# ------------------------------------------------------------------------ metrics --
def test_metric_formulas_on_hand_computed_values():
    y, lo, hi = [1.0, 5.0, -3.0], [0.0, 0.0, 0.0], [2.0, 4.0, 2.0]
    assert coverage(y, lo, hi) == pytest.approx(1 / 3)
    assert width(lo, hi) == pytest.approx(8 / 3)
    # alpha = 0.2: 2 / alpha = 10 -> scores 2, 4 + 10, 2 + 30
    assert winkler(y, lo, hi, level=80) == pytest.approx((2 + 14 + 32) / 3)
    assert msis(y, lo, hi, scale=4.0, level=80) == pytest.approx((2 + 14 + 32) / 3 / 4)
    assert pinball([3.0], [1.0], 0.25) == pytest.approx(0.5) and pinball([1.0], [3.0], 0.25) == pytest.approx(1.5)


def test_crps_of_a_gaussian_matches_the_closed_form():
    # CRPS(N(0, 1), y) = y (2 Phi(y) - 1) + 2 phi(y) - 1 / sqrt(pi)
    y = 0.7
    exact = y * (2 * stats.norm.cdf(y) - 1) + 2 * stats.norm.pdf(y) - 1 / np.sqrt(np.pi)
    draws = np.random.default_rng(0).normal(size=(1, 20000))
    assert crps_from_samples([y], draws) == pytest.approx(exact, abs=0.01)
    taus = np.arange(1, 100) / 100
    assert crps_from_quantiles([y], [stats.norm.ppf(taus)], taus) == pytest.approx(exact, abs=0.01)


def test_bad_levels_and_arguments_are_refused():
    assert check_levels([95, 80.0]) == (80, 95) and check_levels(None) == ()
    for bad in ("0", "100", "80,abc", [80, 80], True, [float("nan")]):
        with pytest.raises((ConfigError, ConfigTypeError), match="`level`"):
            check_levels(bad)
    with pytest.raises(ConfigError, match="scale"):
        msis([1.0], [0.0], [2.0], scale=0.0, level=80)
    with pytest.raises(ConfigError, match="min_calibration"):
        conformal_intervals(synthetic_results(5), [80], min_calibration=0)


# ---------------------------------------------------------------------- conformal --
def test_conformal_calibration_never_uses_an_error_known_at_or_after_the_origin():
    results = synthetic_results(n_origins=60, horizon=3)
    base = conformal_intervals(results, [80, 95], min_calibration=5)
    for row in (75, 100, 121, 170):
        origin = results.loc[row, "origin"]
        moved = results.copy()
        late = moved["time"] >= origin  # actual values not yet known at this origin
        moved.loc[late, "y_true"] += 1000.0 * np.arange(1, late.sum() + 1)
        after = conformal_intervals(moved, [80, 95], min_calibration=5)
        for level in (80, 95):
            lo, hi = bound_columns(level)
            half = (base.loc[row, hi] - base.loc[row, lo]) / 2
            assert np.isfinite(half)
            assert (after.loc[row, hi] - after.loc[row, lo]) / 2 == half
    # and an error known before the origin does change it
    early = results.copy()
    early.loc[early["time"] < 10, "y_true"] += 1000.0
    changed = conformal_intervals(early, [95], min_calibration=5)
    assert not np.allclose(changed["yhat_hi_95"].iloc[60:90], base["yhat_hi_95"].iloc[60:90])


def test_first_origins_have_no_interval_until_enough_errors_are_known():
    out = conformal_intervals(synthetic_results(n_origins=30, horizon=2), [80], min_calibration=10)
    first = out[out["h"] == 2].sort_values("origin")
    # step 2's actual is known one origin later, so 10 errors are known from origin 11 on
    assert first["yhat_lo_80"].isna().tolist() == [True] * 11 + [False] * 19


@pytest.mark.parametrize("level", [80, 95])
def test_gaussian_noise_coverage_is_within_two_points_of_nominal(level):
    out = conformal_intervals(synthetic_results(n_origins=3000, horizon=2, seed=1), [level], min_calibration=20)
    lo, hi = bound_columns(level)
    scored = out.dropna(subset=[lo])
    assert abs(coverage(scored["y_true"], scored[lo], scored[hi]) - level / 100) < 0.02
    # and the width approaches the Gaussian interval's 2 z sigma
    z = stats.norm.ppf(0.5 + level / 200)
    assert width(scored[lo], scored[hi]) == pytest.approx(2 * z, rel=0.06)


def test_walk_forward_intervals_on_white_noise_cover_their_nominal_level():
    rng = np.random.default_rng(3)
    series = pd.Series(10 + rng.normal(0, 1, 1300), name="y",
                       index=pd.date_range("2000-01-01", periods=1300, freq="D"))
    result = walk_forward(series, ["naive"], WalkForward(horizon=1, folds=1200, refit="always"), baselines=False, level=(80, 90))
    table = interval_scores(result.results, result.scales, result.levels)
    assert table["intervals_80"].iloc[0] == 1200 - 10
    assert abs(table["coverage_gap_80"].iloc[0]) < 0.02 and abs(table["coverage_gap_90"].iloc[0]) < 0.02


# ------------------------------------------------------------------ in the report --
@pytest.fixture(scope="module")
def airline_result():
    return walk_forward(datasets.load("airline"), ["naive", "seasonal_naive", "naive2"],
                        WalkForward(horizon=3, folds=30, refit="always"), baselines=False, level=(80, 95), min_calibration=8)


def test_leaderboard_scores_intervals_and_ranks_by_them(airline_result):
    board = airline_result.leaderboard("msis")
    for column in ("coverage_80", "coverage_gap_95", "width_95", "winkler_95", "msis_95", "intervals_95"):
        assert column in board.columns
    assert board["msis"].tolist() == sorted(board["msis"]) and board["msis"].equals(board["msis_95"])
    gaps = airline_result.leaderboard("coverage_gap")["coverage_gap"].abs().tolist()
    assert gaps == sorted(gaps)
    assert list(airline_result.by_horizon("winkler").columns) == [1, 2, 3]
    tables, lines = airline_result.significance("msis")
    assert lines[0].startswith("Best on MSIS") and not tables.empty
    _, lines = airline_result.significance("coverage_gap")
    assert any("compare MSIS" in line for line in lines)


def test_interval_metrics_need_levels(airline_result):
    plain = walk_forward(datasets.load("airline"), ["naive"], WalkForward(horizon=1, folds=3, refit="always"), baselines=False)
    with pytest.raises(ConfigError, match="also set `level`"):
        plain.leaderboard("msis")


def test_calibration_plot_and_fan_chart_draw(airline_result, tmp_path):
    figure = airline_result.calibration_plot()
    lines = figure.axes[0].get_lines()
    assert len(lines) == 1 + 3  # the diagonal and one line per model
    airline_result.fan_chart(model="seasonal_naive").savefig(tmp_path / "fan.png")
    airline_result.to_html(tmp_path / "report.html", metric="msis")
    page = (tmp_path / "report.html").read_text()
    assert "Prediction intervals (conformal; levels 80, 95%)" in page and page.count("<img") == 3


def test_result_figures_take_one_model_name_and_refuse_unknown_names(airline_result):
    figure = airline_result.plot(models="naive")  # one name, not its letters
    assert [line.get_label() for line in figure.axes[1].get_lines()] == ["naive"]
    assert len(airline_result.plot(models="naive, naive2").axes[1].get_lines()) == 2
    known = "it has 'naive', 'naive2', 'seasonal_naive'"
    for draw in (lambda: airline_result.plot(models=["nope"]), lambda: airline_result.calibration_plot(models="nope"),
                 lambda: airline_result.fan_chart(model="nope")):
        with pytest.raises(ConfigError, match=f"No model 'nope' in this run; {known}"):
            draw()
    for draw in (lambda: airline_result.plot(series="nope"), lambda: airline_result.fan_chart(series="nope")):
        with pytest.raises(ConfigError, match="No series 'nope' in this run; it has 'passengers'"):
            draw()


# ------------------------------------------------------------- forecast intervals --
from forecastkit import Forecaster  # noqa: E402

QUICK = {"epochs": 3, "batch_size": 16, "patience": 3, "validation": 0.3}


@pytest.fixture(scope="module")
def airline():
    return datasets.load("airline")


def test_quantile_head_never_crosses_and_reloads(airline, tmp_path):
    forecaster = Forecaster("mlp", horizon=4, lookback=12, params={**QUICK, "units": 8}, quantiles="0.05,0.5,0.95")
    forecast = forecaster.fit(airline).predict(level=(80,))
    assert list(forecast.columns[4:]) == ["yhat_lo_80", "yhat_hi_80", "q0.05", "q0.5", "q0.95"]
    assert (forecast["q0.05"] <= forecast["q0.5"]).all() and (forecast["q0.5"] <= forecast["q0.95"]).all()
    np.testing.assert_allclose(forecast["q0.5"], forecast["yhat"])
    loaded = Forecaster.load(forecaster.save(tmp_path / "q"))
    pd.testing.assert_frame_equal(loaded.predict(level=(80,)), forecast)


def test_quantile_layer_and_pinball_loss_match_their_formulas():
    from forecastkit.models.quantile import MonotoneQuantiles, PinballLoss

    raw = np.random.default_rng(0).normal(size=(5, 2 * 3)).astype("float32")
    quantiles = np.asarray(MonotoneQuantiles(2, 3)(raw))
    assert quantiles.shape == (5, 2, 3) and (np.diff(quantiles, axis=-1) > 0).all()
    y = np.random.default_rng(1).normal(size=(5, 2)).astype("float32")
    taus = np.array([0.1, 0.5, 0.9])
    error = y[..., None] - quantiles
    expected = np.mean(np.maximum(taus * error, (taus - 1) * error))
    assert float(PinballLoss(taus)(y, quantiles)) == pytest.approx(expected, rel=1e-5)


def test_neural_intervals_come_from_the_held_out_windows(airline):
    forecaster = Forecaster("linear", horizon=3, lookback=12, params=QUICK, scaler="none", preprocess="none").fit(airline)
    forecast = forecaster.predict(level=(80, 95))
    errors = np.asarray(forecaster.calibration_["*"])  # sorted per step, original units (scaler none)
    n = len(errors)
    assert n == int((144 - 12 - 3 + 1) * 0.3)
    half_95 = (forecast["yhat_hi_95"] - forecast["yhat_lo_95"]).to_numpy() / 2
    rank = int(np.ceil(0.95 * (n + 1)))
    np.testing.assert_allclose(half_95, errors[rank - 1], rtol=1e-6)
    assert ((forecast["yhat_hi_95"] - forecast["yhat_lo_95"]) >= (forecast["yhat_hi_80"] - forecast["yhat_lo_80"])).all()


def test_interval_and_quantile_options_are_refused_where_they_cannot_work(airline):
    with pytest.raises(ConfigError, match="only neural models"):
        Forecaster("naive", quantiles="0.1").check_params()
    with pytest.raises(ConfigError, match="cannot be combined with `difference`"):
        Forecaster("mlp", quantiles="0.1", difference=True).check_params()
    with pytest.raises(ConfigError, match="quantiles` must be levels strictly between 0 and 1"):
        Forecaster("mlp", quantiles="0.1,1.5").check_params()
    few = Forecaster("linear", horizon=3, lookback=12, params={**QUICK, "validation": 0.05})
    with pytest.raises(ConfigError, match="need at least 19 of them per model, but this fit holds out 6"):
        few.check_levels_before_fit(airline, (95,))


def test_baselines_forecast_native_intervals(airline):
    for model in ("naive", "seasonal_naive", "naive2", "ets", "theta", "arima"):
        forecast = Forecaster(model, horizon=6).fit(airline).predict(level=(80, 95))
        assert (forecast["yhat_lo_95"] <= forecast["yhat_lo_80"]).all(), model
        assert (forecast["yhat_lo_80"] <= forecast["yhat"]).all() and (forecast["yhat"] <= forecast["yhat_hi_80"]).all()
        assert (forecast["yhat_hi_80"] <= forecast["yhat_hi_95"]).all(), model


# -------------------------------------------------------------------------- CLI --
def test_cli_interval_errors_come_before_tensorflow(tmp_path):
    from test_cli import run

    done = run("forecast", "--model", "mlp", "--level", "95", "--out", str(tmp_path / "f.csv"))
    assert done.returncode == 1 and "need at least 19 of them" in done.stderr and "NO-TF" in done.stdout
    done = run("evaluate", "--metric", "msis", "--out", str(tmp_path / "run"))
    assert done.returncode == 1 and "interval metrics need `--level`" in done.stderr and "NO-TF" in done.stdout
    done = run("forecast", "--model", "naive", "--level", "80,120", "--out", str(tmp_path / "f.csv"))
    assert done.returncode == 1 and "values must each be a percentage in (0, 100)" in done.stderr


def test_cli_forecast_and_evaluate_with_levels(tmp_path):
    from test_cli import run

    done = run("forecast", "--model", "naive", "--horizon", "3", "--level", "80,95", "--quiet",
               "--out", str(tmp_path / "f.csv"))
    assert done.returncode == 0, done.stderr
    forecast = pd.read_csv(tmp_path / "f.csv")
    assert list(forecast.columns) == ["id", "time", "model", "yhat", "yhat_lo_80", "yhat_hi_80",
                                      "yhat_lo_95", "yhat_hi_95"]
    done = run("evaluate", "--models", "naive,seasonal_naive", "--no-baselines", "--horizon", "2", "--folds", "15",
               "--level", "80", "--min-calibration", "5", "--metric", "coverage_gap", "--quiet",
               "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    board = pd.read_csv(tmp_path / "run" / "leaderboard.csv")
    assert {"coverage_gap", "coverage_80", "msis_80", "width_80"} <= set(board.columns)
    assert (tmp_path / "run" / "calibration.png").stat().st_size > 1000
    results = pd.read_csv(tmp_path / "run" / "results.csv")
    assert {"yhat_lo_80", "yhat_hi_80"} <= set(results.columns)


def test_neural_intervals_with_differencing_calibrate_the_level_error(airline):
    forecaster = Forecaster("linear", horizon=3, lookback=12, params=QUICK, scaler="none", difference=True,
                            preprocess="none")
    forecast = forecaster.fit(airline).predict(level=(80,))
    errors = np.asarray(forecaster.calibration_["*"])  # |sum of step errors| up to each step, sorted
    rank = int(np.ceil(0.8 * (len(errors) + 1)))
    half = (forecast["yhat_hi_80"] - forecast["yhat_lo_80"]).to_numpy() / 2
    np.testing.assert_allclose(half, errors[rank - 1], rtol=1e-6)
    np.testing.assert_allclose((forecast["yhat_hi_80"] + forecast["yhat_lo_80"]) / 2, forecast["yhat"], rtol=1e-9)


def test_intervals_too_few_to_calibrate_are_said_so():
    result = walk_forward(datasets.load("airline"), [Forecaster("linear", horizon=3, params=QUICK)],
                          WalkForward(horizon=3, folds=3, stride=3, refit="never"), baselines=False, level=80)
    assert result.leaderboard()["mase"].notna().all()
    lines = result.significance("msis")[1]
    assert lines == ["No interval could be scored on MSIS: no origin had enough earlier forecast errors to calibrate "
                     "its conformal intervals (at least 10, `min_calibration`, and enough for the level). Evaluate at "
                     "more origins."]


def test_the_verdict_names_the_leaderboards_winner_when_it_tests_another_loss(airline_result):
    for metric, tested in (("coverage_gap", "MSIS"), ("owa", "MASE")):
        best = airline_result.leaderboard(metric)["model"].iloc[0]
        lines = airline_result.significance(metric)[1]
        assert lines[0].startswith(f"Best on {metric.upper()}: {best} (")
        assert f"so the tests below compare {tested}" in " ".join(lines)


def test_interval_scores_rank_at_the_widest_level_that_was_calibrated():
    result = walk_forward(datasets.load("airline"), [Forecaster("linear", horizon=3, params=QUICK)],
                          WalkForward(horizon=3, folds=10, stride=3, refit="never"), baselines=False, level=(80, 95),
                          min_calibration=1)  # 95% needs 19 earlier errors: never reached here
    board = result.leaderboard("msis")
    assert board["intervals_95"].iloc[0] == 0 and board["intervals_80"].iloc[0] > 0
    assert board["msis"].iloc[0] == board["msis_80"].iloc[0]
    assert result.significance("msis")[1][0].startswith("Best on MSIS: linear (")


def test_a_level_no_origin_could_calibrate_is_named_in_the_verdict(airline):
    from forecastkit.report import significance

    result = walk_forward(airline, ["naive"], WalkForward(horizon=2, folds=4, stride=2), baselines=False,
                          level=(80,), min_calibration=1, n_jobs=1)
    _, lines = significance(result, "mase")
    assert any(line.startswith("No interval for naive at 80%") and "Evaluate at more origins" in line
               for line in lines), lines
    enough = walk_forward(airline, ["naive"], WalkForward(horizon=2, folds=12, stride=2), baselines=False,
                          level=(80,), min_calibration=1, n_jobs=1)
    assert not any(line.startswith("No interval") for line in significance(enough, "mase")[1])


def test_the_scored_line_says_which_conformal_distributions_no_origin_could_calibrate():
    from forecastkit.cli.render import _scored_lines

    board = pd.DataFrame({"model": ["a", "b", "c"], "crps": [np.nan, 1.0, np.nan],
                          "distribution": ["conformal", "conformal", "none (its native intervals are not Gaussian)"]})
    assert _scored_lines(board) == [
        "forecast distributions scored (crps, pinball in leaderboard.csv): a: conformal (none: no origin had "
        "--min-calibration earlier errors); b: conformal; c: none (its native intervals are not Gaussian)"]


def test_models_without_the_ranking_metric_get_no_rank():
    # every MSIS empty (too few origins to calibrate): the models were ranked 1, 2 in name order
    result = walk_forward(datasets.load("airline"), {"a": Forecaster("linear", horizon=3, params={"epochs": 1}),
                                                     "b": Forecaster("mlp", horizon=3, params={"epochs": 1})},
                          WalkForward(horizon=3, folds=3), baselines=False, level=(80,), n_jobs=1)
    board = result.leaderboard("msis")
    assert board["msis"].isna().all() and board["rank"].isna().all()
    assert board["rank"].dropna().tolist() == [] and result.leaderboard("mase")["rank"].tolist() == [1, 2]
