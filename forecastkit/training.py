"""The Keras training loop shared by every neural model: early stopping, progress, divergence.

Validation loss is computed by a light callback (one forward pass over the held-out
windows per epoch) instead of Keras' ``validation_data``, whose per-epoch evaluation loop
costs more than the training epoch itself for the small models forecasting uses.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import TrainingError


def train(keras, model, data: tuple, hyper: dict, verbose: int = 0, description: str = "training"):
    """Fit ``model`` on ``data = (x_train, y_train, x_val, y_val)``; returns the epoch losses.

    Early stopping watches the validation loss (when there are validation windows) with
    ``hyper["patience"]`` and restores the best weights. Raises :class:`TrainingError` when
    the loss becomes NaN or infinite.
    """
    x_train, y_train, x_val, y_val = data
    callbacks = [keras.callbacks.TerminateOnNaN()]
    if len(x_val):
        callbacks += [validation_loss(keras, x_val, y_val),
                      keras.callbacks.EarlyStopping(monitor="val_loss", patience=hyper["patience"],
                                                    restore_best_weights=True)]
    if verbose == 1:
        callbacks.append(epoch_progress(keras, hyper["epochs"], description))
    history = model.fit(x_train, y_train, epochs=hyper["epochs"], batch_size=hyper["batch_size"],
                        shuffle=True, verbose=2 if verbose >= 2 else 0, callbacks=callbacks)
    losses = history.history.get("loss", [])
    if not losses or not all(math.isfinite(v) for v in losses):
        raise TrainingError(
            f"Training {description!r} diverged (the loss became NaN or inf at epoch {len(losses)}). "
            "Lower --learning-rate (learning_rate=), or use --scaler standard."
        )
    return losses


def validation_loss(keras, x_val: np.ndarray, y_val: np.ndarray):
    """A callback adding ``val_loss`` (mean squared error on the held-out windows) to the logs."""

    class ValidationLoss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            predicted = keras.ops.convert_to_numpy(self.model(x_val, training=False))
            if logs is not None:
                logs["val_loss"] = float(np.mean((predicted - y_val) ** 2))

    return ValidationLoss()


def epoch_progress(keras, epochs: int, description: str):
    """A callback drawing one rich progress bar over ``epochs`` on standard error.

    The bar shows the training and validation loss; when early stopping ends training
    sooner, the bar closes at the epoch reached. Works in terminals and Jupyter alike.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class EpochProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[losses]}"), TimeElapsedColumn(),
                                 console=Console(stderr=True))
            self._bar.start()
            self._task = self._bar.add_task(description, total=epochs, losses="")
            self._done = 0

        def on_epoch_end(self, epoch, logs=None):
            losses = "  ".join(f"{k} {v:.4g}" for k, v in (logs or {}).items() if k in ("loss", "val_loss"))
            self._done = epoch + 1
            self._bar.update(self._task, completed=self._done, losses=losses)

        def on_train_end(self, logs=None):
            if self._done < epochs:
                self._bar.update(self._task, total=self._done, description=f"{description} (early stop)")
            self._bar.stop()

    return EpochProgress()
