"""Early-stopping validation: Keras ``validation_data`` vs forecastkit's light callback.

forecastkit computes the validation loss with one forward pass per epoch
(:func:`forecastkit.training.validation_loss`) instead of Keras' ``validation_data``, whose
per-epoch evaluation loop costs more than a training epoch of a small forecasting model.
This script trains the same linear model on airline windows both ways, in one process, and
prints the times and the ratio. Run: ``python benchmarks/validation_overhead.py``.
"""

import time

import numpy as np

from forecastkit import datasets
from forecastkit.models.dense import build_linear
from forecastkit.models.keras_common import compile_model, import_keras
from forecastkit.training import validation_loss
from forecastkit.windows import make_windows

EPOCHS, REPEATS = 100, 3


def windows():
    y = datasets.load("airline").frame["y"].to_numpy()
    z = (y - y.mean()) / y.std()
    x, t = make_windows(z, None, lookback=24, horizon=12)
    cut = int(len(x) * 0.9)
    return x[:cut], t[:cut], x[cut:], t[cut:]


def fit_seconds(keras, data, light: bool) -> float:
    x, t, xv, tv = data
    keras.utils.set_random_seed(0)
    model = compile_model(build_linear(x.shape[1:], 12), 0.01)
    start = time.perf_counter()
    if light:
        model.fit(x, t, epochs=EPOCHS, batch_size=32, verbose=0, callbacks=[validation_loss(keras, xv, tv)])
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
