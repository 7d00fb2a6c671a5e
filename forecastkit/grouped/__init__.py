"""Fold-parallel training: the fits of one architecture trained together, each as if alone.

:mod:`.layers` holds the grouped layers (every weight has a leading fit axis) and turns a
builder's grouped plan (declared beside its Keras builder in :mod:`forecastkit.models` and
registered with it) into an architecture; :mod:`.trainer` trains a group of fits in one compiled step
(a TensorFlow graph function, or on Keras' JAX backend ``jax.jit`` of a ``jax.vmap``
over fits, :mod:`.jax_trainer`) and gives each trained fit a :class:`~.trainer.SlotModel` that
stands in for its Keras model; :mod:`.fast_call` is the compiled small-batch call that replaces
``model.predict`` for one or a few windows. Walk-forward evaluation
(:mod:`forecastkit.evaluation`) uses them by default; on other backends (torch, numpy) the
fits train one after another, with one :class:`~forecastkit.errors.SequentialFitsWarning`.
"""

from .layers import GROUPED_BUILDERS, Arch, Layer, forward, initial_weights, layer_plan
from .trainer import Outcome, SlotModel, supported, train_group

__all__ = ["GROUPED_BUILDERS", "Arch", "Layer", "Outcome", "SlotModel", "forward", "initial_weights",
           "layer_plan", "supported", "train_group"]
