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
0.003 (linear 0.01), batch 32, patience 10, 100 epochs, 10% held out, lookback
``2 * max(season, horizon, 5)`` capped at half the shortest fit's usable rows):

0. ``lookback``: the rule with 1x (and for linear, mlp and vanilla 3x) in place of 2x, at
   today's settings; each of linear, mlp and cnn_lstm takes its own best, the LSTM family
   (vanilla, stacked, bidirectional, encoder_decoder) one shared 1x-or-2x choice by the
   geometric mean over all its builders and datasets (single-builder differences of 2-5% are
   within noise here, and a shared rule is easier to explain; 3x, tried for vanilla, also
   triples the cost of a step);
1. ``loss x learning_rate`` at the chosen lookback: the full 3 x 3 grid for the cheap linear
   and mlp; for vanilla, cnn_lstm and encoder_decoder the three losses at the default learning
   rate, then the other learning rates at the best loss; for the costliest, stacked and
   bidirectional, mse and mae, then learning rate 0.01 against 0.003;
2. ``batch_size``, ``patience`` (linear, mlp, vanilla, cnn_lstm): batch 64 and patience 20 one
   at a time at the best so far, and both together when each alone was better;
3. ``steps_per_epoch`` (linear, mlp; a check, not a search): :data:`BUDGET` steps per epoch
   against every window, on co2's whole training part ("co2 (all rows)": ~2,000 windows per
   fit, more than 50 x 32), the one shipped series the budget reaches.

The winner of a stage is the lowest geometric mean, but a candidate must beat the one met
first (today's value, or the cheaper one) by :data:`TIE` (2%) to replace it: smaller
differences are within what the fits' seeds alone move the scores here. Every fit of a model
uses the same seeds whatever the candidate (common random numbers), so differences are
settings, not seeds.

Inner walk-forward: 8 origins, stride ``max(1, horizon // 6)``, a refit at every origin (8
fits, trained fold-parallel as one group), each fit on at most the latest :data:`MAX_ROWS`
rows (only co2 is longer). The LSTM-family builders skip co2 (lookback 104 x 445 windows x 8
fits per candidate would dominate the run); linear and mlp use every dataset.
Preprocessing: ``Forecaster``'s default (``preprocess="auto"``) when this forecastkit has it, else ``transform="log"`` (strictly positive series) and
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
from forecastkit.evaluation import WalkForward, walk_forward  # noqa: E402
from forecastkit.grouped import trainer  # noqa: E402

DATASETS = {"airline": {}, "co2": {"fill": "interpolate"}, "sunspots": {}, "macrodata": {}, "visnights": {},
            "uschange": {}, "nile": {}}
MODELS = ("linear", "mlp", "vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
#: Builders whose loss x learning rate grid is run in full (the others: coordinate descent).
FULL_GRID = ("linear", "mlp")
#: Builders whose lookback is also tried at 3x (every builder tries 1x and 2x).
LOOKBACK_CHECK = ("linear", "mlp", "vanilla")
#: The costliest builders: losses mse and mae only, learning rates 0.003 and 0.01 only.
REDUCED = ("stacked", "bidirectional")
#: The LSTM family: one lookback rule for all (:func:`family_lookback`); cnn_lstm, whose
#: convolution and pooling read the window differently, chooses its own like linear and mlp.
FAMILY = ("vanilla", "stacked", "bidirectional", "encoder_decoder")
#: Builders whose batch size and patience are searched (the others keep today's).
BATCH_CHECK = ("linear", "mlp", "vanilla", "cnn_lstm")
#: Builders that skip co2 (see the module docstring).
SKIP_CO2 = ("vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
LOSSES = ("mse", "mae", "huber")
LEARNING_RATES = (0.001, 0.003, 0.01)
#: Today's (pre-issue-14) training defaults, pinned so the search does not move with the registry.
TODAY = {"loss": "mse", "learning_rate": 0.003, "batch_size": 32, "patience": 10, "steps_per_epoch": 0}
TODAY_OWN = {"linear": {"learning_rate": 0.01}}
#: Settings held fixed during the search (today's values).
FIXED = {"epochs": 100, "validation": 0.1, "window_sample": 0}
#: The optimiser-step budget checked against "every window" on co2's whole training part.
BUDGET = 50
#: Builders whose budget is checked (cheap enough on co2's ~2,000 windows x 8 fits).
BUDGET_CHECK = ("linear", "mlp")
TEST_FOLDS = 24  # forecastkit evaluate's default --folds
INNER_FOLDS = 8
MAX_ROWS = 600
TIE = 0.02  # a change from the candidate met first must beat it by 2% (less is seed noise here)


def training_part(name: str) -> tuple:
    """The dataset without the rows a default ``forecastkit evaluate`` tests on, its horizon."""
    panel = datasets.load(name, **DATASETS[name])
    horizon = panel.season_length()
    frame = panel.frame
    kept = frame[frame.groupby("id", sort=False).cumcount(ascending=False) >= TEST_FOLDS + horizon]
    return panel.with_frame(kept.reset_index(drop=True)), horizon


def inner_splitter(panel, horizon: int, max_rows: int | None = MAX_ROWS) -> tuple[WalkForward, int]:
    """The inner walk-forward and the training rows of its earliest fit."""
    stride = max(1, horizon // 6)
    rows = min(panel.lengths.values())
    first = rows - horizon - (INNER_FOLDS - 1) * stride
    max_rows = max_rows or first
    window = f"sliding:{max_rows}" if first > max_rows else "expanding"
    return (WalkForward(horizon=horizon, folds=INNER_FOLDS, stride=stride, refit="always", window=window),
            min(first, max_rows))


def preprocessing(panel) -> tuple[dict, str]:
    """Forecaster keyword arguments for the preprocessing the experiments use, and its name."""
    if "preprocess" in Forecaster().get_params():
        return {}, "default (preprocess='auto')"
    positive = bool((panel.frame["y"] > 0).all())
    return ({"transform": "log" if positive else None, "difference": True},
            "stand-in: transform='log' (strictly positive series) and difference=True")


def lookback_for(factor: int, horizon: int, season: int, first_rows: int) -> int:
    """Today's default rule (2x) with ``factor`` in place of 2, capped at half the rows of the
    earliest fit (pinned, so the search does not move with the library's rule)."""
    return max(1, min(factor * max(season, horizon, 5), (first_rows - horizon + 1) // 2))


class Runner:
    """Runs (model, dataset, candidate) walk-forwards once, caching every score in a CSV."""

    COLUMNS = ["model", "dataset", "loss", "learning_rate", "batch_size", "patience", "steps_per_epoch",
               "lookback_factor",
               "mase", "seasonal_naive_mase", "relative", "seconds"]

    def __init__(self, names: list[str], cache: Path | None):
        self.cache = cache
        self.rows = pd.read_csv(cache).to_dict("records") if cache and cache.exists() else []
        self.data = {}
        for name in names + ["co2 (all rows)"] * ("co2" in names):
            panel, horizon = training_part(name.split(" ")[0])
            splitter, first_rows = inner_splitter(panel, horizon, None if name.endswith("(all rows)") else MAX_ROWS)
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
        print(f"    {model:15s} {name:9s} {_describe(candidate, factor):55s} relative MASE {row['relative']:.3f} "
              f"({seconds:.0f} s)", flush=True)
        return row["relative"]


def _same(a, b) -> bool:
    if isinstance(b, float) or isinstance(a, float):
        return math.isclose(float(a), float(b))
    return str(a) == str(b)


def _describe(candidate: dict, factor: int = 2) -> str:
    text = (f"{candidate['loss']}, lr {candidate['learning_rate']:g}, batch {candidate['batch_size']}, "
            f"patience {candidate['patience']}")
    if candidate["steps_per_epoch"]:
        text += f", {candidate['steps_per_epoch']} steps/epoch"
    return text + f", lookback {factor}x"


def geometric_mean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values)))) if all(np.isfinite(values)) else math.inf


def datasets_of(model: str, names: list[str]) -> list[str]:
    return [n for n in names if not (n == "co2" and model in SKIP_CO2)]


def family_lookback(runner: Runner, models: list[str], names: list[str]) -> tuple[int | None, str]:
    """The lookback factor the LSTM family shares: 1x or 2x by the geometric mean over every
    (builder, dataset) pair at today's settings (2x unless 1x beats it by :data:`TIE`)."""
    members = [m for m in models if m in FAMILY]
    if not members:
        return None, ""
    pooled = {f: geometric_mean([runner.score(m, n, {**TODAY, **TODAY_OWN.get(m, {})}, f)
                                 for m in members for n in datasets_of(m, names)]) for f in (2, 1)}
    factor = 1 if pooled[1] < pooled[2] * (1 - TIE) else 2
    text = (f"#### LSTM family lookback ({', '.join(members)}; today's settings): geometric mean over every "
            f"builder and dataset: 2x {pooled[2]:.3f}, 1x {pooled[1]:.3f}: chosen {factor}x")
    return factor, text


def search(runner: Runner, model: str, names: list[str], family_factor: int | None = None) -> tuple[dict, int, list]:
    """Coordinate descent for one model; returns the chosen candidate, its lookback factor and
    every (stage, candidate, factor, per-dataset scores, geometric mean) tried. A builder of the
    LSTM family takes ``family_factor`` (its own lookback rows are shown, not used)."""
    names = datasets_of(model, names)
    tried, totals = [], {}

    def evaluate(stage: str, candidates: list[tuple[dict, int]]) -> tuple[dict, int]:
        best, best_score = None, math.inf
        for candidate, factor in candidates:
            scores = {n: runner.score(model, n, candidate, factor) for n in names}
            total = geometric_mean(list(scores.values()))
            tried.append((stage, candidate, factor, scores, total))
            totals[_describe(candidate, factor)] = total
            if best is None or total < best_score * (1 - TIE):
                best, best_score = (candidate, factor), total
        return best

    start = {**TODAY, **TODAY_OWN.get(model, {})}
    factors = (2, 1, 3) if model in LOOKBACK_CHECK else (2, 1)
    chosen, factor = evaluate("lookback", [(start, f) for f in factors])
    if model in FAMILY and family_factor:
        chosen, factor = start, family_factor
    rates = [start["learning_rate"]] + [lr for lr in LEARNING_RATES if lr != start["learning_rate"]]
    if model in FULL_GRID:
        chosen, factor = evaluate("loss x learning rate", [({**start, "loss": loss, "learning_rate": lr}, factor)
                                                           for loss in LOSSES for lr in rates])
    elif model in REDUCED:
        chosen, factor = evaluate("loss", [({**start, "loss": loss}, factor) for loss in LOSSES[:2]])
        chosen, factor = evaluate("learning rate", [(chosen, factor), ({**chosen, "learning_rate": 0.01}, factor)])
    else:
        chosen, factor = evaluate("loss", [({**start, "loss": loss}, factor) for loss in LOSSES])
        chosen, factor = evaluate("learning rate", [({**chosen, "learning_rate": lr}, factor) for lr in rates])
    if model in BATCH_CHECK:
        base = chosen
        chosen, factor = evaluate("batch, patience", [(base, factor), ({**base, "batch_size": 64}, factor),
                                                      ({**base, "patience": 20}, factor)])
        alone = [totals[_describe({**base, **change}, factor)] for change in ({"batch_size": 64}, {"patience": 20})]
        if all(total < totals[_describe(base, factor)] * (1 - TIE) for total in alone):
            chosen, factor = evaluate("batch, patience", [(chosen, factor),
                                                          ({**base, "batch_size": 64, "patience": 20}, factor)])
    if model in BUDGET_CHECK and "co2 (all rows)" in runner.data:
        names[:] = ["co2 (all rows)"]
        evaluate("budget", [(chosen, factor), ({**chosen, "steps_per_epoch": BUDGET}, factor)])
    return chosen, factor, tried


def markdown(model: str, chosen: dict, chosen_factor: int, tried: list, names: list[str]) -> str:
    names = [n for n in [*names, "co2 (all rows)"] if any(n in t[3] for t in tried)]
    lines = [f"#### {model}: chosen {_describe(chosen, chosen_factor)}", "",
             "| stage | candidate | " + " | ".join(names) + " | geo. mean |",
             "|---|---|" + "---:|" * (len(names) + 1)]
    seen = set()
    for stage, candidate, factor, scores, total in tried:
        key = (stage == "budget", _describe(candidate, factor))
        if key in seen:
            continue
        seen.add(key)
        mark = " **(chosen)**" if candidate == chosen and factor == chosen_factor else ""
        lines.append(f"| {stage} | {_describe(candidate, factor)}{mark} | "
                     + " | ".join(f"{scores[n]:.3f}" if n in scores else "" for n in names) + f" | {total:.3f} |")
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
        global LOSSES, LEARNING_RATES, FULL_GRID, LOOKBACK_CHECK, BATCH_CHECK
        models, names, cache = ["linear"], ["airline", "nile"], None
        LOSSES, LEARNING_RATES, FULL_GRID, LOOKBACK_CHECK, BATCH_CHECK = ("mse", "mae"), (0.01,), ("linear",), (), ()
        FIXED["epochs"] = 5
    began = time.perf_counter()
    print(f"Training parts (test rows of a default `forecastkit evaluate` dropped), inner walk-forward "
          f"{INNER_FOLDS} origins, refit at each:", flush=True)
    runner = Runner(names, cache)
    family_factor, family_text = family_lookback(runner, models, names)
    sections = [family_text] if family_text else []
    print(family_text, flush=True)
    for model in models:
        print(f"  searching {model} ({time.perf_counter() - began:.0f} s so far)", flush=True)
        chosen, factor, tried = search(runner, model, names, family_factor)
        sections.append(markdown(model, chosen, factor, tried, names))
        print(sections[-1] + "\n", flush=True)
    text = "\n\n".join(sections)
    print(f"done in {time.perf_counter() - began:.0f} s")
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
