"""Forecast strategies (direct / recursive) and sampled future paths (residual bootstrap)."""

import json

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster
from forecastkit.cli import main
from forecastkit.config import merge_settings
from forecastkit.data import from_pandas
from forecastkit.errors import ConfigError, ModelFileError
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.forecaster import INTERVAL_PATHS, SAMPLE_QUANTILES
from forecastkit.forecaster.preparation import window_shape
from forecastkit.runs import evaluation_models

QUANTILE_COLUMNS = [f"q{tau:g}" for tau in SAMPLE_QUANTILES]


def monthly(values, name="y"):
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values), freq="MS"), name=name)


@pytest.fixture(scope="module")
def trending():
    t = np.arange(72)
    return 100 + 10 * np.sin(2 * np.pi * t / 12) + 0.5 * t + np.random.default_rng(1).normal(0, 1, 72)


@pytest.fixture(scope="module")
def stationary():
    t = np.arange(96)
    return from_pandas(monthly(100 + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 1, 96)))


@pytest.fixture(scope="module")
def direct(stationary):
    params = {"epochs": 20, "validation": 0.3}
    return Forecaster("linear", horizon=4, lookback=12, params=params, seed=0, preprocess="none").fit(stationary)


@pytest.fixture(scope="module")
def recursive(stationary):
    params = {"epochs": 5, "validation": 0.3}
    return Forecaster("linear", horizon=4, lookback=12, params=params, seed=0, strategy="recursive",
                      preprocess="none").fit(stationary)


def by_hand(forecaster, y, horizon):
    """Roll the one-step network out by hand, in the original units: transform the whole
    history, take the last window, forecast one step, undo the transform, append, repeat."""
    y = list(y)
    (sid,) = forecaster.transforms_
    transform = forecaster.transforms_[sid]
    for _ in range(horizon):
        window = transform.transform(np.array(y))[-forecaster.lookback_:]
        level = window[-1] if forecaster.scaler == "window_last" else 1.0
        out = np.asarray(forecaster.model_((window / level)[None, :, None].astype("float32"), training=False))
        y.append(float(transform.inverse(np.array([out[0, 0] * level]), anchor=y[-1])[0]))
    return np.array(y[-horizon:])


# ------------------------------------------------------------------------- recursive --
@pytest.mark.parametrize("scaler, transform, difference", [
    ("standard", None, False), ("minmax", "log", True), ("window_last", None, False)])
def test_recursive_rollout_equals_iterating_the_one_step_model_by_hand(trending, scaler, transform, difference):
    f = Forecaster("linear", horizon=5, lookback=12, params={"epochs": 3}, scaler=scaler, transform=transform,
                   difference=difference, strategy="recursive", preprocess="none").fit(monthly(trending))
    assert f.model_horizon == 1 and tuple(f.model_.output_shape) == (None, 1)
    np.testing.assert_allclose(f.predict()["yhat"], by_hand(f, trending, 5), rtol=1e-5)
    later = f.predict(monthly(trending[:60]))["yhat"]  # from a new history, via predict_histories
    np.testing.assert_allclose(later, by_hand(f, trending[:60], 5), rtol=1e-5)


def test_recursive_with_future_known_covariates_uses_step_k_row(trending):
    frame = pd.DataFrame({"y": trending, "price": np.random.default_rng(2).normal(5, 1, len(trending))},
                         index=pd.date_range("2000-01-01", periods=len(trending), freq="MS"))
    panel = from_pandas(frame, target="y", future_covariates=("price",))
    f = Forecaster("linear", horizon=6, lookback=12, params={"epochs": 2}, calendar="month",
                   strategy="recursive").fit(panel)
    assert window_shape(f) == (13, 1 + 1 + 2 + 1)  # lookback + one future row; y, price, month sin/cos, flag
    times = pd.date_range("2006-01-01", periods=6, freq="MS")
    future = pd.DataFrame({"time": times, "price": [5.0, 5.2, 4.8, 5.1, 5.0, 4.9]})
    base = f.predict(future=future)["yhat"].to_numpy()
    changed = f.predict(future=future.assign(price=[5.0, 5.2, 4.8, 9.0, 5.0, 4.9]))["yhat"].to_numpy()
    np.testing.assert_array_equal(changed[:3], base[:3])
    assert abs(changed[3] - base[3]) > 1e-6


def test_recursive_refusals_are_clear_config_errors(two_series):
    with pytest.raises(ConfigError, match="`strategy` must be 'direct' or 'recursive'.*strategy='iterated'"):
        Forecaster("linear", strategy="iterated").check_params()
    with pytest.raises(ConfigError, match="'naive' is a baseline, which forecasts every step natively"):
        Forecaster("naive", strategy="recursive").check_params()
    with pytest.raises(ConfigError, match="`quantiles`.*cannot be combined with strategy='recursive'"):
        Forecaster("mlp", quantiles="0.1,0.9", strategy="recursive").check_params()
    f = Forecaster("linear", horizon=2, lookback=6, strategy="recursive")
    with pytest.raises(ConfigError) as caught:
        f.fit(two_series)
    message = str(caught.value)
    for part in ("feeds each forecast back", "past-observed covariates ['price']", "strategy='direct'",
                 "Use strategy='direct'", "`future_covariates`", "`future`", "`past_covariates` empty"):
        assert part in message
    assert not hasattr(f, "model_")  # refused before any training
    with pytest.raises(ConfigError, match="past-observed covariates"):
        walk_forward(two_series, {"rec": Forecaster("linear", horizon=2, lookback=6, strategy="recursive")},
                     WalkForward(horizon=2, folds=2, refit="always"), baselines=False)


def test_evaluate_leaves_the_strategy_out_for_baselines():
    settings = merge_settings({}, flags={"models": "linear,naive", "strategy": "recursive"})
    models = evaluation_models(settings, horizon=3)
    assert models["linear"].strategy == "recursive" and models["naive"].strategy == "direct"


def test_recursive_intervals_are_quantiles_of_1000_sampled_paths(recursive):
    forecast = recursive.predict(level=(80, 95))
    paths = recursive.sample_paths(samples=INTERVAL_PATHS)["y"].to_numpy().reshape(INTERVAL_PATHS, 4)
    np.testing.assert_allclose(forecast["yhat_lo_80"], np.quantile(paths, 0.1, axis=0))
    np.testing.assert_allclose(forecast["yhat_hi_95"], np.quantile(paths, 0.975, axis=0))
    assert (forecast["yhat_lo_95"] <= forecast["yhat_lo_80"]).all()
    assert (forecast["yhat_lo_80"] < forecast["yhat_hi_80"]).all()


def test_recursive_paths_feed_the_perturbed_value_back(recursive):
    """Step 1 of a path is the point forecast plus a drawn one-step residual; step 2 is the
    network's forecast from the history ending with that perturbed value, plus a draw."""
    (sid,) = recursive.transforms_
    params = recursive.transforms_[sid].params
    history = recursive.history_.series(sid)["y"].to_numpy()
    residuals = np.asarray(recursive.residuals_["*"])[:, 0]

    def scaled(values):
        return (np.asarray(values) - params["mean"]) / params["scale"]

    def drawn(errors):  # every error is one of the held-out residuals
        return np.abs(np.asarray(errors)[:, None] - residuals[None, :]).min(axis=1).max() < 1e-4

    paths = recursive.sample_paths(samples=20)["y"].to_numpy().reshape(20, 4)
    assert drawn(scaled(paths[:, 0]) - scaled(recursive.predict()["yhat"].iloc[0]))
    fed_back = [by_hand(recursive, np.r_[history, paths[j, 0]], 1)[0] for j in range(5)]
    assert drawn(scaled(paths[:5, 1]) - scaled(fed_back))


# ------------------------------------------------------------------- sampled paths --
def test_same_seed_same_paths_different_seed_different(direct):
    paths = direct.sample_paths(samples=30)
    assert list(paths.columns) == ["id", "time", "sample", "y"] and len(paths) == 30 * 4
    assert paths["sample"].tolist()[:5] == [0, 0, 0, 0, 1]
    pd.testing.assert_frame_equal(paths, direct.sample_paths(samples=30))
    other = direct.set_params(seed=1).sample_paths(samples=30)
    direct.set_params(seed=0)
    assert not np.allclose(paths["y"], other["y"])


def test_direct_paths_add_whole_rows_of_held_out_residuals(direct):
    (sid,) = direct.transforms_
    params = direct.transforms_[sid].params
    point = (direct.predict()["yhat"].to_numpy() - params["mean"]) / params["scale"]
    paths = direct.sample_paths(samples=50)["y"].to_numpy().reshape(50, 4)
    drawn = (paths - params["mean"]) / params["scale"] - point
    residuals = np.asarray(direct.residuals_["*"])
    assert residuals.shape[1] == 4 and len(residuals) == len(direct.calibration_["*"])
    distance = np.abs(drawn[:, None, :] - residuals[None, :, :]).max(axis=2).min(axis=1)
    assert distance.max() < 1e-6  # every path is the point forecast plus one whole residual row


def test_sample_quantile_columns(direct):
    forecast = direct.predict(samples=300)
    assert list(forecast.columns) == ["id", "time", "model", "yhat", *QUANTILE_COLUMNS]
    values = forecast[QUANTILE_COLUMNS].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    spread = forecast["q0.95"] - forecast["q0.05"]
    assert (spread > 0).all() and ((forecast["q0.5"] - forecast["yhat"]).abs() < 0.25 * spread).all()


@pytest.mark.parametrize("which", ["direct", "recursive"])
def test_save_load_round_trip_same_sample_quantiles(which, request, tmp_path):
    fitted = request.getfixturevalue(which)
    fitted.save(tmp_path / which)
    assert "residuals" in json.loads((tmp_path / which / "metadata.json").read_text())
    loaded = Forecaster.load(tmp_path / which)
    assert loaded.strategy == which and loaded.model_horizon == fitted.model_horizon
    pd.testing.assert_frame_equal(loaded.predict(level=80, samples=100), fitted.predict(level=80, samples=100))


def test_old_model_file_without_residuals_loads_but_cannot_sample(direct, tmp_path):
    direct.save(tmp_path)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    del meta["residuals"], meta["params"]["strategy"]  # as an older forecastkit wrote it
    (tmp_path / "metadata.json").write_text(json.dumps(meta))
    old = Forecaster.load(tmp_path)
    pd.testing.assert_frame_equal(old.predict(level=80), direct.predict(level=80))
    with pytest.raises(ModelFileError, match="saved without its held-out residuals.*Refit it and save it again"):
        old.sample_paths()
    with pytest.raises(ModelFileError, match="held-out residuals"):
        old.predict(samples=10)


def test_sampling_refusals(airline, stationary):
    with pytest.raises(ConfigError, match="'naive' is a baseline: use `level` for its native intervals"):
        Forecaster("naive", horizon=2).fit(airline).predict(samples=10)
    with pytest.raises(ConfigError, match="'naive' is a baseline"):
        Forecaster("naive", horizon=2).fit(airline).sample_paths()
    with pytest.raises(ConfigError, match="both write the q<tau> columns"):
        Forecaster("mlp", quantiles="0.1,0.9").check_samples(10)
    with pytest.raises(ConfigError, match="`samples` must be >= 1. Received: samples=0"):
        Forecaster("linear").check_samples(0)
    f = Forecaster("linear", horizon=2, lookback=12, params={"epochs": 1, "validation": 0.0}).fit(stationary)
    for call in (lambda: f.sample_paths(), lambda: f.predict(samples=5)):
        with pytest.raises(ConfigError, match="holds out none \\(validation=0.0\\).*validation=0.2"):
            call()


# ---------------------------------------------------------------------- walk-forward --
@pytest.mark.parametrize("fast", [True, False])
def test_recursive_walk_forward_trains_one_step_models_without_leakage(trending, fast):
    model = {"rec": Forecaster("linear", horizon=3, lookback=12, params={"epochs": 2}, strategy="recursive")}
    splitter = WalkForward(horizon=3, folds=4, stride=1, refit="every:2")
    clean = walk_forward(monthly(trending), model, splitter, baselines=False, fast=fast)
    frame = clean.to_frame()
    assert set(clean.fits["status"]) == {"ok"} and len(frame) == 4 * 3 and np.isfinite(frame["y_pred"]).all()
    cut = splitter.origins(len(trending))[2]
    poisoned = trending.copy()
    poisoned[cut:] = 1e9
    dirty = walk_forward(monthly(poisoned), model, splitter, baselines=False, fast=fast).to_frame()
    known = frame["origin"] <= monthly(trending).index[cut]
    assert known.sum() == 3 * 3
    pd.testing.assert_series_equal(frame.loc[known, "y_pred"], dirty.loc[known, "y_pred"])


# ----------------------------------------------------------------------------- CLI --
@pytest.mark.parametrize("args, message", [
    (["forecast", "--strategy", "sideways"], "`--strategy` must be 'direct' or 'recursive'"),
    (["forecast", "--model", "naive", "--strategy", "recursive"], "is a baseline, which forecasts every step"),
    (["forecast", "--model", "naive", "--samples", "20"], "use `--level` for its native intervals"),
    (["forecast", "--model", "mlp", "--quantiles", "0.1,0.9", "--samples", "20"], "both write the q<tau> columns"),
    (["forecast", "--strategy", "recursive", "--quantiles", "0.1,0.9"], "cannot be combined with strategy='recursive'"),
    (["forecast", "--samples", "0"], "`--samples` must be >= 1"),
    (["forecast", "--samples", "50", "--validation", "0"], "holds out none (validation=0"),
    (["forecast", "--data", "macrodata", "--target", "realgdp", "--past-covariates", "realcons",
      "--strategy", "recursive"], "past-observed covariates ['realcons'] are unknown after the forecast origin"),
    (["evaluate", "--strategy", "sideways"], "`--strategy` must be 'direct' or 'recursive'"),
])
def test_cli_errors_are_one_line(args, message, tmp_path, capsys):
    out = tmp_path / ("run" if args[0] == "evaluate" else "f.csv")
    assert main([*args, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("forecastkit: error: ") and message in err[0]
    assert not out.exists()


def test_cli_recursive_forecast_with_samples_writes_quantile_columns(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text('strategy = "recursive"\nsamples = 50\n')
    out, saved = tmp_path / "f.csv", tmp_path / "model"
    assert main(["forecast", "--config", str(config), "--data", "shampoo", "--model", "linear", "--horizon", "3",
                 "--lookback", "6", "--epochs", "2", "--validation", "0.3", "--out", str(out),
                 "--save-model", str(saved)]) == 0
    forecast = pd.read_csv(out)
    assert list(forecast.columns) == ["id", "time", "model", "yhat", *QUANTILE_COLUMNS] and len(forecast) == 3
    assert (np.diff(forecast[QUANTILE_COLUMNS].to_numpy(), axis=1) >= 0).all()
    shown = capsys.readouterr().out
    assert "q0.05" in shown and "q0.95" in shown
    loaded = Forecaster.load(saved)
    assert loaded.strategy == "recursive"
    np.testing.assert_allclose(loaded.predict(samples=50)["q0.9"], forecast["q0.9"])
