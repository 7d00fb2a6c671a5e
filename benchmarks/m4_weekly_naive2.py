"""Accuracy check: Naive2 on the M4 Weekly subset against the published sMAPE / MASE.

Reads ``Weekly-train.csv`` and ``Weekly-test.csv`` of the M4 competition (359 series,
horizon 13, seasonal period 1) from ``../shared/data/m4`` relative to the repository root
(or ``--data DIR``), forecasts every series with
:func:`forecastkit.models.baselines.naive2` and scores it with :mod:`forecastkit.metrics`
the M4 way:

* sMAPE of a series = ``smape(test, forecast)``, the mean over h of 200|y-f|/(|y|+|f|);
* MASE of a series = ``mase(test, forecast, scale)`` with ``scale`` the in-sample MAE of
  the naive forecast (lag m = 1) over the whole training series (``insample_scales``);
* both averaged over the series (every series has 13 values, so this is also the mean
  over all forecasts).

Prints the two figures beside the published 9.161 / 2.777 (M4 organisers' "Evaluation and
Ranks") and their ratio; exits with status 1 if either differs by more than 0.001.

Usage: ``python benchmarks/m4_weekly_naive2.py [--data DIR]``
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from forecastkit.metrics import insample_scales, mase, smape  # noqa: E402
from forecastkit.models.baselines import naive2  # noqa: E402

HORIZON = 13
SEASON = 1
PUBLISHED = {"sMAPE": 9.161, "MASE": 2.777}
TOLERANCE = 0.001


def read_m4(path: Path) -> dict[str, np.ndarray]:
    """M4 csv -> {id: values}. Header V1..Vk, first column the id, rows padded with ''."""
    series = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)  # header V1, V2, ...
        for row in reader:
            if not row:
                continue
            values = [v for v in row[1:] if v.strip() != ""]
            series[row[0]] = np.array(values, dtype=np.float64)
    return series


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "m4",
                        help="folder with Weekly-train.csv and Weekly-test.csv "
                             "(default: ../shared/data/m4 from the repository root)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    train = read_m4(args.data / "Weekly-train.csv")
    test = read_m4(args.data / "Weekly-test.csv")
    if train.keys() != test.keys():
        print(f"train and test ids differ: {sorted(train.keys() ^ test.keys())[:5]} ...")
        return 2
    smapes, mases = [], []
    for sid, y in train.items():
        actual = test[sid]
        if actual.size != HORIZON:
            print(f"series {sid}: test has {actual.size} values, expected {HORIZON}")
            return 2
        forecast = naive2(y, HORIZON, SEASON)
        seasonal_scale, _ = insample_scales(y, SEASON)   # m = 1: the naive in-sample MAE
        smapes.append(smape(actual, forecast))
        mases.append(mase(actual, forecast, seasonal_scale))
    elapsed = time.perf_counter() - start

    lengths = [len(y) for y in train.values()]
    print(f"M4 Weekly: {len(train)} series, {min(lengths)}-{max(lengths)} observations, "
          f"horizon {HORIZON}, season {SEASON}  ({elapsed:.2f} s)")
    print(f"{'Naive2':<8}{'ours':>10}{'published':>11}{'ratio':>9}{'diff':>10}")
    ok = True
    for name, values in (("sMAPE", smapes), ("MASE", mases)):
        ours = float(np.mean(values))
        published = PUBLISHED[name]
        diff = ours - published
        ok &= abs(diff) <= TOLERANCE
        print(f"{name:<8}{ours:>10.4f}{published:>11.3f}{ours / published:>9.4f}{diff:>+10.4f}")
    print("OK: matches the published Naive2 figures" if ok
          else f"MISMATCH: differs from the published figures by more than {TOLERANCE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
