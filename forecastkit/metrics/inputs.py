"""Input checks shared by the metrics: arrays of numbers, matched pairs, scalar results."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, ConfigTypeError


def _as_float(value, name: str) -> np.ndarray:
    """``value`` as a float64 array, or a ConfigTypeError naming the argument."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigTypeError(
            f"`{name}` must be an array of numbers with one shape. Received: {name} of type "
            f"{type(value).__name__} that cannot be converted to float ({err})."
        ) from None


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(y_true, y_pred)`` float arrays of the same, non-empty shape."""
    y = _as_float(y_true, "y_true")
    f = _as_float(y_pred, "y_pred")
    if y.shape != f.shape:
        raise ConfigError(
            "Arguments `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={y.shape}, y_pred.shape={f.shape}. "
            "Pass one forecast per actual value, in the same order."
        )
    if y.size == 0:
        raise ConfigError(
            "Arguments `y_true` and `y_pred` must contain at least 1 value. "
            f"Received: y_true.shape={y.shape}, y_pred.shape={f.shape}."
        )
    return y, f


def _scalar_or_array(out: np.ndarray):
    """Python float for 0-d results, the array otherwise."""
    return float(out) if np.ndim(out) == 0 else out
