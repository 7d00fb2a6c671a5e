"""The grouped training step on the JAX backend: ``jax.jit`` of a ``jax.vmap`` over fits.

:func:`forecastkit.grouped.trainer.train_group` runs the same epoch loop on either backend
and asks :func:`step_function` for the compiled step when Keras runs on JAX. The step is
written for one fit and mapped over the fit axis with ``jax.vmap``, so no fit's gradient can
reach another's weights by construction. Per fit it is the TensorFlow step's arithmetic:

- the forward is :func:`~forecastkit.grouped.layers.forward` with :func:`jax_ops`, the op
  table in ``jax.numpy`` (the functions ``keras.ops`` calls on the JAX backend; slot ``f``
  alone, with a fit axis of one), so the step also runs where Keras uses another backend;
- the loss is the fit's masked mean ``loss_name`` loss
  (:func:`forecastkit.training.pointwise_loss`) plus its L2 penalty, differentiated with
  ``jax.value_and_grad``;
- the update is Keras' Adam written out (``alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)``,
  ``w -= alpha * m / (sqrt(v) + eps)``, the formulas of ``keras.optimizers.Adam.update_step``);
  a fit with no window in the batch, one that may not train (``alive`` false) and one whose
  loss is not finite keep their weights, moments and step count exactly.

The compiled step is cached per (architecture, batch size, loss); JAX compiles it once per
number of fit slots (the trainer pads groups to a multiple of eight slots, so groups of
nearby sizes share one compile).
"""

from __future__ import annotations

from .layers import Arch, forward
from .trainer import BETA_1, BETA_2, EPSILON

_COMPILED: dict = {}


def step_function(arch: Arch, batch: int, loss_name: str = "mse"):
    """The compiled JAX training step of ``arch`` (cached per ``(arch, batch, loss_name)``).

    Called as ``step(w, m, v, t, alive, x, y, mask, lr)`` with the same arrays as the
    TensorFlow step (:func:`forecastkit.grouped.trainer._step_function`): the weights, Adam
    moments and step counts of ``F`` fit slots, which slots may train, the batch
    ``(F, batch, rows, features)``, its targets ``(F, batch, horizon)``, its window mask
    ``(F, batch)`` and the learning rate. Returns ``(w, m, v, t, loss, diverged)``.

    Examples
    --------
    >>> import numpy as np
    >>> from forecastkit.grouped.layers import initial_weights, layer_plan
    >>> arch = layer_plan("linear", {}, (4, 1), 1)
    >>> w = [np.stack([x, x]) for x in initial_weights(arch, 0)]
    >>> zeros = [np.zeros_like(x) for x in w]
    >>> x, y = np.ones((2, 3, 4, 1), np.float32), np.ones((2, 3, 1), np.float32)
    >>> mask = np.array([[1, 1, 1], [0, 0, 0]], np.float32)  # slot 1 has no window: it does not train
    >>> step = step_function(arch, 3)
    >>> _, _, _, t, loss, diverged = step(w, zeros, zeros, np.zeros(2, np.float32), np.ones(2, bool),
    ...                                   x, y, mask, np.float32(0.01))
    >>> np.asarray(t).tolist(), np.asarray(diverged).tolist()
    ([1.0, 0.0], [False, False])
    """
    key = (arch, batch, loss_name)
    if key in _COMPILED:
        return _COMPILED[key]
    import jax
    import jax.numpy as jnp

    from ..training import pointwise_loss

    ops = jax_ops()
    horizon, l2 = arch.horizon, float(arch.l2)
    f32 = jnp.float32

    def one_fit(w, m, v, t, alive, x, y, mask, lr):
        def objective(weights):
            predicted = forward(arch, [wk[None] for wk in weights], x[None], ops)[0]  # (batch, horizon)
            errors = jnp.where(mask[:, None] > 0, pointwise_loss(loss_name, predicted - y, jnp), 0.0)
            loss = jnp.sum(errors) / jnp.maximum(jnp.sum(mask) * horizon, 1.0)  # the fit's mean over its windows
            if l2 > 0:
                loss = loss + l2 * jnp.sum(jnp.square(weights[-2]))
            return loss

        loss, grads = jax.value_and_grad(objective)(w)
        has = jnp.any(mask > 0) & alive
        finite = jnp.isfinite(loss)
        ok = has & finite
        t_new = t + ok.astype(f32)
        alpha = lr * jnp.sqrt(1 - jnp.power(f32(BETA_2), t_new)) / (1 - jnp.power(f32(BETA_1), t_new))
        w2, m2, v2 = [], [], []
        for wk, mk, vk, gk in zip(w, m, v, grads):
            mn = mk + (gk - mk) * (1 - BETA_1)
            vn = vk + (jnp.square(gk) - vk) * (1 - BETA_2)
            wn = wk - (mn * alpha) / (jnp.sqrt(vn) + EPSILON)
            w2.append(jnp.where(ok, wn, wk))  # a fit that does not train keeps weights and moments
            m2.append(jnp.where(ok, mn, mk))
            v2.append(jnp.where(ok, vn, vk))
        return w2, m2, v2, t_new, loss, has & ~finite

    step = jax.jit(jax.vmap(one_fit, in_axes=(0, 0, 0, 0, 0, 0, 0, 0, None)))
    _COMPILED[key] = step
    return step


def jax_ops():
    """The op table of :func:`~forecastkit.grouped.layers.forward` in ``jax.numpy``.

    Examples
    --------
    >>> import numpy as np
    >>> np.asarray(jax_ops().sigmoid(np.zeros(2, np.float32))).tolist()
    [0.5, 0.5]
    """
    import jax
    import jax.numpy as jnp

    class JaxOps:
        matmul = staticmethod(jnp.matmul)
        concat = staticmethod(lambda xs, axis: jnp.concatenate(xs, axis=axis))
        stack = staticmethod(lambda xs, axis: jnp.stack(xs, axis=axis))
        tanh = staticmethod(jnp.tanh)
        sigmoid = staticmethod(jax.nn.sigmoid)
        relu = staticmethod(jax.nn.relu)
        maximum = staticmethod(jnp.maximum)
        reshape = staticmethod(jnp.reshape)
        shape = staticmethod(jnp.shape)

        @staticmethod
        def zeros(shape, like):
            return jnp.zeros(shape, like.dtype)

        @staticmethod
        def pad_rows(x, before):
            return jnp.pad(x, ((0, 0), (0, 0), (before, 0), (0, 0)))

        @staticmethod
        def flip_rows(x):
            return jnp.flip(x, axis=2)

    return JaxOps
