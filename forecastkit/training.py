"""The Keras training loop shared by every neural model: early stopping, progress, divergence.

Validation loss is computed by a light callback (one forward pass over the held-out
windows per epoch) instead of Keras' ``validation_data``, whose per-epoch evaluation loop
costs more than the training epoch itself for the small models forecasting uses. It watches
the training loss (``hyper["loss"]``: mse, mae or huber). Two settings bound the cost of an
epoch on a large panel: ``steps_per_epoch`` (each epoch trains on at most
``steps_per_epoch * batch_size`` windows, drawn afresh) and :data:`VALIDATION_CAP` (more
held-out windows than that are scored on a fixed, evenly spread subset, the same every epoch).
The fold-parallel trainer (:mod:`forecastkit.grouped.trainer`) uses the same helpers, so both
paths see the same windows.

Many fits in one process keep memory flat: on the TensorFlow backend each traced training
step leaves a gradient function in TensorFlow's global registry that pins the whole traced
graph (:func:`released_step_graphs` removes it).
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from .errors import TrainingError
from .models.registry import HUBER_DELTA

#: ``batch_size=0``: :data:`SMALLEST_BATCH` windows per step up to :data:`FIRST_DOUBLING` training
#: windows, doubled for every doubling beyond, at most :data:`LARGEST_BATCH` (:func:`auto_batch_size`).
SMALLEST_BATCH, LARGEST_BATCH, FIRST_DOUBLING = 32, 256, 16_000


def auto_batch_size(windows: int) -> int:
    """The batch size ``batch_size=0`` resolves to for a fit on ``windows`` training windows.

    A fixed budget of ``steps_per_epoch`` steps of 32 windows sees a vanishing share of a
    large panel in each epoch; larger batches on large data cost little more per step on a
    CPU's vector units and halve the gradient noise per doubling. Chosen on M4 Weekly's
    training period (``benchmarks/results/defaults.md``); every shipped single series keeps 32.

    Examples
    --------
    >>> [auto_batch_size(n) for n in (100, 16_000, 40_000, 130_000, 2_000_000)]
    [32, 32, 64, 256, 256]
    """
    doublings = max(0, math.floor(math.log2(max(windows, 1) / FIRST_DOUBLING)))
    return int(min(LARGEST_BATCH, SMALLEST_BATCH * 2 ** doublings))


def ridge_coefficient(l2: float, windows: int) -> float:
    """The L2 coefficient on the mean training loss of a fit on ``windows`` training windows,
    for the ``l2`` hyperparameter (``linear``): a ridge prior counted per window, ``l2 /
    windows``, so the prior does not grow with the data and shrinks a short series' fit
    hardest (the ridge judge of ``preprocess="auto"`` uses the same prior, ``RIDGE = 1``).
    Chosen on training-period validation (``benchmarks/results/defaults.md``).

    Examples
    --------
    >>> ridge_coefficient(1.0, 40), ridge_coefficient(1.0, 4000), ridge_coefficient(0.0, 40)
    (0.025, 0.00025, 0.0)
    """
    return float(l2) / max(int(windows), 1)


#: Held-out windows scored per epoch for early stopping: more than this are subsampled
#: (:func:`held_out_subset`), so a large panel's validation pass costs a bounded time.
VALIDATION_CAP = 4096


def train(keras, model, windows, hyper: dict, verbose: int = 0, description: str = "training",
          seed: int = 0, with_series: bool = False, taus: tuple = (), distribution: str | None = None):
    """Fit ``model`` on a :class:`~forecastkit.windows.WindowSet`; returns the epoch losses.

    The latest ``hyper["validation"]`` share of each series' windows is held out; early
    stopping watches their loss with ``hyper["patience"]`` and restores the best weights.
    Batches are gathered from the window set on demand (:func:`window_batches`), in an order
    drawn from ``seed``. ``with_series`` feeds each window's series index as a second input
    (series embeddings). ``taus``: the quantile levels of a quantile model (its validation loss
    is then the pinball loss; otherwise it is ``hyper["loss"]``, the model's compiled loss);
    ``distribution``: the family of a distribution head (its validation loss is then the mean
    negative log-likelihood, :func:`~forecastkit.models.families.nll`).
    Raises :class:`TrainingError` when the loss becomes NaN or infinite.
    """
    fit_index, val_index = split_windows(windows, hyper, seed)
    batches = window_batches(keras, windows, fit_index, hyper, seed, with_series)
    callbacks = [stop_on_nan(keras)]
    if len(val_index):
        callbacks += [validation_loss(keras, windows, val_index, with_series, taus, loss=hyper.get("loss", "mse"),
                                      distribution=distribution),
                      keras.callbacks.EarlyStopping(monitor="val_loss", patience=hyper["patience"],
                                                    restore_best_weights=True)]
    if verbose == 1:
        callbacks.append(epoch_progress(keras, hyper["epochs"], description))
    if _EPOCH_OBSERVERS and len(val_index):
        callbacks.append(observed_epochs(keras))
    with released_step_graphs(keras):
        history = model.fit(batches, epochs=hyper["epochs"], verbose=2 if verbose >= 2 else 0,
                            callbacks=callbacks)
    losses = history.history.get("loss", [])
    if not losses or not all(math.isfinite(v) for v in losses):
        raise TrainingError(
            f"Training {description!r} diverged (the loss became NaN or inf at epoch {len(losses)}). "
            "Lower `learning_rate`, or set `scaler` to 'standard'."
        )
    if not taus and not distribution:  # a pinball loss or a likelihood has no such reference
        scored = val_index if len(val_index) else fit_index
        scored = scored[np.linspace(0, len(scored) - 1, min(len(scored), VALIDATION_CAP)).astype(np.int64)]
        best = min(history.history.get("val_loss", [math.inf]) if len(val_index) else losses)
        reference = no_change_loss(windows.gather(scored)[1], hyper.get("loss", "mse"))
        error = divergence_error(description, best, reference)
        if error is not None:
            raise error
    return losses


#: A fit whose best loss is more than this many times that of forecasting no change (0 on its
#: scaled targets) diverged, though every loss stayed finite (e.g. a learning rate of 100).
DIVERGED_RATIO = 100.0


def no_change_loss(targets: np.ndarray, loss: str) -> float:
    """The mean ``loss`` of forecasting 0 (no change, on the scaled targets) for ``targets``.

    Examples
    --------
    >>> no_change_loss(np.array([[1.0, -3.0]]), "mae")
    2.0
    """
    return float(np.mean(pointwise_loss(loss, -np.asarray(targets, dtype=float)))) if np.size(targets) else 0.0


def divergence_error(description: str, loss: float, reference: float) -> TrainingError | None:
    """The TrainingError of a fit whose best ``loss`` is above :data:`DIVERGED_RATIO` times
    ``reference`` (:func:`no_change_loss` on the same windows), and times 1; None otherwise.

    Examples
    --------
    >>> divergence_error("training mlp", 0.8, 1.0) is None, divergence_error("training mlp", 0.5, 1e-6) is None
    (True, True)
    >>> print(divergence_error("training mlp", 4e7, 1.0))
    Training 'training mlp' diverged: its best loss is 4e+07, against 1 for forecasting no change. Lower `learning_rate`.
    >>> divergence_error("training mlp", 500.0, 0.0) is not None  # a reference of 0: the floor decides
    True
    """
    if not (math.isfinite(loss) and loss > DIVERGED_RATIO * max(reference, 1.0)):  # 1: the scaled targets' unit,
        return None  # so windows that barely move (an intermittent series' zeros) never make a good fit "diverged"
    return TrainingError(f"Training {description!r} diverged: its best loss is {loss:.3g}, against {reference:.3g} "
                         "for forecasting no change. Lower `learning_rate`.")


def split_windows(windows, hyper: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(fit, held-out)`` window positions of a fit: the latest ``hyper["validation"]`` share
    of each series is held out (all windows train when that leaves none), and at most
    :data:`VALIDATION_CAP` of the held-out ones are kept (:func:`held_out_subset`).

    Examples
    --------
    >>> from forecastkit.windows import WindowSet
    >>> blocks = [(np.arange(12.0), np.zeros((12, 0)), np.zeros((12, 0)), np.zeros(0))]
    >>> [part.tolist() for part in split_windows(WindowSet(blocks, 2, 1), {"validation": 0.2}, seed=0)]
    [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]]
    """
    fit_index, val_index = windows.latest(hyper["validation"])
    if len(fit_index) == 0:
        fit_index, val_index = val_index, val_index[:0]
    return fit_index, held_out_subset(val_index, seed, VALIDATION_CAP)


def held_out_subset(index: np.ndarray, seed: int, cap: int = VALIDATION_CAP) -> np.ndarray:
    """``index`` itself when it holds at most ``cap`` positions, else ``cap`` of them evenly
    spread over it (every ``len(index) / cap``-th, from an offset drawn from ``seed``), in order.

    The subset is fixed for the fit (early stopping compares epochs on the same windows) and,
    since held-out windows are ordered by series, covers every series in proportion.

    Examples
    --------
    >>> held_out_subset(np.arange(10), seed=0, cap=4).tolist()
    [2, 4, 7, 9]
    >>> held_out_subset(np.arange(3), seed=0, cap=4).tolist()
    [0, 1, 2]
    """
    if len(index) <= cap:
        return index
    stride = len(index) / cap
    offset = np.random.default_rng([int(seed), 1]).random() * stride
    return index[(offset + np.arange(cap) * stride).astype(np.int64)]


def pointwise_loss(loss: str, error, xp=np):
    """The training loss of each forecast error (on scaled targets), written against ``xp``
    (NumPy, or TensorFlow inside the grouped step: ``abs``, ``square`` and ``where``).

    ``mse``: ``e**2``; ``mae``: ``|e|``; ``huber``: ``e**2 / 2`` for ``|e| <= d``, else
    ``d * (|e| - d / 2)``, with ``d`` = :data:`~forecastkit.models.registry.HUBER_DELTA`
    (Keras' ``Huber(delta=1.0)``).

    Examples
    --------
    >>> [pointwise_loss(name, np.array([0.5, -3.0])).tolist() for name in ("mse", "mae", "huber")]
    [[0.25, 9.0], [0.5, 3.0], [0.125, 2.5]]
    """
    if loss == "mae":
        return xp.abs(error)
    if loss == "huber":
        size = xp.abs(error)
        return xp.where(size <= HUBER_DELTA, 0.5 * xp.square(error), HUBER_DELTA * (size - 0.5 * HUBER_DELTA))
    return xp.square(error)


def keras_loss(keras, loss: str):
    """The Keras loss of a ``loss`` setting: ``"mse"``, ``"mae"`` or ``keras.losses.Huber(1.0)``."""
    return keras.losses.Huber(delta=HUBER_DELTA) if loss == "huber" else loss


def model_inputs(windows, index: np.ndarray, with_series: bool):
    """``(inputs, targets, levels)`` of the windows at ``index``; inputs gain the series index
    as a second input when ``with_series``."""
    inputs, targets, levels = windows.gather(index)
    if with_series:
        inputs = (inputs, windows.series[index].astype(np.int32)[:, None])
    return inputs, targets, levels


def window_batches(keras, windows, index: np.ndarray, hyper: dict, seed: int, with_series: bool):
    """A ``keras.utils.PyDataset`` gathering shuffled batches of the windows at ``index``.

    Every epoch draws a fresh order from one seeded generator; with ``window_sample`` > 0,
    each series contributes at most that many of its windows per epoch, drawn afresh; with
    ``steps_per_epoch`` > 0, an epoch keeps the first ``steps_per_epoch * batch_size`` windows
    of its order (a fresh random subset each epoch), so it runs at most that many steps.
    """
    rng = np.random.default_rng(seed)
    batch_size, sample = hyper["batch_size"], hyper.get("window_sample", 0)
    budget = int(hyper.get("steps_per_epoch", 0)) * batch_size

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.order = self._draw()

        def _draw(self):
            chosen = index
            if sample:
                keys = rng.random(len(index))
                series = windows.series[index]
                ranked = np.lexsort((keys, series))
                rank = np.empty(len(index), np.int64)
                rank[ranked] = np.arange(len(index)) - np.searchsorted(series[ranked], series[ranked])
                chosen = index[rank < sample]
            order = rng.permutation(chosen)
            return order[:budget] if budget else order

        @property
        def num_batches(self):
            return max(1, math.ceil(len(self.order) / batch_size))

        def __len__(self):
            return self.num_batches

        def __getitem__(self, i):
            inputs, targets, _ = model_inputs(windows, self.order[i * batch_size:(i + 1) * batch_size], with_series)
            return inputs, targets

        def on_epoch_end(self):
            self.order = self._draw()

    return Batches()


@contextlib.contextmanager
def released_step_graphs(keras):
    """Drop the gradient functions TensorFlow registers globally while tracing a training step.

    On the TensorFlow backend, tracing ``model.fit``'s step registers a ``CustomGradient-<n>``
    function (for the optimizer's gradient all-reduce) in TensorFlow's process-wide gradient
    registry; it holds the traced graph, so every new model leaks it for the life of the
    process (about 11 MiB per small LSTM fit; tensorflow/tensorflow#80895). The step's own
    gradients are taken before that point and nothing differentiates through the optimizer
    update, so the functions registered during the block are removed when it ends. A no-op on
    other backends or when TensorFlow's internals differ.
    """
    registry = None
    if keras.backend.backend() == "tensorflow":
        with contextlib.suppress(ImportError, AttributeError):  # private API: absent means a no-op
            from tensorflow.python.framework import ops

            registry = ops._gradient_registry._registry
    before = set(registry) if isinstance(registry, dict) else None
    try:
        yield
    finally:
        if before is not None:
            for name in set(registry) - before:
                if name.startswith("CustomGradient-"):
                    registry.pop(name, None)


#: Functions ``observer(epoch, losses) -> stop`` told every epoch's held-out losses (see :func:`observing_epochs`).
_EPOCH_OBSERVERS: list = []


@contextlib.contextmanager
def observing_epochs(observer):
    """Within the block, ``observer(epoch, losses)`` hears the held-out loss of every training epoch
    of every fit in this process: a sequential fit's through a Keras callback (``losses`` holds one
    value), a fold-parallel group's from its trainer (one value per fit). Epoch 0 starts a new fit
    (or group). An observer returning True stops that training, as early stopping would (a tuner
    pruning a trial). Fits without held-out windows are not observed.

    Examples
    --------
    >>> heard = []
    >>> with observing_epochs(lambda epoch, losses: heard.append((epoch, list(losses)))):
    ...     epoch_observed(0, [0.5])
    False
    >>> heard, epoch_observed(1, [0.4])
    ([(0, [0.5])], False)
    """
    _EPOCH_OBSERVERS.append(observer)
    try:
        yield observer
    finally:
        _EPOCH_OBSERVERS.remove(observer)


def epoch_observed(epoch: int, losses) -> bool:
    """Tell every observer an epoch ended with these held-out ``losses``; True: one of them stops training."""
    return any([bool(observer(epoch, losses)) for observer in list(_EPOCH_OBSERVERS)])


def observed_epochs(keras):
    """A callback telling the observers (:func:`observing_epochs`) each epoch's ``val_loss``."""

    class ObservedEpochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss")
            if loss is not None and epoch_observed(epoch, [float(loss)]):
                self.model.stop_training = True

    return ObservedEpochs()


def stop_on_nan(keras):
    """A callback ending training at the first NaN or infinite batch loss (silently, unlike
    Keras' ``TerminateOnNaN``, which prints to standard output; :func:`train` reports it)."""

    class StopOnNaN(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                self.model.stop_training = True

    return StopOnNaN()


def validation_loss(keras, windows, index: np.ndarray, with_series: bool, taus: tuple = (), chunk: int = 4096,
                    loss: str = "mse", distribution: str | None = None):
    """A callback adding ``val_loss`` to the logs: the mean ``loss`` (mse, mae or huber,
    :func:`pointwise_loss`) on the held-out windows, for a quantile model (``taus``) their
    mean pinball loss, for a distribution head their mean negative log-likelihood.

    The held-out windows are gathered once when they fit in one ``chunk``, else per chunk.
    """
    parts = [index[i:i + chunk] for i in range(0, len(index), chunk)]
    cached = [model_inputs(windows, parts[0], with_series)[:2]] if len(parts) == 1 else None

    class ValidationLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            total = 0.0
            for inputs, targets in cached or (model_inputs(windows, p, with_series)[:2] for p in parts):
                predicted = keras.ops.convert_to_numpy(self.model(inputs, training=False))
                total += float(np.sum(_loss(predicted, targets)))
            if logs is not None:
                logs["val_loss"] = total / (len(index) * windows.horizon)

    def _loss(predicted, targets):
        if distribution:
            from .models.families import nll

            return nll(distribution, predicted, targets)
        if not taus:
            return pointwise_loss(loss, predicted - targets)
        error = targets[..., None] - predicted
        return np.mean(np.maximum(np.asarray(taus) * error, (np.asarray(taus) - 1) * error), axis=-1)

    return ValidationLoss()


class EpochBar:
    """One rich progress bar over ``epochs`` on standard error, showing the training and
    validation loss; :meth:`close` ends it at the epoch reached (early stopping). Works in
    terminals and Jupyter alike; the Keras trainer (:func:`epoch_progress`) and the grouped
    one (:func:`~forecastkit.grouped.train_group`) draw the same bar."""

    def __init__(self, epochs: int, description: str):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.epochs, self.description, self.done = epochs, description, 0
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[losses]}"), TimeElapsedColumn(), console=Console(stderr=True))
        self._bar.start()
        self._task = self._bar.add_task(description, total=epochs, losses="")

    def update(self, epoch: int, losses: dict) -> None:
        """Epoch ``epoch`` (from 0) ended with ``losses`` (``loss``, ``val_loss``)."""
        self.done = epoch + 1
        text = "  ".join(f"{k} {v:.4g}" for k, v in losses.items() if k in ("loss", "val_loss"))
        self._bar.update(self._task, completed=self.done, losses=text)

    def close(self) -> None:
        if self.done < self.epochs:
            self._bar.update(self._task, total=self.done, description=f"{self.description} (early stop)")
        self._bar.stop()


def epoch_progress(keras, epochs: int, description: str):
    """A Keras callback drawing an :class:`EpochBar`."""

    class EpochProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._bar = EpochBar(epochs, description)

        def on_epoch_end(self, epoch, logs=None):
            self._bar.update(epoch, logs or {})

        def on_train_end(self, logs=None):
            self._bar.close()

    return EpochProgress()
