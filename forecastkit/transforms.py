"""Target transforms fit on a training slice only, and their exact inverses.

A :class:`TargetTransform` chains, in this order: an optional power transform (``log`` or
``boxcox``), optional first differencing, and a scaler (``standard``, ``minmax``, ``none``,
or a per-window normalisation ``window_last`` / ``window_mean`` applied later by
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

from .errors import ConfigError, DataError

SCALERS = ("standard", "minmax", "none", "window_last", "window_mean")
POWERS = (None, "log", "boxcox")


def check_transform_options(scaler: str, power: str | None, difference: bool) -> None:
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
    if scaler.startswith("window_") and (difference or power is not None):
        raise ConfigError(
            f"`scaler={scaler!r}` divides each raw window by its level, so it cannot follow a "
            "log/boxcox transform or differencing. Drop those, or use scaler='standard'."
        )


class TargetTransform:
    """Power transform -> differencing -> scaling, learned from training values only.

    Parameters
    ----------
    scaler : {"standard", "minmax", "none", "window_last", "window_mean"}
        ``standard`` subtracts the training mean and divides by the training standard
        deviation; ``minmax`` maps the training range onto [0, 1]; the ``window_*`` choices
        leave values unscaled here and divide each window by its last value or mean later.
    power : {None, "log", "boxcox"}
        ``log`` is ``log(y)``; ``boxcox`` is ``(y**lam - 1) / lam`` with ``lam`` chosen by
        maximum likelihood on the training values. Both need strictly positive values.
    difference : bool
        First differences ``z[t] = p[t] - p[t-1]``, undone by cumulative sums from the last
        known (power-transformed) value.

    Examples
    --------
    >>> import numpy as np
    >>> t = TargetTransform("minmax").fit(np.array([0., 5., 10.]))
    >>> t.transform(np.array([5.]))
    array([0.5])
    """

    def __init__(self, scaler: str = "standard", power: str | None = None, difference: bool = False):
        check_transform_options(scaler, power, difference)
        self.scaler = scaler
        self.power = power
        self.difference = difference
        self.params: dict[str, float] = {}

    # -- fitting -----------------------------------------------------------------------
    def fit(self, y: np.ndarray, where: str = "") -> "TargetTransform":
        """Learn the parameters from the training values ``y`` (1-D, finite)."""
        y = np.asarray(y, dtype=float)
        needs_positive = self.power is not None or self.scaler.startswith("window_")
        if needs_positive and np.any(y <= 0):
            what = f"transform={self.power!r}" if self.power else f"scaler={self.scaler!r}"
            raise DataError(
                f"{what} needs strictly positive values, but the training data{where} has "
                f"a minimum of {y.min():g}. Use scaler='standard' and no log/boxcox transform "
                "(--scaler standard --transform none)."
            )
        params: dict[str, float] = {}
        if self.power == "boxcox":
            if np.ptp(y) == 0:
                params["lam"] = 1.0
            else:
                params["lam"] = float(stats.boxcox_normmax(y, method="mle"))
        z = self._forward_power(y, params)
        if self.difference:
            z = np.diff(z)
        if self.scaler == "standard" and z.size:
            params["mean"] = float(z.mean())
            params["scale"] = float(z.std()) or 1.0
        elif self.scaler == "minmax" and z.size:
            params["mean"] = float(z.min())
            params["scale"] = float(np.ptp(z)) or 1.0
        else:
            params["mean"], params["scale"] = 0.0, 1.0
        self.params = params
        return self

    # -- application -------------------------------------------------------------------
    def power_forward(self, y: np.ndarray) -> np.ndarray:
        """The power step alone (identity when ``power`` is None)."""
        return self._forward_power(np.asarray(y, dtype=float), self.params)

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Transform a history ``y``; the result is one shorter when differencing."""
        z = self.power_forward(y)
        if self.difference:
            z = np.diff(z)
        return (z - self.params["mean"]) / self.params["scale"]

    def inverse(self, z: np.ndarray, anchor: float | np.ndarray | None = None) -> np.ndarray:
        """Map transformed forecasts back to the original scale.

        ``z`` may be 1-D (one path) or 2-D (rows of paths, last axis the horizon). With
        differencing, ``anchor`` is the last observed value before the forecast (original
        scale), one per row.
        """
        z = np.asarray(z, dtype=float) * self.params["scale"] + self.params["mean"]
        if self.difference:
            if anchor is None:
                raise ValueError("`anchor` (the last observed value) is required to undo differencing.")
            start = self.power_forward(np.asarray(anchor, dtype=float))
            z = np.cumsum(z, axis=-1) + (start[..., None] if z.ndim > 1 else start)
        return self._inverse_power(z)

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain-JSON state: options and learned parameters."""
        return {"scaler": self.scaler, "power": self.power, "difference": self.difference,
                "params": dict(self.params)}

    @classmethod
    def from_dict(cls, state: dict) -> "TargetTransform":
        """Rebuild a fitted transform from :meth:`to_dict` output."""
        transform = cls(state["scaler"], state["power"], state["difference"])
        transform.params = {k: float(v) for k, v in state["params"].items()}
        return transform

    # -- power helpers -----------------------------------------------------------------
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
            return special.inv_boxcox(z, self.params["lam"])
        return z


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
