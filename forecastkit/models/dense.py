"""Feed-forward builders on the flattened window: ``linear`` and ``mlp``.

Both map an input window of shape ``(lookback, n_features)`` to ``horizon`` values with a
direct multi-output head. The returned models are uncompiled (see
:func:`forecastkit.models.keras_common.compile_model`) and contain only built-in Keras layers,
so saved ``.keras`` files load with ``safe_mode=True``. Seeds are the caller's business:
call ``keras.utils.set_random_seed`` before building for reproducible weights.
"""

from __future__ import annotations

from ..grouped.layers import Layer
from .keras_common import check_build_args, import_keras

keras = import_keras()

__all__ = ["build_linear", "build_mlp", "grouped_linear", "grouped_mlp"]


def build_linear(input_shape: tuple[int, int], horizon: int, *, l2: float = 0.0):
    """Linear autoregression: one Dense layer from the flattened window to the horizon.

    ``window (lookback, n_features) -> Flatten -> Dense(horizon)``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    l2 : float, default 0.0
        L2 coefficient on the Dense kernel (``keras.regularizers.L2``, on the mean loss); 0 means
        none. Must be >= 0. A Forecaster passes its ``l2`` hyperparameter (a ridge prior per
        training window) divided by the fit's training windows
        (:func:`~forecastkit.training.ridge_coefficient`).

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"linear"``; input ``(batch, lookback, n_features)``,
        output ``(batch, horizon)`` float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or ``l2``.

    Examples
    --------
    >>> from forecastkit.models.dense import build_linear
    >>> model = build_linear((24, 1), 12, l2=1e-4)
    >>> model.name, model.input_shape, model.output_shape
    ('linear', (None, 24, 1), (None, 12))
    >>> [layer.name for layer in model.layers]
    ['window', 'flatten', 'forecast']
    """
    (lookback, n_features), horizon, hyper = check_build_args("linear", input_shape, horizon, l2=l2)
    regularizer = keras.regularizers.L2(hyper["l2"]) if hyper["l2"] > 0 else None
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Flatten(name="flatten")(inputs)
    outputs = keras.layers.Dense(
        horizon, kernel_regularizer=regularizer, dtype="float32", name="forecast"
    )(x)
    return keras.Model(inputs, outputs, name="linear")


def grouped_linear(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_linear`: Flatten, Dense(horizon).

    ``hyper`` holds the builder's resolved hyperparameters; the grouped trainer applies
    ``l2`` to the Dense kernel as the Keras regularizer does.

    Examples
    --------
    >>> [layer.kind for layer in grouped_linear((24, 1), 12, {"l2": 0.0})]
    ['flatten', 'dense']
    """
    return (Layer("flatten"), Layer("dense", horizon))


def build_mlp(
    input_shape: tuple[int, int],
    horizon: int,
    *,
    units: int = 64,
    layers: int = 2,
    dropout: float = 0.0,
):
    """Multilayer perceptron on the flattened window.

    ``window -> Flatten -> [Dense(units, relu) -> Dropout(dropout)] x layers -> Dense(horizon)``;
    the Dropout layers are only added when ``dropout > 0``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    units : int, default 64
        Units per hidden layer, >= 1.
    layers : int, default 2
        Number of hidden layers, >= 1.
    dropout : float, default 0.0
        Dropout rate after each hidden layer, in ``[0, 1)``.

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"mlp"``, output ``(batch, horizon)`` float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter.

    Examples
    --------
    >>> from forecastkit.models.dense import build_mlp
    >>> model = build_mlp((24, 2), 6, units=16, layers=2, dropout=0.1)
    >>> model.name, model.output_shape
    ('mlp', (None, 6))
    >>> [layer.name for layer in model.layers][1:]
    ['flatten', 'hidden_1', 'dropout_1', 'hidden_2', 'dropout_2', 'forecast']
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "mlp", input_shape, horizon, units=units, layers=layers, dropout=dropout
    )
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Flatten(name="flatten")(inputs)
    for i in range(1, hyper["layers"] + 1):
        x = keras.layers.Dense(hyper["units"], activation="relu", name=f"hidden_{i}")(x)
        if hyper["dropout"] > 0:
            x = keras.layers.Dropout(hyper["dropout"], name=f"dropout_{i}")(x)
    outputs = keras.layers.Dense(horizon, dtype="float32", name="forecast")(x)
    return keras.Model(inputs, outputs, name="mlp")


def grouped_mlp(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_mlp` (without dropout): Flatten,
    ``layers`` x Dense(units, relu), Dense(horizon).

    Examples
    --------
    >>> [(layer.kind, layer.units) for layer in grouped_mlp((24, 1), 6, {"units": 16, "layers": 2})]
    [('flatten', 0), ('dense', 16), ('dense', 16), ('dense', 6)]
    """
    hidden = Layer("dense", hyper["units"], "relu")
    return (Layer("flatten"), *[hidden] * hyper["layers"], Layer("dense", horizon))
