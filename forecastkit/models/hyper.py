"""Validation of neural-builder arguments, without importing Keras.

The Keras builders (``dense``, ``recurrent``, ``conv``, ``seq2seq``) call these checks before
they create a single layer, and the command line can call them before it pays for importing
TensorFlow. Every failure raises :class:`~forecastkit.errors.ConfigTypeError` (wrong type, e.g.
``units="many"`` or ``units=32.0``) or :class:`~forecastkit.errors.ConfigError` (right type,
value out of range) with a Keras-style message naming the model, the argument, the rule and the
value received.

Booleans are not integers here (``units=True`` is a type error) and integral floats are not
integers either (``units=32.0`` is a type error: write ``32``). NumPy integers and floats are
accepted and converted to Python ``int`` / ``float`` so that model configs stay JSON
serialisable.

Integers go through the one integer check, :func:`forecastkit.checks.check_int`, with the
model named as its ``context``.

Examples
--------
>>> from forecastkit.models.hyper import check_float, check_horizon
>>> check_float("vanilla", "dropout", 0.2, minimum=0.0, maximum=1.0)
0.2
>>> check_horizon("vanilla", "many")
Traceback (most recent call last):
...
forecastkit.errors.ConfigTypeError: `horizon` of model 'vanilla' must be an integer >= 1. Received: horizon='many' (str)
"""

from __future__ import annotations

import math
import numbers

from ..checks import check_int
from ..errors import ConfigError, ConfigTypeError

__all__ = ["check_float", "check_horizon", "check_input_shape"]


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _received(name: str, value: object) -> str:
    return f"Received: {name}={value!r} ({type(value).__name__})"


def check_float(
    model: str,
    name: str,
    value: object,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    include_minimum: bool = True,
    include_maximum: bool = True,
) -> float:
    """Return ``value`` as a finite Python ``float`` inside the given bounds.

    Parameters
    ----------
    model, name : str
        Model and argument names used in the message.
    value : object
        An ``int`` or ``float`` (NumPy scalars too); ``bool`` and strings are rejected, as are
        NaN and infinities.
    minimum, maximum : float, optional
        Bounds; ``None`` means unbounded.
    include_minimum, include_maximum : bool, default True
        Whether each bound itself is allowed.

    Returns
    -------
    float

    Raises
    ------
    ConfigTypeError
        ``value`` is not a real number.
    ConfigError
        ``value`` is NaN, infinite or outside the bounds.

    Examples
    --------
    >>> check_float("mlp", "dropout", 0, minimum=0.0, maximum=1.0, include_maximum=False)
    0.0
    >>> check_float("mlp", "dropout", 1.0, minimum=0.0, maximum=1.0, include_maximum=False)
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `dropout` of model 'mlp' must be a number >= 0 and < 1. Received: dropout=1.0
    """
    parts = []
    if minimum is not None:
        parts.append(f"{'>=' if include_minimum else '>'} {_fmt(minimum)}")
    if maximum is not None:
        parts.append(f"{'<=' if include_maximum else '<'} {_fmt(maximum)}")
    rule = "a finite number" if not parts else "a number " + " and ".join(parts)
    if not _is_real(value):
        raise ConfigTypeError(f"`{name}` of model '{model}' must be {rule}. {_received(name, value)}")
    value = float(value)
    bad = not math.isfinite(value)
    if minimum is not None:
        bad = bad or value < minimum or (value == minimum and not include_minimum)
    if maximum is not None:
        bad = bad or value > maximum or (value == maximum and not include_maximum)
    if bad:
        raise ConfigError(f"`{name}` of model '{model}' must be {rule}. Received: {name}={value!r}")
    return value


def check_input_shape(model: str, input_shape: object) -> tuple[int, int]:
    """Return ``input_shape`` as ``(lookback, n_features)``, two Python ints >= 1.

    Examples
    --------
    >>> check_input_shape("vanilla", [24, 1])
    (24, 1)
    >>> check_input_shape("vanilla", (24,))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `input_shape` of model 'vanilla' must be a pair of integers >= 1 (lookback, n_features). Received: input_shape=(24,)
    """
    rule = "a pair of integers >= 1 (lookback, n_features)"
    if isinstance(input_shape, (str, bytes)) or not hasattr(input_shape, "__len__"):
        raise ConfigTypeError(
            f"`input_shape` of model '{model}' must be {rule}. {_received('input_shape', input_shape)}"
        )
    items = tuple(input_shape)
    message = f"`input_shape` of model '{model}' must be {rule}. Received: input_shape={items!r}"
    if len(items) != 2:
        raise ConfigError(message)
    if not all(_is_int(v) for v in items):
        raise ConfigTypeError(message)
    if not all(v >= 1 for v in items):
        raise ConfigError(message)
    return int(items[0]), int(items[1])


def check_horizon(model: str, horizon: object) -> int:
    """Return ``horizon`` as a Python int >= 1.

    Examples
    --------
    >>> check_horizon("linear", 12)
    12
    """
    return check_int(horizon, "horizon", 1, context=f"model {model!r}")
