"""Seasonality-aware target transforms and ``preprocess="auto"``: exact inverses, choices from
the training data alone, recorded per fit, and every setting reachable from Python, CLI and config."""

import numpy as np
import pandas as pd
import pytest
from conftest import FAST
from test_cli import run

from forecastkit import Forecaster, datasets
from forecastkit.errors import ConfigError
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.preprocess.choice import (
    Chain,
    candidates,
    choose_chain,
    seasonal_share,
)
from forecastkit.preprocess.seasonality import (
    Seasonality,
    grid_positions,
    seasonal_periods,
)
from forecastkit.preprocess.transforms import TargetTransform


def seasonal_series(n=120, period=12, seed=0, trend=0.01):
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(0, 0.02, n)
    return 100 * np.exp(trend * t + noise) * (1 + 0.3 * np.sin(2 * np.pi * t / period))


@pytest.mark.parametrize("freq, times, expected", [
    ("MS", pd.date_range("1999-11-01", periods=4, freq="MS"), [358, 359, 360, 361]),
    ("QS-JAN", pd.date_range("1970-04-01", periods=2, freq="QS-JAN"), [1, 2]),
    ("h", pd.date_range("1970-01-02", periods=2, freq="h"), [24, 25]),
    ("W-SUN", pd.date_range("2024-01-07", periods=3, freq="W-SUN"), None),
    (None, [3, 6, 9], [1, 2, 3]),
])
def test_grid_positions_are_consecutive_and_absolute(freq, times, expected):
    positions = grid_positions(times, freq, step=3 if freq is None else 1)
    assert np.all(np.diff(positions) == 1)
    if expected is not None:
        assert positions.tolist() == expected


def test_grid_positions_refuse_business_days():
    with pytest.raises(ConfigError, match="business days.*Set `deseason` to .none."):
        grid_positions(pd.bdate_range("2024-01-01", periods=3), "B")


def test_seasonal_periods_add_the_weekly_cycle_of_subdaily_data():
    assert seasonal_periods("h", 24) == (24, 168)
    assert seasonal_periods("30min", 48) == (48, 336)
    assert seasonal_periods("MS", 12) == (12,) and seasonal_periods("YS", 1) == ()


@pytest.mark.parametrize("method", ["classical", "stl"])
def test_seasonality_recovers_a_known_pattern_at_any_phase(method):
    pattern = np.array([-3.0, 1.0, 2.0, 0.0])
    positions = np.arange(5, 45)  # starts mid-season
    x = 10 + 0.05 * positions + pattern[positions % 4]
    s = Seasonality(method, (4,), test=False).fit(x, positions)
    np.testing.assert_allclose(s.component(np.arange(4)), pattern - pattern.mean(), atol=0.05)
    np.testing.assert_allclose(s.restore(s.remove(x, positions), positions), x)


def test_stl_removes_a_changing_pattern_as_it_was_and_continues_its_last_cycle():
    # the pattern's amplitude doubles over the training years: one index for every year (the
    # classical decomposition) leaves much of it in the adjusted history, STL's component does not
    t = np.arange(120)
    shape = np.sin(2 * np.pi * t / 12)
    x = 100 + 0.5 * t + (2 + 2 * t / 120) * shape
    residue = {m: np.std(Seasonality(m, (12,), test=False).fit(x, t).remove(x, t) - (100 + 0.5 * t))
               for m in ("classical", "stl")}
    assert residue["stl"] < 0.3 * residue["classical"]
    s = Seasonality("stl", (12,), test=False).fit(x, t)
    np.testing.assert_allclose(s.component(np.arange(120, 132)), s.component(np.arange(108, 120)))
    restored = Seasonality.from_dict(s.to_dict())
    np.testing.assert_allclose(restored.component(np.arange(140)), s.component(np.arange(140)))


def test_classical_indices_follow_the_latest_cycles_of_a_changed_pattern(monkeypatch):
    # the pattern changed 7 years ago: the indices are the new one (the latest five cycles),
    # where an average over every year would be half the old one's
    t = np.arange(12 * 14)
    old, new = np.sin(2 * np.pi * t / 12), np.cos(2 * np.pi * t / 12)
    x = 100 + 0.5 * t + 3 * np.where(t < 12 * 7, old, new)
    latest = Seasonality("classical", (12,), test=False).fit(x, t)
    np.testing.assert_allclose(latest.component(np.arange(12)), 3 * new[:12], atol=0.05)
    monkeypatch.setattr("forecastkit.preprocess.seasonality.RECENT_CYCLES", None)
    every = Seasonality("classical", (12,), test=False).fit(x, t)
    assert np.abs(every.component(np.arange(12)) - 3 * new[:12]).max() > 1.0


def test_two_periods_are_removed_one_after_the_other():
    t = np.arange(24 * 7 * 4)
    x = 50 + 5 * np.sin(2 * np.pi * t / 24) + 3 * (t % 168 >= 120)
    s = Seasonality("classical", (24, 168), test=False).fit(x, t)
    assert np.std(s.remove(x, t)) < 0.1 * np.std(x)


@pytest.mark.parametrize("power, deseason, lag, diff", [
    (None, "classical", 0, False), ("log", "classical", 0, True), ("log", "none", 12, True),
    (None, "none", 12, False), ("boxcox", "stl", 12, True), (None, "classical", 12, True),
])
def test_inverse_of_the_transformed_future_is_the_future(power, deseason, lag, diff):
    y = seasonal_series(96)
    positions = np.arange(7, 103)
    history, future = y[:84], y[84:]
    t = TargetTransform("standard", power, diff, deseason, (12,), lag).fit(history, positions=positions[:84])
    z = t.transform(y, positions)[-12:]  # the future's own transformed values
    np.testing.assert_allclose(t.inverse(z, history=history, positions=positions[:84]), future, rtol=1e-9)
    paths = np.stack([z, z])
    np.testing.assert_allclose(t.inverse(paths, history=history, positions=positions[:84]), [future, future])
    restored = TargetTransform.from_dict(t.to_dict())
    np.testing.assert_allclose(restored.transform(y, positions), t.transform(y, positions))


def test_error_integration_and_its_inverse():
    t = TargetTransform("none", difference=True, seasonal_lag=3)
    errors = np.random.default_rng(0).normal(size=(4, 7))
    np.testing.assert_allclose(t.differentiate_errors(t.integrate_errors(errors)), errors)
    assert t.integrate_errors(np.ones((1, 4))).tolist() == [[1, 2, 3, 5]]


def test_candidates_respect_fixed_parts_and_positivity():
    assert [c.power for c in candidates({}, positive=False, seasonal=True)] == [None]
    assert [c.power for c in candidates({}, positive=True, seasonal=False)] == [None, "log"]
    fixed = candidates({"power": "log", "difference": True, "deseason": "stl"}, positive=True, seasonal=False)
    assert fixed == [Chain("log", "stl", False, True)]
    assert candidates({"seasonal_difference": True}, True, True)[0].deseason == "none"


def test_auto_deseasonalises_by_test_and_differences():
    y = seasonal_series(144)
    chain = choose_chain([(y, np.arange(144))], horizon=12, lookback=24, season=12, periods=(12,))
    assert chain.deseason == "classical" and chain.difference and not chain.seasonal_difference
    walk = np.cumsum(np.random.default_rng(3).normal(size=200)) + 50
    chain = choose_chain([(walk, np.arange(200))], horizon=6, lookback=12, season=12, periods=(12,))
    assert chain == Chain(difference=True)
    noise = np.random.default_rng(4).normal(size=200) + 50
    chain = choose_chain([(noise, np.arange(200))], horizon=6, lookback=12, season=12, periods=(12,),
                         fixed={"difference": False})
    assert chain == Chain()
    assert seasonal_share([(walk, None)], 12) == 0.0


def test_log_is_chosen_by_validation_only_when_it_helps():
    t = np.arange(240)
    growing = np.exp(0.02 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))  # multiplicative: log makes it additive
    chain = choose_chain([(growing, t)], horizon=12, lookback=24, season=12, periods=(12,),
                         fixed={"deseason": "none"})
    assert chain.power == "log"
    short = seasonal_series(40)
    chain = choose_chain([(short, np.arange(40))], horizon=12, lookback=24, season=12, periods=(12,),
                         fixed={"difference": True})
    assert chain.power is None and chain.difference  # too short to judge: no log without evidence


def test_choice_is_recorded_applied_and_saved(tmp_path):
    airline = datasets.load("airline")
    f = Forecaster("linear", horizon=6, lookback=24, params=FAST).fit(airline)
    assert f.preprocess_.endswith("standard") and f.preprocess_ == f.transforms_[f.ids_[0]].describe()
    pinned = Forecaster("linear", horizon=6, lookback=24, params=FAST, preprocess="none").fit(airline)
    assert pinned.preprocess_ == "standard"
    both = Forecaster("linear", horizon=6, lookback=24, params=FAST, transform="log", deseason="stl",
                      seasonal_difference=True, difference=False).fit(airline)
    assert both.preprocess_ == "log + deseason(stl 12) + sdiff(12) + standard"
    before = both.predict(level=[80])
    assert (before["yhat_lo_80"] <= before["yhat"]).all() and (before["yhat"] <= before["yhat_hi_80"]).all()
    both.save(tmp_path / "m")
    loaded = Forecaster.load(tmp_path / "m")
    assert loaded.preprocess_ == both.preprocess_
    pd.testing.assert_frame_equal(loaded.predict(level=[80]), before)


@pytest.mark.parametrize("kwargs, match", [
    ({"preprocess": "yes"}, "`preprocess` must be 'auto' or 'none'"),
    ({"deseason": "x11"}, "`deseason` must be one of none, classical, stl"),
    ({"seasonal_difference": "yes"}, "`seasonal_difference` must be True, False or None"),
    ({"transform": "sqrt"}, "`transform` must be one of log, boxcox or none"),
    ({"scaler": "window_mean", "deseason": "classical"}, "cannot follow a log/boxcox transform, deseason"),
    ({"scaler": "window_steps", "difference": True}, "reads levels, not differences"),
    ({"scaler": "robust"}, "`scaler` must be one of auto, standard"),
    ({"quantiles": "0.1,0.9", "seasonal_difference": True}, "quantiles.*seasonal_difference"),
])
def test_bad_preprocessing_arguments_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        Forecaster("mlp", horizon=3, **kwargs).check_params()


def test_quantile_models_and_window_scalers_choose_no_differences():
    airline = datasets.load("airline")
    f = Forecaster("linear", horizon=3, lookback=12, params=FAST, quantiles="0.1,0.9").fit(airline)
    assert "diff" not in f.preprocess_
    w = Forecaster("linear", horizon=3, lookback=12, params=FAST, scaler="window_mean").fit(airline)
    assert w.preprocess_ == "window_mean"


@pytest.mark.parametrize("kwargs, expected", [
    ({}, "window_steps"),  # the mlp's own scaler under preprocess="auto"
    ({"preprocess": "none"}, "standard"),  # no automatic choice: per-series standard scaling, as before
    ({"difference": True}, "standard"),  # differences asked for: window_steps reads levels
    ({"scaler": "minmax"}, "minmax"),  # a scaler set is kept
    ({"model": "vanilla"}, "standard"),
    ({"model": "linear", "scaler": "window_steps"}, "window_steps"),
])
def test_the_auto_scaler_is_the_models_own_under_auto_preprocessing(kwargs, expected):
    from forecastkit.forecaster.options import target_scaler

    kwargs = {"model": "mlp", **kwargs}
    assert target_scaler(Forecaster(horizon=3, **kwargs)) == expected


def test_window_steps_keep_the_chosen_log_and_deseasonalising_and_read_non_positive_series():
    airline = datasets.load("airline")
    f = Forecaster("mlp", horizon=3, lookback=12, params=FAST, transform="log", deseason="classical").fit(airline)
    assert f.preprocess_ == "log + deseason(classical 12) + window_steps"
    shifted = airline.with_frame(airline.frame.assign(y=airline.frame["y"] - 300.0))  # about half <= 0
    g = Forecaster("mlp", horizon=3, lookback=12, params=FAST).fit(shifted)
    assert g.preprocess_.endswith("window_steps") and np.isfinite(g.predict()["yhat"]).all()


def test_window_steps_keep_their_precision_at_a_large_level():
    # windows are stored as float32: raw levels of 1e9 (spacing 64) or their logs (spacing about
    # 1,900 in the original units) lost the noise the network reads; each series is centred first
    rng = np.random.default_rng(1)
    y = pd.Series(1e9 + rng.normal(0, 1, 120), index=pd.date_range("2000-01-01", periods=120, freq="MS"), name="y")
    f = Forecaster("mlp", horizon=6, lookback=12, params=FAST, seed=0).fit(y)
    assert f.transforms_["y"].params["mean"] > 1  # centred (after the log the judge may choose)
    assert np.abs(f.predict()["yhat"] - 1e9).max() < 10  # the noise's sd is 1; uncentred: +765


def test_window_steps_forecast_windows_take_the_floor_fitted_on_the_training_series():
    rng = np.random.default_rng(2)
    y = np.r_[np.cumsum(rng.normal(0, 1, 100)), 5.0 + rng.normal(0, 0.01, 20)]  # a walk, then nearly flat
    series = pd.Series(y, index=pd.date_range("2000-01-01", periods=120, freq="D"), name="y")
    f = Forecaster("mlp", horizon=3, lookback=12, params=FAST, transform="none", deseason="none").fit(series)
    step = f.transforms_["y"].params["step"]
    assert step == pytest.approx(np.abs(np.diff(y)).mean())
    _, histories = f._histories(None, None, {})
    levels = f.engine_.forecast_windows(histories).gather(np.array([0]))[2]
    assert levels[0, 0] == pytest.approx(0.1 * step)  # the flat last window's own step is about 0.01


def test_poisoned_future_changes_no_choice_and_no_forecast():
    y = seasonal_series(96)
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    splitter = WalkForward(horizon=3, folds=6, refit="always")
    models = {"linear": Forecaster("linear", horizon=3, lookback=24, params=FAST)}
    clean = walk_forward(pd.Series(y, index=index), models, splitter, baselines=False)
    origins = splitter.origins(96)
    poisoned = y.copy()
    poisoned[origins[2]:] = -1e6  # negative: log would no longer be a candidate if it leaked
    dirty = walk_forward(pd.Series(poisoned, index=index), models, splitter, baselines=False)
    known = clean.fits["fit"] < 2
    pd.testing.assert_series_equal(clean.fits.loc[known, "preprocess"], dirty.fits.loc[known, "preprocess"])
    assert (clean.fits["preprocess"] != "").all()
    rows = clean.results["origin"] < index[origins[2]]
    pd.testing.assert_series_equal(clean.results.loc[rows, "y_pred"], dirty.results.loc[rows, "y_pred"])


def test_report_lists_the_transforms_of_each_fit(tmp_path):
    from forecastkit import report

    splitter = WalkForward(horizon=3, folds=2, refit="always")
    result = walk_forward(datasets.load("airline"), {"linear": Forecaster("linear", horizon=3, lookback=12,
                                                                          params=FAST)}, splitter, baselines=True)
    table = report.preprocessing(result)
    assert table["model"].tolist() == ["linear"] * len(table) and table["fits"].sum() == 2
    report.to_html(result, tmp_path / "r.html")
    assert "Target transforms per fit" in (tmp_path / "r.html").read_text()


@pytest.mark.parametrize("args, message", [
    (["--preprocess", "always"], "`--preprocess` must be 'auto' or 'none'"),
    (["--deseason", "x11"], "`--deseason` must be one of none, classical, stl"),
])
def test_cli_refuses_bad_preprocessing_before_tensorflow(args, message):
    result = run("forecast", "--model", "mlp", *args)
    assert result.returncode == 1 and message in result.stderr and "NO-TF" in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_flags_and_config_reach_the_forecaster(tmp_path):
    from forecastkit.config import merge_settings, read_config
    from forecastkit.models.registry import get_spec
    from forecastkit.runs import make_forecaster

    config = tmp_path / "c.toml"
    config.write_text('preprocess = "none"\ndeseason = "stl"\nseasonal-difference = false\n')
    settings = merge_settings(read_config(config), {"difference": True})
    f = make_forecaster(get_spec("mlp"), settings, {}, horizon=3)
    assert (f.preprocess, f.deseason, f.seasonal_difference, f.difference, f.transform) == (
        "none", "stl", False, True, None)
    out = tmp_path / "f.csv"
    result = run("forecast", "--model", "linear", "--horizon", "3", "--epochs", "2", "--no-difference",
                 "--deseason", "classical", "--verbose", "--out", str(out), script=["-m", "forecastkit"])
    assert result.returncode == 0, result.stderr
    assert "target transforms (--preprocess auto):" in result.stdout and "deseason(classical 12)" in result.stdout


def test_boxcox_forecasts_below_its_range_floor_at_zero_not_nan():
    # a positive series falling towards zero: a forecast under -1/lambda has no Box-Cox inverse
    y = 100.0 - 0.83 * np.arange(120)
    t = TargetTransform("none", power="boxcox").fit(y)
    assert t.params["lam"] > 0
    back = t.inverse(np.array([-1e6, t.transform(y)[-1]]), history=y)
    assert np.isfinite(back).all() and back[0] == 0.0 and back[1] > 0


def _monthly(rows: int) -> pd.DataFrame:
    n = np.arange(rows)
    pattern = np.array([1.0, 0.8, 1.1, 1.3, 0.9, 0.7, 1.5, 1.2, 1.0, 0.6, 0.9, 1.0])
    return pd.DataFrame({"time": pd.date_range("2000-01-01", periods=rows, freq="MS"), "y": (100 + 2 * n) * pattern[n % 12]})


def test_an_explicit_deseason_that_removes_nothing_says_so_and_is_not_reported():
    # the M4 test needs 3 seasons and a row: at 36 months nothing is removed, and the chain says
    # so (it used to name deseason(classical 12) while every index was 0)
    short = Forecaster("linear", horizon=6, lookback=6, params=FAST, deseason="classical")
    with pytest.warns(UserWarning, match=r"`deseason` 'classical' removed no seasonal pattern from 1 of 1 series"):
        short.fit(_monthly(36))
    assert "deseason" not in short.preprocess_
    long = Forecaster("linear", horizon=6, lookback=6, params=FAST, deseason="classical").fit(_monthly(37))
    assert "deseason(classical 12)" in long.preprocess_


@pytest.mark.parametrize("setting", [{"deseason": "classical"}, {"deseason": "stl"}, {"seasonal_difference": True}])
def test_seasonal_steps_without_a_season_are_refused_before_any_fit(setting):
    # integer periods without `season`: nothing to deseasonalise, and a lag-1 seasonal difference
    # would be a second first difference; walk_forward refuses before training, like forecast
    data = pd.DataFrame({"t": np.arange(60), "y": np.arange(60.0) % 7 + 10})
    with pytest.raises(ConfigError, match="season length is 1 .integer periods, and no `season` given"):
        walk_forward(data, {"linear": Forecaster("linear", params=FAST, **setting)}, WalkForward(horizon=3, folds=2),
                     baselines=False, n_jobs=1, time="t")
    seasoned = Forecaster("linear", horizon=3, params=FAST, season=7, **setting).fit(data, time="t")
    assert np.isfinite(seasoned.predict()["yhat"]).all()


def test_walk_forward_refuses_deseasonalising_business_days_before_any_fit():
    data = pd.DataFrame({"time": pd.bdate_range("2024-01-01", periods=80), "y": np.arange(80.0) % 5 + 10})
    with pytest.raises(ConfigError, match="needs a regular calendar grid, but frequency 'B' has none"):
        walk_forward(data, {"linear": Forecaster("linear", params=FAST, deseason="classical")},
                     WalkForward(horizon=5, folds=2), baselines=False, n_jobs=1)


def test_intermittent_series_are_modelled_in_levels_others_in_differences():
    rng = np.random.default_rng(2)
    sparse = (rng.random(120) < 0.4) * rng.poisson(4, 120).astype(float)
    weeks = pd.date_range("2020-01-05", periods=120, freq="W-SUN")
    for values, difference in ((sparse, False), (sparse + 5, True)):
        series = pd.Series(values, index=weeks, name="y")
        f = Forecaster("linear", horizon=4, lookback=8, seed=0, params={"epochs": 2}).fit(series)
        assert f.transforms_["y"].difference is difference, f.preprocess_
        fixed = Forecaster("linear", horizon=4, lookback=8, seed=0, difference=not difference,
                           params={"epochs": 2}).fit(series)
        assert fixed.transforms_["y"].difference is (not difference)  # a flag fixes it either way
