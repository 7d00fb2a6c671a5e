"""The keyword arguments of load_csv / from_pandas, checked before any data is read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ConfigError, ConfigTypeError
from .frequency import parse_freq
from .values import FILL_POLICIES


@dataclass(frozen=True)
class LoadOptions:
    """Checked arguments: column names as lists, ``freq`` as a normalised alias."""

    target: list[str] | None = None
    time: str | None = None
    id: str | None = None
    past_covariates: tuple[str, ...] = ()
    freq: str | None = None
    fill: str | None = None
    future_covariates: tuple[str, ...] = ()
    static_covariates: tuple[str, ...] = ()


#: The covariate arguments: past-observed, known in the future, constant per series.
COVARIATE_ROLES = ("past_covariates", "future_covariates", "static_covariates")


def check_options(target, time, id, past_covariates, freq, fill, future_covariates=(),
                  static_covariates=()) -> LoadOptions:
    """Validate argument types and values.

    Examples
    --------
    >>> options = check_options("sales", None, None, "promo", "QS", None, "price", ["region"])
    >>> options.target, options.past_covariates, options.freq
    (['sales'], ('promo',), 'QS-JAN')
    >>> options.future_covariates, options.static_covariates
    (('price',), ('region',))
    """
    for name, value in (("time", time), ("id", id)):
        if value is not None and not isinstance(value, str):
            raise ConfigTypeError(f"`{name}` must be a column name (str) or None. "
                                  f"Received: {name}={value!r}")
        _check_not_empty(name, value)
    if fill is not None and fill not in FILL_POLICIES:
        raise ConfigError(f"`fill` must be one of {FILL_POLICIES} or None. "
                          f"Received: fill={fill!r}")
    return LoadOptions(target=None if target is None else _name_list("target", target),
                       time=time, id=id,
                       past_covariates=tuple(_name_list("past_covariates", past_covariates)),
                       freq=None if freq is None else parse_freq(freq).freqstr, fill=fill,
                       future_covariates=tuple(_name_list("future_covariates",
                                                          future_covariates)),
                       static_covariates=tuple(_name_list("static_covariates",
                                                          static_covariates)))


def _name_list(arg: str, value) -> list[str]:
    """A column name (maybe a comma string, split later) or an iterable of names, as a list.

    The iterable is read once, so a generator gives its names rather than an empty list.
    """
    if isinstance(value, str):
        _check_not_empty(arg, value)
        return [value]
    names = list(value) if isinstance(value, Iterable) else None
    if names is None or not all(isinstance(v, str) for v in names):
        raise ConfigTypeError(f"`{arg}` must be a column name, a comma-separated string or a "
                              f"list/tuple of column names. Received: {arg}={value!r}")
    for name in names:
        _check_not_empty(arg, name, value)
    duplicated = sorted({v for v in names if names.count(v) > 1})
    if duplicated:
        raise ConfigError(f"`{arg}` lists a column more than once: {duplicated}. "
                          f"Received: {arg}={value!r}")
    return names


def _check_not_empty(arg: str, name, received=None) -> None:
    """Reject an empty column name, which would otherwise read as 'not given'."""
    if name == "":
        shown = name if received is None else received
        fix = "leave it out for none" if arg in COVARIATE_ROLES else "pass None to infer it"
        raise ConfigError(f"`{arg}` must be a column name, not an empty string: name the "
                          f"column or {fix}. Received: {arg}={shown!r}")
