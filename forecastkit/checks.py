"""The one home of argument checks: integers, prediction-interval levels (and, as they move here,
horizons and required lengths).

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

import math
import numbers
import warnings

import numpy as np

from .errors import ConfigError, ConfigTypeError, DataError, user_stacklevel


def check_int(value, name: str, minimum: int = 1, *, context: str = "") -> int:
    """``value`` as an ``int >= minimum``; ConfigTypeError for non-integers, ConfigError for values.

    Booleans and floats (even ``32.0``) are not integers; NumPy integers are accepted and
    returned as Python ``int``. ``context`` names what ``name`` belongs to, e.g.
    ``"model 'vanilla'"``, and goes into the message after the name.

    Examples
    --------
    >>> check_int(0, "minimum", 0)
    0
    >>> check_int(0, "units", context="model 'vanilla'")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `units` of model 'vanilla' must be >= 1. Received: units=0
    """
    subject = f"`{name}` of {context}" if context else f"`{name}`"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigTypeError(
            f"{subject} must be an integer >= {minimum}. "
            f"Received: {name}={value!r} ({type(value).__name__})"
        )
    value = int(value)
    if value < minimum:
        raise ConfigError(f"{subject} must be >= {minimum}. Received: {name}={value}")
    return value


_WARNED_SHARES: set = set()


def check_levels(levels, name: str = "level") -> tuple[int | float, ...]:
    """The levels a user asked for (``"80,95"`` from the command line, a number or a list) as a
    sorted tuple of distinct percentages in (0, 100); None or empty means no intervals.

    Examples
    --------
    >>> check_levels("95,80"), check_levels(None)
    ((80, 95), ())
    """
    if levels is None or levels == "" or levels == ():
        return ()
    items = levels.split(",") if isinstance(levels, str) else levels
    if isinstance(items, (list, tuple)):
        try:
            items = [float(item) if isinstance(item, str) else item for item in items]
        except ValueError:
            raise ConfigError(f"`{name}` must be percentages in (0, 100), such as (80, 95). "
                              f"Received: {name}={levels!r}") from None
    values = check_level_values(items, name)
    for level in values:
        if level < 1.0 and (name, level) not in _WARNED_SHARES:  # a share where a percentage belongs, most likely
            _WARNED_SHARES.add((name, level))  # once: a run checks its levels at several steps
            warnings.warn(f"`{name}` {level:g} asks for a {level:g}% interval, nearly no width; for "
                          f"{100 * level:g}% give {100 * level:g}.", stacklevel=user_stacklevel())
    if len(set(values)) != len(values):
        raise ConfigError(f"`{name}` lists a level twice. Received: {name}={levels!r}")
    return tuple(sorted(int(v) if v == int(v) else v for v in values))


def check_level_values(levels, name: str = "levels") -> tuple[float, ...]:
    """``levels`` as a tuple of floats, each a percentage strictly between 0 and 100.

    A single number is accepted as a one-element tuple. The order is kept (duplicates too):
    row ``i`` of every ``*_intervals`` result belongs to ``levels[i]``.

    Raises
    ------
    ConfigTypeError
        If ``levels`` (or one of its items) is not a real number.
    ConfigError
        If ``levels`` is empty or a level is not in ``(0, 100)``.

    Examples
    --------
    >>> check_level_values((80, 95))
    (80.0, 95.0)
    >>> check_level_values([95])
    (95.0,)
    >>> check_level_values((80, 100))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `levels` values must each be a percentage in (0, 100), e.g. (80, 95). Received: levels=(80, 100) (100 is out of range)
    """
    items = (levels,) if isinstance(levels, numbers.Number) or isinstance(levels, str) else levels
    try:
        items = tuple(items)
    except TypeError:
        raise ConfigTypeError(
            f"`{name}` must be a sequence of percentages in (0, 100), e.g. (80, 95). "
            f"Received: {name}={levels!r} ({type(levels).__name__})"
        ) from None
    if not items:
        raise ConfigError(
            f"`{name}` must hold at least one percentage in (0, 100), e.g. (80, 95). "
            f"Received: {name}={levels!r}"
        )
    out = []
    for level in items:
        if isinstance(level, bool) or not isinstance(level, numbers.Real):
            raise ConfigTypeError(
                f"`{name}` must be percentages (real numbers) in (0, 100), e.g. (80, 95). "
                f"Received: {name}={levels!r} ({level!r} is a {type(level).__name__})"
            )
        if not 0.0 < float(level) < 100.0:  # also rejects nan
            raise ConfigError(
                f"`{name}` values must each be a percentage in (0, 100), e.g. (80, 95). "
                f"Received: {name}={levels!r} ({level!r} is out of range)"
            )
        out.append(float(level))
    return tuple(out)


def required_length(lookback: int, horizon: int, warmup: int = 0, validation: float = 0.0,
                    held_out: int = 0) -> int:
    """Rows a series needs to train a window model: the one required-length rule.

    A training window is ``lookback`` input rows followed by ``horizon`` target rows (1 for a
    one-step recursive model), counted after the ``warmup`` leading rows the target transforms
    consume (differences). A series of ``n`` rows gives ``n - warmup - lookback - horizon + 1``
    windows; the latest ``int(windows * validation)`` of them are held out. The answer is the
    fewest rows giving one window and, when ``held_out`` is set, at least ``held_out`` held-out
    windows at that ``validation`` share.

    Parameters
    ----------
    lookback : int
        Input rows of a window.
    horizon : int
        Target rows of a window (the model's horizon: 1 for a recursive model).
    warmup : int
        Leading rows consumed by differencing before the first window.
    validation : float
        Share of the windows held out (the latest ones), in [0, 1).
    held_out : int
        Held-out windows required (e.g. to calibrate intervals); 0 requires none.

    Returns
    -------
    int
        The minimum number of rows per series.

    Examples
    --------
    >>> required_length(lookback=24, horizon=12, warmup=1)
    37
    >>> required_length(lookback=24, horizon=12, warmup=1, validation=0.2, held_out=4)
    56
    """
    windows = 1
    if held_out > 0:
        if not validation > 0:
            raise ConfigError(f"Holding out {held_out} window(s) needs `validation` > 0. "
                              f"Received: validation={validation!r}")
        windows = max(1, math.ceil(held_out / validation) - 1)
        while int(windows * validation) < held_out:  # the same float rounding as the split
            windows += 1
    return warmup + lookback + horizon + windows - 1


def check_horizon(horizon) -> int:
    """``horizon`` (forecast steps ahead) as an ``int >= 1``; the one horizon check.

    Examples
    --------
    >>> check_horizon(12)
    12
    >>> check_horizon(2.0)
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigTypeError: `horizon` must be an integer >= 1. Received: horizon=2.0 (float)
    """
    return check_int(horizon, "horizon")


def check_counts(values, ids, what: str) -> None:
    """Raise :class:`~forecastkit.errors.DataError` unless every value is a non-negative integer
    (a count); ``ids`` (one per value) name the series of the first offender, ``what`` the
    setting that needs counts.

    Examples
    --------
    >>> check_counts([0.0, 3.0, 12.0], ["a"] * 3, "`distribution` 'negbin'")
    >>> check_counts([1.0, 2.5], ["a", "a"], "`distribution` 'negbin'")
    Traceback (most recent call last):
    ...
    forecastkit.errors.DataError: `distribution` 'negbin' models counts, but series 'a' has 2.5 (row 1 of the series): its target must be non-negative integers. Use `distribution` 'normal' or 'studentt' for other values.
    """
    values, ids = np.asarray(values, dtype=float), np.asarray(ids)
    bad = np.flatnonzero(~((values >= 0) & (values == np.round(values))))
    if bad.size:
        first = bad[0]
        row = int(np.sum(ids[:first] == ids[first]))
        raise DataError(f"{what} models counts, but series {str(ids[first])!r} has {values[first]:g} (row {row} of "
                        "the series): its target must be non-negative integers. Use `distribution` 'normal' or "
                        "'studentt' for other values.")
