"""Tests for forecastkit.significance: Diebold-Mariano, Holm, compare() and verdict().

The old test (before issue 18) is R's ``forecast::dm.test`` (default "acf" variance
estimator): ``d.cov <- acf(d, lag.max = h - 1, type = "covariance")``,
``d.var <- sum(c(d.cov[1], 2 * d.cov[-1])) / n``, ``DM = mean(d) / sqrt(d.var)`` times
``((n + 1 - 2h + (h / n)(h - 1)) / n)^(1/2)``, ``p = 2 * pt(-|DM|, n - 1)``. It is transcribed
below with plain Python loops (``_dm_test_r``) and, for small cases, worked out by hand. It now
lives in ``benchmarks/dm_size.py`` (``old_diebold_mariano``, the baseline of the size table),
which these tests check against R; the library's test equals it for ``h = 1`` and for origins
that do not overlap (the paired t-test), and uses a fixed-smoothing periodogram variance
(Coroneo & Iacone 2020) when they do.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import origin_losses
from scipy import stats

from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.significance import (
    ALL_ID,
    COMPARE_COLUMNS,
    compare,
    diebold_mariano,
    holm,
    min_origins,
    overlap,
)
from forecastkit.significance.pairwise import (
    _cube_root_floor,
)


def _load_benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "dm_size.py"
    spec = importlib.util.spec_from_file_location("dm_size_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCHMARK = _load_benchmark()
_old = BENCHMARK.old_diebold_mariano   # the previous library test, kept as the benchmark's baseline


def _dm_test_r(e1, e2, h):
    """Line-by-line transcription of forecast::dm.test (power 1 losses given directly)."""
    d = [a - b for a, b in zip(e1, e2)]
    n = len(d)
    mean = sum(d) / n
    acf = [sum((d[t] - mean) * (d[t - k] - mean) for t in range(k, n)) / n for k in range(h)]
    d_var = (acf[0] + 2 * sum(acf[1:])) / n
    assert d_var > 0, "the reference transcription only covers the positive-variance case"
    statistic = mean / math.sqrt(d_var)
    k = ((n + 1 - 2 * h + (h / n) * (h - 1)) / n) ** 0.5
    statistic *= k
    return statistic, 2 * stats.t.cdf(-abs(statistic), n - 1)


# ----------------------------------------------------------------------- diebold_mariano


def test_dm_h1_by_hand():
    # d = [1, -1, 2, 0, 3]: mean 1, gamma_0 = 10/5 = 2, DM = 1 / sqrt(2/5),
    # HLN factor sqrt((5 + 1 - 2) / 5) = sqrt(0.8), so DM* = sqrt(2); t with 4 df.
    stat, p = diebold_mariano([2., 1., 4., 3., 5.], [1., 2., 2., 3., 2.], horizon=1)
    assert stat == pytest.approx(math.sqrt(2), rel=1e-12)
    assert p == pytest.approx(2 * stats.t.sf(math.sqrt(2), 4), rel=1e-12)
    assert p == pytest.approx(0.2302, abs=1e-4)


def test_old_dm_h3_hac_by_hand():
    # d = [1, 0, 2, -1, 3, 1, 2, 0], n = 8, mean 1, centred [0, -1, 1, -2, 2, 0, 1, -1]:
    # gamma_0 = 12/8, gamma_1 = -8/8, gamma_2 = 6/8, V = 1.5 + 2 (-1 + 0.75) = 1,
    # DM = 1 / sqrt(1/8) = sqrt(8); HLN (8 + 1 - 6 + 3*2/8) / 8 = 0.46875 -> DM* = sqrt(3.75).
    d = np.array([1., 0., 2., -1., 3., 1., 2., 0.])
    base = np.linspace(1.0, 2.0, 8)
    stat, p = _old(base + d, base, 3)
    assert stat == pytest.approx(math.sqrt(3.75), rel=1e-12)
    assert p == pytest.approx(2 * stats.t.sf(math.sqrt(3.75), 7), rel=1e-12)
    assert (stat, p) == pytest.approx(_dm_test_r(base + d, base, 3), rel=1e-12)


def test_old_hln_factor():
    # With the same d, DM* / DM must be sqrt((n + 1 - 2h + h(h-1)/n) / n) = sqrt((n-h)(n-h+1))/n.
    rng = np.random.default_rng(1)
    a, b = rng.gamma(2.0, size=30), rng.gamma(2.0, size=30)
    d = a - b
    n = d.size
    for h in (1, 2, 4):
        dc = d - d.mean()
        v = sum(np.dot(dc[k:], dc[: n - k]) / n * (1 if k == 0 else 2) for k in range(h))
        if v <= 0:
            continue
        raw = d.mean() / math.sqrt(v / n)
        stat, _ = _old(a, b, h)
        assert stat / raw == pytest.approx(math.sqrt((n - h) * (n - h + 1)) / n, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("h", [1, 2, 3, 6])
def test_dm_matches_r_transcription(seed, h):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(2, 25)).cumsum(axis=1) * 0.1 + rng.normal(size=(2, 25))
    a, b = np.abs(e[0]), np.abs(e[1]) * 1.1
    d = a - b
    dc = d - d.mean()
    v = sum(np.dot(dc[k:], dc[: d.size - k]) * (1 if k == 0 else 2) for k in range(h))
    if v <= 0:
        pytest.skip("negative HAC variance: covered by test_negative_variance_falls_back_to_h1")
    assert _old(a, b, h) == pytest.approx(_dm_test_r(a, b, h), rel=1e-10)
    # The library: non-overlapping origins (stride >= h) are dm.test with h = 1, the paired t-test.
    assert diebold_mariano(a, b, h, stride=h) == pytest.approx(_dm_test_r(a, b, 1), rel=1e-10)
    if h == 1:
        assert diebold_mariano(a, b, h) == pytest.approx(_dm_test_r(a, b, h), rel=1e-10)


def test_old_hac_variance_matches_statsmodels_uniform_kernel():
    sandwich = pytest.importorskip("statsmodels.stats.sandwich_covariance")
    rng = np.random.default_rng(3)
    a, b = rng.gamma(2.0, size=40), rng.gamma(2.2, size=40)
    d = a - b
    n, h = d.size, 4
    s = float(sandwich.S_hac_simple(d - d.mean(), nlags=h - 1,
                                    weights_func=sandwich.weights_uniform)[0, 0])
    assert s > 0
    expected = d.mean() / math.sqrt(s / n / n) * math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    assert _old(a, b, h)[0] == pytest.approx(expected, rel=1e-12)


def test_h1_is_the_paired_t_test():
    rng = np.random.default_rng(7)
    a, b = rng.gamma(2.0, size=20), rng.gamma(2.0, size=20)
    expected = stats.ttest_rel(a, b)
    stat, p = diebold_mariano(a, b, horizon=1)
    assert stat == pytest.approx(expected.statistic, rel=1e-10)
    assert p == pytest.approx(expected.pvalue, rel=1e-10)


def test_old_negative_variance_falls_back_to_h1():
    # Same d as the h=3 example: with h=2, V = 1.5 - 2 = -0.5 <= 0, so (like dm.test) the
    # test is redone with h = 1: the paired t-test, DM* = sqrt(8 / 1.5 * 7 / 8) = sqrt(7 / 1.5).
    d = np.array([1., 0., 2., -1., 3., 1., 2., 0.])
    stat, p = _old(d, np.zeros(8), 2)
    assert stat == pytest.approx(math.sqrt(7 / 1.5), rel=1e-12)
    assert (stat, p) == pytest.approx(diebold_mariano(d, np.zeros(8), horizon=1), rel=1e-12)


def test_symmetric_case_has_p_one():
    assert diebold_mariano([1., 2., 3., 4.], [1., 2., 3., 4.], horizon=1) == (0.0, 1.0)
    # Losses swapped at alternate origins: mean difference exactly 0 -> statistic 0, p = 1
    # (8 origins: the fewest h = 2 allows; its only periodogram ordinate, j = 1, is 0 too).
    stat, p = diebold_mariano([1., 2.] * 4, [2., 1.] * 4, horizon=2)
    assert stat == 0.0
    assert p == pytest.approx(1.0)


def test_clear_difference():
    rng = np.random.default_rng(0)
    better = 1.0 + rng.normal(0, 0.1, 40)
    worse = 1.5 + rng.normal(0, 0.1, 40)
    stat, p = diebold_mariano(better, worse, horizon=3)
    assert stat < 0 and p < 0.001
    stat2, p2 = diebold_mariano(worse, better, horizon=3)
    assert stat2 == pytest.approx(-stat) and p2 == pytest.approx(p)


def test_dm_edge_cases():
    assert all(math.isnan(v) for v in diebold_mariano([1., 2.], [2., 3.], horizon=1))
    assert all(math.isnan(v) for v in diebold_mariano([], [], horizon=1))
    # Fewer origins than min_origins (4 per overlapping origin: 12 for h = 3) -> untestable.
    assert all(math.isnan(v) for v in diebold_mariano([1., 2., 4.], [2., 2., 2.], horizon=3))
    assert all(math.isnan(v) for v in diebold_mariano(np.arange(11.), np.zeros(11), horizon=3))
    assert not math.isnan(diebold_mariano(np.arange(12.), np.zeros(12), horizon=3)[1])
    # Better by the same amount at every origin: the limit of the statistic.
    assert diebold_mariano([1., 2., 3., 4.], [1.5, 2.5, 3.5, 4.5], horizon=1) == (-math.inf, 0.0)
    stat, p = diebold_mariano(pd.Series([2., 1., 4., 3., 5.]), [1., 2., 2., 3., 2.], np.int64(1))
    assert isinstance(stat, float) and isinstance(p, float)


def test_dm_input_errors():
    with pytest.raises(ConfigError, match=r"same length. Received: len\(loss_a\)=3, len\(loss_b\)=2"):
        diebold_mariano([1., 2., 3.], [1., 2.], horizon=1)
    with pytest.raises(DataError, match=r"`loss_b` must be finite. Received: nan at position 1"):
        diebold_mariano([1., 2., 3.], [1., np.nan, 2.], horizon=1)
    with pytest.raises(ConfigError, match=r"`horizon` must be >= 1. Received: horizon=0"):
        diebold_mariano([1., 2., 3.], [1., 2., 3.], horizon=0)
    with pytest.raises(ConfigTypeError, match=r"Received: horizon='3'"):
        diebold_mariano([1., 2., 3.], [1., 2., 3.], horizon="3")
    with pytest.raises(ConfigError, match="one-dimensional"):
        diebold_mariano(np.ones((3, 2)), np.ones((3, 2)), horizon=1)


def test_overlap_and_min_origins():
    assert [overlap(12, s) for s in (1, 5, 6, 11, 12, 24)] == [12, 3, 2, 2, 1, 1]
    assert [min_origins(h) for h in (1, 2, 6, 12)] == [3, 8, 24, 48]
    assert min_origins(12, stride=12) == 3 and min_origins(12, stride=6) == 8
    with pytest.raises(ConfigError, match=r"`stride` must be >= 1. Received: stride=0"):
        min_origins(6, stride=0)
    with pytest.raises(ConfigTypeError, match=r"`horizon` must be an integer >= 1. Received: horizon=1.5"):
        overlap(1.5)


def test_cube_root_floor_has_no_float_rounding():
    assert [_cube_root_floor(n) for n in (1, 7, 8, 26, 27, 63, 64, 999, 1000, 10**6)] == [
        1, 1, 2, 2, 3, 3, 4, 9, 10, 100]


def _periodogram_by_hand(d, bandwidth):
    """(1/B) sum_{j=1..B} |sum_t (d_t - mean) e^{-2 pi i j t / n}|^2 / n, with plain loops."""
    n, mean = len(d), sum(d) / len(d)
    total = 0.0
    for j in range(1, bandwidth + 1):
        re = sum((x - mean) * math.cos(2 * math.pi * j * t / n) for t, x in enumerate(d))
        im = sum((x - mean) * math.sin(2 * math.pi * j * t / n) for t, x in enumerate(d))
        total += (re * re + im * im) / n
    return total / bandwidth


@pytest.mark.parametrize("n, horizon, bandwidth", [(12, 3, 1), (24, 3, 2), (100, 2, 4), (100, 6, 4),
                                                   (48, 12, 1), (64, 4, 4)])
def test_overlapping_origins_use_the_fixed_smoothing_periodogram(n, horizon, bandwidth):
    # B = min(floor(n^(1/3)), floor(n / (4 h))); DM = mean / sqrt(sigma^2 / n) ~ t(2B).
    rng = np.random.default_rng(n + horizon)
    a, b = rng.gamma(2.0, size=n), rng.gamma(2.1, size=n)
    d = (a - b).tolist()
    variance = _periodogram_by_hand(d, bandwidth)
    expected = (sum(d) / n) / math.sqrt(variance / n)
    stat, p = diebold_mariano(a, b, horizon=horizon)
    assert stat == pytest.approx(expected, rel=1e-9)
    assert p == pytest.approx(2 * stats.t.sf(abs(expected), 2 * bandwidth), rel=1e-9)


def test_non_overlapping_origins_need_no_lag_correction():
    # 8 origins with horizon 6: refused when the origins are one row apart (24 needed), the
    # paired t-test when they are 6 rows apart (each origin's forecasts are its own).
    rng = np.random.default_rng(11)
    a, b = rng.gamma(2.0, size=8), rng.gamma(2.0, size=8)
    assert all(math.isnan(v) for v in diebold_mariano(a, b, horizon=6))
    expected = stats.ttest_rel(a, b)
    assert diebold_mariano(a, b, horizon=6, stride=6) == pytest.approx(
        (expected.statistic, expected.pvalue), rel=1e-10)
    assert diebold_mariano(a, b, horizon=6, stride=8) == diebold_mariano(a, b, horizon=6, stride=6)
    # stride 3: two origins overlap, 8 = 4 * 2 suffice.
    assert not math.isnan(diebold_mariano(a, b, horizon=6, stride=3)[1])


def test_dm_is_sized_where_the_old_test_was_not():
    # Equally accurate forecasts, loss differential MA(h - 1) (origins one row apart), 500
    # replications per cell: the old HAC test rejects the true null far more often than 5%
    # (benchmarks/dm_size.md: 15% and 16%); the new one stays near 5%.
    rng = np.random.default_rng(2024)
    old_rejections = new_rejections = total = 0
    for h, n in ((6, 24), (12, 48)):
        draws, _ = BENCHMARK.differentials("equal", h, n, 500, rng)
        zeros = np.zeros(n)
        old_rejections += sum(_old(d, zeros, h)[1] < 0.05 for d in draws)
        new_rejections += sum(diebold_mariano(d, zeros, horizon=h)[1] < 0.05 for d in draws)
        total += len(draws)
    assert old_rejections / total > 0.11
    assert 0.025 <= new_rejections / total <= 0.075


def test_dm_keeps_power_when_the_difference_is_real():
    rng = np.random.default_rng(5)
    draws, sd_mean = BENCHMARK.differentials("equal", 3, 60, 300, rng)
    zeros = np.zeros(60)
    rejected = np.mean([diebold_mariano(d + 4 * sd_mean, zeros, horizon=3)[1] < 0.05 for d in draws])
    assert rejected > 0.6


# ----------------------------------------------------------------------- holm


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> running max.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_nan_cap_and_monotone():
    out = holm([0.5, np.nan, 0.3, 0.01])
    assert math.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx([0.6, 0.6, 0.03])   # m = 3, nan not counted
    assert holm([0.6, 0.7]).tolist() == [1.0, 1.0]
    raw = np.random.default_rng(0).uniform(size=12)
    adjusted = holm(raw)
    order = np.argsort(raw)
    assert np.all(np.diff(adjusted[order]) >= 0) and np.all(adjusted >= raw)
    assert holm([]).shape == (0,)
    assert holm([0.2]).tolist() == [0.2]


def test_holm_matches_statsmodels():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    raw = np.random.default_rng(5).uniform(0, 0.2, size=9)
    expected = multitest.multipletests(raw, method="holm")[1]
    assert holm(raw) == pytest.approx(expected, rel=1e-12)


def test_holm_errors():
    with pytest.raises(ConfigError, match=r"must lie in \[0, 1\]. Received: 1.5 at position 1"):
        holm([0.1, 1.5])
    with pytest.raises(ConfigError, match="one-dimensional"):
        holm([[0.1, 0.2]])


# ----------------------------------------------------------------------- compare


def test_compare_single_series():
    losses = origin_losses({("linear", "s"): 1.0, ("naive", "s"): 1.3})
    table = compare(losses, "linear", "naive", horizon=2)
    assert tuple(table.columns) == COMPARE_COLUMNS
    assert table["id"].tolist() == ["s", ALL_ID]
    m = losses[losses.model == "linear"]["loss"].to_numpy()
    r = losses[losses.model == "naive"]["loss"].to_numpy()
    stat, p = diebold_mariano(m, r, 2)
    row, combined = table.iloc[0], table.iloc[1]
    assert row["n_origins"] == 40 and not row["few_origins"]
    assert row["loss_model"] == pytest.approx(m.mean())
    assert row["rel_diff"] == pytest.approx(m.mean() / r.mean() - 1)
    assert (row["statistic"], row["p"], row["p_holm"]) == pytest.approx((stat, p, p))
    assert combined["p"] == pytest.approx(p) and combined["p_holm"] == pytest.approx(p)
    assert math.isnan(combined["statistic"])
    assert combined["loss_reference"] == pytest.approx(r.mean())


def test_compare_panel_holm_and_combination():
    losses = origin_losses({("a", "x"): 1.0, ("b", "x"): 1.3,      # clear difference
                      ("a", "y"): 1.0, ("b", "y"): 1.01,     # none
                      ("a", "z"): 2.0, ("b", "z"): 2.0}, n=30)
    table = compare(losses, "a", "b", horizon=1)
    series = table[table["id"] != ALL_ID]
    assert series["id"].tolist() == ["x", "y", "z"]
    assert series["p_holm"].to_numpy() == pytest.approx(holm(series["p"].to_numpy()))
    combined = table[table["id"] == ALL_ID].iloc[0]
    assert combined["p"] == pytest.approx(series["p_holm"].min())
    assert combined["n_origins"] == 90
    a = losses[losses.model == "a"]["loss"].mean()
    b = losses[losses.model == "b"]["loss"].mean()
    assert combined["loss_model"] == pytest.approx(a)
    assert combined["rel_diff"] == pytest.approx(a / b - 1)
    assert series.iloc[0]["p_holm"] < 0.001 and series.iloc[0]["statistic"] < 0


def test_compare_sorts_origins_and_accepts_timestamps():
    losses = origin_losses({("a", "s"): 1.0, ("b", "s"): 1.1}, n=12, seed=4)
    losses["origin"] = pd.date_range("2020-01-01", periods=12, freq="MS").tolist() * 2
    shuffled = losses.sample(frac=1.0, random_state=0)
    expected = compare(losses, "a", "b", horizon=3)
    pd.testing.assert_frame_equal(compare(shuffled, "a", "b", horizon=3), expected)
    m = losses[losses.model == "a"]["loss"].to_numpy()
    r = losses[losses.model == "b"]["loss"].to_numpy()
    assert expected["statistic"].iloc[0] == pytest.approx(diebold_mariano(m, r, 3)[0])


def test_compare_drops_failed_and_unshared_origins():
    losses = origin_losses({("a", "s"): 1.0, ("b", "s"): 1.2, ("a", "only_a"): 1.0}, n=12)
    losses.loc[(losses.model == "b") & (losses.origin == 3), "loss"] = np.nan   # failed fit
    losses = losses[~((losses.model == "a") & (losses.id == "s") & (losses.origin == 5))]
    table = compare(losses, "a", "b", horizon=1).set_index("id")
    assert table.loc["s", "n_origins"] == 10
    keep = ~losses.origin.isin([3, 5]) & (losses.id == "s")
    assert table.loc["s", "loss_reference"] == pytest.approx(losses[keep & (losses.model == "b")]["loss"].mean())
    assert table.loc["only_a", "n_origins"] == 0
    assert math.isnan(table.loc["only_a", "p"]) and math.isnan(table.loc["only_a", "p_holm"])
    assert table.loc["s", "p_holm"] == pytest.approx(table.loc["s", "p"])     # m = 1
    assert table.loc[ALL_ID, "few_origins"]


def test_compare_uses_the_stride_and_reports_min_origins():
    losses = origin_losses({("a", "s"): 1.0, ("b", "s"): 1.3}, n=8)
    overlapping = compare(losses, "a", "b", horizon=6)
    assert overlapping["p"].isna().all() and overlapping["min_origins"].tolist() == [24, 24]
    apart = compare(losses, "a", "b", horizon=6, stride=6)
    m = losses[losses.model == "a"]["loss"].to_numpy()
    r = losses[losses.model == "b"]["loss"].to_numpy()
    assert apart["p"].iloc[0] == pytest.approx(diebold_mariano(m, r, 6, stride=6)[1])
    assert apart["p"].iloc[0] < 0.001 and apart["min_origins"].tolist() == [3, 3]


def test_compare_errors():
    losses = origin_losses({("a", "s"): 1.0, ("b", "s"): 1.2}, n=5)
    with pytest.raises(ConfigError, match=r"`reference` must be a model in `losses`, one of a, b. Received: reference='c'"):
        compare(losses, "a", "c", horizon=1)
    with pytest.raises(ConfigError, match="must differ"):
        compare(losses, "a", "a", horizon=1)
    with pytest.raises(ConfigError, match="missing loss"):
        compare(losses.drop(columns="loss"), "a", "b", horizon=1)
    with pytest.raises(DataError, match=r"one row per \(model, id, origin\).*origin=0.*Average"):
        compare(pd.concat([losses, losses.iloc[:1]]), "a", "b", horizon=1)
    with pytest.raises(ConfigError, match="`horizon` must be >= 1"):
        compare(losses, "a", "b", horizon=0)
    with pytest.raises(ConfigError, match="`stride` must be >= 1"):
        compare(losses, "a", "b", horizon=1, stride=0)
