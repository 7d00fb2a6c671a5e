"""Early-stopping validation: Keras ``validation_data`` vs forecastkit's light callback.

forecastkit computes the validation loss with one forward pass per epoch
(:func:`forecastkit.training.validation_loss`) instead of Keras' ``validation_data``, whose
per-epoch evaluation loop costs more than a training epoch of a small forecasting model.
This script trains the same linear model on airline windows both ways, in one process, and
prints the times and the ratio. Run: ``python benchmarks/validation_overhead.py``.
"""

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from forecastkit import datasets  # noqa: E402
from forecastkit.models.dense import build_linear  # noqa: E402
from forecastkit.models.keras_common import compile_model, import_keras  # noqa: E402
from forecastkit.training import validation_loss  # noqa: E402
from forecastkit.windows import WindowSet  # noqa: E402

EPOCHS, REPEATS = 100, 3


def windows():
    """Airline windows (lookback 24, horizon 12): the training part and the held-out 10%."""
    y = datasets.load("airline").frame["y"].to_numpy()
    z = (y - y.mean()) / y.std()
    n = len(z)
    windows = WindowSet([(z, np.zeros((n, 0)), np.zeros((n, 0)), np.zeros(0))], lookback=24, horizon=12)
    fit_index, held_out = windows.latest(0.1)
    x, t, _ = windows.gather(fit_index)
    xv, tv, _ = windows.gather(held_out)
    return windows, held_out, (x, t, xv, tv)


def fit_seconds(keras, data, light: bool) -> float:
    window_set, held_out, (x, t, xv, tv) = data
    keras.utils.set_random_seed(0)
    model = compile_model(build_linear(x.shape[1:], 12), 0.01)
    start = time.perf_counter()
    if light:
        model.fit(x, t, epochs=EPOCHS, batch_size=32, verbose=0,
                  callbacks=[validation_loss(keras, window_set, held_out, with_series=False)])
    else:
        model.fit(x, t, epochs=EPOCHS, batch_size=32, verbose=0, validation_data=(xv, tv))
    return time.perf_counter() - start


def main():
    keras = import_keras()
    data = windows()
    fit_seconds(keras, data, True)  # warm up TensorFlow once
    keras_times = [fit_seconds(keras, data, False) for _ in range(REPEATS)]
    light_times = [fit_seconds(keras, data, True) for _ in range(REPEATS)]
    k, f = np.median(keras_times), np.median(light_times)
    print(f"linear model, airline windows, {EPOCHS} epochs, median of {REPEATS}:")
    print(f"  Keras validation_data     {k:6.2f} s")
    print(f"  forecastkit callback      {f:6.2f} s")
    print(f"  ratio (Keras / callback)  {k / f:6.2f}x")


if __name__ == "__main__":
    main()
