"""Evidence for ``preprocess="auto"`` from training-period validation only (issue 14).

Same protocol as ``benchmarks/choose_defaults.py`` (whose data split it imports): every
shipped dataset loses the rows a default ``forecastkit evaluate`` tests on, and an inner
walk-forward (8 origins, a refit at each) runs on what is left. Each model is scored with the
preprocessing of yesterday's default (``preprocess="none"``: standard scaling only), with
fixed chains a user might pick by hand, and with ``preprocess="auto"`` (the judge choosing per
fit). Scores are inner MASE relative to seasonal naive on the same origins; the summary is
their geometric mean over datasets (lower is better, 1.0 = seasonal naive).

Usage: ``python benchmarks/choose_preprocess.py [--models linear,mlp] [--datasets airline,nile]
[--out FILE]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from choose_defaults import DATASETS, inner_splitter, training_part  # noqa: E402

from forecastkit import Forecaster  # noqa: E402
from forecastkit.evaluation import walk_forward  # noqa: E402

VARIANTS = {
    "none (before)": {"preprocess": "none"},
    "log + diff": {"preprocess": "none", "transform": "log", "difference": True},
    "deseason + diff": {"preprocess": "none", "deseason": "classical", "difference": True},
    "sdiff": {"preprocess": "none", "seasonal_difference": True},
    "auto (after)": {},
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="linear,mlp,vanilla")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    began = time.perf_counter()
    for name in args.datasets.split(","):
        panel, horizon = training_part(name)
        splitter, _ = inner_splitter(panel, horizon)
        naive = walk_forward(panel, ["seasonal_naive"], splitter, baselines=False).leaderboard()
        naive = float(naive.set_index("model").loc["seasonal_naive", "mase"])
        positive = bool((panel.frame["y"] > 0).all())
        for model in args.models.split(","):
            for label in args.variants.split(","):
                kwargs = VARIANTS[label]
                if "transform" in kwargs and not positive:
                    continue
                forecaster = Forecaster(model, horizon=horizon, **kwargs)
                start = time.perf_counter()
                try:
                    result = walk_forward(panel, {model: forecaster}, splitter, baselines=False)
                    board = result.leaderboard().set_index("model")
                    ok = int(board.loc[model, "failed_fits"]) == 0
                    mase = float(board.loc[model, "mase"]) if ok else math.inf
                    chosen = ", ".join(sorted(set(result.fits["preprocess"]))) if label.startswith("auto") else ""
                except Exception as err:  # a chain that cannot run on this dataset
                    mase, chosen = math.inf, f"{type(err).__name__}"
                rows.append(dict(model=model, dataset=name, variant=label, relative=mase / naive, chosen=chosen,
                                 seconds=round(time.perf_counter() - start, 1)))
                print(f"{model:8s} {name:10s} {label:16s} relative MASE {mase / naive:.3f} {chosen}", flush=True)
    frame = pd.DataFrame(rows)
    summary = (frame[np.isfinite(frame["relative"])].groupby(["model", "variant"], sort=False)["relative"]
               .apply(lambda r: float(np.exp(np.log(r).mean()))).unstack("variant"))
    text = ["| model | " + " | ".join(summary.columns) + " |", "|---|" + "---:|" * len(summary.columns)]
    text += [f"| {m} | " + " | ".join(f"{v:.3f}" for v in summary.loc[m]) + " |" for m in summary.index]
    detail = frame.pivot_table(index=["model", "dataset"], columns="variant", values="relative", sort=False)
    lines = ["Geometric mean over datasets of inner MASE / seasonal-naive MASE (training part only):", "",
             *text, "", "Per dataset:", "", _markdown(detail.round(3).reset_index()), "",
             "Chains auto chose (per dataset, all inner fits):", "",
             _markdown(frame[frame["variant"].str.startswith("auto")][["model", "dataset", "chosen"]]),
             "", f"Total {time.perf_counter() - began:.0f} s"]
    print("\n".join(lines))
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0


def _markdown(frame: pd.DataFrame) -> str:
    rows = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    return "\n".join(rows + ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)])


if __name__ == "__main__":
    raise SystemExit(main())
