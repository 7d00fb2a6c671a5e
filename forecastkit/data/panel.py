"""The validated panel: long-format frame plus its grid, and helpers per series."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..checks import check_horizon
from ..errors import ConfigError, ConfigTypeError, DataError, user_stacklevel
from .frequency import season_length
from .messages import describe_source, display, preview

#: The id under which a global model (one model fitted to every series of a panel) is keyed and stored.
GLOBAL_ID = "*"


@dataclass(frozen=True, eq=False)
class Panel:
    """Validated long-format panel; a single series is a panel of one.

    Build panels with :func:`load_csv` or :func:`from_pandas`, which establish the
    guarantees below; the constructor itself does not validate.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``id`` (str), ``time`` (``datetime64[ns]``, possibly tz-aware, or int64
        periods), ``y`` (float64, finite), then the past, future and static covariate
        columns, in that order: float64 and finite, or ``str`` labels (no missing values)
        for the :attr:`categorical` ones. Sorted by id (order of first appearance in the
        input) then time, with a RangeIndex and a regular grid per series (no gaps).
    target : str
        Original target column name (several names joined by "," for wide multi-target
        panels).
    freq : str or None
        Pandas offset alias of the grid (``"MS"``, ``"QS-JAN"``, ``"D"``, ``"h"``...), or
        None when time is integer periods.
    step : int
        Spacing of integer periods (1 for datetimes).
    covariates : tuple of str
        Past-observed covariate column names, in frame order.
    future_covariates : tuple of str
        Covariates also known over the forecast horizon (see :func:`read_future`).
    static_covariates : tuple of str
        Covariates constant within each series.
    categorical : tuple of str
        The covariates (of any role) holding labels rather than numbers, in frame order.
        Feature encoding reads them from :attr:`frame`; :meth:`arrays` refuses them.
    source : str
        File path or ``"<DataFrame>"``, used in messages.
    time_column, id_column : str or None
        The columns of the loaded data that held the time and the series ids (None: the
        time came from an unnamed index, or no column held ids). New history and future
        data are read with them by default (:func:`read_future`, ``Forecaster.predict``).
    fill, filled : str or None, dict or None
        The loader's ``fill`` policy and, per series id, which cells it supplied: a boolean
        array (the series' rows x ``y`` and the numeric past covariates). A walk-forward
        scores no supplied target value and re-fills, as known at each origin, the values
        interpolated toward a later observation. Positions refer to whole series.

    Examples
    --------
    >>> import pandas as pd
    >>> from forecastkit.data import from_pandas
    >>> df = pd.DataFrame({"store": ["a", "a", "b", "b"], "week": [1, 2, 1, 2],
    ...                    "sales": [1.0, 2.0, 3.0, 4.0]})
    >>> panel = from_pandas(df, id="store", target="sales")
    >>> panel.ids, panel.freq, panel.step
    (['a', 'b'], None, 1)
    >>> panel.lengths
    {'a': 2, 'b': 2}
    """

    frame: pd.DataFrame
    target: str
    freq: str | None
    step: int = 1
    covariates: tuple[str, ...] = ()
    future_covariates: tuple[str, ...] = ()
    static_covariates: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    source: str = "<DataFrame>"
    time_column: str | None = None
    id_column: str | None = None
    fill: str | None = None
    filled: dict | None = None

    def __repr__(self) -> str:
        roles = "".join(f", {name}={getattr(self, name)!r}"
                        for name in ("future_covariates", "static_covariates", "categorical")
                        if getattr(self, name))
        return (f"Panel(source={self.source!r}, target={self.target!r}, "
                f"n_series={self.n_series}, rows={len(self.frame)}, freq={self.freq!r}, "
                f"step={self.step}, covariates={self.covariates!r}{roles})")

    @property
    def columns(self) -> list[str]:
        """The frame columns the panel guarantees: id, time, y, past, future, static.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> df = pd.DataFrame({"y": [1.0, 2.0], "temp": [5.0, 6.0], "kind": ["a", "a"]})
        >>> from_pandas(df, target="y", past_covariates="temp", static_covariates="kind").columns
        ['id', 'time', 'y', 'temp', 'kind']
        """
        return ["id", "time", "y", *self.covariates, *self.future_covariates,
                *self.static_covariates]

    def with_frame(self, frame: pd.DataFrame) -> Panel:
        """Return a panel with the same metadata (target, grid, roles, source) and ``frame``.

        Used to slice a panel (a time range, some series): the new frame must keep the
        panel's columns and, like the original, hold whole contiguous rows per series on
        the grid; it is not validated again. A frame whose index is not a RangeIndex from
        0 gets one.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows of (a copy of) :attr:`frame` with at least the columns :attr:`columns`.

        Returns
        -------
        Panel

        Raises
        ------
        ConfigError
            If ``frame`` lacks one of the panel's columns.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> panel = from_pandas(pd.DataFrame({"y": [1.0, 2.0, 3.0], "t": [4.0, 5.0, 6.0]}),
        ...                     target="y", past_covariates="t")
        >>> head = panel.with_frame(panel.frame.iloc[:2])
        >>> head.lengths, head.covariates
        ({'y': 2}, ('t',))
        """
        if not isinstance(frame, pd.DataFrame):
            raise ConfigTypeError(f"`frame` must be a pandas DataFrame. Received: frame of "
                                  f"type {type(frame).__name__}")
        missing = [name for name in self.columns if name not in frame.columns]
        if missing:
            raise ConfigError(f"`frame` must keep the panel columns {self.columns}, but "
                              f"{missing} {'is' if len(missing) == 1 else 'are'} missing. Slice "
                              f"rows of panel.frame (e.g. frame.iloc[a:b]) instead of selecting "
                              f"columns. Received: frame with columns {list(frame.columns)}")
        index = frame.index
        if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
            frame = frame.reset_index(drop=True)
        if self.filled is None:
            return dataclasses.replace(self, frame=frame)
        lengths = frame.groupby("id", sort=False).size()  # the supplied cells of whole series only
        filled = {sid: cells for sid, cells in self.filled.items() if lengths.get(sid) == len(cells)} or None
        return dataclasses.replace(self, frame=frame, filled=filled, fill=self.fill if filled else None)

    @cached_property
    def _bounds(self) -> dict[str, tuple[int, int]]:
        """Row range ``(start, stop)`` of each id; rows of one id are contiguous."""
        ids = self.frame["id"].to_numpy(dtype=object)
        if len(ids) == 0:
            return {}
        change = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        starts = np.r_[0, change]
        stops = np.r_[change, len(ids)]
        return {str(ids[a]): (int(a), int(b)) for a, b in zip(starts, stops)}

    @property
    def ids(self) -> list[str]:
        """Series ids in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> from_pandas(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), target="a,b").ids
        ['a', 'b']
        """
        return list(self._bounds)

    @property
    def n_series(self) -> int:
        """Number of series.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> from_pandas(pd.Series([1.0, 2.0])).n_series
        1
        """
        return len(self._bounds)

    @property
    def lengths(self) -> dict[str, int]:
        """Number of rows of each series, in frame order.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> from_pandas(pd.Series([1.0, 2.0, 3.0], name="y")).lengths
        {'y': 3}
        """
        return {key: stop - start for key, (start, stop) in self._bounds.items()}

    def _slice(self, id: str) -> tuple[int, int]:
        try:
            return self._bounds[id]
        except (KeyError, TypeError):
            raise DataError(
                f"Unknown series id {id!r} in {describe_source(self.source)}. "
                f"Known ids: {preview(self.ids)}. Received: id={id!r}"
            ) from None

    def series(self, id: str) -> pd.DataFrame:
        """Return the rows of one series with a fresh RangeIndex.

        Parameters
        ----------
        id : str
            Series id, one of :attr:`ids`.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``time``, ``y`` and the covariates.

        Raises
        ------
        DataError
            If ``id`` is not in the panel.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> panel = from_pandas(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), target="a,b")
        >>> panel.series("b")["y"].tolist()
        [3.0, 4.0]
        """
        start, stop = self._slice(id)
        return self.frame.iloc[start:stop].reset_index(drop=True)

    def arrays(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Return ``(id, y, X)`` per series, ``X`` holding the past covariates.

        Future and static covariates are not in ``X``, and categorical past covariates
        cannot be: feature encoding reads the frame (:attr:`frame`), which holds every role.

        Returns
        -------
        list of tuple
            ``y`` is float64 of shape ``(n,)``; ``X`` is float64 of shape
            ``(n, len(covariates))`` (zero columns without covariates).

        Raises
        ------
        ConfigError
            If a past covariate is categorical.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> df = pd.DataFrame({"y": [1.0, 2.0], "temp": [5.0, 6.0]})
        >>> [(key, y.shape, X.shape) for key, y, X in
        ...  from_pandas(df, target="y", past_covariates=["temp"]).arrays()]
        [('y', (2,), (2, 1))]
        """
        labelled = [name for name in self.covariates if name in self.categorical]
        if labelled:
            raise ConfigError(f"Panel.arrays() returns numbers only, but the past covariates "
                              f"{labelled} of {describe_source(self.source)} are categorical "
                              f"(labels). Read panel.frame instead: feature encoding reads the "
                              f"frame.")
        y = self.frame["y"].to_numpy(dtype="float64")
        x = self.frame[list(self.covariates)].to_numpy(dtype="float64").reshape(
            len(self.frame), len(self.covariates))
        return [(key, y[a:b], x[a:b]) for key, (a, b) in self._bounds.items()]

    def future_times(self, id: str, horizon: int) -> pd.Index:
        """Return the ``horizon`` timestamps (or integer periods) after a series' end.

        Parameters
        ----------
        id : str
            Series id.
        horizon : int
            Number of future steps, >= 1.

        Returns
        -------
        pandas.Index
            A DatetimeIndex on the panel frequency (same time zone), or an int64 Index.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01", "2024-04-01"]))
        >>> from_pandas(s, freq="QS").future_times("y", 2).strftime("%Y-%m-%d").tolist()
        ['2024-07-01', '2024-10-01']
        """
        horizon = check_horizon(horizon)
        start, stop = self._slice(id)
        last = self.frame["time"].iloc[stop - 1]
        if self.freq is None:
            if int(last) + self.step * horizon > _MAX_PERIOD:
                raise self._beyond(id, last, horizon, f"{_MAX_PERIOD}, the largest int64 period")
            values = int(last) + self.step * np.arange(1, horizon + 1, dtype="int64")
            return pd.Index(values, dtype="int64", name="time")
        try:
            grid = pd.date_range(last, periods=horizon + 1, freq=self.freq, name="time")
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            limit = f"{pd.Timestamp.max:%Y-%m-%d}, the latest time pandas supports"
            raise self._beyond(id, display(last), horizon, limit) from None
        return grid[1:].as_unit("ns")

    def _beyond(self, id: str, last, horizon: int, limit: str) -> DataError:
        """The error for a horizon whose future times would pass ``limit``."""
        return DataError(f"`horizon` must keep the future times of series {id!r} in "
                         f"{describe_source(self.source)} up to {limit}, but {horizon} "
                         f"{self.freq or f'step-{self.step}'} steps after its last time {last} "
                         f"go past it. Use a smaller horizon. Received: horizon={horizon}")

    def season_length(self) -> int:
        """Return :func:`season_length` of the panel frequency (1 for integer periods).

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> from_pandas(pd.Series([1.0, 2.0], index=pd.date_range(
        ...     "2024-01-01", periods=2, freq="h"))).season_length()
        24
        """
        return season_length(self.freq)

    def check_length(self, min_length: int, why: str) -> None:
        """Raise DataError if any series has fewer than ``min_length`` rows.

        Parameters
        ----------
        min_length : int
            Required number of rows per series.
        why : str
            What needs that many rows, e.g. ``"lookback 24 + horizon 12"``. A caller's own
            fix may follow after ``"; "``; it is added to the message's fix sentence.

        Raises
        ------
        DataError
            Naming each short series with its length, the requirement and ``why``.

        Examples
        --------
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> panel = from_pandas(pd.Series([1.0, 2.0, 3.0], name="y"))
        >>> panel.check_length(3, "lookback 2 + horizon 1")
        >>> panel.check_length(4, "lookback 3 + horizon 1")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        forecastkit.errors.DataError: Series too short in <DataFrame>: 'y' has 3 rows, but ...
        """
        short = [(key, n) for key, n in self.lengths.items() if n < min_length]
        if not short:
            return
        listed = [f"{key!r} has {n} row{'s' if n != 1 else ''}" for key, n in short[:5]]
        if len(short) > 5:
            listed.append(f"and {len(short) - 5} more")
        why, _, fix = (part.strip() for part in why.partition(";"))
        fix = f" ({fix.rstrip('.')})" if fix else ""
        raise DataError(
            f"Series too short in {describe_source(self.source)}: {', '.join(listed)}, but "
            f"{why} needs at least {min_length} rows per series. Use a smaller lookback/horizon, "
            f"more data, or drop the short series{fix}."
        )

    def drop_short(self, min_length: int, why: str) -> Panel:
        """Return the panel without its series shorter than ``min_length`` rows.

        Issues one ``UserWarning`` listing the dropped series with their lengths (the first
        five, then how many more) and ``why``; returns ``self`` unchanged, without a
        warning, when no series is short.

        Parameters
        ----------
        min_length : int
            Required number of rows per series.
        why : str
            What needs that many rows, as for :meth:`check_length` (a fix after ``"; "``
            only goes into the error).

        Returns
        -------
        Panel

        Raises
        ------
        DataError
            If every series is short: the error :meth:`check_length` raises.

        Examples
        --------
        >>> import warnings
        >>> import pandas as pd
        >>> from forecastkit.data import from_pandas
        >>> df = pd.DataFrame({"id": ["a", "a", "a", "b", "b"], "t": [1, 2, 3, 1, 2],
        ...                    "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
        >>> panel = from_pandas(df, id="id", time="t")
        >>> panel.lengths
        {'a': 3, 'b': 2}
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     kept = panel.drop_short(3, "lookback 2 + horizon 1")
        >>> kept.ids
        ['a']
        >>> print(caught[0].message)
        Dropped 1 of 2 series in <DataFrame> shorter than 3 rows, needed for lookback 2 + horizon 1: 'b' has 2 rows.
        """
        short = [(key, n) for key, n in self.lengths.items() if n < min_length]
        if not short:
            return self
        if len(short) == self.n_series:
            self.check_length(min_length, why)
        listed = [f"{key!r} has {n} row{'s' if n != 1 else ''}" for key, n in short[:5]]
        if len(short) > 5:
            listed.append(f"and {len(short) - 5} more")
        need = why.partition(";")[0].strip()
        warnings.warn(f"Dropped {len(short)} of {self.n_series} series in "
                      f"{describe_source(self.source)} shorter than {min_length} rows, needed "
                      f"for {need}: {', '.join(listed)}.", UserWarning, stacklevel=user_stacklevel())
        dropped = self.frame["id"].isin([key for key, _ in short]).to_numpy()
        return self.with_frame(self.frame.loc[~dropped].reset_index(drop=True))


_MAX_PERIOD = int(np.iinfo("int64").max)
