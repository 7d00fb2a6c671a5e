"""Loaded-model latency: ``Forecaster.load(path).predict()`` of one series after warm-up (issue 6).

Fits a small ``vanilla`` model on yearly sunspots, saves and reloads it, warms it up, then
times 200 calls each of:

- the model call alone: the compiled small-batch call forecastkit uses
  (:func:`forecastkit.grouped.fast_call.predict`) vs ``model.predict`` on the same window;
- the whole ``predict()``: windows, model call, inverse transform and the output frame.

Prints the median and 90th percentile in milliseconds. Target: median < 5 ms.

Run: ``python benchmarks/loaded_latency.py``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.grouped.fast_call import predict as compiled_predict  # noqa: E402

CALLS = 200


def timed(call, n: int = CALLS) -> np.ndarray:
    for _ in range(10):  # warm-up (traces the compiled call)
        call()
    times = []
    for _ in range(n):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return np.array(times) * 1000


def main() -> None:
    panel = datasets.load("sunspots")
    fitted = Forecaster("vanilla", horizon=1, lookback=12, params={"units": 32, "epochs": 3}).fit(panel)
    with tempfile.TemporaryDirectory() as folder:
        fitted.save(folder)
        forecaster = Forecaster.load(folder)
    model = forecaster.model_
    window = np.zeros((1, 12, 1), np.float32)
    rows = [("model.predict(window)", timed(lambda: model.predict(window, verbose=0))),
            ("compiled call (forecastkit)", timed(lambda: compiled_predict(model, window))),
            ("Forecaster.predict() whole", timed(forecaster.predict))]
    print(f"# Loaded-model latency, one series, {CALLS} calls after warm-up\n")
    print("| call | median ms | p90 ms |\n|---|---:|---:|")
    for name, ms in rows:
        print(f"| {name} | {np.median(ms):.2f} | {np.percentile(ms, 90):.2f} |")


if __name__ == "__main__":
    main()
