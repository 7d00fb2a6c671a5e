"""One-call forecast plots: history, forecast and (when present) prediction intervals.

:func:`plot_forecast` draws the tail of each series' history and the forecast after it,
one panel per series (up to ``max_series``). It reads the long frame that
:meth:`Forecaster.predict <forecastkit.forecaster.Forecaster.predict>` returns (``id, time,
model, yhat``); several models in one frame (concatenated forecasts) are drawn in one
colour each. Interval columns named ``yhat_lo_<level>`` / ``yhat_hi_<level>`` (for example
``yhat_lo_80`` and ``yhat_hi_80``) are shaded, wider levels lighter.

This module imports matplotlib only when a plot is drawn, and never imports Keras.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from forecastkit import Forecaster, datasets
>>> panel = datasets.load("airline")
>>> forecast = Forecaster("seasonal_naive", horizon=12).fit(panel).predict()
>>> fig = plot_forecast(panel, forecast, last=36)
>>> [ax.get_title() for ax in fig.axes]
['passengers']
"""

from __future__ import annotations

import re

import pandas as pd

from .checks import check_int
from .errors import ConfigError

__all__ = ["plot_forecast", "interval_levels"]

#: Interval columns: ``yhat_lo_<level>`` and ``yhat_hi_<level>``.
_INTERVAL = re.compile(r"^yhat_(lo|hi)_(\d+(?:\.\d+)?)$")


def interval_levels(forecast: pd.DataFrame) -> list[str]:
    """The levels (as written in the column names) that have both a lower and an upper column,
    widest first.

    Examples
    --------
    >>> import pandas as pd
    >>> interval_levels(pd.DataFrame(columns=["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95",
    ...                                       "yhat_hi_95", "yhat_lo_50"]))
    ['95', '80']
    """
    sides: dict[str, set] = {}
    for column in forecast.columns:
        match = _INTERVAL.match(str(column))
        if match:
            sides.setdefault(match.group(2), set()).add(match.group(1))
    return sorted((level for level, found in sides.items() if found == {"lo", "hi"}),
                  key=float, reverse=True)


def _history_frame(history) -> tuple[pd.DataFrame, str]:
    """``(frame with id, time, y; target name)`` from a Panel or a DataFrame."""
    from .data import Panel

    if isinstance(history, Panel):
        return history.frame[["id", "time", "y"]], history.target
    if isinstance(history, pd.DataFrame):
        missing = [c for c in ("id", "time", "y") if c not in history.columns]
        if not missing:
            return history[["id", "time", "y"]], "y"
        from .data import from_pandas

        panel = from_pandas(history)  # a wide or long frame: validated like any input
        return panel.frame[["id", "time", "y"]], panel.target
    if isinstance(history, pd.Series):
        from .data import from_pandas

        panel = from_pandas(history)
        return panel.frame[["id", "time", "y"]], panel.target
    raise ConfigError("`history` must be a forecastkit Panel or a pandas DataFrame/Series. "
                      f"Received: history of type {type(history).__name__}")


def plot_forecast(history, forecast: pd.DataFrame, *, last: int | None = None, ax=None,
                  max_series: int = 12, columns: int | None = None, title: str | None = None):
    """Plot the history and the forecast of each series, with interval bands if present.

    Parameters
    ----------
    history : Panel, pandas.DataFrame or pandas.Series
        What the forecast continues: a :class:`~forecastkit.data.Panel`, a long frame with
        ``id, time, y`` columns (``Panel.frame``), or any frame :func:`from_pandas
        <forecastkit.data.from_pandas>` accepts.
    forecast : pandas.DataFrame
        The long frame of :meth:`Forecaster.predict`: ``id, time, yhat`` and optionally
        ``model`` (one line per model) and ``yhat_lo_<level>`` / ``yhat_hi_<level>``
        interval columns. Several forecasts can be passed as one ``pd.concat``.
    last : int or None
        Show only the last ``last`` observations of each series' history (None: all).
    ax : matplotlib Axes or None
        Draw into this Axes (only when the forecast has one series); None makes a Figure
        with one panel per series.
    max_series : int
        At most this many series are drawn, in the forecast's order (a note on the figure
        says how many were left out).
    columns : int or None
        Panels per row (default: 1 for up to 3 series, else 2 or 3).
    title : str or None
        Figure title (default: none for one series).

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame, target = _history_frame(history)
    if not isinstance(forecast, pd.DataFrame) or not {"id", "time", "yhat"} <= set(forecast.columns):
        raise ConfigError("`forecast` must be the frame Forecaster.predict returns, with columns id, time, "
                          f"yhat. Received: {type(forecast).__name__}"
                          + (f" with columns {list(forecast.columns)}" if isinstance(forecast, pd.DataFrame)
                             else ""))
    if forecast.empty:
        raise ConfigError("`forecast` has no rows: there is nothing to plot. Pass the frame Forecaster.predict "
                          "returns.")
    if last is not None:
        check_int(last, "last")
    check_int(max_series, "max_series")
    ids = list(dict.fromkeys(forecast["id"].astype(str)))
    unknown = [sid for sid in ids if sid not in set(frame["id"].astype(str))]
    if unknown:
        raise ConfigError(f"Series {unknown[0]!r} of the forecast is not in the history; pass the history the "
                          "forecast continues.")
    shown, hidden = ids[:max_series], len(ids) - min(len(ids), max_series)
    if ax is not None and len(shown) > 1:
        raise ConfigError(f"`ax` holds one panel but the forecast has {len(shown)} series; pass ax=None (one "
                          "panel per series) or the forecast of one series.")

    import matplotlib.pyplot as plt

    if ax is None:
        ncols = columns or (1 if len(shown) <= 3 else 2 if len(shown) <= 8 else 3)
        nrows = -(-len(shown) // ncols)
        width = 9 if ncols == 1 else 5 * ncols
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, 3.2 * nrows if nrows > 1 else 4),
                                 squeeze=False)
        axes = list(axes.ravel())
        for extra in axes[len(shown):]:
            extra.set_visible(False)
    else:
        fig, axes = ax.figure, [ax]

    models = list(dict.fromkeys(forecast["model"])) if "model" in forecast.columns else [None]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    levels = interval_levels(forecast)
    history_ids = frame["id"].astype(str)
    forecast_ids = forecast["id"].astype(str)
    for panel_ax, sid in zip(axes, shown):
        past = frame[history_ids == sid]
        if last is not None:
            past = past.iloc[-last:]
        panel_ax.plot(past["time"], past["y"], color="black", linewidth=1.5, label="history")
        rows = forecast[forecast_ids == sid]
        for k, model in enumerate(models):
            path = rows if model is None else rows[rows["model"] == model]
            if path.empty:
                continue
            colour = colours[k % len(colours)]
            for j, level in enumerate(levels):
                panel_ax.fill_between(path["time"], path[f"yhat_lo_{level}"], path[f"yhat_hi_{level}"],
                                      color=colour, alpha=0.15 + 0.15 * j, linewidth=0,
                                      label=f"{level}% interval" + (f" ({model})" if len(models) > 1 else ""))
            # join the forecast to the observation just before it, so the line does not float
            before = past[past["time"] < path["time"].iloc[0]].iloc[-1:]
            joined_t = pd.concat([before["time"], path["time"]], ignore_index=True)
            joined_y = pd.concat([before["y"], path["yhat"]], ignore_index=True)
            panel_ax.plot(joined_t, joined_y, color=colour, linewidth=1.8,
                          label=model if model is not None else "forecast")
        if pd.api.types.is_datetime64_any_dtype(past["time"]):
            _concise_dates(panel_ax)
        panel_ax.set_title(sid if len(shown) > 1 or title is None else title)
        panel_ax.set_ylabel(target, fontsize="small")
        panel_ax.tick_params(labelsize="small")
        panel_ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small", loc="upper left")
    if ax is None:
        if title and len(shown) > 1:
            fig.suptitle(title)
        if hidden:
            fig.text(0.99, 0.005, f"{hidden} more series not shown (max_series={max_series})",
                     ha="right", va="bottom", fontsize="small", color="grey")
        fig.tight_layout(rect=(0, 0.025, 1, 1) if hidden else None)
    return fig


def _concise_dates(ax) -> None:
    """A few date ticks with short labels (2015, Apr, Jul ...), so small panels stay legible."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
