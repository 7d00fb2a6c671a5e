"""One short series in a panel of long ones: does it still cut every series' window?

A global network's default window is capped by the panel's shortest series. Before the
sixteenth pass that cap held however short the series was, so one new series in a panel of
long ones cut every series' window to a few rows (a new-user trial: 19 long weekly series,
horizon 52, mlp MAE 12.3 alone and 92.9 with one 169-row series beside them). Now the
shortest series may cut the window to half a season (or horizon) and no further, and the
series then too short for one window are padded (``forecastkit.forecaster.default_lookback``,
``pad_rows``).

The panels are drawn from the M4 Weekly *training* series (the test weeks are never read),
with weekly dates (season 52): ``--long`` series of at least ``--min-long`` weeks chosen at
random, and one more series cut to its last ``2 * horizon + 10`` weeks; or with ``--data
hourly`` from the seeded synthetic hourly panel (``forecastkit.synthetic.hourly_panel``, 960
hours, seasons 24 and 168, horizons 24 and 48). Each series' last ``horizon`` rows are held out; every model is fit with its defaults (after) and with the
window the shortest series set before (``lookback`` = the old cap, before), and, as the
reference, on the long series alone. MASE is scaled by each series' in-sample naive error
(lag 1), averaged over the long series and shown alone for the short one.

Usage::

    python benchmarks/short_series.py                 # horizons 13 and 52, 2 draws each
    python benchmarks/short_series.py --draws 1 --horizons 13 --models mlp
    python benchmarks/short_series.py --data hourly --horizons 24,48
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("FORECASTKIT_JOBS", "1")

import m4_weekly as m4  # noqa: E402  (read_m4)

from forecastkit import Forecaster  # noqa: E402
from forecastkit.data import from_pandas  # noqa: E402
from forecastkit.forecaster import default_lookback  # noqa: E402
from forecastkit.models.registry import get_spec  # noqa: E402
from forecastkit.synthetic import hourly_panel  # noqa: E402

DATA = HERE.parent.parent / "shared" / "data" / "m4" / "Weekly-train.csv"
#: Each data's frequency and season.
FREQS = {"m4": ("W-SUN", 52), "hourly": ("h", 24)}


def draw(data: str, horizon: int, long: int, min_long: int, seed: int) -> dict:
    """``long`` random series of at least ``min_long`` rows (M4) or of the synthetic hourly
    panel, and one cut to its last ``2 * horizon + 10`` rows (id ``short``), each whole (its
    last ``horizon`` rows still in)."""
    rng = np.random.default_rng(seed)
    if data == "hourly":
        frame = hourly_panel(n_series=long + 1, seed=seed)
        full = {str(sid): part["y"].to_numpy(float) for sid, part in frame.groupby("id", sort=False)}
    else:
        full = {sid: y for sid, y in m4.read_m4(DATA).items() if len(y) >= min_long}
    chosen = rng.choice(sorted(full), size=long + 1, replace=False)
    panel = {sid: full[sid] for sid in chosen[:long]}
    panel["short"] = full[chosen[long]][-(2 * horizon + 10):]
    return panel


def to_panel(series: dict, freq: str):
    """The series as a panel, every one ending at the same time."""
    frame = pd.concat([pd.DataFrame({"id": sid, "t": pd.date_range(end="2017-12-31", periods=len(y), freq=freq),
                                     "y": y}) for sid, y in series.items()], ignore_index=True)
    return from_pandas(frame, id="id", time="t", target="y")


def mase(actual: np.ndarray, predicted: np.ndarray, history: np.ndarray) -> float:
    scale = np.mean(np.abs(np.diff(history)))
    return float(np.mean(np.abs(actual - predicted)) / (scale if scale > 0 else 1.0))


def run(model: str, series: dict, horizon: int, lookback: int | None, freq: str) -> tuple[dict, int, float]:
    """Per-series MASE of ``model`` fit on all but each series' last ``horizon`` weeks."""
    train = {sid: y[:-horizon] for sid, y in series.items()}
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = Forecaster(model, horizon=horizon, lookback=lookback, seed=0).fit(to_panel(train, freq))
        frame = forecaster.predict()
    seconds = time.perf_counter() - began
    by_id = {sid: part.sort_values("time")["yhat"].to_numpy() for sid, part in frame.groupby("id")}
    return ({sid: mase(series[sid][-horizon:], by_id[sid], train[sid]) for sid in series},
            forecaster.lookback_, seconds)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=sorted(FREQS), default="m4")
    parser.add_argument("--models", default="linear,mlp,vanilla")
    parser.add_argument("--horizons", default="13,52")
    parser.add_argument("--draws", type=int, default=2)
    parser.add_argument("--long", type=int, default=19, help="long series per panel")
    parser.add_argument("--min-long", type=int, default=400, help="weeks a long series has at least")
    args = parser.parse_args(argv)
    freq, season = FREQS[args.data]
    print("| horizon | draw | model | window before -> after | long series, before | after | alone | "
          "short series, before | after | seconds before / after |")
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|---|")
    totals = {}
    for horizon in map(int, args.horizons.split(",")):
        for d in range(args.draws):
            series = draw(args.data, horizon, args.long, args.min_long, seed=d)
            shortest = min(len(y) for y in series.values()) - horizon
            longs = [sid for sid in series if sid != "short"]
            for model in args.models.split(","):
                old = default_lookback(horizon, season, shortest, get_spec(model).lookback_multiple)
                before, _, t0 = run(model, series, horizon, old, freq)
                after, lookback, t1 = run(model, series, horizon, None, freq)
                alone, _, _ = run(model, {sid: series[sid] for sid in longs}, horizon, None, freq)
                row = [np.mean([arm[sid] for sid in longs]) for arm in (before, after, alone)]
                row += [before["short"], after["short"]]
                totals.setdefault(model, []).append(row)
                print(f"| {horizon} | {d} | {model} | {old} -> {lookback} | {row[0]:.3f} | {row[1]:.3f} | "
                      f"{row[2]:.3f} | {row[3]:.3f} | {row[4]:.3f} | {t0:.0f} / {t1:.0f} |", flush=True)
    print("\nGeometric means over the panels (long series before / after / alone; short series before / after):")
    for model, rows in totals.items():
        means = np.exp(np.mean(np.log(np.asarray(rows)), axis=0))
        print(f"- {model}: {means[0]:.3f} / {means[1]:.3f} / {means[2]:.3f}; {means[3]:.3f} / {means[4]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
