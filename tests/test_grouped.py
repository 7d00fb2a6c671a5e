"""Fold-parallel training is the same model as independent fits (issue 6).

Grouped layers equal the builders' Keras layers with the same weights; one group reproduces
Keras' Adam from the same initial weights and batches; a fit never moves because of another
fit's windows; early stopping and divergence are per fit; the walk-forward fast path agrees
with the sequential one, repeats itself exactly and resumes to the uninterrupted numbers.
Every recurrent cell (issue 8) is grouped too: its forward equals the Keras model on every
recurrent builder, its initial weights follow its layout, a group reproduces Keras' Adam
through it, and its walk-forward runs fold-parallel. Every training loss (issue 14) trains and
scores the held-out windows alike on both paths, and ``steps_per_epoch`` and the held-out cap
bound a grouped epoch as they bound a Keras one. Every grouped training here uses a few
small models (tiny LSTMs and cells, or the walk-forward's linear model) so the compiled step
is built only a few times.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster, training
from forecastkit.evaluation import RunStore, WalkForward, plan, walk_forward
from forecastkit.forecaster import engines
from forecastkit.grouped import (
    SlotModel,
    forward,
    initial_weights,
    layer_plan,
    train_group,
    trainer,
)
from forecastkit.grouped.layers import keras_ops
from forecastkit.grouped.trainer import _held_out_loss
from forecastkit.models.cells import CELL_NAMES
from forecastkit.models.keras_common import compile_model, import_keras
from forecastkit.models.registry import get_spec
from forecastkit.training import keras_loss, validation_loss
from forecastkit.windows import WindowSet

keras = import_keras()
LSTM_ARGS = {"units": 4, "dropout": 0.0}
HYPER = {"epochs": 3, "batch_size": 8, "learning_rate": 0.01, "patience": 2, "validation": 0.0, "window_sample": 0}

BUILDERS = {
    "linear": {"l2": 0.0}, "mlp": {"units": 5, "layers": 2, "dropout": 0.0}, "vanilla": LSTM_ARGS,
    "stacked": {"units": 4, "layers": 2, "dropout": 0.0}, "bidirectional": LSTM_ARGS,
    "cnn_lstm": {"filters": 3, "kernel_size": 3, "units": 4, "dropout": 0.0}, "encoder_decoder": LSTM_ARGS,
}


def window_set(z, lookback=6, horizon=2):
    n = len(z)
    return WindowSet([(np.asarray(z, float), np.zeros((n, 0)), np.zeros((n, 0)), np.zeros(0))], lookback, horizon)


def sine(n=60, phase=0.0, noise=0.1, seed=0):
    return np.sin(np.arange(n) / 3 + phase) + np.random.default_rng(seed).normal(0, noise, n)


@pytest.mark.parametrize("name", BUILDERS)
def test_grouped_forward_equals_the_builders_keras_model_per_slot(name):
    arch = layer_plan(name, BUILDERS[name], (8, 2), 3)
    model = get_spec(name).load_builder()((8, 2), 3, **BUILDERS[name])
    assert [w.shape for w in model.get_weights()] == arch.weight_shapes()
    slots = [initial_weights(arch, seed) for seed in (1, 2, 3)]
    stacked = [np.stack([s[k] for s in slots]) for k in range(len(slots[0]))]
    x = np.random.default_rng(0).normal(size=(3, 5, 8, 2)).astype(np.float32)
    in_numpy = forward(arch, stacked, x)
    in_keras = keras.ops.convert_to_numpy(forward(arch, [keras.ops.convert_to_tensor(w) for w in stacked],
                                                  keras.ops.convert_to_tensor(x), keras_ops()))
    for f, weights in enumerate(slots):
        model.set_weights(weights)
        expected = model.predict(x[f], verbose=0)
        np.testing.assert_allclose(in_numpy[f], expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(in_keras[f], expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(SlotModel(arch, weights, BUILDERS[name]).to_keras().predict(x[f], verbose=0),
                                   expected, rtol=1e-6)


def test_initial_weights_follow_the_keras_initializers_and_the_seed():
    arch = layer_plan("vanilla", {"units": 8, "dropout": 0.0}, (6, 1), 2)
    kernel, recurrent, bias, dense, dense_bias = initial_weights(arch, 5)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)  # orthogonal rows (8 x 32)
    assert np.abs(kernel).max() <= np.sqrt(6 / (1 + 32)) and np.abs(dense).max() <= np.sqrt(6 / (8 + 2))
    assert bias.tolist() == [0.0] * 8 + [1.0] * 8 + [0.0] * 16 and not dense_bias.any()
    assert all(np.array_equal(a, b) for a, b in zip(initial_weights(arch, 5), initial_weights(arch, 5)))
    assert not np.array_equal(initial_weights(arch, 6)[0], kernel)


def test_one_group_reproduces_keras_adam_from_the_same_weights_and_batches():
    windows = window_set(sine(50))
    arch = layer_plan("vanilla", LSTM_ARGS, (6, 1), 2)
    keras.utils.set_random_seed(3)
    model = compile_model(get_spec("vanilla").load_builder()((6, 1), 2, **LSTM_ARGS), learning_rate=0.01)
    start = model.get_weights()
    orders = [np.random.default_rng(e).permutation(len(windows)) for e in range(HYPER["epochs"])]
    grouped = train_group(arch, [windows, window_set(sine(50, 1.0))], [0, 1], HYPER,
                          initial=[start, initial_weights(arch, 1)], orders=lambda f, e: orders[e])
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    for order in orders:  # the same batches, in the same order, through model.fit
        model.fit(inputs[order], targets[order], batch_size=HYPER["batch_size"], shuffle=False, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 3 * int(np.ceil(len(windows) / 8))
    for mine, theirs in zip(grouped[0].weights, model.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=2e-6)
    assert not np.allclose(grouped[0].weights[0], start[0])  # it did train


def test_the_linear_ridge_prior_is_counted_per_training_window_on_both_trainers():
    from forecastkit.training import ridge_coefficient

    windows = window_set(sine(50))
    args = {"l2": 2.0}  # the hyperparameter: a prior per training window
    arch = layer_plan("linear", args, (6, 1), 2)
    coefficient = ridge_coefficient(2.0, len(windows))  # validation 0: every window trains
    keras.utils.set_random_seed(3)
    model = compile_model(get_spec("linear").load_builder()((6, 1), 2, l2=coefficient), learning_rate=0.01)
    start = model.get_weights()
    orders = [np.random.default_rng(e).permutation(len(windows)) for e in range(HYPER["epochs"])]
    other = window_set(sine(20, 1.0))  # a shorter series: fewer windows, a stronger prior
    grouped = train_group(arch, [windows, other], [0, 1], HYPER, initial=[start, initial_weights(arch, 1)],
                          orders=lambda f, e: orders[e] if f == 0 else np.random.default_rng(e).permutation(len(other)))
    assert grouped[0].penalty == coefficient and grouped[1].penalty == ridge_coefficient(2.0, len(other))
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    for order in orders:
        model.fit(inputs[order], targets[order], batch_size=HYPER["batch_size"], shuffle=False, epochs=1, verbose=0)
    for mine, theirs in zip(grouped[0].weights, model.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=2e-6)
    assert grouped[0].build_args(args) == {"l2": coefficient}  # what its Keras conversion is built with


def test_a_fit_with_no_window_in_a_batch_keeps_weights_moments_and_step_count():
    # backend-neutral: tests/jax_subset.py runs it on JAX too
    arch = layer_plan("vanilla", LSTM_ARGS, (6, 1), 2)
    step = trainer.step_function(arch, HYPER["batch_size"])  # this backend's compiled step
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
    w2, m2, v2, t2, loss, diverged = step(w, m, v, t, alive, x, y, mask, np.float32(0.01), np.zeros(8, np.float32))
    w2, m2, v2 = ([np.asarray(b) for b in after] for after in (w2, m2, v2))
    t2, loss, diverged = np.asarray(t2), np.asarray(loss), np.asarray(diverged)
    for before, after in ((w, w2), (m, m2), (v, v2)):
        for a, b in zip(before, after):
            assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])
            assert not np.array_equal(a[0], b[0])
    assert t2.tolist() == [5, 4, 4, 5, 5, 5, 5, 5] and not diverged.any()
    # fit 0's update is the same whatever the other fits hold
    x_other, y_other = x.copy(), y.copy()
    x_other[3:], y_other[3:] = -x[3:], 7.0
    w3, m3, _, _, loss3, _ = step(w, m, v, t, alive, x_other, y_other, mask, np.float32(0.01), np.zeros(8, np.float32))
    assert np.array_equal(w2[0][0], np.asarray(w3[0])[0]) and np.asarray(loss3)[0] == loss[0]


def test_early_stopping_and_divergence_are_per_fit():
    arch = layer_plan("vanilla", LSTM_ARGS, (6, 1), 2)
    hyper = {**HYPER, "epochs": 8, "validation": 0.2, "patience": 2}
    clean, idle, broken = window_set(sine(60)), window_set(sine(60, 0.5)), window_set(np.r_[sine(40), [1e30] * 20])
    sets, seeds = [clean, idle, broken], [0, 1, 2]
    orders = lambda f, e: np.arange(len(sets[f]) - len(sets[f].latest(0.2)[1])) if f != 1 else np.arange(0)  # noqa: E731
    outcomes = train_group(arch, sets, seeds, hyper, orders=orders)
    assert outcomes[1].epochs == 3 and outcomes[1].error is None  # no update: no improvement after epoch 1
    assert all(np.array_equal(a, b) for a, b in zip(outcomes[1].weights, initial_weights(arch, 1)))
    assert outcomes[0].error is None and outcomes[0].epochs > 3
    assert "diverged" in str(outcomes[2].error) and outcomes[2].weights is None and outcomes[2].epochs == 1
    alone = train_group(arch, [clean], [0], hyper, orders=orders)  # the failure cost fit 0 nothing
    assert all(np.array_equal(a, b) for a, b in zip(alone[0].weights, outcomes[0].weights))


@pytest.mark.parametrize("loss", ["mae", "huber"])
def test_each_loss_trains_and_scores_alike_on_the_grouped_and_keras_paths(loss):
    windows = window_set(3 * sine(50))  # errors beyond Huber's delta as well as within it
    arch = layer_plan("mlp", BUILDERS["mlp"], (6, 1), 2)
    keras.utils.set_random_seed(3)
    model = compile_model(get_spec("mlp").load_builder()((6, 1), 2, **BUILDERS["mlp"]), learning_rate=0.01,
                          loss=keras_loss(keras, loss))
    start = model.get_weights()
    orders = [np.random.default_rng(e).permutation(len(windows)) for e in range(HYPER["epochs"])]
    grouped = train_group(arch, [windows], [0], {**HYPER, "loss": loss}, initial=[start],
                          orders=lambda f, e: orders[e])
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    for order in orders:  # the same batches, in the same order, through model.fit with the Keras loss
        model.fit(inputs[order], targets[order], batch_size=HYPER["batch_size"], shuffle=False, epochs=1, verbose=0)
    for mine, theirs in zip(grouped[0].weights, model.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=2e-6)
    assert not np.allclose(grouped[0].weights[0], start[0])
    # early stopping watches the training loss on both paths: grouped NumPy == Keras' own == the callback
    held = _held_out_loss(arch, [w[None] for w in model.get_weights()], inputs[None], targets[None],
                          np.ones((1, len(inputs)), np.float32), loss)[0]
    squared = _held_out_loss(arch, [w[None] for w in model.get_weights()], inputs[None], targets[None],
                             np.ones((1, len(inputs)), np.float32))[0]
    callback, logs = validation_loss(keras, windows, np.arange(len(windows)), False, loss=loss), {}
    callback.set_model(model)
    callback.on_epoch_end(0, logs)
    assert held == pytest.approx(model.evaluate(inputs, targets, verbose=0), rel=1e-5)
    assert logs["val_loss"] == pytest.approx(held, rel=1e-5) and held != pytest.approx(squared, rel=1e-3)


def test_steps_per_epoch_and_the_held_out_cap_bound_a_grouped_epoch(monkeypatch):
    sets = [window_set(sine(60)), window_set(sine(80, 1.0))]  # 27 and 37 fit windows, 26 and 36 held out
    arch = layer_plan("linear", BUILDERS["linear"], (6, 1), 2)
    monkeypatch.setattr(training, "VALIDATION_CAP", 5)
    held, real = [], trainer._held_out_loss
    monkeypatch.setattr(trainer, "_held_out_loss", lambda *args: held.append(args[4].sum(axis=1)) or real(*args))
    before = dict(trainer.STATS)
    hyper = {**HYPER, "validation": 0.5, "patience": 10, "steps_per_epoch": 2}
    outcomes = train_group(arch, sets, [0, 1], hyper)
    assert [o.epochs for o in outcomes] == [3, 3] and all(o.error is None for o in outcomes)
    assert trainer.STATS["steps"] - before["steps"] == 3 * 2  # not ceil(37 / 8) = 5 per epoch
    assert trainer.STATS["windows"] - before["windows"] == 3 * 2 * 2 * HYPER["batch_size"]
    assert [h.tolist() for h in held] == [[5, 5]] * 3  # the held-out windows of each fit, capped
    chosen = [training.split_windows(s, hyper, seed)[1] for s, seed in zip(sets, (0, 1))]
    assert [len(c) for c in chosen] == [5, 5] and np.all(np.diff(chosen[1]) >= 6)  # evenly spread over 36


def seasonal_series(n=72):
    t = np.arange(n)
    values = 100 + 10 * np.sin(2 * np.pi * t / 12) + t * 0.5 + np.random.default_rng(1).normal(0, 1, n)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=n, freq="MS"), name="y")


def linear_model(epochs=2, patience=1, loss="mse", **params):
    return {"linear": Forecaster("linear", horizon=3, lookback=12, params={**FAST, "epochs": epochs,
                                                                           "patience": patience, "loss": loss,
                                                                           **params})}


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_fast_and_sequential_walk_forward_agree(loss):
    # trained to convergence (no early stopping), so other initial weights and batch orders move the
    # forecasts little: with early stopping on six tiny fits, one fit stopping early decides the ratio
    model = lambda: linear_model(120, 120, loss, validation=0.0)  # noqa: E731
    splitter = WalkForward(horizon=3, folds=6, refit="always")
    fast = walk_forward(seasonal_series(), model(), splitter, baselines=False).to_frame()
    slow = walk_forward(seasonal_series(), model(), splitter, baselines=False, fast=False).to_frame()
    pd.testing.assert_frame_equal(fast.drop(columns="y_pred"), slow.drop(columns="y_pred"))  # same origins
    mae = [float((frame["y_true"] - frame["y_pred"]).abs().mean()) for frame in (fast, slow)]
    assert mae[0] <= 1.1 * mae[1], mae  # other initial weights and batch orders: not worse (beyond noise)


def test_fast_path_same_seed_same_numbers_and_resume(tmp_path, monkeypatch):
    splitter = WalkForward(horizon=3, folds=10, refit="always")  # fits 0-7 and 8-9 form two groups
    whole = walk_forward(seasonal_series(), linear_model(), splitter, out=tmp_path / "whole", baselines=False)
    again = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False)
    pd.testing.assert_frame_equal(whole.to_frame(), again.to_frame(), check_exact=True)
    other = walk_forward(seasonal_series(), linear_model(), splitter, baselines=False, seed=1)
    assert not np.array_equal(other.to_frame()["y_pred"], whole.to_frame()["y_pred"])
    original, calls = RunStore.commit_fit, {"n": 0}

    def interrupt_after_five(self, *args, **kwargs):
        if calls["n"] == 5:
            raise KeyboardInterrupt
        calls["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RunStore, "commit_fit", interrupt_after_five)
    with pytest.raises(KeyboardInterrupt):
        walk_forward(seasonal_series(), linear_model(), splitter, out=tmp_path / "cut", baselines=False)
    monkeypatch.setattr(RunStore, "commit_fit", original)
    resumed = walk_forward(seasonal_series(), linear_model(), splitter, out=tmp_path / "cut", resume=True,
                           baselines=False)
    pd.testing.assert_frame_equal(resumed.to_frame(), whole.to_frame(), check_exact=True)
    assert len(resumed.timings) == 10


def test_a_failing_fit_is_contained_on_the_fast_path():
    values = seasonal_series().to_numpy().copy()
    values[66] = -5.0  # log is undefined once this row is in the training data
    series = pd.Series(values, index=seasonal_series().index, name="y")
    logged = {"log_linear": Forecaster("linear", horizon=3, lookback=12, params=FAST, transform="log")}
    result = walk_forward(series, logged, WalkForward(horizon=3, folds=5, stride=1, refit="always"), baselines=False)
    assert result.fits["status"].tolist() == ["ok", "ok", "failed", "failed", "failed"]
    assert "strictly positive" in result.failed["reason"].iloc[0]


def test_uncovered_settings_fall_back_with_one_warning():
    dropout = Forecaster("vanilla", horizon=3, params={"dropout": 0.1})
    with pytest.warns(UserWarning, match="'v': dropout 0.1 is not grouped.*sequential"):
        assert plan.grouped_reason("v", dropout) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plan.grouped_reason("w", Forecaster("vanilla", warm_start=True)) == "sequential"
        assert plan.grouped_reason("n", Forecaster("naive")) == "sequential"
        assert plan.grouped_reason("b", Forecaster("bidirectional", horizon=1)) is None


def test_compiled_small_batch_call_equals_model_predict():
    from forecastkit.grouped.fast_call import predict

    model = get_spec("vanilla").load_builder()((6, 1), 2, **LSTM_ARGS)
    x = np.random.default_rng(0).normal(size=(3, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(predict(model, x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(predict(model, x[:1]), model.predict(x[:1], verbose=0), rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ recurrent cells (issue 8) --
CELL_BUILDERS = {
    "vanilla": {"units": 3, "dropout": 0.0}, "stacked": {"units": 3, "layers": 2, "dropout": 0.0},
    "bidirectional": {"units": 3, "dropout": 0.0},
    "cnn_lstm": {"filters": 2, "kernel_size": 2, "units": 3, "dropout": 0.0},
    "encoder_decoder": {"units": 3, "dropout": 0.0},
}
CELL_CASES = [(name, cell) for name in CELL_BUILDERS for cell in CELL_NAMES]


@pytest.mark.parametrize("name, cell", CELL_CASES)
def test_every_cell_grouped_forward_equals_the_keras_model_with_those_weights(name, cell):
    args = {**CELL_BUILDERS[name], "cell": cell}
    arch = layer_plan(name, args, (5, 2), 2)
    model = get_spec(name).load_builder()((5, 2), 2, **args)
    assert [w.shape for w in model.get_weights()] == arch.weight_shapes()
    assert [w.shape for w in initial_weights(arch, 0)] == arch.weight_shapes()
    rng = np.random.default_rng(1)  # random weights: peepholes and gate recurrences are not zero
    slots = [[rng.normal(0, 0.6, shape).astype(np.float32) for shape in arch.weight_shapes()] for _ in range(2)]
    stacked = [np.stack([s[k] for s in slots]) for k in range(len(slots[0]))]
    x = rng.normal(size=(2, 4, 5, 2)).astype(np.float32)
    in_numpy = forward(arch, stacked, x)
    in_keras = keras.ops.convert_to_numpy(forward(arch, [keras.ops.convert_to_tensor(w) for w in stacked],
                                                  keras.ops.convert_to_tensor(x), keras_ops()))
    for f, weights in enumerate(slots):
        model.set_weights(weights)
        expected = keras.ops.convert_to_numpy(model(x[f], training=False))
        np.testing.assert_allclose(in_numpy[f], expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(in_keras[f], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_initial_weights_of_every_cell_follow_its_layout(cell):
    args = {"units": 4, "dropout": 0.0, "cell": cell}
    arch = layer_plan("vanilla", args, (6, 2), 2)
    keras_start = get_spec("vanilla").load_builder()((6, 2), 2, **args).get_weights()
    mine = initial_weights(arch, 3)
    kinds = [kind for _, layout in arch.layouts() for _, _, kind in layout]
    assert [w.shape for w in mine] == [w.shape for w in keras_start] and mine[0].dtype == np.float32
    for kind, a, b in zip(kinds, mine, keras_start):
        if kind in ("zeros", "forget"):  # biases (forget block at 1), peepholes, gate recurrence: Keras' exactly
            assert np.array_equal(a, b), (kind, a, b)
        elif kind == "glorot":
            assert np.abs(a).max() <= np.sqrt(6 / sum(a.shape)) and a.std() > 0
        elif kind == "orthogonal":
            np.testing.assert_allclose(a @ a.T, np.eye(len(a)), atol=1e-5)  # orthonormal rows
        else:  # indy's diagonal: U(-1, 1)
            assert kind == "uniform" and np.abs(a).max() <= 1.0 and a.std() > 0.3
    assert "uniform" in kinds if cell == "indy" else "orthogonal" in kinds
    assert all(np.array_equal(a, b) for a, b in zip(initial_weights(arch, 3), mine))
    assert not np.array_equal(initial_weights(arch, 4)[0], mine[0])


@pytest.mark.parametrize("cell", ["fgr", "gru"])
def test_a_cell_group_reproduces_keras_adam_and_its_slot_converts_to_keras(cell):
    args = {**LSTM_ARGS, "cell": cell}
    windows = window_set(sine(40))
    arch = layer_plan("vanilla", args, (6, 1), 2)
    keras.utils.set_random_seed(4)
    model = compile_model(get_spec("vanilla").load_builder()((6, 1), 2, **args), learning_rate=0.01)
    start = model.get_weights()
    hyper = {**HYPER, "epochs": 2}
    orders = [np.random.default_rng(e).permutation(len(windows)) for e in range(hyper["epochs"])]
    grouped = train_group(arch, [windows, window_set(sine(40, 1.0))], [0, 1], hyper,
                          initial=[start, initial_weights(arch, 1)], orders=lambda f, e: orders[e])
    inputs, targets, _ = windows.gather(np.arange(len(windows)))
    for order in orders:
        model.fit(inputs[order], targets[order], batch_size=hyper["batch_size"], shuffle=False, epochs=1, verbose=0)
    for mine, theirs in zip(grouped[0].weights, model.get_weights()):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=2e-6)
    assert not np.allclose(grouped[0].weights[-3], start[-3])  # the last cell weight trained too
    slot = SlotModel(arch, grouped[1].weights, args)
    x = inputs[:5].astype(np.float32)
    np.testing.assert_allclose(slot.to_keras().predict(x, verbose=0), slot.predict(x), rtol=1e-5, atol=1e-6)


CELL_ARGS = {"units": 4, "dropout": 0.0, "cell": "cifg"}


def cell_model():
    return {"cifg": Forecaster("vanilla", horizon=3, lookback=12,
                               params={**FAST, **CELL_ARGS, "epochs": 20, "patience": 5})}


def test_a_cell_walk_forward_is_fold_parallel_and_each_fit_agrees_with_the_sequential_one(monkeypatch):
    from forecastkit.grouped import trainer

    splitter = WalkForward(horizon=3, folds=3, refit="always")
    steps = trainer.STATS["steps"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = walk_forward(seasonal_series(), cell_model(), splitter, baselines=False).to_frame()
    assert not [w for w in caught if "fold-parallel" in str(w.message)], [str(w.message) for w in caught]
    assert trainer.STATS["steps"] > steps  # trained on the grouped path
    with monkeypatch.context() as keras_only:  # the sequential fits as Keras models, not single grouped fits
        keras_only.setattr(engines, "why_not_grouped", lambda forecaster, continuing=None: "sequential")
        slow = walk_forward(seasonal_series(), cell_model(), splitter, baselines=False, fast=False).to_frame()
    pd.testing.assert_frame_equal(fast.drop(columns="y_pred"), slow.drop(columns="y_pred"))  # same origins
    mae = [float((frame["y_true"] - frame["y_pred"]).abs().mean()) for frame in (fast, slow)]
    assert mae[0] <= 1.25 * mae[1], mae  # other initial weights and batch orders: not worse (beyond noise)

    def keras_start(arch, seed):  # the sequential fit's initial weights (Keras' initializers, its seed)
        keras.utils.set_random_seed(seed)
        return get_spec("vanilla").load_builder()((arch.rows, arch.features), arch.horizon, **CELL_ARGS).get_weights()

    monkeypatch.setattr(trainer, "initial_weights", keras_start)
    same = walk_forward(seasonal_series(), cell_model(), splitter, baselines=False).to_frame()
    # from the same start, each fit's forecasts differ from its sequential twin's by the batch order
    # (the sequential fit reorders its batches) and float rounding only
    gap = (same["y_pred"] - slow["y_pred"]).abs()
    assert gap.max() <= 0.1 * mae[1], (gap.groupby(same["fit"]).max(), mae)


def test_grouped_lstm_layer_and_compiled_call_handle_cells():
    from forecastkit.grouped.fast_call import predict
    from forecastkit.grouped.layers import grouped_layers, lstm

    _, GroupedLSTM = grouped_layers()
    layer = GroupedLSTM(2, 3, return_sequences=True, cell="fgr")
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype(np.float32)
    layer.build(x.shape)
    assert [tuple(w.shape) for w in layer.weights] == [(2, 2, 12), (2, 3, 12), (2, 12), (2, 3, 3), (2, 9, 9)]
    weights = [np.random.default_rng(k).normal(0, 0.5, w.shape).astype(np.float32) for k, w in enumerate(layer.weights)]
    layer.set_weights(weights)
    again = GroupedLSTM.from_config(layer.get_config())
    again.build(x.shape)
    again.set_weights(weights)
    expected = lstm(x, *weights[:3], sequences=True, cell="fgr", peephole=weights[3], gate_recurrent=weights[4])
    assert expected.shape == (2, 4, 5, 3)
    for result in (layer(x), again(x)):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(result), expected, rtol=1e-5, atol=1e-6)
    model = get_spec("vanilla").load_builder()((6, 1), 2, units=3, dropout=0.0, cell="gru")
    x = np.random.default_rng(1).normal(size=(3, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(predict(model, x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-7)


def test_tensorflows_note_on_retracing_is_kept_out_of_the_output():
    import logging

    from forecastkit.grouped.fast_call import predict
    from forecastkit.models.keras_common import import_keras

    keras = import_keras()
    if keras.backend.backend() != "tensorflow":
        pytest.skip("a TensorFlow note")
    model = keras.Sequential([keras.Input((3, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    predict(model, np.zeros((2, 3, 1), "float32"))  # installs the filter with the first compiled forward
    logger = logging.getLogger("tensorflow")

    def passes(message: str) -> bool:
        return all(f.filter(logging.LogRecord("tensorflow", logging.WARNING, "", 0, message, None, None))
                   for f in logger.filters)
    assert not passes("5 out of the last 5 calls to <function f> triggered tf.function retracing. Tracing is ...")
    assert passes("any other warning")
