"""Intermittent demand: do the default networks forecast it better from levels or differences?

Seeded synthetic panels of weekly intermittent series (the shape of retail and spare-parts
demand: a sale in a week with probability ``p`` drawn per series in 0.15-0.75, the quantity
Poisson around a per-series mean in 1-10, in some panels drifting slowly or with a yearly
cycle in ``p``), each series' last ``--horizon`` weeks held out. Every model is fit once on
the rest (global, seed 0) and scored by MASE (in-sample naive scale, averaged over series),
beside the training mean of each series as a forecast (the level an intermittent series keeps
returning to). Each network runs with its defaults (levels: ``preprocess="auto"`` finds the panel
intermittent, :func:`forecastkit.preprocess.choice.intermittent_share`) and with ``difference=True``
(first differences, the default before).

Usage::

    python benchmarks/intermittent.py                    # 3 panels of 60 series x 160 weeks
    python benchmarks/intermittent.py --panels 1 --series 20
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("FORECASTKIT_JOBS", "1")

from forecastkit import Forecaster  # noqa: E402
from forecastkit.data import from_pandas  # noqa: E402

NETWORKS = ("linear", "mlp", "vanilla")
BASELINES = ("naive", "seasonal_naive", "ets")


def panel(seed: int, n_series: int, length: int) -> pd.DataFrame:
    """A seeded panel of weekly intermittent series (see the module docstring)."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(end="2024-12-29", periods=length, freq="W-SUN")
    k = np.arange(length)
    frames = []
    for i in range(n_series):
        p = rng.uniform(0.15, 0.75) * (1 + rng.choice([0.0, 0.5]) * np.sin(2 * np.pi * k / 52.18 + rng.uniform(0, 6)))
        mean = rng.uniform(1, 10) * np.exp(rng.choice([0.0, 1.0]) * rng.normal(0, 0.4) * k / length)
        sales = (rng.random(length) < np.clip(p, 0, 1)) * rng.poisson(mean)
        frames.append(pd.DataFrame({"id": f"s{i:03d}", "week": weeks, "sales": sales.astype(float)}))
    return pd.concat(frames, ignore_index=True)


def score(frame: pd.DataFrame, forecast: pd.DataFrame | None, horizon: int) -> float:
    """Mean MASE over the series (``forecast`` None: each series' training mean)."""
    mases = []
    for sid, part in frame.groupby("id"):
        y = part["sales"].to_numpy()
        train, actual = y[:-horizon], y[-horizon:]
        f = train.mean() if forecast is None else forecast.loc[forecast["id"] == sid, "yhat"].to_numpy()
        scale = np.mean(np.abs(np.diff(train))) or 1.0
        mases.append(np.mean(np.abs(actual - f)) / scale)
    return float(np.mean(mases))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--panels", type=int, default=3)
    parser.add_argument("--series", type=int, default=60)
    parser.add_argument("--length", type=int, default=160)
    parser.add_argument("--horizon", type=int, default=13)
    args = parser.parse_args(argv)
    arms = [(m, {}) for m in BASELINES] + [(m, extra) for m in NETWORKS
                                             for extra in ({}, {"difference": True})]
    table: dict = {}
    for seed in range(args.panels):
        frame = panel(seed, args.series, args.length)
        train = frame[frame.groupby("id").cumcount(ascending=False) >= args.horizon]
        data = from_pandas(train, id="id", time="week", target="sales")
        table.setdefault("training mean", []).append(score(frame, None, args.horizon))
        for model, extra in arms:
            began = time.perf_counter()
            f = Forecaster(model, horizon=args.horizon, seed=0, **extra).fit(data)
            got = score(frame, f.predict(), args.horizon)
            label = model + (" difference=True" if extra else "")
            table.setdefault(label, []).append(got)
            chain = str(getattr(f, "preprocess_", ""))[:60]
            print(f"panel {seed} {label}: MASE {got:.3f} "
                  f"({time.perf_counter() - began:.0f} s; {chain})", flush=True)
    print(f"\n| model ({args.panels} panels of {args.series} x {args.length} weeks, horizon {args.horizon}) "
          "| MASE, mean over panels | per panel |\n|---|---:|---|")
    for label, rows in table.items():
        print(f"| {label} | {np.mean(rows):.3f} | {' / '.join(f'{v:.3f}' for v in rows)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
