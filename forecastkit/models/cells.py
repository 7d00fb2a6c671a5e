"""The recurrent cell family: Greff's vanilla LSTM and its eight variants, IndyLSTM and GRU.

This module is Keras-free: it names the cells, gives each one's weight layout and writes
its equations once, against a small op table ``xp`` (``sigmoid``, ``tanh``, ``matmul``,
``concat``), so the same step serves the Keras layer (:mod:`.cell_layers`, ``keras.ops``)
and the fold-parallel path (:mod:`forecastkit.grouped.layers`, with a leading fit axis).

The vanilla LSTM of Greff et al. (2015), "LSTM: A Search Space Odyssey" (``peephole``), with
input ``x``, previous output ``h`` and cell ``c``::

    z = g(W_z x + R_z h + b_z)                      block input, g = tanh
    i = sigmoid(W_i x + R_i h + p_i * c + b_i)      input gate
    f = sigmoid(W_f x + R_f h + p_f * c + b_f)      forget gate
    c' = f * c + i * z                              cell
    o = sigmoid(W_o x + R_o h + p_o * c' + b_o)     output gate (its peephole sees c')
    h' = o * tanh(c')                               output

The variants change one thing each: ``nig`` i = 1, ``nfg`` f = 1, ``nog`` o = 1, ``niaf`` g is
the identity, ``noaf`` the output tanh is the identity, ``np`` no peepholes (Keras' LSTM
equations), ``cifg`` f = 1 - i, ``fgr`` every gate also sees all three gates of the previous
step (``+ R_gates [i, f, o]_prev``). ``indy`` (Gonnet & Deselaers 2019) is ``np`` with
diagonal recurrent weights (``r * h`` instead of ``R h``), so its weights grow linearly with
the units. ``gru`` is Keras' GRU (``reset_after=True``). ``lstm``, the default, is
``keras.layers.LSTM`` itself (the ``np`` equations with Keras' fused kernels).

Weights, in order (``[gates]`` are the blocks a cell has, from ``i f c o``, in that order):
``kernel (in, B*u)``, ``recurrent_kernel (u, B*u)`` (``indy``: ``(B*u,)``), ``bias (B*u,)``
(the forget block starts at 1), then ``peephole (P, u)`` (one row per gate among ``i f o``;
starts at 0, so a peephole cell starts as its no-peephole twin) and for ``fgr``
``gate_recurrent (3u, 3u)`` (starts at 0). The GRU's are Keras': ``kernel (in, 3u)``,
``recurrent_kernel (u, 3u)``, ``bias (2, 3u)``.

``forget_init`` picks the starting biases of the gates (:data:`FORGET_INITS`): ``"keras"``
(the default) is Keras' own (LSTM forget block at 1, GRU biases at 0); ``"chrono"`` is the
chrono initialisation of Tallec & Ollivier (2018), "Can recurrent neural networks warp time?":
the forget block ``b ~ log(U(1, chrono_max - 1))`` and the input block ``-b``, so each unit
starts with a memory time scale drawn up to ``chrono_max`` steps (:func:`chrono_bias`). The
GRU's update gate ``z`` (``h' = z * h + (1 - z) * candidate``) is its forget gate: ``b`` goes
to its input bias. ``cifg`` (f = 1 - i) gets ``-b`` on ``i``, so again ``f = sigmoid(b)``;
``nig`` gets the forget half; ``nfg`` has no forget gate, so no chrono.

Examples
--------
>>> CELLS["cifg"].blocks, CELLS["nig"].blocks, CELLS["peephole"].peephole_gates
('ico', 'fco', 'ifo')
>>> cell_parameters("indy", inputs=1, units=32), cell_parameters("np", inputs=1, units=32)
(384, 4352)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CELLS", "CELL_NAMES", "DEFAULT_CELL", "DEFAULT_FORGET_INIT", "FORGET_INITS", "CellSpec",
           "cell_parameters", "check_forget_init", "chrono_bias", "gru_step", "lstm_step", "weight_layout"]


@dataclass(frozen=True)
class CellSpec:
    """One recurrent cell: a name, a description and the switches of the LSTM equations."""

    name: str
    description: str
    family: str = "lstm"  # "lstm" (the equations above) or "gru"
    input_gate: bool = True
    forget_gate: bool = True
    output_gate: bool = True
    input_activation: bool = True
    output_activation: bool = True
    peepholes: bool = True
    coupled: bool = False  # f = 1 - i
    gate_recurrence: bool = False
    diagonal: bool = False  # IndyLSTM's elementwise recurrent weights

    @property
    def blocks(self) -> str:
        """Blocks of ``kernel``/``recurrent_kernel``/``bias``, from ``"ifco"`` in that order."""
        if self.family == "gru":
            return "zrh"
        return "".join(b for b, present in zip("ifco", (self.input_gate, self.forget_gate and not self.coupled,
                                                         True, self.output_gate)) if present)

    @property
    def gates(self) -> str:
        """The gates computed by a sigmoid (``f`` of ``cifg`` is ``1 - i``, not a gate of its own)."""
        return "".join(b for b in self.blocks if b in "ifo") if self.family == "lstm" else ""

    @property
    def peephole_gates(self) -> str:
        """Gates with a peephole weight vector (rows of ``peephole``)."""
        return self.gates if self.peepholes else ""


DEFAULT_CELL = "lstm"

CELLS: dict[str, CellSpec] = {
    spec.name: spec
    for spec in (
        CellSpec("lstm", "Keras' LSTM layer (no peepholes, fused kernels): the default", peepholes=False),
        CellSpec("peephole", "Greff's vanilla LSTM: all three gates with peephole connections"),
        CellSpec("nig", "no input gate (i = 1)", input_gate=False),
        CellSpec("nfg", "no forget gate (f = 1)", forget_gate=False),
        CellSpec("nog", "no output gate (o = 1)", output_gate=False),
        CellSpec("niaf", "no input activation (block input not squashed by tanh)", input_activation=False),
        CellSpec("noaf", "no output activation (h = o * c)", output_activation=False),
        CellSpec("np", "no peepholes (Keras' LSTM equations, in forecastkit's own cell)", peepholes=False),
        CellSpec("cifg", "coupled input and forget gate (f = 1 - i)", coupled=True),
        CellSpec("fgr", "full gate recurrence (every gate sees the previous step's gates)", gate_recurrence=True),
        CellSpec("indy", "IndyLSTM: diagonal recurrent weights, parameters linear in units",
                 peepholes=False, diagonal=True),
        CellSpec("gru", "gated recurrent unit (Keras' GRU equations: no output gate, coupled gates)",
                 family="gru", peepholes=False),
    )
}
CELL_NAMES: tuple[str, ...] = tuple(CELLS)

#: Starting gate biases: Keras' own, or chrono (Tallec & Ollivier 2018).
FORGET_INITS = ("keras", "chrono")
DEFAULT_FORGET_INIT = "keras"


def check_forget_init(cell: str, forget_init: str, model: str = "") -> None:
    """Raise :class:`~forecastkit.errors.ConfigError` when ``cell`` cannot take ``forget_init``
    (chrono needs a forget gate, or the GRU's update gate).

    Examples
    --------
    >>> check_forget_init("cifg", "chrono")
    >>> check_forget_init("nfg", "chrono")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `forget_init='chrono'` sets the forget gate's bias, and cell 'nfg' has no forget gate (f = 1). Use another cell, or forget_init='keras'.
    """
    from ..errors import ConfigError

    if forget_init == "chrono" and CELLS[cell].family == "lstm" and not CELLS[cell].forget_gate:
        where = f" of model {model!r}" if model else ""
        raise ConfigError(f"`forget_init='chrono'`{where} sets the forget gate's bias, and cell {cell!r} has no "
                          "forget gate (f = 1). Use another cell, or forget_init='keras'.")


def weight_layout(cell: str, inputs: int, units: int, forget_init: str = DEFAULT_FORGET_INIT
                  ) -> list[tuple[str, tuple, str]]:
    """``(name, shape, initializer)`` of each weight of ``cell``, in creation order.

    Initializers: ``glorot`` (glorot_uniform), ``orthogonal``, ``uniform`` (U(-1, 1)),
    ``zeros``, ``forget`` (zeros, with the forget block at 1) and, for the bias with
    ``forget_init="chrono"``, ``chrono`` (:func:`chrono_bias`).

    Examples
    --------
    >>> [(name, shape) for name, shape, _ in weight_layout("fgr", 2, 3)]
    [('kernel', (2, 12)), ('recurrent_kernel', (3, 12)), ('bias', (12,)), ('peephole', (3, 3)), ('gate_recurrent', (9, 9))]
    """
    spec = CELLS[cell]
    width = len(spec.blocks) * units
    chrono = forget_init == "chrono"
    if spec.family == "gru":
        return [("kernel", (inputs, width), "glorot"), ("recurrent_kernel", (units, width), "orthogonal"),
                ("bias", (2, width), "chrono" if chrono else "zeros")]
    layout = [("kernel", (inputs, width), "glorot"),
              ("recurrent_kernel", (width,) if spec.diagonal else (units, width),
               "uniform" if spec.diagonal else "orthogonal"),
              ("bias", (width,), "chrono" if chrono else "forget" if "f" in spec.blocks else "zeros")]
    if spec.peephole_gates:
        layout.append(("peephole", (len(spec.peephole_gates), units), "zeros"))
    if spec.gate_recurrence:
        gates = len(spec.gates) * units
        layout.append(("gate_recurrent", (gates, gates), "zeros"))
    return layout


def cell_parameters(cell: str, inputs: int, units: int) -> int:
    """Number of weights of one ``cell`` layer with ``inputs`` features and ``units`` units."""
    if cell == DEFAULT_CELL:
        cell = "np"
    total = 0
    for _, shape, _ in weight_layout(cell, inputs, units):
        size = 1
        for n in shape:
            size *= n
        total += size
    return total


def chrono_bias(cell: str, units: int, chrono_max: int, rng):
    """The chrono starting bias of ``cell`` (Tallec & Ollivier 2018), a float32 NumPy array.

    ``b = log(u)``, ``u ~ U(1, chrono_max - 1)`` drawn from the NumPy generator ``rng``, one per
    unit: the forget block gets ``b`` and the input block ``-b`` (``cifg``: ``-b`` on ``i``;
    ``gru``: ``b`` on the update gate's input bias, row 0 of ``bias (2, 3u)``); other blocks 0.
    A unit then starts with forget gate ``sigmoid(b) = 1 - 1/(1 + u)``: it keeps its cell for
    about ``u`` steps and lets in about ``1/u`` of each input. ``chrono_max <= 2`` gives
    ``b = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> bias = chrono_bias("lstm", 3, 100, np.random.default_rng(0))
    >>> bias.shape, bool((bias[3:6] > 0).all()), bool((bias[:3] == -bias[3:6]).all()), float(abs(bias[6:]).max())
    ((12,), True, True, 0.0)
    >>> chrono_bias("gru", 2, 100, np.random.default_rng(0)).shape
    (2, 6)
    """
    spec = CELLS["np" if cell == DEFAULT_CELL else cell]
    b = np.log(rng.uniform(1.0, max(float(chrono_max) - 1.0, 1.0), units)).astype(np.float32)
    if spec.family == "gru":
        bias = np.zeros((2, 3 * units), np.float32)
        bias[0, :units] = b
        return bias
    blocks = spec.blocks
    bias = np.zeros(len(blocks) * units, np.float32)
    for block, value in (("f", b), ("i", -b)):
        if block in blocks:
            k = blocks.index(block)
            bias[k * units:(k + 1) * units] = value
    return bias


def lstm_step(spec: CellSpec, xp, projected, h, c, gates, recurrent, peephole, gate_recurrent):
    """One step of an LSTM-family cell; returns ``(h, c, gates)``.

    ``projected`` is ``x @ kernel + bias`` of this step, ``(..., B*u)``. ``recurrent`` is the
    recurrent kernel (``(..., u, B*u)``; ``indy``: the diagonal, broadcastable to
    ``(..., B*u)``); ``peephole`` a list of one broadcastable ``(..., u)`` vector per peephole
    gate (or empty); ``gate_recurrent`` ``(..., G*u, G*u)`` or None; ``gates`` the previous
    step's gates ``(..., G*u)`` (``fgr`` only, else None). Leading axes broadcast, so the
    same step runs one model (``(batch, u)``) or a group of fits (``(fits, batch, u)``).
    """
    blocks = spec.blocks
    if spec.diagonal:
        z = projected + xp.concat([h] * len(blocks), axis=-1) * recurrent
    else:
        z = projected + xp.matmul(h, recurrent)
    pre = dict(zip(blocks, xp.split(z, len(blocks), axis=-1)))
    if spec.gate_recurrence:
        extra = xp.split(xp.matmul(gates, gate_recurrent), len(spec.gates), axis=-1)
        for g, value in zip(spec.gates, extra):
            pre[g] = pre[g] + value
    peep = dict(zip(spec.peephole_gates, peephole))

    def gate(name, cell):
        value = pre[name] + peep[name] * cell if name in peep else pre[name]
        return xp.sigmoid(value)

    i = gate("i", c) if spec.input_gate else None
    if spec.coupled:
        f = 1.0 - i
    else:
        f = gate("f", c) if spec.forget_gate else None
    block = xp.tanh(pre["c"]) if spec.input_activation else pre["c"]
    c = (c if f is None else f * c) + (block if i is None else i * block)
    o = gate("o", c) if spec.output_gate else None
    out = xp.tanh(c) if spec.output_activation else c
    h = out if o is None else o * out
    if spec.gate_recurrence:
        gates = xp.concat([{"i": i, "f": f, "o": o}[g] for g in spec.gates], axis=-1)
    return h, c, gates


def gru_step(xp, projected, h, recurrent, recurrent_bias):
    """One step of Keras' GRU (``reset_after=True``, blocks ``z r h``); returns the new ``h``.

    ``projected`` is ``x @ kernel + bias[0]``; ``recurrent_bias`` is ``bias[1]``.
    """
    z_x, r_x, h_x = xp.split(projected, 3, axis=-1)
    z_h, r_h, h_h = xp.split(xp.matmul(h, recurrent) + recurrent_bias, 3, axis=-1)
    update = xp.sigmoid(z_x + z_h)
    reset = xp.sigmoid(r_x + r_h)
    candidate = xp.tanh(h_x + reset * h_h)
    return update * h + (1.0 - update) * candidate
