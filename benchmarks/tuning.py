"""Accuracy and cost of tuning: the default model against the tuned one, honestly scored.

Shipped datasets: one walk-forward per dataset (``--folds`` origins, refit every 6, the
library's default stride and horizon) of ``--model`` (default mlp) with ``tune=--trials``:
the default model and ``<model> (tuned)`` on the same origins, each tuned fit searched on its
own training rows only (``evaluate --tune``). Reported: both MASE, the change, the
Diebold-Mariano p of the difference, how many fits kept the defaults (the one-standard-error
rule of :func:`forecastkit.tuning.study.chosen_trial`), the seconds the searches took and
the seconds the default model's fits took (the cost ratio).

M4 Weekly (359 series, horizon 13, season 1; ``../shared/data/m4``): the M4 protocol, one
origin, the 13 test weeks. The default global model and ``forecastkit.tune`` on the training
series alone (its inner walk-forward at the end of each series' training data; the series are
aligned on their last week), then the tuned model refit on all the training data; scored
with the M4 sMAPE, MASE and OWA (Naive2 of the same run) as ``benchmarks/m4_weekly.py`` does.

Usage (from the repository root; the full run takes about 20 minutes on 2 cores)::

    python benchmarks/tuning.py > benchmarks/results/tuning.md
    python benchmarks/tuning.py --quick          # 2 datasets, 2 trials, no M4: a smoke run
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import forecastkit  # noqa: E402
from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.evaluation import WalkForward, walk_forward  # noqa: E402

M4 = REPO.parent / "shared" / "data" / "m4"
#: The shipped datasets long enough for the walk-forward (shampoo's 36 months are not; co2's 2,284
#: weeks with a 52-week season would take the run past its budget alone).
SHIPPED = ("airline", "nile", "sunspots", "macrodata", "uschange", "visnights", "aus_accommodation")


def shipped_row(name: str, model: str, trials: int, folds: int, jobs: int | None = None, inner_folds: int = 3) -> dict:
    """Default vs tuned on one shipped dataset's walk-forward."""
    panel = datasets.load(name)
    began = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = walk_forward(panel, [model], WalkForward(folds=folds), baselines=False, tune=trials,
                                  progress=False, n_jobs=jobs, inner_folds=inner_folds)
    except forecastkit.ForecastkitError as err:
        return {"dataset": name, "note": f"skipped: {str(err)[:120]}"}
    wall = time.perf_counter() - began
    tuned = f"{model} (tuned)"
    if len(result.failed):
        return {"dataset": name, "note": f"failed fits: {result.failed['reason'].iloc[0][:120]}"}
    board = result.leaderboard("mase").set_index("model")
    searches = result.extras["tuning"]
    timings = result.timings.merge(result.fits[["model", "id", "fit"]], on=["model", "id", "fit"])
    default_seconds = float(timings.loc[timings["model"] == model, "seconds"].sum())
    tables, _ = result.significance("mase")
    p = np.nan
    if not tables.empty and "p" in tables.columns:
        pooled = tables[tables.get("id", pd.Series("(all)", index=tables.index)).astype(str) == "(all)"]
        p = float((pooled if len(pooled) else tables)["p"].iloc[0])
    frame = result.to_frame()
    pairs = frame[frame["model"].isin([model, tuned])].pivot_table(index=["id", "fit", "origin", "h"], columns="model",
                                                                    values="y_pred")
    per = ["fit"] if (searches["id"] == "*").all() else ["id", "fit"]  # a global fit covers every series
    close = pd.Series(np.isclose(pairs[model], pairs[tuned], rtol=1e-6), index=pairs.index)
    same = close.groupby(level=per).all()  # a search that kept the defaults: the default forecasts
    kept = int(same.sum())
    return {"dataset": name, "series": panel.n_series, "fits": len(searches),
            "default MASE": board.loc[model, "mase"], "tuned MASE": board.loc[tuned, "mase"],
            "change %": 100 * (board.loc[tuned, "mase"] / board.loc[model, "mase"] - 1), "DM p": p,
            "fits kept defaults": f"{kept}/{len(searches)}", "search s": float(searches["seconds"].sum()),
            "default fits s": default_seconds, "cost x": float(searches["seconds"].sum()) / max(default_seconds, 1e-9),
            "wall s": wall, "note": ""}


def m4_rows(model: str, trials: int) -> list[dict]:
    """Default vs tuned global ``model`` on M4 Weekly (one origin: the test weeks)."""
    from m4_weekly import HORIZON, read_m4, score, with_owa

    train, test = read_m4(M4 / "Weekly-train.csv"), read_m4(M4 / "Weekly-test.csv")
    ids = list(train)
    longest = max(len(y) for y in train.values())
    frame = pd.concat([pd.DataFrame({"id": sid, "t": np.arange(longest - len(y) + 1, longest + 1), "y": y})
                       for sid, y in train.items()], ignore_index=True)  # aligned on the last week
    panel = forecastkit.from_pandas(frame, id="id", time="t", target="y")
    actual = np.stack([test[sid][:HORIZON] for sid in ids])
    rows, naive2 = [], None

    def scored(name, forecaster, seconds, extra=None):
        table = forecaster.predict()
        forecast = np.stack([table.loc[table["id"] == sid, "yhat"].to_numpy() for sid in ids])
        return {"method": name, **score(actual, forecast, train), "seconds": seconds, **(extra or {})}

    began = time.perf_counter()
    naive2 = scored("naive2", Forecaster("naive2", horizon=HORIZON, season=1).fit(panel), time.perf_counter() - began)
    rows.append(with_owa(naive2, naive2))
    template = Forecaster(model, horizon=HORIZON, season=1)
    began = time.perf_counter()
    default = template.fit(panel)
    rows.append(with_owa(scored(f"{model} (defaults)", default, time.perf_counter() - began), naive2))
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuned = forecastkit.tune(panel, template, trials=trials, seed=0)
    search_seconds = time.perf_counter() - began
    began = time.perf_counter()
    fitted = tuned.forecaster.fit(panel)
    values = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in tuned.best_params.items())
    rows.append(with_owa(scored(f"{model} (tuned)", fitted, time.perf_counter() - began,
                                {"search s": search_seconds, "settled": f"{tuned.choice}: {values}"}), naive2))
    return rows


def markdown(frame: pd.DataFrame) -> str:
    frame = frame.astype(object).where(frame.notna(), "")
    for column in frame.columns:
        frame[column] = frame[column].map(_cell)
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    return "\n".join([header, rule] + ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.values])


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e6 else f"{value:.4g}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="mlp")
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--folds", type=int, default=12)
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument("--datasets", default=",".join(SHIPPED), help="comma-separated; 'none': M4 only")
    parser.add_argument("--jobs", type=int, default=None, help="processes per walk-forward (default: all CPUs)")
    parser.add_argument("--m4-trials", type=int, default=6)
    parser.add_argument("--no-m4", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    names = [] if args.datasets == "none" else args.datasets.split(",")
    if args.quick:
        names, args.trials, args.no_m4 = names[:2], 2, True
    began = time.perf_counter()
    print("# Tuning: default against tuned, scored out of sample\n")
    print(f"Command: `{' '.join(['python benchmarks/tuning.py', *(argv or sys.argv[1:])])}`\n")
    if names:
        print(f"## Shipped datasets: `evaluate --models {args.model} --tune {args.trials} --inner-folds "
              f"{args.inner_folds} --folds {args.folds} --no-baselines` (refit every 6)\n", flush=True)
        rows = []
        for name in names:
            rows.append(shipped_row(name, args.model, args.trials, args.folds, args.jobs, args.inner_folds))
            print(f"<!-- {name} done after {time.perf_counter() - began:.0f} s -->", flush=True)
        print(markdown(pd.DataFrame(rows)) + "\n", flush=True)
    if not args.no_m4:
        print(f"## M4 Weekly: the default global {args.model} against `forecastkit.tune(trials={args.m4_trials})` "
              "on the training series, scored on the 13 test weeks\n", flush=True)
        table = pd.DataFrame(m4_rows(args.model, args.m4_trials))
        print(markdown(table) + "\n")
    print(f"Total wall time: {time.perf_counter() - began:.0f} s on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
