"""The grouped training step on the JAX backend: ``jax.jit`` of a ``jax.vmap`` over fits.

:func:`forecastkit.grouped.trainer.train_group` runs the same epoch loop on either backend
and asks :func:`step_function` for the compiled step when Keras runs on JAX. The step is
written for one fit and mapped over the fit axis with ``jax.vmap``, so no fit's gradient can
reach another's weights by construction. Per fit it is the TensorFlow step's arithmetic, from
the same backend-neutral pieces:

- the forward is :func:`~forecastkit.grouped.layers.forward` with its op table in
  ``jax.numpy`` (:func:`jax_ops`, the functions ``keras.ops`` calls on the JAX backend; slot
  ``f`` alone, with a fit axis of one), so the step also runs where Keras uses another backend;
- the loss is the fit's masked mean ``loss_name`` loss
  (:func:`forecastkit.training.pointwise_loss`) plus its L2 penalty, differentiated with
  ``jax.value_and_grad``;
- the update is Keras' Adam (:func:`~forecastkit.grouped.trainer.adam_update`); a fit with no
  window in the batch, one that may not train (``alive`` false) and one whose loss is not
  finite keep their weights, moments and step count exactly.

The compiled step is cached per (architecture, batch size, loss); JAX compiles it once per
number of fit slots (the trainer pads groups to a multiple of eight slots, so groups of
nearby sizes share one compile).
"""

from __future__ import annotations

from .layers import Arch, forward, op_table
from .trainer import adam_update

_COMPILED: dict = {}


def step_function(arch: Arch, batch: int, loss_name: str = "mse"):
    """The compiled JAX training step of ``arch`` (cached per ``(arch, batch, loss_name)``).

    Called as ``step(w, m, v, t, alive, x, y, mask, lr, penalty)`` with the same arrays as the
    TensorFlow step (:func:`forecastkit.grouped.trainer._step_function`): the weights, Adam
    moments and step counts of ``F`` fit slots, which slots may train, the batch
    ``(F, batch, rows, features)``, its targets ``(F, batch, horizon)``, its window mask
    ``(F, batch)``, the learning rate and each slot's L2 coefficient (used when ``arch.l2 >
    0``). Returns ``(w, m, v, t, loss, diverged)``.

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
    ...                                   x, y, mask, np.float32(0.01), np.zeros(2, np.float32))
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
    horizon, penalised = arch.horizon, arch.l2 > 0

    def one_fit(w, m, v, t, alive, x, y, mask, lr, penalty):
        def objective(weights):
            predicted = forward(arch, [wk[None] for wk in weights], x[None], ops)[0]  # (batch, horizon)
            errors = jnp.where(mask[:, None] > 0, pointwise_loss(loss_name, predicted - y, jnp), 0.0)
            loss = jnp.sum(errors) / jnp.maximum(jnp.sum(mask) * horizon, 1.0)  # the fit's mean over its windows
            if penalised:
                loss = loss + penalty * jnp.sum(jnp.square(weights[-2]))
            return loss

        loss, grads = jax.value_and_grad(objective)(w)
        has = jnp.any(mask > 0) & alive
        finite = jnp.isfinite(loss)
        return (*adam_update(jnp, w, m, v, grads, t, has & finite, lr), loss, has & ~finite)

    step = jax.jit(jax.vmap(one_fit, in_axes=(0, 0, 0, 0, 0, 0, 0, 0, None, 0)))
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

    return op_table(jnp, sigmoid=jax.nn.sigmoid, relu=jax.nn.relu)
