"""Shared Keras plumbing for the neural builders: importing Keras and compiling models.

Only the builder modules (``dense``, ``recurrent``, ``conv``, ``seq2seq``) import this module,
and the rest of forecastkit imports those lazily, so ``import forecastkit`` never pays for
TensorFlow. Argument validation is Keras-free: hyperparameter names, defaults and ranges live in
:mod:`forecastkit.models.registry`, re-exported here as ``check_build_args`` for the builders.

Examples
--------
>>> from forecastkit.models.keras_common import compile_model, import_keras
>>> keras = import_keras()
>>> from forecastkit.models.dense import build_linear
>>> model = compile_model(build_linear((4, 1), 2), learning_rate=0.01)
>>> model.loss, round(float(model.optimizer.learning_rate), 4)
('mse', 0.01)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

from .hyper import check_float
from .registry import check_build_args  # noqa: F401  (the builders' one validation entry)

__all__ = ["check_build_args", "compile_model", "import_keras"]


def import_keras():
    """Import and return the ``keras`` module, quietly and on TensorFlow by default.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (silence TensorFlow's C++ info/warning logs) and
    ``KERAS_BACKEND=tensorflow`` with ``os.environ.setdefault`` *before* the first
    ``import keras``, so a value the user already exported (e.g. ``KERAS_BACKEND=jax``) wins.
    Once Keras is imported the backend is fixed for the process.

    Returns
    -------
    module
        The ``keras`` module.

    Examples
    --------
    >>> keras = import_keras()
    >>> keras.__version__ >= "3"
    True
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "keras" in sys.modules:
        return sys.modules["keras"]
    if os.environ["KERAS_BACKEND"] == "jax":
        try:
            import jax  # noqa: F401
        except ImportError:
            from ..errors import ConfigError

            raise ConfigError('KERAS_BACKEND=jax needs JAX, which is not installed: pip install "forecastkit[jax]".'
                              ) from None
    with _stderr_silenced():  # TensorFlow's C++ start-up lines ignore TF_CPP_MIN_LOG_LEVEL
        import keras
        # TensorFlow's Python logger warns about tf.function retracing each time a new small
        # model is fit (every walk-forward fit does): noise to a user, so errors only.
        logging.getLogger("tensorflow").setLevel(logging.ERROR)

        keras.ops.convert_to_tensor(0.0)  # the backend prints its device lines on first use
    return keras


@contextlib.contextmanager
def _stderr_silenced():
    """Point file descriptor 2 at /dev/null for the block (Python-level errors still raise)."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr: nothing to silence
        yield
        return
    with open(os.devnull, "w") as devnull:
        sys.stderr.flush()
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def compile_model(model, learning_rate: float = 1e-3, loss="mse"):
    """Compile ``model`` in place with Adam and mean squared error, and return it.

    Parameters
    ----------
    model : keras.Model
        A model from one of the ``build_*`` functions.
    learning_rate : float, default 1e-3
        Adam learning rate, a finite number > 0.
    loss : str or keras.losses.Loss, default "mse"
        The training loss (quantile models use :class:`~forecastkit.models.quantile.PinballLoss`).

    Returns
    -------
    keras.Model
        The same ``model`` object, compiled.

    Raises
    ------
    ConfigTypeError, ConfigError
        ``learning_rate`` is not a number, or is not > 0.

    Examples
    --------
    >>> from forecastkit.models.recurrent import build_vanilla
    >>> model = compile_model(build_vanilla((12, 1), 3, units=4))
    >>> model.compiled, type(model.optimizer).__name__
    (True, 'Adam')
    """
    keras = import_keras()
    learning_rate = check_float(
        getattr(model, "name", "?"), "learning_rate", learning_rate, minimum=0.0, include_minimum=False
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=loss)
    return model


def with_series_embedding(builder, input_shape: tuple[int, int], horizon: int, build_args: dict,
                          n_series: int, dim: int):
    """A builder's model fed, beside each window, a learned vector of its series.

    Inputs: ``window (rows, features)`` and ``series`` (the series' integer index, shape (1,)).
    The series' ``dim``-vector (``keras.layers.Embedding``) is repeated on every window row
    and joins the features, so any builder can use it; only Keras layers, safe-mode loadable.

    Examples
    --------
    >>> from forecastkit.models.dense import build_linear
    >>> model = with_series_embedding(build_linear, (6, 1), 2, {}, n_series=3, dim=2)
    >>> [tuple(shape) for shape in model.input_shape], model.output_shape
    ([(None, 6, 1), (None, 1)], (None, 2))
    """
    keras = import_keras()
    rows, features = input_shape
    base = builder((rows, features + dim), horizon, **build_args)
    window = keras.Input(shape=(rows, features), name="window")
    series = keras.Input(shape=(1,), dtype="int32", name="series")
    vector = keras.layers.Embedding(n_series, dim, name="series_embedding")(series)
    repeated = keras.layers.RepeatVector(rows, name="series_rows")(keras.layers.Flatten(name="series_vector")(vector))
    joined = keras.layers.Concatenate(axis=-1, name="window_and_series")([window, repeated])
    return keras.Model([window, series], base(joined), name=base.name)


def keras_backend() -> str:
    """The Keras backend of this process (``"tensorflow"``, ``"jax"``...), without importing Keras:
    Keras' own answer once imported, else what :func:`import_keras` will choose (``KERAS_BACKEND``,
    then the ``backend`` of ``~/.keras/keras.json``, then TensorFlow).

    Examples
    --------
    >>> keras_backend() in ("tensorflow", "jax", "torch", "numpy")
    True
    """
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    import json
    from pathlib import Path

    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    try:
        return str(json.loads((home / "keras.json").read_text()).get("backend", "tensorflow"))
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def import_tensorflow():
    """Import and return ``tensorflow`` as quietly as :func:`import_keras` does, without Keras
    (e.g. to set its thread counts before Keras starts its runtime).

    Examples
    --------
    >>> import_tensorflow().__name__
    'tensorflow'
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_silenced():
        import tensorflow
    return tensorflow
