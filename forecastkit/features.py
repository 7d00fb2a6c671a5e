"""Model inputs from a panel's covariates, learned from the training data only.

Each covariate has a *role* (declared when the data is loaded):

- **past-observed** (``past_covariates``): known up to the forecast origin only; they fill the
  history rows of a window and are zero in its future rows;
- **future-known** (``future_covariates``) and **calendar** features: known over the
  horizon too (planned prices, holidays, the month); a window then gains ``horizon`` future
  rows carrying them, flagged by a 0/1 ``future`` channel, in which the target and the
  past-observed covariates are zero;
- **static** (``static_covariates``): one value per series, repeated on every row.

Numeric past and future covariates are standardised per series on that series' training
rows; static numeric ones across the training series. Categorical columns are one-hot
encoded with the categories seen in training (an unseen label encodes as all zeros, never
as information from the future). Calendar features are ``sin``/``cos`` pairs of each cycle.

Examples
--------
>>> import pandas as pd
>>> times = pd.date_range("2024-01-01", periods=3, freq="D")
>>> calendar_features(times, ("weekday",)).round(3).tolist()
[[0.0, 1.0], [0.782, 0.623], [0.975, -0.223]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ConfigError
from .preprocess.transforms import ColumnScaler

#: Calendar features: name -> (period, position of a timestamp within it, from 0).
CALENDAR = {
    "minute": (60, lambda t: t.minute),
    "hour": (24, lambda t: t.hour),
    "weekday": (7, lambda t: t.day_of_week),
    "day": (31, lambda t: t.day - 1),
    "week": (53, lambda t: t.isocalendar().week.to_numpy() - 1),
    "month": (12, lambda t: t.month - 1),
    "quarter": (4, lambda t: t.quarter - 1),
    "dayofyear": (366, lambda t: t.day_of_year - 1),
}


def check_calendar(calendar, freq: str | None = "D") -> tuple[str, ...]:
    """``calendar`` (None, ``"hour,month"`` or a list) as a tuple of known feature names.

    ``freq`` is the panel's frequency: calendar features need timestamps (not integer
    periods).

    Examples
    --------
    >>> check_calendar("weekday,month")
    ('weekday', 'month')
    """
    if calendar is None or calendar == "" or calendar == ():
        return ()
    names = calendar.split(",") if isinstance(calendar, str) else calendar
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"`calendar` must be a comma-separated string or a list of names from "
                          f"{', '.join(CALENDAR)}. Received: calendar={calendar!r}")
    names = tuple(n.strip() for n in names)
    unknown = [n for n in names if n not in CALENDAR]
    if unknown:
        raise ConfigError(f"Unknown calendar feature {unknown[0]!r}: choose from {', '.join(CALENDAR)} "
                          f"(--calendar / calendar=). Received: calendar={calendar!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"`calendar` lists a feature twice. Received: calendar={calendar!r}")
    if freq is None:
        raise ConfigError("Calendar features need timestamps, but the time column holds integer "
                          "periods. Drop `calendar` or use dates.")
    return names


def constant_calendar(times: pd.DatetimeIndex, names) -> list[str]:
    """The calendar features among ``names`` that take one value at every time of ``times``:
    they carry nothing (an hour of monthly data, a weekday of yearly data).

    Examples
    --------
    >>> constant_calendar(pd.date_range("2024-01-01", periods=24, freq="MS"), ("hour", "month"))
    ['hour']
    """
    times = pd.DatetimeIndex(times)
    return [name for name in names if len(np.unique(np.asarray(CALENDAR[name][1](times)))) < 2]


def calendar_features(times: pd.DatetimeIndex, names) -> np.ndarray:
    """``sin`` and ``cos`` of each named cycle at ``times``: shape ``(len(times), 2 * len(names))``.

    Examples
    --------
    >>> calendar_features(pd.DatetimeIndex(["2024-01-01 06:00"]), ("hour",)).round(3).tolist()
    [[1.0, 0.0]]
    """
    times = pd.DatetimeIndex(times)
    columns = []
    for name in names:
        period, position = CALENDAR[name]
        angle = 2 * np.pi * np.asarray(position(times), dtype=float) / period
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns) if columns else np.zeros((len(times), 0))


class FeatureEncoder:
    """The covariate encoding of one fit: learned from the training panel, applied to any rows.

    Attributes
    ----------
    past, future, static : tuple of str
        The covariate columns of each role.
    calendar : tuple of str
        Calendar features added to the future-known inputs.
    n_past, n_known, n_static : int
        Encoded widths: past-observed channels (target excluded), future-known channels
        (future covariates and calendar), static channels.

    Examples
    --------
    >>> from forecastkit.data import from_pandas
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "temp": [10.0, 20.0, 30.0]},
    ...                   index=pd.date_range("2024-01-01", periods=3, freq="D"))
    >>> panel = from_pandas(df, target="y", past_covariates="temp")
    >>> encoder = FeatureEncoder(calendar=("weekday",)).fit(panel)
    >>> encoder.n_past, encoder.n_known, encoder.has_future_rows
    (1, 2, True)
    """

    def __init__(self, calendar=()):
        self.calendar = tuple(calendar)
        self.past: tuple[str, ...] = ()
        self.future: tuple[str, ...] = ()
        self.static: tuple[str, ...] = ()
        self.categories: dict[str, list[str]] = {}
        self.scalers: dict[str, dict[str, ColumnScaler]] = {"past": {}, "future": {}}
        self.static_scaler = ColumnScaler()

    # ------------------------------------------------------------------------ fit --
    def fit(self, panel) -> "FeatureEncoder":
        """Learn categories and scalers from ``panel`` (the training rows only)."""
        self.past = tuple(panel.covariates)
        self.future = tuple(getattr(panel, "future_covariates", ()))
        self.static = tuple(getattr(panel, "static_covariates", ()))
        categorical = set(getattr(panel, "categorical", ()))
        frame = panel.frame
        self.categories = {c: sorted(frame[c].astype(str).unique().tolist())
                           for c in (*self.past, *self.future, *self.static) if c in categorical}
        for role in ("past", "future"):
            numeric = self._numeric(role)
            self.scalers[role] = {sid: ColumnScaler().fit(part[list(numeric)].to_numpy(float))
                                  for sid, part in frame.groupby("id", sort=False)}
        static_rows = frame.groupby("id", sort=False).head(1)
        self.static_scaler = ColumnScaler().fit(static_rows[list(self._numeric("static"))].to_numpy(float))
        return self

    def _numeric(self, role: str) -> tuple[str, ...]:
        return tuple(c for c in getattr(self, role) if c not in self.categories)

    # ---------------------------------------------------------------------- sizes --
    def _width(self, role: str) -> int:
        return len(self._numeric(role)) + sum(len(self.categories[c]) for c in getattr(self, role)
                                              if c in self.categories)

    @property
    def n_past(self) -> int:
        return self._width("past")

    @property
    def n_known(self) -> int:
        return self._width("future") + 2 * len(self.calendar)

    @property
    def n_static(self) -> int:
        return self._width("static")

    @property
    def has_future_rows(self) -> bool:
        """Whether windows carry ``horizon`` future rows (future covariates or calendar)."""
        return self.n_known > 0

    # ----------------------------------------------------------------- transform --
    def past_rows(self, sid: str, frame: pd.DataFrame) -> np.ndarray:
        """Encoded past-observed covariates of ``frame`` (rows of series ``sid``): (n, n_past)."""
        return self._encode("past", sid, frame)

    def known_rows(self, sid: str, frame: pd.DataFrame) -> np.ndarray:
        """Encoded future-known covariates and calendar features: (n, n_known)."""
        parts = [self._encode("future", sid, frame)]
        if self.calendar:
            parts.append(calendar_features(frame["time"], self.calendar))
        return np.concatenate(parts, axis=1)

    def static_row(self, frame: pd.DataFrame) -> np.ndarray:
        """Encoded static covariates of a series (from its first row): (n_static,)."""
        first = frame.iloc[:1]
        numeric = self.static_scaler.transform(first[list(self._numeric("static"))].to_numpy(float))
        return np.concatenate([numeric, *self._one_hot("static", first)], axis=1)[0]

    def _encode(self, role: str, sid: str, frame: pd.DataFrame) -> np.ndarray:
        numeric = list(self._numeric(role))
        values = frame[numeric].to_numpy(float)
        scaler = self.scalers[role].get(sid)
        if scaler is not None and numeric:
            values = scaler.transform(values)
        return np.concatenate([values, *self._one_hot(role, frame)], axis=1)

    def _one_hot(self, role: str, frame: pd.DataFrame) -> list[np.ndarray]:
        return [(frame[c].astype(str).to_numpy()[:, None] == np.array(self.categories[c])[None, :]).astype(float)
                for c in getattr(self, role) if c in self.categories]

    # -------------------------------------------------------------------- state --
    def to_dict(self) -> dict:
        return {"calendar": list(self.calendar), "past": list(self.past), "future": list(self.future),
                "static": list(self.static), "categories": self.categories,
                "scalers": {role: {sid: s.to_dict() for sid, s in by_id.items()}
                            for role, by_id in self.scalers.items()},
                "static_scaler": self.static_scaler.to_dict()}

    @classmethod
    def from_dict(cls, state: dict) -> "FeatureEncoder":
        encoder = cls(state["calendar"])
        encoder.past, encoder.future, encoder.static = (tuple(state[k]) for k in ("past", "future", "static"))
        encoder.categories = {c: list(v) for c, v in state["categories"].items()}
        encoder.scalers = {role: {sid: ColumnScaler.from_dict(s) for sid, s in by_id.items()}
                           for role, by_id in state["scalers"].items()}
        encoder.static_scaler = ColumnScaler.from_dict(state["static_scaler"])
        return encoder
