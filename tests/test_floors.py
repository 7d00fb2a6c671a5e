"""Forecasts of series whose history never went below zero are kept at or above zero
(forecastkit.forecaster.floors): point forecasts, bounds, quantiles, paths, walk-forward."""

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, WalkForward, walk_forward
from forecastkit.data import from_pandas
from forecastkit.forecaster.floors import never_negative
from forecastkit.forecaster.predictive import Predictive
from forecastkit.models.registry import get_spec

TIMES = pd.date_range("2020-01", periods=40, freq="MS")
DECLINE = np.r_[np.linspace(30, 3, 36), [2.0, 1.0, 0.0, 0.5]]  # a demand series running out


def series(values) -> object:
    return from_pandas(pd.Series(values, index=TIMES[:len(values)], name="y"))


@pytest.mark.parametrize("model", ["ets", "theta", "arima"])
def test_a_series_never_below_zero_is_forecast_at_or_above_it(model):
    floored = Forecaster(model, horizon=6).fit(series(DECLINE + 1)).predict(level=(80, 95))
    raw = Forecaster(model, horizon=6).fit(series(DECLINE - 1)).predict(level=(80, 95))
    values = floored.drop(columns=["id", "time", "model"])
    assert (values.to_numpy() >= 0).all() and (values.to_numpy() == 0).any()
    assert (raw["yhat_lo_95"] < -1).any()  # once below zero: forecast as the model forecasts it
    model_forecast = get_spec(model).load_forecast()(DECLINE + 1, 6, 12)  # what the model itself says
    assert (model_forecast < 0).any() and np.allclose(floored["yhat"], np.maximum(model_forecast, 0))


def test_the_history_decides_so_future_values_below_zero_unfloor_nothing():
    y = np.r_[np.linspace(30, 1, 30), -np.ones(10)]  # positive until row 30, below zero after
    result = walk_forward(series(y), ["ets"], WalkForward(horizon=3, folds=12), baselines=False, n_jobs=1)
    rows = result.results  # "origin": the first forecast time; the history ends the row before
    early = rows[pd.to_datetime(rows["origin"]) <= TIMES[30]]
    late = rows[pd.to_datetime(rows["origin"]) > TIMES[30]]
    assert (early["y_pred"] >= 0).all() and (early["y_pred"] == 0).any()  # raised: never below zero yet
    assert (late["y_pred"] < 0).any()  # their histories went below zero


def test_predictive_floored_censors_every_description_at_zero():
    mask = np.array([True, False])
    loc, sd = np.array([[-1.0, 2.0], [-1.0, 2.0]]), np.ones((2, 2))
    normal = Predictive(loc, "normal", gaussian=(loc, sd),
                        draw=lambda n: np.random.default_rng(0).normal(loc[:, None, :], 1.0, (2, n, 2)))
    floored = normal.floored(mask)
    assert floored.gaussian is None and floored.mean[0].tolist() == [0.0, 2.0] and floored.mean[1, 0] == -1.0
    q = floored.quantiles((0.1, 0.9))
    assert (q[0] >= 0).all() and q[1, 0, 0] < 0
    assert (floored.sampled(50)[0] >= 0).all() and (floored.sampled(50)[1] < 0).any()
    head = Predictive(loc, "quantile head", head=((0.5,), loc[..., None])).floored(mask)
    assert head.quantiles((0.5,))[:, 0, 0].tolist() == [0.0, -1.0]
    assert normal.floored(np.array([False, False])) is normal


def test_networks_bags_paths_and_ensembles_stay_at_or_above_zero():
    rng = np.random.default_rng(1)
    frames = [pd.DataFrame({"id": f"s{i}", "t": pd.date_range("2020-01-06", periods=120, freq="W-MON"),
                            "y": (rng.poisson(0.4, 120) * rng.integers(1, 5, 120)).astype(float)})
              for i in range(6)]
    panel = from_pandas(pd.concat(frames), id="id", time="t", target="y")
    assert all(never_negative(panel.series(sid)["y"]) for sid in panel.ids)
    net = Forecaster("mlp", horizon=8, lookback=16, seed=0, params={"epochs": 3}).fit(panel)
    assert (net.predict(level=80, samples=20).drop(columns=["id", "time", "model"]).to_numpy() >= 0).all()
    assert (net.sample_paths(samples=10)["y"] >= 0).all()
    composite = Forecaster("ensemble", members="mlp,ets", horizon=8, lookback=16, seed=0,
                           params={"epochs": 3}).fit(panel)
    assert (composite.predict(level=80).drop(columns=["id", "time", "model"]).to_numpy() >= 0).all()

