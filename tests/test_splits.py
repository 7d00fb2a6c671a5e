"""Walk-forward splits: origins, windows, gaps, refit grouping, errors."""

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError, ConfigTypeError, DataError
from forecastkit.evaluation import WalkForward, parse_refit, parse_window


def test_origins_end_at_the_last_full_horizon():
    folds = WalkForward(horizon=3, folds=4, stride=2, refit="always").split(20)
    assert [f.origin for f in folds] == [11, 13, 15, 17]
    assert folds[-1].test == range(17, 20)
    assert all(f.train_end == f.origin for f in folds)  # refit always, no gap
    assert [f.fit for f in folds] == [0, 1, 2, 3]


def test_training_never_reaches_the_origin():
    for refit in ("always", "every:3", "never"):
        for window in ("expanding", "sliding:5"):
            for gap in (0, 2):
                for fold in WalkForward(horizon=2, folds=7, refit=refit, window=window, gap=gap).split(30):
                    assert fold.train_end <= fold.origin - gap
                    assert max(fold.train) < fold.origin


def test_refit_every_groups_consecutive_origins_on_the_first_origins_data():
    folds = WalkForward(horizon=1, folds=5, refit="every:2").split(10)
    assert [f.fit for f in folds] == [0, 0, 1, 1, 2]
    assert [f.train_end for f in folds] == [5, 5, 7, 7, 9]
    never = WalkForward(horizon=1, folds=5, refit="never").split(10)
    assert {f.fit for f in never} == {0} and {f.train_end for f in never} == {5}


def test_sliding_window_keeps_the_last_n_rows():
    folds = WalkForward(horizon=1, folds=2, window="sliding:4", refit="always").split(10)
    assert [(f.train_start, f.train_end) for f in folds] == [(4, 8), (5, 9)]


def test_start_instead_of_folds():
    folds = WalkForward(horizon=2, start=6, stride=2, refit="always").split(12)
    assert [f.origin for f in folds] == [6, 8, 10]
    with pytest.raises(DataError, match="latest possible origin is row 10"):
        WalkForward(horizon=2, start=11, refit="always").split(12)


def test_too_short_for_the_request_says_what_to_change():
    with pytest.raises(DataError, match=r"\(10 rows\) is too short for 8 folds with stride 1.*train on 2 rows "
                                        r"but needs at least 5.*fewer `folds`"):
        WalkForward(horizon=1, folds=8, refit="always").split(10, min_train=5)
    # only the settings that would help are named: no smaller stride at stride 1, no folds with a start
    with pytest.raises(DataError, match=r"Use fewer `folds`, or a smaller `horizon` or `lookback`\.$"):
        WalkForward(horizon=1, folds=8, stride=1).split(10, min_train=5)
    with pytest.raises(DataError, match=r"Use fewer `folds`, or a smaller `stride`, `horizon` or `lookback`\.$"):
        WalkForward(horizon=1, folds=4, stride=2).split(10, min_train=5)
    with pytest.raises(DataError, match=r"Use a later `start`, or a smaller `horizon`, `lookback` or `gap`\.$"):
        WalkForward(horizon=1, start=3, gap=1).split(10, min_train=5)


@pytest.mark.parametrize("kwargs, message", [
    ({"horizon": 0}, "`horizon` must be >= 1"),
    ({"folds": 0}, "`folds` must be >= 1"),
    ({"stride": 1.5}, "`stride` must be an integer"),  # a ConfigTypeError
    ({"gap": -1}, "`gap` must be >= 0"),
    ({"refit": "sometimes"}, "`refit` must be 'always', 'never' or 'every:K'"),
    ({"refit": "every:0"}, "every:K"),
    ({"window": "rolling"}, "`window` must be 'expanding' or 'sliding:N'"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises((ConfigError, ConfigTypeError), match=message):
        WalkForward(**kwargs)


def test_parsers():
    assert parse_refit("every:4") == 4 and parse_window("sliding:12") == 12


def test_start_as_a_timestamp():
    import pandas as pd

    times = pd.date_range("2020-01-01", periods=12, freq="MS")
    folds = WalkForward(horizon=2, start="2020-07-01", stride=2, refit="always").split(12, times=times)
    assert [f.origin for f in folds] == [6, 8, 10]
    with pytest.raises(ConfigError, match="integer periods"):
        WalkForward(horizon=2, start="2020-07-01", refit="always").split(12, times=pd.Index(range(12)))


def test_default_stride_is_the_smallest_giving_a_sized_test():
    from forecastkit.evaluation.splits import sized_stride
    from forecastkit.significance import min_origins

    for horizon in (1, 2, 6, 12, 24):
        stride = sized_stride(horizon, 24)
        assert min_origins(horizon, stride) <= 24
        assert stride == 1 or min_origins(horizon, stride - 1) > 24
    assert WalkForward().with_horizon(12).stride == 2
    assert WalkForward(stride=1).with_horizon(12).stride == 1  # a given stride is kept
    # the origins span at most half of a short series
    assert WalkForward().with_horizon(12, rows=60).stride == 1


def test_default_evaluation_of_monthly_data_is_testable():
    from forecastkit import datasets
    from forecastkit.evaluation import walk_forward

    result = walk_forward(datasets.load("airline"), ["naive"], baselines=True, n_jobs=1)
    assert result.config["splitter"]["stride"] == 2
    table, lines = result.significance()
    assert table["p"].notna().all(), table
    assert not any("not enough origins" in line.lower() for line in lines), lines


def test_default_folds_are_fewer_on_a_large_panel_and_given_folds_are_kept():
    from forecastkit import Forecaster
    from forecastkit.data import from_pandas
    from forecastkit.evaluation import walk_forward
    from forecastkit.evaluation.splits import PANEL_ORIGINS, default_folds

    assert WalkForward().folds is None and WalkForward().with_horizon(2).folds == 24
    assert len(WalkForward(horizon=2).split(100)) == 24  # one series: 24, as before
    assert default_folds(50) == 24 and default_folds(60) == PANEL_ORIGINS // 60 and default_folds(5000) == 3
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": np.repeat([f"s{k}" for k in range(60)], 80), "time": np.tile(np.arange(80), 60),
                          "y": rng.normal(size=4800).cumsum()})
    panel = from_pandas(frame, id="id", time="time")
    naive = [Forecaster("naive", horizon=2)]
    origins = walk_forward(panel, naive, WalkForward(horizon=2), baselines=False).to_frame()
    assert origins.groupby("id")["origin"].nunique().eq(20).all()  # 1,200 series-origins in all
    given = walk_forward(panel, naive, WalkForward(horizon=2, folds=24), baselines=False).to_frame()
    assert given.groupby("id")["origin"].nunique().eq(24).all()


def test_a_start_before_the_series_says_where_its_origins_begin():
    # it was moved to the second row without a word
    times = pd.date_range("2023-01-01", periods=12, freq="MS")
    with pytest.warns(UserWarning, match=r"`start` '2022-01-01' is before the first time of a series: its first "
                                         r"origin is its second row") as caught:
        folds = WalkForward(horizon=2, start="2022-01-01", stride=5).split(12, times=times)
    assert folds[0].origin == 1 and caught[0].filename == __file__
