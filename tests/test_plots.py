"""plot_forecast: one call draws history, forecast and interval bands, one panel per series."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.data import from_pandas  # noqa: E402
from forecastkit.errors import ConfigError  # noqa: E402
from forecastkit.plots import interval_levels, plot_forecast  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def visnights():
    return datasets.load("visnights")


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_one_series_history_and_forecast(airline):
    forecast = Forecaster("seasonal_naive", horizon=12).fit(airline).predict()
    fig = plot_forecast(airline, forecast, last=24)
    (ax,) = fig.axes
    history, line = ax.get_lines()
    assert len(history.get_xdata()) == 24
    # the forecast line starts at the last observation and then covers the horizon
    assert len(line.get_ydata()) == 13
    assert list(line.get_ydata()[1:]) == list(forecast["yhat"])
    assert line.get_ydata()[0] == airline.frame["y"].iloc[-1]
    assert not _bands(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["history", "seasonal_naive"]


def test_interval_columns_are_shaded_widest_first(airline):
    forecast = Forecaster("naive", horizon=6).fit(airline).predict()
    for level, width in (("80", 20.0), ("95", 40.0)):
        forecast[f"yhat_lo_{level}"] = forecast["yhat"] - width
        forecast[f"yhat_hi_{level}"] = forecast["yhat"] + width
    assert interval_levels(forecast) == ["95", "80"]
    fig = plot_forecast(airline, forecast)
    bands = _bands(fig.axes[0])
    assert len(bands) == 2
    lows = [band.get_paths()[0].vertices[:, 1].min() for band in bands]
    assert lows[0] == pytest.approx(forecast["yhat"].min() - 40)  # 95% drawn first (underneath)
    assert lows[1] == pytest.approx(forecast["yhat"].min() - 20)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "95% interval" in legend and "80% interval" in legend


def test_half_an_interval_is_not_drawn(airline):
    forecast = Forecaster("naive", horizon=3).fit(airline).predict()
    forecast["yhat_lo_80"] = forecast["yhat"] - 1
    assert interval_levels(forecast) == []
    assert not _bands(plot_forecast(airline, forecast).axes[0])


def test_panel_one_axis_per_series_up_to_the_limit(visnights):
    forecast = Forecaster("seasonal_naive", horizon=4).fit(visnights).predict()
    fig = plot_forecast(visnights, forecast, last=12, max_series=6)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == visnights.ids[:6]
    assert "14 more series not shown" in " ".join(t.get_text() for t in fig.texts)


def test_several_models_one_line_each_and_frame_history(airline):
    forecasts = pd.concat([Forecaster(name, horizon=12).fit(airline).predict()
                           for name in ("naive", "seasonal_naive")], ignore_index=True)
    fig = plot_forecast(airline.frame, forecasts, last=36)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["history", "naive", "seasonal_naive"]


def test_draws_into_a_given_axes(airline):
    forecast = Forecaster("naive", horizon=3).fit(airline).predict()
    fig, ax = plt.subplots()
    assert plot_forecast(airline, forecast, ax=ax) is fig
    assert len(ax.get_lines()) == 2


def test_integer_periods():
    series = pd.DataFrame({"t": np.arange(30), "y": np.sin(np.arange(30.0))})
    history = from_pandas(series, time="t", target="y")
    forecast = Forecaster("naive", horizon=5).fit(history).predict()
    line = plot_forecast(history, forecast).axes[0].get_lines()[1]
    assert list(line.get_xdata()) == list(range(29, 35))


@pytest.mark.parametrize("kwargs, message", [
    ({"last": 0}, "`last` must be >= 1"),
    ({"max_series": 0}, "`max_series` must be >= 1"),
])
def test_bad_arguments(airline, kwargs, message):
    forecast = Forecaster("naive", horizon=3).fit(airline).predict()
    with pytest.raises(ConfigError, match=message):
        plot_forecast(airline, forecast, **kwargs)


def test_bad_inputs_name_the_problem(airline, visnights):
    with pytest.raises(ConfigError, match="`forecast` must be the frame Forecaster.predict returns"):
        plot_forecast(airline, pd.DataFrame({"time": [1], "value": [2.0]}))
    with pytest.raises(ConfigError, match="`history` must be"):
        plot_forecast([1, 2, 3], pd.DataFrame(columns=["id", "time", "yhat"]))
    panel_forecast = Forecaster("naive", horizon=2).fit(visnights).predict()
    with pytest.raises(ConfigError, match="not in the history"):
        plot_forecast(airline, panel_forecast)
    fig, ax = plt.subplots()
    with pytest.raises(ConfigError, match="`ax` holds one panel"):
        plot_forecast(visnights, panel_forecast, ax=ax)


def test_forecast_inside_the_history_joins_the_observation_before_it(airline):
    train = airline.with_frame(airline.frame.iloc[:-12])
    forecast = Forecaster("naive", horizon=12).fit(train).predict()
    line = plot_forecast(airline, forecast, last=36).axes[0].get_lines()[1]
    assert line.get_ydata()[0] == airline.frame["y"].iloc[-13]
    assert len(line.get_xdata()) == 13
