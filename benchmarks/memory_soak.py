"""Memory soak: 200 consecutive fits in one process keep peak memory flat.

Runs one walk-forward evaluation with ``refit="always"`` (a new Keras model per fit: the
pattern that leaks when a framework keeps every traced graph) on the shipped weekly ``co2``
series: a ``vanilla`` LSTM (8 units, 2 epochs) on a 200-row sliding window, forecasting 4
weeks ahead from each of 200 origins. After every 20 committed fits it prints the resident
set size (RSS) and the peak RSS so far (``getrusage`` high-water mark), then compares the
peak after the last fit with the peak after the first 20; exits with status 1 when it grew
by more than 10%.

Before :func:`forecastkit.training.released_step_graphs` (TensorFlow's global gradient
registry kept every traced training step alive), the peak grew from 966 MiB after 20 fits
to 3078 MiB after 200 (+219%); with it, it stays within 1%.

By default the walk-forward takes ``evaluate``'s fast path (fold-parallel groups of fits,
:mod:`forecastkit.grouped`), where fits are committed when their group has trained, so the
timings arrive in bursts; ``--sequential`` measures the one-Keras-model-per-fit path instead.

Usage: ``python benchmarks/memory_soak.py [--fits 200] [--every 20] [--model vanilla] [--sequential]``
(about 5 minutes on 2 CPU cores).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.evaluation import (
    RunStore,  # noqa: E402
    WalkForward,  # noqa: E402
    walk_forward,  # noqa: E402
)

TOLERANCE = 0.10


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc; 0 where unavailable)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


def peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fits", type=int, default=200, help="consecutive fits (default: 200)")
    parser.add_argument("--every", type=int, default=20, help="report every N fits (default: 20)")
    parser.add_argument("--model", default="vanilla", help="neural model with a `units` hyperparameter "
                        "(default: vanilla)")
    parser.add_argument("--sequential", action="store_true", help="one Keras model per fit (walk_forward "
                        "fast=False) instead of the fold-parallel path")
    args = parser.parse_args(argv)

    panel = datasets.load("co2", fill="interpolate")
    forecaster = Forecaster(args.model, horizon=4, lookback=24,
                            params={"units": 8, "epochs": 2, "batch_size": 32, "patience": 1})
    splitter = WalkForward(horizon=4, folds=args.fits, refit="always", window="sliding:200")
    peaks: dict[int, float] = {}
    start = time.perf_counter()
    commit, counter = RunStore.commit_fit, {"fits": 0}

    def measured_commit(store, *fit_args, **kwargs):  # every fit passes through here
        commit(store, *fit_args, **kwargs)
        counter["fits"] += 1
        n = counter["fits"]
        if n % args.every == 0 or n == args.fits:
            peaks[n] = peak_mib()
            print(f"fit {n:4d}: RSS {rss_mib():7.1f} MiB   peak RSS {peaks[n]:7.1f} MiB   "
                  f"{time.perf_counter() - start:6.1f} s", flush=True)

    RunStore.commit_fit = measured_commit
    path = "sequential fits" if args.sequential else "fold-parallel groups"
    print(f"{args.fits} fits of {args.model} (units 8, 2 epochs) on co2, refit always, {path}, one process")
    with tempfile.TemporaryDirectory() as folder:
        result = walk_forward(panel, {args.model: forecaster}, splitter, baselines=False,
                              out=Path(folder) / "run", fast=not args.sequential)
    RunStore.commit_fit = commit
    failed = len(result.failed)
    first, last = peaks[min(peaks)], peaks[max(peaks)]
    growth = last / first - 1
    print(f"peak RSS after fit {min(peaks)}: {first:.1f} MiB; after fit {max(peaks)}: {last:.1f} MiB "
          f"({growth:+.1%}; limit {TOLERANCE:+.0%}); failed fits: {failed}")
    ok = growth <= TOLERANCE and failed == 0
    print("OK: peak memory is flat" if ok else "FAIL: peak memory grew (or fits failed)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
