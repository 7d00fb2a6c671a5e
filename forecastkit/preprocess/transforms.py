"""Target transforms fit on a training slice only, and their exact inverses.

A :class:`TargetTransform` chains, in this order: an optional power transform (``log`` or
``boxcox``), optional deseasonalisation (:mod:`forecastkit.preprocess.seasonality`), optional seasonal
differencing, optional first differencing, and a scaler (``standard``, ``minmax``, ``none``,
or a per-window normalisation ``window_last`` / ``window_mean`` / ``window_steps`` applied later by
:mod:`forecastkit.windows`). ``fit`` sees only the training values it is given; ``transform``
and ``inverse`` then apply the learned parameters to anything. Parameters serialise to plain
JSON (``to_dict`` / ``from_dict``), never pickle.

Examples
--------
>>> import numpy as np
>>> t = TargetTransform(scaler="standard", power="log", difference=True).fit(np.array([1., 2., 4., 8.]))
>>> z = t.transform(np.array([1., 2., 4., 8.]))
>>> bool(np.allclose(t.inverse(z, anchor=1.0), [2., 4., 8.]))
True
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from ..errors import ConfigError, DataError
from .seasonality import DESEASON_METHODS, Seasonality

SCALERS = ("standard", "minmax", "none", "window_last", "window_mean", "window_steps")
#: Scalers dividing each raw window by its level (they need positive values and no transform before them).
LEVEL_SCALERS = ("window_last", "window_mean")
POWERS = (None, "log", "boxcox")


def check_transform_options(scaler: str, power: str | None, difference: bool, deseason: str = "none",
                            seasonal_lag: int = 0) -> None:
    """Raise :class:`ConfigError` for an unknown scaler or power transform.

    Examples
    --------
    >>> check_transform_options("standard", None, False)
    """
    if scaler not in SCALERS:
        raise ConfigError(
            f"`scaler` must be one of {', '.join(SCALERS)}. Received: scaler={scaler!r}"
        )
    if power not in POWERS:
        raise ConfigError(f"`transform` must be one of log, boxcox or none. Received: transform={power!r}")
    if not isinstance(difference, bool):
        raise ConfigError(f"`difference` must be true or false. Received: difference={difference!r}")
    if deseason not in DESEASON_METHODS:
        raise ConfigError(f"`deseason` must be one of {', '.join(DESEASON_METHODS)}. Received: deseason={deseason!r}")
    if scaler in LEVEL_SCALERS and (difference or power is not None or seasonal_lag or deseason != "none"):
        raise ConfigError(
            f"`scaler={scaler!r}` divides each raw window by its level, so it cannot follow a "
            "log/boxcox transform, deseasonalisation or differencing. Drop those, or use scaler='standard'."
        )
    if scaler == "window_steps" and (difference or seasonal_lag):
        raise ConfigError(
            "`scaler='window_steps'` measures each window's values from their mean in their mean step, "
            "so it reads levels, not differences. Set difference and seasonal_difference to false, "
            "or use scaler='standard'."
        )


class TargetTransform:
    """Power -> deseason -> seasonal difference -> difference -> scaling, learned from training values only.

    Parameters
    ----------
    scaler : {"standard", "minmax", "none", "window_last", "window_mean", "window_steps"}
        ``standard`` subtracts the training mean and divides by the training standard
        deviation; ``minmax`` maps the training range onto [0, 1]; the ``window_*`` choices
        leave values unscaled here and scale each window later (:func:`~forecastkit.windows.window_levels`):
        divided by its last value or mean, or (``window_steps``) measured from its mean in
        units of its mean absolute step.
    power : {None, "log", "boxcox"}
        ``log`` is ``log(y)``; ``boxcox`` is ``(y**lam - 1) / lam`` with ``lam`` chosen by
        maximum likelihood on the training values. Both need strictly positive values.
    difference : bool
        First differences ``z[t] = p[t] - p[t-1]``, undone by cumulative sums from the last
        known value.
    deseason : {"none", "classical", "stl"}
        Remove the seasonal indices of ``periods`` (:class:`~forecastkit.preprocess.seasonality.Seasonality`,
        multiplicative for a positive series without a power transform, else additive; only
        periods the M4 test finds), and put them back at the forecast's positions.
    periods : tuple of int
        Season lengths for ``deseason``.
    seasonal_lag : int
        Seasonal differences ``z[t] = p[t] - p[t-m]`` with ``m = seasonal_lag`` (0: none),
        undone step by step from the last ``m`` known values.

    Examples
    --------
    >>> import numpy as np
    >>> t = TargetTransform("minmax").fit(np.array([0., 5., 10.]))
    >>> t.transform(np.array([5.]))
    array([0.5])
    >>> y = np.array([1., 5., 2., 6., 3., 7.])
    >>> t = TargetTransform("none", seasonal_lag=2, difference=True).fit(y)
    >>> t.lost, t.transform(y)
    (3, array([0., 0., 0.]))
    >>> t.inverse(np.zeros(2), history=y)
    array([4., 8.])
    """

    def __init__(self, scaler: str = "standard", power: str | None = None, difference: bool = False,
                 deseason: str = "none", periods: tuple = (), seasonal_lag: int = 0):
        check_transform_options(scaler, power, difference, deseason, seasonal_lag)
        self.scaler = scaler
        self.power = power
        self.difference = difference
        self.deseason = deseason
        self.periods = tuple(int(p) for p in periods)
        self.seasonal_lag = int(seasonal_lag)
        self.params: dict[str, float] = {}
        self.seasonality: Seasonality | None = None

    @property
    def lost(self) -> int:
        """Leading rows the differences consume: ``seasonal_lag + difference``."""
        return self.seasonal_lag + int(self.difference)

    def describe(self) -> str:
        """The chain in words, e.g. ``"log + deseason(classical 12) + diff + standard"``; once
        fitted, only the periods whose pattern was removed (the test found it, the series is long
        enough)."""
        parts = [self.power] if self.power else []
        periods = self.periods if self.seasonality is None else self.seasonality.found
        if self.deseason != "none" and periods:
            parts.append(f"deseason({self.deseason} {','.join(map(str, periods))})")
        if self.seasonal_lag:
            parts.append(f"sdiff({self.seasonal_lag})")
        if self.difference:
            parts.append("diff")
        return " + ".join(parts + [self.scaler])

    # -- fitting -----------------------------------------------------------------------
    def check_positive(self, y: np.ndarray, data: str, refit: bool = False) -> None:
        """DataError when the power transform or a window scaler meets a value <= 0 in ``y``
        (``data`` names it in the message; ``refit``: the transform is fitted already)."""
        if not (self.power is not None or self.scaler in LEVEL_SCALERS) or not np.any(np.asarray(y) <= 0):
            return
        what = f"`transform` {self.power!r}" if self.power else f"`scaler` {self.scaler!r}"  # never both
        fix = (f"`transform` to 'none' (no {'log' if self.power == 'log' else 'Box-Cox'})" if self.power
               else "`scaler` to 'standard'")
        fix = f"Pass positive values, or refit with {fix.replace(' to ', ' ', 1)}" if refit else f"Set {fix}"
        raise DataError(f"{what} needs strictly positive values, but {data} has a minimum of {np.min(y):g}. {fix}.")

    def fit(self, y: np.ndarray, where: str = "", positions: np.ndarray | None = None) -> "TargetTransform":
        """Learn the parameters from the training values ``y`` (1-D, finite) at grid ``positions``
        (default ``0, 1, ...``; only deseasonalisation uses them)."""
        y = np.asarray(y, dtype=float)
        self.check_positive(y, f"the training data{where}")
        params: dict[str, float] = {}
        if self.power == "boxcox":
            if np.ptp(y) == 0:
                params["lam"] = 1.0
            else:
                params["lam"] = float(stats.boxcox_normmax(y, method="mle"))
        self.params = params
        p = self._forward_power(y, params)
        if self.deseason != "none" and self.periods:
            positions = _positions(positions, len(y))
            multiplicative = self.power is None and bool(np.all(p > 0))
            self.seasonality = Seasonality(self.deseason, self.periods, multiplicative).fit(p, positions)
            p = self.seasonality.remove(p, positions)
        z = self._differences(p)
        if self.scaler == "standard" and z.size:
            params["mean"] = float(z.mean())
            params["scale"] = float(z.std()) or 1.0
        elif self.scaler == "minmax" and z.size:
            params["mean"] = float(z.min())
            params["scale"] = float(np.ptp(z)) or 1.0
        elif self.scaler == "window_steps" and z.size:
            # centred only (each window is scaled later, shift-invariantly): windows stored as
            # float32 keep their precision at any level; ``step`` sets the windows' unit floor
            params["mean"], params["scale"] = float(z.mean()), 1.0
            params["step"] = float(np.abs(np.diff(z)).mean()) if z.size > 1 else 0.0
        else:
            params["mean"], params["scale"] = 0.0, 1.0
        if self.scaler in ("standard", "minmax") and z.size and np.ptp(z) == 0:
            params["flat"] = 1.0  # nothing varied in training: forecasts continue it exactly (see inverse)
        return self

    # -- application -------------------------------------------------------------------
    def base(self, y: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """Power-transformed, seasonally adjusted values: what the differences act on."""
        p = self._forward_power(np.asarray(y, dtype=float), self.params)
        if self.seasonality is not None:
            p = self.seasonality.remove(p, _positions(positions, len(p)))
        return p

    def transform(self, y: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        """Transform a history ``y``; the result is :attr:`lost` rows shorter."""
        z = self._differences(self.base(y, positions))
        return (z - self.params["mean"]) / self.params["scale"]

    def inverse(self, z: np.ndarray, anchor: float | np.ndarray | None = None, history: np.ndarray | None = None,
                positions: np.ndarray | None = None) -> np.ndarray:
        """Map transformed forecasts back to the original scale.

        Where the modelled training values did not vary (a constant series, or with
        differences a straight line), the forecast continues them exactly, whatever ``z``: a
        global network's output for such a series is noise learned from the others.

        ``z`` may be 1-D (one path) or 2-D (rows of paths of the same history, last axis the
        horizon). ``history``: the observed values before the forecast (original scale, at
        least :attr:`lost` of them), at grid ``positions`` (default ``0, 1, ...``); the forecast
        continues at the positions after the last one. Without seasonal steps, ``anchor``
        (the last observed value, one per row of ``z``) may stand for the history.
        """
        scale = 0.0 if self.params.get("flat") else self.params["scale"]  # a flat history: the model adds nothing
        z = np.asarray(z, dtype=float) * scale + self.params["mean"]
        if history is None and anchor is not None and not self.seasonal_lag and self.seasonality is None:
            if self.difference:  # one anchor per row of z
                start = self._forward_power(np.asarray(anchor, dtype=float), self.params)
                z = np.cumsum(z, axis=-1) + (start[..., None] if z.ndim > 1 else start)
            return self._inverse_power(z)
        if self.lost or self.seasonality is not None:
            if history is None or len(history) < max(self.lost, 1):
                raise ValueError(f"`history` (at least {max(self.lost, 1)} observed values) is required to undo "
                                 "the differences and seasonality.")
        if history is not None:
            positions = _positions(positions, len(history))
            base = self.base(history[-max(self.lost, 1):], positions[-max(self.lost, 1):])
        if self.difference:
            last = base[-1] - base[-1 - self.seasonal_lag] if self.seasonal_lag else base[-1]
            z = np.cumsum(z, axis=-1) + last
        if self.seasonal_lag:
            z = undo_seasonal_difference(z, base[-self.seasonal_lag:])
        if self.seasonality is not None:
            z = self.seasonality.restore(z, positions[-1] + np.arange(1, z.shape[-1] + 1))
        return self._inverse_power(z)

    def integrate_errors(self, errors: np.ndarray) -> np.ndarray:
        """Errors of the modelled differences added up to errors of the adjusted level
        (rows of windows, last axis the horizon); unchanged without differencing."""
        errors = np.asarray(errors, dtype=float)
        if self.difference:
            errors = np.cumsum(errors, axis=-1)
        if self.seasonal_lag:
            errors = undo_seasonal_difference(errors, np.zeros(self.seasonal_lag))
        return errors

    def differentiate_errors(self, errors: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`integrate_errors`: level errors back to errors of the differences.

        Examples
        --------
        >>> t = TargetTransform("none", difference=True, seasonal_lag=2)
        >>> e = np.array([[1., -2., 0.5, 3.]])
        >>> bool(np.allclose(t.integrate_errors(t.differentiate_errors(e)), e))
        True
        """
        errors = np.asarray(errors, dtype=float)
        if self.seasonal_lag:
            m = self.seasonal_lag
            errors = np.concatenate([errors[..., :m], errors[..., m:] - errors[..., :-m]], axis=-1)
        if self.difference:
            errors = np.diff(errors, axis=-1, prepend=0.0)
        return errors

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain-JSON state: options and learned parameters."""
        state = {"scaler": self.scaler, "power": self.power, "difference": self.difference,
                 "params": dict(self.params)}
        if self.deseason != "none" or self.seasonal_lag:
            state.update(deseason=self.deseason, periods=list(self.periods), seasonal_lag=self.seasonal_lag,
                         seasonality=self.seasonality.to_dict() if self.seasonality is not None else None)
        return state

    @classmethod
    def from_dict(cls, state: dict) -> "TargetTransform":
        """Rebuild a fitted transform from :meth:`to_dict` output."""
        transform = cls(state["scaler"], state["power"], state["difference"], state.get("deseason", "none"),
                        tuple(state.get("periods", ())), state.get("seasonal_lag", 0))
        transform.params = {k: float(v) for k, v in state["params"].items()}
        if state.get("seasonality"):
            transform.seasonality = Seasonality.from_dict(state["seasonality"])
        return transform

    # -- helpers -----------------------------------------------------------------------
    def _differences(self, p: np.ndarray) -> np.ndarray:
        if self.seasonal_lag:
            p = p[self.seasonal_lag:] - p[:-self.seasonal_lag]
        return np.diff(p) if self.difference else p

    def _forward_power(self, y: np.ndarray, params: dict) -> np.ndarray:
        if self.power == "log":
            return np.log(y)
        if self.power == "boxcox":
            return special.boxcox(y, params["lam"])
        return y

    def _inverse_power(self, z: np.ndarray) -> np.ndarray:
        if self.power == "log":
            return np.exp(z)
        if self.power == "boxcox":
            lam = self.params["lam"]
            if lam > 0:  # below -1/lam no positive value maps there: the forecast's floor is 0
                z = np.maximum(z, -1.0 / lam)
            return special.inv_boxcox(z, lam)
        return z


def undo_seasonal_difference(d: np.ndarray, last_season: np.ndarray) -> np.ndarray:
    """``x[k] = d[k] + x[k - m]`` along the last axis, ``x`` continuing ``last_season`` (the last ``m`` values).

    Examples
    --------
    >>> undo_seasonal_difference(np.array([1., 1., 1.]), np.array([10., 20.]))
    array([11., 21., 12.])
    """
    m = len(last_season)
    out = np.array(d, dtype=float, copy=True)
    for k in range(out.shape[-1]):
        out[..., k] += last_season[k] if k < m else out[..., k - m]
    return out


def _positions(positions, n: int) -> np.ndarray:
    return np.arange(n) if positions is None else np.asarray(positions, dtype="int64")


class ColumnScaler:
    """Standard scaling of covariate columns, fit on the training rows only.

    Examples
    --------
    >>> import numpy as np
    >>> s = ColumnScaler().fit(np.array([[0.0], [2.0]]))
    >>> s.transform(np.array([[1.0]]))
    array([[0.]])
    """

    def __init__(self):
        self.mean: np.ndarray = np.zeros(0)
        self.scale: np.ndarray = np.ones(0)

    def fit(self, x: np.ndarray) -> "ColumnScaler":
        x = np.asarray(x, dtype=float)
        self.mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
        std = x.std(axis=0) if len(x) else np.ones(x.shape[1])
        self.scale = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=float) - self.mean) / self.scale

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, state: dict) -> "ColumnScaler":
        scaler = cls()
        scaler.mean = np.asarray(state["mean"], dtype=float)
        scaler.scale = np.asarray(state["scale"], dtype=float)
        return scaler
