"""Sequence-to-sequence builder: ``encoder_decoder``.

An encoder LSTM summarises the window into one vector, which is repeated once per forecast
step; a decoder LSTM runs over those ``horizon`` steps and a per-step Dense(1) gives one value
per step. The model is uncompiled, built from Keras layers only, and seeded by the caller.
"""

from __future__ import annotations

from ..grouped.layers import Layer
from .cell_layers import recurrent
from .keras_common import check_build_args, import_keras

keras = import_keras()

__all__ = ["build_encoder_decoder", "grouped_encoder_decoder"]


def build_encoder_decoder(
    input_shape: tuple[int, int], horizon: int, *, units: int = 32, dropout: float = 0.0, cell: str = "lstm"
):
    """Encoder LSTM, RepeatVector(horizon), decoder LSTM, per-step Dense(1).

    ``window -> LSTM(units) -> RepeatVector(horizon) -> LSTM(units, return_sequences=True)
    -> TimeDistributed(Dense(1)) -> Reshape((horizon,))``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1 (the decoder's sequence length).
    units : int, default 32
        Units of the encoder and of the decoder LSTM, >= 1.
    dropout : float, default 0.0
        Input dropout rate of both LSTMs, in ``[0, 1)``.
    cell : str, default "lstm"
        The recurrent cell of the encoder and the decoder, a name in
        :data:`~forecastkit.models.cells.CELLS`.

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"encoder_decoder"``, output ``(batch, horizon)``
        float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter.

    Examples
    --------
    >>> from forecastkit.models.seq2seq import build_encoder_decoder
    >>> model = build_encoder_decoder((24, 1), 12, units=16)
    >>> model.name, model.output_shape
    ('encoder_decoder', (None, 12))
    >>> [layer.name for layer in model.layers]
    ['window', 'encoder', 'repeat', 'decoder', 'step_output', 'forecast']
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "encoder_decoder", input_shape, horizon, units=units, dropout=dropout, cell=cell
    )
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    state = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], name="encoder")(inputs)
    x = keras.layers.RepeatVector(horizon, name="repeat")(state)
    x = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], return_sequences=True, name="decoder")(x)
    x = keras.layers.TimeDistributed(
        keras.layers.Dense(1, dtype="float32", name="step_dense"), dtype="float32", name="step_output"
    )(x)
    outputs = keras.layers.Reshape((horizon,), dtype="float32", name="forecast")(x)
    return keras.Model(inputs, outputs, name="encoder_decoder")


def grouped_encoder_decoder(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_encoder_decoder`: encoder, RepeatVector(horizon),
    decoder returning sequences, a per-step Dense(1).

    Examples
    --------
    >>> [layer.kind for layer in grouped_encoder_decoder((24, 1), 12, {"units": 8, "cell": "lstm"})]
    ['lstm', 'repeat', 'lstm', 'step_dense']
    """
    cell = hyper["cell"]
    return (Layer("lstm", hyper["units"], cell=cell), Layer("repeat", size=horizon),
            Layer("lstm", hyper["units"], sequences=True, cell=cell), Layer("step_dense"))
