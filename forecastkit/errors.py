"""Exceptions raised by forecastkit.

Every problem with user input raises a subclass of :class:`ForecastkitError` that is also
a ``ValueError`` or ``TypeError``, so callers can catch either the forecastkit type or the
builtin one. Messages follow the Keras form: name the argument, the rule and the value
received, and say how to fix it.

Examples
--------
>>> from forecastkit.errors import DataError
>>> try:
...     raise DataError("`horizon` must be >= 1. Received: horizon=0")
... except ValueError as err:
...     print(err)
`horizon` must be >= 1. Received: horizon=0
"""


class ForecastkitError(Exception):
    """Base class of every error forecastkit raises on purpose."""


class DataError(ForecastkitError, ValueError):
    """The input data (file, frame, column, row) violates a validation rule."""


class ConfigError(ForecastkitError, ValueError):
    """An argument, flag or config-file key has an invalid value or is unknown."""


class ConfigTypeError(ForecastkitError, TypeError):
    """An argument or hyperparameter has the wrong type (e.g. ``units="many"``)."""


class NotFittedError(ForecastkitError, ValueError, AttributeError):
    """A fitted-only method was called before ``fit``."""


class TrainingError(ForecastkitError, RuntimeError):
    """Training failed on valid input (e.g. the loss became NaN)."""


class ModelFileError(DataError):
    """A saved model directory is missing, malformed, unsafe or from an incompatible version."""


class ModelVersionWarning(UserWarning):
    """A saved model was written by another minor version of forecastkit."""
