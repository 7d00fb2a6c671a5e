r"""Plain-English verdicts from :func:`~forecastkit.significance.compare` tables.

Examples
--------
>>> _p(0.0496, 0.05), _p(0.41, 0.05), _percent(18.2)
('p=0.0496', 'p=0.41', '18%')
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ConfigError, ConfigTypeError
from ..formatting import listing
from .pairwise import ORIGINS_PER_OVERLAP
from .panels import ALL_ID, COMPARE_COLUMNS

_METRIC_NAMES = {"mae": "MAE", "rmse": "RMSE", "mse": "MSE", "mape": "MAPE", "smape": "sMAPE",
                 "mase": "MASE", "owa": "OWA", "crps": "CRPS", "pinball": "pinball loss"}


def verdict(leaderboard: pd.DataFrame, comparisons: Mapping, metric: str,
            alpha: float = 0.05, origins: int | None = None) -> list[str]:
    """Plain-English conclusions of :func:`compare` tables, for the CLI and the report.

    One line per tested comparison, in the order of ``comparisons``, then one line for all
    the comparisons that could not be tested, then any warnings (fewer than 10 origins,
    untestable series). The lines read:

    - significant, one series:
      ``"linear beats seasonal_naive on MASE by 18% (p=0.010, 40 origins)."``
    - not significant: ``"stacked is not distinguishable from linear on MASE (p=0.41, 40 origins)."``
    - panels add how many series differ after Holm correction, and in whose favour:
      ``"linear beats naive on MASE by 18% overall (smallest Holm-adjusted p=0.010: series
      'store 3', 40 origins); significant on 5 of 8 series after Holm correction, all in
      favour of linear."`` (a panel's p is that of its most significant series, after Holm
      correction, named with its origins). If the significant
      series favour different models, the line says so instead of naming a winner. With
      :data:`~.pairwise.MIN_SERIES_ACROSS` or more series that differ, the line ends with
      the test across the series (``p_across``): ``"...; across the series, linear is
      better on 7 and naive on 1 (Wilcoxon signed-rank p=0.016)."``
    - a large panel with few origins per series, where no series can reach significance on
      its own but the series agree: ``"linear beats naive on MASE by 47% overall, better on
      390 of 414 series (Wilcoxon signed-rank p<0.001), though no single series differs
      significantly after Holm correction (smallest Holm-adjusted p=1.00: series 'T12', 3
      origins)."`` When the series have
      too few origins to be tested at all, that test still gives a line of its own (``"...
      better on 390 of 414 series (Wilcoxon signed-rank p<0.001); 828 origins."``), before
      the "not enough origins" line.
    - ``"Warning: only 6 origins; ..."`` when a comparison has fewer than 10 origins.
    - once for every comparison with fewer origins than :func:`min_origins`, with the fix:
      ``"Not enough origins to test 9 comparisons on MASE (ets vs seasonal_naive, mlp vs ets,
      linear vs ets and 6 more): 24 shared origins, but the forecasts of each origin share
      targets with the next 11, so a test of the right size needs at least 48. Set `folds`
      to 48 or more, or raise `stride` (with `stride` >= the horizon the origins do not
      overlap and 3 suffice); on series too short for either, a shorter `horizon` needs fewer
      (4 per step)."``

    "beats by P%" means ``P = (1 - loss_winner / loss_loser) * 100``. The winner is the
    model with the smaller mean loss on the origins the test used. The loss values are taken
    from ``leaderboard`` (so the percentage matches the table the user sees) when both models
    are in it and it agrees on who is better. Otherwise they come from the comparison's
    ``(all)`` row.

    Parameters
    ----------
    leaderboard : DataFrame
        One row per model, with column ``model`` and the column ``metric`` (lower is
        better), sorted best first.
    comparisons : mapping
        Values are tables returned by :func:`compare`. The keys are not used: each table
        names its own ``model`` and ``reference``.
    metric : str
        Metric name, e.g. ``"mase"``. It names the leaderboard column and appears in the
        text (``"MASE"``).
    alpha : float
        Significance level for the panel p-value and for the per-series Holm-adjusted ones.
    origins : int, optional
        The run's origins per series (the most of any series). With it, the "not enough
        origins" fix counts the origins where the two models have no scores to compare (the
        first origins of a run with prediction intervals, before they are calibrated) and asks
        for that many more `folds`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict(model="stacked", reference="linear", n_origins=6, loss_model=0.82,
    ...            loss_reference=0.8, rel_diff=0.025, statistic=0.9, p=0.41, p_holm=0.41,
    ...            few_origins=True, min_origins=3, p_across=float("nan"))
    >>> table = pd.DataFrame([dict(row, id="s1"), dict(row, id="(all)", statistic=float("nan"))])
    >>> leaderboard = pd.DataFrame({"model": ["linear", "stacked"], "mase": [0.8, 0.82]})
    >>> for line in verdict(leaderboard, {"stacked": table}, "mase"):
    ...     print(line)  # doctest: +ELLIPSIS
    stacked is not distinguishable from linear on MASE (p=0.41, 6 origins).
    Warning: only 6 origins; with fewer than 10 forecast origins the test has little power ...
    """
    if (isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating))
            or not 0 < alpha < 1):
        raise ConfigError(f"`alpha` must be a number strictly between 0 and 1. Received: alpha={alpha!r}")
    if not isinstance(comparisons, Mapping):
        raise ConfigTypeError("`comparisons` must be a dict of tables returned by compare(). "
                              f"Received: {type(comparisons).__name__}")
    values = _leaderboard_values(leaderboard, metric)
    name = _METRIC_NAMES.get(str(metric).lower(), str(metric))
    lines, untested, warnings = [], [], []
    for key, table in comparisons.items():
        per_series, combined = _split_table(table, key)
        if math.isnan(float(combined["p"])):
            untested.append((per_series, combined))
            if not math.isnan(float(combined["p_across"])):  # too few origins per series, enough series
                lines.append(_across_line(per_series, combined, values, name, alpha))
            continue
        lines.append(_line(per_series, combined, values, name, alpha))
        for warning in _warnings(per_series, combined, name):
            if warning not in warnings:
                warnings.append(warning)
    if untested:
        lines.append(_untested_line(untested, name, origins))
    return lines + warnings


def _line(per_series: pd.DataFrame, combined: pd.Series, values: dict, name: str,
          alpha: float) -> str:
    model, reference = str(combined["model"]), str(combined["reference"])
    n, p = int(combined["n_origins"]), float(combined["p"])
    k = len(per_series)
    winner, loser, percent = _winner(model, reference, combined, values)
    if k == 1:
        if p >= alpha or winner is None:
            return f"{model} is not distinguishable from {reference} on {name} ({_p(p, alpha)}, {n} origins)."
        return f"{winner} beats {loser} on {name} by {percent} ({_p(p, alpha)}, {n} origins)."
    tested = per_series[per_series["p_holm"].notna()]
    strongest = _strongest(tested, p, alpha)
    better, p_across = _better_counts(per_series, model, reference), float(combined["p_across"])
    across = ("" if math.isnan(p_across) else
              f"; across the series, {model} is better on {better[model]} and {reference} on "
              f"{better[reference]} (Wilcoxon signed-rank {_p(p_across, alpha)})")
    if p >= alpha:
        if _wins_across(combined, winner, alpha):
            return (f"{_across_win(per_series, combined, values, name, alpha)}, though no single series "
                    f"differs significantly after Holm correction ({strongest}).")
        return (f"{model} is not distinguishable from {reference} on {name} on any of the "
                f"{len(tested)} series after Holm correction ({strongest}){across}.")
    significant = tested[tested["p_holm"] < alpha]
    model_wins = int((significant["statistic"] < 0).sum())
    reference_wins = len(significant) - model_wins
    counted = f"significant on {len(significant)} of {len(tested)} series after Holm correction"
    sides = {model: model_wins, reference: reference_wins}
    if winner is not None and sides[loser] == 0:
        return (f"{winner} beats {loser} on {name} by {percent} overall ({strongest}); {counted}, "
                f"all in favour of {winner}{across}.")
    overall = (f"{winner} is {percent} better overall" if winner is not None
               else "their mean losses are equal")
    return (f"{model} vs {reference} on {name}: {overall}, but the series disagree: {counted}, "
            f"{model} better on {model_wins} and {reference} better on {reference_wins} "
            f"({strongest}){across}.")


def _strongest(tested: pd.DataFrame, p: float, alpha: float) -> str:
    """Where a panel's p comes from: the smallest Holm-adjusted p of its series, named with its
    origins (the panel's test is the strongest of its series' tests, not one over all origins)."""
    if tested.empty:
        return _p(p, alpha)
    row = tested.loc[tested["p_holm"].idxmin()]
    return f"smallest Holm-adjusted {_p(p, alpha)}: series {row['id']!r}, {int(row['n_origins'])} origins"


def _better_counts(per_series: pd.DataFrame, model: str, reference: str) -> dict:
    """Series on which each model's mean loss is the smaller (ties and untested series in neither)."""
    lm, lr = per_series["loss_model"], per_series["loss_reference"]
    return {model: int((lm < lr).sum()), reference: int((lr < lm).sum())}


def _wins_across(combined: pd.Series, winner, alpha: float) -> bool:
    """Whether the test across the series is significant and favours ``winner`` (the model with
    the smaller mean loss), so that the two agree on who is better."""
    typical = combined["model"] if float(combined["statistic"]) < 0 else combined["reference"]
    return float(combined["p_across"]) < alpha and winner == typical


def _across_win(per_series, combined, values, name: str, alpha: float) -> str:
    """``"linear beats naive on MASE by 47% overall, better on 390 of 414 series (Wilcoxon
    signed-rank p<0.001)"``."""
    model, reference = str(combined["model"]), str(combined["reference"])
    winner, loser, percent = _winner(model, reference, combined, values)
    better = _better_counts(per_series, model, reference)
    return (f"{winner} beats {loser} on {name} by {percent} overall, better on {better[winner]} of "
            f"{better[model] + better[reference]} series (Wilcoxon signed-rank "
            f"{_p(float(combined['p_across']), alpha)})")


def _across_line(per_series, combined, values, name: str, alpha: float) -> str:
    """The verdict across the series of a panel whose series have too few origins to be tested."""
    model, reference = str(combined["model"]), str(combined["reference"])
    n = int(combined["n_origins"])
    if _wins_across(combined, _winner(model, reference, combined, values)[0], alpha):
        return f"{_across_win(per_series, combined, values, name, alpha)}; {n} origins."
    better = _better_counts(per_series, model, reference)
    return (f"{model} is not distinguishable from {reference} on {name} across the series: {model} is "
            f"better on {better[model]} and {reference} on {better[reference]} (Wilcoxon signed-rank "
            f"{_p(float(combined['p_across']), alpha)}, {n} origins).")


def _untested_line(untested: list, name: str, origins: int | None = None) -> str:
    """One line for every comparison without a p-value: how many origins, and the fix (the run's
    ``origins`` plus the shared origins it lacks, when given)."""
    pairs = [f"{c['model']} vs {c['reference']}" for _, c in untested]
    what = (f"{pairs[0]} on {name}" if len(pairs) == 1 else
            f"{len(pairs)} comparisons on {name} ({listing(pairs, shown=3)})")
    panel = any(len(per_series) > 1 for per_series, _ in untested)
    most = max(int(per_series["n_origins"].max()) if len(per_series) else 0
               for per_series, _ in untested)
    have = f"at most {most} shared origins per series" if panel else f"{most} shared origins"
    needed = max(int(c["min_origins"]) for _, c in untested)
    folds = needed if origins is None or origins <= most else origins + needed - most
    unscored = "" if folds == needed else f" ({origins - most} of the {origins} origins have no scores to compare)"
    if needed <= 3:
        return (f"Not enough origins to test {what}: {have}, and the test needs 3. Set `folds` to {folds} or "
                f"more{unscored}.")
    return (f"Not enough origins to test {what}: {have}, but the forecasts of each origin share targets "
            f"with the next {needed // ORIGINS_PER_OVERLAP - 1}, so a test of the right size needs at least "
            f"{needed}. Set `folds` to {folds} or more{unscored}, or raise `stride` (with `stride` >= the "
            "horizon the origins do not overlap and 3 suffice); on series too short for either, a shorter "
            f"`horizon` needs fewer ({ORIGINS_PER_OVERLAP} per step).")


def _winner(model: str, reference: str, combined: pd.Series, values: dict):
    """(winner, loser, "18%") from paired means, percentage from the leaderboard if it agrees."""
    loss = {model: float(combined["loss_model"]), reference: float(combined["loss_reference"])}
    if loss[model] < loss[reference]:
        winner, loser = model, reference
    elif loss[reference] < loss[model]:
        winner, loser = reference, model
    else:  # equal (or nan): no winner
        return None, None, ""
    board = {m: values.get(m, math.nan) for m in (model, reference)}
    if all(math.isfinite(v) for v in board.values()) and board[winner] < board[loser]:
        loss = board
    percent = (1.0 - loss[winner] / loss[loser]) * 100.0 if loss[loser] > 0 else math.nan
    return winner, loser, _percent(percent)


def _warnings(per_series: pd.DataFrame, combined: pd.Series, name: str = "the metric") -> list[str]:
    out = []
    if math.isnan(float(combined["p"])):
        return out
    undefined = per_series["n_origins"].fillna(0).astype(int) == 0  # no origin has a value of the metric
    if undefined.any():
        ids = [repr(str(sid)) for sid in per_series.loc[undefined, "id"]]
        out.append(f"Warning: {name} is undefined for {len(ids)} of {len(per_series)} series ({listing(ids, shown=5)}: "
                   "e.g. a flat history, whose in-sample error, the MASE scale, is 0, or a MAPE of zeros); they "
                   f"are left out of {name} and its tests.")
        per_series = per_series[~undefined]
    few = per_series[per_series["few_origins"].astype(bool)]
    untestable = int(per_series["p"].isna().sum())
    advice = ("with fewer than 10 forecast origins the test has little power and its p-values "
              "are rough. Evaluate at more origins before trusting a difference.")
    if len(per_series) == 1 and len(few):
        out.append(f"Warning: only {int(combined['n_origins'])} origins; {advice}")
    elif len(few):
        out.append(f"Warning: {len(few)} of {len(per_series)} series have fewer than 10 origins "
                   f"(as few as {int(few['n_origins'].min())}); {advice}")
    if len(per_series) > 1 and untestable:
        out.append(f"Warning: {untestable} of {len(per_series)} series could not be tested "
                   "(too few shared origins) and "
                   f"{'is' if untestable == 1 else 'are'} left out of the Holm correction.")
    return out


def _p(p: float, alpha: float) -> str:
    """``p<0.001``, ``p=0.010``, ``p=0.41``; never rounds a significant p up to alpha."""
    if p < 0.001:
        return "p<0.001"
    text = f"{p:.2f}" if p >= 0.1 else f"{p:.3f}"
    if p < alpha <= float(text):
        text = f"{p:.4f}"
    return f"p={text}"


def _percent(percent: float) -> str:
    if math.isnan(percent):
        return "an undefined margin"
    if percent >= 9.5:
        return f"{percent:.0f}%"
    if percent >= 0.05:
        return f"{percent:.1f}%"
    return "less than 0.1%"


def _leaderboard_values(leaderboard, metric) -> dict:
    if not isinstance(leaderboard, pd.DataFrame):
        raise ConfigTypeError("`leaderboard` must be a pandas DataFrame with a `model` column. "
                              f"Received: {type(leaderboard).__name__}")
    for column in ("model", metric):
        if column not in leaderboard.columns:
            raise ConfigError(f"`leaderboard` must have columns model and {metric!r} (`metric`). "
                              f"Received columns: {', '.join(map(str, leaderboard.columns))}")
    scores = pd.to_numeric(leaderboard[metric], errors="coerce")
    return {str(m): float(v) for m, v in zip(leaderboard["model"], scores)}


def _split_table(table, key) -> tuple[pd.DataFrame, pd.Series]:
    if not isinstance(table, pd.DataFrame):
        raise ConfigTypeError(f"`comparisons[{key!r}]` must be a table returned by compare(). "
                              f"Received: {type(table).__name__}")
    missing = [c for c in COMPARE_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"`comparisons[{key!r}]` must be a table returned by compare(); missing "
                          f"columns {', '.join(missing)}")
    is_all = table["id"].astype(str) == ALL_ID
    if is_all.sum() != 1 or is_all.all():
        raise ConfigError(f"`comparisons[{key!r}]` must have per-series rows and one row with "
                          f"id={ALL_ID!r}, as returned by compare()")
    return table[~is_all], table[is_all].iloc[0]
