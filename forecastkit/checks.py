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


def check_levels(levels) -> tuple[int | float, ...]:
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
            raise ConfigError(f"`levels` must be percentages in (0, 100), such as 80,95 (--level). "
                              f"Received: levels={levels!r}") from None
    values = check_level_values(items)
    if len(set(values)) != len(values):
        raise ConfigError(f"`levels` lists a level twice. Received: levels={levels!r}")
    return tuple(sorted(int(v) if v == int(v) else v for v in values))


def check_level_values(levels) -> tuple[float, ...]:
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
    >>> check_level_values([0.95])
    (0.95,)
    >>> check_level_values((80, 100))
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `levels` must each be a percentage in (0, 100), e.g. (80, 95). Received: levels=(80, 100) (100 is out of range)
    """
    items = (levels,) if isinstance(levels, numbers.Number) or isinstance(levels, str) else levels
    try:
        items = tuple(items)
    except TypeError:
        raise ConfigTypeError(
            "`levels` must be a sequence of percentages in (0, 100), e.g. (80, 95). "
            f"Received: levels={levels!r} ({type(levels).__name__})"
        ) from None
    if not items:
        raise ConfigError(
            "`levels` must hold at least one percentage in (0, 100), e.g. (80, 95). "
            f"Received: levels={levels!r}"
        )
    out = []
    for level in items:
        if isinstance(level, bool) or not isinstance(level, numbers.Real):
            raise ConfigTypeError(
                "`levels` must be percentages (real numbers) in (0, 100), e.g. (80, 95). "
                f"Received: levels={levels!r} ({level!r} is a {type(level).__name__})"
            )
        if not 0.0 < float(level) < 100.0:  # also rejects nan
            raise ConfigError(
                "`levels` must each be a percentage in (0, 100), e.g. (80, 95). "
                f"Received: levels={levels!r} ({level!r} is out of range)"
            )
        out.append(float(level))
    return tuple(out)
