"""Argument checks shared by the numpy modules (baselines, statistical models, metrics).

Examples
--------
>>> check_int(12, "horizon")
12
>>> check_int(0, "horizon")
Traceback (most recent call last):
...
forecastkit.errors.ConfigError: `horizon` must be >= 1. Received: horizon=0
"""

from __future__ import annotations

import numbers

from .errors import ConfigError, ConfigTypeError


def check_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an ``int >= minimum``; ConfigTypeError for non-integers, ConfigError for values."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigTypeError(
            f"`{name}` must be an integer >= {minimum}. "
            f"Received: {name}={value!r} ({type(value).__name__})"
        )
    value = int(value)
    if value < minimum:
        raise ConfigError(f"`{name}` must be >= {minimum}. Received: {name}={value}")
    return value
