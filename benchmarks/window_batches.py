"""Windows gathered per batch vs materialised: peak memory and training batches per second.

A synthetic panel of ``--series`` random-walk series of ``--length`` rows, lookback
``--lookback``, horizon 13, a linear model trained for ``--epochs`` epochs of batch 256:

* ``materialised``: every window copied into one ``(windows, lookback, 1)`` array up front
  (what a hand-written Keras script does), then ``model.fit(x, y)``;
* ``gathered``: forecastkit's :class:`~forecastkit.windows.WindowSet` (one flat table of rows)
  feeding ``model.fit`` through :func:`forecastkit.training.window_batches`, which gathers each
  batch with one vectorised index.

Each variant runs in its own subprocess so its peak RSS (``ru_maxrss``) is its own. Prints
seconds, batches per second, peak RSS and the ratios gathered / materialised.

Usage: ``python benchmarks/window_batches.py [--series 400 --length 1000 --lookback 104 --epochs 2]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HORIZON, BATCH = 13, 256


def run(variant: str, series: int, length: int, lookback: int, epochs: int) -> dict:
    import numpy as np

    from forecastkit.models.dense import build_linear
    from forecastkit.models.keras_common import compile_model, import_keras
    from forecastkit.training import window_batches
    from forecastkit.windows import WindowSet

    keras = import_keras()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    values = rng.normal(size=(series, length)).cumsum(axis=1)
    blocks = [(v, np.zeros((length, 0)), np.zeros((length, 0)), np.zeros(0)) for v in values]
    windows = WindowSet(blocks, lookback, HORIZON)
    model = compile_model(build_linear((lookback, 1), HORIZON), learning_rate=1e-3)
    hyper = {"batch_size": BATCH, "window_sample": 0}
    began = time.perf_counter()
    if variant == "materialised":
        x, y, _ = windows.gather(np.arange(len(windows)))
        model.fit(x, y, batch_size=BATCH, epochs=epochs, shuffle=True, verbose=0)
    else:
        model.fit(window_batches(keras, windows, np.arange(len(windows)), hyper, 0, False), epochs=epochs, verbose=0)
    seconds = time.perf_counter() - began
    batches = epochs * -(-len(windows) // BATCH)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    return {"variant": variant, "windows": len(windows), "seconds": seconds,
            "batches_per_s": batches / seconds, "peak_mib": peak}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=400)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--lookback", type=int, default=104)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = [str(v) for v in (args.series, args.length, args.lookback, args.epochs)]
    if args.variant:
        print(json.dumps(run(args.variant, args.series, args.length, args.lookback, args.epochs)))
        return 0
    results = {}
    for variant in ("materialised", "gathered"):
        out = subprocess.run([sys.executable, __file__, "--series", settings[0], "--length", settings[1],
                              "--lookback", settings[2], "--epochs", settings[3], "--variant", variant],
                             capture_output=True, text=True, check=True)
        results[variant] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{args.series} series x {args.length} rows, lookback {args.lookback}, horizon {HORIZON}, "
          f"{results['gathered']['windows']} windows, {args.epochs} epochs of batch {BATCH}")
    print(f"{'variant':<14}{'seconds':>9}{'batches/s':>11}{'peak MiB':>10}")
    for r in results.values():
        print(f"{r['variant']:<14}{r['seconds']:>9.2f}{r['batches_per_s']:>11.1f}{r['peak_mib']:>10.0f}")
    m, g = results["materialised"], results["gathered"]
    print(f"gathered / materialised: peak memory {g['peak_mib'] / m['peak_mib']:.2f}x, "
          f"batches per second {g['batches_per_s'] / m['batches_per_s']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
