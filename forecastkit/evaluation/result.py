"""The result of a walk-forward: one tidy table, from which every metric, test and plot derives.

Examples
--------
>>> from forecastkit import datasets
>>> from forecastkit.evaluation import WalkForward, walk_forward
>>> result = walk_forward(datasets.load("airline"), ["naive"], WalkForward(horizon=12, folds=2, stride=12),
...                       baselines=False, n_jobs=1)
>>> result.to_frame().shape
(24, 8)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..ensemble import model_kind
from ..formatting import format_frame
from ..intervals import conformal_intervals
from .probabilistic import Scoring, attach
from .store import RESULT_COLUMNS, RunStore


@dataclass
class WalkForwardResult:
    """Everything a walk-forward run produced; every metric and plot derives from it.

    Attributes
    ----------
    results : tidy table ``model, id, fit, origin, h, time, y_true, y_pred``, then the
        bounds ``yhat_lo_<L>, yhat_hi_<L>`` of each level ``L`` in ``levels`` (conformal, or from
        a neural model's forecast distribution), then, when the run scored forecast distributions,
        ``crps, pinball, pit`` and ``distribution`` (what they were scored on; :mod:`.probabilistic`).
    scales : MASE scales per ``id, origin``.
    fits : ``model, id, fit, status, reason, preprocess`` for every fit (``preprocess``: the target
        transforms a neural fit chose or was given, e.g. ``"log + diff + standard"``; empty for baselines).
    timings : seconds per fit (kept apart so results compare byte for byte).
    config : the run's configuration.
    metric : what the methods rank by when not given one (``walk_forward``'s ``metric``).
    """

    results: pd.DataFrame
    scales: pd.DataFrame
    fits: pd.DataFrame
    timings: pd.DataFrame
    config: dict
    season: int = 1
    levels: tuple = ()
    min_calibration: int = 10
    extras: dict = field(default_factory=dict)
    metric: str = "mase"

    @classmethod
    def from_store(cls, store: RunStore, season: int, levels=(), min_calibration: int = 10,
                   metric: str = "mase") -> "WalkForwardResult":
        config = store.config()
        results = store.table("results")
        scales = store.table("scales")
        for frame, columns in ((results, ("origin", "time")), (scales, ("origin",))):
            for column in columns:
                frame[column] = _times(frame[column], config["freq"])
        results = results[RESULT_COLUMNS]
        if levels:
            results = conformal_intervals(results, levels, min_calibration)
        if "scoring" in config:  # forecast distributions scored (see .probabilistic)
            stored = store.table("distributions")
            for column in ("origin",):
                stored[column] = _times(stored[column], config["freq"])
            kinds = {label: model_kind(params["model"], params.get("members"))
                     for label, params in config["models"].items()}
            scoring = Scoring(tuple(config["scoring"]["levels"]), config["scoring"]["samples"])
            results = attach(results, stored, scoring, min_calibration, kinds)
        fits = store.table("fits").merge(store.table("choices"), on=["model", "id", "fit"], how="left")
        fits["preprocess"] = fits["preprocess"].fillna("")
        extras = {"tuning": store.table("searches")} if "tuning" in config else {}  # evaluate --tune
        return cls(results, scales, fits, store.table("timings"), config, season,
                   tuple(levels), min_calibration, extras, metric)

    def to_frame(self) -> pd.DataFrame:
        """The tidy results table (a copy)."""
        return self.results.copy()

    @property
    def failed(self) -> pd.DataFrame:
        """Fits that failed, with their reasons."""
        return self.fits[self.fits["status"] != "ok"].reset_index(drop=True)

    def leaderboard(self, metric: str | None = None) -> pd.DataFrame:
        """Models ranked by ``metric`` with every metric, spread and failures (see :mod:`report`)."""
        from .. import report

        return report.leaderboard(self, metric or self.metric)

    def by_horizon(self, metric: str | None = None) -> pd.DataFrame:
        """``metric`` per model and horizon step."""
        from .. import report

        return report.by_horizon(self, metric or self.metric)

    def significance(self, metric: str | None = None) -> tuple[pd.DataFrame, list[str]]:
        """Diebold-Mariano tables and the plain-English verdict lines."""
        from .. import report

        return report.significance(self, metric or self.metric)

    def plot(self, series: str | None = None, models=None, metric: str | None = None):
        """Forecasts vs actuals per origin, and ``metric`` by horizon step (a matplotlib Figure)."""
        from .. import report

        return report.plot(self, series, models, metric or self.metric)

    def calibration_plot(self, models=None):
        """Nominal vs empirical coverage of each model's conformal intervals (a Figure)."""
        from .. import report

        return report.calibration_plot(self, models)

    def fan_chart(self, series: str | None = None, model: str | None = None, origins: int = 4):
        """One model's forecasts from the last origins with their intervals (needs ``levels``)."""
        from .. import report

        return report.fan_chart(self, series, model, origins)

    def to_html(self, path, metric: str | None = None) -> None:
        """Write the self-contained HTML report."""
        from .. import report

        report.to_html(self, path, metric or self.metric)

    def __repr__(self) -> str:
        frame = self.results
        failed = len(self.failed)
        return (f"<WalkForwardResult: {frame['model'].nunique()} models, {frame['id'].nunique()} series, "
                f"{frame[['id', 'origin']].drop_duplicates().shape[0]} origins, horizon {int(frame['h'].max())}"
                + (f", levels {list(self.levels)}" if self.levels else "")
                + (f", {failed} failed fits" if failed else "") + "; .leaderboard() ranks the models>")

    def _repr_html_(self) -> str:
        _, lines = self.significance()
        return "".join(f"<p>{line}</p>" for line in lines) + format_frame(self.leaderboard()).to_html(index=False)


def _times(column: pd.Series, freq: str | None) -> pd.Series:
    if freq is None:
        return column.astype("int64")
    return pd.to_datetime(column, format="ISO8601")
