"""The backend-agnostic subset, run on Keras' JAX backend (issue 21).

Not collected by the suite itself (the name does not start with ``test_``):
``tests/test_jax_backend.py`` runs this file with pytest in a ``KERAS_BACKEND=jax``
subprocess, so these tests run in every CI run, in a process whose Keras is on JAX. They cover
the builders, save/load, a small walk-forward and the fold-parallel path: its JAX step
reproduces Keras' own Adam on JAX (the sequential fits' optimizer) from the same weights and
batches, early stopping included, and a fold-parallel walk-forward trains without a fallback,
repeats itself exactly and gives, up to float rounding, the forecasts of its fits trained
each alone. The backend-neutral tests of ``tests/test_grouped.py`` (and its helpers) are
imported, so they run here on JAX as well.
"""

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST
from test_grouped import (  # the backend-neutral tests of the grouped path, run here on JAX too
    LSTM_ARGS,
    linear_model,
    seasonal_series,
    sine,
    test_a_fit_with_no_window_in_a_batch_keeps_weights_moments_and_step_count,  # noqa: F401
    test_early_stopping_and_divergence_are_per_fit,  # noqa: F401
    window_set,
)

from forecastkit import Forecaster, training
from forecastkit.evaluation import WalkForward, plan, walk_forward
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
from forecastkit.grouped.layers import keras_ops
from forecastkit.models.keras_common import compile_model, import_keras
from forecastkit.models.registry import get_spec, model_names

keras = import_keras()
#: The environment variable naming a folder with a Forecaster saved on TensorFlow and its forecast.
TF_MODEL = "FORECASTKIT_TF_MODEL"
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


@pytest.mark.parametrize("name, args", [
    ("bidirectional", {}), ("cnn_lstm", {"filters": 2, "kernel_size": 2}), ("encoder_decoder", {}),
    ("vanilla", {"cell": "indy"}), ("vanilla", {"cell": "fgr"}), ("vanilla", {"cell": "gru"})])
def test_the_grouped_forward_in_jax_equals_the_numpy_one(name, args):
    # every op of the op table (flips, pads, pools, repeats, diagonal and gate recurrences, GRU)
    arch = layer_plan(name, {"units": 3, "dropout": 0.0, **args}, (5, 2), 2)
    rng = np.random.default_rng(1)
    weights = [rng.normal(0, 0.6, (2, *shape)).astype(np.float32) for shape in arch.weight_shapes()]
    x = rng.normal(size=(2, 4, 5, 2)).astype(np.float32)
    for ops in (jax_ops(), keras_ops()):  # the JAX step's table, and keras.ops on JAX
        np.testing.assert_allclose(np.asarray(forward(arch, weights, x, ops)), forward(arch, weights, x),
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


def test_a_walk_forward_trains_fold_parallel_repeats_itself_and_agrees_with_the_sequential_one(monkeypatch):
    splitter = WalkForward(horizon=3, folds=2, refit="always")
    steps = trainer.STATS["steps"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SequentialFitsWarning: no fallback
        fast = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False).to_frame()
    assert trainer.STATS["steps"] > steps  # trained on the grouped path
    again = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False).to_frame()
    pd.testing.assert_frame_equal(again, fast, check_exact=True)  # same seed, same numbers
    slow = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False, fast=False).to_frame()
    pd.testing.assert_frame_equal(fast.drop(columns="y_pred"), slow.drop(columns="y_pred"))  # same origins
    assert np.isfinite(fast["y_pred"]).all() and np.isfinite(slow["y_pred"]).all()
    monkeypatch.setattr(plan, "GROUP_FITS", 1)  # a group of one slot per fit: the fits train one after another
    alone = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False).to_frame()
    pd.testing.assert_frame_equal(alone, fast, check_exact=False, rtol=1e-5)  # trained together, or each alone


def test_a_tensorflow_only_setting_on_jax_is_one_typed_warning(monkeypatch):
    from forecastkit.cli.flags import to_flags
    from forecastkit.errors import TensorFlowOnlyWarning
    from forecastkit.evaluation import environment

    monkeypatch.setattr(environment, "_APPLIED", {})  # as in a fresh process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = [environment.reference(False, uses_tensorflow=True) for _ in range(2)]  # e.g. a run, a tuning trial
    assert [type(w.message) for w in caught] == [TensorFlowOnlyWarning] and not runs[1].deterministic
    assert to_flags(str(caught[0].message)).startswith("`--fast-nondeterministic` (Python: `deterministic`=False) "
                                                       "changes nothing on Keras' jax backend")
