"""Forecaster: sklearn contract, every model end to end, save/load, seeds, new history."""

import json
import shutil
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import FAST
from sklearn.base import clone

from forecastkit import datasets
from forecastkit.errors import (
    ConfigError,
    ConfigTypeError,
    DataError,
    ModelFileError,
    ModelVersionWarning,
    NotFittedError,
    ShortSeriesWarning,
    TrainingError,
)
from forecastkit.forecaster import Forecaster
from forecastkit.models.registry import model_names


def test_init_stores_parameters_only_and_clone_works():
    params = {"units": 4}
    f = Forecaster("vanilla", horizon=3, params=params, seed=7)
    assert f.params is params
    assert not [name for name in vars(f) if name.endswith("_")]
    g = clone(f)
    assert g.get_params() == f.get_params() and g is not f
    assert f.set_params(horizon=5) is f and f.horizon == 5


def test_predict_and_save_before_fit_are_clear_errors(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted yet.*fit\\(data\\)"):
        Forecaster().predict()
    with pytest.raises(NotFittedError):
        Forecaster().save(tmp_path)


@pytest.mark.parametrize("model", model_names())
def test_every_model_fits_forecasts_and_round_trips(model, airline, tmp_path):
    params = FAST if model not in model_names("baseline") else None  # an ensemble passes FAST to its members
    f = Forecaster(model, horizon=4, lookback=12, params=params, seed=1)
    assert f.fit(airline) is f
    forecast = f.predict()
    assert list(forecast.columns) == ["id", "time", "model", "yhat"]
    assert len(forecast) == 4 and np.isfinite(forecast["yhat"]).all()
    assert (forecast["model"] == model).all()
    expected = pd.date_range("1961-01-01", periods=4, freq="MS")
    assert list(forecast["time"]) == list(expected)
    f.save(tmp_path / model)
    again = Forecaster.load(tmp_path / model)
    pd.testing.assert_frame_equal(again.predict(), forecast)
    assert again.get_params() == f.get_params()
    meta = json.loads((tmp_path / model / "metadata.json").read_text())
    assert meta["lookback"] == 12 and meta["versions"]["forecastkit"]
    assert (tmp_path / model / "model.keras").exists() == (model in model_names("neural"))


def test_same_seed_same_forecast_different_seed_differs(airline):
    def run(seed):
        return Forecaster("mlp", horizon=3, lookback=12, params={**FAST, "units": 8}, seed=seed).fit(airline).predict()

    pd.testing.assert_frame_equal(run(3), run(3))
    assert not np.allclose(run(3)["yhat"], run(4)["yhat"])


def test_baseline_values_on_airline(airline):
    assert Forecaster("naive", horizon=2).fit(airline).predict()["yhat"].tolist() == [432.0, 432.0]
    snaive = Forecaster("seasonal_naive", horizon=13).fit(airline).predict()["yhat"]
    assert snaive.iloc[0] == 417.0 and snaive.iloc[12] == 417.0
    assert Forecaster("seasonal_naive", horizon=2, season=1).fit(airline).predict()["yhat"].tolist() == [432.0, 432.0]


def test_predict_from_new_history_uses_the_fitted_transforms(airline):
    frame = airline.frame
    train = frame.iloc[:120]
    f = Forecaster("linear", horizon=2, lookback=12, params=FAST).fit(train.drop(columns="id"),
                                                                      time="time", target="y")
    assert f.transforms_
    scale_before = dict(next(iter(f.transforms_.values())).params)
    later = f.predict(frame.drop(columns="id"), time="time", target="y")
    assert later["time"].iloc[0] == pd.Timestamp("1961-01-01")
    assert next(iter(f.transforms_.values())).params == scale_before
    # the training tail forecast starts right after the training data
    assert f.predict()["time"].iloc[0] == pd.Timestamp("1959-01-01")


def test_scalers_are_fit_on_training_data_only(airline):
    y = airline.frame["y"].to_numpy()
    f = Forecaster("linear", horizon=1, lookback=6, params=FAST, preprocess="none").fit(airline.frame.iloc[:50].drop(columns="id"),
                                                                     time="time", target="y")
    params = next(iter(f.transforms_.values())).params
    assert params["mean"] == pytest.approx(y[:50].mean())
    assert params["scale"] == pytest.approx(y[:50].std())


def test_panel_with_covariates_forecasts_every_series(two_series):
    f = Forecaster("vanilla", horizon=3, lookback=6, params={**FAST, "units": 4}).fit(two_series)
    forecast = f.predict()
    assert forecast["id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert forecast.loc[forecast["id"] == "b", "time"].iloc[0] == pd.Timestamp("2005-06-01")
    assert set(f.transforms_) == {"a", "b"}


@pytest.mark.parametrize("options", [
    {"scaler": "minmax"}, {"transform": "log"}, {"transform": "boxcox", "difference": True},
    {"scaler": "window_last"}, {"scaler": "window_mean"}, {"scaler": "window_steps"},
    {"scaler": "none", "difference": True},
])
def test_transform_options_forecast_plausible_values(options, airline):
    params = {"epochs": 40, "learning_rate": 0.05, "patience": 40, "batch_size": 64}
    forecast = Forecaster("linear", horizon=3, lookback=12, params=params, **options).fit(airline).predict()
    assert np.isfinite(forecast["yhat"]).all()
    assert forecast["yhat"].between(100, 1500).all()


def test_constant_series_forecasts_the_constant():
    series = pd.Series(5.0, index=pd.date_range("2020-01-01", periods=40, freq="D"), name="y")
    for model in ("linear", "naive2"):
        lookback = 7 if model == "linear" else None
        forecast = Forecaster(model, horizon=3, lookback=lookback, params=FAST if model == "linear" else None).fit(series).predict()
        np.testing.assert_allclose(forecast["yhat"], 5.0, atol=1e-3)


def test_too_short_series_is_named(two_series):
    """A model fit per series (a global one pads it instead: test_padding)."""
    with pytest.raises(DataError, match="'b'.*48.*lookback 40 \\+ horizon 12"):
        Forecaster("linear", horizon=12, lookback=40, mode="local", params=FAST).fit(two_series)


def test_unknown_series_in_new_history(two_series):
    f = Forecaster("linear", horizon=2, lookback=6, params=FAST).fit(two_series)
    frame = two_series.frame.replace({"id": {"b": "c"}})
    with pytest.raises(DataError, match="Series 'c' was not in the training data"):
        f.predict(frame, id="id", time="time", target="y", past_covariates=("price",))
    with pytest.raises(DataError, match="covariates"):
        f.predict(two_series.frame.drop(columns="price"), id="id", time="time", target="y")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"model": "prophet"}, ConfigError, "Unknown model 'prophet'. Available models: linear"),
    ({"horizon": 0}, ConfigError, "`horizon` must be >= 1. Received: horizon=0"),
    ({"lookback": 2.5}, ConfigTypeError, "`lookback` must be an integer"),
    ({"params": {"units": "many"}, "model": "vanilla"}, ConfigTypeError, "`units` of model 'vanilla'"),
    ({"params": {"unitz": 3}, "model": "vanilla"}, ConfigError, "Unknown hyperparameter 'unitz'"),
    ({"season": 0}, ConfigError, "`season` must be >= 1. Received: season=0"),
    ({"scaler": "robust"}, ConfigError, "`scaler` must be one of"),
])
def test_bad_parameters_fail_before_training(kwargs, error, message, airline):
    with pytest.raises(error, match=message.replace("(", "\\(").replace(")", "\\)")):
        Forecaster(**kwargs).fit(airline)


def test_load_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="metadata.json is missing"):
        Forecaster.load(tmp_path)


# ----------------------------------------------------------------------- safe model files --
@pytest.fixture(scope="module")
def saved_vanilla(airline, tmp_path_factory):
    """A small saved LSTM (its weights do not depend on the window length) and its forecast."""
    path = tmp_path_factory.mktemp("saved") / "vanilla"
    f = Forecaster("vanilla", horizon=4, lookback=12, params={**FAST, "units": 4}).fit(airline)
    f.save(path)
    return path, f.predict()


def edit_metadata(path, change):
    meta = json.loads((path / "metadata.json").read_text())
    change(meta)
    (path / "metadata.json").write_text(json.dumps(meta))


def edit_keras_config(path, change):
    """Rewrite config.json inside model.keras (a zip) with ``change(text) -> text``."""
    with zipfile.ZipFile(path / "model.keras") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["config.json"] = change(members["config.json"].decode()).encode()
    with zipfile.ZipFile(path / "model.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def lambda_model(path):
    from forecastkit.models.keras_common import import_keras

    keras = import_keras()
    window = keras.Input((12, 1))
    doubled = keras.layers.Lambda(lambda x: x * 2)(window)  # arbitrary code in the file
    keras.Model(window, keras.layers.Dense(4)(keras.layers.Flatten()(doubled))).save(path / "model.keras")


def set_version(version):
    return lambda meta: meta["versions"].update(forecastkit=version)


@pytest.mark.parametrize("tamper, message", [
    (lambda p: (p / "metadata.json").unlink(), "metadata.json is missing"),
    (lambda p: (p / "metadata.json").write_text('{"format": 1, "params": '), "is not valid JSON .* at line 1"),
    (lambda p: (p / "metadata.json").write_bytes(b"\xff\xfe{}"), "is not UTF-8 text"),
    (lambda p: (p / "metadata.json").write_text("[1, 2]"), "must hold a JSON object"),
    (lambda p: edit_metadata(p, lambda m: m.pop("transforms")), "has no 'transforms' key"),
    (lambda p: edit_metadata(p, lambda m: m.update(lookback="12")),
     "`lookback` in .* must be int. Received: lookback='12'"),
    (lambda p: edit_metadata(p, lambda m: m["transforms"]["passengers"].pop("params")),
     "is malformed \\(missing key 'params'\\)"),
    (lambda p: edit_metadata(p, lambda m: m["params"].update(units=4)), "is malformed .*unexpected keyword"),
    (lambda p: edit_metadata(p, lambda m: m.pop("versions")), "does not say which forecastkit version"),
    (lambda p: edit_metadata(p, set_version("1.0.0")), "written by forecastkit 1.0.0, a different major version"),
    (lambda p: edit_metadata(p, lambda m: m["params"].update(horizon=5)), "to \\(4,\\) forecasts.*horizon 5"),
    (lambda p: edit_keras_config(p, lambda c: c.replace("[null, 12, 1]", "[null, 6, 1]")),
     "maps windows of shape \\(6, 1\\).*windows of 12 rows with 1 feature"),
    (lambda p: (p / "model.keras").write_bytes(b"not a zip archive"), "model.keras is not a Keras .keras archive"),
    (lambda p: edit_keras_config(p, lambda c: c.replace('"LSTM"', '"Transformer"')), "cannot be loaded safely"),
    (lambda p: (p / "model.keras").unlink(), "model.keras is missing"),
    (lambda_model, "contains a Lambda layer, which runs arbitrary Python code"),
])
def test_unsafe_or_tampered_model_files_are_refused(saved_vanilla, tamper, message, tmp_path):
    path = tmp_path / "model"
    shutil.copytree(saved_vanilla[0], path)
    tamper(path)
    with pytest.raises(ModelFileError, match=message) as caught:
        Forecaster.load(path)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, DataError)


def test_another_minor_version_warns_but_loads(saved_vanilla, tmp_path):
    path = tmp_path / "model"
    shutil.copytree(saved_vanilla[0], path)
    edit_metadata(path, set_version("0.99.0"))
    with pytest.warns(ModelVersionWarning, match="written by forecastkit 0.99.0; this is forecastkit 0.1"):
        loaded = Forecaster.load(path)
    pd.testing.assert_frame_equal(loaded.predict(), saved_vanilla[1])


# ------------------------------------------------------------------- training settings (issue 14) --
@pytest.mark.parametrize("loss", ["mae", "huber"])
def test_the_training_loss_trains_is_watched_by_early_stopping_and_saved(loss, airline, tmp_path, monkeypatch):
    from forecastkit.grouped import trainer

    trained, watched = [], []
    step, held_out = trainer.step_function, trainer._held_out_loss
    monkeypatch.setattr(trainer, "step_function", lambda arch, batch, name: trained.append(name) or step(arch, batch, name))
    monkeypatch.setattr(trainer, "_held_out_loss", lambda *args: watched.append(args[-1]) or held_out(*args))
    f = Forecaster("linear", horizon=3, lookback=12, params={**FAST, "loss": loss}).fit(airline)
    assert set(trained) == {loss} and set(watched) == {loss} and f.hyper_["loss"] == loss
    loaded = Forecaster.load(f.save(tmp_path / "model"))
    assert loaded.hyper_["loss"] == loss
    pd.testing.assert_frame_equal(loaded.predict(), f.predict(), check_exact=True)


@pytest.mark.parametrize("loss", ["mae", "huber"])
def test_a_keras_trained_model_compiles_the_loss_and_early_stopping_watches_it(loss, airline, monkeypatch):
    from forecastkit import training

    watched, real = [], training.validation_loss
    monkeypatch.setattr(training, "validation_loss", lambda *a, **k: watched.append(k["loss"]) or real(*a, **k))
    f = Forecaster("linear", horizon=3, lookback=12, params={**FAST, "loss": loss}, id_embedding=2).fit(airline)
    compiled = f.model_.loss  # series embeddings train as a Keras model
    assert (compiled if isinstance(compiled, str) else type(compiled).__name__.lower()) == loss
    assert watched == [loss]


def test_steps_per_epoch_bounds_the_optimiser_steps_and_the_held_out_windows_are_capped(airline, monkeypatch):
    from forecastkit import training
    from forecastkit.grouped import trainer

    def steps(**params):  # a fit's optimiser steps, on whichever trainer fit chose
        settings = {"epochs": 3, "batch_size": 8, "patience": 5, "validation": 0.5, **params}
        before = trainer.STATS["steps"]
        f = Forecaster("linear", horizon=3, lookback=12, params=settings).fit(airline)
        grouped = type(f.engine_.models["*"]).__name__ == "SlotModel"
        return trainer.STATS["steps"] - before if grouped else int(f.model_.optimizer.iterations)

    assert steps(steps_per_epoch=2) == 3 * 2
    every = steps(steps_per_epoch=0)
    assert every > 3 * 2 and every % 3 == 0 and steps(steps_per_epoch=100) == every  # a budget above the windows
    held, split = [], training.split_windows
    monkeypatch.setattr(training, "split_windows", lambda *a: (lambda parts: held.append(parts[1]) or parts)(split(*a)))
    monkeypatch.setattr(training, "VALIDATION_CAP", 4)
    steps()
    assert len(held[0]) == 4 and held[0].tolist() == sorted(set(held[0].tolist()))


def test_the_default_lookback_follows_each_models_registered_multiple(airline):
    from forecastkit.models.registry import get_spec

    # airline: season 12 > horizon 3, so the default is lookback_multiple x 12 rows
    for model, params in (("linear", {}), ("vanilla", {"units": 2})):
        f = Forecaster(model, horizon=3, params={"epochs": 1, **params}).fit(airline)
        assert f.lookback_ == 12 * get_spec(model).lookback_multiple
    assert [get_spec(m).lookback_multiple for m in ("linear", "mlp", "vanilla", "cnn_lstm")] == [2, 1, 1, 2]


# ----------------------------------------------- defaults, names and checks before fit --
def test_python_defaults_equal_the_command_lines():
    from forecastkit.settings import DEFAULTS

    params = Forecaster().get_params()
    shared = {name: value for name, value in params.items() if hasattr(DEFAULTS, name) and name != "model"}
    assert shared == {name: getattr(DEFAULTS, name) for name in shared}
    assert {"horizon", "lookback", "level", "strategy", "bag", "seed"} <= set(shared)


def test_horizon_none_forecasts_one_season(airline):
    f = Forecaster("naive").fit(airline)
    assert f.horizon is None and f.horizon_ == 12 and len(f.predict()) == 12


def test_level_is_checked_in_fit_before_any_training(airline, monkeypatch):
    import forecastkit.training

    def never(*args, **kwargs):
        raise AssertionError("Keras training ran")

    monkeypatch.setattr(forecastkit.training, "train", never)
    f = Forecaster("linear", horizon=3, lookback=12, level=(80, 95), params={**FAST, "validation": 0.05})
    with pytest.raises(ConfigError, match="`validation`") as info:
        f.fit(airline)
    assert "--" not in str(info.value) and "95% intervals" in str(info.value)
    assert not hasattr(f, "engine_")


def test_predict_level_defaults_to_the_constructors(airline):
    f = Forecaster("naive", horizon=2, level=80).fit(airline)
    assert {"yhat_lo_80", "yhat_hi_80"} <= set(f.predict().columns)
    assert "yhat_lo_95" in f.predict(level=95).columns and "yhat_lo_80" not in f.predict(level=95).columns


def test_few_training_windows_warn_once_quoting_resolved_values(airline):
    from forecastkit.errors import FewWindowsWarning

    with pytest.warns(FewWindowsWarning) as caught:
        Forecaster("linear", horizon=100, params=FAST).fit(airline)
    few = [w for w in caught if issubclass(w.category, FewWindowsWarning)]
    message = str(few[0].message)
    assert len(few) == 1 and "\n" not in message
    assert "lookback 22 (resolved from horizon 100 and 144 rows)" in message and "`horizon`" in message


def test_too_short_for_the_horizon_quotes_the_resolved_lookback_as_resolved(airline):
    with pytest.raises(DataError, match="lookback 1 \\(resolved from horizon 200 and 144 rows\\) \\+ horizon 200"):
        Forecaster("linear", horizon=200, params=FAST).fit(airline)


def test_required_length_is_the_rule_fit_applies(airline):
    from forecastkit.checks import required_length

    f = Forecaster("linear", horizon=3, lookback=12, params=FAST, preprocess="none")
    rows = required_length(lookback=12, horizon=3, warmup=f.warmup(12))
    frame = airline.frame
    f.fit(airline.with_frame(frame.tail(rows).reset_index(drop=True)))
    with pytest.raises(DataError, match=f"at least {rows} rows"):
        clone(f).fit(airline.with_frame(frame.tail(rows - 1).reset_index(drop=True)))


def test_adopt_model_installs_a_model_trained_elsewhere(airline):
    from forecastkit.data import GLOBAL_ID

    trained = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(airline)
    adopter = clone(trained)
    windows = adopter.prepare_windows(airline)
    adopter.adopt_model(trained.model_, windows[GLOBAL_ID])
    assert adopter.model_ is trained.model_ and not hasattr(adopter, "models_")
    assert adopter.calibration_ == trained.calibration_ and adopter.residuals_ == trained.residuals_
    pd.testing.assert_frame_equal(adopter.predict(level=80), trained.predict(level=80))


def test_fit_trains_small_networks_and_local_panels_grouped_and_large_ones_as_keras(airline, two_series):
    """``trains_grouped``: one network whose epochs see every window, or several (local), train
    in the grouped trainer; one whose epochs are a sampled budget of steps trains in Keras."""
    small = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(airline)
    budgeted = {**FAST, "steps_per_epoch": 2, "batch_size": 8}  # 16 windows per epoch, fewer than airline's
    large = Forecaster("linear", horizon=3, lookback=12, params=budgeted).fit(airline)
    local = Forecaster("linear", horizon=3, lookback=6, params=budgeted, mode="local").fit(two_series)
    kinds = [type(m).__name__ for f in (small, large, local) for m in f.engine_.models.values()]
    assert kinds == ["SlotModel", "Functional", "SlotModel", "SlotModel"]
    assert type(small.model_).__name__ == "Functional" and small.model_ is small.model_  # built once


def test_a_warm_started_linear_fit_takes_its_own_ridge_prior(airline):
    # the prior is over each fit's own training windows: continuing a fit on more data must not
    # keep the coefficient of the fit it continues
    frame = airline.frame
    warm = Forecaster("linear", horizon=3, lookback=12, params=FAST, warm_start=True).fit(frame.iloc[:80])
    warm.fit(frame.iloc[:140])
    model = next(iter(warm.engine_.models.values()))
    coefficients = [v.regularizer.l2 for v in model.trainable_weights if v.regularizer is not None]
    fresh = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(frame.iloc[:140])
    assert coefficients == pytest.approx([next(iter(fresh.engine_.models.values())).build_args["l2"]])


def test_a_warm_start_under_other_layer_sizes_or_horizon_starts_afresh_and_says_so(airline):
    warm = Forecaster("mlp", horizon=4, params={**FAST, "units": 4}, warm_start=True).fit(airline)
    continued = warm.model_
    warm.fit(airline)
    assert warm.model_ is continued  # same settings: the same network, trained on
    for change in ({"horizon": 6}, {"params": {**FAST, "units": 8}}):
        warm.set_params(**change)
        with pytest.warns(UserWarning, match="warm_start: the network 'mlp' fitted before has another shape"):
            warm.fit(airline)
        units = [layer.get_config()["units"] for layer in warm.model_.layers if "units" in layer.get_config()]
        assert units[-1] == warm.horizon and units[:-1] == [warm.params["units"]] * 2
        assert len(warm.predict()) == warm.horizon


def test_pandas_and_scikit_learn_habits(airline):
    long = pd.concat([pd.DataFrame({"id": k, "time": airline.frame["time"], "y": airline.frame["y"] * i})
                      for i, k in ((1, "a"), (2, "b"))])
    fitted = Forecaster("naive", horizon=3).fit(long.set_index(["id", "time"])["y"])  # a (id, time) MultiIndex
    assert fitted.predict().groupby("id")["yhat"].first().to_dict() == {"a": 432.0, "b": 864.0}
    with pytest.raises(DataError, match=r"MultiIndex with levels \[None, 'time'\]"):
        Forecaster("naive", horizon=3).fit(long.set_index(["id", "time"]).rename_axis([None, "time"])["y"])
    tuned = clone(Forecaster("mlp", params={"units": 8, "epochs": 5})).set_params(params__units=4, horizon=2)
    assert tuned.params == {"units": 4, "epochs": 5} and tuned.horizon == 2
    with pytest.warns(UserWarning, match=r"`level` 0.8 asks for a 0.8% interval, nearly no width; for 80% give 80"):
        Forecaster("naive", horizon=3).fit(airline).predict(level=0.8)


def test_a_forecast_that_is_not_finite_is_an_error_not_a_file(airline):
    # an absurd learning rate can diverge without a non-finite loss: inf must not reach the forecast
    # (its fit now fails as soon as its best loss is absurd, before any forecast; else the forecast does)
    f = Forecaster("linear", horizon=6, params={"learning_rate": 1e12, "epochs": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TrainingError, match="forecasts of 'linear' are not finite|'training linear' diverged"):
            f.fit(airline).predict()


def test_a_baseline_says_it_ignores_the_settings_of_a_networks_training_data(tmp_path, capsys):
    # a baseline forecasts the raw series: ets with a log transform or a lookback was plain ets,
    # silently, while the settings line claimed the lookback
    from forecastkit import datasets
    from forecastkit.cli import main

    air = datasets.load("airline")
    with pytest.warns(UserWarning, match=r"'ets' is a baseline, which forecasts the raw series: it ignores "
                                         r"transform='log', deseason='stl'"):
        logged = Forecaster("ets", horizon=3, transform="log", deseason="stl").fit(air).predict()
    pd.testing.assert_frame_equal(logged, Forecaster("ets", horizon=3).fit(air).predict())
    assert main(["forecast", "--model", "ets", "--horizon", "3", "--lookback", "5", "--scaler", "minmax",
                 "--out", str(tmp_path / "f.csv")]) == 0
    err = capsys.readouterr().err
    assert "it ignores lookback=5, scaler='minmax'" in err and "lookback 5" not in err
    args = ["evaluate", "--horizon", "3", "--folds", "2", "--stride", "3", "--no-baselines", "--quiet", "--scaler", "minmax"]
    assert main([*args, "--models", "naive,seasonal_naive", "--out", str(tmp_path / "b")]) == 1
    assert "`--scaler` applies to none of the models evaluated" in capsys.readouterr().err
    run = tmp_path / "run"  # with a network, the baselines evaluate on the raw series beside it, unwarned
    assert main([*args, "--models", "naive,linear", "--epochs", "1", "--out", str(run)]) == 0
    assert main(["forecast", "--from-run", str(run), "--model", "naive", "--out", str(tmp_path / "n.csv")]) == 0
    assert "ignores" not in capsys.readouterr().err


def test_settings_changed_after_fit_refuse_predict_and_save_until_refit(tmp_path):
    # predict used to label the old model's numbers with the new name, and save wrote metadata
    # that load then called malformed
    from forecastkit import datasets
    from forecastkit.errors import NotFittedError

    air = datasets.load("airline")
    fitted = Forecaster("linear", horizon=3, lookback=12, params={"epochs": 1}).fit(air)
    expected = fitted.predict()
    fitted.set_params(seed=5, verbose=0, level=(80,))  # free: the next fit's seed, the display, the levels
    pd.testing.assert_frame_equal(fitted.predict()[expected.columns], expected)
    for change in ({"model": "naive"}, {"strategy": "recursive"}, {"params": {"epochs": 3}}):
        fitted.set_params(**change)
        name = next(iter(change))
        with pytest.raises(NotFittedError, match=f"`{name}` changed since `fit`"):
            fitted.predict()
        with pytest.raises(NotFittedError, match=f"`{name}` changed since `fit`.*before `save\\(\\)`"):
            fitted.save(tmp_path / "m")
        fitted.set_params(model="linear", strategy="direct", params={"epochs": 1})
    pd.testing.assert_frame_equal(fitted.predict()[expected.columns], expected)
    loaded = Forecaster.load(fitted.save(tmp_path / "m")).set_params(lookback=6)
    with pytest.raises(NotFittedError, match="`lookback` changed since `fit` \\(12 -> 6\\)"):
        loaded.predict()


def test_small_api_slips_get_clear_answers(tmp_path, capsys):
    from forecastkit import datasets
    from forecastkit.cli import main
    from forecastkit.errors import ConfigError
    from forecastkit.plots import plot_forecast

    with pytest.raises(DataError, match=r"'airline' is the name of a shipped dataset: load it with "
                                        r"forecastkit.datasets.load\('airline'\)"):
        Forecaster().fit("airline")
    air = datasets.load("airline")
    fitted = Forecaster("naive", horizon=2, level=(80,)).fit(air)
    assert Forecaster.load(fitted.save(tmp_path / "m")).get_params()["level"] == (80,)  # not [80]
    with pytest.raises(ConfigError, match="`forecast` has no rows"):  # not matplotlib's own error
        plot_forecast(air, fitted.predict().iloc[0:0])
    assert main(["forecast", "--quiet", "--verbose", "--model", "naive", "--out", str(tmp_path / "f.csv")]) == 1
    assert "`--quiet` prints nothing and `--verbose` prints more" in capsys.readouterr().err


def test_new_history_shorter_than_a_fitted_window_asks_for_more_rows_only():
    # a fitted model's lookback cannot change: "use a smaller lookback" would not help
    airline = datasets.load("airline")
    f = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(airline)
    frame = airline.frame[["time", "y"]].rename(columns={"y": "passengers"})
    with pytest.raises(DataError, match=r"forecasts from the last 12 rows and 1 for its differences: 'passengers' "
                                        r"has 10 rows\. Pass at least 13 rows of each series\.$"):
        f.predict(frame.tail(10))
    assert len(f.predict(frame.tail(13))) == 3


def test_new_history_off_the_fitted_frequency_asks_for_that_frequency():
    # a weekly model given daily history: "set `freq` to 'D'" cannot help a fitted model
    weeks = pd.DataFrame({"time": pd.date_range("2020-01-05", periods=60, freq="W-SUN"), "y": np.arange(60.0) % 5})
    f = Forecaster("linear", horizon=2, lookback=4, params=FAST).fit(weeks)
    days = pd.DataFrame({"time": pd.date_range("2021-01-01", periods=40, freq="D"), "y": np.arange(40.0)})
    with pytest.raises(DataError, match=r"fit on 'W-SUN' data and forecasts at that frequency: give it history at "
                                        r"'W-SUN' \(resample the data\), or fit a model on this data\.$"):
        f.predict(days)
    with pytest.raises(DataError, match="fit on 'W-SUN' data"):
        Forecaster("ensemble", horizon=2, lookback=4, members="linear,naive", params=FAST).fit(weeks).predict(days)


def test_a_training_that_diverges_to_finite_but_absurd_forecasts_fails_the_fit():
    # a learning rate of 100 kept every loss finite and forecast millions for a series between 9 and 11
    y = pd.Series(np.sin(np.arange(200) * 2 * np.pi / 7) + 10)
    with pytest.raises(TrainingError, match=r"diverged: its best loss is .*, against .* for forecasting no change"):
        Forecaster("mlp", horizon=2, params={"epochs": 2, "learning_rate": 100}).fit(y)
    with pytest.raises(TrainingError, match=r"diverged: its best loss"):  # Keras' own training: the same
        Forecaster("vanilla", horizon=2, params={"epochs": 2, "learning_rate": 100, "steps_per_epoch": 0}).fit(y)
    sane = Forecaster("mlp", horizon=2, params={"epochs": 2}).fit(y).predict()
    assert sane["yhat"].between(8, 12).all()


def test_new_history_a_fitted_log_transform_cannot_read_is_named_as_such():
    # it used to reach the network and fail as "not finite ... diverged ... set transform to 'log'"
    fitted = Forecaster("linear", horizon=2, lookback=5, transform="log", params=FAST).fit(pd.Series(np.arange(1, 41.)))
    with pytest.raises(DataError, match=r"`transform` 'log' needs strictly positive values, but the new history "
                                        r"\(its last 6 rows, which the forecast reads\) has a minimum of -40. "
                                        r"Pass positive values, or refit with `transform` 'none'"):
        fitted.predict(pd.Series(-np.arange(1, 41.)))
    earlier = np.r_[-np.arange(1, 35.), np.arange(1, 7.)]  # only rows before the window are not positive
    assert len(fitted.predict(pd.Series(earlier))) == 2


@pytest.mark.parametrize("verbose", ["loud", 5, -1, 1.5])
def test_verbose_is_checked(verbose):
    with pytest.raises(ConfigError, match=r"`verbose` must be 0 \(silent\), 1 \(a progress bar\) or 2"):
        Forecaster("linear", verbose=verbose).check_params()


def test_a_model_alias_is_reported_under_its_one_name():
    frame = Forecaster("Seasonal-Naive", horizon=2).fit(datasets.load("airline")).predict()
    assert frame["model"].unique().tolist() == ["seasonal_naive"]


@pytest.mark.parametrize("model, season, need", [("seasonal_naive", 1000, 1000), ("ets", 365, 730)])
def test_a_seasonal_baseline_says_when_the_history_is_too_short_for_its_season(model, season, need):
    # seasonal_naive repeated the last value and ets forecast a flat line, silently
    y = pd.Series(np.arange(400.0) + 1, index=pd.date_range("2023-01-01", periods=400, freq="D"))
    with pytest.warns(ShortSeriesWarning, match=f"'{model}' forecasts a series shorter than {need} rows without "
                                                f"its season of {season} steps") as caught:
        Forecaster(model, season=season, horizon=3).fit(y)
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Forecaster(model, season=7, horizon=3).fit(y)


def test_too_few_sampled_paths_for_the_outer_quantile_columns_are_said(airline):
    # samples=1 wrote seven equal quantile columns without a word
    fitted = Forecaster("linear", horizon=3, params=FAST).fit(airline)
    with pytest.warns(UserWarning, match=r"`samples`=5 paths are too few for the q0.05 and q0.95 columns.*at least 20"):
        fitted.predict(samples=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert {"q0.05", "q0.95"} <= set(fitted.predict(samples=20).columns)


def test_a_baseline_says_it_ignores_calendar_features(airline):
    # the command line said so; the Python API took calendar="month" silently
    with pytest.warns(UserWarning, match=r"'naive' is a baseline, which forecasts the raw series: it ignores "
                                         r"calendar='month'") as caught:
        Forecaster("naive", horizon=3, calendar="month").fit(airline)
    assert caught[0].filename == __file__


def test_a_baseline_says_it_ignores_the_covariates_given_to_fit():
    frame = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=36, freq="MS"), "y": np.arange(36.0) + 10,
                          "x": np.arange(36.0)})
    with pytest.warns(UserWarning, match=r"^ets forecasts from the target alone: it ignores the covariates 'x'\.$") \
            as caught:
        Forecaster("ets", horizon=3).fit(frame, time="t", target="y", past_covariates=["x"])
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none declared: nothing to say
        Forecaster("ets", horizon=3).fit(frame, time="t", target="y")
