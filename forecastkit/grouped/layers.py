"""Grouped layers: the builders' layers with a leading *fit* axis on every weight.

A grouped model holds ``F`` independent sets of weights of one architecture and maps inputs
``(F, batch, rows, features)`` to outputs ``(F, batch, horizon)``: slot ``f`` of the output
depends on slot ``f`` of the inputs and of the weights only (every op is a per-slot batched
matmul or elementwise). The equations are Keras' own:

- ``Dense``: ``x @ kernel + bias`` (then ``relu`` for the MLP's hidden layers);
- ``LSTM``: ``z = x @ W + h @ U + b`` split into gates ``i, f, c, o`` (in that order),
  ``c = sigmoid(f) * c + sigmoid(i) * tanh(c~)``, ``h = sigmoid(o) * tanh(c)``;
- the other recurrent cells (``keras.layers.RNN(ForecastCell(units, cell))``, see
  :mod:`forecastkit.models.cells`): the same :func:`~forecastkit.models.cells.lstm_step` /
  :func:`~forecastkit.models.cells.gru_step` the Keras cell runs, with the fit axis leading;
- ``Bidirectional`` of either: forward layer and one reading the window backwards, concatenated;
- ``Conv1D(padding="causal", relu)`` and ``MaxPooling1D(2)``; ``RepeatVector``;
  ``TimeDistributed(Dense(1))``.

The weights of slot ``f``, in order, are exactly ``model.get_weights()`` of the builder's
Keras model (:func:`layer_plan` says which builders and settings are covered), so one slot
converts to a plain Keras model and back. Initial weights are drawn with NumPy from each
fit's seed using the Keras initializers' distributions, as the cell's
:func:`~forecastkit.models.cells.weight_layout` names them (``glorot_uniform`` kernels,
``orthogonal`` recurrent kernels, U(-1, 1) diagonal recurrent weights, zero biases, peepholes
and gate recurrences, forget-gate bias 1).

The forward is written once against a tiny op table, run with ``keras.ops`` inside the
trainer's compiled step and with NumPy for the per-fit prediction adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.cells import CELLS, DEFAULT_CELL, gru_step, lstm_step, weight_layout
from ..models.registry import MODELS, get_spec

#: Builders the grouped path covers (with dropout 0, no quantile head, no series embedding):
#: those registered with a grouped plan (``ModelSpec.grouped``).
GROUPED_BUILDERS = tuple(name for name, spec in MODELS.items() if spec.grouped)


@dataclass(frozen=True)
class Layer:
    """One layer of a grouped architecture.

    ``kind``: ``flatten``, ``dense`` (units, activation), ``lstm`` (units, sequences, cell),
    ``bilstm`` (units, cell), ``conv`` (units = filters, size = kernel size), ``pool`` (size =
    pool size: max over non-overlapping runs of rows, a trailing remainder dropped), ``repeat``
    (size = times), ``step_dense`` (a TimeDistributed Dense(1) then a reshape).
    """

    kind: str
    units: int = 0
    activation: str | None = None
    sequences: bool = False
    size: int = 0
    cell: str = DEFAULT_CELL  # the recurrent cell of ``lstm`` / ``bilstm`` (a name in CELLS)

    def layout(self, width: int) -> list[tuple[str, tuple, str]]:
        """``(name, shape, initializer)`` of this layer's weights on ``width`` input features
        (``weight_layout``; a ``bilstm`` has the forward layer's then the backward one's)."""
        if self.kind == "dense":
            return [("kernel", (width, self.units), "glorot"), ("bias", (self.units,), "zeros")]
        if self.kind in ("lstm", "bilstm"):
            return weight_layout(self.cell, width, self.units) * (2 if self.kind == "bilstm" else 1)
        if self.kind == "conv":
            return [("kernel", (self.size, width, self.units), "glorot"), ("bias", (self.units,), "zeros")]
        if self.kind == "step_dense":
            return [("kernel", (width, 1), "glorot"), ("bias", (1,), "zeros")]
        return []


@dataclass(frozen=True)
class Arch:
    """A grouped architecture: its layers, input shape and horizon (hashable: the trace key)."""

    model: str
    layers: tuple
    rows: int
    features: int
    horizon: int
    l2: float = 0.0

    def layouts(self) -> list[tuple]:
        """``(layer, its weights' (name, shape, initializer))`` of every layer, in order."""
        out, width = [], self.features
        for layer in self.layers:
            out.append((layer, layer.layout(width)))
            if layer.kind == "flatten":
                width = width * self.rows
            elif layer.kind in ("dense", "conv", "lstm"):
                width = layer.units
            elif layer.kind == "bilstm":
                width = 2 * layer.units
        return out

    def weight_shapes(self) -> list[tuple]:
        """Shapes of one slot's weights, in ``keras.Model.get_weights()`` order."""
        return [shape for _, layout in self.layouts() for _, shape, _ in layout]

    def flops_per_window(self) -> float:
        """Multiply-adds x 2 of one window's forward pass (for GFLOP/s figures)."""
        total, width, rows = 0.0, self.features, self.rows
        for layer in self.layers:
            if layer.kind == "flatten":
                width, rows = width * rows, 1
            elif layer.kind == "dense":
                total += 2 * max(rows, 1) * width * layer.units
                width = layer.units
            elif layer.kind in ("lstm", "bilstm"):
                spec, units = CELLS[layer.cell], layer.units
                blocks = len(spec.blocks) * units
                recurrent = blocks if spec.diagonal else units * blocks
                gates = (len(spec.gates) * units) ** 2 if spec.gate_recurrence else 0
                per = 2 * rows * (width * blocks + recurrent + gates)
                total += per * (2 if layer.kind == "bilstm" else 1)
                width = layer.units * (2 if layer.kind == "bilstm" else 1)
                rows = rows if layer.sequences else 1
            elif layer.kind == "conv":
                total += 2 * rows * layer.size * width * layer.units
                width = layer.units
            elif layer.kind == "pool":
                rows = rows // layer.size
            elif layer.kind == "repeat":
                rows = layer.size
            elif layer.kind == "step_dense":
                total += 2 * rows * width
        return total


def layer_plan(model: str, build_args: dict, input_shape: tuple, horizon: int) -> Arch | str:
    """The grouped :class:`Arch` of a builder with these arguments, or why it has none.

    The layers are the builder's own grouped plan, declared beside its Keras builder and
    registered with it (``ModelSpec.grouped``, e.g. :func:`forecastkit.models.recurrent.grouped_vanilla`);
    ``build_args`` are the builder's hyperparameters (missing ones take their defaults).
    Dropout is not grouped; ``l2`` (the ``linear`` builder's) penalises the head's kernel.

    Examples
    --------
    >>> arch = layer_plan("vanilla", {"units": 8, "dropout": 0.0}, (12, 1), 3)
    >>> [layer.kind for layer in arch.layers], arch.weight_shapes()
    (['lstm', 'dense'], [(1, 32), (8, 32), (32,), (8, 3), (3,)])
    >>> layer_plan("vanilla", {"units": 8, "dropout": 0.2}, (12, 1), 3)
    'dropout 0.2 is not grouped'
    >>> layer_plan("vanilla", {"units": 8, "dropout": 0.0, "cell": "indy"}, (12, 1), 3).weight_shapes()
    [(1, 32), (32,), (32,), (8, 3), (3,)]
    >>> layer_plan("naive", {}, (12, 1), 3)
    "the 'naive' builder is not grouped"
    """
    rows, features = (int(v) for v in input_shape)
    reason = ungrouped_reason(model, build_args)
    if reason:
        return reason
    spec = get_spec(model)
    hyper, _ = spec.split(spec.resolve(build_args))
    layers = spec.load_grouped()((rows, features), int(horizon), hyper)
    return Arch(spec.name, tuple(layers), rows, features, int(horizon), float(hyper.get("l2", 0.0)))


def why_not_grouped(forecaster, continuing: bool | None = None) -> str | None:
    """None when ``forecaster``'s fits can train in groups (:func:`~.trainer.train_group`); else
    why not: ``"sequential"`` for a baseline, an ensemble, a bag or a fit continuing a warm
    start (sequential by nature), otherwise the setting the grouped layers do not cover.
    ``continuing`` (default: ``forecaster.warm_start``) says whether the fit continues from a
    network (a warm chain's first fit, or its first after a failure, starts afresh). Neither
    Keras nor the builder's module is imported.

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> why_not_grouped(Forecaster("vanilla", horizon=2)), why_not_grouped(Forecaster("naive", horizon=2))
    (None, 'sequential')
    """
    from .trainer import supported

    spec = get_spec(forecaster.model)
    continuing = forecaster.warm_start if continuing is None else continuing
    if spec.kind != "neural" or continuing or forecaster.bag != 1:
        return "sequential"
    if forecaster.distribution:
        return "distribution heads are not grouped"
    if forecaster.quantiles:
        return "quantile heads are not grouped"
    if forecaster.id_embedding:
        return "series embeddings are not grouped"
    if not supported():
        return "fold-parallel training needs the TensorFlow or JAX backend"
    return ungrouped_reason(forecaster.model, spec.split(forecaster.check_params())[0])


def ungrouped_reason(model: str, build_args: dict) -> str | None:
    """Why the builder ``model`` with these arguments has no grouped plan, or None when it has
    one; without importing the builder's module (so without Keras).

    Examples
    --------
    >>> ungrouped_reason("vanilla", {"units": 8}), ungrouped_reason("vanilla", {"dropout": 0.2})
    (None, 'dropout 0.2 is not grouped')
    """
    spec = get_spec(model)
    if not spec.grouped:
        return f"the {model!r} builder is not grouped"
    hyper, _ = spec.split(spec.resolve(build_args))
    if hyper.get("dropout", 0.0) > 0:
        return f"dropout {hyper['dropout']} is not grouped"
    if hyper.get("forget_init", "keras") != "keras":  # initial_weights draws Keras' own biases only
        return f"forget_init {hyper['forget_init']!r} is not grouped"
    return None


# ----------------------------------------------------------------------- initial weights --
def initial_weights(arch: Arch, seed: int) -> list[np.ndarray]:
    """One slot's initial weights from ``seed``, with the Keras initializers' distributions."""
    rng = np.random.default_rng(seed)
    out = []
    for layer, layout in arch.layouts():
        for _, shape, kind in layout:
            if kind == "glorot":
                out.append(_glorot(rng, shape))
            elif kind == "orthogonal":
                out.append(_orthogonal(rng, shape))
            elif kind == "uniform":
                out.append(rng.uniform(-1.0, 1.0, shape).astype(np.float32))
            elif kind == "forget":  # zeros, the forget block at 1
                units = shape[0] // len(CELLS[layer.cell].blocks)
                start = CELLS[layer.cell].blocks.index("f") * units
                bias = np.zeros(shape, np.float32)
                bias[start:start + units] = 1.0
                out.append(bias)
            else:
                out.append(np.zeros(shape, np.float32))
    return out


def _glorot(rng, shape) -> np.ndarray:
    """``glorot_uniform``: U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Keras' fans)."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def _orthogonal(rng, shape) -> np.ndarray:
    """Keras ``Orthogonal(gain=1)``: Q of a normal matrix's QR, signs fixed by diag(R)."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    a = rng.normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return q.reshape(shape).astype(np.float32)


# ----------------------------------------------------------------------------- forward --
def op_table(xp, sigmoid=None, relu=None):
    """The op table of :func:`forward` over the array namespace ``xp`` with NumPy's names
    (``numpy``, ``keras.ops``, ``jax.numpy``): ``sigmoid`` and ``relu`` default to ``xp``'s own.

    Examples
    --------
    >>> ops = op_table(np, sigmoid=lambda x: 1 / (1 + np.exp(-x)), relu=lambda x: np.maximum(x, 0))
    >>> ops.sigmoid(np.zeros(2)).tolist(), ops.flip_rows(np.arange(3).reshape(1, 1, 3, 1)).ravel().tolist()
    ([0.5, 0.5], [2, 1, 0])
    """

    class Ops:
        matmul = staticmethod(xp.matmul)
        concat = staticmethod(lambda xs, axis: xp.concatenate(xs, axis=axis))
        #: ``parts`` equal pieces along ``axis``: one op, whose gradient is one concatenation
        #: (a slice per piece would add a full-size gradient per piece: 2x slower LSTM steps).
        split = staticmethod(lambda x, parts, axis: xp.split(x, parts, axis=axis))
        stack = staticmethod(lambda xs, axis: xp.stack(xs, axis=axis))
        tanh = staticmethod(xp.tanh)
        maximum = staticmethod(xp.maximum)
        reshape = staticmethod(xp.reshape)
        shape = staticmethod(xp.shape)

        @staticmethod
        def zeros(shape, like):
            return xp.zeros(shape, like.dtype)

        @staticmethod
        def pad_rows(x, before):
            return xp.pad(x, ((0, 0), (0, 0), (before, 0), (0, 0)))

        @staticmethod
        def flip_rows(x):
            return xp.flip(x, axis=2)

        @staticmethod
        def rows(x):
            """The rows of ``x`` (axis 2) as a list: one ``unstack`` where ``xp`` has it, whose
            gradient is one ``stack`` (a slice per row would add a full-size gradient per row)."""
            unstack = getattr(xp, "unstack", None)
            return list(unstack(x, axis=2)) if unstack else [x[:, :, t] for t in range(x.shape[2])]

    Ops.sigmoid = staticmethod(sigmoid or xp.sigmoid)
    Ops.relu = staticmethod(relu or xp.relu)
    return Ops


def _numpy_sigmoid(x):
    with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x << 0: sigmoid 0, as wanted
        return (1.0 / (1.0 + np.exp(-x))).astype(x.dtype)


#: The op table of :func:`forward` in NumPy (float32 in, float32 out).
NumpyOps = op_table(np, sigmoid=_numpy_sigmoid, relu=lambda x: np.maximum(x, 0))


def keras_ops():
    """The op table of :func:`forward` in ``keras.ops`` (any Keras backend)."""
    from ..models.keras_common import import_keras

    return op_table(import_keras().ops)


def forward(arch: Arch, weights: list, x, xp=NumpyOps):
    """Outputs ``(F, batch, horizon)`` of inputs ``(F, batch, rows, features)``.

    ``weights``: each of :meth:`Arch.weight_shapes` with a leading fit axis ``F``.
    """
    w = iter(weights)
    for layer in arch.layers:
        if layer.kind == "flatten":
            s = xp.shape(x)
            x = xp.reshape(x, (s[0], s[1], s[2] * s[3]))
        elif layer.kind in ("dense", "step_dense"):
            kernel, bias = next(w), next(w)
            if len(x.shape) == 4:  # a Dense on every row (TimeDistributed)
                s = xp.shape(x)
                y = xp.reshape(xp.matmul(xp.reshape(x, (s[0], s[1] * s[2], s[3])), kernel), (s[0], s[1], s[2], -1))
                x = y + bias[:, None, None, :]
                if layer.kind == "step_dense":
                    x = xp.reshape(x, (s[0], s[1], s[2]))
            else:
                x = xp.matmul(x, kernel) + bias[:, None, :]
            if layer.activation == "relu":
                x = xp.relu(x)
        elif layer.kind == "lstm":
            x = lstm(x, **_cell_weights(layer.cell, w), sequences=layer.sequences, xp=xp, cell=layer.cell)
        elif layer.kind == "bilstm":
            ahead = lstm(x, **_cell_weights(layer.cell, w), xp=xp, cell=layer.cell)
            back = lstm(xp.flip_rows(x), **_cell_weights(layer.cell, w), xp=xp, cell=layer.cell)
            x = xp.concat([ahead, back], axis=-1)
        elif layer.kind == "conv":
            kernel, bias = next(w), next(w)
            size = layer.size
            s = xp.shape(x)
            padded = xp.pad_rows(x, size - 1)
            rows = x.shape[2]
            taps = xp.concat([padded[:, :, j:j + rows] for j in range(size)], axis=-1)  # (F, B, T, k*C)
            flat = xp.reshape(kernel, (s[0], size * x.shape[3], layer.units))
            y = xp.reshape(xp.matmul(xp.reshape(taps, (s[0], s[1] * rows, size * x.shape[3])), flat),
                           (s[0], s[1], rows, layer.units))
            x = xp.relu(y + bias[:, None, None, :])
        elif layer.kind == "pool":
            s = xp.shape(x)
            rows = x.shape[2] // layer.size
            x = xp.reshape(x[:, :, :rows * layer.size], (s[0], s[1], rows, layer.size, x.shape[3]))
            pooled = x[:, :, :, 0]
            for k in range(1, layer.size):
                pooled = xp.maximum(pooled, x[:, :, :, k])
            x = pooled
        elif layer.kind == "repeat":
            x = xp.stack([x] * layer.size, axis=2)
    return x


def _cell_weights(cell: str, weights) -> dict:
    """The weights of one ``cell`` layer, taken from the iterator ``weights``, as :func:`lstm`'s
    arguments (``kernel``, ``recurrent``, ``bias``, and ``peephole``, ``gate_recurrent`` if any)."""
    names = {"recurrent_kernel": "recurrent"}
    return {names.get(name, name): next(weights) for name, _, _ in weight_layout(cell, 1, 1)}


def lstm(x, kernel, recurrent, bias, sequences: bool = False, xp=NumpyOps, cell: str = DEFAULT_CELL,
         peephole=None, gate_recurrent=None):
    """A recurrent layer of ``cell`` over ``x`` (F, B, rows, features): ``(F, B, units)``, or
    ``(F, B, rows, units)`` with ``sequences``.

    The weights are the cell's :func:`~forecastkit.models.cells.weight_layout` with a leading
    fit axis. The default ``lstm`` is Keras' LSTM (gates i, f, c, o; sigmoid / tanh); the
    others run :func:`~forecastkit.models.cells.lstm_step` or
    :func:`~forecastkit.models.cells.gru_step`, as the Keras ``ForecastCell`` does.
    """
    if cell != DEFAULT_CELL:
        return _cell_layer(x, kernel, recurrent, bias, peephole, gate_recurrent, sequences, xp, CELLS[cell])
    s = xp.shape(x)
    rows, units = x.shape[2], recurrent.shape[-2]
    projected = xp.reshape(xp.matmul(xp.reshape(x, (s[0], s[1] * rows, x.shape[3])), kernel),
                           (s[0], s[1], rows, 4 * units))
    h = c = xp.zeros((s[0], s[1], units), like=projected)
    bias = bias[:, None, :]
    outputs = []
    for step in xp.rows(projected):
        i, f, g, o = xp.split(step + xp.matmul(h, recurrent) + bias, 4, axis=-1)
        c = xp.sigmoid(f) * c + xp.sigmoid(i) * xp.tanh(g)
        h = xp.sigmoid(o) * xp.tanh(c)
        outputs.append(h)
    return xp.stack(outputs, axis=2) if sequences else h


def _cell_layer(x, kernel, recurrent, bias, peephole, gate_recurrent, sequences, xp, spec):
    """:func:`lstm` for forecastkit's cells: the input projection (with the bias, as the
    Keras cell adds it) for all rows at once, then the cell's step row by row."""
    s = xp.shape(x)
    rows, width = x.shape[2], kernel.shape[-1]
    units = width // len(spec.blocks)
    gru = spec.family == "gru"
    input_bias = bias[:, 0] if gru else bias
    projected = xp.reshape(xp.matmul(xp.reshape(x, (s[0], s[1] * rows, x.shape[3])), kernel),
                           (s[0], s[1], rows, width)) + input_bias[:, None, None, :]
    h = xp.zeros((s[0], s[1], units), like=projected)
    # Per-fit vectors (peepholes, indy's diagonal, the GRU's recurrent bias) are spread over
    # the batch once, before the loop (adding zeros: the same values), so the backward pass
    # sums their gradient over the batch once instead of at every step (far faster in XLA).
    wide = xp.zeros((s[0], s[1], width), like=projected)
    if gru:
        recurrent_bias = wide + bias[:, 1][:, None, :]
    else:
        c = h
        if spec.diagonal:  # (F, B*u) against (F, batch, B*u)
            recurrent = wide + recurrent[:, None, :]
        peephole = [h + peephole[:, k][:, None, :] for k in range(len(spec.peephole_gates))]
        gates = xp.zeros((s[0], s[1], len(spec.gates) * units), like=projected) if spec.gate_recurrence else None
    outputs = []
    for step in xp.rows(projected):
        if gru:
            h = gru_step(xp, step, h, recurrent, recurrent_bias)
        else:
            h, c, gates = lstm_step(spec, xp, step, h, c, gates, recurrent, peephole, gate_recurrent)
        outputs.append(h)
    return xp.stack(outputs, axis=2) if sequences else h


# --------------------------------------------------------------- serializable layers --
def _register():
    """Keras layers wrapping the grouped ops (registered serializables; built lazily)."""
    from ..models.keras_common import import_keras

    keras = import_keras()

    @keras.saving.register_keras_serializable(package="forecastkit")
    class GroupedDense(keras.layers.Layer):
        """``Dense`` with a leading fit axis: ``(F, B, in) -> (F, B, units)``."""

        def __init__(self, fits, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.fits, self.units, self.activation = fits, units, activation

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(self.fits, input_shape[-1], self.units), name="kernel")
            self.bias = self.add_weight(shape=(self.fits, self.units), initializer="zeros", name="bias")

        def call(self, x):
            y = keras.ops.matmul(x, self.kernel) + self.bias[:, None, :]
            return keras.ops.relu(y) if self.activation == "relu" else y

        def get_config(self):
            return {**super().get_config(), "fits": self.fits, "units": self.units, "activation": self.activation}

    @keras.saving.register_keras_serializable(package="forecastkit")
    class GroupedLSTM(keras.layers.Layer):
        """A recurrent layer of ``cell`` with a leading fit axis: ``(F, B, rows, in) -> (F, B, units)``
        (or sequences); its weights are the cell's ``weight_layout``, each with the fit axis."""

        def __init__(self, fits, units, return_sequences=False, cell=DEFAULT_CELL, **kwargs):
            super().__init__(**kwargs)
            if cell not in CELLS:
                raise ValueError(f"GroupedLSTM `cell` must be one of {list(CELLS)}. Received: cell={cell!r}")
            self.fits, self.units, self.return_sequences, self.cell = fits, units, return_sequences, cell

        def build(self, input_shape):
            for name, shape, kind in weight_layout(self.cell, int(input_shape[-1]), self.units):
                setattr(self, name, self.add_weight(shape=(self.fits, *shape), name=name,
                                                    initializer="glorot_uniform" if kind in ("glorot", "orthogonal",
                                                                                             "uniform") else "zeros"))

        def call(self, x):
            weights = iter([getattr(self, name) for name, _, _ in weight_layout(self.cell, 1, 1)])
            return lstm(x, **_cell_weights(self.cell, weights), sequences=self.return_sequences, xp=keras_ops(),
                        cell=self.cell)

        def get_config(self):
            return {**super().get_config(), "fits": self.fits, "units": self.units,
                    "return_sequences": self.return_sequences, "cell": self.cell}

    return GroupedDense, GroupedLSTM


_LAYERS = None


def grouped_layers():
    """``(GroupedDense, GroupedLSTM)``: Keras layers over the grouped ops (imports Keras)."""
    global _LAYERS
    if _LAYERS is None:
        _LAYERS = _register()
    return _LAYERS
