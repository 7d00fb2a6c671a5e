"""LSTM builders: ``vanilla``, ``stacked`` and ``bidirectional``.

Each reads the window ``(lookback, n_features)`` with recurrent layers and maps the last
hidden state to ``horizon`` values with one Dense layer (direct multi-output forecasting).
``cell`` picks the recurrent cell (:data:`~forecastkit.models.cells.CELLS`): the default
``lstm`` is Keras' LSTM layer, the others forecastkit's own (:mod:`.cell_layers`). Dropout is
on the layer's input (not ``recurrent_dropout``, which rules out the fused cuDNN kernel on
GPU). ``forget_init="chrono"`` starts the gate biases with the chrono initialisation (Tallec &
Ollivier 2018; :func:`~forecastkit.models.cells.chrono_bias`) at memory time scales up to
``chrono_max`` steps (0: four times the lookback), for the long lags a window may hold. Models are
uncompiled, built from Keras layers (and forecastkit's registered cell and initializer) only
(``.keras`` files load with ``safe_mode=True``), and seeded by the caller via
``keras.utils.set_random_seed``.
"""

from __future__ import annotations

from ..grouped.layers import Layer
from .cell_layers import recurrent
from .cells import check_forget_init
from .keras_common import check_build_args, import_keras

keras = import_keras()

__all__ = ["build_bidirectional", "build_stacked", "build_vanilla", "grouped_bidirectional", "grouped_stacked",
           "grouped_vanilla"]


def _head(x, horizon: int):
    return keras.layers.Dense(horizon, dtype="float32", name="forecast")(x)


#: ``chrono_max`` 0 means this many times the lookback.
CHRONO_LOOKBACKS = 4


def _gate_init(model: str, hyper: dict, lookback: int) -> dict:
    """``recurrent``'s ``forget_init`` and ``chrono_max`` from checked ``hyper``; ``chrono_max`` 0 is
    :data:`CHRONO_LOOKBACKS` times the lookback (benchmarks/long_lag.py: memories longer than the
    lag bridge it sooner than memories of the lag's length)."""
    check_forget_init(hyper["cell"], hyper["forget_init"], model)
    return {"forget_init": hyper["forget_init"], "chrono_max": hyper["chrono_max"] or CHRONO_LOOKBACKS * lookback}


def build_vanilla(
    input_shape: tuple[int, int], horizon: int, *, units: int = 32, dropout: float = 0.0, cell: str = "lstm",
    forget_init: str = "keras", chrono_max: int = 0,
):
    """One recurrent layer, then Dense to the horizon.

    ``window (lookback, n_features) -> LSTM(units) -> Dense(horizon)`` (or another ``cell``).

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    units : int, default 32
        LSTM units, >= 1.
    dropout : float, default 0.0
        LSTM input dropout rate, in ``[0, 1)``.
    cell : str, default "lstm"
        The recurrent cell, a name in :data:`~forecastkit.models.cells.CELLS`.
    forget_init : {"keras", "chrono"}, default "keras"
        Starting gate biases: Keras' own (forget gate bias 1) or chrono (Tallec & Ollivier 2018).
    chrono_max : int, default 0
        Chrono's longest memory time scale in steps, >= 0 (0: four times the lookback).

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"vanilla"``, output ``(batch, horizon)`` float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter, e.g.
        "`units` of model 'vanilla' must be an integer >= 1. Received: units='many' (str)".

    Examples
    --------
    >>> from forecastkit.models.recurrent import build_vanilla
    >>> model = build_vanilla((24, 1), 12, units=16)
    >>> model.name, model.input_shape, model.output_shape
    ('vanilla', (None, 24, 1), (None, 12))
    >>> [layer.name for layer in model.layers]
    ['window', 'lstm', 'forecast']
    >>> build_vanilla((24, 1), 12, units=16, cell="cifg").count_params()  # 3 blocks (i, c, o), not 4
    1100
    >>> chrono = build_vanilla((24, 1), 12, units=4, forget_init="chrono").get_layer("lstm").cell.bias.numpy()
    >>> bool((chrono[4:8] > 0).all() and (chrono[:4] == -chrono[4:8]).all())  # forget b > 0, input -b
    True
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "vanilla", input_shape, horizon, units=units, dropout=dropout, cell=cell, forget_init=forget_init,
        chrono_max=chrono_max
    )
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], name="lstm",
                  **_gate_init("vanilla", hyper, lookback))(inputs)
    return keras.Model(inputs, _head(x, horizon), name="vanilla")


def grouped_vanilla(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_vanilla`: one recurrent layer, Dense(horizon).

    Examples
    --------
    >>> [(layer.kind, layer.units) for layer in grouped_vanilla((24, 1), 12, {"units": 8, "cell": "gru"})]
    [('lstm', 8), ('dense', 12)]
    """
    return grouped_stacked(input_shape, horizon, {**hyper, "layers": 1})


def build_stacked(
    input_shape: tuple[int, int],
    horizon: int,
    *,
    units: int = 32,
    layers: int = 2,
    dropout: float = 0.0,
    cell: str = "lstm",
    forget_init: str = "keras",
    chrono_max: int = 0,
):
    """Several LSTM layers (all but the last return sequences), then Dense to the horizon.

    ``window -> LSTM(units, return_sequences=True) x (layers - 1) -> LSTM(units) -> Dense(horizon)``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    units : int, default 32
        Units of every LSTM layer, >= 1.
    layers : int, default 2
        Number of LSTM layers, >= 1 (1 is the vanilla architecture).
    dropout : float, default 0.0
        Input dropout rate of every LSTM layer, in ``[0, 1)``.
    cell : str, default "lstm"
        The recurrent cell of every layer, a name in :data:`~forecastkit.models.cells.CELLS`.
    forget_init : {"keras", "chrono"}, default "keras"
        Starting gate biases of every layer: Keras' own or chrono (Tallec & Ollivier 2018).
    chrono_max : int, default 0
        Chrono's longest memory time scale in steps, >= 0 (0: four times the lookback).

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"stacked"``, output ``(batch, horizon)`` float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter.

    Examples
    --------
    >>> from forecastkit.models.recurrent import build_stacked
    >>> model = build_stacked((24, 1), 12, units=16, layers=3)
    >>> model.name, model.output_shape
    ('stacked', (None, 12))
    >>> [layer.name for layer in model.layers]
    ['window', 'lstm_1', 'lstm_2', 'lstm_3', 'forecast']
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "stacked", input_shape, horizon, units=units, layers=layers, dropout=dropout, cell=cell,
        forget_init=forget_init, chrono_max=chrono_max
    )
    gate_init = _gate_init("stacked", hyper, lookback)
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = inputs
    for i in range(1, hyper["layers"] + 1):
        x = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], return_sequences=i < hyper["layers"],
                      name=f"lstm_{i}", **gate_init)(x)
    return keras.Model(inputs, _head(x, horizon), name="stacked")


def grouped_stacked(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_stacked`: ``layers`` recurrent layers (all but
    the last return sequences), Dense(horizon).

    Examples
    --------
    >>> [(layer.kind, layer.sequences) for layer in grouped_stacked((24, 1), 12, {"units": 8, "layers": 2,
    ...                                                                          "cell": "lstm"})]
    [('lstm', True), ('lstm', False), ('dense', False)]
    """
    depth = hyper["layers"]
    return (*[Layer("lstm", hyper["units"], sequences=i < depth - 1, cell=hyper["cell"]) for i in range(depth)],
            Layer("dense", horizon))


def build_bidirectional(
    input_shape: tuple[int, int], horizon: int, *, units: int = 32, dropout: float = 0.0, cell: str = "lstm",
    forget_init: str = "keras", chrono_max: int = 0,
):
    """A bidirectional LSTM over the window (outputs concatenated), then Dense to the horizon.

    ``window -> Bidirectional(LSTM(units)) -> Dense(horizon)``; the Dense layer sees
    ``2 * units`` features. Reading the window backwards is legitimate here: the whole window
    lies in the past of the forecast origin.

    Parameters
    ----------
    input_shape : tuple of int
        ``(lookback, n_features)``, both >= 1.
    horizon : int
        Number of steps forecast, >= 1.
    units : int, default 32
        Units of each direction's LSTM, >= 1.
    dropout : float, default 0.0
        LSTM input dropout rate, in ``[0, 1)``.
    cell : str, default "lstm"
        The recurrent cell, a name in :data:`~forecastkit.models.cells.CELLS`.
    forget_init : {"keras", "chrono"}, default "keras"
        Starting gate biases: Keras' own (forget gate bias 1) or chrono (Tallec & Ollivier 2018).
    chrono_max : int, default 0
        Chrono's longest memory time scale in steps, >= 0 (0: four times the lookback).

    Returns
    -------
    keras.Model
        Uncompiled functional model named ``"bidirectional"``, output ``(batch, horizon)``
        float32.

    Raises
    ------
    ConfigTypeError, ConfigError
        Invalid ``input_shape``, ``horizon`` or hyperparameter.

    Examples
    --------
    >>> from forecastkit.models.recurrent import build_bidirectional
    >>> model = build_bidirectional((24, 1), 12, units=16)
    >>> model.name, model.output_shape
    ('bidirectional', (None, 12))
    >>> model.get_layer("bidirectional_lstm").output.shape
    (None, 32)
    """
    (lookback, n_features), horizon, hyper = check_build_args(
        "bidirectional", input_shape, horizon, units=units, dropout=dropout, cell=cell, forget_init=forget_init,
        chrono_max=chrono_max
    )
    inputs = keras.Input(shape=(lookback, n_features), name="window")
    x = recurrent(hyper["cell"], hyper["units"], hyper["dropout"], name="lstm", bidirectional=True,
                  **_gate_init("bidirectional", hyper, lookback))(inputs)
    return keras.Model(inputs, _head(x, horizon), name="bidirectional")


def grouped_bidirectional(input_shape: tuple[int, int], horizon: int, hyper: dict) -> tuple[Layer, ...]:
    """The fold-parallel plan of :func:`build_bidirectional`: a bidirectional recurrent
    layer (forward and backward outputs concatenated), Dense(horizon).

    Examples
    --------
    >>> [layer.kind for layer in grouped_bidirectional((24, 1), 12, {"units": 8, "cell": "lstm"})]
    ['bilstm', 'dense']
    """
    return (Layer("bilstm", hyper["units"], cell=hyper["cell"]), Layer("dense", horizon))
