"""Draw the README's figures into docs/.

    python docs/make_figures.py

docs/forecast.png: the airline series' last four years and the next year's forecast of the
default `forecastkit forecast` model (linear) with 80% and 95% prediction intervals, drawn
with ``forecastkit.plots.plot_forecast``.

docs/aus_cpi_next_year.csv: an assumed CPI path (last value + 0.6% a quarter) for the year
after aus_accommodation ends, the --future-data of the README's covariate example.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.plots import plot_forecast  # noqa: E402


def forecast_figure(path: Path) -> None:
    panel = datasets.load("airline")
    # what `forecastkit forecast --level 80,95 --validation 0.2` runs: the linear model, with
    # split-conformal intervals calibrated on the 20% latest training windows it holds out
    model = Forecaster("linear", horizon=12, params={"validation": 0.2}, seed=0).fit(panel)
    forecast = model.predict(level=(80, 95))
    fig = plot_forecast(panel, forecast, last=48,
                        title="forecastkit forecast --level 80,95: airline passengers, next 12 months")
    fig.savefig(path, dpi=100)
    print(f"wrote {path.relative_to(ROOT)}")


def cpi_plan(path: Path, growth: float = 0.006, quarters: int = 4) -> None:
    """An assumed CPI path for the four quarters after aus_accommodation ends: the last CPI of
    each state grown by ``growth`` per quarter (an illustration of --future-data, not a forecast)."""
    frame = pd.read_csv(datasets.path("aus_accommodation"), parse_dates=["date"])
    rows = []
    for state, series in frame.groupby("state", sort=False):
        last = series.iloc[-1]
        for k in range(1, quarters + 1):
            rows.append({"state": state, "date": (last["date"] + pd.DateOffset(months=3 * k)).date(),
                         "cpi": round(last["cpi"] * (1 + growth) ** k, 1)})
    pd.DataFrame(rows).to_csv(path, index=False)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    forecast_figure(ROOT / "docs" / "forecast.png")
    cpi_plan(ROOT / "docs" / "aus_cpi_next_year.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
