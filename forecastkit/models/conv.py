"""Convolutional-recurrent builder: ``cnn_lstm``.

A causal ``Conv1D`` extracts local patterns from the window (output step ``t`` sees only
steps ``<= t``, and the sequence keeps its length), an optional ``MaxPooling1D`` halves the
sequence, an LSTM summarises it and a Dense layer maps the summary to the horizon. The model is
uncompiled, built from Keras layers only, and seeded by the caller.
"""

from __future__ import annotations

from ..grouped.layers import Layer
from .cell_layers import recurrent
from .keras_common import check_build_args, import_keras

keras = import_keras()

__all__ = ["build_cnn_lstm", "grouped_cnn_lstm"]

#: Pool size of the MaxPooling1D layer; pooling is used only if lookback // POOL_SIZE >= 2.
POOL_SIZE = 2


def _pools(lookback: int) -> bool:
    """Whether the window is long enough to pool: at least 2 steps left for the LSTM."""
    return lookback // POOL_SIZE >= 2


def build_cnn_lstm(
    input_shape: tuple[int, int],
    horizon: int,
    *,
    filters: int = 32,
    kernel_size: int = 3,
    units: int = 32,
    dropout: float = 0.0,
    cell: str = "lstm",
):
    """Causal Conv1D feature extractor, optional max pooling, LSTM, Dense to the horizon.

    ``window -> Conv1D(filters, kernel_size, padding="causal", relu)
    -> [MaxPooling1D(2) if lookback >= 4] -> LSTM(units) -> Dense(horizon)``.

    Causal padding keeps the sequence length equal to ``lookback`` for any ``kernel_size``
    (even one longer than the window), so the model works for ``lookback`` as small as 1.
    Pooling is added only when it leaves at least 2 steps for the LSTM (``lookback >= 4``);
    the architecture therefore depends on ``lookback``, which is fixed by ``input_shape``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    filters : int, default 32
        Convolution filters, >= 1.
    kernel_size : int, default 3
        Convolution kernel width in time steps, >= 1.
    units : int, default 32
        LSTM units, >= 1.
    dropout : float, default 0.0
        LSTM input dropout rate, in ``[0, 1)``.
    cell : str, default "lstm"
        The recurrent cell, a name in :data:`~forecastkit.models.cells.CELLS`.

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"cnn_lstm"``, output ``(batch, horizon)`` float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter.

    Examples
    --------
    >>> from forecastkit.models.conv import build_cnn_lstm
    >>> model = build_cnn_lstm((24, 1), 12, filters=8, kernel_size=3, units=16)
    >>> model.name, model.output_shape
    ('cnn_lstm', (None, 12))
    >>> [layer.name for layer in model.layers]
    ['window', 'conv', 'pool', 'lstm', 'forecast']
    >>> [layer.name for layer in build_cnn_lstm((2, 1), 1).layers]  # too short to pool
    ['window', 'conv', 'lstm', 'forecast']
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "cnn_lstm",
        input_shape,
        horizon,
        filters=filters,
        kernel_size=kernel_size,
        units=units,
        dropout=dropout,
        cell=cell,
    )
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = keras.layers.Conv1D(
        hyper["filters"], hyper["kernel_size"], padding="causal", activation="relu", name="conv"
    )(inputs)
    if _pools(lookback):
        x = keras.layers.MaxPooling1D(pool_size=POOL_SIZE, name="pool")(x)
    x = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], name="lstm")(x)
    outputs = keras.layers.Dense(horizon, dtype="float32", name="forecast")(x)
    return keras.Model(inputs, outputs, name="cnn_lstm")


def grouped_cnn_lstm(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_cnn_lstm`: causal Conv1D (relu), MaxPooling1D
    when the window is long enough, a recurrent layer, Dense(horizon).

    Examples
    --------
    >>> hyper = {"filters": 8, "kernel_size": 3, "units": 16, "cell": "lstm"}
    >>> [layer.kind for layer in grouped_cnn_lstm((24, 1), 12, hyper)]
    ['conv', 'pool', 'lstm', 'dense']
    >>> [layer.kind for layer in grouped_cnn_lstm((2, 1), 1, hyper)]  # too short to pool
    ['conv', 'lstm', 'dense']
    """
    pool = (Layer("pool", size=POOL_SIZE),) if _pools(input_shape[0]) else ()
    return (Layer("conv", hyper["filters"], "relu", size=hyper["kernel_size"]), *pool,
            Layer("lstm", hyper["units"], cell=hyper["cell"]), Layer("dense", horizon))
