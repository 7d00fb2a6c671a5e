"""Is one forecaster really better than another? Diebold-Mariano tests over walk-forward origins.

Walk-forward evaluation gives, for every model, series and forecast origin, one loss (the
per-row loss of :data:`forecastkit.metrics.ROW_LOSSES` averaged over ``h = 1 .. H`` at that
origin). Two models are compared on the origins both forecast:

- :func:`diebold_mariano` tests one series: is the mean loss difference zero?
  (Diebold & Mariano 1995; overlapping origins use the fixed-smoothing weighted periodogram
  variance of Coroneo & Iacone 2020, which keeps the test's size with few origins;
  :func:`min_origins` says how many it needs).
- :func:`holm` adjusts the p-values of several series for multiple testing.
- :func:`compare` runs the test on every series of a panel and combines them.
- :func:`verdict` turns comparisons into plain-English lines for the CLI and the report.

Only numpy, scipy and pandas are used.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> noise = rng.normal(0, 0.1, 40)
>>> losses = pd.DataFrame({
...     "model": ["linear"] * 40 + ["naive"] * 40,
...     "id": "airline",
...     "origin": list(range(40)) * 2,
...     "loss": np.r_[1.0 + noise, 1.25 + rng.normal(0, 0.1, 40)],
... })
>>> table = compare(losses, "linear", "naive", horizon=1)
>>> leaderboard = pd.DataFrame({"model": ["linear", "naive"], "mase": [1.0, 1.25]})
>>> print(verdict(leaderboard, {("linear", "naive"): table}, "mase")[0])
linear beats naive on MASE by 20% (p<0.001, 40 origins).
"""

from .pairwise import ORIGINS_PER_OVERLAP, diebold_mariano, holm, min_origins, overlap
from .panels import ALL_ID, COMPARE_COLUMNS, MIN_ORIGINS, compare, rooted
from .wording import verdict

__all__ = ["diebold_mariano", "holm", "overlap", "min_origins", "compare", "rooted", "verdict", "ALL_ID",
           "COMPARE_COLUMNS", "MIN_ORIGINS", "ORIGINS_PER_OVERLAP"]
