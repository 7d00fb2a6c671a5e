"""Spot check of issue 14 on hourly data: the defaults against seasonal naive, horizon 48, season 24.

Two panels: the synthetic hourly panel (``forecastkit.synthetic.hourly_panel``, 414 series x 960
hours, seed 1: not the seed the timing benchmark uses) and four real hourly series of
``../shared/data/classic/pollution.csv`` (PM2.5, dew point, temperature, pressure; their last 3,000
hours, gaps interpolated). Every model is fit once with its defaults on each series minus its last
48 hours and forecasts those 48 hours: one origin, so a spot check, not a walk-forward. Printed per
model: MASE (the in-sample seasonal-naive MAE at lag 24 as the scale, mean over series), sMAPE and
the seconds of fit and forecast.

Usage: ``FORECASTKIT_JOBS=1 python benchmarks/hourly_defaults.py [--panels synthetic,pollution]
[--models seasonal_naive,naive2,linear,mlp,vanilla]`` (``mlp:standard``: a model with that ``scaler``)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecastkit import Forecaster  # noqa: E402
from forecastkit.synthetic import hourly_panel  # noqa: E402

HORIZON, SEASON = 48, 24
POLLUTION = ROOT.parent / "shared" / "data" / "classic" / "pollution.csv"


def pollution() -> pd.DataFrame:
    """Four real hourly series in long form (id, time, y): the last 3,000 hours of each column."""
    raw = pd.read_csv(POLLUTION)
    raw["time"] = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    raw = raw.iloc[-3000:]
    return pd.concat([pd.DataFrame({"id": column, "time": raw["time"].to_numpy(),
                                    "y": raw[column].interpolate().bfill().to_numpy()})
                      for column in ("pm2.5", "DEWP", "TEMP", "PRES")], ignore_index=True)


def scores(train: pd.DataFrame, test: pd.DataFrame, forecast: pd.DataFrame) -> tuple[float, float]:
    """Mean over series of MASE (seasonal-naive scale) and sMAPE of ``forecast`` on ``test``."""
    mase, smape = [], []
    for sid, actual in test.groupby("id", sort=False):
        history = train.loc[train["id"] == sid, "y"].to_numpy()
        y = actual["y"].to_numpy()
        f = forecast.loc[forecast["id"] == sid, "yhat"].to_numpy()
        mase.append(np.mean(np.abs(y - f)) / np.mean(np.abs(history[SEASON:] - history[:-SEASON])))
        smape.append(200 * np.mean(np.abs(y - f) / (np.abs(y) + np.abs(f))))
    return float(np.mean(mase)), float(np.mean(smape))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", default="synthetic,pollution")
    parser.add_argument("--models", default="seasonal_naive,naive2,linear,mlp,vanilla")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in args.panels.split(","):
        panel = hourly_panel(seed=1) if name == "synthetic" else pollution()
        last = panel.groupby("id", sort=False).cumcount(ascending=False) < HORIZON
        train, test = panel[~last], panel[last]
        print(f"{name}: {panel['id'].nunique()} series, horizon {HORIZON}, season {SEASON}", flush=True)
        for model in args.models.split(","):
            began = time.perf_counter()
            name, _, scaler = model.partition(":")  # "mlp:standard": the mlp with that scaler
            forecaster = Forecaster(name, horizon=HORIZON, season=SEASON, **({"scaler": scaler} if scaler else {}))
            forecaster.fit(train, id="id", time="time", target="y")
            mase, smape = scores(train, test, forecaster.predict())
            chain = getattr(forecaster, "preprocess_", "")
            print(f"  {model:15s} MASE {mase:.3f}  sMAPE {smape:6.2f}  {time.perf_counter() - began:5.0f} s  {chain}",
                  flush=True)


if __name__ == "__main__":
    main()
