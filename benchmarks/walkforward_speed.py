"""Walk-forward speed: forecastkit's fold-parallel path vs the hand-written Keras loop (issues 6, 21),
on Keras' TensorFlow and JAX backends.

The task: yearly sunspots (309 points, forecastkit.datasets "sunspots"), lookback 12, horizon 1,
one LSTM layer of 32 units + Dense, Adam, 20 epochs, batch 32, per-fold standardisation, a
refit at every origin, for the last 10, 20, 40 and 80 origins and seeds 0, 1, 2, all in this
one process.

- **hand loop**: the Keras tutorial loop a user writes: per origin, standardise the training
  rows, build a fresh ``Sequential([LSTM(32), Dense(1)])``, ``fit(epochs=20, batch_size=32)``,
  ``model.predict`` the last window. Its folds share nothing, so it runs once over the 80
  origins per seed, timing each fold; the N-origin figures are the sums (and MAE means) over
  the last N folds.
- **forecastkit**: ``walk_forward(..., fast=True)`` with ``Forecaster("vanilla", horizon=1,
  lookback=12, params={"units": 32, "epochs": 20, "batch_size": 32})``, the settings
  ``evaluate`` uses otherwise. These differ from the hand loop: learning rate 0.003 (Adam's
  default is 0.001), the latest 10% of each fold's windows held out for early stopping
  (patience 10, best weights restored), no baselines (``baselines=False``). Each run is timed
  whole (data preparation, training, forecasts, SQLite commits, results table); the first
  run of each group size includes the one-off XLA compile.
- **darts** (``BlockRNNModel``, ``historical_forecasts(retrain=True)``, on PyTorch) when
  importable, in the parent process, which imports neither TensorFlow nor JAX (PyTorch's
  TensorBoard import crashes a process that holds TensorFlow).

Each backend runs in a process of its own (Keras fixes its backend on import): the hand loop
and forecastkit both run on that backend (TensorFlow: graph functions, ``tf.function``; JAX:
``jax.jit``, the fold-parallel step a ``jax.vmap`` over fits). It prints, per backend, seconds, the ratio to
the hand loop, mean MAE per method, seconds per fit against origins, and the grouped step's
achieved GFLOP/s against NumPy's float32 matmul peak measured in the same run; then the JAX
figures over the TensorFlow ones. ``--quick`` runs 10 origins, one seed, 3 epochs (a smoke
run); ``--backends jax`` runs one backend only.

Run: ``python benchmarks/walkforward_speed.py [--quick] [--origins 40] [--backends tensorflow,jax]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.evaluation import WalkForward, walk_forward  # noqa: E402
from forecastkit.grouped import trainer as grouped_trainer  # noqa: E402
from forecastkit.grouped.layers import layer_plan  # noqa: E402
from forecastkit.models.keras_common import import_keras  # noqa: E402

LOOKBACK, UNITS, BATCH = 12, 32, 32


def hand_loop(keras, y: np.ndarray, origins: list[int], seed: int, epochs: int):
    """Per origin: (seconds, absolute error) of the tutorial loop."""
    out = []
    for origin in origins:
        began = time.perf_counter()
        keras.utils.set_random_seed(seed * 100_003 + origin)
        train = y[:origin]
        mean, std = train.mean(), train.std()
        z = (train - mean) / std
        x = np.stack([z[i:i + LOOKBACK] for i in range(len(z) - LOOKBACK)])[..., None]
        target = z[LOOKBACK:, None]
        model = keras.Sequential([keras.Input((LOOKBACK, 1)), keras.layers.LSTM(UNITS), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
        model.fit(x, target, epochs=epochs, batch_size=BATCH, verbose=0)
        forecast = model.predict(z[-LOOKBACK:][None, :, None], verbose=0)[0, 0] * std + mean
        out.append((time.perf_counter() - began, abs(forecast - y[origin])))
        keras.backend.clear_session()
    return out


def forecastkit_run(panel, folds: int, seed: int, epochs: int):
    """(seconds, MAE, fits, step seconds, windows trained, padded windows) of one walk-forward."""
    model = Forecaster("vanilla", horizon=1, lookback=LOOKBACK, params={"units": UNITS, "epochs": epochs,
                                                                         "batch_size": BATCH})
    before = dict(grouped_trainer.STATS)
    began = time.perf_counter()
    result = walk_forward(panel, {"vanilla": model}, WalkForward(horizon=1, folds=folds, refit="always"), seed=seed,
                          baselines=False, n_jobs=1)  # in this one process, as the hand loop
    seconds = time.perf_counter() - began
    frame = result.to_frame()
    assert set(result.fits["status"]) == {"ok"}, result.failed
    stats = {k: grouped_trainer.STATS[k] - before[k] for k in before}
    return seconds, float((frame["y_true"] - frame["y_pred"]).abs().mean()), len(result.fits), stats


def numpy_peak() -> dict:
    """NumPy float32 matmul GFLOP/s: one large product, and batched products of the grouped step's size."""
    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    a @ a
    began, reps = time.perf_counter(), 10
    for _ in range(reps):
        a @ a
    large = 2 * 1024 ** 3 * reps / (time.perf_counter() - began) / 1e9
    h = np.random.default_rng(1).random((8, BATCH, UNITS), dtype=np.float32)
    u = np.random.default_rng(2).random((8, UNITS, 4 * UNITS), dtype=np.float32)
    began, reps = time.perf_counter(), 2000
    for _ in range(reps):
        np.matmul(h, u)
    small = 2 * 8 * BATCH * UNITS * 4 * UNITS * reps / (time.perf_counter() - began) / 1e9
    return {"large": large, "small": small}


def darts_runs(y: np.ndarray, counts, seeds, epochs: int):
    """darts BlockRNNModel with historical_forecasts(retrain=True), or None when not importable."""
    try:
        import pandas as pd
        from darts import TimeSeries
        from darts.dataprocessing.transformers import Scaler
        from darts.models import BlockRNNModel
    except ImportError:
        return None
    out = {}
    series = TimeSeries.from_series(pd.Series(y, index=pd.RangeIndex(len(y)), dtype="float32"))
    for count in counts:
        for seed in seeds:
            model = BlockRNNModel(input_chunk_length=LOOKBACK, output_chunk_length=1, model="LSTM",
                                  hidden_dim=UNITS, n_rnn_layers=1, n_epochs=epochs, batch_size=BATCH,
                                  random_state=seed, pl_trainer_kwargs={"enable_progress_bar": False,
                                                                        "enable_model_summary": False})
            began = time.perf_counter()
            forecasts = model.historical_forecasts(series, start=len(y) - count, forecast_horizon=1, retrain=True,
                                                   last_points_only=True, verbose=False,
                                                   data_transformers={"series": Scaler()})
            seconds = time.perf_counter() - began
            predicted = forecasts.values()[:, 0]
            out[(count, seed)] = (seconds, float(np.abs(predicted - y[-count:]).mean()))
    return out


BACKENDS = ("tensorflow", "jax")


def measure(counts, seeds, epochs: int) -> dict:
    """Every run on this process's backend: forecastkit's, the hand loop's and the step totals."""
    keras = import_keras()
    panel = datasets.load("sunspots")
    y = panel.frame["y"].to_numpy(float)
    origins = WalkForward(horizon=1, folds=max(counts), refit="always").origins(len(y))
    backend = keras.backend.backend()
    print(f"## {backend}: load average at start {os.getloadavg()[0]:.1f}; keras {keras.__version__}", flush=True)
    peak = numpy_peak()
    fk = {}
    for count in counts:
        for seed in seeds:
            fk[(count, seed)] = forecastkit_run(panel, count, seed, epochs)
            seconds, mae, fits, _ = fk[(count, seed)]
            print(f"{backend} forecastkit {count:>3} origins seed {seed}: {seconds:7.2f} s  MAE {mae:.3f}  "
                  f"({fits} fits)", flush=True)
    hand = {}
    for seed in seeds:
        folds = hand_loop(keras, y, origins, seed, epochs)
        for count in counts:
            part = folds[-count:]
            hand[(count, seed)] = (sum(s for s, _ in part), float(np.mean([e for _, e in part])))
        print(f"{backend} hand loop {len(origins)} origins seed {seed}: {sum(s for s, _ in folds):7.2f} s", flush=True)
    steps = {k: sum(fk[key][3][k] for key in fk) for k in grouped_trainer.STATS}
    rows = []
    for count in counts:
        row = {"origins": count,
               "hand_s": float(np.mean([hand[(count, s)][0] for s in seeds])),
               "hand_mae": float(np.mean([hand[(count, s)][1] for s in seeds])),
               "fk_s": float(np.mean([fk[(count, s)][0] for s in seeds])),
               "fk_mae": float(np.mean([fk[(count, s)][1] for s in seeds])),
               "fk_runs": [fk[(count, s)][0] for s in seeds]}
        rows.append(row)
    return {"backend": backend, "keras": keras.__version__, "rows": rows, "steps": steps, "peak": peak}


def in_subprocess(backend: str, argv: list) -> dict:
    """:func:`measure` in a fresh process with ``KERAS_BACKEND=backend`` (its progress lines shown as they come)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "result.json"
        done = subprocess.run([sys.executable, __file__, *argv, "--backends", backend, "--json", str(path)],
                              env={**os.environ, "KERAS_BACKEND": backend}, check=False)
        if not path.exists():
            raise RuntimeError(f"the {backend} run failed (exit code {done.returncode}) before writing its results")
        if done.returncode:  # e.g. a crash while the interpreter shut down, after the results were written
            print(f"(the {backend} process exited with code {done.returncode} after writing its results)")
        return json.loads(path.read_text())


def report(results: list, darts: dict | None, seeds, epochs: int) -> None:
    """The markdown tables: per backend, then JAX over TensorFlow."""
    print(f"\n# Walk-forward speed: sunspots (309 points), lookback {LOOKBACK}, horizon 1, LSTM({UNITS}) + Dense, "
          f"Adam, {epochs} epochs, batch {BATCH}, refit at every origin; seeds {', '.join(map(str, seeds))}")
    print(f"machine: {os.cpu_count()} CPUs; keras {results[0]['keras']}; backends: "
          + ", ".join(r["backend"] for r in results))
    print("\n| backend | origins | hand loop s | forecastkit s | speed-up | darts s | hand MAE | forecastkit MAE | "
          "darts MAE | forecastkit MAE / hand | s per fit (forecastkit) | s per fit (hand) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for row in result["rows"]:
            count = row["origins"]
            d_s, d_e = ((f"{np.mean([darts[(count, s)][0] for s in seeds]):.1f}",
                         f"{np.mean([darts[(count, s)][1] for s in seeds]):.2f}") if darts else ("–", "–"))
            print(f"| {result['backend']} | {row['origins']} | {row['hand_s']:.1f} | {row['fk_s']:.1f} | "
                  f"{row['hand_s'] / row['fk_s']:.1f}x | {d_s} | {row['hand_mae']:.2f} | {row['fk_mae']:.2f} | {d_e} | "
                  f"{row['fk_mae'] / row['hand_mae']:.3f} | {row['fk_s'] / row['origins']:.3f} | "
                  f"{row['hand_s'] / row['origins']:.2f} |")
    by_backend = {r["backend"]: r for r in results}
    if set(BACKENDS) <= set(by_backend):
        print("\n| origins | forecastkit s, jax / tensorflow | hand loop s, jax / tensorflow | "
              "forecastkit MAE, jax / tensorflow |")
        print("|---:|---:|---:|---:|")
        for tf_row, jax_row in zip(by_backend["tensorflow"]["rows"], by_backend["jax"]["rows"]):
            print(f"| {tf_row['origins']} | {jax_row['fk_s'] / tf_row['fk_s']:.2f} | "
                  f"{jax_row['hand_s'] / tf_row['hand_s']:.2f} | {jax_row['fk_mae'] / tf_row['fk_mae']:.3f} |")
    if len(seeds) > 1:
        print("\nforecastkit seconds per run (seed 0 first; the first run of each group size compiles the step):")
        for result in results:
            for row in result["rows"]:
                runs = ", ".join(f"{s:.1f}" for s in row["fk_runs"])
                print(f"  {result['backend']}, {row['origins']} origins: {runs}")
    if darts is None:
        print("\ndarts: not importable in this environment (BlockRNNModel needs darts with its torch extra); skipped.")
    arch = layer_plan("vanilla", {"units": UNITS, "dropout": 0.0}, (LOOKBACK, 1), 1)
    per_window = 3 * arch.flops_per_window()  # forward + backward ~ 3x the forward
    for result in results:
        stats, peak = result["steps"], result["peak"]
        useful = per_window * stats["windows"] / stats["seconds"] / 1e9
        padded = per_window * stats["slot_windows"] / stats["seconds"] / 1e9
        print(f"\n{result['backend']}: grouped training steps: {stats['seconds']:.1f} s in {stats['steps']} compiled "
              f"steps (plus {stats['compile_seconds']:.1f} s compiling them, once per group size); "
              f"{useful:.2f} GFLOP/s on real windows ({padded:.2f} GFLOP/s counting padded slots and batch rows); "
              f"NumPy float32 matmul peak here: {peak['large']:.1f} GFLOP/s (1024x1024), {peak['small']:.1f} GFLOP/s "
              f"(batched 8x{BATCH}x{UNITS} @ {UNITS}x{4 * UNITS}, the LSTM step's shape)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 origins, seed 0, 3 epochs (smoke run)")
    parser.add_argument("--origins", default="10,20,40,80", help="origin counts to run (default: 10,20,40,80)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="Keras backends, comma-separated "
                        "(default: tensorflow,jax), each in a process of its own")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # one backend's results, for the parent process
    args = parser.parse_args(argv)
    counts = tuple(int(c) for c in args.origins.split(","))
    counts, seeds, epochs = ((10,), (0,), 3) if args.quick else (counts, (0, 1, 2), 20)
    backends = [b.strip() for b in args.backends.split(",")]
    if args.json:  # a child: this process's backend only
        os.environ.setdefault("KERAS_BACKEND", backends[0])
        Path(args.json).write_text(json.dumps(measure(counts, seeds, epochs), default=str))
        return
    passed = ["--quick"] if args.quick else ["--origins", args.origins]
    print(f"machine: {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}", flush=True)
    results = [in_subprocess(backend, passed) for backend in backends]
    darts = darts_runs(datasets.load("sunspots").frame["y"].to_numpy(float), counts, seeds, epochs)
    if darts:
        for (count, seed), (seconds, mae) in darts.items():
            print(f"darts {count:>3} origins seed {seed}: {seconds:7.2f} s  MAE {mae:.3f}", flush=True)
    report(results, darts, seeds, epochs)


if __name__ == "__main__":
    main()
