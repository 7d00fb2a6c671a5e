"""A rich progress bar for Keras training, in terminals and Jupyter alike."""

from __future__ import annotations


def epoch_progress(keras, epochs: int, description: str):
    """A Keras callback drawing one rich progress bar over ``epochs`` (stops early cleanly).

    The bar is written to standard error, so a forecast table on standard output stays clean.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    class EpochProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(description, total=epochs, loss="-")

        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss", (logs or {}).get("loss"))
            self._bar.update(self._task, advance=1, loss="-" if loss is None else f"{loss:.4g}")

        def on_train_end(self, logs=None):
            self._bar.stop()

    return EpochProgress()
