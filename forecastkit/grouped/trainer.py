"""Train many independent fits of one architecture at once (TensorFlow or JAX backend).

Each fit keeps everything :func:`forecastkit.training.train` gives a sequential fit: its own
training windows and held-out windows (``WindowSet.latest(validation)``), its own shuffled
batch order per epoch (the same generator as ``training.window_batches``, seeded by the
fit's seed), its own Adam state and step count, its own early stopping (patience, best
weights restored) and its own divergence check. One compiled step trains the whole group on
a batch (per fit, a batch of its own windows): a TensorFlow graph function (XLA only with
:data:`JIT`; :func:`_step_function`), or on the JAX backend ``jax.jit`` of a ``jax.vmap`` over fits
(:func:`forecastkit.grouped.jax_trainer.step_function`), with the same arithmetic:

- the loss is the sum over fits of each fit's masked mean loss (``hyper["loss"]``: mse, mae
  or huber, :func:`forecastkit.training.pointwise_loss`, plus its L2 penalty), so the
  gradient of a fit's weights is that fit's gradient alone;
- a fit with no window in a batch (its epoch is shorter, or it stopped early or failed)
  gets no update: its weights, moments and step count are left exactly as they were;
- the update is Keras' Adam written out per fit, once for both backends (:func:`adam_update`),
  with no clipping across fits.

The held-out windows and the per-epoch windows are chosen by the sequential trainer's own
helpers (``training.split_windows``, so at most ``training.VALIDATION_CAP`` held-out windows,
and ``window_batches``, so ``window_sample`` and ``steps_per_epoch`` bound an epoch alike).

The TensorFlow function is traced once per (architecture, batch size, loss): the number of
fits, of steps per epoch and of held-out windows are dynamic dimensions, so later groups (and
later runs in the process) reuse the graph; the JAX step compiles once per number of fit slots.
Everything around the step (windows, batch orders, early stopping, divergence, held-out loss)
is this module's, shared by both backends.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import TrainingError
from ..training import EpochBar, ridge_coefficient
from .layers import Arch, NumpyOps, forward, initial_weights, keras_ops

BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-7
#: Compile the step with XLA. Off: on CPU the plain TensorFlow graph of the step traced in
#: ~1 s beats XLA's ~5-15 s compile per shape, and ran each step 1.3-4x faster in
#: benchmarks/parallel.py's profile (vanilla LSTM, 8 fits, 12-36 rows, 1 thread).
JIT = False


@dataclass
class Outcome:
    """What training left for one fit: its weights, or the error that failed it."""

    weights: list | None
    error: Exception | None = None
    epochs: int = 0
    losses: list = field(default_factory=list)
    #: The L2 coefficient the fit trained with (:func:`~forecastkit.training.ridge_coefficient`).
    penalty: float = 0.0

    def build_args(self, build_args: dict) -> dict:
        """The builder's arguments of this fit: ``l2`` is the coefficient it trained with."""
        return {**build_args, "l2": self.penalty} if "l2" in build_args else build_args


#: The Keras backends the grouped trainer runs on (the others train fits one after another).
BACKENDS = ("tensorflow", "jax")


def supported() -> bool:
    """Whether the grouped trainer can run here: Keras on one of :data:`BACKENDS` (Keras is
    not imported).

    Examples
    --------
    >>> from forecastkit.models.keras_common import keras_backend
    >>> supported() == (keras_backend() in BACKENDS)
    True
    """
    from ..models.keras_common import keras_backend

    return keras_backend() in BACKENDS


def step_function(arch: Arch, batch: int, loss_name: str = "mse"):
    """The compiled training step of this process's Keras backend (TensorFlow or JAX), cached
    per ``(arch, batch, loss_name)``; both take and return the same arrays."""
    from ..models.keras_common import keras_backend

    if keras_backend() == "jax":
        from .jax_trainer import step_function as jax_step

        return jax_step(arch, batch, loss_name)
    return _step_function(arch, batch, loss_name)


_COMPILED: dict = {}
#: Running totals of the compiled steps (benchmarks read them): calls, seconds in them,
#: real windows trained and window rows computed (padding slots and batch rows included).
STATS = {"steps": 0, "seconds": 0.0, "windows": 0, "slot_windows": 0, "compile_seconds": 0.0}
_CALLED: set = set()  # (architecture, batch, loss, slots) whose step has run (compiled) already
#: Fits per group are padded to a multiple of this by default (padding slots never train), so
#: groups of nearby sizes share one compiled step.
SLOT_MULTIPLE = 8


def _step_function(arch: Arch, batch: int, loss_name: str = "mse"):
    """The compiled training step of ``arch`` on batches of ``batch`` windows with the
    ``loss_name`` loss (mse, mae or huber; cached per all three).

    Inputs: the weights, Adam moments and step counts of ``F`` fits, which fits may train
    (``alive``), the batch ``(F, batch, rows, features)``, its targets ``(F, batch, horizon)``,
    its window mask ``(F, batch)``, the learning rate and each fit's L2 coefficient on the
    head's kernel (``penalty``, used when ``arch.l2 > 0``). Returns the updated state, each
    fit's loss and whether it was finite. Traced once per (architecture, batch size, loss);
    with :data:`JIT`, compiled with XLA once per number of fit slots.
    """
    key = (arch, batch, loss_name)
    if key in _COMPILED:
        return _COMPILED[key]
    import tensorflow as tf

    from ..training import pointwise_loss

    ops = keras_ops()
    shapes = arch.weight_shapes()
    f32 = tf.float32
    weights_spec = [tf.TensorSpec((None, *s), f32) for s in shapes]
    rows, features, horizon = arch.rows, arch.features, arch.horizon
    signature = [weights_spec, weights_spec, weights_spec, tf.TensorSpec((None,), f32), tf.TensorSpec((None,), tf.bool),
                 tf.TensorSpec((None, batch, rows, features), f32), tf.TensorSpec((None, batch, horizon), f32),
                 tf.TensorSpec((None, batch), f32), tf.TensorSpec((), f32), tf.TensorSpec((None,), f32)]
    penalised = arch.l2 > 0

    @tf.function(input_signature=signature, jit_compile=JIT, autograph=False)  # static Python loops: no AutoGraph
    def step(w, m, v, t, alive, x, y, mask, lr, penalty):
        fits = tf.shape(t)[0]
        has = tf.reduce_any(mask > 0, axis=1) & alive
        with tf.GradientTape() as tape:
            tape.watch(w)
            predicted = forward(arch, w, x, ops)
            keep = mask[:, :, None] > 0
            errors = tf.where(keep, pointwise_loss(loss_name, predicted - y, tf), tf.zeros_like(predicted))
            count = tf.maximum(tf.reduce_sum(mask, axis=1) * horizon, 1.0)
            loss = tf.reduce_sum(errors, axis=[1, 2]) / count  # each fit's mean over its windows
            if penalised:  # each fit's own coefficient (the ridge prior over its training windows)
                loss = loss + penalty * tf.reduce_sum(tf.square(w[-2]), axis=[1, 2])
            objective = tf.reduce_sum(tf.where(has, loss, tf.zeros_like(loss)))  # no fit's gradient mixes
        grads = tape.gradient(objective, w)
        finite = tf.math.is_finite(loss)

        def per_fit(values, weight):  # (F,) against a weight (F, ...): one value per fit slot
            return tf.reshape(values, tf.concat([[fits], tf.ones([len(weight.shape) - 1], tf.int32)], 0))

        return (*adam_update(tf, w, m, v, grads, t, has & finite, lr, per_fit), loss, has & ~finite)

    _COMPILED[key] = step
    return step


def adam_update(xp, weights: list, m: list, v: list, grads: list, t, ok, lr, per_fit=None) -> tuple:
    """Keras' Adam step (``keras.optimizers.Adam.update_step``'s formulas, no clipping), kept
    exactly where ``ok`` is false: ``(weights, m, v, t)`` updated.

    ``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)`` with ``t`` the step count after this step,
    ``m += (g - m) * (1 - b1)``, ``v += (g^2 - v) * (1 - b2)``, ``w -= alpha * m / (sqrt(v) + eps)``.
    ``xp``: the array namespace (``tensorflow``, ``jax.numpy`` or ``numpy``: ``sqrt``, ``square``,
    ``where``). ``t``, ``ok``: one per fit, or scalars for a single fit (the JAX step, inside
    ``jax.vmap``); ``per_fit(values, weight)`` shapes them to broadcast against a weight with a
    leading fit axis (the TensorFlow step); None when they are scalars.

    Examples
    --------
    >>> w, m, v, t = adam_update(np, [np.ones(2)], [np.zeros(2)], [np.zeros(2)], [np.array([1.0, -1.0])],
    ...                          0.0, True, 0.1)
    >>> np.round(w[0], 4).tolist(), float(t)  # the first step moves each weight by lr against its gradient
    ([0.9, 1.1], 1.0)
    >>> adam_update(np, w, m, v, [np.ones(2)], t, False, 0.1)[0][0].tolist() == w[0].tolist()  # kept
    True
    """
    spread = per_fit or (lambda values, weight: values)
    t_new = xp.where(ok, t + 1.0, t)
    alpha = lr * xp.sqrt(1 - BETA_2 ** t_new) / (1 - BETA_1 ** t_new)
    new_w, new_m, new_v = [], [], []
    for wk, mk, vk, gk in zip(weights, m, v, grads):
        a, on = spread(alpha, wk), spread(ok, wk)
        mn = mk + (gk - mk) * (1 - BETA_1)
        vn = vk + (xp.square(gk) - vk) * (1 - BETA_2)
        wn = wk - (mn * a) / (xp.sqrt(vn) + EPSILON)
        new_w.append(xp.where(on, wn, wk))  # a fit that does not train keeps weights and moments
        new_m.append(xp.where(on, mn, mk))
        new_v.append(xp.where(on, vn, vk))
    return new_w, new_m, new_v, t_new


def _held_out_loss(arch: Arch, weights: list, vx, vy, vmask, loss_name: str = "mse") -> np.ndarray:
    """Each fit's mean ``loss_name`` loss on its held-out windows (NumPy forward, float32)."""
    from ..training import pointwise_loss

    if vx.shape[1] == 0:
        return np.zeros(len(vx))
    with np.errstate(all="ignore"):  # a diverged fit's held-out loss is inf or NaN, as it should be
        predicted = forward(arch, weights, vx, NumpyOps).astype(np.float64)
        errors = np.where(vmask[:, :, None] > 0, pointwise_loss(loss_name, predicted - vy), 0.0)
    return errors.sum(axis=(1, 2)) / np.maximum(vmask.sum(axis=1) * arch.horizon, 1.0)


def train_group(arch: Arch, windows: list, seeds: list, hyper: dict, initial: list | None = None,
                description: str = "training", orders=None, slots: int | None = None,
                verbose: int = 0) -> list[Outcome]:
    """Train one fit per WindowSet in ``windows`` (all of shape ``arch``) at once.

    ``seeds[f]`` draws fit ``f``'s initial weights (unless ``initial``, a list of weight lists,
    gives them) and its batch order. ``hyper``: the resolved training settings (``epochs``,
    ``batch_size``, ``learning_rate``, ``patience``, ``validation``, ``window_sample``, and
    optionally ``loss``, default mse, and ``steps_per_epoch``, default 0).
    ``slots``: the number of fit slots of the compiled step (>= the number of fits; default
    the next multiple of :data:`SLOT_MULTIPLE`); groups with equal ``slots`` share one compile.
    ``orders(f, epoch)``, if given, replaces fit ``f``'s shuffled window order of an epoch
    (positions in its WindowSet; tests feed a plain Keras model the same batches).
    ``verbose``: 1 draws the sequential trainer's progress bar over the epochs
    (:class:`~forecastkit.training.EpochBar`, the mean loss over the group's fits), 2 prints
    one line per epoch on standard error. Returns one :class:`Outcome` per fit; a fit whose loss becomes NaN
    or infinite fails with the :class:`TrainingError` the sequential trainer raises, the
    others go on.
    """
    from ..models.keras_common import import_keras
    from ..training import (
        VALIDATION_CAP,
        divergence_error,
        epoch_observed,
        no_change_loss,
        split_windows,
        window_batches,
    )

    keras = import_keras()
    n = len(windows)
    batch = int(hyper["batch_size"])
    span, feats, horizon = arch.rows, arch.features, arch.horizon
    batches, tables, held = [], [], []
    penalties, references = [], []
    for ws, seed in zip(windows, seeds):
        fit_index, val_index = split_windows(ws, hyper, seed)
        penalties.append(ridge_coefficient(arch.l2, len(fit_index)))
        batches.append(window_batches(keras, ws, fit_index, hyper, seed, False))
        inputs, targets, _ = ws.gather(np.arange(len(ws)))
        tables.append((inputs, targets))
        held.append(val_index)
        scored = val_index if len(val_index) else fit_index  # what its best loss is measured on
        references.append(no_change_loss(targets[scored[:VALIDATION_CAP]], str(hyper.get("loss", "mse"))))
    vmax = max(len(v) for v in held)
    vx = np.zeros((n, vmax, span, feats), np.float32)
    vy = np.zeros((n, vmax, horizon), np.float32)
    vmask = np.zeros((n, vmax), np.float32)
    for f, index in enumerate(held):
        vx[f, :len(index)], vy[f, :len(index)] = tables[f][0][index], tables[f][1][index]
        vmask[f, :len(index)] = 1.0
    has_val = np.array([len(v) > 0 for v in held])

    starts = initial or [initial_weights(arch, seed) for seed in seeds]
    slots = max(int(slots or 0), -(-n // SLOT_MULTIPLE) * SLOT_MULTIPLE if slots is None else n)
    starts = list(starts) + [starts[0]] * (slots - n)  # padding slots: never trained, never read
    w = [np.stack([s[k] for s in starts]).astype(np.float32) for k in range(len(starts[0]))]
    m = [np.zeros_like(x) for x in w]
    v = [np.zeros_like(x) for x in w]
    t = np.zeros(slots, np.float32)
    penalty = np.r_[penalties, np.zeros(slots - n)].astype(np.float32)
    alive = np.ones(n, bool)
    failed: dict[int, int] = {}
    best = np.full(n, np.inf)
    wait = np.zeros(n, np.int64)
    best_w = [None] * n
    losses = [[] for _ in range(n)]
    ran = np.zeros(n, np.int64)
    loss_name = str(hyper.get("loss", "mse"))
    step_fn = step_function(arch, batch, loss_name)
    lr = np.float32(hyper["learning_rate"])
    bar = EpochBar(int(hyper["epochs"]), description) if verbose == 1 else None
    try:
        for epoch in range(int(hyper["epochs"])):
            if not alive.any():
                break
            orders_now = [(b.order if orders is None else np.asarray(orders(f, epoch))) if alive[f] else np.zeros(0, int)
                          for f, b in enumerate(batches)]
            steps = max(1, max(math.ceil(len(o) / batch) for o in orders_now))
            xs = np.zeros((steps, slots, batch, span, feats), np.float32)
            ys = np.zeros((steps, slots, batch, horizon), np.float32)
            masks = np.zeros((steps, slots, batch), np.float32)
            for f, order in enumerate(orders_now):
                pos = np.arange(len(order))
                xs[pos // batch, f, pos % batch] = tables[f][0][order]
                ys[pos // batch, f, pos % batch] = tables[f][1][order]
                masks[pos // batch, f, pos % batch] = 1.0
            total, counted, bad = np.zeros(slots), np.zeros(slots), np.zeros(slots, bool)
            alive_t = np.r_[alive, np.zeros(slots - n, bool)]
            for s in range(steps):
                began = time.perf_counter()
                w, m, v, t, loss, diverged = step_fn(w, m, v, t, alive_t, xs[s], ys[s], masks[s], lr, penalty)
                loss, diverged = np.asarray(loss), np.asarray(diverged)
                if (arch, batch, loss_name, slots) not in _CALLED:  # the first call compiles: timed apart
                    _CALLED.add((arch, batch, loss_name, slots))
                    STATS["compile_seconds"] += time.perf_counter() - began
                    began = time.perf_counter()
                STATS["steps"] += 1
                STATS["seconds"] += time.perf_counter() - began
                STATS["windows"] += int(masks[s][:n][alive & ~bad[:n]].sum())
                STATS["slot_windows"] += slots * batch
                if diverged.any():  # those fits stop training; the others go on
                    bad |= diverged
                    alive_t = np.r_[alive, np.zeros(slots - n, bool)] & ~bad
                weight = masks[s].sum(axis=1)
                ok = (weight > 0) & ~bad
                total[ok] += loss[ok] * weight[ok]
                counted[ok] += weight[ok]
            finite = ~bad[:n]
            mean_loss = total[:n] / np.maximum(counted[:n], 1.0)
            current = [np.asarray(x) for x in w]
            val = _held_out_loss(arch, [x[:n] for x in current], vx, vy, vmask, loss_name) if has_val.any() else np.zeros(n)
            for b in batches:
                b.on_epoch_end()
            for f in np.flatnonzero(alive):
                ran[f] = epoch + 1
                losses[f].append(float(mean_loss[f]) if finite[f] else math.nan)
                if not finite[f]:
                    failed[f] = epoch + 1
                    alive[f] = False
                    continue
                if not has_val[f]:
                    continue
                if best_w[f] is None:  # Keras' EarlyStopping: the first epoch's weights are the first best
                    best_w[f] = [x[f].copy() for x in current]
                wait[f] += 1
                if val[f] < best[f]:
                    best[f], wait[f] = val[f], 0
                    best_w[f] = [x[f].copy() for x in current]
                    continue
                if wait[f] >= int(hyper["patience"]) and epoch > 0:
                    alive[f] = False
            if has_val.any() and epoch_observed(epoch, val[has_val]):  # a tuner pruned the trial
                alive[:] = False
            if verbose:
                shown = {"loss": float(np.nanmean(mean_loss)) if n else math.nan}
                if has_val.any():
                    shown["val_loss"] = float(np.mean(val[has_val]))
                if bar is not None:
                    bar.update(epoch, shown)
                else:
                    print(f"{description}: epoch {epoch + 1}/{hyper['epochs']} "
                          + "  ".join(f"{k} {v:.4g}" for k, v in shown.items()), file=sys.stderr, flush=True)
    finally:
        if bar is not None:
            bar.close()
    final = [np.asarray(x) for x in w]
    outcomes = []
    for f in range(n):
        if f in failed:
            outcomes.append(Outcome(None, TrainingError(
                f"Training {description!r} diverged (the loss became NaN or inf at epoch {failed[f]}). "
                "Lower `learning_rate`, or set `scaler` to 'standard'."), int(ran[f]), losses[f]))
            continue
        error = divergence_error(description, float(best[f]) if has_val[f] else min(losses[f], default=math.inf),
                         references[f])
        if error is not None:
            outcomes.append(Outcome(None, error, int(ran[f]), losses[f]))
            continue
        weights = best_w[f] if best_w[f] is not None else [x[f].copy() for x in final]
        outcomes.append(Outcome(weights, None, int(ran[f]), losses[f], float(penalties[f])))
    return outcomes


class SlotModel:
    """One trained fit of a group, standing in for its ``keras.Model`` in a Forecaster.

    ``predict(inputs, verbose=0, batch_size=...)`` and ``model(inputs, training=False)`` run
    the grouped forward for this fit alone (NumPy, float32), so ``predict_histories``,
    calibration and the inverse transforms work unchanged; :meth:`to_keras` builds the plain
    Keras model of the builder with these weights (e.g. to save it).
    """

    def __init__(self, arch: Arch, weights: list, build_args: dict | None = None):
        self.arch, self.weights, self.build_args = arch, [np.asarray(x, np.float32) for x in weights], build_args
        self._stacked = [x[None] for x in self.weights]

    @property
    def input_shape(self) -> tuple:
        return (None, self.arch.rows, self.arch.features)

    @property
    def output_shape(self) -> tuple:
        return (None, self.arch.horizon)

    def get_weights(self) -> list:
        return [x.copy() for x in self.weights]

    def predict(self, inputs, verbose=0, batch_size=None) -> np.ndarray:
        x = np.asarray(inputs, np.float32)
        if len(x) == 0:
            return np.zeros((0, self.arch.horizon), np.float32)
        with np.errstate(all="ignore"):  # overflow gives inf, which the caller reports
            return forward(self.arch, self._stacked, x[None], NumpyOps)[0]

    def __call__(self, inputs, training=False):
        return self.predict(inputs)

    def to_keras(self):
        """The builder's ``keras.Model`` with this fit's weights."""
        from ..models.registry import get_spec

        model = get_spec(self.arch.model).load_builder()((self.arch.rows, self.arch.features), self.arch.horizon,
                                                          **(self.build_args or {}))
        model.set_weights(self.weights)
        return model
