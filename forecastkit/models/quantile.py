"""Quantile forecasts: a non-crossing quantile head for any builder, and the pinball loss.

:func:`with_quantile_head` builds the builder's model with ``horizon * K`` outputs and
reshapes them to ``(horizon, K)`` quantiles through :class:`MonotoneQuantiles`: the first
is free and each next one adds a softplus step, so quantiles never cross. :class:`PinballLoss`
is the mean over steps and quantile levels of ``max(tau e, (tau - 1) e)``, ``e = y - q``.
Both are registered Keras serializables, so saved models load in safe mode.

Examples
--------
>>> from forecastkit.models.dense import build_linear
>>> model = with_quantile_head(build_linear, (6, 1), 2, {}, taus=(0.1, 0.5, 0.9))
>>> model.output_shape
(None, 2, 3)
"""

from __future__ import annotations

from .keras_common import import_keras

keras = import_keras()
ops = keras.ops


@keras.saving.register_keras_serializable(package="forecastkit")
class MonotoneQuantiles(keras.layers.Layer):
    """``(batch, horizon * K)`` raw outputs -> ``(batch, horizon, K)`` increasing quantiles."""

    def __init__(self, horizon: int, n_quantiles: int, **kwargs):
        super().__init__(**kwargs)
        self.horizon, self.n_quantiles = int(horizon), int(n_quantiles)

    def call(self, inputs):
        raw = ops.reshape(inputs, (-1, self.horizon, self.n_quantiles))
        steps = ops.concatenate([raw[..., :1], ops.softplus(raw[..., 1:])], axis=-1)
        return ops.cumsum(steps, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.horizon, self.n_quantiles)

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "n_quantiles": self.n_quantiles}


@keras.saving.register_keras_serializable(package="forecastkit")
class PinballLoss(keras.losses.Loss):
    """Mean pinball loss of ``(batch, horizon, K)`` quantiles against ``(batch, horizon)`` targets."""

    def __init__(self, taus=(0.5,), name="pinball", **kwargs):
        super().__init__(name=name, **kwargs)
        self.taus = tuple(float(t) for t in taus)

    def call(self, y_true, y_pred):
        taus = ops.convert_to_tensor(self.taus, dtype=y_pred.dtype)
        error = ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1) - y_pred
        return ops.mean(ops.maximum(taus * error, (taus - 1.0) * error), axis=(-2, -1))

    def get_config(self):
        return {**super().get_config(), "taus": list(self.taus)}


def with_quantile_head(builder, input_shape, horizon: int, build_args: dict, taus):
    """The builder's model forecasting ``len(taus)`` non-crossing quantiles per step.

    Returns an uncompiled model with output ``(batch, horizon, len(taus))``; compile it with
    ``PinballLoss(taus)``.
    """
    base = builder(tuple(input_shape), horizon * len(taus), **build_args)
    outputs = MonotoneQuantiles(horizon, len(taus), name="quantiles")(base.outputs[0])
    return keras.Model(base.input, outputs, name=base.name)
