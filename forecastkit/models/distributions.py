r"""Distribution heads: any builder's network outputting a forecast distribution per horizon step.

:func:`with_distribution_head` builds the builder's model with ``horizon * P`` outputs (``P``
the family's parameters, :data:`~forecastkit.models.families.DISTRIBUTIONS`) and maps them to
``(horizon, P)`` parameters through :class:`DistributionParameters`: locations as they are,
every positive parameter by ``softplus`` (plus a floor), Student-t degrees of freedom above 2.
:class:`NegativeLogLikelihood` is the training loss: the mean over steps of
:func:`~forecastkit.models.families.nll`, written with ``keras.ops`` only (``lgamma`` by the
Lanczos approximation, :func:`log_gamma`), so it runs on any Keras backend.

``negbin`` models raw counts with DeepAR's mean scaling (Salinas et al. 2020):
:class:`MeanScaling` divides each window's target channel by ``nu = 1 + mean(window)`` before
the network, and the head scales its output back: mean ``nu * softplus(.)``, dispersion
``softplus(.) / sqrt(nu)``. Everything is a registered Keras serializable, so a saved model
loads in safe mode.

Examples
--------
>>> from forecastkit.models.dense import build_linear
>>> model = with_distribution_head(build_linear, (6, 1), 2, {}, "studentt")
>>> model.output_shape
(None, 2, 3)
"""

from __future__ import annotations

import math

from .families import MIN_DF, MIN_POSITIVE, check_distribution, n_params
from .keras_common import import_keras

keras = import_keras()
ops = keras.ops

#: Lanczos approximation of the gamma function, g = 7, nine coefficients (about 15 digits in float64).
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def log_gamma(x):
    r"""``log Gamma(x)`` for ``x > 0`` with ``keras.ops``: Lanczos on ``x + 1``, then
    :math:`\log\Gamma(x) = \log\Gamma(x + 1) - \log x`.

    Examples
    --------
    >>> [round(float(v), 4) for v in log_gamma(ops.convert_to_tensor([0.5, 1.0, 10.0]))]
    [0.5724, 0.0, 12.8018]
    """
    x = ops.convert_to_tensor(x)
    series = ops.ones_like(x) * _LANCZOS[0]
    for i, c in enumerate(_LANCZOS[1:], start=1):
        series = series + c / (x + float(i))
    t = x + _LANCZOS_G + 0.5
    return 0.5 * math.log(2 * math.pi) + (x + 0.5) * ops.log(t) - t + ops.log(series) - ops.log(x)


def negative_log_likelihood(distribution: str, params, y):
    """Per-value negative log-likelihood of ``y`` ``(batch, horizon)`` under ``params``
    ``(batch, horizon, P)``, in ``keras.ops`` (the formulas of :mod:`~forecastkit.models.families`)."""
    y = ops.cast(y, params.dtype)
    if distribution == "normal":
        loc, scale = params[..., 0], params[..., 1]
        z = (y - loc) / scale
        return 0.5 * math.log(2 * math.pi) + ops.log(scale) + 0.5 * z * z
    if distribution == "studentt":
        loc, scale, df = params[..., 0], params[..., 1], params[..., 2]
        z = (y - loc) / scale
        return (-log_gamma((df + 1.0) / 2.0) + log_gamma(df / 2.0) + 0.5 * ops.log(math.pi * df)
                + ops.log(scale) + (df + 1.0) / 2.0 * ops.log1p(z * z / df))
    mean, alpha = params[..., 0], params[..., 1]
    size = 1.0 / alpha
    return (-log_gamma(y + size) + log_gamma(y + 1.0) + log_gamma(size) + size * ops.log1p(alpha * mean)
            - y * (ops.log(alpha * mean) - ops.log1p(alpha * mean)))


@keras.saving.register_keras_serializable(package="forecastkit")
class DistributionParameters(keras.layers.Layer):
    """``(batch, horizon * P)`` raw outputs -> ``(batch, horizon, P)`` distribution parameters.

    Called on ``raw``, or on ``[raw, nu]`` for ``negbin`` (``nu`` ``(batch, 1)``, the windows'
    mean scale from :class:`MeanScaling`).
    """

    def __init__(self, horizon: int, distribution: str, **kwargs):
        super().__init__(**kwargs)
        self.horizon, self.distribution = int(horizon), check_distribution(distribution)

    def call(self, inputs):
        raw, nu = (inputs[0], inputs[1]) if isinstance(inputs, (list, tuple)) else (inputs, None)
        raw = ops.reshape(raw, (-1, self.horizon, n_params(self.distribution)))
        positive = ops.softplus(raw[..., 1:2]) + MIN_POSITIVE
        if self.distribution == "negbin":
            mean = ops.softplus(raw[..., :1]) + MIN_POSITIVE
            if nu is not None:
                nu = ops.reshape(ops.cast(nu, raw.dtype), (-1, 1, 1))
                mean, positive = mean * nu, positive / ops.sqrt(nu)
            return ops.concatenate([mean, positive], axis=-1)
        parts = [raw[..., :1], positive]
        if self.distribution == "studentt":
            parts.append(ops.softplus(raw[..., 2:3]) + MIN_DF)
        return ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        return (first[0], self.horizon, n_params(self.distribution))

    def get_config(self):
        return {**super().get_config(), "horizon": self.horizon, "distribution": self.distribution}


@keras.saving.register_keras_serializable(package="forecastkit")
class MeanScaling(keras.layers.Layer):
    """DeepAR's scaling of count windows: ``nu = 1 + mean`` of the target channel over the first
    ``lookback`` rows (the history); returns ``[window with that channel divided by nu, nu]``."""

    def __init__(self, lookback: int, **kwargs):
        super().__init__(**kwargs)
        self.lookback = int(lookback)

    def call(self, inputs):
        nu = 1.0 + ops.mean(ops.abs(inputs[:, :self.lookback, 0]), axis=1, keepdims=True)  # (batch, 1)
        target = inputs[..., :1] / ops.expand_dims(nu, -1)
        return [ops.concatenate([target, inputs[..., 1:]], axis=-1), nu]

    def compute_output_shape(self, input_shape):
        return [tuple(input_shape), (input_shape[0], 1)]

    def get_config(self):
        return {**super().get_config(), "lookback": self.lookback}


@keras.saving.register_keras_serializable(package="forecastkit")
class NegativeLogLikelihood(keras.losses.Loss):
    """Mean negative log-likelihood of ``(batch, horizon)`` targets under ``(batch, horizon, P)`` parameters."""

    def __init__(self, distribution: str = "normal", name="nll", **kwargs):
        super().__init__(name=name, **kwargs)
        self.distribution = check_distribution(distribution)

    def call(self, y_true, y_pred):
        return ops.mean(negative_log_likelihood(self.distribution, y_pred, y_true), axis=-1)

    def get_config(self):
        return {**super().get_config(), "distribution": self.distribution}


def with_distribution_head(builder, input_shape, horizon: int, build_args: dict, distribution: str,
                           lookback: int | None = None):
    """The builder's model forecasting ``distribution``'s parameters per step.

    Returns an uncompiled model with output ``(batch, horizon, P)``; compile it with
    ``NegativeLogLikelihood(distribution)``. ``negbin`` adds :class:`MeanScaling` in front of
    the network, over the first ``lookback`` rows of the window (default: all of them).
    """
    distribution = check_distribution(distribution)
    shape = tuple(input_shape)
    base = builder(shape, horizon * n_params(distribution), **build_args)
    if distribution != "negbin":
        outputs = DistributionParameters(horizon, distribution, name="distribution")(base.outputs[0])
        return keras.Model(base.input, outputs, name=base.name)
    window = keras.Input(shape=shape, name="counts")
    scaled, nu = MeanScaling(lookback or shape[0], name="mean_scaling")(window)
    outputs = DistributionParameters(horizon, distribution, name="distribution")([base(scaled), nu])
    return keras.Model(window, outputs, name=base.name)
