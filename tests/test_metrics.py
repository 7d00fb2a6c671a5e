"""Tests for forecastkit.metrics (hand-computed values, edge cases, score() tables)."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from forecastkit import metrics
from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.metrics import (
    METRICS,
    ROW_LOSSES,
    MetricWarning,
    effective_scale,
    insample_scales,
    mae,
    mape,
    mase,
    owa,
    rmse,
    row_losses,
    score,
    smape,
)

approx = pytest.approx


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    """A MetricWarning a test does not expect fails it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", MetricWarning)
        yield


# ------------------------------------------------------------------------ scalar metrics


def test_mae_rmse_hand_values():
    y, f = [3.0, 5.0, 2.0, 8.0], [2.0, 5.0, 4.0, 4.0]  # e = 1, 0, -2, 4
    assert mae(y, f) == approx(7 / 4)
    assert rmse(y, f) == approx(math.sqrt(21 / 4))
    assert isinstance(mae(y, f), float) and isinstance(rmse(y, f), float)


def test_metrics_accept_2d_series_and_ints():
    y = np.array([[1, 2], [3, 4]])
    f = pd.DataFrame([[1, 3], [5, 4]])
    assert mae(y, f) == approx(3 / 4)
    assert rmse(pd.Series([1, 2]), np.array([1, 4])) == approx(math.sqrt(2))


def test_mape_hand_value():
    assert mape([100.0, 200.0, 50.0], [110.0, 150.0, 50.0]) == approx((10 + 25 + 0) / 3)
    assert mape([-100.0], [-90.0]) == approx(10.0)


def test_mape_skips_zero_actuals_with_warning():
    with pytest.warns(MetricWarning, match=r"skipped 2 of 4 values where y_true == 0"):
        value = mape([0.0, 100.0, 0.0, 50.0], [3.0, 120.0, -1.0, 40.0])
    assert value == approx((20 + 20) / 2)


def test_mape_all_zero_is_nan_with_warning():
    with pytest.warns(MetricWarning, match=r"all 2 values of y_true are 0"):
        assert math.isnan(mape([0.0, 0.0], [1.0, 0.0]))


def test_mape_nan_forecast_propagates():
    assert math.isnan(mape([1.0, 2.0], [1.0, np.nan]))


def test_smape_hand_value_and_zero_over_zero():
    # 200*10/210, 200*0/0 -> 0, 200*100/100 (forecast 0 of a positive value) = 200
    value = smape([100.0, 0.0, 100.0], [110.0, 0.0, 0.0])
    assert value == approx((2000 / 210 + 0 + 200) / 3)
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0


def test_smape_is_symmetric_in_sign_and_bounded():
    assert smape([-100.0], [-110.0]) == approx(smape([100.0], [110.0]))
    assert smape([1.0, 2.0], [-1.0, np.inf]) == approx(200.0)


def test_mase_scalar_and_per_value_scale():
    y, f = [10.0, 12.0, 14.0], [11.0, 14.0, 11.0]  # |e| = 1, 2, 3
    assert mase(y, f, 2.0) == approx(1.0)
    assert mase(y, f, [1.0, 2.0, 3.0]) == approx(1.0)
    assert mase(y, f, 2.0) == approx(mae(y, f) / 2.0)


def test_mase_per_origin_scale_for_2d():
    y = [[10.0, 12.0], [20.0, 20.0]]
    f = [[11.0, 14.0], [22.0, 20.0]]  # |e| rows (1, 2), (2, 0)
    assert mase(y, f, [2.0, 4.0]) == approx((0.5 + 1.0 + 0.5 + 0.0) / 4)


def test_mase_zero_scale_rows_are_skipped_with_warning():
    with pytest.warns(MetricWarning, match=r"MASE undefined for 1 of 3 values"):
        value = mase([1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 3.0])
    assert value == approx((1.0 + 1.0) / 2)


def test_mase_fully_undefined_scale_is_nan_not_inf():
    with pytest.warns(MetricWarning, match=r"MASE undefined for all 2 values"):
        assert math.isnan(mase([1.0, 2.0], [2.0, 2.0], 0.0))
    with pytest.warns(MetricWarning):
        assert math.isnan(mase([1.0, 2.0], [2.0, 2.0], np.nan))


def test_mase_bad_scale():
    with pytest.raises(ConfigError, match=r"`scale` must be >= 0.*Received: scale=-1.0"):
        mase([1.0], [2.0], -1.0)
    with pytest.raises(ConfigError, match=r"Received: scale.shape=\(2,\), y_true.shape=\(3,\)"):
        mase([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize("fn", [mae, rmse, mape, smape, lambda y, f: mase(y, f, 1.0)])
def test_mismatched_lengths_raise_config_error(fn):
    with pytest.raises(ConfigError) as info:
        fn([1.0, 2.0, 3.0], [1.0, 2.0])
    message = str(info.value)
    assert "`y_true` and `y_pred` must have the same shape" in message
    assert "Received: y_true.shape=(3,), y_pred.shape=(2,)" in message


@pytest.mark.parametrize("fn", [mae, rmse, mape, smape])
def test_empty_and_non_numeric_inputs(fn):
    with pytest.raises(ConfigError, match="at least 1 value"):
        fn([], [])
    with pytest.raises(ConfigTypeError, match=r"`y_pred` must be an array of numbers"):
        fn([1.0, 2.0], ["a", "b"])


def test_metric_errors_are_also_value_errors():
    with pytest.raises(ValueError):
        mae([1.0], [1.0, 2.0])


# --------------------------------------------------------------------------- MASE scales


def test_insample_scales_hand_values():
    y = [1.0, 2.0, 4.0, 7.0, 11.0]
    assert insample_scales(y, 2) == (approx((3 + 5 + 7) / 3), approx((1 + 2 + 3 + 4) / 4))
    seasonal, naive = insample_scales(y, 1)
    assert seasonal == naive == approx(2.5)
    assert isinstance(seasonal, float)


def test_insample_scales_short_history():
    seasonal, naive = insample_scales([3.0, 5.0, 4.0], 3)  # len(y) <= m
    assert math.isnan(seasonal) and naive == approx(1.5)
    seasonal, naive = insample_scales([3.0], 1)
    assert math.isnan(seasonal) and math.isnan(naive)
    assert all(math.isnan(v) for v in insample_scales([], 4))


def test_insample_scales_constant_season_and_constant_series():
    assert insample_scales([1.0, 5.0, 1.0, 5.0, 1.0], 2) == (0.0, 4.0)
    assert insample_scales([2.0] * 6, 3) == (0.0, 0.0)


def test_insample_scales_validation():
    with pytest.raises(DataError, match=r"finite.*y\[1\]=nan"):
        insample_scales([1.0, np.nan], 1)
    with pytest.raises(DataError, match="must be 1-D"):
        insample_scales([[1.0, 2.0]], 1)
    with pytest.raises(ConfigError, match=r"`season` must be >= 1. Received: season=0"):
        insample_scales([1.0, 2.0], 0)
    with pytest.raises(ConfigTypeError, match="`season` must be an integer"):
        insample_scales([1.0, 2.0], 1.5)


def test_effective_scale_fallback_rule():
    assert effective_scale(4.0, 2.0) == 4.0
    assert effective_scale(0.0, 2.0) == 2.0            # repeated season -> naive scale
    assert effective_scale(np.nan, 2.0) == 2.0         # shorter than a season -> naive scale
    assert math.isnan(effective_scale(0.0, 0.0))       # constant history -> undefined
    assert math.isnan(effective_scale(np.nan, np.nan))
    np.testing.assert_array_equal(effective_scale([3.0, 0.0, 0.0], [1.0, 2.0, 0.0]),
                                  [3.0, 2.0, np.nan])


def test_owa_hand_values():
    assert owa(9.0, 2.5, 10.0, 2.0) == approx(0.5 * (0.9 + 1.25))
    assert owa(9.161, 2.777, 9.161, 2.777) == approx(1.0)
    assert math.isnan(owa(1.0, 1.0, 0.0, 1.0))
    assert math.isnan(owa(1.0, np.nan, 1.0, 1.0))
    np.testing.assert_allclose(owa([1.0, 2.0], [1.0, 2.0], [2.0, 2.0], [1.0, 4.0]), [0.75, 0.75])


def test_row_losses_registry():
    y, f = np.array([0.0, 2.0, 4.0]), np.array([0.0, 1.0, 8.0])
    np.testing.assert_allclose(ROW_LOSSES["mae"](y, f), [0, 1, 4])
    np.testing.assert_allclose(ROW_LOSSES["rmse"](y, f), [0, 1, 16])
    np.testing.assert_allclose(ROW_LOSSES["mape"](y, f), [np.nan, 50, 100])
    np.testing.assert_allclose(ROW_LOSSES["smape"](y, f), [0, 200 / 3, 800 / 12])
    np.testing.assert_allclose(ROW_LOSSES["mase"](y, f, np.array([1.0, 0.0, 2.0])),
                               [0, np.nan, 2])
    assert set(METRICS) == set(ROW_LOSSES) | {"owa"}


# ------------------------------------------------------------------- results-table metrics


def make_results():
    """2 models x 2 ids x 1 origin x H=2; linear's fit for id b failed (NaN forecasts).

    naive2: a |e| = 2, 4 ; b |e| = 10, 10
    linear: a |e| = 0, 5 ; b failed
    scales: a seasonal 2 (used); b seasonal 0 -> naive fallback 5
    """
    origin = pd.Timestamp("2020-03-01")
    rows = []
    for model, preds in (("naive2", {"a": [12.0, 16.0], "b": [90.0, 110.0]}),
                         ("linear", {"a": [10.0, 25.0], "b": [np.nan, np.nan]})):
        for sid, truth in (("a", [10.0, 20.0]), ("b", [100.0, 100.0])):
            for h in (1, 2):
                rows.append((model, sid, 0, origin, h, origin + pd.DateOffset(months=h - 1),
                             truth[h - 1], preds[sid][h - 1]))
    results = pd.DataFrame(rows, columns=["model", "id", "fit", "origin", "h", "time",
                                          "y_true", "y_pred"])
    scales = pd.DataFrame({"id": ["a", "b"], "origin": [origin, origin],
                           "scale": [2.0, 0.0], "scale_naive": [1.0, 5.0]})
    return results, scales


SMAPE_N2 = {("a", 1): 200 * 2 / 22, ("a", 2): 200 * 4 / 36,
            ("b", 1): 200 * 10 / 190, ("b", 2): 200 * 10 / 210}


def test_row_losses_join_scales_and_keep_index():
    results, scales = make_results()
    results.index = results.index * 10 + 7
    losses = row_losses(results, scales, "mase")
    assert losses.index.equals(results.index) and losses.name == "mase"
    np.testing.assert_allclose(losses.to_numpy(), [1, 2, 2, 2, 0, 2.5, np.nan, np.nan])
    sq = row_losses(results, None, "rmse")
    np.testing.assert_allclose(sq.to_numpy()[:4], [4, 16, 100, 100])


def test_row_losses_scales_with_other_dtypes():
    """String-dtype ids against object ids, datetime64[us] origins against [ns]."""
    results, scales = make_results()
    results["id"] = results["id"].astype("string")
    results["origin"] = results["origin"].astype("datetime64[ns]")
    scales["id"] = scales["id"].astype(object)
    scales["origin"] = scales["origin"].astype("datetime64[us]")
    np.testing.assert_allclose(row_losses(results, scales, "mase").to_numpy()[:4], [1, 2, 2, 2])


def test_row_losses_errors():
    results, scales = make_results()
    with pytest.raises(ConfigError, match=r"Unknown metric 'mse'.*mae, rmse, mape, smape, mase"):
        row_losses(results, scales, "mse")
    with pytest.raises(ConfigError, match=r"owa is a ratio of averages.*use score"):
        row_losses(results, scales, "owa")
    with pytest.raises(ConfigError, match=r"no row for id='b'.*4 results row\(s\)"):
        row_losses(results, scales.iloc[:1], "mase")
    with pytest.raises(ConfigError, match=r"one row per \(id, origin\).*1 duplicate"):
        row_losses(results, pd.concat([scales, scales.iloc[:1]]), "mase")
    with pytest.raises(ConfigError, match=r"`scales` is required"):
        row_losses(results, None, "mase")
    with pytest.raises(ConfigError, match=r"missing column\(s\) 'y_pred'"):
        row_losses(results.drop(columns="y_pred"), scales, "mae")
    with pytest.raises(ConfigTypeError, match="must be a pandas DataFrame"):
        row_losses([1, 2], None, "mae")
    bad = results.assign(y_true=results["y_true"].where(results.index != 3))
    with pytest.raises(DataError, match=r"'y_true' must be finite.*index 3"):
        row_losses(bad, None, "mae")


def test_score_by_model():
    results, scales = make_results()
    out = score(results, scales)
    assert list(out.columns) == ["model", "mae", "rmse", "mape", "smape", "mase", "owa",
                                 "n", "n_failed"]
    assert out["model"].tolist() == ["naive2", "linear"]
    n2, lin = out.iloc[0], out.iloc[1]
    assert n2["mae"] == approx(26 / 4)
    assert n2["rmse"] == approx(math.sqrt(220 / 4))
    assert n2["mape"] == approx(15.0)
    assert n2["smape"] == approx(sum(SMAPE_N2.values()) / 4)
    assert n2["mase"] == approx(7 / 4)
    assert n2["owa"] == approx(1.0)
    assert (n2["n"], n2["n_failed"]) == (4, 0)
    assert lin["mae"] == approx(2.5)
    assert lin["rmse"] == approx(math.sqrt(25 / 2))
    assert lin["mape"] == approx(12.5)
    assert lin["smape"] == approx((0 + 200 * 5 / 45) / 2)
    assert lin["mase"] == approx(1.25)
    # paired with naive2 on id a only: sMAPE ratio 99/180, MASE ratio 2.5/3
    assert lin["owa"] == approx(0.5 * (99 / 180 + 2.5 / 3))
    assert (lin["n"], lin["n_failed"]) == (2, 2)
    assert out["n"].dtype == np.int64 and out["n_failed"].dtype == np.int64


def test_score_by_model_and_id():
    results, scales = make_results()
    out = score(results, scales, by=("model", "id"), metrics=("mae", "mase", "owa"))
    assert list(zip(out["model"], out["id"])) == [("naive2", "a"), ("naive2", "b"),
                                                  ("linear", "a"), ("linear", "b")]
    np.testing.assert_allclose(out["mae"], [3.0, 10.0, 2.5, np.nan])
    np.testing.assert_allclose(out["mase"], [1.5, 2.0, 1.25, np.nan])
    np.testing.assert_allclose(out["owa"], [1.0, 1.0, 0.5 * (99 / 180 + 2.5 / 3), np.nan])
    assert out["n"].tolist() == [2, 2, 2, 0] and out["n_failed"].tolist() == [0, 0, 0, 2]


def test_score_by_model_and_h():
    results, scales = make_results()
    out = score(results, scales, by=["model", "h"], metrics=["mae", "smape", "owa"])
    assert list(zip(out["model"], out["h"])) == [("naive2", 1), ("naive2", 2),
                                                 ("linear", 1), ("linear", 2)]
    np.testing.assert_allclose(out["mae"], [6.0, 7.0, 0.0, 5.0])
    np.testing.assert_allclose(
        out["smape"], [(SMAPE_N2["a", 1] + SMAPE_N2["b", 1]) / 2,
                       (SMAPE_N2["a", 2] + SMAPE_N2["b", 2]) / 2, 0.0, 200 * 5 / 45])
    # linear h=1: perfect -> 0; h=2 (id a only): sMAPE 200*5/45 == naive2's 200*4/36, MASE 2.5/2
    np.testing.assert_allclose(out["owa"], [1.0, 1.0, 0.0, 0.5 * (1.0 + 1.25)])
    assert out["n"].tolist() == [2, 2, 1, 1] and out["n_failed"].tolist() == [0, 0, 1, 1]


def test_score_pooled_and_by_origin():
    results, scales = make_results()
    pooled = score(results, scales, by=(), metrics="mae")
    assert list(pooled.columns) == ["mae", "n", "n_failed"]
    assert pooled["mae"].iloc[0] == approx(31 / 6) and pooled["n"].iloc[0] == 6
    by_origin = score(results, scales, by="origin", metrics="mae")
    assert by_origin["origin"].tolist() == [pd.Timestamp("2020-03-01")]


def test_score_owa_nan_without_naive2():
    results, scales = make_results()
    out = score(results[results["model"] == "linear"], scales, metrics=("mae", "owa"))
    assert math.isnan(out["owa"].iloc[0]) and out["mae"].iloc[0] == approx(2.5)


def test_score_owa_rejects_duplicate_naive2_rows():
    results, scales = make_results()
    doubled = pd.concat([results, results[results["model"] == "naive2"].iloc[:1]])
    with pytest.raises(ConfigError, match=r"one naive2 row per \(id, origin, h\)"):
        score(doubled, scales)


def test_score_warns_for_mape_zero_and_undefined_mase():
    results, scales = make_results()
    results.loc[0, "y_true"] = 0.0
    scales.loc[1, "scale_naive"] = 0.0  # id b: seasonal 0 and naive 0 -> undefined
    with pytest.warns(MetricWarning) as caught:
        out = score(results, scales, metrics=("mape", "mase"))
    text = " ".join(str(w.message) for w in caught)
    assert "MAPE skipped 1 of 6 values" in text
    assert "MASE undefined for 2 of 6 scored rows" in text
    assert out["mape"].iloc[0] == approx((20 + 10 + 10) / 3)
    assert out["mase"].iloc[0] == approx((12 / 2 + 4 / 2) / 2)   # id a only, |e| = 12, 4


def test_score_without_scales_for_scale_free_metrics():
    results, _ = make_results()
    out = score(results, None, metrics=("mae", "smape"))
    assert out["mae"].tolist() == [6.5, 2.5]
    with pytest.raises(ConfigError, match=r"`scales` is required"):
        score(results, None, metrics=("mase",))


def test_score_bad_names_list_valid_ones():
    results, scales = make_results()
    with pytest.raises(ConfigError) as info:
        score(results, scales, metrics=("mae", "wape"))
    assert "Unknown metric 'wape'" in str(info.value)
    assert "Valid metrics: mae, rmse, mape, smape, mase, owa" in str(info.value)
    with pytest.raises(ConfigError, match=r"Unknown group column 'fold'.*model, id, h, origin"):
        score(results, scales, by=("model", "fold"))
    with pytest.raises(ConfigError, match=r"missing column\(s\) 'h'"):
        score(results.drop(columns="h"), scales, by="model")


def test_score_empty_results():
    results, scales = make_results()
    out = score(results.iloc[:0], scales, metrics=("mae", "owa"))
    assert len(out) == 0 and list(out.columns) == ["model", "mae", "owa", "n", "n_failed"]


def test_score_matches_scalar_functions_on_random_panel():
    rng = np.random.default_rng(0)
    n = 300
    results = pd.DataFrame({"model": rng.choice(["naive2", "m1"], n), "id": "s",
                            "origin": np.arange(n), "h": 1,
                            "y_true": rng.normal(10, 2, n), "y_pred": rng.normal(10, 2, n)})
    results = results.drop_duplicates(["model", "origin"])
    scales = pd.DataFrame({"id": "s", "origin": np.arange(n), "scale": rng.uniform(1, 2, n),
                           "scale_naive": 1.0})
    out = score(results, scales, metrics=("mae", "rmse", "smape", "mase")).set_index("model")
    for model, rows in results.groupby("model"):
        s = scales.set_index("origin").loc[rows["origin"], "scale"].to_numpy()
        assert out.loc[model, "mae"] == approx(mae(rows["y_true"], rows["y_pred"]))
        assert out.loc[model, "rmse"] == approx(rmse(rows["y_true"], rows["y_pred"]))
        assert out.loc[model, "smape"] == approx(smape(rows["y_true"], rows["y_pred"]))
        assert out.loc[model, "mase"] == approx(mase(rows["y_true"], rows["y_pred"], s))


def test_metrics_module_does_not_import_keras():
    code = ("import sys, forecastkit.metrics; "
            "print(any(m.split('.')[0] in ('keras', 'tensorflow') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
    assert "keras" not in metrics.__dict__


def test_metrics_package_keeps_every_public_name_and_the_typed_warning():
    from forecastkit import errors
    from forecastkit.metrics import point, scaled, scoring

    assert set(metrics.__all__) <= set(dir(metrics))
    assert metrics.MetricWarning is errors.MetricWarning and issubclass(MetricWarning, UserWarning)
    assert (metrics.mae, metrics.mase, metrics.score) == (point.mae, scaled.mase, scoring.score)
