"""Small-batch prediction through a compiled call instead of ``model.predict``.

``keras.Model.predict`` builds a data pipeline and a step loop on every call: tens of
milliseconds for one window. For the few windows a forecast or a walk-forward origin needs,
:func:`predict` calls the model through one ``tf.function`` per model (cached on the model,
traced with relaxed shapes), the same graph ``predict`` runs, without its per-call setup.
Large inputs, other backends and anything that is not a Keras model (the grouped
:class:`~forecastkit.grouped.trainer.SlotModel`) keep their own ``predict``.
"""

from __future__ import annotations

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
    """The model's cached compiled forward (TensorFlow backend, Keras models only), or None."""
    call = getattr(model, _ATTRIBUTE, None)
    if call is not None:
        return call
    from ..models.keras_common import import_keras

    keras = import_keras()
    if not isinstance(model, keras.Model) or keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    object.__setattr__(model, _ATTRIBUTE, call)  # past Keras' attribute tracking; freed with the model
    return call
