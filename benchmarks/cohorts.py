"""Global models on panels whose series end at different times: one fit per origin, or one per
cohort of series ending together (``--cohorts``)?

A global fit may train on nothing at or after the earliest cut-off of the series it forecasts.
With one fit per origin (``--cohorts 1``) every series therefore trains up to the earliest
series' cut-off; with cohorts, each group of series ending together has its own fit, trained up
to that group's cut-off (``forecastkit.evaluation.cohorts.group_by_cutoff``). Two panels, each
evaluated whole process by ``forecastkit evaluate --models mlp,naive --no-baselines`` at each
``--cohorts`` of ``--values``:

* **hourly**: the synthetic 414-series hourly panel (``forecastkit.synthetic.hourly_panel``),
  every other series cut to its first 700 of 960 hours, horizon 48 (two end times);
* **m4**: M4 Weekly's training series (``../shared/data/m4/Weekly-train.csv``, skipped when
  missing) with integer periods 1..n, so every series starts at period 1 and ends at its own
  length (359 series of 80 to 2,597 weeks, 54 end times), horizon 13.

Printed per run: the mlp's and naive's MASE, the mlp's mean absolute error on the series that
end last (hourly: the uncut half), the fits and the wall seconds. Nothing is tuned on these
runs' test origins: they compare one setting's values. Full run about 5 minutes on 2 cores::

    python benchmarks/cohorts.py                  # --values 1,4,8,16 --parts hourly,m4 --seeds 0
    python benchmarks/cohorts.py --quick          # 40 hourly series, cohorts 1 and 8
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
M4 = ROOT.parent / "shared" / "data" / "m4" / "Weekly-train.csv"


def hourly(folder: Path, series: int) -> tuple[Path, list[str], set]:
    """The ragged synthetic hourly panel as a CSV, its arguments and the ids of the uncut series."""
    from forecastkit.synthetic import hourly_panel

    frame = hourly_panel(n_series=series)
    ids = frame["id"].unique()
    cut = set(ids[::2])
    frame = frame[~frame["id"].isin(cut) | (frame.groupby("id").cumcount() < 700)]
    path = folder / "hourly.csv"
    frame.to_csv(path, index=False)
    return path, ["--id", "id", "--horizon", "48"], set(ids) - cut


def m4(folder: Path) -> tuple[Path, list[str], set]:
    """M4 Weekly's training series with integer periods as a CSV, its arguments and the ids of
    the longest tenth."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import m4_weekly

    train = m4_weekly.read_m4(M4)
    frame = pd.concat([pd.DataFrame({"id": sid, "t": np.arange(1, len(y) + 1), "y": y}) for sid, y in train.items()])
    path = folder / "m4.csv"
    frame.to_csv(path, index=False)
    lengths = pd.Series({sid: len(y) for sid, y in train.items()})
    return path, ["--id", "id", "--time", "t", "--horizon", "13"], set(lengths[lengths >= lengths.quantile(0.9)].index)


def run(data: Path, arguments: list[str], cohorts: int, seed: int, out: Path, late: set) -> str:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "forecastkit", "evaluate", "--data", str(data), *arguments,
                    "--models", "mlp,naive", "--no-baselines", "--cohorts", str(cohorts), "--seed", str(seed),
                    "--quiet", "--out", str(out)], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - began
    board = pd.read_csv(out / "leaderboard.csv").set_index("model")["mase"]
    results = pd.read_csv(out / "results.csv")
    mlp = results[(results["model"] == "mlp") & results["id"].astype(str).isin(late)]
    with sqlite3.connect(out / "results.sqlite") as db:
        fits = db.execute("SELECT COUNT(*) FROM fits WHERE model = 'mlp'").fetchone()[0]
    return (f"cohorts {cohorts:>2}, seed {seed}: mlp MASE {board['mlp']:.3f} (naive {board['naive']:.3f}), mlp MAE on "
            f"the series ending last {(mlp['y_true'] - mlp['y_pred']).abs().mean():.1f}, {fits} mlp fits, "
            f"{seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="1,4,8,16", help="the --cohorts values compared")
    parser.add_argument("--parts", default="hourly,m4")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--quick", action="store_true", help="40 hourly series, cohorts 1 and 8")
    args = parser.parse_args()
    values = [1, 8] if args.quick else [int(v) for v in args.values.split(",")]
    parts = ["hourly"] if args.quick else args.parts.split(",")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for part in parts:
            if part == "m4" and not M4.is_file():
                print(f"m4: {M4} not found, skipped")
                continue
            data, arguments, late = hourly(folder, 40 if args.quick else 414) if part == "hourly" else m4(folder)
            print(f"{part}:", flush=True)
            for seed in (int(s) for s in args.seeds.split(",")):
                for cohorts in values:
                    print("  " + run(data, arguments, cohorts, seed, folder / f"{part}-{cohorts}-{seed}", late),
                          flush=True)


if __name__ == "__main__":
    main()
