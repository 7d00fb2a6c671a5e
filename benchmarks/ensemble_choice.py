"""Ensemble members chosen on each fit's held-out origins against the plain median (issue 14).

Training-period validation only, on the inner walk-forward of ``choose_defaults.py`` (each
shipped dataset without the rows a default ``forecastkit evaluate`` tests on; 8 origins, a
refit at each): the default ensemble (``linear, mlp, vanilla``, every other setting default)
as shipped, which combines the members its held-out origins favour
(:func:`forecastkit.ensemble_validation.choose_members`), against the same ensemble forced to
combine every member (the first version's plain median). Score: inner MASE relative to
seasonal naive, and the geometric mean over the datasets (lower is better). co2 is left out
as in ``choose_defaults.py`` for the LSTM family (one of the members).

Usage: ``python benchmarks/ensemble_choice.py [--datasets airline,nile] [--arms held-out,median]``
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import choose_defaults  # noqa: E402  (training_part, inner_splitter, Runner)

from forecastkit import Forecaster, ensemble_validation  # noqa: E402
from forecastkit.evaluation import walk_forward  # noqa: E402
from forecastkit.grouped import trainer  # noqa: E402

CHOOSE = ensemble_validation.choose_members


def every_member(forecasts, actual, units, tolerance=ensemble_validation.TOLERANCE):
    """The plain median's "choice": every member."""
    return tuple(range(forecasts.shape[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(n for n in choose_defaults.DATASETS if n != "co2"))
    parser.add_argument("--arms", default="held-out,median")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    trainer.JIT = False  # as choose_defaults.py: traced, not XLA-compiled, per shape
    names = args.datasets.split(",")
    runner = choose_defaults.Runner(names, None)
    table = {}
    for arm in args.arms.split(","):
        ensemble_validation.choose_members = CHOOSE if arm == "held-out" else every_member
        scores = {}
        for name in names:
            d = runner.data[name]
            began = time.perf_counter()
            result = walk_forward(d["panel"], {"ensemble": Forecaster("ensemble", horizon=d["horizon"])},
                                  d["splitter"], baselines=False, n_jobs=1)
            board = result.leaderboard().set_index("model")
            scores[name] = float(board.loc["ensemble", "mase"]) / d["naive"]
            chosen = result.fits.get("preprocess")
            picks = [text.split(";")[0].removeprefix("median of ") for text in chosen] if chosen is not None else []
            print(f"{arm:9s} {name:10s} {scores[name]:.3f} ({time.perf_counter() - began:.0f} s) members per fit: "
                  f"{' | '.join(picks)}", flush=True)
        table[arm] = scores
    print("\n| arm | " + " | ".join(names) + " | geometric mean |")
    print("|---|" + "---:|" * (len(names) + 1))
    for arm, scores in table.items():
        mean = float(np.exp(np.mean(np.log(list(scores.values())))))
        print(f"| {arm} | " + " | ".join(f"{scores[n]:.3f}" for n in names) + f" | {mean:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
