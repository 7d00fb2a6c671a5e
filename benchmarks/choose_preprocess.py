"""Evidence for ``preprocess="auto"`` from training-period validation only (issue 14).

Same protocol as ``benchmarks/choose_defaults.py`` (whose data split it imports): every
shipped dataset loses the rows a default ``forecastkit evaluate`` tests on, and an inner
walk-forward (8 origins, a refit at each) runs on what is left. Each model is scored with the
preprocessing of yesterday's default (``preprocess="none"``: standard scaling only), with
fixed chains a user might pick by hand, and with ``preprocess="auto"`` (the judge choosing per
fit). Scores are inner MASE relative to seasonal naive on the same origins; the summary is
their geometric mean over datasets (lower is better, 1.0 = seasonal naive).

``--classic`` adds the training parts of the classic single series in ``../shared/data/classic``
(car sales, champagne, robberies, mean temperature, births, water usage, daily minimum
temperatures: other lengths and domains, several of them short), cut the same way. Besides
fixed chains, a variant may change the rule ``auto`` uses (``RULES``: what
:func:`forecastkit.preprocess.choice.candidates` offers the judge), to compare rules that are
not the shipped one on the same fits. Other variants keep ``auto`` and change a training
setting (``auto + validation 0.2``, ``auto + units 64``, ``auto + l2 0.01``), or compute it from
the dataset (``auto + ridge 1``: the linear builder's L2 at ``1 / `` the earliest inner fit's
training windows); ``benchmarks/results/defaults.md`` has their tables.

Usage: ``python benchmarks/choose_preprocess.py [--models linear,mlp] [--datasets airline,nile]
[--classic] [--variants "auto (after),auto: stl"] [--out FILE]``
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from choose_defaults import DATASETS, inner_splitter, training_part  # noqa: E402

from forecastkit import Forecaster  # noqa: E402
from forecastkit.data import load_csv  # noqa: E402
from forecastkit.evaluation import walk_forward  # noqa: E402
from forecastkit.preprocess import choice, seasonality  # noqa: E402

CLASSIC_DIR = ROOT.parent / "shared" / "data" / "classic"
CLASSIC = ("monthly-car-sales", "monthly_champagne_sales", "monthly-robberies", "monthly-mean-temp",
           "daily-total-female-births", "yearly-water-usage", "daily-min-temperatures")
SHIPPED = choice.candidates
SHIPPED_CYCLES = seasonality.RECENT_CYCLES


def _stl(fixed, positive, seasonal):
    """auto, but STL instead of the classical decomposition where the test finds a season."""
    return [replace(c, deseason="stl") if c.deseason == "classical" else c for c in SHIPPED(fixed, positive, seasonal)]


def _classical_or_stl(fixed, positive, seasonal):
    """auto, the judge also choosing between the classical decomposition and STL."""
    chains = SHIPPED(fixed, positive, seasonal)
    return chains + [replace(c, deseason="stl") for c in chains if c.deseason == "classical"]


def _deseason_or_sdiff(fixed, positive, seasonal):
    """auto, the judge also choosing seasonal differences alone (no first differences) instead
    of deseasonalising + first differences, where the test finds a season."""
    chains = SHIPPED(fixed, positive, seasonal)
    if seasonal and not {"deseason", "seasonal_difference"} & set(fixed) and fixed.get("difference", True):
        chains += [replace(c, deseason="none", seasonal_difference=True, difference=False) for c in chains]
    return chains


#: Variants that set a module constant of forecastkit for their runs: (module, name, value).
CONSTANTS = {"auto: classical every cycle": (seasonality, "RECENT_CYCLES", None),
             **{f"auto: classical last {k} cycles": (seasonality, "RECENT_CYCLES", k) for k in (3, 7)}}

#: Variants that change the rule of ``preprocess="auto"`` (the candidates its judge compares).
RULES = {"auto: stl": _stl, "auto: judge classical or stl": _classical_or_stl,
         "auto: judge deseason+diff or sdiff": _deseason_or_sdiff}

VARIANTS = {
    "none (before)": {"preprocess": "none"},
    "log + diff": {"preprocess": "none", "transform": "log", "difference": True},
    "deseason + diff": {"preprocess": "none", "deseason": "classical", "difference": True},
    "sdiff": {"preprocess": "none", "seasonal_difference": True},
    "auto without diff": {"difference": False},
    "auto (after)": {},
    # the scaler: per-series standard scaling of differences, or each window from its mean in its mean step
    "auto + standard": {"scaler": "standard"},
    "auto + window_steps": {"scaler": "window_steps"},
    **{name: {} for name in RULES},
    **{name: {} for name in CONSTANTS},
    # the early-stopping hold-out (the latest share of the training windows), not a chain
    "auto + validation 0.2": {"params": {"validation": 0.2}},
    "auto + validation 0.05": {"params": {"validation": 0.05}},
    # network size (mlp, vanilla) and the linear builder's L2 penalty
    **{f"auto + units {u}": {"params": {"units": u}} for u in (16, 32, 64, 128)},
    **{f"auto + l2 {a}": {"params": {"l2": a}} for a in (0.001, 0.01)},
    # a bag of copies over seeds and lookbacks (N-BEATS style), their median
    **{f"auto + bag {n}": {"bag": n} for n in (3, 5)},
    # a ridge prior that does not grow with the data: l2 = lam / the earliest inner fit's windows
    **{f"auto + ridge {lam}": (lambda panel, horizon, first, lam=lam: {"params": {"l2": lam / _windows(
        panel, horizon, first)}}) for lam in (0.3, 1, 3)},
}


def _windows(panel, horizon: int, first: int) -> int:
    """Training windows of the linear builder's earliest inner fit (default lookback, first
    differences): the scale of ``auto + ridge``'s penalty."""
    from forecastkit.forecaster import default_lookback
    from forecastkit.models.registry import get_spec

    lookback = default_lookback(horizon, panel.season_length(), first, get_spec("linear").lookback_multiple)
    return max(1, (first - lookback - horizon) * panel.n_series)


def classic_part(name: str) -> tuple:
    """A classic file without the rows a default ``forecastkit evaluate`` tests on, its horizon."""
    from choose_defaults import TEST_FOLDS

    panel = load_csv(CLASSIC_DIR / f"{name}.csv", fill="interpolate")  # daily-min-temperatures lacks two days
    horizon = panel.season_length()
    frame = panel.frame
    kept = frame[frame.groupby("id", sort=False).cumcount(ascending=False) >= TEST_FOLDS + horizon]
    return panel.with_frame(kept.reset_index(drop=True)), horizon


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="linear,mlp,vanilla")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated names of VARIANTS")
    parser.add_argument("--classic", action="store_true", help="add the classic files of ../shared/data/classic")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    began = time.perf_counter()
    names = args.datasets.split(",") + (list(CLASSIC) if args.classic else [])
    for name in names:
        panel, horizon = classic_part(name) if name in CLASSIC else training_part(name)
        splitter, first = inner_splitter(panel, horizon)
        naive = walk_forward(panel, ["seasonal_naive"], splitter, baselines=False).leaderboard()
        naive = float(naive.set_index("model").loc["seasonal_naive", "mase"])
        positive = bool((panel.frame["y"] > 0).all())
        for model in args.models.split(","):
            for label in args.variants.split(","):
                kwargs = VARIANTS[label]
                kwargs = kwargs(panel, horizon, first) if callable(kwargs) else kwargs
                if "transform" in kwargs and not positive:
                    continue
                forecaster = Forecaster(model, horizon=horizon, **kwargs)
                start = time.perf_counter()
                choice.candidates = RULES.get(label, SHIPPED)  # in this process (FORECASTKIT_JOBS=1)
                module, constant, value = CONSTANTS.get(label, (seasonality, "RECENT_CYCLES", SHIPPED_CYCLES))
                setattr(module, constant, value)
                try:
                    result = walk_forward(panel, {model: forecaster}, splitter, baselines=False, n_jobs=1)
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
