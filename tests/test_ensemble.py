"""Ensembles and bagging (forecastkit.ensemble): medians, seeds, lookbacks, save/load,
walk-forward without leakage, the command line and bad input."""

import dataclasses
import json
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
from forecastkit.config import merge_settings, model_params, read_config
from forecastkit.ensemble import (
    DEFAULT_MEMBERS,
    bag_lookbacks,
    check_members,
    is_composite,
    kind_of,
    member_seed,
)
from forecastkit.errors import ConfigError, ConfigTypeError, DataError, ModelFileError
from forecastkit.evaluation import WalkForward, walk_forward

ROOT = Path(__file__).resolve().parents[1]
NO_TF = "import sys; from forecastkit.cli import main; rc = main(sys.argv[1:]); " \
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules or 'keras' in sys.modules else 'NO-TF'); sys.exit(rc)"
#: Tiny, fixed settings: no automatic preprocessing (so members differ only by model and seed).
TINY = dict(horizon=3, lookback=12, preprocess="none")


def yhat(forecaster, **kwargs) -> np.ndarray:
    return forecaster.predict(**kwargs)["yhat"].to_numpy()


def test_median_equals_the_members_fitted_by_hand_with_their_seeds(airline):
    params = {**FAST, "mlp": {"units": 8}}
    ensemble = Forecaster("ensemble", members="linear,mlp,seasonal_naive", params=params, seed=5, **TINY)
    ensemble.fit(airline)
    assert [m.model for m in ensemble.members_] == ["linear", "mlp", "seasonal_naive"]
    assert [m.seed for m in ensemble.members_] == [member_seed(5, n) for n in ("linear", "mlp", "seasonal_naive")]
    by_hand = [Forecaster("linear", params=FAST, seed=member_seed(5, "linear"), **TINY),
               Forecaster("mlp", params={**FAST, "units": 8}, seed=member_seed(5, "mlp"), **TINY),
               Forecaster("seasonal_naive", horizon=3)]
    forecasts = np.array([yhat(f.fit(airline)) for f in by_hand])
    chosen = [i for i, f in enumerate(by_hand) if f.model in ensemble.weights_]  # chosen on held-out origins
    np.testing.assert_allclose(yhat(ensemble), np.median(forecasts[chosen], axis=0), rtol=1e-6)
    assert not np.allclose(forecasts[0], forecasts[1])  # the members really differ
    frame = ensemble.predict()
    assert list(frame.columns) == ["id", "time", "model", "yhat"] and (frame["model"] == "ensemble").all()


def test_default_members_are_neural_and_documented():
    assert DEFAULT_MEMBERS == ("linear", "mlp", "vanilla")
    assert kind_of(Forecaster("ensemble")) == "neural"
    assert kind_of(Forecaster("ensemble", members="naive,theta")) == "baseline"
    hyper = Forecaster("ensemble", params={"epochs": 3}).check_params()
    assert list(hyper) == list(DEFAULT_MEMBERS) and all(h["epochs"] == 3 for h in hyper.values())


def test_bag_copies_seeds_lookbacks_and_median(airline):
    bag = Forecaster("linear", horizon=3, params=FAST, seed=2, preprocess="none", bag=4).fit(airline)
    assert bag.lookback_ == 24  # the default lookback, 2 x season
    assert [m.lookback_ for m in bag.members_] == [24, 36, 48, 24] == bag_lookbacks(24, 4, cap=71)
    assert [m.seed for m in bag.members_] == [2, member_seed(2, "bag1"), member_seed(2, "bag2"), member_seed(2, "bag3")]
    single = Forecaster("linear", horizon=3, params=FAST, seed=2, preprocess="none").fit(airline)
    np.testing.assert_allclose(yhat(bag.members_[0]), yhat(single), rtol=1e-6)  # copy 0 is the single model
    each = np.array([yhat(m) for m in bag.members_])
    np.testing.assert_allclose(yhat(bag), np.median(each, axis=0), rtol=1e-6)
    assert not is_composite(Forecaster("linear", bag=1)) and is_composite(Forecaster("linear", bag=2))


def test_bag_lookbacks_are_capped_by_the_data(airline):
    short = airline.with_frame(airline.frame.iloc[:60].reset_index(drop=True))
    bag = Forecaster("linear", horizon=3, params=FAST, preprocess="none", bag=3).fit(short)
    assert [m.lookback_ for m in bag.members_] == [24, 29, 29]  # half of the 58 rows windows can use


def test_save_and_load_give_the_same_forecasts_and_intervals(airline, tmp_path):
    ensemble = Forecaster("ensemble", members="linear,naive", bag=2, params=FAST, seed=1, **TINY).fit(airline)
    before = ensemble.predict(level=(80,))
    assert (before["yhat_lo_80"] < before["yhat"]).all() and (before["yhat"] < before["yhat_hi_80"]).all()
    ensemble.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m" / "members").iterdir()) == ["0-linear", "1-naive"]
    assert (tmp_path / "m" / "members" / "0-linear" / "members" / "1-linear" / "model.keras").is_file()
    again = Forecaster.load(tmp_path / "m")
    assert again.get_params() == ensemble.get_params()
    pd.testing.assert_frame_equal(again.predict(level=(80,)), before)
    later = airline.with_frame(airline.frame.iloc[:130])
    pd.testing.assert_frame_equal(again.predict(later), ensemble.predict(later))


def test_members_are_chosen_on_the_fits_held_out_origins(tmp_path):
    t = np.arange(240)
    seasonal = pd.DataFrame({"time": pd.date_range("2000-01", periods=240, freq="MS"),
                             "y": 100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.1, 240)})
    f = Forecaster("ensemble", members="naive,seasonal_naive,naive2", horizon=12).fit(seasonal)
    assert f.weights_ == {"seasonal_naive": 0.5, "naive2": 0.5}  # naive, far worse on a season, is dropped
    assert f.preprocess_ == "median of seasonal_naive, naive2"
    kept = [Forecaster(name, horizon=12).fit(seasonal) for name in ("seasonal_naive", "naive2")]
    np.testing.assert_allclose(yhat(f), np.median([yhat(each) for each in kept], axis=0))
    f.save(tmp_path / "m")
    again = Forecaster.load(tmp_path / "m")
    assert again.weights_ == f.weights_
    pd.testing.assert_frame_equal(again.predict(level=(80,)), f.predict(level=(80,)))
    close = Forecaster("ensemble", members="naive,naive2", horizon=1).fit(seasonal.assign(y=np.arange(240.0)))
    assert close.weights_ == {"naive": 0.5, "naive2": 0.5}  # no member clearly better: every member


def test_a_tampered_ensemble_file_is_refused(airline, tmp_path):
    Forecaster("ensemble", members="naive,seasonal_naive", horizon=2).fit(airline).save(tmp_path / "m")
    meta_file = tmp_path / "m" / "metadata.json"
    meta = json.loads(meta_file.read_text())
    meta["members"] = ["../../elsewhere", "members/1-seasonal_naive"]
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="malformed.*members/<i>-<model>"):
        Forecaster.load(tmp_path / "m")
    meta["members"] = ["members/1-seasonal_naive", "members/0-naive"]
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="holds a 'seasonal_naive' model.*expects 'naive'"):
        Forecaster.load(tmp_path / "m")


def test_intervals_are_calibrated_per_series_in_local_mode(two_series):
    f = Forecaster("ensemble", members="linear,seasonal_naive", horizon=2, lookback=6, mode="local",
                   params={**FAST, "validation": 0.5}, preprocess="none").fit(two_series)
    forecast = f.predict(level=(80,))
    assert set(f.calibration_) == {"a", "b"} and len(forecast) == 4
    assert (forecast["yhat_hi_80"] > forecast["yhat_lo_80"]).all()
    with pytest.raises(ConfigError, match="99% intervals.*need at least 99"):
        f.predict(level=(99,))
    with pytest.raises(ConfigError, match="99% intervals"):
        Forecaster("ensemble", members="linear,naive", horizon=2).check_levels_before_fit(two_series, (99,))


def test_refused_before_training():
    cases = [
        (dict(model="ensemble", members="linear,prophet"), "lists 'prophet', which is not a model"),
        (dict(model="ensemble", members="mlp,ensemble"), "may not include an ensemble"),
        (dict(model="ensemble", members="mlp,mlp"), "lists 'mlp' twice; for several copies of one network use `bag`"),
        (dict(model="ensemble", members=""), "must name at least one model"),
        (dict(model="mlp", members="linear,mlp"), "`members` lists the members of model 'ensemble'"),
        (dict(model="mlp", bag=0), "`bag` must be >= 1"),
        (dict(model="mlp", bag=True), "Received: bag=True"),
        (dict(model="naive", bag=3), "'naive' is a baseline"),
        (dict(model="ensemble", quantiles="0.1,0.9"), "`quantiles` train one network's quantile head"),
        (dict(model="vanilla", bag=2, warm_start=True), "`warm_start` continues one network's weights"),
        (dict(model="ensemble", members="linear,naive", params={"unit": 8}), "none of its members (linear, naive)"),
        (dict(model="ensemble", members="linear", params={"mlp": {"units": 8}}), "'mlp', which is not a member"),
        (dict(model="ensemble", members="linear", params={"linear": {"units": 8}}), "Unknown hyperparameter 'units'"),
    ]
    for kwargs, message in cases:
        with pytest.raises((ConfigError, ConfigTypeError)) as info:  # a non-integer bag: ConfigTypeError
            Forecaster(**kwargs).check_params()
        assert message in str(info.value), (kwargs, str(info.value))


def test_sampled_paths_are_refused(airline):
    f = Forecaster("ensemble", members="naive,seasonal_naive", horizon=2).fit(airline)
    with pytest.raises(ConfigError, match="`samples` draws.*median of several models"):
        f.predict(samples=10)
    with pytest.raises(ConfigError, match="`samples` draws.*median of several models"):
        f.sample_paths(samples=10)


def test_walk_forward_trains_members_per_fit_without_leakage(airline):
    y = airline.frame["y"].to_numpy(float)
    models = {"ens": Forecaster("ensemble", members="linear,seasonal_naive", params=FAST, **TINY),
              "bagged": Forecaster("linear", bag=2, params=FAST, **TINY)}
    splitter = WalkForward(horizon=3, folds=4, stride=2, refit="every:2")
    with _no_grouped_warning():
        clean = walk_forward(airline, models, splitter, baselines=False)
    assert clean.failed.empty and set(clean.results["model"]) == {"ens", "bagged"}
    assert clean.fits.groupby("model")["fit"].nunique().to_dict() == {"bagged": 2, "ens": 2}
    origins = splitter.origins(len(y))
    frame = clean.to_frame()
    for cut in (origins[0], origins[2]):
        poisoned = airline.frame.copy()
        poisoned.loc[cut:, "y"] = 1e6
        dirty = walk_forward(airline.with_frame(poisoned), models, splitter, baselines=False).to_frame()
        known = frame["origin"] <= airline.frame["time"].iloc[cut]
        assert known.sum() > 0
        pd.testing.assert_series_equal(frame.loc[known, "y_pred"], dirty.loc[known, "y_pred"])
        assert not np.allclose(frame.loc[~known, "y_pred"], dirty.loc[~known, "y_pred"])


class _no_grouped_warning:
    """Ensembles and bags take the sequential path without a fallback warning."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.records = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        assert not [r for r in self.records if "sequential walk-forward path" in str(r.message)]
        return False


def test_config_file_members_bag_and_member_tables(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('model = "ensemble"\nmembers = ["linear", "mlp"]\nbag = 2\nepochs = 3\n'
                    "[models.ensemble]\npatience = 2\n[models.ensemble.linear]\nl2 = 0.01\n"
                    "[models.mlp]\nunits = 16\n")
    settings = merge_settings(read_config(path), flags={"epochs": 4})
    params = model_params(settings)
    assert params == {"patience": 2, "linear": {"l2": 0.01}, "epochs": 4, "mlp": {"units": 16}}
    f = Forecaster("ensemble", members=settings.members, bag=settings.bag, params=params)
    hyper = f.check_params()
    assert hyper["linear"]["l2"] == 0.01 and hyper["mlp"]["units"] == 16 and hyper["mlp"]["epochs"] == 4
    assert hyper["linear"]["patience"] == hyper["mlp"]["patience"] == 2
    with pytest.raises(ConfigError, match="`--cell` applies to none of the ensemble's members"):
        model_params(dataclasses.replace(settings, cell="gru"))


def test_cli_forecast_and_evaluate_with_members_and_bag(tmp_path, monkeypatch):
    from forecastkit.cli import main

    monkeypatch.chdir(tmp_path)
    quick = ["--epochs", "1", "--batch-size", "16", "--horizon", "3", "--lookback", "12", "--preprocess", "none",
             "--quiet"]
    assert main(["forecast", "--model", "ensemble", "--members", "linear,naive", "--bag", "2", "--level", "80",
                 "--out", "f.csv", "--save-model", "m", *quick]) == 0
    forecast = pd.read_csv("f.csv")
    assert len(forecast) == 3 and (forecast["model"] == "ensemble").all() and "yhat_lo_80" in forecast
    assert np.allclose(Forecaster.load("m").predict()["yhat"], forecast["yhat"])
    assert main(["evaluate", "--models", "ensemble,linear", "--members", "linear,seasonal_naive", "--bag", "2",
                 "--folds", "2", "--refit", "never", "--no-baselines", "--out", "run", *quick]) == 0
    results = pd.read_csv("run/results.csv")
    assert set(results["model"]) == {"ensemble", "linear"} and results["y_pred"].notna().all()
    run = json.loads(Path("run/run.json").read_text())
    assert run["models"]["ensemble"]["params"] == {"epochs": 1, "batch_size": 16}
    assert main(["forecast", "--from-run", "run", "--model", "ensemble", "--out", "g.csv", "--quiet"]) == 0
    assert (pd.read_csv("g.csv")["model"] == "ensemble").all()


def run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", NO_TF, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["forecast", "--model", "ensemble", "--members", "linear,foo"], "lists 'foo', which is not a model"),
    (["forecast", "--model", "vanilla", "--bag", "0"], "`--bag` must be >= 1"),
    (["forecast", "--model", "ensemble", "--members", "ensemble,mlp"], "may not include an ensemble"),
    (["forecast", "--model", "mlp", "--members", "linear,mlp"], "lists the members of model 'ensemble'"),
    (["forecast", "--model", "ensemble", "--samples", "50"], "`--samples` draws future paths"),
    (["forecast", "--model", "ensemble", "--cell", "gru", "--members", "linear,mlp"],
     "`--cell` applies to none of the ensemble's members (linear, mlp)"),
    (["evaluate", "--models", "linear,naive", "--members", "linear,mlp"], "`--members` applies to none of the models"),
    (["evaluate", "--models", "naive,ets", "--bag", "3"], "`--bag` applies to none of the models evaluated"),
])
def test_cli_bad_input_is_one_line_before_tensorflow(args, message, tmp_path):
    result = run(*args, "--out", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip().endswith("NO-TF")


def test_a_bags_and_an_ensembles_forecast_say_how_their_intervals_were_made(airline):
    quick = {"epochs": 2, "batch_size": 32}
    for forecaster in (Forecaster("linear", horizon=3, bag=2, params=quick),
                       Forecaster("ensemble", horizon=3, members="linear,naive", params={"linear": quick})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = forecaster.fit(airline).predict(level=(80,))
        assert frame.attrs["intervals"].startswith("split-conformal on the "), forecaster
        assert "intervals" not in forecaster.predict().attrs


def test_an_empty_member_name_and_a_bag_of_baselines_are_refused():
    with pytest.raises(ConfigError, match="has an empty name"):
        check_members("linear,,mlp")
    with pytest.raises(ConfigError, match="are all baselines. Use bag=1"):
        Forecaster("ensemble", members="naive,theta", bag=2).check_params()
    Forecaster("ensemble", members="naive,linear", bag=2).check_params()  # a neural member to bag


@pytest.mark.parametrize("settings", [{"model": "ensemble", "members": "linear,mlp"}, {"model": "mlp", "bag": 3}])
def test_a_member_too_short_for_its_windows_is_refused_before_any_member_trains(monkeypatch, settings):
    # an ensemble used to train its first members before the last one found the series too short
    from forecastkit.forecaster.engines import DirectEngine

    def no_training(*args, **kwargs):
        raise AssertionError("trained before the windows were checked")

    monkeypatch.setattr(DirectEngine, "fit", no_training)
    forecaster = Forecaster(horizon=12, lookback=140, **settings)
    with pytest.raises(DataError, match="Series too short .* needs at least"):
        forecaster.check_windows(datasets.load("airline"))
    assert not hasattr(forecaster, "lookback_")  # the check leaves the forecaster as it was
    with pytest.raises(DataError, match="Series too short .* needs at least"):
        forecaster.fit(datasets.load("airline"))


def test_a_top_level_hyperparameter_applies_over_the_tables_for_members_as_for_single_models(tmp_path):
    # a single model's table gave way to the top-level key, an ensemble member's table did not
    path = tmp_path / "run.toml"
    path.write_text('epochs = 2\n[models.linear]\nepochs = 1\n[models.mlp]\nepochs = 1\nunits = 4\n')
    single = model_params(merge_settings(read_config(path), flags={"model": "mlp"}))
    assert single["epochs"] == 2 and single["units"] == 4
    ensemble = Forecaster("ensemble", members="linear,mlp",
                          params=model_params(merge_settings(read_config(path),
                                                             flags={"model": "ensemble", "members": "linear,mlp"})))
    hyper = ensemble.check_params()
    assert hyper["mlp"]["epochs"] == hyper["linear"]["epochs"] == 2 and hyper["mlp"]["units"] == 4


def test_an_ensemble_that_keeps_one_member_says_so():
    t = np.arange(240)
    seasonal = pd.DataFrame({"time": pd.date_range("2000-01", periods=240, freq="MS"),
                             "y": 100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.1, 240)})
    f = Forecaster("ensemble", members="naive,seasonal_naive", horizon=12).fit(seasonal)  # naive: far off
    assert f.weights_ == {"seasonal_naive": 1.0} and f.preprocess_ == "seasonal_naive alone"
