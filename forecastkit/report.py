"""From a walk-forward result to answers: leaderboard, significance, plots and an HTML report.

Every number here is derived from the tidy results table and the MASE scales; nothing is
stored twice. ``WalkForwardResult`` exposes these as methods.

Examples
--------
>>> from forecastkit import datasets
>>> from forecastkit.evaluation import WalkForward, walk_forward
>>> result = walk_forward(datasets.load("airline"), ["naive", "seasonal_naive"],
...                       WalkForward(horizon=12, folds=12, stride=1), baselines=False, n_jobs=1)
>>> print(leaderboard(result)[["rank", "model", "mase"]].round(2).to_string(index=False))
 rank          model  mase
    1 seasonal_naive  1.77
    2          naive  2.61
"""

from __future__ import annotations

import base64
import html
import io
import json
import sys
import warnings

import numpy as np
import pandas as pd

from .ensemble import model_kind
from .errors import ConfigError
from .evaluation.store import RESULT_COLUMNS
from .formatting import format_frame
from .intervals import (
    INTERVAL_METRICS,
    bound_columns,
    check_levels,
    conformal_intervals,
    interval_rows,
    interval_scores,
)
from .metrics import METRICS, MetricWarning, row_losses, score
from .metrics.probabilistic import (
    PROBABILISTIC_METRICS,
    calibration_curve,
    pit_histogram,
)
from .significance import compare, rooted
from .significance import verdict as verdict_lines
from .versions import REPORT_PACKAGES, versions

REFERENCE = "seasonal_naive"


def _scored(result) -> bool:
    """Whether the run scored forecast distributions (CRPS, pinball loss, PIT)."""
    return result is not None and "crps" in result.results.columns


def _check_metric(metric: str, result=None) -> str:
    models = None if result is None else set(result.results["model"])
    return check_metric(metric, getattr(result, "levels", ()), _scored(result), models)


def check_metric(metric: str, levels=(), scored: bool = False, models=None) -> str:
    """``metric`` if a run with these ``levels`` (and forecast distributions ``scored`` or not)
    of these ``models`` (labels; None: not checked) can rank by it, else a ConfigError saying
    what it needs: OWA, for one, is relative to naive2's forecasts in the same run."""
    if metric == "owa" and models is not None and "naive2" not in models:
        raise ConfigError("`metric` owa is relative to naive2 on the same forecasts, which this run does not "
                          "evaluate: add naive2 to `models`, or keep the reference baselines.")
    valid = METRICS + (INTERVAL_METRICS if levels else ()) + (PROBABILISTIC_METRICS if scored else ())
    if metric not in valid:
        hint = "" if levels or metric not in INTERVAL_METRICS else (
            f" ({metric} scores prediction intervals: also set `level`, e.g. level=(80, 95))")
        if metric in PROBABILISTIC_METRICS and not scored:
            hint = (f" ({metric} scores forecast distributions: run the walk-forward with `level`, `samples` or "
                    "probabilistic=True)")
        raise ConfigError(f"`metric` must be one of {', '.join(valid)}{hint}. Received: metric={metric!r}")
    return metric


def _interval_level(result) -> int | float:
    """The level interval metrics rank and test by: the largest requested at which some interval
    was scored (a level too wide to calibrate at these origins would rank nothing)."""
    frame = result.results
    scored = [level for level in result.levels
              if f"yhat_lo_{level}" in frame.columns and frame[f"yhat_lo_{level}"].notna().any()]
    return max(scored or result.levels)


def _rank_key(metric: str):
    """Sort key of a leaderboard column: coverage gaps rank by their size."""
    return (lambda column: column.abs()) if metric == "coverage_gap" else None


def _score(result, by, metrics) -> pd.DataFrame:
    with warnings.catch_warnings():  # undefined rows are reported in the table, not warned twice
        warnings.simplefilter("ignore", MetricWarning)
        return score(result.results, result.scales, by=by, metrics=metrics)


def leaderboard(result, metric: str = "mase") -> pd.DataFrame:
    """One row per model, best first by ``metric``: every metric, its spread and failures.

    ``<metric>_std`` is the standard deviation across (series, origin) of the per-origin
    metric; ``origins`` counts forecast origins scored; ``failed_fits`` counts fits that
    raised or diverged (their forecasts are left out of every metric).
    """
    metric = _check_metric(metric, result)
    table = _score(result, ("model",), METRICS)
    if _scored(result):
        table = table.merge(distribution_scores(result), on="model", how="left")
    if result.levels:
        table = table.merge(interval_scores(compared_results(result), result.scales, result.levels), on="model",
                            how="left")
        if metric in INTERVAL_METRICS:
            table[metric] = table[f"{metric}_{_interval_level(result)}"]
    if metric not in ("owa", "coverage_gap"):
        per_origin = origin_losses(result, metric)
        if metric == "rmse":  # the loss of an origin is its mean squared error: the spread is of its root
            per_origin = per_origin.assign(loss=np.sqrt(per_origin["loss"]))
        spread = per_origin.groupby("model", sort=False)["loss"].std()
        table.insert(table.columns.get_loc(metric) + 1, f"{metric}_std", table["model"].map(spread))
    forecast = result.results[result.results["y_pred"].notna()]  # a failed fit's rows are not scored
    counts = forecast.drop_duplicates(["model", "id", "origin"]).groupby("model", sort=False).size()
    table["origins"] = table["model"].map(counts).fillna(0).astype(int)
    failed = result.fits[result.fits["status"] != "ok"].groupby("model").size()
    table["failed_fits"] = table["model"].map(failed).fillna(0).astype(int)
    table = table.drop(columns=["n", "n_failed"]).sort_values(metric, na_position="last", kind="stable",
                                                              key=_rank_key(metric))
    ranked = int(table[metric].notna().sum())  # a model without the metric has no rank
    table.insert(0, "rank", pd.array([*range(1, ranked + 1), *[None] * (len(table) - ranked)], dtype="Int64"))
    first = ["rank", "model", metric] + ([f"{metric}_std"] if f"{metric}_std" in table else [])
    return table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)


def preprocessing(result) -> pd.DataFrame:
    """How many fits of each model used each target transform chain (``preprocess="auto"``
    chooses one per fit): columns ``model, preprocess, fits``; empty without neural models."""
    fits = result.fits[result.fits.get("preprocess", pd.Series("", index=result.fits.index)) != ""]
    if fits.empty:
        return pd.DataFrame(columns=["model", "preprocess", "fits"])
    return (fits.groupby(["model", "preprocess"], sort=False).size().rename("fits").reset_index()
            .sort_values(["model", "fits"], ascending=[True, False], kind="stable").reset_index(drop=True))


def by_horizon(result, metric: str = "mase") -> pd.DataFrame:
    """``metric`` per model (rows) and horizon step ``h`` (columns)."""
    metric = _check_metric(metric, result)
    if metric in PROBABILISTIC_METRICS:
        table = compared_results(result).groupby(["model", "h"], sort=False)[metric].mean().reset_index()
        return _in_leaderboard_order(result, table.pivot(index="model", columns="h", values=metric), metric)
    if metric in INTERVAL_METRICS:
        level = _interval_level(result)
        table = interval_scores(compared_results(result), result.scales, [level], by=("model", "h"))
        return _in_leaderboard_order(result, table.pivot(index="model", columns="h", values=f"{metric}_{level}"),
                                     metric)
    table = _score(result, ("model", "h"), (metric,))
    return _in_leaderboard_order(result, table.pivot(index="model", columns="h", values=metric), metric)


def _in_leaderboard_order(result, table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Rows of a per-model table in leaderboard order (best first)."""
    order = [m for m in leaderboard(result, metric)["model"] if m in table.index]
    return table.loc[order + [m for m in table.index if m not in order]]


def origin_losses(result, metric: str = "mase") -> pd.DataFrame:
    """Per (model, id, origin) loss averaged over the horizon: the input of the DM test.

    Interval losses (``msis``, ``winkler``) are those of the largest requested level;
    origins without an interval yet are left out.
    """
    frame = result.results[["model", "id", "origin"]].copy()
    if _check_metric(metric, result) in ("msis", "winkler"):
        frame["loss"] = interval_rows(result.results, result.scales, _interval_level(result))[metric]
    elif metric in PROBABILISTIC_METRICS:
        frame["loss"] = result.results[metric].to_numpy()
    else:
        frame["loss"] = row_losses(result.results, result.scales, metric)
    return frame.groupby(["model", "id", "origin"], sort=False, as_index=False)["loss"].mean()


def significance(result, metric: str = "mase") -> tuple[pd.DataFrame, list[str]]:
    """Diebold-Mariano comparisons and the plain-English verdict.

    Every model is compared with the best one, and the best with ``seasonal_naive`` (the
    bar any model must clear). Returns the comparison tables stacked (per series and
    ``(all)``) and the verdict lines, headed by the winner.
    """
    note, ranking = [], metric
    if metric == "owa":  # a ratio of averages has no per-origin loss: test its MASE half
        metric, note = "mase", ["OWA is a ratio of averages, so the tests below compare MASE."]
    if metric == "coverage_gap":  # not a loss: test the proper interval score instead
        metric, note = "msis", ["A coverage gap is not a loss, so the tests below compare MSIS."]
    board = leaderboard(result, metric).dropna(subset=[metric])
    ranked = leaderboard(result, ranking).dropna(subset=[ranking]) if ranking != metric else board
    if board.empty or ranked.empty:
        if metric in INTERVAL_METRICS and result.results["y_pred"].notna().any():
            return pd.DataFrame(), [f"No interval could be scored on {metric.upper()}: {_uncalibrated(result)}"]
        return pd.DataFrame(), ["No model produced a forecast that could be scored."]
    losses = origin_losses(result, metric)
    horizon = int(result.results["h"].max())
    stride = int(result.config.get("splitter", {}).get("stride", 1))  # overlap of origins: ceil(horizon / stride)
    best = ranked["model"].iloc[0]  # the leaderboard's winner, tested on the loss beside it
    pairs = []
    if REFERENCE in set(board["model"]) and best != REFERENCE:
        pairs.append((best, REFERENCE))
    pairs += [(model, best) for model in board["model"] if model != best and (best, model) not in pairs]
    comparisons = {f"{a} vs {b}": compare(losses, a, b, horizon, stride) for a, b in pairs}
    if metric == "rmse":  # tested on squared errors; shown, as the leaderboard, as their root
        comparisons = {key: rooted(table) for key, table in comparisons.items()}
    headline = [f"Best on {ranking.upper()}: {best} ({ranked[ranking].iloc[0]:.4g}).", *_kind_line(result, ranked),
                *note, *distribution_notes(result), *interval_notes(result)]
    if not comparisons:
        return pd.DataFrame(), headline
    origins = int(result.results.groupby("id")["origin"].nunique().max())
    lines = verdict_lines(board, comparisons, metric, origins=origins)
    return pd.concat(comparisons.values(), ignore_index=True), [*headline, *lines]


def _kind_line(result, board: pd.DataFrame) -> list[str]:
    """Say plainly whether a neural model or a baseline won (when both kinds ran)."""
    models = result.config.get("models", {})
    kind = {label: model_kind(params["model"], params.get("members")) for label, params in models.items()}
    neural = [m for m in board["model"] if kind.get(m) == "neural"]
    baseline = [m for m in board["model"] if kind.get(m) == "baseline"]
    if not neural or not baseline:
        return []
    if kind.get(board["model"].iloc[0]) == "baseline":
        return [f"No neural model beat the best baseline; the best neural model is {neural[0]}."]
    return [f"The best neural model, {neural[0]}, ranks above every baseline (best baseline: {baseline[0]})."]


def _chosen(result, models=None, series=None) -> tuple[list | None, str | None]:
    """``models`` as a list (one name, names separated by commas, or a list) and ``series``,
    each checked against the run's: a ConfigError names the ones it has."""
    from .evaluation.plan import model_items

    frame = result.results
    if models is not None:
        models = [label for label, _ in model_items(models)]
    for what, names, known in (("model", models or [], frame["model"].unique()),
                               ("series", [] if series is None else [series], frame["id"].unique())):
        unknown = [name for name in names if name not in set(known)]
        if unknown:
            raise ConfigError(f"No {what} {', '.join(map(repr, unknown))} in this run; it has "
                              f"{', '.join(map(repr, sorted(map(str, known))))}.")
    return models, series


def plot(result, series: str | None = None, models=None, metric: str = "mase"):
    """Two panels: forecasts against actuals at every origin, and ``metric`` by horizon step.

    ``series`` picks the id to draw (default: the first); ``models`` limits the models
    drawn (a name, names separated by commas, or a list; default: the five best). Unknown
    names are a ConfigError listing the run's. Returns the matplotlib Figure.
    """
    models, series = _chosen(result, models, series)
    plt = _pyplot()
    frame = result.results
    sid = series if series is not None else frame["id"].iloc[0]
    models = models if models is not None else list(leaderboard(result, metric)["model"].head(5))
    rows = frame[(frame["id"] == sid) & frame["model"].isin(models)]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), gridspec_kw={"height_ratios": [3, 2]})
    actual = rows.drop_duplicates("time").sort_values("time")
    top.plot(actual["time"], actual["y_true"], color="black", linewidth=2, label="actual")
    for colour, model in zip(plt.rcParams["axes.prop_cycle"].by_key()["color"], models):
        for k, (_, path) in enumerate(rows[rows["model"] == model].groupby("origin")):
            top.plot(path["time"], path["y_pred"], color=colour, alpha=0.6, linewidth=1,
                     label=model if k == 0 else None)
    top.set_title(f"Forecasts from every origin, series {sid!r}")
    top.legend(loc="upper left", fontsize="small")
    table = by_horizon(result, metric).loc[models]
    for model, values in table.iterrows():
        bottom.plot(values.index, values.values, marker="o", label=model)
    bottom.xaxis.get_major_locator().set_params(integer=True)  # steps are whole numbers
    bottom.set_xlabel("horizon step h")
    bottom.set_ylabel(metric.upper())
    bottom.set_title(f"{metric.upper()} by horizon step (all series)")
    bottom.legend(fontsize="small")
    fig.tight_layout()
    return fig


def calibration_plot(result, models=None, levels=(10, 20, 30, 40, 50, 60, 70, 80, 90, 95)):
    """Nominal against empirical coverage of each model's intervals (the first axes), and, when
    the run scored forecast distributions, a PIT histogram per model beside it (a Figure).

    A well-calibrated model follows the diagonal; below it, intervals are too narrow. With
    scored distributions the coverage of each central interval is the share of PIT values
    inside it (:func:`~forecastkit.metrics.probabilistic.calibration_curve`), for the
    distribution each model was scored on; otherwise, and for a model without one, the coverage
    of its conformal intervals, on the rows that have an interval at each level. A calibrated
    model's PIT histogram is flat at 1; a U shape means too narrow, a hump too wide.
    """
    models, _ = _chosen(result, models)
    plt = _pyplot()
    levels = check_levels(levels)
    frame = conformal_intervals(result.results[list(RESULT_COLUMNS)], levels, result.min_calibration)
    models = models if models is not None else list(frame["model"].unique())
    table = interval_scores(frame[frame["model"].isin(models)], result.scales, levels).set_index("model")
    pits = _pit_values(result, models)
    columns = (2 if len(pits) > 1 else 1) if pits else 0
    rows = max(1, -(-len(pits) // 2)) if pits else 1
    fig = plt.figure(figsize=(6 + 3 * columns, max(6, 2.2 * rows)))
    grid = fig.add_gridspec(rows, 1 + columns, width_ratios=[2] + [1] * columns)
    ax = fig.add_subplot(grid[:, 0])
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    for model in models:
        coverage = (calibration_curve(pits[model], levels) if model in pits
                    else [table.loc[model, f"coverage_{level}"] for level in levels])
        ax.plot(levels, [100 * value for value in coverage], marker="o", label=model)
    ax.set_xlabel("nominal coverage (%)")
    ax.set_ylabel("empirical coverage (%)")
    ax.set_title("Calibration of the forecast distributions" if pits else "Calibration of conformal intervals")
    ax.legend(fontsize="small")
    for k, (model, values) in enumerate(pits.items()):
        _pit_histogram(fig.add_subplot(grid[k // columns, 1 + k % columns]), model, values)
    fig.tight_layout()
    return fig


def _pit_values(result, models) -> dict:
    """``{model: PIT values}`` of the models whose forecast distribution was scored."""
    if not _scored(result):
        return {}
    frame = result.results
    pits = {model: frame.loc[frame["model"] == model, "pit"].to_numpy(float) for model in models}
    return {model: values for model, values in pits.items() if np.isfinite(values).any()}


def _pit_histogram(ax, model: str, values: np.ndarray, bins: int = 10) -> None:
    """A model's PIT histogram on ``ax`` (density; the dashed line at 1 is uniform: calibrated)."""
    ax.bar((np.arange(bins) + 0.5) / bins, pit_histogram(values, bins), width=1 / bins, color="tab:blue", alpha=0.7)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_title(f"PIT: {model}", fontsize="small")
    ax.tick_params(labelsize="x-small")


def compared_results(result) -> pd.DataFrame:
    """``result.results`` with the scores outside the compared forecasts (:func:`compared_rows`)
    set to NaN: the CRPS and pinball loss, and each level's bounds, so every model's means and
    interval scores cover the same forecasts."""
    frame = result.results.copy()
    if "crps" in frame.columns:
        frame.loc[~compared_rows(frame), ["crps", "pinball"]] = np.nan
    for level in result.levels or ():
        lo, hi = bound_columns(level)
        if lo in frame.columns:
            frame.loc[~compared_rows(frame, lo), [lo, hi]] = np.nan
    return frame


def distribution_scores(result) -> pd.DataFrame:
    """Per model: mean CRPS and pinball loss, what they score (``distribution``) and, with
    levels, which method made the intervals (``intervals``); empty when the run scored none.

    The means are over the forecasts every scored model has a score for
    (:func:`compared_results`): a conformal distribution has none at the first origins, where
    too few earlier errors calibrate it, while a native one is scored there too, so each
    model's own rows would compare the models on different origins."""
    frame = result.results
    if not _scored(result):
        return pd.DataFrame(columns=["model", "crps", "pinball", "distribution"])
    grouped = frame.groupby("model", sort=False)
    table = compared_results(result).groupby("model", sort=False)[["crps", "pinball"]].mean()
    table["distribution"] = grouped["distribution"].first()
    if "intervals" in frame.columns:
        table["intervals"] = grouped["intervals"].first()
    return table.reset_index()


def compared_rows(frame: pd.DataFrame, column: str = "crps") -> np.ndarray:
    """Which rows of a results table the models' scores in ``column`` (the CRPS, or a level's
    lower bound) are compared on: those of the forecasts (series, origin, step) that every
    model with a value there somewhere has one for; each model's own rows when no forecast has
    them all.

    Examples
    --------
    >>> frame = pd.DataFrame({"model": ["a", "a", "b", "b", "c", "c"], "id": "s", "origin": [1, 2] * 3,
    ...                       "h": 1, "crps": [1.0, 2.0, np.nan, 3.0, np.nan, np.nan]})
    >>> compared_rows(frame).tolist()
    [False, True, False, True, False, False]
    """
    scored = frame[column].notna().to_numpy()
    models = frame.loc[scored, "model"].nunique()
    keys = ["id", "origin", "h"]
    counts = frame[scored].groupby(keys, sort=False)["model"].nunique()
    complete = counts.index[counts.to_numpy() == models]
    if not len(complete):
        return scored
    return scored & pd.MultiIndex.from_frame(frame[keys]).isin(complete)


def interval_notes(result) -> list[str]:
    """A line naming the models that got no interval at some level asked for (``level``), and why."""
    if not result.levels or not result.results["y_pred"].notna().any():
        return []
    table = interval_scores(result.results, result.scales, result.levels).set_index("model")
    empty = [(model, level) for level in result.levels for model in table.index
             if not table.loc[model, f"intervals_{level}"]]
    if not empty:
        return []
    which = ", ".join(f"{model} at {level}%" for model, level in empty)
    return [f"No interval for {which}: {_uncalibrated(result)}"]


def _uncalibrated(result) -> str:
    """Why a conformal interval is missing, and the fix."""
    return (f"no origin had enough earlier forecast errors to calibrate its conformal intervals (at least "
            f"{result.min_calibration}, `min_calibration`, and enough for the level). Evaluate at more origins.")


def distribution_notes(result) -> list[str]:
    """Lines naming the models with no CRPS, and why."""
    if not _scored(result):
        return []
    from .evaluation.probabilistic import NO_DISTRIBUTION

    table = distribution_scores(result)
    bare = table.loc[table["distribution"] == NO_DISTRIBUTION, "model"].tolist()
    notes = [f"No CRPS or pinball loss for {', '.join(bare)}: {'its' if len(bare) == 1 else 'their'} native "
             "intervals are not Gaussian, so there is no forecast distribution to score."] if bare else []
    frame = result.results
    compared = compared_rows(frame)
    scored = frame["crps"].notna().to_numpy()
    if compared.sum() < scored.sum():
        per_model = frame[compared].groupby("model").size()
        notes.append(f"CRPS and pinball loss are compared on the {int(per_model.max())} forecasts every scored "
                     "model has a distribution for: conformal distributions start once enough earlier errors "
                     "calibrate them (`min_calibration`).")
    return notes


def fan_chart(result, series: str | None = None, model: str | None = None, origins: int = 4):
    """One model's forecasts with their intervals from ``origins`` origins a horizon apart
    (the latest ones, so the fans do not overlap), over the actuals (a Figure)."""
    plt = _pyplot()
    if not result.levels:
        raise ConfigError("A fan chart draws prediction intervals: run the walk-forward with `level` set, "
                          "e.g. level=(80, 95).")
    _, series = _chosen(result, None if model is None else [model], series)
    frame = result.results
    sid = series if series is not None else frame["id"].iloc[0]
    model = model or leaderboard(result, "msis")["model"].iloc[0]
    rows = frame[(frame["id"] == sid) & (frame["model"] == model)]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    actual = frame[frame["id"] == sid].drop_duplicates("time").sort_values("time")
    ax.plot(actual["time"], actual["y_true"], color="black", linewidth=1.5, label="actual")
    horizon = int(rows["h"].max())
    chosen = sorted(rows["origin"].unique())[::-1][::horizon][:origins]
    for k, origin in enumerate(chosen):
        path = rows[rows["origin"] == origin].sort_values("h")
        for j, level in enumerate(sorted(result.levels, reverse=True)):
            lo, hi = f"yhat_lo_{level}", f"yhat_hi_{level}"
            ax.fill_between(path["time"], path[lo], path[hi], color="tab:blue", alpha=0.15 + 0.15 * j, linewidth=0,
                            label=f"{level}% interval" if k == 0 else None)
        ax.plot(path["time"], path["y_pred"], color="tab:blue", linewidth=1, label="forecast" if k == 0 else None)
    method = rows["intervals"].iloc[0] if "intervals" in rows.columns and len(rows) else "conformal"
    ax.set_title(f"{model}: forecasts with {method} intervals, series {sid!r}")
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig


def import_plotting() -> None:
    """Import matplotlib's pyplot (the Agg backend outside a notebook) now: the command line
    does it in a thread while the run waits on its workers, so drawing the report later
    costs the drawing only. A warm-up: a failure here is left to the drawing, which imports
    pyplot again and reports it."""
    try:
        _pyplot()
    except Exception:  # reported by the drawing itself
        return


def _pyplot():
    import matplotlib

    if not _in_notebook():  # files only: Agg, without resolving (probing GUI toolkits for) the default backend
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _in_notebook() -> bool:
    if "IPython" not in sys.modules:  # a notebook kernel has imported it
        return False
    from IPython import get_ipython

    return get_ipython() is not None and "IPKernelApp" in get_ipython().config


def figures_png(result, metric: str = "mase") -> dict[str, bytes]:
    """The report's figures as PNG bytes, each drawn once: ``forecasts`` (:func:`plot`), with
    intervals or forecast distributions ``calibration`` (:func:`calibration_plot`), with
    intervals ``fan`` (:func:`fan_chart`). :func:`to_html` embeds them; the command line also
    writes ``forecasts.png`` and ``calibration.png`` from the same bytes."""
    images = {"forecasts": _png(plot(result, metric=metric))}
    if result.levels or _scored(result):
        images["calibration"] = _png(calibration_plot(result))
    if result.levels:
        images["fan"] = _png(fan_chart(result))
    return images


def to_html(result, path, metric: str = "mase", images: dict | None = None) -> None:
    """Write a self-contained HTML report (tables, verdict, embedded plots, configuration);
    ``images``: :func:`figures_png` of the same result and metric, when already drawn."""
    board = leaderboard(result, metric)
    comparisons, lines = significance(result, metric)
    images = images or figures_png(result, metric)
    failed = result.failed
    sections = [
        f"<h1>forecastkit walk-forward report</h1><p>{html.escape(_summary(result))}</p>",
        "<h2>Verdict</h2>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines),
        f"<h2>Leaderboard (ranked by {metric.upper()})</h2>" + _table(board),
        "<h2>Forecasts and error by horizon</h2>" + _img("forecast plots", images["forecasts"]),
        f"<h2>{metric.upper()} by horizon step</h2>" + _table(_horizon_columns(by_horizon(result, metric))),
    ]
    if result.levels:
        methods = (", ".join(dict.fromkeys(result.results["intervals"])) if "intervals" in result.results.columns
                   else "conformal")
        sections.append(
            f"<h2>Prediction intervals ({html.escape(methods)}; levels {', '.join(map(str, result.levels))}%)</h2>"
            + _table(interval_scores(compared_results(result), result.scales, result.levels))
            + _img("calibration", images["calibration"]) + _img("fan chart", images["fan"]))
    if _scored(result):
        image = "" if result.levels else _img("calibration and PIT", images["calibration"])
        sections.append("<h2>Forecast distributions (CRPS, pinball loss; calibration curves and PIT histograms in "
                        "the calibration figure)</h2>" + _table(distribution_scores(result))
                        + "".join(f"<p>{html.escape(line)}</p>" for line in distribution_notes(result)) + image)
    if not comparisons.empty:
        sections.append("<h2>Diebold-Mariano tests (the paired t-test where origins do not overlap, else the "
                        "fixed-smoothing periodogram variance with t(2B); Holm across series)</h2>"
                        + _table(comparisons))
    chosen = preprocessing(result)
    if not chosen.empty:
        sections.append("<h2>Target transforms per fit (chosen on each fit's training data)</h2>" + _table(chosen))
    if "tuning" in result.extras:  # evaluate --tune
        from .tuning.nested import tuning_table

        sections.append("<h2>Tuned settings per fit (searched on each fit's training data)</h2>"
                        + _table(tuning_table(result)))
    if not failed.empty:
        sections.append("<h2>Failed fits</h2>" + _table(failed))
    config = {**result.config, "versions": versions(REPORT_PACKAGES)}
    sections.append("<h2>Configuration</h2><pre>" + html.escape(json.dumps(config, indent=1, default=str)) + "</pre>")
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>forecastkit report</title><style>"
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f2f2f2}"
        "img{max-width:100%}pre{background:#f7f7f7;padding:1em;font-size:12px;overflow:auto}"
        "</style></head><body>" + "".join(sections) + "</body></html>"
    )
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(page)


def _png(figure) -> bytes:
    """A figure as PNG bytes (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def _img(alt: str, png: bytes) -> str:
    return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _horizon_columns(table: pd.DataFrame) -> pd.DataFrame:
    table = table.rename(columns=lambda h: f"h={h}")
    table.columns.name = None
    return table.reset_index()


def _summary(result) -> str:
    frame = result.results
    config = result.config
    return (f"{frame['model'].nunique()} models, {frame['id'].nunique()} series, "
            f"{frame[['id', 'origin']].drop_duplicates().shape[0]} origins, horizon {int(frame['h'].max())}; "
            f"data: {config.get('source')} (target {config.get('target')}, frequency {config.get('freq')}, "
            f"season {config.get('season')}); seed {config.get('seed')}.")


def _table(frame: pd.DataFrame) -> str:
    """An HTML table, each numeric column with one number of decimals (:func:`format_frame`)."""
    return format_frame(frame).to_html(index=False, border=0)
