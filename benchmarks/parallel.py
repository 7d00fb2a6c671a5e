"""Every core, then a cluster (issue 16): the executors' speed, and forecastkit whole process.

Three parts, each timed as a user meets it (a whole process from the shell unless said), each
figure with the CPU seconds of the whole process tree (the driver, its pool or cluster and
every worker), their ratio to the wall time (how many cores worked on average) and the load
average of the machine when it started (on a shared machine other work slows a parallel run):

1. **airline**: the default ``forecastkit evaluate`` (all models of the default set, the CLI's
   defaults) with ``--jobs 1`` and ``--jobs 2``: seconds, the speed-up, and whether the two
   ``results.csv`` are byte-identical.
2. **panel**: a synthetic panel of ``--series`` yearly series (2,000 by default, 40 years each;
   yearly so that the local ``ets`` fits its three non-seasonal candidates, not nine) evaluated
   at one origin with a local ``ets``, a global ``mlp`` and a local ``vanilla`` LSTM, on 1 and
   2 processes and on a 2-worker Dask LocalCluster, in this process
   (``walk_forward(n_jobs=..., scheduler=...)``): fits per second and the peak memory of the
   process tree, and whether the predictions are identical.
3. **sunspots**: a 32-unit LSTM over 40 refit-every-origin folds of yearly sunspots, 10
   epochs: the hand-written Keras loop as a script (one process, as a user writes it) against
   ``forecastkit evaluate`` with its defaults otherwise (``--jobs`` included), and darts'
   ``BlockRNNModel`` (``historical_forecasts(retrain=True)``, its scaler refit per fold as
   the hand loop's) the same way when darts is importable; seconds and MAE.

4. **local**: ``forecastkit forecast`` whole process where ``fit`` trains several networks or
   small ones (:func:`forecastkit.forecaster.engines.trains_grouped`): a local vanilla on
   visnights (20 series, one network each), a bag of 5 mlps and the default ensemble on
   airline, with the grouped trainer (the default since 2026-12-06) against the same command
   with it switched off (each network a Keras model trained one after another, as before).

``--quick`` shrinks every part (few series, folds and epochs) into a smoke run of a minute or
two; ``--out FILE`` also writes the figures as Markdown (``benchmarks/results/parallel.md``).

Run: ``python benchmarks/parallel.py [--quick] [--parts airline,panel,sunspots,local] [--series 2000] [--out FILE]``
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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
from darts.dataprocessing.transformers import Scaler
from darts.models import BlockRNNModel
from forecastkit import datasets

folds, epochs = int(sys.argv[1]), int(sys.argv[2])
y = datasets.load("sunspots").frame["y"].to_numpy(np.float32)
series = TimeSeries.from_values(y)
model = BlockRNNModel(input_chunk_length=12, output_chunk_length=1, model="LSTM", hidden_dim=32, n_epochs=epochs,
                      batch_size=32, random_state=0, pl_trainer_kwargs={"enable_progress_bar": False,
                                                                        "enable_model_summary": False})
forecasts = model.historical_forecasts(series, start=len(y) - folds, forecast_horizon=1, retrain=True,
                                       verbose=False, last_points_only=True,
                                       data_transformers={"series": Scaler()})
print("MAE", float(np.mean(np.abs(forecasts.values()[:, 0] - y[-folds:]))))
'''

SEQUENTIAL_LOCAL = '''
import sys
import forecastkit.forecaster.engines as engines
engines.trains_grouped = lambda *args, **kwargs: False  # every network a Keras model, one after another
from forecastkit.cli import main
sys.exit(main(sys.argv[1:]))
'''


@dataclass
class Usage:
    """What a process tree used: wall seconds, CPU seconds (every process of the tree, user +
    system), peak resident memory (summed over the tree) and the 1-minute load average when
    it started."""

    seconds: float = 0.0
    cpu: float = 0.0
    peak: int = 0
    load: float = 0.0

    def text(self) -> str:
        return (f"{self.seconds:.1f} s ({self.cpu:.1f} CPU-s, {self.cpu / max(self.seconds, 1e-9):.2f} cores; "
                f"load {self.load:.1f})")


class TreeUsage:
    """Samples the process ``pid`` (default: this one) and all its descendants every 0.1 s:
    each process's last CPU time and the peak of their summed resident memory."""

    def __init__(self, pid: int | None = None):
        self.pid = pid or os.getpid()

    def __enter__(self):
        import psutil

        self.usage = Usage(load=os.getloadavg()[0])
        self.cpu: dict = {}
        self.running = True
        root = psutil.Process(self.pid)
        times = root.cpu_times()
        self.base = times.user + times.system if self.pid == os.getpid() else 0.0

        def sample():
            while self.running:
                total = 0
                for process in [root, *self._children(root)]:
                    try:
                        with process.oneshot():
                            times, rss = process.cpu_times(), process.memory_info().rss
                    except psutil.Error:
                        continue
                    self.cpu[process.pid] = times.user + times.system
                    total += rss
                self.usage.peak = max(self.usage.peak, total)
                time.sleep(0.1)

        self.began = time.perf_counter()
        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self.usage

    @staticmethod
    def _children(root):
        import psutil

        try:
            return root.children(recursive=True)
        except psutil.Error:
            return []

    def __exit__(self, *exc):
        self.usage.seconds = time.perf_counter() - self.began
        self.running = False
        self.thread.join()
        self.usage.cpu = sum(self.cpu.values()) - self.base
        return False


def timed(command: list[str]) -> tuple[Usage, str]:
    """(usage, stdout) of a whole process."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    with TreeUsage(process.pid) as usage:
        stdout, stderr = process.communicate()
    if process.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return usage, stdout


def airline(quick: bool) -> list[str]:
    extra = ["--folds", "4", "--epochs", "2", "--models", "linear,vanilla"] if quick else []
    with tempfile.TemporaryDirectory() as folder:
        usage = {}
        for jobs in (1, 2):
            out = Path(folder) / f"jobs{jobs}"
            usage[jobs], _ = timed([sys.executable, "-m", "forecastkit", "evaluate", "--quiet", "--jobs", str(jobs),
                                    "--out", str(out), *extra])
        same = (Path(folder) / "jobs1/results.csv").read_bytes() == (Path(folder) / "jobs2/results.csv").read_bytes()
    return [f"airline evaluate{' (quick)' if quick else ''}: --jobs 1 {usage[1].text()}, --jobs 2 {usage[2].text()}: "
            f"speed-up {usage[1].seconds / usage[2].seconds:.2f}x, results.csv identical: {same}"]


def synthetic_panel(n: int, length: int = 40, seed: int = 0):
    """``n`` yearly series of ``length`` years: a level, a trend, a 6-year cycle and noise."""
    from forecastkit.data import from_pandas

    rng = np.random.default_rng(seed)
    t = np.arange(length)
    times = pd.date_range("1980-01-01", periods=length, freq="YS")
    frames = [pd.DataFrame({"id": f"s{k}", "time": times,
                            "y": 100 + rng.uniform(5, 20) * np.sin(2 * np.pi * (t + rng.integers(6)) / 6)
                            + rng.uniform(0, 1) * t + rng.normal(0, 2, length)}) for k in range(n)]
    return from_pandas(pd.concat(frames, ignore_index=True), id="id", time="time", target="y")


def panel(series: int, quick: bool) -> list[str]:
    import warnings

    from forecastkit import Forecaster
    from forecastkit.evaluation import WalkForward, walk_forward

    data = synthetic_panel(series)
    params = {"epochs": 2 if quick else 5, "units": 8}
    models = {"ets": Forecaster("ets", horizon=4),
              "mlp": Forecaster("mlp", horizon=4, lookback=8, params=params),
              "vanilla": Forecaster("vanilla", horizon=4, lookback=8, params=params, mode="local")}
    splitter = WalkForward(horizon=4, folds=1, refit="never")
    lines, reference = [], None
    for name, options in (("1 process", {"n_jobs": 1}), ("2 processes", {"n_jobs": 2}),
                          ("LocalCluster(2)", {"scheduler": "local:2"})):
        with TreeUsage() as usage, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = walk_forward(data, models, splitter, baselines=False, **options)
        frame = result.to_frame()
        same = reference is None or frame.equals(reference)
        reference = frame if reference is None else reference
        lines.append(f"panel of {series} series, {name}: {len(result.fits)} fits in {usage.text()} = "
                     f"{len(result.fits) / usage.seconds:.1f} fits/s, peak memory {usage.peak / 2**30:.2f} GiB, "
                     f"predictions identical to 1 process: {same}")
        print(lines[-1], flush=True)
    return lines


def sunspots(quick: bool):
    """Yields each figure as it is measured."""
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
        yield (f"sunspots {folds} folds, {epochs} epochs, whole process: hand loop {hand.text()} (MAE {hand_mae:.2f}), "
               f"forecastkit {ours.text()} (MAE {our_mae:.2f}): {hand.seconds / ours.seconds:.1f}x faster, "
               f"MAE ratio {our_mae / hand_mae:.2f}")
        try:
            import darts  # noqa: F401
        except ImportError:
            yield "darts: not importable (a benchmark-only install: pip install \"darts[torch]\")"
            return
        darts_script = Path(folder) / "darts_loop.py"
        darts_script.write_text(DARTS_LOOP)
        darts_usage, printed = timed([sys.executable, str(darts_script), str(folds), str(epochs)])
        yield (f"sunspots, darts BlockRNNModel whole process: {darts_usage.text()} (MAE "
               f"{float(printed.split()[-1]):.2f}): forecastkit {darts_usage.seconds / ours.seconds:.1f}x faster")


#: The ``forecast`` commands of the ``local`` part: (label, arguments).
FIT_COMMANDS = (
    ("forecast --local vanilla on visnights (20 series)", ["--data", "visnights", "--model", "vanilla", "--local"]),
    ("forecast --model mlp --bag 5 on airline", ["--model", "mlp", "--bag", "5"]),
    ("forecast --model ensemble on airline", ["--model", "ensemble"]),
)


def local(quick: bool):
    """Yields, per :data:`FIT_COMMANDS` entry, ``forecast`` whole process with the networks
    trained by the grouped trainer (the default) against Keras models one after another."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "sequential_local.py"
        script.write_text(SEQUENTIAL_LOCAL)
        for label, arguments in FIT_COMMANDS:
            command = ["forecast", *arguments, "--quiet", *(["--epochs", "2"] if quick else [])]
            grouped, _ = timed([sys.executable, "-m", "forecastkit", *command, "--out", str(Path(folder) / "a.csv")])
            alone, _ = timed([sys.executable, str(script), *command, "--out", str(Path(folder) / "b.csv")])
            a, b = (pd.read_csv(Path(folder) / name)["yhat"] for name in ("a.csv", "b.csv"))
            yield (f"{label}{' (quick)' if quick else ''}, whole process: grouped trainer {grouped.text()}, Keras "
                   f"models one after another {alone.text()}: {alone.seconds / grouped.seconds:.1f}x faster "
                   f"(forecasts differ by {np.mean(np.abs(a - b)) / np.mean(np.abs(b)):.1%} of their mean: other "
                   "initial weights and batch order)")


def write(path: str | None, lines: list[str], began: float, done: bool) -> None:
    """The figures so far as Markdown (rewritten after each part, so a stopped run keeps them)."""
    if not path:
        return
    total = time.perf_counter() - began
    header = (f"# benchmarks/parallel.py\n\n`python benchmarks/parallel.py {' '.join(sys.argv[1:])}` on "
              f"{platform.node() or 'this machine'} ({os.cpu_count()} CPUs), {time.strftime('%Y-%m-%d %H:%M')}, "
              f"{total:.0f} s{' in all' if done else ' so far'}. CPU-s: every process of the tree; cores = CPU-s / "
              "wall; load: the 1-minute load average when the figure's run began (other work on a shared machine)."
              "\n\n")
    Path(path).write_text(header + "".join(f"- {line}\n" for line in lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of every part")
    parser.add_argument("--parts", default="airline,panel,sunspots,local")
    parser.add_argument("--series", type=int, default=None, help="series of the synthetic panel (default 2000)")
    parser.add_argument("--out", default=None, help="also write the figures to this Markdown file")
    args = parser.parse_args()
    parts = args.parts.split(",")
    began = time.perf_counter()
    lines: list[str] = []
    if "airline" in parts:
        lines += airline(args.quick)
        print(lines[-1], flush=True)
        write(args.out, lines, began, False)
    if "panel" in parts:
        lines += panel(args.series or (40 if args.quick else 2000), args.quick)
        write(args.out, lines, began, False)
    if "sunspots" in parts:
        for line in sunspots(args.quick):
            lines.append(line)
            print(line, flush=True)
            write(args.out, lines, began, False)
    if "local" in parts:
        for line in local(args.quick):
            lines.append(line)
            print(line, flush=True)
            write(args.out, lines, began, False)
    print(f"benchmark total {time.perf_counter() - began:.0f} s")
    write(args.out, lines, began, True)


if __name__ == "__main__":
    main()
