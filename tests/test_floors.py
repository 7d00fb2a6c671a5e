"""Forecasts of series that touch zero and never go below it are kept at or above zero
(forecastkit.forecaster.floors): point forecasts, bounds, quantiles, paths, walk-forward."""

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, WalkForward, walk_forward
from forecastkit.data import from_pandas
from forecastkit.forecaster.floors import touches_zero
from forecastkit.forecaster.predictive import Predictive

TIMES = pd.date_range("2020-01", periods=40, freq="MS")
DECLINE = np.r_[np.linspace(30, 3, 36), [2.0, 1.0, 0.0, 0.5]]  # a demand series running out


def series(values) -> object:
    return from_pandas(pd.Series(values, index=TIMES[:len(values)], name="y"))


@pytest.mark.parametrize("model", ["ets", "theta", "arima"])
def test_a_series_touching_zero_is_forecast_at_or_above_it(model):
    touching = Forecaster(model, horizon=6).fit(series(DECLINE)).predict(level=(80, 95))
    above = Forecaster(model, horizon=6).fit(series(DECLINE + 1)).predict(level=(80, 95))
    values = touching.drop(columns=["id", "time", "model"])
    assert (values.to_numpy() >= 0).all() and (values.to_numpy() == 0).any()
    assert (above["yhat_lo_95"] < 0).any()  # never at zero: forecast as the model forecasts it
    kept = above.drop(columns=["id", "time", "model"]).to_numpy() >= 0  # the floor only raises
    assert np.array_equal(values.to_numpy()[kept], np.maximum(values.to_numpy()[kept], 0))


def test_the_history_decides_so_future_zeros_floor_nothing():
    y = np.r_[np.linspace(30, 1, 30), np.zeros(10)]  # positive until row 30, zeros after
    result = walk_forward(series(y), ["ets"], WalkForward(horizon=3, folds=12), baselines=False, n_jobs=1)
    rows = result.results  # "origin": the first forecast time; the history ends the row before
    early = rows[pd.to_datetime(rows["origin"]) <= TIMES[30]]
    late = rows[pd.to_datetime(rows["origin"]) > TIMES[30]]
    assert (early["y_pred"] < 0).any()       # their histories never touched zero
    assert len(late) and (late["y_pred"] >= 0).all()  # these did


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
    assert all(touches_zero(panel.series(sid)["y"]) for sid in panel.ids)
    net = Forecaster("mlp", horizon=8, lookback=16, seed=0, params={"epochs": 3}).fit(panel)
    assert (net.predict(level=80, samples=20).drop(columns=["id", "time", "model"]).to_numpy() >= 0).all()
    assert (net.sample_paths(samples=10)["y"] >= 0).all()
    composite = Forecaster("ensemble", members="mlp,ets", horizon=8, lookback=16, seed=0,
                           params={"epochs": 3}).fit(panel)
    assert (composite.predict(level=80).drop(columns=["id", "time", "model"]).to_numpy() >= 0).all()
