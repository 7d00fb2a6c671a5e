"""Size of the Diebold-Mariano test with few origins: the old HAC test against the new one (issue 18).

Two equally accurate forecasters: their per-origin loss differential has mean 0, so every
rejection at the 5% level is a false one, and a sized test rejects in about 5% of the
replications. The differential is an MA(h-1) process with Gaussian innovations, as the loss
averaged over ``h = 1..H`` is at origins one row apart (stride 1): consecutive origins share
``H - 1`` forecast targets.

    d_t = sum_{i=0}^{H-1} w_i e_{t-i},   e_t ~ N(0, 1) i.i.d.

``equal`` weights (``w_i = 1``, the averaged loss when the per-target losses are independent)
are the main case and the hard one: the spectrum of ``d`` falls to zero at frequency ``2 pi / H``.
``decaying`` weights (``w_i = H - i``) are a milder check. A third block, ``stride = H``, draws
independent differentials (origins that do not overlap): the old library still used ``H - 1``
lags there, the new test is the paired t-test.

Tests:

* ``old``: the previous ``forecastkit.significance.diebold_mariano`` (rectangular-kernel HAC
  variance with ``H - 1`` equally weighted lags, Harvey-Leybourne-Newbold correction, t(n-1),
  ``h = 1`` fallback when the variance is not positive; R's ``forecast::dm.test``), kept here
  as :func:`old_diebold_mariano` and called with ``horizon=H`` as the report called it.
* ``new``: ``forecastkit.significance.diebold_mariano(a, b, horizon=H, stride=...)``: the paired
  t-test without overlap, else the weighted-periodogram variance with fixed-smoothing t(2B)
  critical values (Coroneo & Iacone 2020), ``B = min(floor(n^(1/3)), floor(n / (4 k)))``; it
  answers "not enough origins" (nan) below ``min_origins``.

Power (last columns): the same draws shifted by ``2.8 * sd(mean of d)``, the shift a z-test
that knew the true variance would detect 80% of the time.

Usage::

    python benchmarks/dm_size.py                        # the full run, writes benchmarks/results/dm_size.md
    python benchmarks/dm_size.py --reps 300 --no-write  # a quick look
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from forecastkit.significance import diebold_mariano, min_origins  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "dm_size.md"


def old_diebold_mariano(loss_a, loss_b, horizon: int) -> tuple[float, float]:
    """The test forecastkit used before: rectangular-kernel HAC with ``horizon - 1`` lags + HLN.

    The same statistic and p-value as R's ``forecast::dm.test`` (variance ``acf``).

    Examples
    --------
    >>> round(old_diebold_mariano([2., 1., 4., 3., 5.], [1., 2., 2., 3., 2.], 1)[0], 6)
    1.414214
    """
    d = np.asarray(loss_a, dtype=float) - np.asarray(loss_b, dtype=float)
    n, h = d.size, int(horizon)
    if n < 3 or n <= h:
        return math.nan, math.nan
    if not np.any(d):
        return 0.0, 1.0
    mean = float(d.mean())
    dc = d - mean
    gamma = [float(dc[k:] @ dc[: n - k]) / n for k in range(h)]
    variance = gamma[0] + 2.0 * sum(gamma[1:])
    if variance <= 0.0:
        h, variance = 1, gamma[0]
    if variance <= 0.0:
        return math.copysign(math.inf, mean), 0.0
    statistic = mean / math.sqrt(variance / n)
    statistic *= math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    p = 2.0 * float(stats.t.sf(abs(statistic), df=n - 1))
    return float(statistic), min(p, 1.0)


def weights(kind: str, horizon: int) -> np.ndarray:
    """MA weights ``w_0 .. w_{H-1}`` of the loss differential."""
    if kind == "equal":
        return np.ones(horizon)
    if kind == "decaying":
        return np.arange(horizon, 0, -1, dtype=float)
    if kind == "independent":
        return np.ones(1)
    raise ValueError(f"unknown weights {kind!r}")


def differentials(kind: str, horizon: int, origins: int, reps: int, rng) -> tuple[np.ndarray, float]:
    """``reps`` loss differentials of length ``origins`` and the sd of their mean."""
    w = weights(kind, horizon)
    e = rng.standard_normal((reps, origins + w.size - 1))
    d = np.stack([np.convolve(row, w, mode="valid") for row in e])
    acov = [float(w[k:] @ w[: w.size - k]) for k in range(w.size)]     # true autocovariances
    var_sum = origins * acov[0] + 2 * sum((origins - k) * acov[k] for k in range(1, min(w.size, origins)))
    return d, math.sqrt(var_sum) / origins


def rejection_rate(test, draws: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    """(share of replications with p < alpha, share that could be tested)."""
    p = np.array([test(d) for d in draws])
    tested = ~np.isnan(p)
    rate = float(np.mean(p[tested] < alpha)) if tested.any() else math.nan
    return rate, float(tested.mean())


def run(kinds, horizons, origins, reps: int, seed: int) -> list[dict]:
    rows = []
    for kind in kinds:
        for h in horizons:
            stride = h if kind == "independent" else 1
            for n in origins:
                rng = np.random.default_rng([seed, h, n, len(kind)])
                draws, sd_mean = differentials(kind, h, n, reps, rng)
                zeros = np.zeros(n)
                old = lambda d: old_diebold_mariano(d, zeros, h)[1]                     # noqa: E731
                new = lambda d: diebold_mariano(d, zeros, horizon=h, stride=stride)[1]  # noqa: E731
                size_old, _ = rejection_rate(old, draws)
                size_new, tested = rejection_rate(new, draws)
                shifted = draws + 2.8 * sd_mean
                power_old, _ = rejection_rate(old, shifted)
                power_new, _ = rejection_rate(new, shifted)
                rows.append(dict(weights=kind, h=h, stride=stride, origins=n,
                                 needed=min_origins(h, stride), size_old=size_old, size_new=size_new,
                                 tested=tested, power_old=power_old, power_new=power_new))
                print(_row(rows[-1]), flush=True)
    return rows


HEADER = ("| weights | h | stride | origins | new needs | old: size | new: size | old: power | new: power |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{100 * x:.1f}%"


def _row(r: dict) -> str:
    untested = r["tested"] < 1
    new_size = "not enough origins" if untested else _pct(r["size_new"])
    new_power = "not enough origins" if untested else _pct(r["power_new"])
    return (f"| {r['weights']} | {r['h']} | {r['stride']} | {r['origins']} | {r['needed']} | "
            f"{_pct(r['size_old'])} | {new_size} | {_pct(r['power_old'])} | {new_power} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000, help="replications per cell (default 2000)")
    parser.add_argument("--horizons", default="1,6,12", help="comma-separated H (default 1,6,12)")
    parser.add_argument("--origins", default="24,48,100", help="comma-separated n (default 24,48,100)")
    parser.add_argument("--weights", default="equal,decaying,independent",
                        help="MA weights: equal, decaying, independent (stride = H)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help=f"print only, do not write {OUT.name}")
    args = parser.parse_args(argv)
    horizons = [int(x) for x in args.horizons.split(",")]
    origins = [int(x) for x in args.origins.split(",")]
    kinds = args.weights.split(",")
    print(HEADER)
    start = time.perf_counter()
    rows = run(kinds, horizons, origins, args.reps, args.seed)
    seconds = time.perf_counter() - start
    if not args.no_write:
        command = " ".join(["python benchmarks/dm_size.py", *(sys.argv[1:] if argv is None else argv)])
        table = "\n".join([HEADER, *map(_row, rows)])
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(_REPORT.format(command=command, reps=args.reps, seed=args.seed,
                                      table=table, seconds=seconds))
        print(f"wrote {OUT}")
    return 0


_REPORT = """# Size of the Diebold-Mariano test with few origins (issue 18)

Command: `{command}` ({reps} replications per cell, seed {seed}, {seconds:.0f} s).

Two equally accurate forecasters: the per-origin loss differential is MA(h-1) with Gaussian
innovations (`equal`: weights 1, the loss averaged over the h forecast steps at origins one row
apart; `decaying`: weights h, h-1, ..., 1) or, for `independent`, i.i.d. differentials at origins
`stride = h` rows apart (no overlap). Size = rejection rate of the true null at the 5% level
(aim: 4-6%; the Monte Carlo standard error is about 0.5 points). Power = rejection rate after
shifting the differential by 2.8 standard deviations of its mean (80% for a z-test that knew
the variance). "not enough origins": the new test refuses (fewer origins than `min_origins`,
shown as "new needs"), which is what the verdict then says.

- old: rectangular-kernel HAC variance with h-1 lags, Harvey-Leybourne-Newbold correction,
  t(n-1) (R's `forecast::dm.test`), called with `horizon=h` whatever the stride.
- new: paired t-test when origins do not overlap; otherwise the weighted periodogram (Daniell)
  variance over the B lowest Fourier frequencies with fixed-smoothing t(2B) critical values
  (Coroneo & Iacone 2020), B = min(floor(n^(1/3)), floor(n / (4 k))), k = ceil(h / stride).

{table}

Reading: the old test is oversized wherever origins overlap (28% of true nulls rejected at h = 12
with 24 origins, 15-18% with 48), and also when they do not (8-12% at stride = h, where it still
used h - 1 lags), so its "p<0.001" verdicts could not be trusted. The new test stays at 4-6.5%
wherever it runs except h = 6 with 24 origins (7.1% here; 6.4% in a 4,000-replication rerun):
with only 4 origins per overlapping origin the one periodogram ordinate it uses sits where
the spectrum has already fallen by a fifth. Below 4 origins per overlapping origin (h = 12
with 24 origins) no bandwidth reaches the size, and the test says "not enough origins" instead
of guessing. The price is power with few origins (40% instead of an oversized test's 78% at
h = 6 with 24 origins): a sized test with few effective degrees of freedom needs a larger
difference, more origins, or origins that do not overlap (stride = h: the paired t-test with
n - 1 degrees of freedom, sized and as powerful as the oracle z-test).
"""


if __name__ == "__main__":
    raise SystemExit(main())
