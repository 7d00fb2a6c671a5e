"""Small-batch prediction through a compiled call instead of ``model.predict``.

``keras.Model.predict`` builds a data pipeline and a step loop on every call: tens of
milliseconds for one window. For the few windows a forecast or a walk-forward origin needs,
:func:`predict` calls the model through one compiled forward per model, cached on the model:
on TensorFlow a ``tf.function`` (traced with relaxed shapes), the same graph ``predict``
runs; on JAX ``jax.jit`` of Keras' ``model.stateless_call`` with the model's current weights,
its inputs padded to a power-of-two number of windows so a few compiles serve every size.
Large inputs, other backends and anything that is not a Keras model (the grouped
:class:`~forecastkit.grouped.trainer.SlotModel`) keep their own ``predict``.
"""

from __future__ import annotations

import logging

import numpy as np

#: Up to this many windows go through the compiled call; more use ``model.predict`` batches.
SMALL = 1024
_ATTRIBUTE = "_forecastkit_compiled_call"


def predict(model, inputs, batch_size: int = 1024) -> np.ndarray:
    """``model.predict(inputs, verbose=0, batch_size=batch_size)``, compiled for small inputs."""
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    call = _compiled(model) if len(first) <= SMALL else None
    if call is None:
        return np.asarray(model.predict(inputs, verbose=0, batch_size=batch_size))
    args = [np.asarray(x) for x in inputs] if isinstance(inputs, (list, tuple)) else np.asarray(inputs)
    return np.asarray(call(args))


def _compiled(model):
    """The model's cached compiled forward (TensorFlow or JAX backend, Keras models only), or None."""
    call = getattr(model, _ATTRIBUTE, None)
    if call is not None:
        return call
    from ..models.keras_common import import_keras

    keras = import_keras()
    backend = keras.backend.backend()
    if not isinstance(model, keras.Model) or backend not in ("tensorflow", "jax"):
        return None
    if backend == "jax":
        call = _jax_call(model)
    else:
        import tensorflow as tf

        if not any(isinstance(f, _NoRetracingNote) for f in tf.get_logger().filters):
            tf.get_logger().addFilter(_NoRetracingNote())
        call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    object.__setattr__(model, _ATTRIBUTE, call)  # past Keras' attribute tracking; freed with the model
    return call


class _NoRetracingNote(logging.Filter):
    """Drops TensorFlow's note that a ``tf.function`` of the same code was traced again: each
    fitted model (a bag's copies, an ensemble's members, a walk-forward's fits) has its own
    compiled forward, traced once, which the note mistakes for a function rebuilt in a loop."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def _jax_call(model):
    """``model(x, training=False)`` as ``jax.jit`` of ``model.stateless_call``, reading the
    model's weights at each call; ``x`` (an array or a list of them) is padded with zero
    windows to the next power of two, so one compile serves every size up to it."""
    import jax

    forward = jax.jit(lambda trainable, non_trainable, x: model.stateless_call(trainable, non_trainable, x,
                                                                               training=False)[0])

    def call(x):
        parts = list(x) if isinstance(x, list) else [x]
        n = len(parts[0])
        size = 1 << max(n - 1, 0).bit_length()
        padded = [np.concatenate([p, np.zeros((size - n, *p.shape[1:]), p.dtype)]) for p in parts]
        out = forward([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
                      padded if isinstance(x, list) else padded[0])
        return np.asarray(out)[:n]

    return call
