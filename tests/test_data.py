"""Tests for forecastkit.data: loading, filling and Panel helpers (errors: test_data_errors.py)."""

import numpy as np
import pandas as pd
import pytest
from data_helpers import MONTHLY, csv_error, raises, write

from forecastkit.data import (
    Panel,
    from_pandas,
    infer_frequency,
    load_csv,
    season_length,
)
from forecastkit.errors import (
    ConfigError,
    ConfigTypeError,
    DataError,
    EpochTimesWarning,
    FilledValuesWarning,
    IgnoredColumnWarning,
)

# --------------------------------------------------------------------------------------
# Happy paths
# --------------------------------------------------------------------------------------


def test_wide_single_series(tmp_path):
    panel = load_csv(write(tmp_path, MONTHLY))
    frame = panel.frame
    assert list(frame.columns) == ["id", "time", "y"]
    assert frame["time"].dtype == "datetime64[ns]"
    assert frame["y"].dtype == "float64"
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["id"].tolist() == ["passengers"] * 4
    assert all(type(v) is str for v in frame["id"])
    assert frame["y"].tolist() == [112.0, 118.0, 132.0, 129.0]
    assert (panel.target, panel.freq, panel.step, panel.covariates) == (
        "passengers", "MS", 1, ())
    assert panel.source == str(tmp_path / "data.csv")
    assert panel.ids == ["passengers"] and panel.n_series == 1
    assert panel.lengths == {"passengers": 4}
    assert panel.season_length() == 12
    assert "n_series=1" in repr(panel)


def test_wide_ignores_other_columns_unless_covariates(tmp_path):
    path = write(tmp_path, "date,sales,temp,note\n2024-01-01,1,20,a\n2024-01-02,2,21,b\n"
                           "2024-01-03,3,22,c\n")
    panel = load_csv(path, target="sales")
    assert list(panel.frame.columns) == ["id", "time", "y"]
    panel = load_csv(path, target="sales", past_covariates=["temp"])
    assert list(panel.frame.columns) == ["id", "time", "y", "temp"]
    assert panel.covariates == ("temp",) and panel.freq == "D"
    (key, y, x), = panel.arrays()
    assert key == "sales" and y.tolist() == [1.0, 2.0, 3.0]
    assert x.shape == (3, 1) and x[:, 0].tolist() == [20.0, 21.0, 22.0]


@pytest.mark.parametrize("target", ["a,b", ["a", "b"], "a, b"])
def test_wide_multi_target(tmp_path, target):
    path = write(tmp_path, "date,a,b,c\n2024-01-01,1,10,0\n2024-01-02,2,20,0\n")
    panel = load_csv(path, target=target)
    assert panel.ids == ["a", "b"] and panel.target == "a,b"
    assert panel.series("b")["y"].tolist() == [10.0, 20.0]
    days = list(pd.to_datetime(["2024-01-01", "2024-01-02"]))
    assert panel.frame["time"].tolist() == days * 2
    assert [x.shape for _, _, x in panel.arrays()] == [(2, 0), (2, 0)]


def test_long_panel_with_covariates_is_sorted_by_first_appearance(tmp_path):
    # Rows interleaved by time; ids appear as b then a.
    path = write(tmp_path, "store,week,sales,promo\n"
                           "b,2024-01-07,5,0\na,2024-01-07,1,1\n"
                           "b,2024-01-14,6,1\na,2024-01-14,2,0\n")
    panel = load_csv(path, id="store", target="sales", past_covariates="promo")
    assert panel.ids == ["b", "a"]
    assert panel.freq == "W-SUN"
    assert panel.frame["y"].tolist() == [5.0, 6.0, 1.0, 2.0]
    assert panel.frame["promo"].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert isinstance(panel.frame.index, pd.RangeIndex)
    assert panel.series("a")["time"].tolist() == list(pd.to_datetime(
        ["2024-01-07", "2024-01-14"]))


def test_long_panel_infers_id_and_target(tmp_path):
    path = write(tmp_path, "date,store,sales\n2024-01-01,a,1\n2024-01-01,b,3\n"
                           "2024-01-02,a,2\n2024-01-02,b,4\n")
    panel = load_csv(path)
    assert panel.ids == ["a", "b"] and panel.target == "sales"
    assert panel.lengths == {"a": 2, "b": 2}


def test_a_wide_file_s_columns_start_and_end_where_their_values_do(tmp_path):
    # blanks before a column's first value or after its last were "missing values" (then
    # invented by `fill`: a series ending early was forecast from the file's last date)
    text = "month,a,b,c\n" + "".join(
        f"2020-{m:02d}-01,{m},{'' if m < 4 else 10 + m},{20 + m if m < 9 else ''}\n" for m in range(1, 13))
    panel = load_csv(write(tmp_path, text), target="a,b,c")
    assert panel.lengths == {"a": 12, "b": 9, "c": 8}
    ends = panel.frame.groupby("id")["time"].agg(["min", "max"])
    assert ends.loc["b", "min"] == pd.Timestamp("2020-04-01") and ends.loc["c", "max"] == pd.Timestamp("2020-08-01")
    inside = text.replace("2020-06-01,6,16,26", "2020-06-01,6,,26")
    raises(DataError, lambda: load_csv(write(tmp_path, inside), target="a,b,c"),  # a gap inside is still one
           "Column 'b'", "has 1 missing value", "time 2020-06-01")
    raises(DataError, lambda: load_csv(write(tmp_path, text), target="b"),  # one target: blanks are missing
           "Column 'b'", "missing values")


def test_fill_says_how_many_values_it_supplied_and_when_a_forecast_starts_from_them(tmp_path):
    text = "month,y\n" + "".join(f"2020-{m:02d}-01,{'' if m in (3, 11, 12) else 100 + m}\n" for m in range(1, 13))
    with pytest.warns(FilledValuesWarning, match=r"`fill` 'interpolate' supplied 3 target values in .*The last 2 "
                                                 r"values are filled, and a forecast starts from them"):
        panel = load_csv(write(tmp_path, text), fill="interpolate")
    assert panel.frame["y"].notna().all()
    inside = text.replace("2020-12-01,\n", "2020-12-01,112\n").replace("2020-11-01,\n", "2020-11-01,111\n")
    with pytest.warns(FilledValuesWarning) as caught:
        load_csv(write(tmp_path, inside), fill="interpolate")
    assert "supplied 1 target value in" in str(caught[0].message) and "last" not in str(caught[0].message)


@pytest.mark.parametrize("scale, unit", [(1, "seconds"), (1000, "milliseconds")])
def test_epoch_integers_are_read_as_times(tmp_path, scale, unit):
    # hourly data as Unix epoch integers were integer periods: season 1, no --freq, no calendar
    text = "ts,v\n" + "".join(f"{(1609459200 + 3600 * k) * scale},{k}\n" for k in range(48))
    with pytest.warns(EpochTimesWarning, match=f"read as Unix epoch {unit} \\(UTC\\): 2021-01-01 00:00:00 to "
                                               "2021-01-02 23:00:00"):
        panel = load_csv(write(tmp_path, text))
    assert panel.freq == "h" and season_length(panel.freq) == 24
    assert load_csv(write(tmp_path, "year,v\n1990,1\n1991,2\n1992,3\n")).frame["time"].tolist() == [1990, 1991, 1992]


def test_pandas_row_numbers_in_a_csv_are_not_a_column(tmp_path):
    # DataFrame.to_csv() writes its index as an unnamed first column: "several numeric columns ['', 'sales']"
    path = tmp_path / "indexed.csv"
    pd.DataFrame({"month": pd.date_range("2020-01-01", periods=6, freq="MS"), "sales": range(6)}).to_csv(path)
    panel = load_csv(path)
    assert panel.target == "sales" and panel.frame["y"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_hourly_local_times_with_daylight_saving_are_read_as_utc(tmp_path):
    # pandas' to_csv of a Europe/Berlin index: +01:00 then +02:00 (refused as "mixed time zones")
    local = pd.date_range("2021-03-27 00:00", periods=72, freq="h", tz="Europe/Berlin")
    pd.DataFrame({"time": local, "load": range(72)}).to_csv(tmp_path / "load.csv", index=False)
    with pytest.warns(UserWarning, match=r"local time with daylight saving \(UTC offsets \+01:00 and \+02:00\): "
                                         r"read as UTC, 2021-03-26 23:00:00\+00:00"):
        panel = load_csv(tmp_path / "load.csv")
    assert panel.freq == "h" and len(panel.frame) == 72
    assert panel.frame["time"].tolist() == list(local.tz_convert("UTC"))


def test_ids_differing_only_by_surrounding_spaces_are_one_series(tmp_path):
    text = "id,month,y\n" + "".join(f"{'A' if m < 7 else ' A '},2020-{m:02d}-01,{m}\nB,2020-{m:02d}-01,{m}\n"
                                     for m in range(1, 13))
    panel = load_csv(write(tmp_path, text))
    assert sorted(panel.ids) == ["A", "B"] and panel.lengths == {"A": 12, "B": 12}


def test_a_column_named_id_names_series_that_follow_one_another_in_time(tmp_path):
    # no timestamp repeats (one store closes, the next opens): the id column was ignored without
    # a word and the two stores spliced into one series
    text = "id,month,sales\n" + "".join(f"old,2020-{m:02d}-01,{100 + m}\n" for m in range(1, 7)) + \
        "".join(f"new,2020-{m:02d}-01,{5000 + m}\n" for m in range(7, 13))
    panel = load_csv(write(tmp_path, text))
    assert sorted(panel.ids) == ["new", "old"] and panel.lengths == {"old": 6, "new": 6}
    with pytest.warns(IgnoredColumnWarning, match=r"Column 'store' .* holds text \(2 different values\) and is not "
                                                  r"used\. If it names the series, set `id` to 'store'"):
        panel = load_csv(write(tmp_path, text.replace("id,", "store,", 1)))
    assert panel.n_series == 1
    assert sorted(load_csv(write(tmp_path, text.replace("id,", "store,", 1)), id="store").ids) == ["new", "old"]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_detected(tmp_path, sep):
    panel = load_csv(write(tmp_path, MONTHLY.replace(",", sep)))
    assert panel.frame["y"].tolist() == [112.0, 118.0, 132.0, 129.0]


def test_utf8_bom_is_fine(tmp_path):
    panel = load_csv(write(tmp_path, MONTHLY.encode("utf-8-sig")))
    assert panel.target == "passengers" and panel.freq == "MS"


def test_blank_lines_and_crlf_are_fine(tmp_path):
    panel = load_csv(write(tmp_path, "\r\n" + MONTHLY.replace("\n", "\r\n") + "\r\n\r\n"))
    assert panel.lengths == {"passengers": 4}


def test_quoted_thousands_are_reported_at_the_physical_line(tmp_path):
    # A quoted field spanning two lines shifts the following physical line numbers.
    content = 'date,y,note\n2024-01-01,1,"two\nlines"\n2024-01-02,"1,234",x\n'
    csv_error(tmp_path, content, "line 4", "'1,234'", "1,234 -> 1234", target="y")


def test_integer_periods(tmp_path):
    panel = load_csv(write(tmp_path, "t,y\n10,1\n12,2\n14,3\n"), time="t")
    assert panel.frame["time"].dtype == "int64"
    assert (panel.freq, panel.step, panel.season_length()) == (None, 2, 1)
    assert panel.future_times("y", 2).tolist() == [16, 18]


@pytest.mark.parametrize("values", [["1970 Q1", "1970 Q2", "1970 Q3"],
                                    ["1970Q1", "1970Q2", "1970Q3"],
                                    ["1970-Q1", "1970-Q2", "1970-Q3"]])
def test_quarterly_strings(tmp_path, values):
    content = "quarter,gdp\n" + "".join(f"{v},{i}\n" for i, v in enumerate(values))
    panel = load_csv(write(tmp_path, content))
    assert panel.freq == "QS-JAN" and panel.season_length() == 4
    assert panel.frame["time"].dt.month.tolist() == [1, 4, 7]


def test_compact_yyyymmdd_dates(tmp_path):
    panel = load_csv(write(tmp_path, "date,y\n20240130,1\n20240131,2\n20240201,3\n"))
    assert panel.freq == "D"


def test_first_column_parsed_as_dates_when_not_named(tmp_path):
    panel = load_csv(write(tmp_path, "when,y\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n"))
    assert panel.freq == "h" and panel.season_length() == 24


def test_business_days_with_a_gap_are_filled(tmp_path):
    days = ["2024-01-04", "2024-01-05", "2024-01-08", "2024-01-10", "2024-01-11"]
    content = "date,y\n" + "".join(f"{d},{i}\n" for i, d in enumerate(days))
    panel = load_csv(write(tmp_path, content), fill="interpolate")
    assert panel.freq == "B"
    assert panel.frame["time"].dt.strftime("%m-%d").tolist() == [
        "01-04", "01-05", "01-08", "01-09", "01-10", "01-11"]
    assert panel.frame["y"].tolist() == [0.0, 1.0, 2.0, 2.5, 3.0, 4.0]


def test_timezone_aware_times(tmp_path):
    path = write(tmp_path, "timestamp,y\n2024-01-01T00:00+01:00,1\n2024-01-01T01:00+01:00,2\n"
                           "2024-01-01T02:00+01:00,3\n")
    panel = load_csv(path)
    assert str(panel.frame["time"].dt.tz) == "UTC+01:00"
    assert panel.frame["time"].dtype.unit == "ns"
    future = panel.future_times("y", 1)
    assert future[0] == pd.Timestamp("2024-01-01T03:00+01:00")


def test_series_with_datetime_index():
    index = pd.date_range("2024-01-01", periods=4, freq="D")
    panel = from_pandas(pd.Series([1.0, 2.0, 3.0, 4.0], index=index))
    assert (panel.target, panel.ids, panel.freq, panel.source) == ("y", ["y"], "D", "<DataFrame>")
    assert panel.frame["time"].tolist() == list(index)


def test_dataframe_with_datetime_index_and_covariate():
    df = pd.DataFrame({"load": [1.0, 2.0, 3.0], "temp": [5, 6, 7]},
                      index=pd.date_range("2024-01-01", periods=3, freq="h", name="ts"))
    panel = from_pandas(df, target="load", past_covariates=["temp"])
    assert list(panel.frame.columns) == ["id", "time", "y", "temp"]
    assert panel.frame["temp"].dtype == "float64" and panel.freq == "h"


def test_period_index_and_integer_index():
    s = pd.Series([1.0, 2.0, 3.0], name="sales",
                  index=pd.period_range("2020-01", periods=3, freq="M"))
    assert from_pandas(s).freq == "MS"
    panel = from_pandas(pd.Series([1.0, 2.0, 3.0]))
    assert panel.freq is None and panel.frame["time"].tolist() == [0, 1, 2]


def test_dataframe_time_column_and_long_layout():
    df = pd.DataFrame({"ds": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                       "unique_id": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 4.0]})
    panel = from_pandas(df, id="unique_id")
    assert panel.ids == ["1", "2"] and panel.freq == "MS"


def test_constant_series_and_length_one_are_valid():
    panel = from_pandas(pd.Series([5.0, 5.0, 5.0]))
    assert panel.frame["y"].tolist() == [5.0, 5.0, 5.0]
    one = from_pandas(pd.Series([1.0], index=pd.to_datetime(["2024-01-01"])), freq="D")
    assert one.lengths == {"y": 1}


# --------------------------------------------------------------------------------------
# Fill policies
# --------------------------------------------------------------------------------------

GAPPY = "date,y\n2024-01-01,\n2024-01-02,2\n2024-01-04,6\n2024-01-05,NA\n"


@pytest.mark.parametrize("fill, expected", [
    ("interpolate", [2.0, 2.0, 4.0, 6.0, 6.0]),
    ("ffill", [2.0, 2.0, 2.0, 6.0, 6.0]),
    ("zero", [0.0, 2.0, 0.0, 6.0, 0.0]),
])
def test_fill_policies(tmp_path, fill, expected):
    panel = load_csv(write(tmp_path, GAPPY), fill=fill)
    assert panel.frame["y"].tolist() == expected
    assert panel.frame["time"].dt.day.tolist() == [1, 2, 3, 4, 5]


def test_fill_interpolates_linearly_and_fills_covariates(tmp_path):
    path = write(tmp_path, "date,y,x\n2024-01-01,0,1\n2024-01-05,8,null\n2024-01-06,9,3\n")
    panel = load_csv(path, target="y", past_covariates=["x"], fill="interpolate")
    assert panel.frame["y"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 9.0]
    assert panel.frame["x"].tolist() == [1.0, 1.4, 1.8, 2.2, 2.6, 3.0]


def test_fill_reindexes_each_series_of_a_long_panel(tmp_path):
    path = write(tmp_path, "id,date,y\na,2024-01-01,1\na,2024-01-03,3\n"
                           "b,2024-01-01,5\nb,2024-01-02,6\n")
    panel = load_csv(path, fill="ffill")
    assert panel.lengths == {"a": 3, "b": 2}
    assert panel.series("a")["y"].tolist() == [1.0, 1.0, 3.0]


# --------------------------------------------------------------------------------------
# Panel helpers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("freq, start, expected", [
    ("MS", "2024-01-01", ["2024-04-01", "2024-05-01"]),
    ("QS", "2024-01-01", ["2024-10-01", "2025-01-01"]),
    ("W", "2024-01-07", ["2024-01-28", "2024-02-04"]),
    ("D", "2024-02-27", ["2024-03-01", "2024-03-02"]),
])
def test_future_times(freq, start, expected):
    index = pd.date_range(start, periods=3, freq=freq)
    panel = from_pandas(pd.Series([1.0, 2.0, 3.0], index=index))
    future = panel.future_times("y", 2)
    assert future.strftime("%Y-%m-%d").tolist() == expected
    assert future.dtype == "datetime64[ns]"


def test_future_times_rejects_bad_horizon():
    panel = from_pandas(pd.Series([1.0, 2.0]))
    raises(ConfigError, lambda: panel.future_times("y", 0), "`horizon` must be >= 1",
           "Received: horizon=0")
    raises(ConfigTypeError, lambda: panel.future_times("y", 1.5), "horizon=1.5")


def test_series_unknown_id():
    panel = from_pandas(pd.DataFrame({"a": [1.0], "b": [2.0]}), target=["a", "b"])
    raises(DataError, lambda: panel.series("c"), "Unknown series id 'c'", "['a', 'b']")


def test_check_length_names_each_short_series(tmp_path):
    path = write(tmp_path, "id,t,y\na,1,1\na,2,2\na,3,3\nb,1,1\nc,1,1\nc,2,2\n")
    panel = load_csv(path, time="t")
    panel.check_length(1, "anything")
    raises(DataError, lambda: panel.check_length(3, "lookback 2 + horizon 1"),
           "'b' has 1 row", "'c' has 2 rows", "at least 3 rows", "lookback 2 + horizon 1",
           "data.csv")


def test_panel_is_frozen():
    panel = from_pandas(pd.Series([1.0, 2.0]))
    assert isinstance(panel, Panel)
    with pytest.raises(AttributeError):
        panel.freq = "D"


@pytest.mark.parametrize("freq, expected", [
    ("YS", 1), ("YE", 1), ("QS", 4), ("QE-DEC", 4), ("MS", 12), ("ME", 12), ("W", 52),
    ("W-MON", 52), ("D", 7), ("B", 5), ("h", 24), ("2h", 12), ("30min", 48),
    ("min", 60), ("15min", 96), ("10min", 144), ("5min", 288), ("7min", 1), ("2min", 30), ("s", 60), (None, 1),
])
def test_season_length(freq, expected):
    assert season_length(freq) == expected


def test_season_length_rejects_unknown_alias():
    raises(ConfigError, lambda: season_length("M"), "freq='M'", "Please use 'ME' instead")


def test_infer_frequency():
    assert infer_frequency(pd.date_range("2020-01-01", periods=5, freq="QS")) == "QS-JAN"
    assert infer_frequency(["2020-01-31", "2020-02-29", "2020-04-30"]) == "ME"
    assert infer_frequency(["2020-01-06", "2020-01-13", "2020-02-03"]) == "W-MON"
    assert infer_frequency(["2020-01-01"]) is None
    assert infer_frequency(["2020-01-15", "2020-02-15", "2020-03-15"]) is None


def test_an_id_column_of_one_value_names_its_series():
    # a panel fitted one series at a time kept none of their names: the series was named after the target
    one = pd.DataFrame({"id": ["store 7"] * 30, "time": pd.date_range("2020", periods=30, freq="D"),
                        "y": np.arange(30.0)})
    assert from_pandas(one).ids == ["store 7"]
    assert from_pandas(one.rename(columns={"id": "region"})).ids == ["y"]  # not an id's name: as before
