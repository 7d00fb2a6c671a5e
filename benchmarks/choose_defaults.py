"""Choose the neural models' training defaults from training-period validation (issue 14).

For every neural builder this compares candidate training settings (``loss``,
``learning_rate``, ``batch_size``, ``patience``; and, for a few builders, the lookback rule)
by an inner walk-forward on the *training part* of shipped datasets only: each dataset loses
the rows that ``forecastkit evaluate`` with its defaults would test on (``--folds 24``, horizon
= season length, so the last 24 + horizon rows), and the inner walk-forward runs on what is
left. No test row is ever seen. Scores are the inner MASE relative to seasonal naive on the
same origins, one per dataset, summarised by their geometric mean (1.0 = as good as seasonal
naive; lower is better).

The search is a cheap coordinate descent per model, from today's defaults (mse, learning rate
0.003 (linear 0.01), batch 32, patience 10, 100 epochs, 10% held out):

1. ``loss x learning_rate``: the full 3 x 3 grid for linear, mlp and vanilla (the cheap
   models and the LSTM family's representative); for the other builders the three losses at
   the default learning rate, then the other learning rates at the best loss;
2. ``batch_size x patience`` ({32, 64} x {10, 20}) at the best loss and learning rate;
3. (linear, mlp, vanilla) the lookback at 1x and 3x ``max(season, horizon, 5)`` against the
   default rule's 2x, at the chosen settings.

The winner of a stage is the lowest geometric mean; ties within :data:`TIE` go to the
candidate met first (today's value, or the cheaper one). Every fit of a model uses the same
seeds whatever the candidate (common random numbers), so differences are settings, not seeds.

Inner walk-forward: 8 origins, stride ``max(1, horizon // 6)``, a refit at every origin (8
fits, trained fold-parallel as one group), each fit on at most the latest :data:`MAX_ROWS`
rows (only co2 is longer). The LSTM-family builders other than cnn_lstm skip co2 (lookback
104 x 445 windows x 8 fits per candidate would dominate the run); linear, mlp and cnn_lstm
use every dataset. Preprocessing: ``Forecaster``'s default (``preprocess="auto"``) when
this forecastkit has it, else ``transform="log"`` (strictly positive series) and
``difference=True`` as a stand-in (the script prints which). The grouped trainer runs without
XLA here (``grouped.trainer.JIT = False``: the same step, traced in ~3 s instead of compiled in
~10 s per shape, which is most of a small run).

Results are cached per run in ``--cache`` (a CSV), so an interrupted run resumes, and the
summary tables are printed as Markdown (``--out`` writes them to a file too).

Usage: ``python benchmarks/choose_defaults.py [--quick] [--models vanilla,mlp] [--datasets airline,nile]
[--cache benchmarks/results/choose_defaults.csv] [--out FILE]``
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

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.grouped import trainer  # noqa: E402
from forecastkit.splits import WalkForward  # noqa: E402
from forecastkit.walkforward import walk_forward  # noqa: E402

DATASETS = {"airline": {}, "co2": {"fill": "interpolate"}, "sunspots": {}, "macrodata": {}, "visnights": {},
            "uschange": {}, "nile": {}}
MODELS = ("linear", "mlp", "vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
#: Builders whose loss x learning rate grid is run in full (the others: coordinate descent).
FULL_GRID = ("linear", "mlp", "vanilla")
#: Builders whose lookback rule is checked.
LOOKBACK_CHECK = ("linear", "mlp", "vanilla")
#: Builders that skip co2 (see the module docstring).
SKIP_CO2 = ("vanilla", "stacked", "bidirectional", "encoder_decoder")
LOSSES = ("mse", "mae", "huber")
LEARNING_RATES = (0.001, 0.003, 0.01)
#: Today's (pre-issue-14) training defaults, pinned so the search does not move with the registry.
TODAY = {"loss": "mse", "learning_rate": 0.003, "batch_size": 32, "patience": 10}
TODAY_OWN = {"linear": {"learning_rate": 0.01}}
#: Settings held fixed during the search (today's values).
FIXED = {"epochs": 100, "validation": 0.1, "window_sample": 0, "steps_per_epoch": 0}
TEST_FOLDS = 24  # forecastkit evaluate's default --folds
INNER_FOLDS = 8
MAX_ROWS = 600
TIE = 0.005


def training_part(name: str) -> tuple:
    """The dataset without the rows a default ``forecastkit evaluate`` tests on, its horizon."""
    panel = datasets.load(name, **DATASETS[name])
    horizon = panel.season_length()
    frame = panel.frame
    kept = frame[frame.groupby("id", sort=False).cumcount(ascending=False) >= TEST_FOLDS + horizon]
    return panel.with_frame(kept.reset_index(drop=True)), horizon


def inner_splitter(panel, horizon: int) -> tuple[WalkForward, int]:
    """The inner walk-forward and the training rows of its earliest fit."""
    stride = max(1, horizon // 6)
    rows = min(panel.lengths.values())
    first = rows - horizon - (INNER_FOLDS - 1) * stride
    window = f"sliding:{MAX_ROWS}" if first > MAX_ROWS else "expanding"
    return (WalkForward(horizon=horizon, folds=INNER_FOLDS, stride=stride, refit="always", window=window),
            min(first, MAX_ROWS))


def preprocessing(panel) -> tuple[dict, str]:
    """Forecaster keyword arguments for the preprocessing the experiments use, and its name."""
    if "preprocess" in Forecaster().get_params():
        return {}, "default (preprocess='auto')"
    positive = bool((panel.frame["y"] > 0).all())
    return ({"transform": "log" if positive else None, "difference": True},
            "stand-in: transform='log' (strictly positive series) and difference=True")


def lookback_for(factor: int, horizon: int, season: int, first_rows: int) -> int | None:
    """The default rule with ``factor`` in place of 2 (None: the rule itself)."""
    if factor == 2:
        return None
    return max(1, min(factor * max(season, horizon, 5), (first_rows - horizon + 1) // 2))


class Runner:
    """Runs (model, dataset, candidate) walk-forwards once, caching every score in a CSV."""

    COLUMNS = ["model", "dataset", "loss", "learning_rate", "batch_size", "patience", "lookback_factor",
               "mase", "seasonal_naive_mase", "relative", "seconds"]

    def __init__(self, names: list[str], cache: Path | None):
        self.cache = cache
        self.rows = pd.read_csv(cache).to_dict("records") if cache and cache.exists() else []
        self.data = {}
        for name in names:
            panel, horizon = training_part(name)
            splitter, first_rows = inner_splitter(panel, horizon)
            reference = walk_forward(panel, ["seasonal_naive"], splitter, baselines=False)
            naive = float(reference.leaderboard().set_index("model").loc["seasonal_naive", "mase"])
            kwargs, how = preprocessing(panel)
            self.data[name] = dict(panel=panel, horizon=horizon, splitter=splitter, first_rows=first_rows,
                                   naive=naive, kwargs=kwargs, season=panel.season_length())
            print(f"  {name}: {panel.n_series} series, training part {min(panel.lengths.values())} rows "
                  f"(test part dropped), horizon {horizon}, {splitter.window}, seasonal naive inner MASE "
                  f"{naive:.3f}; preprocessing {how}", flush=True)

    def score(self, model: str, name: str, candidate: dict, factor: int = 2) -> float:
        key = dict(model=model, dataset=name, **candidate, lookback_factor=factor)
        for row in self.rows:
            if all(_same(row[k], v) for k, v in key.items()):
                return float(row["relative"])
        d = self.data[name]
        lookback = lookback_for(factor, d["horizon"], d["season"], d["first_rows"])
        forecaster = Forecaster(model, horizon=d["horizon"], lookback=lookback, params={**FIXED, **candidate},
                                **d["kwargs"])
        began = time.perf_counter()
        result = walk_forward(d["panel"], {model: forecaster}, d["splitter"], baselines=False)
        board = result.leaderboard().set_index("model")
        mase = float(board.loc[model, "mase"]) if int(board.loc[model, "failed_fits"]) == 0 else math.inf
        seconds = time.perf_counter() - began
        row = {**key, "mase": mase, "seasonal_naive_mase": d["naive"], "relative": mase / d["naive"],
               "seconds": round(seconds, 1)}
        self.rows.append(row)
        if self.cache:
            pd.DataFrame(self.rows, columns=self.COLUMNS).to_csv(self.cache, index=False)
        print(f"    {model:15s} {name:9s} {_describe(candidate, factor):42s} relative MASE {row['relative']:.3f} "
              f"({seconds:.0f} s)", flush=True)
        return row["relative"]


def _same(a, b) -> bool:
    if isinstance(b, float) or isinstance(a, float):
        return math.isclose(float(a), float(b))
    return str(a) == str(b)


def _describe(candidate: dict, factor: int = 2) -> str:
    text = (f"{candidate['loss']}, lr {candidate['learning_rate']:g}, batch {candidate['batch_size']}, "
            f"patience {candidate['patience']}")
    return text + (f", lookback {factor}x" if factor != 2 else "")


def geometric_mean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values)))) if all(np.isfinite(values)) else math.inf


def search(runner: Runner, model: str, names: list[str]) -> tuple[dict, list]:
    """Coordinate descent for one model; returns the chosen candidate and every (stage, candidate,
    factor, per-dataset scores, geometric mean) tried."""
    names = [n for n in names if not (n == "co2" and model in SKIP_CO2)]
    tried = []

    def evaluate(stage: str, candidates: list[dict], factor: int = 2) -> dict:
        best, best_score = None, math.inf
        for candidate in candidates:
            scores = {n: runner.score(model, n, candidate, factor) for n in names}
            total = geometric_mean(list(scores.values()))
            tried.append((stage, candidate, factor, scores, total))
            if best is None or total < best_score * (1 - TIE):
                best, best_score = candidate, total
        return best

    start = {**TODAY, **TODAY_OWN.get(model, {})}
    if model in FULL_GRID:
        grid = [{**start, "loss": loss, "learning_rate": lr} for loss in LOSSES
                for lr in sorted(LEARNING_RATES, key=lambda v: v != start["learning_rate"])]
        chosen = evaluate("loss x learning rate", grid)
    else:
        chosen = evaluate("loss", [{**start, "loss": loss} for loss in LOSSES])
        rates = [start["learning_rate"]] + [lr for lr in LEARNING_RATES if lr != start["learning_rate"]]
        chosen = evaluate("learning rate", [{**chosen, "learning_rate": lr} for lr in rates])
    now = (chosen["batch_size"], chosen["patience"])
    pairs = [now] + [pair for pair in ((64, 10), (32, 10), (32, 20), (64, 20)) if pair != now]
    chosen = evaluate("batch x patience", [{**chosen, "batch_size": b, "patience": p} for b, p in pairs])
    if model in LOOKBACK_CHECK:
        for factor in (2, 1, 3):
            evaluate("lookback", [chosen], factor)
    return chosen, tried


def markdown(model: str, chosen: dict, tried: list, names: list[str]) -> str:
    names = [n for n in names if any(n in t[3] for t in tried)]
    lines = [f"#### {model}: chosen {_describe(chosen)}", "",
             "| stage | candidate | " + " | ".join(names) + " | geo. mean |",
             "|---|---|" + "---:|" * (len(names) + 1)]
    seen = set()
    for stage, candidate, factor, scores, total in tried:
        key = (_describe(candidate, factor),)
        if key in seen:
            continue
        seen.add(key)
        mark = " **(chosen)**" if candidate == chosen and factor == 2 else ""
        lines.append(f"| {stage} | {_describe(candidate, factor)}{mark} | "
                     + " | ".join(f"{scores[n]:.3f}" for n in names) + f" | {total:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--quick", action="store_true", help="smoke run: linear on airline and nile, 2 candidates")
    parser.add_argument("--cache", default=str(ROOT / "benchmarks" / "results" / "choose_defaults.csv"))
    parser.add_argument("--out", default=None, help="also write the Markdown tables to this file")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    trainer.JIT = False
    models, names = args.models.split(","), args.datasets.split(",")
    cache = Path(args.cache) if args.cache else None
    if args.quick:
        global LOSSES, LEARNING_RATES, FULL_GRID, LOOKBACK_CHECK
        models, names, cache = ["linear"], ["airline", "nile"], None
        LOSSES, LEARNING_RATES, FULL_GRID, LOOKBACK_CHECK = ("mse", "mae"), (0.01,), ("linear",), ()
        FIXED["epochs"] = 5
    began = time.perf_counter()
    print(f"Training parts (test rows of a default `forecastkit evaluate` dropped), inner walk-forward "
          f"{INNER_FOLDS} origins, refit at each:", flush=True)
    runner = Runner(names, cache)
    sections = []
    for model in models:
        print(f"  searching {model} ({time.perf_counter() - began:.0f} s so far)", flush=True)
        chosen, tried = search(runner, model, names)
        sections.append(markdown(model, chosen, tried, names))
        print(sections[-1] + "\n", flush=True)
    text = "\n\n".join(sections)
    print(f"done in {time.perf_counter() - began:.0f} s")
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
