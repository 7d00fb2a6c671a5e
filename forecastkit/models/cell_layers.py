"""Keras layers of the recurrent cell family (see :mod:`.cells` for the equations).

:class:`ForecastCell` is a registered, serializable Keras RNN cell written in ``keras.ops``
(any backend); :func:`recurrent` is what the builders call to get the recurrent layer of a
cell: ``keras.layers.LSTM`` for the default ``lstm``, else ``keras.layers.RNN(ForecastCell)``.
:class:`ChronoBias` is the registered initializer of the chrono starting biases
(:func:`~.cells.chrono_bias`), for Keras' LSTM (its ``bias_initializer``) and the cells alike.
Dropout for forecastkit's cells is ``SpatialDropout1D`` on the layer's input: one mask per
window and feature for all time steps, as Keras' own LSTM ``dropout`` draws it.

Examples
--------
>>> from forecastkit.models.cell_layers import recurrent
>>> keras = import_keras()
>>> window = keras.Input(shape=(12, 1))
>>> recurrent("cifg", 8, name="lstm")(window).shape
(None, 8)
"""

from __future__ import annotations

import random

import numpy as np

from .cells import (
    CELLS,
    DEFAULT_CELL,
    DEFAULT_FORGET_INIT,
    FORGET_INITS,
    check_forget_init,
    chrono_bias,
    gru_step,
    lstm_step,
    weight_layout,
)
from .keras_common import import_keras

keras = import_keras()
ops = keras.ops

__all__ = ["ChronoBias", "ForecastCell", "recurrent"]


@keras.saving.register_keras_serializable(package="forecastkit")
class ChronoBias(keras.initializers.Initializer):
    """The chrono starting bias of a recurrent ``cell`` (Tallec & Ollivier 2018).

    Forget block ``b = log(U(1, chrono_max - 1))`` per unit, input block ``-b``, the rest 0
    (:func:`~.cells.chrono_bias` lays it out for each cell, the GRU's update gate included).
    Like Keras' random initializers, ``seed=None`` draws a seed from Python's generator when
    constructed (so ``keras.utils.set_random_seed`` makes it reproducible) and the config keeps
    ``None``.

    Examples
    --------
    >>> bias = np.asarray(ChronoBias("lstm", chrono_max=1000, seed=1)((16,)))
    >>> bool((bias[4:8] > 0).all() and (bias[:4] == -bias[4:8]).all()), float(np.exp(bias[4:8]).max()) < 999
    (True, True)
    """

    def __init__(self, cell: str = DEFAULT_CELL, chrono_max: int = 2, seed: int | None = None):
        self.cell, self.chrono_max, self._init_seed = cell, int(chrono_max), seed
        self.seed = seed if seed is not None else random.randint(1, 10**9)

    def __call__(self, shape, dtype=None):
        family = CELLS[self.cell].family
        blocks = 3 if family == "gru" else len(CELLS["np" if self.cell == DEFAULT_CELL else self.cell].blocks)
        units = int(shape[-1]) // blocks
        bias = chrono_bias(self.cell, units, self.chrono_max, np.random.default_rng(self.seed))
        return ops.convert_to_tensor(bias.reshape(tuple(shape)), dtype=dtype or "float32")

    def get_config(self):
        return {"cell": self.cell, "chrono_max": self.chrono_max, "seed": self._init_seed}


class _KerasOps:
    """The op table of :func:`~.cells.lstm_step` in ``keras.ops``."""

    sigmoid = staticmethod(ops.sigmoid)
    tanh = staticmethod(ops.tanh)
    matmul = staticmethod(ops.matmul)
    concat = staticmethod(lambda xs, axis: ops.concatenate(xs, axis=axis))
    split = staticmethod(lambda x, parts, axis: ops.split(x, parts, axis=axis))


def _initializer(kind: str, shape: tuple, blocks: str, cell: str = "", chrono_max: int = 2):
    if kind == "chrono":
        return ChronoBias(cell, chrono_max)
    if kind == "glorot":
        return "glorot_uniform"
    if kind == "orthogonal":
        return "orthogonal"
    if kind == "uniform":
        return keras.initializers.RandomUniform(-1.0, 1.0)
    if kind == "forget":
        units = shape[0] // len(blocks)
        start = np.zeros(shape, "float32")
        k = blocks.index("f")
        start[k * units:(k + 1) * units] = 1.0
        return lambda shape, dtype=None: ops.convert_to_tensor(start, dtype=dtype)
    return "zeros"


@keras.saving.register_keras_serializable(package="forecastkit")
class ForecastCell(keras.layers.Layer):
    """A recurrent cell of the family in :data:`~.cells.CELLS` (not ``lstm``: that is Keras').

    Use it inside ``keras.layers.RNN``; states are ``h, c`` (plus the previous gates for
    ``fgr``), or ``h`` for ``gru``. ``forget_init="chrono"`` starts the gate biases with
    :class:`ChronoBias` at time scales up to ``chrono_max`` steps (needed then: the cell does
    not see the sequence length).

    Examples
    --------
    >>> layer = keras.layers.RNN(ForecastCell(4, cell="indy"))
    >>> tuple(layer(np.zeros((2, 5, 3), "float32")).shape), [tuple(w.shape) for w in layer.weights]
    ((2, 4), [(3, 16), (16,), (16,)])
    """

    def __init__(self, units: int, cell: str = "peephole", forget_init: str = DEFAULT_FORGET_INIT,
                 chrono_max: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if cell not in CELLS or cell == DEFAULT_CELL:
            raise ValueError(f"ForecastCell `cell` must be one of {[c for c in CELLS if c != DEFAULT_CELL]}. "
                             f"Received: cell={cell!r}")
        if forget_init not in FORGET_INITS:
            raise ValueError(f"ForecastCell `forget_init` must be one of {list(FORGET_INITS)}. "
                             f"Received: forget_init={forget_init!r}")
        if forget_init == "chrono" and chrono_max is None:
            raise ValueError("ForecastCell `chrono_max` (the longest time scale, in steps) is needed with "
                             "forget_init='chrono'. Received: chrono_max=None")
        check_forget_init(cell, forget_init)
        self.units, self.cell, self.spec = int(units), cell, CELLS[cell]
        self.forget_init, self.chrono_max = forget_init, None if chrono_max is None else int(chrono_max)
        gates = len(self.spec.gates) * self.units if self.spec.gate_recurrence else 0
        self.state_size = self.units if self.spec.family == "gru" else [self.units, self.units] + [gates] * bool(gates)
        self.output_size = self.units

    def build(self, input_shape):
        for name, shape, kind in weight_layout(self.cell, int(input_shape[-1]), self.units, self.forget_init):
            initializer = _initializer(kind, shape, self.spec.blocks, self.cell, self.chrono_max)
            setattr(self, name, self.add_weight(shape=shape, name=name, initializer=initializer))

    def call(self, inputs, states, training=False):
        spec = self.spec
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if spec.family == "gru":
            projected = ops.matmul(inputs, self.kernel) + self.bias[0]
            h = gru_step(_KerasOps, projected, states[0], self.recurrent_kernel, self.bias[1])
            return h, h
        h, c = states[0], states[1]
        gates = states[2] if spec.gate_recurrence else None
        peephole = [self.peephole[k] for k in range(len(spec.peephole_gates))]
        h, c, gates = lstm_step(spec, _KerasOps, ops.matmul(inputs, self.kernel) + self.bias, h, c, gates,
                                self.recurrent_kernel, peephole, getattr(self, "gate_recurrent", None))
        return h, [h, c, gates] if spec.gate_recurrence else [h, c]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "cell": self.cell, "forget_init": self.forget_init,
                "chrono_max": self.chrono_max}


def recurrent(cell: str, units: int, dropout: float = 0.0, return_sequences: bool = False, name: str = "lstm",
              bidirectional: bool = False, forget_init: str = DEFAULT_FORGET_INIT, chrono_max: int | None = None):
    """A function ``x -> output`` applying the recurrent layer of ``cell`` to a sequence.

    ``lstm`` is ``keras.layers.LSTM(units, dropout=...)``; the other cells are
    ``keras.layers.RNN(ForecastCell(units, cell))`` named ``name``, after a
    ``SpatialDropout1D`` named ``name + "_dropout"`` when ``dropout > 0``. With
    ``bidirectional``, the layer reads both ways (outputs concatenated), wrapped in a
    ``Bidirectional`` named ``"bidirectional_" + name``. ``forget_init="chrono"`` starts the
    gate biases with :class:`ChronoBias` up to ``chrono_max`` steps (Keras' LSTM: as its
    ``bias_initializer``, without ``unit_forget_bias``).
    """
    if forget_init == "chrono" and chrono_max is None:
        raise ValueError("recurrent `chrono_max` (the longest time scale, in steps) is needed with "
                         "forget_init='chrono'. Received: chrono_max=None")
    if cell == DEFAULT_CELL:
        chrono = {"unit_forget_bias": False, "bias_initializer": ChronoBias(cell, chrono_max)} if (
            forget_init == "chrono") else {}
        layer = keras.layers.LSTM(units, dropout=dropout, return_sequences=return_sequences, name=name, **chrono)
        drop = None
    else:
        layer = keras.layers.RNN(ForecastCell(units, cell=cell, forget_init=forget_init, chrono_max=chrono_max),
                                 return_sequences=return_sequences, name=name)
        drop = keras.layers.SpatialDropout1D(dropout, name=f"{name}_dropout") if dropout > 0 else None
    if bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode="concat", name=f"bidirectional_{name}")

    def apply(x):
        return layer(x if drop is None else drop(x))

    return apply
