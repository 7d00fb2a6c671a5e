"""The backend-agnostic subset, run on Keras' JAX backend (issue 21).

Not collected by the suite itself (the name does not start with ``test_``):
``tests/test_jax_backend.py`` runs this file with pytest in a ``KERAS_BACKEND=jax``
subprocess, so these tests run in every CI run, in a process whose Keras is on JAX. They cover
the builders, save/load, a small walk-forward and the fold-parallel path: its JAX step
reproduces Keras' own Adam on JAX (the sequential fits' optimizer) from the same weights and
batches, early stopping included, and a fold-parallel walk-forward trains without a fallback,
repeats itself exactly and agrees with the sequential one.
"""

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster, training
from forecastkit.evaluation import WalkForward, walk_forward
from forecastkit.grouped import (
    forward,
    initial_weights,
    layer_plan,
    supported,
    train_group,
    trainer,
)
from forecastkit.grouped.fast_call import predict as compiled_predict
from forecastkit.grouped.jax_trainer import jax_ops
from forecastkit.models.keras_common import compile_model, import_keras
from forecastkit.models.registry import get_spec, model_names
from forecastkit.windows import WindowSet

keras = import_keras()
#: The environment variable naming a folder with a Forecaster saved on TensorFlow and its forecast.
TF_MODEL = "FORECASTKIT_TF_MODEL"
LSTM_ARGS = {"units": 4, "dropout": 0.0}
TINY = {"linear": {}, "mlp": {"units": 4, "layers": 2}, "vanilla": {"units": 4}, "stacked": {"units": 4, "layers": 2},
        "bidirectional": {"units": 4}, "cnn_lstm": {"filters": 2, "kernel_size": 2, "units": 4},
        "encoder_decoder": {"units": 4}}


def test_this_process_runs_keras_on_jax():
    assert os.environ["KERAS_BACKEND"] == "jax" and keras.backend.backend() == "jax"
    assert supported()  # the fold-parallel path runs here


@pytest.mark.parametrize("name", model_names("neural"))
def test_every_builder_builds_and_forecasts_in_float32(name):
    spec = get_spec(name)
    args, _ = spec.split(spec.resolve(TINY.get(name, {})))
    model = spec.load_builder()((8, 2), 3, **args)
    x = np.random.default_rng(0).normal(size=(5, 8, 2)).astype(np.float32)
    out = compiled_predict(model, x)  # jax.jit of the model's stateless call
    assert out.dtype == np.float32 and out.shape[0] == 5 and np.isfinite(out).all()
    assert keras.backend.standardize_dtype(model.weights[0].dtype) == "float32"


def test_a_forecaster_saves_and_loads_with_the_same_forecasts(airline, tmp_path):
    forecaster = Forecaster("vanilla", horizon=3, lookback=12, params={**FAST, "units": 4}, seed=1).fit(airline)
    forecast = forecaster.predict()
    assert np.isfinite(forecast["yhat"]).all()
    forecaster.save(tmp_path / "model")
    pd.testing.assert_frame_equal(Forecaster.load(tmp_path / "model").predict(), forecast)


def test_a_model_saved_on_tensorflow_loads_and_forecasts_alike_on_jax():
    folder = os.environ.get(TF_MODEL)
    if not folder:
        pytest.skip(f"{TF_MODEL} names a model tests/test_jax_backend.py saved on TensorFlow")
    expected = pd.read_csv(Path(folder) / "forecast.csv")
    forecast = Forecaster.load(Path(folder) / "model").predict()
    np.testing.assert_allclose(forecast["yhat"], expected["yhat"], rtol=1e-5)


def window_set(z, lookback=6, horizon=2):
    n = len(z)
    return WindowSet([(np.asarray(z, float), np.zeros((n, 0)), np.zeros((n, 0)), np.zeros(0))], lookback, horizon)


def sine(n=60, phase=0.0, noise=0.1, seed=0):
    return np.sin(np.arange(n) / 3 + phase) + np.random.default_rng(seed).normal(0, noise, n)


@pytest.mark.parametrize("name, args", [
    ("bidirectional", {}), ("cnn_lstm", {"filters": 2, "kernel_size": 2}), ("encoder_decoder", {}),
    ("vanilla", {"cell": "indy"}), ("vanilla", {"cell": "fgr"}), ("vanilla", {"cell": "gru"})])
def test_the_grouped_forward_in_jax_numpy_equals_the_numpy_one(name, args):
    # every op of the op table (flips, pads, pools, repeats, diagonal and gate recurrences, GRU)
    arch = layer_plan(name, {"units": 3, "dropout": 0.0, **args}, (5, 2), 2)
    rng = np.random.default_rng(1)
    weights = [rng.normal(0, 0.6, (2, *shape)).astype(np.float32) for shape in arch.weight_shapes()]
    x = rng.normal(size=(2, 4, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(forward(arch, weights, x, jax_ops())), forward(arch, weights, x),
                               rtol=1e-5, atol=1e-5)


def test_the_jax_group_is_keras_adam_with_early_stopping_from_the_same_weights_and_batches():
    hyper = {"epochs": 6, "batch_size": 8, "learning_rate": 0.05, "patience": 1, "validation": 0.3,
             "window_sample": 0}
    windows = window_set(sine(60, noise=0.4))
    arch = layer_plan("vanilla", LSTM_ARGS, (6, 1), 2)
    keras.utils.set_random_seed(3)
    model = compile_model(get_spec("vanilla").load_builder()((6, 1), 2, **LSTM_ARGS), learning_rate=0.05)
    start = model.get_weights()
    fit_index, val_index = training.split_windows(windows, hyper, 0)
    order = np.random.default_rng(1).permutation(fit_index)  # the same batches every epoch, on both paths
    grouped = train_group(arch, [windows, window_set(sine(60, 1.0))], [0, 1], hyper,
                          initial=[start, initial_weights(arch, 1)], orders=lambda f, e: order)
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    callbacks = [training.validation_loss(keras, windows, val_index, False),
                 keras.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)]
    history = model.fit(inputs[order], targets[order], batch_size=8, shuffle=False, epochs=6, verbose=0,
                        callbacks=callbacks)
    assert 2 < grouped[0].epochs == len(history.history["loss"]) < 6  # it stopped early, at the same epoch
    np.testing.assert_allclose(grouped[0].losses, history.history["loss"], rtol=1e-4)
    for mine, theirs in zip(grouped[0].weights, model.get_weights()):  # the best epoch's weights, restored
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=2e-6)
    assert not np.allclose(grouped[0].weights[0], start[0])


def test_a_fit_with_no_window_in_a_batch_keeps_weights_moments_and_step_count():
    arch = layer_plan("vanilla", LSTM_ARGS, (6, 1), 2)
    step = trainer.step_function(arch, 8)  # the JAX step on this backend
    rng = np.random.default_rng(0)
    w = [np.stack([initial_weights(arch, s)[k] for s in range(8)]) for k in range(5)]
    m = [rng.normal(size=x.shape).astype(np.float32) for x in w]  # some earlier moments
    v = [np.abs(rng.normal(size=x.shape)).astype(np.float32) for x in w]
    t = np.full(8, 4.0, np.float32)
    x = rng.normal(size=(8, 8, 6, 1)).astype(np.float32)
    y = rng.normal(size=(8, 8, 2)).astype(np.float32)
    mask = np.ones((8, 8), np.float32)
    mask[1] = 0.0  # fit 1 has no window in this batch
    x[1], y[1] = 1e30, np.nan  # and whatever sits in its rows must not matter
    alive = np.ones(8, bool)
    alive[2] = False  # fit 2 stopped early: its windows are ignored
    w2, m2, v2, t2, loss, diverged = (np.asarray(a) if not isinstance(a, list) else [np.asarray(b) for b in a]
                                      for a in step(w, m, v, t, alive, x, y, mask, np.float32(0.01)))
    for before, after in ((w, w2), (m, m2), (v, v2)):
        for a, b in zip(before, after):
            assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2]) and not np.array_equal(a[0], b[0])
    assert t2.tolist() == [5, 4, 4, 5, 5, 5, 5, 5] and not diverged.any()
    x_other, y_other = x.copy(), y.copy()
    x_other[3:], y_other[3:] = -x[3:], 7.0  # fit 0's update is the same whatever the other fits hold
    w3, _, _, _, loss3, _ = step(w, m, v, t, alive, x_other, y_other, mask, np.float32(0.01))
    assert np.array_equal(np.asarray(w3[0])[0], w2[0][0]) and np.asarray(loss3)[0] == loss[0]


def seasonal_series(n=72):
    t = np.arange(n)
    values = 100 + 10 * np.sin(2 * np.pi * t / 12) + t * 0.5 + np.random.default_rng(1).normal(0, 1, n)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=n, freq="MS"), name="y")


def linear():
    return {"linear": Forecaster("linear", horizon=3, lookback=12, params=FAST)}


def test_a_walk_forward_trains_fold_parallel_repeats_itself_and_agrees_with_the_sequential_one():
    splitter = WalkForward(horizon=3, folds=2, refit="always")
    steps = trainer.STATS["steps"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SequentialFitsWarning: no fallback
        fast = walk_forward(seasonal_series(), linear(), splitter, baselines=False).to_frame()
    assert trainer.STATS["steps"] > steps  # trained on the grouped path
    again = walk_forward(seasonal_series(), linear(), splitter, baselines=False).to_frame()
    pd.testing.assert_frame_equal(again, fast, check_exact=True)  # same seed, same numbers
    slow = walk_forward(seasonal_series(), linear(), splitter, baselines=False, fast=False).to_frame()
    pd.testing.assert_frame_equal(fast.drop(columns="y_pred"), slow.drop(columns="y_pred"))  # same origins
    assert np.isfinite(fast["y_pred"]).all() and np.isfinite(slow["y_pred"]).all()
