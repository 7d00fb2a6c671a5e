"""Every core, then a cluster (issue 16): the executors' speed, and forecastkit whole process.

Three parts, each timed as a user meets it (a whole process from the shell unless said):

1. **airline**: the default ``forecastkit evaluate`` (all models of the default set, the CLI's
   defaults) with ``--jobs 1`` and ``--jobs 2``: seconds, the speed-up, and whether the two
   ``results.csv`` are byte-identical.
2. **panel**: a synthetic panel of ``--series`` monthly series (2,000 by default) evaluated with
   a local ``ets``, a global ``mlp`` and a local ``vanilla`` LSTM, on 1 and 2 processes and on a
   2-worker Dask LocalCluster, in this process (``walk_forward(n_jobs=..., scheduler=...)``):
   fits per second and the peak memory of the process tree (this process and its workers).
3. **sunspots**: a 32-unit LSTM over 40 refit-every-origin folds of yearly sunspots, 10
   epochs: the hand-written Keras loop as a script (one process, as a user writes it) against
   ``forecastkit evaluate`` with its defaults otherwise, and darts' ``BlockRNNModel``
   (``historical_forecasts(retrain=True)``) the same way when darts is importable; seconds and MAE.

``--quick`` shrinks every part (few series, folds and epochs) into a smoke run of a minute or two.

Run: ``python benchmarks/parallel.py [--quick] [--parts airline,panel,sunspots] [--series 2000]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HAND_LOOP = '''
import sys, time
import numpy as np
import keras
from forecastkit import datasets

folds, epochs, lookback, units = int(sys.argv[1]), int(sys.argv[2]), 12, 32
y = datasets.load("sunspots").frame["y"].to_numpy(float)
errors = []
for origin in range(len(y) - folds, len(y)):
    keras.utils.set_random_seed(origin)
    train = y[:origin]
    mean, std = train.mean(), train.std()
    z = (train - mean) / std
    x = np.stack([z[i:i + lookback] for i in range(len(z) - lookback)])[..., None]
    model = keras.Sequential([keras.Input((lookback, 1)), keras.layers.LSTM(units), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, z[lookback:, None], epochs=epochs, batch_size=32, verbose=0)
    forecast = model.predict(z[-lookback:][None, :, None], verbose=0)[0, 0] * std + mean
    errors.append(abs(forecast - y[origin]))
    keras.backend.clear_session()
print("MAE", float(np.mean(errors)))
'''

DARTS_LOOP = '''
import sys
import numpy as np
from darts import TimeSeries
from darts.models import BlockRNNModel
from forecastkit import datasets

folds, epochs = int(sys.argv[1]), int(sys.argv[2])
y = datasets.load("sunspots").frame["y"].to_numpy(np.float32)
series = TimeSeries.from_values(y)
model = BlockRNNModel(input_chunk_length=12, output_chunk_length=1, model="LSTM", hidden_dim=32, n_epochs=epochs,
                      batch_size=32, random_state=0, pl_trainer_kwargs={"enable_progress_bar": False})
forecasts = model.historical_forecasts(series, start=len(y) - folds, forecast_horizon=1, retrain=True,
                                       verbose=False, last_points_only=True)
print("MAE", float(np.mean(np.abs(forecasts.values()[:, 0] - y[-folds:]))))
'''


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled every 0.2 s."""

    def __enter__(self):
        import psutil

        self.peak, self.running = 0, True
        me = psutil.Process()

        def sample():
            while self.running:
                try:
                    total = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
                except psutil.Error:
                    total = 0
                self.peak = max(self.peak, total)
                time.sleep(0.2)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        return False


def timed(command: list[str]) -> tuple[float, str]:
    """(seconds, stdout) of a whole process."""
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def airline(quick: bool) -> None:
    extra = ["--folds", "4", "--epochs", "2", "--models", "linear,vanilla"] if quick else []
    with tempfile.TemporaryDirectory() as folder:
        times = {}
        for jobs in (1, 2):
            out = Path(folder) / f"jobs{jobs}"
            times[jobs], _ = timed([sys.executable, "-m", "forecastkit", "evaluate", "--quiet", "--jobs", str(jobs),
                                    "--out", str(out), *extra])
        same = (Path(folder) / "jobs1/results.csv").read_bytes() == (Path(folder) / "jobs2/results.csv").read_bytes()
    print(f"airline evaluate{' (quick)' if quick else ''}: --jobs 1 {times[1]:.1f} s, --jobs 2 {times[2]:.1f} s, "
          f"speed-up {times[1] / times[2]:.2f}x, results.csv identical: {same}")


def synthetic_panel(n: int, length: int = 96, seed: int = 0):
    from forecastkit.data import from_pandas

    rng = np.random.default_rng(seed)
    t = np.arange(length)
    frames = [pd.DataFrame({"id": f"s{k}", "time": pd.date_range("2010-01-01", periods=length, freq="MS"),
                            "y": 100 + rng.uniform(5, 20) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
                            + rng.uniform(0, 1) * t + rng.normal(0, 2, length)}) for k in range(n)]
    return from_pandas(pd.concat(frames, ignore_index=True), id="id", time="time", target="y")


def panel(series: int, quick: bool) -> None:
    from forecastkit import Forecaster
    from forecastkit.evaluation import WalkForward, walk_forward

    data = synthetic_panel(series)
    params = {"epochs": 2 if quick else 5, "units": 8}
    models = {"ets": Forecaster("ets", horizon=6),
              "mlp": Forecaster("mlp", horizon=6, lookback=12, params=params),
              "vanilla": Forecaster("vanilla", horizon=6, lookback=12, params=params, mode="local")}
    splitter = WalkForward(horizon=6, folds=2 if quick else 4, refit="never")
    reference = None
    for name, options in (("1 process", {"n_jobs": 1}), ("2 processes", {"n_jobs": 2}),
                          ("LocalCluster(2)", {"scheduler": "local:2"})):
        with PeakMemory() as memory:
            began = time.perf_counter()
            result = walk_forward(data, models, splitter, baselines=False, **options)
            seconds = time.perf_counter() - began
        frame = result.to_frame()
        same = reference is None or frame.equals(reference)
        reference = frame if reference is None else reference
        print(f"panel of {series} series, {name}: {len(result.fits)} fits in {seconds:.1f} s = "
              f"{len(result.fits) / seconds:.1f} fits/s, peak memory {memory.peak / 2**30:.2f} GiB, "
              f"predictions identical to 1 process: {same}")


def sunspots(quick: bool) -> None:
    folds, epochs = (8, 2) if quick else (40, 10)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "hand_loop.py"
        script.write_text(HAND_LOOP)
        hand, printed = timed([sys.executable, str(script), str(folds), str(epochs)])
        hand_mae = float(printed.split()[-1])
        out = Path(folder) / "run"
        ours, _ = timed([sys.executable, "-m", "forecastkit", "evaluate", "--data", "sunspots", "--models", "vanilla",
                         "--units", "32", "--epochs", str(epochs), "--folds", str(folds), "--refit", "always",
                         "--horizon", "1", "--lookback", "12", "--no-baselines", "--quiet", "--out", str(out)])
        results = pd.read_csv(out / "results.csv")
        our_mae = float((results["y_true"] - results["y_pred"]).abs().mean())
        line = (f"sunspots {folds} folds, {epochs} epochs, whole process: hand loop {hand:.1f} s (MAE {hand_mae:.2f}), "
                f"forecastkit {ours:.1f} s (MAE {our_mae:.2f}): {hand / ours:.1f}x faster, MAE ratio "
                f"{our_mae / hand_mae:.2f}")
        try:
            import darts  # noqa: F401
        except ImportError:
            print(line + "; darts not importable (a benchmark-only install)")
            return
        darts_script = Path(folder) / "darts_loop.py"
        darts_script.write_text(DARTS_LOOP)
        darts_seconds, printed = timed([sys.executable, str(darts_script), str(folds), str(epochs)])
        print(line + f"; darts BlockRNNModel {darts_seconds:.1f} s (MAE {float(printed.split()[-1]):.2f}): "
                     f"forecastkit {darts_seconds / ours:.1f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of every part")
    parser.add_argument("--parts", default="airline,panel,sunspots")
    parser.add_argument("--series", type=int, default=None, help="series of the synthetic panel (default 2000)")
    args = parser.parse_args()
    parts = args.parts.split(",")
    if "airline" in parts:
        airline(args.quick)
    if "panel" in parts:
        panel(args.series or (40 if args.quick else 2000), args.quick)
    if "sunspots" in parts:
        sunspots(args.quick)


if __name__ == "__main__":
    main()
