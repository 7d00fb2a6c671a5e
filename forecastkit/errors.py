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

import os
import sys

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` in the caller of this function that points at the
    line that called into forecastkit (a script's, a notebook cell's, or another library's):
    the caller of the outermost forecastkit frame, whatever the depth of the call, e.g. a fit's
    warning said again by the walk-forward's writer. Under the command line, whose frames are
    all forecastkit's, the line that started it.

    Examples
    --------
    >>> import warnings
    >>> def warn_here():
    ...     warnings.warn("shown at the caller", stacklevel=user_stacklevel())
    >>> user_stacklevel() >= 2
    True
    """
    frame, level, outermost = sys._getframe(1), 1, 1
    while frame is not None:
        if frame.f_code.co_filename.startswith(_PACKAGE):
            outermost = level
        frame, level = frame.f_back, level + 1
    return outermost + 1


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


class SequentialFitsWarning(UserWarning):
    """A neural model's walk-forward fits train one after another instead of fold-parallel.

    Attributes
    ----------
    model : str
        The model's label in the evaluation (several, comma-separated, in a summary).
    reason : str
        Why the fold-parallel path cannot train it, e.g. ``"quantile heads are not grouped"``.
    message : str or None
        The text shown, when not the default one (e.g. a summary over several models).

    Examples
    --------
    >>> warning = SequentialFitsWarning("q", "quantile heads are not grouped")
    >>> warning.model, warning.reason
    ('q', 'quantile heads are not grouped')
    """

    def __init__(self, model: str, reason: str, message: str | None = None):
        self.model, self.reason = model, reason
        super().__init__(message or f"Model {model!r}: {reason}, so its fits train one after another (the "
                         "sequential walk-forward path) instead of fold-parallel.")


class SkippedSeriesWarning(UserWarning):
    """Series too short for a walk-forward were left out (``skip_short=True``).

    Attributes
    ----------
    series : dict
        ``{series id: number of rows}`` of every series left out.

    Examples
    --------
    >>> SkippedSeriesWarning({"b": 20}).series
    {'b': 20}
    """

    def __init__(self, series: dict):
        self.series = dict(series)
        listed = [f"{sid!r} ({rows} rows)" for sid, rows in self.series.items()]
        shown = ", ".join(listed[:5]) + (f" and {len(listed) - 5} more" if len(listed) > 5 else "")
        super().__init__(f"Skipped {len(listed)} series too short for this walk-forward (`skip_short`): {shown}.")


class FewWindowsWarning(UserWarning):
    """A model trains on very few windows (e.g. a horizon near the data length)."""


class ShortSeriesWarning(UserWarning):
    """The shortest series of a panel cut the default lookback of every series to less than half."""


class IgnoredColumnWarning(UserWarning):
    """A text column of the data has no role and is left out (it may name the series)."""


class FilledValuesWarning(UserWarning):
    """``fill`` filled target values (said with how many, and where forecasts would start from filled ones)."""


class EpochTimesWarning(UserWarning):
    """Integers of a time column were read as Unix epoch seconds or milliseconds."""


class MetricWarning(UserWarning):
    """A metric skipped values where it is undefined (``y == 0`` in MAPE, zero MASE scale)."""


class TensorFlowOnlyWarning(UserWarning):
    """A setting only Keras' TensorFlow backend honours was given on another backend, where it
    changes nothing (e.g. ``fast_nondeterministic``: op determinism is a TensorFlow switch)."""
