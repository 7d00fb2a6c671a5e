"""A global model on a panel: one short series cuts the default window to half a season at
most, and a series too short for one window is padded at its start, not refused."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster, WalkForward, walk_forward
from forecastkit.data import from_pandas
from forecastkit.errors import DataError, ShortSeriesWarning
from forecastkit.forecaster import preparation
from forecastkit.forecaster.options import fit_lookback
from forecastkit.preprocess import choose_chain


def panel_with_short(short: int = 10, long: int = 120, level: float = 50.0):
    """Two monthly seasonal series of ``long`` rows and one of ``short`` rows (id 's')."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, n in (("a", long), ("b", long), ("s", short)):
        t = np.arange(n)
        frames.append(pd.DataFrame({"id": sid, "time": pd.date_range(end="2020-12-01", periods=n, freq="MS"),
                                    "y": level + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)}))
    return from_pandas(pd.concat(frames, ignore_index=True), id="id", time="time", target="y")


def test_a_short_series_cuts_a_global_models_default_window_to_half_a_season_at_most():
    panel = panel_with_short(short=20)
    assert fit_lookback(Forecaster("mlp", horizon=12), panel) == 6  # alone the short series would allow 4
    assert fit_lookback(Forecaster("mlp", horizon=12, mode="local"), panel) == 4  # one network each: its own
    assert fit_lookback(Forecaster("mlp", horizon=12), panel_with_short(short=120)) == 12


def test_a_series_too_short_for_one_window_is_padded_and_forecast():
    panel = panel_with_short(short=10)
    with pytest.warns(ShortSeriesWarning, match=r"1 of 3 series are too short for one window of lookback 12 \+ "
                                                r"horizon 3: 's' \(10 rows\)\. The global model reads each"):
        f = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(panel)
    forecast = f.predict()
    assert sorted(forecast["id"].unique()) == ["a", "b", "s"] and np.isfinite(forecast["yhat"]).all()
    with pytest.raises(DataError, match="'s' has 10 rows"):  # one network per series: no padding
        Forecaster("linear", horizon=3, lookback=12, mode="local", params=FAST).fit(panel)


def test_padding_repeats_the_first_level_or_the_mean_change_and_the_saved_model_keeps_it(tmp_path):
    panel = panel_with_short(short=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        levels = Forecaster("linear", horizon=3, lookback=12, preprocess="none", params=FAST).fit(panel)
        changes = Forecaster("linear", horizon=3, lookback=12, preprocess="none", difference=True, scaler="minmax",
                             params=FAST).fit(panel)
    frame = panel.series("s")
    z = preparation.block(levels, "s", frame)[0]
    assert len(z) == 15 and np.all(z[:5] == z[5])  # 12 + 3 rows: 5 of them the first value again
    z = preparation.block(changes, "s", frame)[0]
    assert len(z) == 15 and np.allclose(z[:6], z[6:12].mean()) and z[6:12].mean() > 0.1  # 9 changes after 6 at
    # the mean of the 6 the window reads (its 3 targets not among them)
    assert len(preparation.block(levels, "a", panel.series("a"))[0]) == 120  # long enough: as it is
    changes.save(tmp_path / "model")
    loaded = Forecaster.load(tmp_path / "model")
    pd.testing.assert_frame_equal(loaded.predict(), changes.predict())


def test_the_chain_is_judged_on_the_series_long_enough_for_it():
    rng = np.random.default_rng(1)
    t = np.arange(240)
    long = [(100 + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 240) + 0.5 * t, None) for _ in range(3)]
    short = [(np.full(14, 100.0), None)]
    args = dict(horizon=12, lookback=12, season=12, periods=())
    assert choose_chain(long + short, **args) == choose_chain(long, **args)


def test_a_walk_forward_pads_a_global_models_short_series_and_needs_one_whole_window():
    panel = panel_with_short(short=30, long=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        result = walk_forward(panel, [Forecaster("linear", horizon=3, lookback=24, params=FAST)],
                              WalkForward(horizon=3, folds=2, refit="always"), baselines=False)
    assert sorted(result.to_frame()["id"].unique()) == ["a", "b", "s"]
    with pytest.raises(DataError, match="Model 'linear' needs one series with at least 60 rows before its first "
                                        "origin .* but the longest has 56"):
        walk_forward(panel, [Forecaster("linear", horizon=3, lookback=56, params=FAST)],
                     WalkForward(horizon=3, folds=2, refit="always"), baselines=False)


def test_a_padded_series_sees_no_future_in_a_walk_forward():
    """Poison every series from its third origin on: the forecasts of the first three origins
    (the short series padded in each fit) stay the same."""
    panel = panel_with_short(short=30, long=60)
    splitter = WalkForward(horizon=3, folds=5, stride=1, refit="always")
    model = [Forecaster("linear", horizon=3, lookback=24, params=FAST)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        clean = walk_forward(panel, model, splitter, baselines=False).to_frame()
        frame = panel.frame.copy()
        rank = frame.groupby("id").cumcount(ascending=False)  # rows from each series' end, 0 the last
        frame.loc[rank < 3 + 2, "y"] = 1e9  # from the third of five origins, one step apart
        dirty = walk_forward(panel.with_frame(frame), model, splitter, baselines=False).to_frame()
    ranks = clean.groupby("id")["origin"].rank(method="dense")
    known = ranks <= 3
    assert known.sum() == 3 * 3 * 3
    pd.testing.assert_series_equal(clean.loc[known, "y_pred"], dirty.loc[known, "y_pred"])
    assert not np.allclose(clean.loc[~known, "y_pred"], dirty.loc[~known, "y_pred"])


def test_new_history_is_padded_as_the_training_data_was_and_a_bag_spreads_its_windows():
    panel = panel_with_short(short=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        f = Forecaster("linear", horizon=3, lookback=12, params=FAST).fit(panel)
    with pytest.warns(ShortSeriesWarning, match=r"^The new history of 's' \(10 rows\) is shorter than the model's "
                                                r"window: padded at its start, as in training\.$"):
        pd.testing.assert_frame_equal(f.predict(data=panel), f.predict())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        with pytest.raises(DataError, match="pads a shorter series' window of 12 rows but needs one row and 1 for its "
                                            "differences: 's' has 1 rows. Pass at least 2 rows"):
            f.predict(data=panel.with_frame(panel.frame.drop(panel.frame.index[panel.frame["id"] == "s"][1:])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = Forecaster("mlp", horizon=3, bag=3, params=FAST).fit(panel)
    assert [member.lookback_ for member in bag.members_] == [6, 9, 12]  # not all cut by the short series
    padded = [w for w in caught if "too short for one window" in str(w.message)]
    assert len(padded) == 1 and "lookback 12 + horizon 3" in str(padded[0].message)  # the widest copy's


def test_skip_short_leaves_out_what_a_global_model_would_pad():
    from forecastkit.errors import SkippedSeriesWarning

    panel = panel_with_short(short=30, long=60)
    with pytest.warns(SkippedSeriesWarning) as caught:
        result = walk_forward(panel, [Forecaster("linear", horizon=3, lookback=24, params=FAST)],
                              WalkForward(horizon=3, folds=2, refit="always"), baselines=False, skip_short=True)
    assert [w.message.series for w in caught if w.category is SkippedSeriesWarning] == [{"s": 30}]
    assert sorted(result.to_frame()["id"].unique()) == ["a", "b"]


def test_a_walk_forward_refuses_a_cohort_fit_that_no_series_could_train_a_whole_window_for():
    """A series ending early forms its own cohort, cut off before the others hold a window: padding
    it would train on nothing but padding, so the run is refused before any fit."""
    frames = []
    for sid, n, end in (("a", 40, "2020-12-01"), ("s", 18, "2018-12-01"), ("b", 40, "2020-12-01")):
        frames.append(pd.DataFrame({"id": sid, "time": pd.date_range(end=end, periods=n, freq="MS"),
                                    "y": 50 + 10 * np.sin(np.arange(n) / 2)}))
    panel = from_pandas(pd.concat(frames, ignore_index=True), id="id", time="time", target="y")
    for cohorts in (8, 1):
        with pytest.raises(DataError, match=r"Fit 0 is cut off at 2018-09-01 .* has 1[24] rows before it, but "
                                            r"linear needs at least 16"):
            walk_forward(panel, [Forecaster("linear", horizon=3, lookback=12, params=FAST)],
                         WalkForward(horizon=3, folds=2, refit="always", cohorts=cohorts), baselines=False)
