"""One training step of a vanilla LSTM: forecastkit's grouped step against Keras' own.

The grouped trainer (:mod:`forecastkit.grouped.trainer`) trains fits with its own compiled
step; ``Forecaster.fit`` keeps Keras for one large budgeted network
(:func:`forecastkit.forecaster.engines.trains_grouped`) because Keras' step was the faster
one there. This measures both on the same batch, one thread each, in this process:

* ``grouped``: the compiled step of one fit slot (forward, gradient, Adam), as ``fit`` runs it;
* ``keras``: ``model.train_on_batch`` of the builder's Keras model (LSTM + Dense, Adam);
* ``grouped, 8 fits``: the grouped step with 8 fit slots (the walk-forward's fold-parallel
  groups), per fit.

Prints milliseconds per step (median of ``--repeats`` timed steps after a warm-up step that
traces) and the ratio Keras / grouped.

Usage: ``python benchmarks/grouped_step.py [--batch 256 --rows 48 --units 32 --horizon 48 --repeats 30]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def timed(call, repeats: int) -> tuple[float, float]:
    """(first call's seconds, median milliseconds of the next ``repeats`` calls)."""
    began = time.perf_counter()
    call()
    first = time.perf_counter() - began
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - began))
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--horizon", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)  # before anything starts TensorFlow's runtime
    tf.config.threading.set_inter_op_parallelism_threads(1)
    from forecastkit.grouped.layers import initial_weights, layer_plan
    from forecastkit.grouped.trainer import step_function
    from forecastkit.models.keras_common import compile_model, import_keras
    from forecastkit.models.recurrent import build_vanilla

    keras = import_keras()
    rng = np.random.default_rng(0)
    build = {"units": args.units, "dropout": 0.0}
    arch = layer_plan("vanilla", build, (args.rows, 1), args.horizon)
    step = step_function(arch, args.batch, "mse")

    def grouped(fits: int):
        weights = [np.stack([w] * fits) for w in initial_weights(arch, 0)]
        state = [weights, [np.zeros_like(w) for w in weights], [np.zeros_like(w) for w in weights],
                 np.zeros(fits, np.float32)]
        x = rng.normal(size=(fits, args.batch, args.rows, 1)).astype(np.float32)
        y = rng.normal(size=(fits, args.batch, args.horizon)).astype(np.float32)
        mask = np.ones((fits, args.batch), np.float32)
        alive = np.ones(fits, bool)

        def call():
            out = step(*state, alive, x, y, mask, np.float32(1e-3), np.zeros(fits, np.float32))
            state[:] = [out[0], out[1], out[2], out[3]]
            np.asarray(out[4])
        return call

    model = build_vanilla((args.rows, 1), args.horizon, **build)
    compile_model(model, learning_rate=1e-3, loss="mse")
    kx = rng.normal(size=(args.batch, args.rows, 1)).astype(np.float32)
    ky = rng.normal(size=(args.batch, args.horizon)).astype(np.float32)
    rows = {"grouped": timed(grouped(1), args.repeats), "keras": timed(lambda: model.train_on_batch(kx, ky),
                                                                        args.repeats)}
    first, eight = timed(grouped(8), args.repeats)
    rows["grouped, 8 fits (per fit)"] = (first, eight / 8)
    print(f"vanilla LSTM({args.units}), batch {args.batch} x {args.rows} rows, horizon {args.horizon}, 1 thread, "
          f"keras {keras.__version__} on {keras.backend.backend()}")
    for name, (first, ms) in rows.items():
        print(f"  {name:28s} first call {first:5.2f} s, then {ms:6.2f} ms per step")
    print(f"keras / grouped per step: {rows['keras'][1] / rows['grouped'][1]:.2f}x")


if __name__ == "__main__":
    main()
