"""Tests for forecastkit.significance's verdict(): the plain-language lines of a comparison,
per series and across the series of a panel (the Wilcoxon signed-rank test of
``significance.pairwise.signed_rank``)."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import origin_losses
from scipy import stats

from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.significance import (
    ALL_ID,
    COMPARE_COLUMNS,
    compare,
    verdict,
)
from forecastkit.significance.pairwise import (
    MIN_SERIES_ACROSS,
    signed_rank,
)

# ----------------------------------------------------------------------- verdict


def _table(model, reference, rows, needed=3):
    """A hand-made compare() table: rows of (id, n, loss_model, loss_reference, stat, p, p_holm)."""
    records = [dict(model=model, reference=reference, id=sid, n_origins=n, loss_model=lm,
                    loss_reference=lr, rel_diff=lm / lr - 1, statistic=st, p=p, p_holm=ph,
                    few_origins=n < 10, min_origins=needed)
               for sid, n, lm, lr, st, p, ph in rows]
    return pd.DataFrame(records, columns=list(COMPARE_COLUMNS))


BOARD = pd.DataFrame({"model": ["linear", "stacked", "seasonal_naive"], "mase": [0.82, 0.83, 1.0]})


def test_verdict_significant_single_series():
    table = _table("linear", "seasonal_naive", [("s", 40, 0.81, 0.99, -2.9, 0.0104, 0.0104),
                                                (ALL_ID, 40, 0.81, 0.99, np.nan, 0.0104, 0.0104)])
    # percentage from the leaderboard: (1 - 0.82 / 1.0) * 100 = 18
    assert verdict(BOARD, {"x": table}, "mase") == [
        "linear beats seasonal_naive on MASE by 18% (p=0.010, 40 origins)."]


def test_verdict_reference_wins_and_p_formats():
    table = _table("stacked", "seasonal_naive", [("s", 40, 1.2, 1.0, 3.0, 0.0004, 0.0004),
                                                 (ALL_ID, 40, 1.2, 1.0, np.nan, 0.0004, 0.0004)])
    # The leaderboard says stacked is better, the tested origins say the opposite: the
    # winner follows the test and the percentage its losses, (1 - 1.0 / 1.2) * 100 = 16.7.
    assert verdict(BOARD, {"x": table}, "mase") == [
        "seasonal_naive beats stacked on MASE by 17% (p<0.001, 40 origins)."]
    # A p just under alpha is never printed as 0.050.
    table.loc[:, ["p", "p_holm"]] = 0.0496
    assert "(p=0.0496, 40 origins)" in verdict(BOARD, {"x": table}, "mase")[0]


def test_verdict_not_distinguishable_and_few_origins_warning():
    table = _table("stacked", "linear", [("s", 6, 0.83, 0.82, 0.9, 0.41, 0.41),
                                         (ALL_ID, 6, 0.83, 0.82, np.nan, 0.41, 0.41)])
    lines = verdict(BOARD, {("stacked", "linear"): table, "again": table}, "mase")
    assert lines[0] == "stacked is not distinguishable from linear on MASE (p=0.41, 6 origins)."
    assert lines[1] == lines[0]
    assert len(lines) == 3                               # the warning is not repeated
    assert lines[2].startswith("Warning: only 6 origins; with fewer than 10 forecast origins")


def test_verdict_untestable():
    table = _table("linear", "seasonal_naive", [("s", 2, 0.8, 1.0, np.nan, np.nan, np.nan),
                                                (ALL_ID, 2, 0.8, 1.0, np.nan, np.nan, np.nan)])
    assert verdict(BOARD, {"x": table}, "mase") == [
        "Not enough origins to test linear vs seasonal_naive on MASE: 2 shared origins, and the "
        "test needs 3. Set `folds` to 3 or more."]


def test_verdict_says_not_enough_origins_once_with_the_fix():
    # Nine pairs on 8 overlapping origins (horizon 6): one line, naming how many `folds` do.
    models = ["best", *(f"m{i}" for i in range(9))]
    losses = origin_losses({(m, "s"): 1.0 + 0.1 * i for i, m in enumerate(models)}, n=8)
    board = pd.DataFrame({"model": models, "mase": [1.0 + 0.1 * i for i in range(len(models))]})
    tables = {m: compare(losses, m, "best", horizon=6) for m in models[1:]}
    lines = verdict(board, tables, "mase")
    assert lines == [
        "Not enough origins to test 9 comparisons on MASE (m0 vs best, m1 vs best, m2 vs best and 6 "
        "more): 8 shared origins, but the forecasts of each origin share targets with the next 5, so "
        "a test of the right size needs at least 24. Set `folds` to 24 or more, or raise `stride` "
        "(with `stride` >= the horizon the origins do not overlap and 3 suffice); on series too short for "
        "either, a shorter `horizon` needs fewer (4 per step)."]
    # The same origins 6 rows apart do not overlap: every pair is tested, no such line.
    apart = verdict(board, {m: compare(losses, m, "best", horizon=6, stride=6) for m in models[1:]}, "mase")
    assert len(apart) == 10 and not any("Not enough origins" in line for line in apart)
    assert all(", 8 origins)." in line for line in apart[:9])                # a p-value each
    assert apart[9].startswith("Warning: only 8 origins")


def test_verdict_untested_panel_and_tested_lines_first():
    tested = _table("linear", "seasonal_naive", [("s", 40, 0.81, 0.99, -2.9, 0.0104, 0.0104),
                                                 (ALL_ID, 40, 0.81, 0.99, np.nan, 0.0104, 0.0104)])
    untested = _table("stacked", "linear", [("a", 20, 0.8, 1.0, np.nan, np.nan, np.nan),
                                            ("b", 30, 0.8, 1.0, np.nan, np.nan, np.nan),
                                            (ALL_ID, 50, 0.8, 1.0, np.nan, np.nan, np.nan)], needed=48)
    lines = verdict(BOARD, {"u": untested, "t": tested}, "mase")
    assert lines[0].startswith("linear beats seasonal_naive on MASE by 18%")
    assert lines[1].startswith("Not enough origins to test stacked vs linear on MASE: at most 30 shared "
                               "origins per series, but the forecasts of each origin share targets with "
                               "the next 11, so a test of the right size needs at least 48.")
    assert len(lines) == 2


def test_verdict_panel_wording():
    rows = [("a", 40, 0.7, 1.0, -4.0, 0.0001, 0.0003), ("b", 40, 0.8, 1.0, -3.5, 0.002, 0.004),
            ("c", 8, 0.95, 1.0, -0.5, 0.6, 0.6), ("d", 2, 0.8, 1.0, np.nan, np.nan, np.nan)]
    table = _table("linear", "seasonal_naive", rows + [(ALL_ID, 90, 0.76, 1.0, np.nan, 0.0003, 0.0003)])
    lines = verdict(BOARD, {"x": table}, "mase")
    assert lines[0] == ("linear beats seasonal_naive on MASE by 18% overall (smallest Holm-adjusted p<0.001: series 'a', "
                        "40 origins); "
                        "significant on 2 of 3 series after Holm correction, all in favour of linear.")
    assert lines[1] == ("Warning: 2 of 4 series have fewer than 10 origins (as few as 2); with fewer "
                        "than 10 forecast origins the test has little power and its p-values are rough. "
                        "Evaluate at more origins before trusting a difference.")
    assert lines[2] == ("Warning: 1 of 4 series could not be tested (too few shared origins) and is "
                        "left out of the Holm correction.")


def test_verdict_panel_disagreement_and_no_difference():
    rows = [("a", 40, 0.5, 1.0, -4.0, 0.0001, 0.0002), ("b", 40, 1.3, 1.0, 3.5, 0.01, 0.01)]
    table = _table("linear", "seasonal_naive", rows + [(ALL_ID, 80, 0.9, 1.0, np.nan, 0.0002, 0.0002)])
    assert verdict(BOARD, {"x": table}, "mase") == [
        "linear vs seasonal_naive on MASE: linear is 18% better overall, but the series disagree: "
        "significant on 2 of 2 series after Holm correction, linear better on 1 and "
        "seasonal_naive better on 1 (smallest Holm-adjusted p<0.001: series 'a', 40 origins)."]
    rows = [("a", 40, 0.8, 1.0, -1.0, 0.3, 0.6), ("b", 40, 0.9, 1.0, -0.5, 0.5, 0.6)]
    table = _table("linear", "seasonal_naive", rows + [(ALL_ID, 80, 0.85, 1.0, np.nan, 0.6, 0.6)])
    assert verdict(BOARD, {"x": table}, "mase") == [
        "linear is not distinguishable from seasonal_naive on MASE on any of the 2 series after "
        "Holm correction (smallest Holm-adjusted p=0.60: series 'a', 40 origins)."]


def test_verdict_end_to_end_from_compare():
    losses = origin_losses({("linear", "s"): 0.8, ("naive", "s"): 1.0})
    table = compare(losses, "linear", "naive", horizon=3)
    board = pd.DataFrame({"model": ["other"], "smape": [1.0]})   # models missing: use the table
    line = verdict(board, {("linear", "naive"): table}, "smape")[0]
    pct = (1 - table["loss_model"].iloc[-1] / table["loss_reference"].iloc[-1]) * 100
    assert line == f"linear beats naive on sMAPE by {pct:.0f}% (p<0.001, 40 origins)."


def test_verdict_errors():
    table = _table("linear", "seasonal_naive", [("s", 40, 0.8, 1.0, -3.0, 0.01, 0.01),
                                                (ALL_ID, 40, 0.8, 1.0, np.nan, 0.01, 0.01)])
    with pytest.raises(ConfigError, match=r"`alpha` must be a number strictly between 0 and 1. Received: alpha=5"):
        verdict(BOARD, {"x": table}, "mase", alpha=5)
    with pytest.raises(ConfigError, match=r"`leaderboard` must have columns model and 'rmse'"):
        verdict(BOARD, {"x": table}, "rmse")
    with pytest.raises(ConfigError, match=r"id='\(all\)'"):
        verdict(BOARD, {"x": table.iloc[:1]}, "mase")
    with pytest.raises(ConfigTypeError, match="dict"):
        verdict(BOARD, [table], "mase")


# ------------------------------------------------------------- across the series


def test_signed_rank_matches_scipy_and_needs_enough_series():
    d = np.array([-0.3, -0.2, -0.25, -0.1, -0.4, 0.05, -0.15, -0.2, 0.0])
    r, p = signed_rank(d)
    assert p == pytest.approx(stats.wilcoxon(d[d != 0]).pvalue)     # zeros left out
    ranks = stats.rankdata(np.abs(d[d != 0]))
    assert r == pytest.approx((ranks[d[d != 0] > 0].sum() - ranks[d[d != 0] < 0].sum()) / ranks.sum())
    assert r < 0
    assert signed_rank(-d)[0] == pytest.approx(-r)
    few = np.r_[-np.ones(MIN_SERIES_ACROSS - 1), 0.0, np.nan]
    assert all(math.isnan(v) for v in signed_rank(few))


def test_a_large_panel_with_few_origins_is_judged_across_its_series():
    # 60 series, 3 origins each: no series can be significant after Holm correction, but the
    # model is better on nearly all of them.
    spec = {}
    for i in range(60):
        spec[("linear", f"s{i}")] = 0.8 + (0.4 if i % 12 == 0 else 0.0)
        spec[("seasonal_naive", f"s{i}")] = 1.0
    table = compare(origin_losses(spec, n=3, seed=1), "linear", "seasonal_naive", horizon=1, stride=1)
    combined = table[table["id"] == ALL_ID].iloc[0]
    assert combined["p"] > 0.05 and combined["p_across"] < 0.001 and combined["statistic"] < 0
    assert table[table["id"] != ALL_ID]["p_across"].isna().all()
    board = pd.DataFrame({"model": ["linear", "seasonal_naive"], "mase": [0.83, 1.0]})
    line = verdict(board, {"x": table}, "mase")[0]
    assert line.startswith("linear beats seasonal_naive on MASE by 17% overall, better on 55 of 60 series "
                           "(Wilcoxon signed-rank p<0.001), though no single series differs significantly "
                           "after Holm correction (smallest Holm-adjusted p=")
    # The same panel with the other model's losses shuffled between the series: no verdict.
    spec = {k: (1.0 if k[0] == "seasonal_naive" else 1.0 + (0.02 if int(k[1][1:]) % 2 else -0.02))
            for k in spec}
    table = compare(origin_losses(spec, n=3, seed=2), "linear", "seasonal_naive", horizon=1, stride=1)
    line = verdict(board, {"x": table}, "mase")[0]
    assert line.startswith("linear is not distinguishable from seasonal_naive on MASE on any of the 60 series "
                           "after Holm correction (smallest Holm-adjusted p=")
    assert "; across the series, linear is better on " in line and "(Wilcoxon signed-rank p=" in line


def test_across_the_series_joins_a_significant_panel_line():
    rows = [(f"s{i}", 40, 0.7, 1.0, -4.0, 0.0001, 0.0003 if i < 2 else 0.6) for i in range(7)]
    rows.append(("s7", 40, 1.1, 1.0, 1.0, 0.3, 0.6))
    table = _table("linear", "seasonal_naive", rows + [(ALL_ID, 320, 0.74, 1.0, -0.9, 0.0003, 0.0003)])
    table.loc[table["id"] == ALL_ID, "p_across"] = 0.016
    assert verdict(BOARD, {"x": table}, "mase") == [
        "linear beats seasonal_naive on MASE by 18% overall (smallest Holm-adjusted p<0.001: series 's0', 40 "
        "origins); significant on 2 of 8 "
        "series after Holm correction, all in favour of linear; across the series, linear is better on 7 "
        "and seasonal_naive on 1 (Wilcoxon signed-rank p=0.016)."]


def test_a_panel_too_short_per_series_is_still_judged_across_its_series():
    # 2 origins per series: no series can be tested (3 needed), the 40 series can.
    spec = {}
    for i in range(40):
        spec[("linear", f"s{i}")], spec[("seasonal_naive", f"s{i}")] = 0.7, 1.0
    table = compare(origin_losses(spec, n=2, seed=3), "linear", "seasonal_naive", horizon=1, stride=1)
    board = pd.DataFrame({"model": ["linear", "seasonal_naive"], "mase": [0.7, 1.0]})
    lines = verdict(board, {"x": table}, "mase")
    assert lines[0] == ("linear beats seasonal_naive on MASE by 30% overall, better on 40 of 40 series "
                        "(Wilcoxon signed-rank p<0.001); 80 origins.")
    assert lines[1].startswith("Not enough origins to test linear vs seasonal_naive on MASE: at most 2 shared "
                               "origins per series, and the test needs 3.")
    spec = {k: (1.0 + (0.02 if int(k[1][1:]) % 2 else -0.02) if k[0] == "linear" else 1.0) for k in spec}
    table = compare(origin_losses(spec, n=2, seed=3), "linear", "seasonal_naive", horizon=1, stride=1)
    line = verdict(board, {"x": table}, "mase")[0]
    assert line.startswith("linear is not distinguishable from seasonal_naive on MASE across the series: linear "
                           "is better on ")


def test_not_enough_origins_counts_the_origins_without_scores():
    # 40 origins in the run, but only 21 where both models have a score (intervals start late):
    # 24 shared origins need 43 folds, not 24.
    losses = origin_losses({("a", "s"): 1.0, ("b", "s"): 1.2}, n=21)
    table = compare(losses, "a", "b", horizon=6)
    board = pd.DataFrame({"model": ["a", "b"], "msis": [1.0, 1.2]})
    line = verdict(board, {"x": table}, "msis", origins=40)[0]
    assert "needs at least 24. Set `folds` to 43 or more (19 of the 40 origins have no scores to compare)" in line
    assert "Set `folds` to 24 or more, or raise" in verdict(board, {"x": table}, "msis")[0]


def test_a_series_whose_mase_is_undefined_is_named_not_called_short_of_origins():
    # a flat series (MASE scale 0) had "n_origins 0": "as few as 0" origins and "too few shared origins"
    from forecastkit.data import from_pandas
    from forecastkit.evaluation import WalkForward, walk_forward

    t = pd.date_range("2000-01-01", periods=60, freq="MS")
    rng = np.random.default_rng(0)
    frame = pd.concat([pd.DataFrame({"id": sid, "time": t, "y": y}) for sid, y in
                       (("flat", np.full(60, 5.0)), ("a", 50 + rng.normal(0, 3, 60).cumsum()),
                        ("b", 80 + rng.normal(0, 3, 60).cumsum()))])
    result = walk_forward(from_pandas(frame, id="id"), ["naive", "seasonal_naive"],
                          WalkForward(horizon=3, folds=12, stride=1, refit="always"), baselines=False)
    _, lines = result.significance("mase")
    text = "\n".join(lines)
    assert ("MASE is undefined for 1 of 3 series ('flat': e.g. a flat history, whose in-sample error, the MASE "
            "scale, is 0, or a MAPE of zeros); they are left out of MASE and its tests.") in text
    assert "as few as 0" not in text and "too few shared origins" not in text
