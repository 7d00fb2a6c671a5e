"""Panels end to end: global and local models, covariate roles, calendar features, leakage."""

import dataclasses
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster, datasets
from forecastkit.data import GLOBAL_ID, from_pandas
from forecastkit.errors import ConfigError, DataError, ShortSeriesWarning
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.features import FeatureEncoder, calendar_features, check_calendar

ROOT = Path(__file__).resolve().parents[1]


def shop_frame(n=40, stores=("a", "b", "c"), seed=0):
    """Weekly sales of a few stores: a past-observed footfall, a future-known price and promo
    label, and a static store type. Sales respond to this week's price."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, store in enumerate(stores):
        price = 10 + rng.normal(0, 1, n)
        footfall = 100 + rng.normal(0, 5, n)
        frames.append(pd.DataFrame({
            "store": store, "week": pd.date_range("2023-01-02", periods=n, freq="W-MON"),
            "sales": 200 + 30 * k - 8 * price + 0.1 * footfall + rng.normal(0, 1, n),
            "footfall": footfall, "price": price,
            "promo": rng.choice(["off", "tv", "radio"], n), "kind": "big" if k else "small",
        }))
    return pd.concat(frames, ignore_index=True)


def shop_panel(frame=None, **kwargs):
    frame = shop_frame() if frame is None else frame
    return from_pandas(frame, id="store", time="week", target="sales", past_covariates="footfall",
                       future_covariates=("price", "promo"), static_covariates="kind", **kwargs)


def future_of(frame, panel, horizon):
    """The future-known covariates over the horizon after each store's history."""
    rows = []
    for sid in panel.ids:
        times = panel.future_times(sid, horizon)
        rows.append(pd.DataFrame({"store": sid, "week": times, "price": np.linspace(9, 11, horizon),
                                  "promo": "tv"}))
    return pd.concat(rows, ignore_index=True)


# ------------------------------------------------------------------- global and local --
@pytest.mark.parametrize("mode", ["global", "local"])
def test_global_and_local_models_forecast_every_series_and_reload(mode, two_series, tmp_path):
    forecaster = Forecaster("linear", horizon=3, lookback=6, params=FAST, mode=mode).fit(two_series)
    assert hasattr(forecaster, "model_") == (mode == "global")
    assert hasattr(forecaster, "models_") == (mode == "local")
    forecast = forecaster.predict()
    assert forecast.groupby("id").size().to_dict() == {"a": 3, "b": 3}
    assert list(forecast.columns) == ["id", "time", "model", "yhat"]
    loaded = Forecaster.load(forecaster.save(tmp_path / mode))
    pd.testing.assert_frame_equal(loaded.predict(), forecast)


def test_local_models_are_each_fit_on_their_own_series_only(two_series):
    """The series train together (one grouped step), each exactly as if alone: poisoning
    series b moves none of series a's forecasts, which are those of a model of series a alone."""
    local = Forecaster("linear", horizon=2, lookback=4, params=FAST, mode="local", seed=3).fit(two_series)
    frame = two_series.frame.copy()
    frame.loc[frame["id"] == "b", "y"] = frame.loc[frame["id"] == "b", "y"] * 1e3 + 7
    poisoned = Forecaster("linear", horizon=2, lookback=4, params=FAST, mode="local", seed=3).fit(
        two_series.with_frame(frame))
    alone = Forecaster("linear", horizon=2, lookback=4, params=FAST, seed=3).fit(
        two_series.with_frame(two_series.series("a")))
    both, other = local.predict(), poisoned.predict()
    assert [type(m).__name__ for m in local.engine_.models.values()] == ["SlotModel", "SlotModel"]
    np.testing.assert_array_equal(both[both["id"] == "a"]["yhat"], other[other["id"] == "a"]["yhat"])
    assert not np.allclose(both[both["id"] == "b"]["yhat"], other[other["id"] == "b"]["yhat"])
    np.testing.assert_allclose(both[both["id"] == "a"]["yhat"], alone.predict()["yhat"], rtol=1e-5)


def test_grouped_local_models_save_as_keras_and_forecast_the_same_after_load(two_series, tmp_path):
    local = Forecaster("vanilla", horizon=2, lookback=4, params={**FAST, "units": 4}, mode="local").fit(two_series)
    keras_model = local.models_["a"]  # the builder's Keras model with the trained weights
    x = np.linspace(-1, 1, 4 * keras_model.input_shape[-1], dtype="float32").reshape(1, 4, -1)
    np.testing.assert_allclose(keras_model.predict(x, verbose=0), local.engine_.models["a"].predict(x), atol=1e-5)
    loaded = Forecaster.load(local.save(tmp_path / "local"))
    assert sorted(p.name for p in (tmp_path / "local" / "models").iterdir()) == ["0.keras", "1.keras"]
    pd.testing.assert_frame_equal(loaded.predict(level=80), local.predict(level=80), check_exact=True)


def test_id_embedding_is_a_global_model_input(two_series, tmp_path):
    forecaster = Forecaster("mlp", horizon=2, lookback=6, params=FAST, id_embedding=2).fit(two_series)
    assert [tuple(s) for s in forecaster.model_.input_shape] == [(None, 6, 2), (None, 1)]
    loaded = Forecaster.load(forecaster.save(tmp_path / "emb"))
    pd.testing.assert_frame_equal(loaded.predict(), forecaster.predict())
    with pytest.raises(ConfigError, match="no meaning with mode='local'"):
        Forecaster("mlp", id_embedding=2, mode="local").check_params()
    with pytest.raises(ConfigError, match="`mode` must be 'global' or 'local'"):
        Forecaster("mlp", mode="pooled").check_params()


def test_same_seed_same_global_forecast(two_series):
    def run():
        return Forecaster("vanilla", horizon=2, lookback=6, params={**FAST, "units": 4}, seed=5).fit(
            two_series).predict()["yhat"].to_numpy()
    np.testing.assert_array_equal(run(), run())


def test_per_series_scaling_sees_each_series_training_rows_only(two_series):
    forecaster = Forecaster("linear", horizon=2, lookback=4, params=FAST, preprocess="none").fit(two_series)
    for sid in ("a", "b"):
        y = two_series.series(sid)["y"].to_numpy()
        state = forecaster.transforms_[sid].to_dict()["params"]
        assert state["mean"] == pytest.approx(y.mean()) and state["scale"] == pytest.approx(y.std())


def test_window_sample_bounds_the_windows_each_series_gives_an_epoch():
    from forecastkit.models.keras_common import import_keras
    from forecastkit.training import window_batches
    from forecastkit.windows import WindowSet

    blocks = [(np.arange(n, dtype=float), np.zeros((n, 0)), np.zeros((n, 0)), np.zeros(0)) for n in (50, 8, 30)]
    windows = WindowSet(blocks, lookback=3, horizon=1)
    batches = window_batches(import_keras(), windows, np.arange(len(windows)),
                             {"batch_size": 4, "window_sample": 5}, seed=0, with_series=False)
    for _ in range(3):
        counts = np.bincount(windows.series[batches.order], minlength=3)
        assert counts.tolist() == [5, 5, 5]
        assert len(set(batches.order.tolist())) == 15
        batches.on_epoch_end()


# ------------------------------------------------------------------------- covariates --
def test_covariate_roles_become_model_inputs():
    frame = shop_frame()
    panel = shop_panel(frame)
    forecaster = Forecaster("linear", horizon=3, lookback=4, params=FAST, calendar="month").fit(panel)
    encoder = forecaster.encoder_
    # target + footfall; price + promo one-hot (3) + month sin/cos; kind one-hot (2); future flag
    assert (encoder.n_past, encoder.n_known, encoder.n_static) == (1, 6, 2)
    assert forecaster.model_.input_shape == (None, 4 + 3, 1 + 1 + 6 + 2 + 1)
    forecast = forecaster.predict(future=future_of(frame, panel, 3))
    assert forecast.groupby("id").size().to_dict() == {"a": 3, "b": 3, "c": 3}


def test_future_known_covariates_are_required_over_the_whole_horizon(tmp_path):
    frame = shop_frame()
    panel = shop_panel(frame)
    forecaster = Forecaster("linear", horizon=3, lookback=4, params=FAST).fit(panel)
    with pytest.raises(ConfigError, match="needs their values for the 3 step"):
        forecaster.predict()
    future = future_of(frame, panel, 3)
    with pytest.raises(DataError, match="must cover the whole horizon"):
        forecaster.predict(future=future.drop(index=4))
    loaded = Forecaster.load(forecaster.save(tmp_path / "m"))
    pd.testing.assert_frame_equal(loaded.predict(future=future), forecaster.predict(future=future))
    plain = Forecaster("linear", horizon=3, lookback=4, params=FAST).fit(
        from_pandas(frame, id="store", time="week", target="sales"))
    with pytest.raises(ConfigError, match="fit without future-known covariates"):
        plain.predict(future=future)


def test_future_known_values_change_the_forecast_and_past_ones_cannot_reach_it():
    frame = shop_frame()
    panel = shop_panel(frame)
    forecaster = Forecaster("linear", horizon=2, lookback=4, params={**FAST, "epochs": 30}).fit(panel)
    future = future_of(frame, panel, 2)
    base = forecaster.predict(future=future)["yhat"].to_numpy()
    cheaper = forecaster.predict(future=future.assign(price=future["price"] - 3))["yhat"].to_numpy()
    assert not np.allclose(base, cheaper)
    # a future file carrying past-observed columns (footfall, sales) over the horizon: ignored
    noisy = future.assign(footfall=1e6, sales=-1e6)
    np.testing.assert_array_equal(forecaster.predict(future=noisy)["yhat"].to_numpy(), base)


def test_categorical_static_and_unseen_labels_encode_without_future_information():
    panel = shop_panel()
    encoder = FeatureEncoder().fit(panel)
    assert encoder.categories == {"promo": ["off", "radio", "tv"], "kind": ["big", "small"]}
    rows = pd.DataFrame({"time": pd.to_datetime(["2024-01-01"]), "price": [10.0], "promo": ["billboard"]})
    assert encoder.known_rows("a", rows)[0, 1:].tolist() == [0.0, 0.0, 0.0]  # unseen label: all zeros
    assert encoder.static_row(panel.series("a")).tolist() == [0.0, 1.0]
    assert FeatureEncoder.from_dict(encoder.to_dict()).to_dict() == encoder.to_dict()


def test_calendar_features():
    times = pd.date_range("2024-01-01", periods=14, freq="D")
    features = calendar_features(times, ("weekday",))
    np.testing.assert_allclose(features[:7], features[7:])  # weekly cycle
    assert features.shape == (14, 2)
    assert check_calendar("hour,month") == ("hour", "month")
    with pytest.raises(ConfigError, match="Unknown calendar feature 'fortnight'"):
        check_calendar("fortnight")
    with pytest.raises(ConfigError, match="need timestamps"):
        check_calendar("month", freq=None)


# ------------------------------------------------------------------- walk-forward --
def one_fold(panel, models, horizon=2):
    return walk_forward(panel, models, WalkForward(horizon=horizon, folds=1, refit="always"), baselines=False).to_frame()


def perturbed(panel, rows_from, columns, by=1000.0):
    """``panel`` with ``columns`` changed at every row from position ``rows_from`` of each series."""
    frame = panel.frame.copy()
    position = frame.groupby("id").cumcount()
    late = position >= frame["id"].map(lambda sid: rows_from(panel.lengths[sid]))
    for column in columns:
        frame.loc[late, column] = frame.loc[late, column] + by
    return panel.with_frame(frame)


def test_walk_forward_past_covariates_and_targets_after_the_origin_never_reach_its_forecast():
    panel = shop_panel()
    model = {"linear": Forecaster("linear", horizon=2, lookback=4, params=FAST)}
    base = one_fold(panel, model)
    origin = lambda n: n - 2  # noqa: E731  (the only fold's origin)
    moved = one_fold(perturbed(panel, origin, ["y", "footfall"]), model)
    np.testing.assert_array_equal(moved["y_pred"], base["y_pred"])
    assert not np.array_equal(moved["y_true"], base["y_true"])
    priced = one_fold(perturbed(panel, origin, ["price"], by=-3.0), model)
    assert not np.allclose(priced["y_pred"], base["y_pred"])  # future-known: used over the horizon


def test_global_walk_forward_fits_once_per_fold_for_all_series(two_series):
    # cohorts=1: one fit per fold even though a and b end at different times (see the cohort test below)
    result = walk_forward(two_series, {"linear": Forecaster("linear", horizon=2, lookback=4, params=FAST)},
                          WalkForward(horizon=2, folds=3, stride=2, refit="always", cohorts=1), baselines=False)
    assert result.fits["id"].unique().tolist() == [GLOBAL_ID] and len(result.fits) == 3
    assert result.to_frame().groupby("id")["origin"].nunique().to_dict() == {"a": 3, "b": 3}
    local = walk_forward(two_series, {"linear": Forecaster("linear", horizon=2, lookback=4, params=FAST,
                                                           mode="local")},
                         WalkForward(horizon=2, folds=3, stride=2, refit="always"), baselines=False)
    assert sorted(local.fits["id"].unique()) == ["a", "b"] and len(local.fits) == 6
    merged = result.to_frame().merge(local.to_frame(), on=["id", "origin", "h"])
    np.testing.assert_array_equal(merged["y_true_x"], merged["y_true_y"])  # the same points scored


def test_global_fit_never_trains_on_another_series_future(two_series):
    # 'a' ends 2004-12 and 'b' 2005-05: b's fold origin is 5 months after a's, so the global
    # fit trains b only on rows before a's origin; b's rows between the two origins may move
    # without changing a's forecast.
    model = {"linear": Forecaster("linear", horizon=2, lookback=4, params=FAST)}
    base = one_fold(two_series, model)
    frame = two_series.frame.copy()
    late_b = (frame["id"] == "b") & (frame["time"] >= pd.Timestamp("2004-11-01"))
    frame.loc[late_b, "y"] += 500.0
    moved = one_fold(two_series.with_frame(frame), model)
    a_base, a_moved = (r[r["id"] == "a"]["y_pred"].to_numpy() for r in (base, moved))
    np.testing.assert_array_equal(a_moved, a_base)


def test_a_global_model_fits_each_cohort_of_series_ending_together_up_to_its_own_cut_off(two_series):
    # a ends 2004-12 and b 2005-05: by default each gets its own fit per fold, b's trained on
    # every row before b's cut-off (a's last months included), a's on nothing at or after a's
    model = {"linear": Forecaster("linear", horizon=2, lookback=4, params=FAST)}
    result = walk_forward(two_series, model, WalkForward(horizon=2, folds=3, stride=2, refit="always"),
                          baselines=False)
    assert sorted(result.fits["id"].unique()) == ["*1", "*2"] and len(result.fits) == 6
    assert result.fits["status"].eq("ok").all()
    assert result.to_frame().groupby("id")["origin"].nunique().to_dict() == {"a": 3, "b": 3}

    def late_a(panel):  # a's rows from its own origin on (before b's)
        frame = panel.frame.copy()
        frame.loc[(frame["id"] == "a") & (frame["time"] >= pd.Timestamp("2004-11-01")), "y"] += 500.0
        return panel.with_frame(frame)

    def forecasts(panel, cohorts):
        frame = walk_forward(panel, model, WalkForward(horizon=2, folds=1, refit="always", cohorts=cohorts),
                             baselines=False).to_frame()
        return {sid: part["y_pred"].to_numpy() for sid, part in frame.groupby("id")}

    base, moved = forecasts(two_series, 4), forecasts(late_a(two_series), 4)
    np.testing.assert_array_equal(moved["a"], base["a"])  # never a's own future
    assert not np.allclose(moved["b"], base["b"])  # b's fit is fresh: it learned from them
    base, moved = forecasts(two_series, 1), forecasts(late_a(two_series), 1)
    np.testing.assert_array_equal(moved["b"], base["b"])  # one fit: every series cut at a's cut-off
    with pytest.raises(ConfigError, match="cohorts"):
        WalkForward(cohorts=0)


def test_more_end_times_than_cohorts_share_fits_between_neighbours():
    t = pd.date_range("2000-01-01", periods=60, freq="MS")
    wave = np.sin(np.arange(60) * 2 * np.pi / 12)
    panel = from_pandas(pd.concat([pd.DataFrame({"id": f"s{n}", "time": t[:n], "y": 10 * i + wave[:n]})
                                   for i, n in enumerate((40, 42, 44, 52, 54, 60))]), id="id")
    model = [Forecaster("linear", horizon=2, lookback=4, params=FAST)]
    result = walk_forward(panel, model, WalkForward(horizon=2, folds=2, refit="always", cohorts=3), baselines=False)
    assert sorted(result.fits["id"].unique()) == ["*1", "*2", "*3"] and result.fits["status"].eq("ok").all()
    assert result.to_frame().groupby("id")["origin"].nunique().eq(2).all()  # every series served, once per origin


def test_a_late_starting_series_is_not_merged_into_a_cut_off_it_has_no_history_before():
    # 4 series ending a month apart and 'late' (from 2006-02, ending with the longest): with 2
    # groups, staleness measured from the panel's first row merged 'late' with 's3' (5 of its 8
    # training months left: refused); measured on its own history, it keeps a fit of its own
    t = pd.date_range("2000-01-01", periods=84, freq="MS")
    wave = np.sin(np.arange(84) * 2 * np.pi / 12)
    parts = [pd.DataFrame({"id": f"s{i}", "time": t[:n], "y": 10 * i + wave[:n]}) for i, n in enumerate((72, 75, 78, 81))]
    parts.append(pd.DataFrame({"id": "late", "time": t[73:], "y": 50 + wave[73:]}))
    model = [Forecaster("linear", horizon=2, lookback=4, params=FAST)]
    result = walk_forward(from_pandas(pd.concat(parts), id="id"), model,
                          WalkForward(horizon=2, folds=2, stride=1, refit="always", cohorts=2), baselines=False)
    assert result.fits["status"].eq("ok").all() and result.to_frame()["id"].nunique() == 5


def test_skip_short_leaves_out_short_series_with_a_warning(two_series):
    frame = pd.concat([two_series.frame, pd.DataFrame({
        "id": "tiny", "time": pd.date_range("2004-01-01", periods=5, freq="MS"), "y": 1.0, "price": 5.0})],
        ignore_index=True)
    panel = two_series.with_frame(frame)
    splitter = WalkForward(horizon=2, folds=2, refit="always")
    linear = [Forecaster("linear", horizon=2, lookback=6, params=FAST)]
    with pytest.raises(DataError, match="'tiny'.*`skip_short`"):
        walk_forward(panel, linear, splitter, baselines=False)
    with pytest.warns(UserWarning, match="Skipped 1 series.*'tiny' \\(5 rows\\)"):
        result = walk_forward(panel, linear, splitter, baselines=False, skip_short=True)
    assert sorted(result.to_frame()["id"].unique()) == ["a", "b"]


def test_a_short_series_cutting_the_default_lookback_of_every_series_is_said(two_series):
    tiny = pd.DataFrame({"id": "tiny", "time": pd.date_range("2004-01-01", periods=9, freq="MS"), "y": 1.0,
                         "price": 5.0})
    panel = two_series.with_frame(pd.concat([two_series.frame, tiny], ignore_index=True))
    linear = Forecaster("linear", horizon=2, params={"epochs": 1})
    with pytest.warns(ShortSeriesWarning, match=r"The shortest series, 'tiny' \(9 rows\), cuts the default lookback "
                                                r"of every series from 24 to 6 rows\. Set `lookback`, or set `skip_short`"
                                                r" to True to leave out the 1 series shorter than 27 rows "
                                                r"\(the lookback is then 23, set by the shortest series left\)"):
        linear.prepare_windows(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortSeriesWarning)
        Forecaster("linear", horizon=2, lookback=4).prepare_windows(panel)  # given: nothing to say
        Forecaster("linear", horizon=2).prepare_windows(two_series)


def test_evaluate_warns_when_a_short_series_cuts_the_default_lookback(two_series):
    tiny = pd.DataFrame({"id": "tiny", "time": pd.date_range("2004-01-01", periods=14, freq="MS"), "y": 1.0,
                         "price": 5.0})
    panel = two_series.with_frame(pd.concat([two_series.frame, tiny], ignore_index=True))
    splitter = WalkForward(horizon=2, folds=2, refit="always")
    with pytest.warns(ShortSeriesWarning, match=r"The shortest series, 'tiny' \(\d+ rows before its first origin\), "
                                                r"cuts the default lookback of every series: linear from 24 to \d rows"):
        walk_forward(panel, [Forecaster("linear", horizon=2, params=FAST)], splitter, baselines=False)


def test_a_skipped_series_does_not_shrink_the_stride_or_lookback_of_the_others(two_series):
    """The stride and the default lookback fit the shortest series: with ``skip_short`` that is
    the shortest series kept, so the run equals one without the short series."""
    tiny = pd.DataFrame({"id": "tiny", "time": pd.date_range("2004-01-01", periods=5, freq="MS"), "y": 1.0,
                         "price": 5.0})
    panel = two_series.with_frame(pd.concat([two_series.frame, tiny], ignore_index=True))
    splitter = WalkForward(horizon=2, folds=3, refit="always")
    models = [Forecaster("linear", horizon=2, params=FAST), "naive"]
    with pytest.warns(UserWarning, match="Skipped 1 series.*'tiny'"):
        skipped = walk_forward(panel, models, splitter, baselines=False, skip_short=True)
    alone = walk_forward(two_series, models, splitter, baselines=False)
    origins = alone.to_frame().groupby("id")["origin"].unique().iloc[0]
    assert len(origins) == 3 and origins[1] - origins[0] > pd.Timedelta(days=31)  # a stride of 2 or more
    pd.testing.assert_frame_equal(skipped.to_frame(), alone.to_frame())


# ---------------------------------------------------------------------------- CLI --
def run_cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "forecastkit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def test_cli_panel_with_covariate_roles_writes_a_long_forecast(tmp_path):
    frame = shop_frame()
    frame.to_csv(tmp_path / "shops.csv", index=False)
    panel = shop_panel(frame)
    future_of(frame, panel, 3).to_csv(tmp_path / "future.csv", index=False)
    common = ["--data", "shops.csv", "--id", "store", "--time", "week", "--target", "sales",
              "--past-covariates", "footfall", "--future-covariates", "price,promo", "--static-covariates", "kind",
              "--horizon", "3", "--lookback", "4", "--epochs", "2", "--quiet"]
    done = run_cli("forecast", *common, "--model", "linear", "--local", "--calendar", "month",
                   "--future-data", "future.csv", "--out", "f.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    forecast = pd.read_csv(tmp_path / "f.csv")
    assert list(forecast.columns) == ["id", "time", "model", "yhat"]
    assert forecast.groupby("id").size().to_dict() == {"a": 3, "b": 3, "c": 3}
    missing = run_cli("forecast", *common, "--model", "linear", cwd=tmp_path)
    assert missing.returncode == 1 and "pass `--future-data` (a CSV" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_cli_evaluate_local_panel(tmp_path):
    frame = shop_frame(n=30, stores=("a", "b"))
    frame.to_csv(tmp_path / "shops.csv", index=False)
    done = run_cli("evaluate", "--data", "shops.csv", "--id", "store", "--target", "sales",
                   "--past-covariates", "footfall", "--models", "linear", "--local", "--horizon", "2",
                   "--folds", "2", "--lookback", "4", "--epochs", "2", "--no-baselines", "--quiet",
                   "--out", "run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = pd.read_csv(tmp_path / "run" / "results.csv")
    assert sorted(results["id"].unique()) == ["a", "b"] and set(results["model"]) == {"linear"}


def test_cli_skip_short_forecasts_the_other_series_and_says_so(tmp_path):
    frame = shop_frame(n=30, stores=("a", "b"))
    tiny = frame[frame["store"] == "a"].head(5).assign(store="tiny")
    pd.concat([frame, tiny]).to_csv(tmp_path / "shops.csv", index=False)
    common = ["forecast", "--data", "shops.csv", "--id", "store", "--target", "sales", "--model", "linear", "--local",
              "--lookback", "6", "--horizon", "2", "--epochs", "1", "--out", "f.csv"]
    refused = run_cli(*common, cwd=tmp_path)
    assert refused.returncode == 1 and "'tiny' has 5 rows" in refused.stderr
    done = run_cli(*common, "--skip-short", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if line.startswith("forecastkit: warning:")]
    assert len(warning) == 1 and "Dropped 1 of 3 series" in warning[0] and "'tiny' has 5 rows" in warning[0]
    assert sorted(pd.read_csv(tmp_path / "f.csv")["id"].unique()) == ["a", "b"]


def test_the_default_batch_grows_with_the_training_windows():
    small = Forecaster("linear", horizon=2, lookback=4, params={"epochs": 1}).fit(datasets.load("airline"))
    assert small.hyper_["batch_size"] == 32
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": np.repeat([f"s{k}" for k in range(40)], 900), "time": np.tile(np.arange(900), 40),
                          "y": rng.normal(size=36_000).cumsum() + 500})
    large = Forecaster("linear", horizon=2, lookback=4, params={"epochs": 1}).fit(frame, id="id", time="time")
    assert large.hyper_["batch_size"] == 64  # about 36,000 windows: one doubling past 16,000
    fixed = Forecaster("linear", horizon=2, lookback=4, params={"epochs": 1, "batch_size": 8}).fit(frame, id="id",
                                                                                                  time="time")
    assert fixed.hyper_["batch_size"] == 8


def test_a_global_model_refused_for_series_with_other_fits_leaves_no_run_folder(tmp_path, capsys):
    from forecastkit.cli import main

    t = pd.date_range("2000-01-01", periods=60, freq="MS")
    wave = np.sin(np.arange(60) * 2 * np.pi / 12)
    pd.concat([pd.DataFrame({"id": "a", "time": t, "y": 100 + 10 * wave}),
               pd.DataFrame({"id": "b", "time": t[:48], "y": 50 + 5 * wave[:48]})]).to_csv(tmp_path / "p.csv", index=False)
    args = ["evaluate", "--data", str(tmp_path / "p.csv"), "--id", "id", "--models", "linear", "--epochs", "1",
            "--horizon", "3", "--lookback", "6", "--start", "2003-06-01", "--no-baselines", "--out", str(tmp_path / "r")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "every series needs the same fits" in err and "`--local`" in err
    assert not (tmp_path / "r").exists()  # so the advice can be followed as given
    assert main([*args, "--local", "--quiet"]) == 0


def late_panel():
    """'a' runs 2000-01..2004-12, 'b' ends a year early and 'c' starts in 2002-07 (30 rows)."""
    t = pd.date_range("2000-01-01", periods=60, freq="MS")
    wave = np.sin(np.arange(60) * 2 * np.pi / 12)
    return from_pandas(pd.concat([pd.DataFrame({"id": "a", "time": t, "y": 100 + 10 * wave}),
                                  pd.DataFrame({"id": "b", "time": t[:48], "y": 50 + 5 * wave[:48]}),
                                  pd.DataFrame({"id": "c", "time": t[30:], "y": 80 + wave[30:]})]), id="id")


def test_a_global_fit_cut_off_before_a_late_series_has_rows_is_refused_before_any_fit(tmp_path, capsys):
    # each series is long enough for its own origins, but with one fit per fold (cohorts=1)
    # every global fit trains before b's earlier cut-off, where c has 0-9 rows: once a bare
    # KeyError or "too short" inside each fit
    splitter = WalkForward(horizon=3, folds=6, stride=3, refit="always", cohorts=1)
    linear = [Forecaster("linear", horizon=3, lookback=6, params=FAST)]
    with pytest.raises(DataError, match=r"Model 'linear' is global.*Fit 0 is cut off at 2002-07-01 \(where the "
                                        r"training of series 'b' ends\), and series 'c' \(30 rows\) has 0 rows.*"
                                        r"`mode='local'`.*`skip_short`"):
        walk_forward(late_panel(), linear, splitter, baselines=False)
    with pytest.warns(UserWarning, match=r"Skipped 1 series.*'c' \(30 rows\)"):
        result = walk_forward(late_panel(), linear, splitter, baselines=False, skip_short=True)
    assert sorted(result.to_frame()["id"].unique()) == ["a", "b"] and result.fits["status"].eq("ok").all()
    local = walk_forward(late_panel(), [Forecaster("linear", horizon=3, lookback=6, params=FAST, mode="local")],
                         splitter, baselines=False)
    assert sorted(local.to_frame()["id"].unique()) == ["a", "b", "c"] and local.fits["status"].eq("ok").all()
    # by default a and c (ending together) have fits of their own, cut where c has rows enough
    cohorts = walk_forward(late_panel(), linear, dataclasses.replace(splitter, cohorts=4), baselines=False)
    assert sorted(cohorts.to_frame()["id"].unique()) == ["a", "b", "c"] and cohorts.fits["status"].eq("ok").all()

    from forecastkit.cli import main

    late_panel().frame.to_csv(tmp_path / "late.csv", index=False)
    args = ["evaluate", "--data", str(tmp_path / "late.csv"), "--id", "id", "--models", "linear", "--epochs", "1",
            "--horizon", "3", "--folds", "6", "--stride", "3", "--lookback", "6", "--no-baselines",
            "--cohorts", "1", "--out", str(tmp_path / "r")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "(`--local`)" in err and "`--skip-short`" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()
    at = args.index("--cohorts")
    default = args[:at] + args[at + 2:]  # the default: one fit per group
    assert main(default) == 0
    assert "global models fit once per group of series ending at the same time: 2 groups (--cohorts)" in \
        capsys.readouterr().err
