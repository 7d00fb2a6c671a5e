"""Tests for forecastkit.data's validation messages: files, pandas inputs, regressions, non-CSV files."""

import gzip
import importlib.util
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from data_helpers import MONTHLY, csv_error, raises, write

from forecastkit.data import (
    FILL_POLICIES,
    from_pandas,
    load_csv,
)
from forecastkit.errors import ConfigError, ConfigTypeError, DataError

# --------------------------------------------------------------------------------------
# Validation errors, in the documented order
# --------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    raises(DataError, lambda: load_csv(tmp_path / "nope.csv"), "File not found", "nope.csv")


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    csv_error(tmp_path, content, "data.csv", "is empty", "header line")


def test_header_without_rows(tmp_path):
    csv_error(tmp_path, "date,y\n", "header but no data rows", "['date', 'y']")


def test_non_utf8_bytes(tmp_path):
    content = "date,y\n2024-01-01,1\n2024-01-02,caf\xe9\n".encode("latin-1")
    csv_error(tmp_path, content, "not valid UTF-8", "0xe9", "byte offset 34", "line 3",
              "Re-save the file as UTF-8")


def test_wrong_field_count(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,1,234\n",
              "Expected 2 fields in line 3, saw 3", "quote values")


def test_duplicate_header_names(tmp_path):
    csv_error(tmp_path, "date,y,y\n2024-01-01,1,2\n", "duplicate column names", "['y']")


@pytest.mark.parametrize("kwargs, name, flag", [
    ({"target": "sales"}, "sales", "(`target`)"), ({"time": "when"}, "when", "(`time`)"),
    ({"id": "store"}, "store", "(`id`)"), ({"past_covariates": ["temp"]}, "temp",
     "(`past_covariates`)"),
    ({"target": "y,sales"}, "sales", "(`target`)"),
])
def test_unknown_column(tmp_path, kwargs, name, flag):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n", f"Column '{name}'", flag,
              "Available columns: ['date', 'y']", **kwargs)


def test_ambiguous_target(tmp_path):
    csv_error(tmp_path, "date,a,b\n2024-01-01,1,2\n", "several numeric columns ['a', 'b']",
              "Set `target` to one of them", "target='a,b'", error=ConfigError)


@pytest.mark.parametrize("name, which", [("store", "the column that names them"), ("series_id", "'series_id'")])
def test_numeric_series_ids_without_id_are_named_as_the_fix(tmp_path, name, which):
    text = f"date,{name},sales\n2024-01-01,1,5\n2024-01-01,2,7\n2024-01-02,1,6\n2024-01-02,2,8\n"
    csv_error(tmp_path, text, "several numeric columns",
              f"Its times repeat, so it holds several series: set `id` to {which} first.", error=ConfigError)


def test_no_numeric_column(tmp_path):
    csv_error(tmp_path, "date,name,city\n2024-01-01,x,y\n", "no numeric value column",
              "['date', 'name', 'city']", "Set `target` to the name")


def test_time_column_not_found(tmp_path):
    csv_error(tmp_path, "x,y\n1,2\n", "Cannot find the time column", "['x', 'y']",
              "Set `time` to the time column's name", error=ConfigError)


@pytest.mark.parametrize("value", ["2024-13-01", "soon"])
def test_unparseable_time(tmp_path, value):
    csv_error(tmp_path, f"date,y\n2024-01-01,1\n{value},2\n2024-01-03,3\n",
              f"Cannot parse time value '{value}'", "column 'date'", "line 3", "ISO dates")


def test_bad_quarter(tmp_path):
    csv_error(tmp_path, "quarter,y\n1970 Q1,1\n1970 Q5,2\n", "'1970 Q5'", "line 3",
              "1970 Q1")


def test_missing_time(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n,2\n", "Missing time value", "column 'date'",
              "line 3", "delete the row")


def test_local_daily_dates_with_daylight_saving_are_told_to_drop_the_offset(tmp_path):
    # "convert them to UTC" moved daily midnights to 23:00 or 22:00 UTC: the next error
    csv_error(tmp_path, "date,y\n2021-03-27T00:00+01:00,1\n2021-03-28T00:00+01:00,2\n2021-03-29T00:00+02:00,3\n",
              "line 4", "local time with daylight saving", "for daily or coarser data write the dates without "
              "time and offset")


def test_mixed_time_zones(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01T00:00+01:00,1\n2024-01-01T01:00+01:00,2\n"
                        "2024-06-01T02:00+02:00,3\n",
              "Mixed time zones", "line 2 has UTC offset +01:00", "line 4",
              "'2024-06-01T02:00+02:00'", "UTC")


def test_timestamp_out_of_range(tmp_path):
    csv_error(tmp_path, "date,y\n1500-01-01,1\n1500-01-02,2\n", "'1500-01-01'", "line 2",
              "outside the supported range")


def test_duplicate_timestamps_wide(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,2\n2024-01-01,3\n",
              "Duplicate timestamp 2024-01-01", "at line 2 and line 4",
              "set `id` to the series id column")


def test_duplicate_timestamps_long(tmp_path):
    csv_error(tmp_path, "id,date,y\na,2024-01-01,1\nb,2024-01-01,1\na,2024-01-01,2\n",
              "Duplicate timestamp 2024-01-01 for series 'a'", "line 2 and line 4",
              "remove or aggregate")


def test_unsorted_timestamps(tmp_path):
    csv_error(tmp_path, "id,date,y\na,2024-01-02,1\nb,2024-01-01,1\na,2024-01-01,2\n",
              "of series 'a' go backwards", "at line 4", "2024-01-01 comes after 2024-01-02",
              "line 2", "Sort the file by time")


@pytest.mark.parametrize("value, hint", [
    ("abc", "remove units, text and thousands separators"),
    ('"1,234"', "Remove thousands separators (1,234 -> 1234)"),
    ("12kg", "remove units"),
])
def test_non_numeric_value(tmp_path, value, hint):
    csv_error(tmp_path, f"date,y\n2024-01-01,1\n2024-01-02,{value}\n", "Column 'y'",
              "must be numeric", "line 3", f"'{value.strip(chr(34))}'", hint)


def test_decimal_commas_of_a_semicolon_file_are_read(tmp_path):
    text = "date;y;price\n2024-01-01;1,5;1.234,5\n2024-01-02;NA;-2\n2024-01-03;3,25;7,0\n"
    panel = load_csv(write(tmp_path, text), target="y", past_covariates=["price"], fill="interpolate")
    assert panel.frame["y"].tolist() == [1.5, 2.375, 3.25]
    assert panel.frame["price"].tolist() == [1234.5, -2.0, 7.0]


@pytest.mark.parametrize("text", ["date;y\n2024-01-01;1.5\n2024-01-02;3,5\n",   # commas and points mixed
                                  "date,y\n2024-01-01,1\n2024-01-02,\"3,5\"\n"])  # commas delimit the file
def test_decimal_comma(tmp_path, text):
    csv_error(tmp_path, text, "'3,5'", "Use '.' as the decimal point (3,5 -> 3.5)")


def test_non_numeric_covariate(tmp_path):
    csv_error(tmp_path, "date,y,x\n2024-01-01,1,a\n2024-01-02,2,2\n", "Column 'x'", "line 2",
              "'a'", target="y", past_covariates=["x"])


@pytest.mark.parametrize("token", ["", "NA", "N/A", "nan", "null", " NA ", "None"])
def test_missing_values(tmp_path, token):
    csv_error(tmp_path, f"date,y\n2024-01-01,1\n2024-01-02,{token}\n2024-01-03,3\n"
                        f"2024-01-04,{token}\n",
              "Column 'y'", "2 missing values", "first at line 3", "time 2024-01-02",
              "set `fill` to 'interpolate', 'ffill' or 'zero'", "'interpolate'")


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400"])
def test_infinite_values(tmp_path, value):
    csv_error(tmp_path, f"date,y\n2024-01-01,1\n2024-01-02,{value}\n", "infinite value",
              "line 3", f"'{value}'", "finite number")


def test_absurd_magnitude(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,-2e200\n", "'-2e200'", "line 3",
              "1e+150", "overflows float64", "Rescale")


def test_gap_without_fill(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,2\n2024-01-05,5\n2024-01-06,6\n",
              "2 missing timestamps", "D grid", "first missing: 2024-01-03",
              "between line 3 and line 4", "set `fill` to 'interpolate', 'ffill' or 'zero'")


def test_a_finer_freq_than_the_rows_names_the_frequency_they_are_on(tmp_path):
    weekly = "date,y\n" + "".join(f"{day.date()},{k}\n" for k, day in
                                  enumerate(pd.date_range("2024-01-07", periods=5, freq="W-SUN")))
    message = csv_error(tmp_path, weekly, "24 missing timestamps", "D grid",
                        "Every row is one 'W-SUN' step after the last: if that is the data's frequency, set `freq` to "
                        "'W-SUN', or leave it out to infer it. Otherwise add the missing rows", freq="D")
    assert "Every row" not in csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,2\n2024-01-05,5\n", "D grid")
    assert message.count("Add") == 0
    gappy = "".join(weekly.splitlines(keepends=True)[:3] + weekly.splitlines(keepends=True)[4:])  # a week missing
    assert "Every row" not in csv_error(tmp_path, gappy, "D grid", freq="D")


def test_gap_in_long_panel_names_the_series(tmp_path):
    csv_error(tmp_path, "id,month,y\na,2024-01,1\na,2024-02,1\nb,2024-01,1\nb,2024-03,1\n",
              "Series 'b'", "1 missing timestamp ", "MS grid", "first missing: 2024-02-01",
              "between line 4 and line 5")


def test_irregular_times(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"
                        "2024-01-04 13:00,4\n",
              "irregular", "2024-01-04 13:00:00 at line 5", "D grid", "set `freq`")


def test_explicit_freq_that_does_not_fit(tmp_path):
    csv_error(tmp_path, MONTHLY, "do not fit `freq` 'W-SUN'", "1949-01-01",
              "line 2", freq="W")


def test_explicit_freq_far_too_fine(tmp_path):
    csv_error(tmp_path, "date,y\n2000-01-01,1\n2020-01-01,2\n", "min grid", "2 rows",
              "`freq`", freq="min")


def test_explicit_freq_accepted_and_normalised(tmp_path):
    panel = load_csv(write(tmp_path, "date,y\n2024-01-01,1\n2024-04-01,2\n"), freq="QS")
    assert panel.freq == "QS-JAN"


def test_series_with_different_frequencies(tmp_path):
    csv_error(tmp_path, "id,date,y\na,2024-01-01,1\na,2024-02-01,2\na,2024-03-01,3\n"
                        "b,2024-01-01,1\nb,2024-01-02,2\nb,2024-01-03,3\n",
              "share one frequency", "series 'a' is MS", "series 'b' is D")


def test_two_row_series_only_has_to_fit_the_panel_grid(tmp_path):
    content = ("id,date,y\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-03,3\n"
               "b,2024-01-01,1\nb,2024-01-03,3\n")
    assert load_csv(write(tmp_path, content), fill="interpolate").series("b")["y"].tolist() == [
        1.0, 2.0, 3.0]
    csv_error(tmp_path, content.replace("b,2024-01-03", "b,2024-01-03 12:00"),
              "share one frequency", "2024-01-03 12:00:00 at line 6", "series 'b'", "D grid")


def test_single_timestamps_need_freq(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n", "Cannot infer the frequency", "set `freq`")


def test_integer_periods_irregular_and_mixed_steps(tmp_path):
    csv_error(tmp_path, "t,y\n0,1\n2,1\n4,1\n5,1\n", "irregular", "5 at line 5",
              "step-2 grid", time="t")
    csv_error(tmp_path, "id,t,y\na,1,1\na,2,1\na,3,1\nb,1,1\nb,3,1\nb,5,1\n",
              "share one step", "'a' has step 1", "'b' has step 2", time="t", id="id")
    csv_error(tmp_path, "id,t,y\na,1,1\na,2,1\na,3,1\nb,1,1\nb,3,1\n",
              "Series 'b'", "1 missing period on its step-1 grid", "first missing: 2",
              "between line 5 and line 6", time="t", id="id")


def test_freq_with_integer_periods(tmp_path):
    csv_error(tmp_path, "t,y\n1,1\n2,2\n", "integer periods", "Set `freq` to None",
              error=ConfigError, time="t", freq="D")


def test_missing_id(tmp_path):
    csv_error(tmp_path, "id,date,y\na,2024-01-01,1\n,2024-01-02,2\n", "Missing series id",
              "column 'id'", "line 3", id="id")


def test_all_missing_series_with_fill(tmp_path):
    csv_error(tmp_path, "id,date,y\na,2024-01-01,1\na,2024-01-02,2\nb,2024-01-01,\n"
                        "b,2024-01-02,NA\n",
              "Column 'y' of series 'b'", "no values at all", fill="zero")


def test_line_numbers_skip_blank_lines(tmp_path):
    csv_error(tmp_path, "date,y\n\n2024-01-01,1\n\n2024-01-02,oops\n", "line 5", "'oops'")


@pytest.mark.parametrize("kwargs, error, parts", [
    ({"fill": "linear"}, ConfigError, ["`fill` must be one of", str(FILL_POLICIES),
                                        "fill='linear'"]),
    ({"freq": "xyz"}, ConfigError, ["`freq` must be a pandas offset alias", "freq='xyz'"]),
    ({"freq": "H"}, ConfigError, ["Did you mean h?"]),
    ({"freq": 3}, ConfigTypeError, ["freq=3"]),
    ({"target": 3}, ConfigTypeError, ["`target`", "target=3"]),
    ({"target": ["a", "a"]}, ConfigError, ["more than once", "['a']"]),
    ({"time": 0}, ConfigTypeError, ["time=0"]),
    ({"target": "a,b", "id": "id"}, ConfigError, ["Several targets", "id='id'"]),
    ({"target": "a,b", "past_covariates": ["c"]}, ConfigError, ["Covariates are not supported"]),
    ({"target": "a", "past_covariates": ["a"]}, ConfigError, ["'a' is used both as `target`"]),
    ({"id": ""}, ConfigError, ["`id` must be a column name, not an empty string",
                               "pass None to infer it", "Received: id=''"]),
    ({"time": ""}, ConfigError, ["`time` must be a column name", "Received: time=''"]),
    ({"target": ""}, ConfigError, ["`target` must be a column name", "Received: target=''"]),
    ({"target": ["a", ""]}, ConfigError, ["`target`", "Received: target=['a', '']"]),
    ({"past_covariates": ""}, ConfigError, ["`past_covariates`", "leave it out for none",
                                            "Received: past_covariates=''"]),
    ({"target": []}, ConfigError, ["`target` must name at least one column",
                                   "Received: target=[]"]),
    ({"target": ","}, ConfigError, ["at least one column", "Received: target=','"]),
    ({"past_covariates": 5}, ConfigTypeError, ["list/tuple of column names", "past_covariates=5"]),
])
def test_bad_arguments(tmp_path, kwargs, error, parts):
    path = write(tmp_path, "id,date,a,b,c\nx,2024-01-01,1,2,3\n")
    raises(error, lambda: load_csv(path, **kwargs), *parts)


def test_past_covariates_argument_is_named_after_the_flag(tmp_path):
    path = write(tmp_path, "date,y,x\n2024-01-01,1,2\n2024-01-02,2,3\n")
    assert load_csv(path, target="y", past_covariates="x").covariates == ("x",)
    for load in (lambda **kw: load_csv(path, **kw), lambda **kw: from_pandas(pd.read_csv(path), **kw)):
        with pytest.raises(TypeError, match="covariates"):
            load(target="y", covariates="x")  # no alias for the old name


# --------------------------------------------------------------------------------------
# pandas inputs report rows, not lines
# --------------------------------------------------------------------------------------


def test_dataframe_errors_name_row_and_index_label():
    df = pd.DataFrame({"y": [1.0, np.nan, 3.0]},
                      index=pd.date_range("2024-01-01", periods=3, freq="D"))
    message = raises(DataError, lambda: from_pandas(df), "<DataFrame>", "1 missing value",
                     "row 1 (index 2024-01-02)", "`fill`")
    assert "line" not in message
    df = pd.DataFrame({"y": ["1", "x"]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    raises(DataError, lambda: from_pandas(df, source="sales"), "'sales'", "row 1", "'x'")


def test_dataframe_unsorted_suggests_sorting_the_frame():
    s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-01"]))
    raises(DataError, lambda: from_pandas(s), "go backwards", "row 1", "sort_index()")


def test_dataframe_spelled_missing_values_are_filled():
    df = pd.DataFrame({"y": ["1", "None", " NA ", "4"]},
                      index=pd.date_range("2024-01-01", periods=4, freq="D"))
    assert from_pandas(df, fill="interpolate").frame["y"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_dataframe_time_may_name_the_index_and_covariates_a_comma_string():
    df = pd.DataFrame({"y": [1.0, 2.0], "a": [1, 2], "b": [3, 4]},
                      index=pd.date_range("2024-01-01", periods=2, freq="D", name="ts"))
    panel = from_pandas(df, time="ts", target="y", past_covariates="a,b")
    assert panel.covariates == ("a", "b") and panel.freq == "D"


def test_dataframe_non_finite_value_is_shown_plainly():
    df = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "y": [1.0, np.inf]})
    raises(DataError, lambda: from_pandas(df), "row 1 (index 1): inf.", "finite number")


def test_from_pandas_rejects_other_objects():
    raises(ConfigTypeError, lambda: from_pandas([1, 2, 3]), "pandas Series or DataFrame",
           "list")
    raises(DataError, lambda: from_pandas(pd.Series([], dtype="float64")), "has no rows")


# --------------------------------------------------------------------------------------
# Regressions
# --------------------------------------------------------------------------------------


def test_one_row_series_off_the_panel_grid_is_named(tmp_path):
    content = ("id,date,y\na,2024-01-01,1\na,2024-02-01,2\na,2024-03-01,3\n"
               "b,2024-01-15,4\n")
    csv_error(tmp_path, content, "series 'b'", "2024-01-15 at line 5", "MS grid",
              "share one frequency", id="id")
    panel = load_csv(write(tmp_path, content.replace("2024-01-15", "2024-05-01")), id="id")
    assert panel.lengths == {"a": 3, "b": 1} and panel.freq == "MS"


def test_gap_message_keeps_the_series_id_case(tmp_path):
    message = csv_error(tmp_path, "id,month,y\nBig,2024-01,1\nBig,2024-02,1\nBig,2024-04,1\n",
                        "Series 'Big'", "first missing: 2024-03-01", id="id")
    assert "'big'" not in message


def test_bare_year_among_dates_is_a_data_error(tmp_path):
    csv_error(tmp_path, "date,y\n1700,1\n2024-01-02,2\n", "1700-01-01 at line 2",
              "2024-01-02 at line 3", "292 years", "bare year")
    csv_error(tmp_path, "id,date,y\na,2000-01-01,1\nb,1700,1\nb,2024-01-02,2\n",
              "series 'b'", "line 3", "line 4", "292 years", id="id")


def test_grid_near_the_end_of_the_pandas_range(tmp_path):
    assert load_csv(write(tmp_path, "date,y\n2262-03-01,1\n2262-04-01,2\n")).freq == "MS"
    assert load_csv(write(tmp_path, "date,y\n2261-01-01,1\n2262-01-01,2\n")).freq == "YS-JAN"
    csv_error(tmp_path, "date,y\n2262-04-10,1\n", "2262-04-10 at line 2", "`freq` 'MS'",
              freq="MS")
    csv_error(tmp_path, "date,y\n2262-01-01,1\n2262-02-01,2\n", "2262-02-01 at line 3",
              "YS-JAN grid", freq="YS")


def test_future_times_past_the_end_of_the_pandas_range():
    index = pd.date_range("2262-01-01", periods=2, freq="MS")
    panel = from_pandas(pd.Series([1.0, 2.0], index=index))
    assert panel.future_times("y", 2).strftime("%Y-%m-%d").tolist() == [
        "2262-03-01", "2262-04-01"]
    raises(DataError, lambda: panel.future_times("y", 3), "`horizon`", "series 'y'",
           "2262-04-11", "last time 2262-02-01", "smaller horizon", "Received: horizon=3")
    top = np.iinfo("int64").max
    panel = from_pandas(pd.Series([1.0, 2.0], index=[top - 4, top - 2]))
    assert panel.future_times("y", 1).tolist() == [top]
    raises(DataError, lambda: panel.future_times("y", 2), "`horizon`", f"up to {top}",
           "step-2", "Received: horizon=2")


@pytest.mark.parametrize("make", [iter, lambda names: (n for n in names), tuple])
def test_one_shot_iterables_of_names_are_read_once(make):
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "y": [1.0, 2.0, 3.0],
                       "t": [4.0, 5.0, 6.0]})
    panel = from_pandas(df, target=make(["y"]), past_covariates=make(["t"]))
    assert panel.target == "y" and panel.covariates == ("t",)


# --------------------------------------------------------------------------------------
# Files that are not CSV text: recognised by their first bytes, whatever the extension
# --------------------------------------------------------------------------------------


def minimal_xlsx() -> bytes:
    """The members of a real one-sheet .xlsx workbook (what Excel writes, minus styles)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas'
                      '.openxmlformats.org/package/2006/content-types"/>')
        book.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='Sheet1'/></sheets></workbook>")
        book.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c><v>1</v></c></row>"
                                                  "</sheetData></worksheet>")
    return buffer.getvalue()


def minimal_ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64)


@pytest.mark.parametrize("name", ["sales.xlsx", "sales.csv"])
def test_excel_workbook_is_named_with_the_fix(tmp_path, name):
    """Before: "not valid UTF-8: byte 0x.." or "a single column 'PK\\x03\\x04..."."""
    message = raises(DataError, lambda: load_csv(write(tmp_path, minimal_xlsx(), name)),
                     f"'{tmp_path / name}' is an Excel workbook (.xlsx), not a CSV file",
                     "File > Save As > CSV UTF-8", "pd.read_excel", "from_pandas")
    assert "UTF-8: byte" not in message and "single column" not in message


@pytest.mark.parametrize("content, kind, fix", [
    (OLE2, "an Excel 97-2003 workbook (.xls)", "File > Save As > CSV UTF-8"),
    (OLE2[:8] + bytes(600), "a Microsoft Office binary (OLE2) file", "export it as CSV"),
    (minimal_ods(), "an OpenDocument spreadsheet (.ods)", "Text CSV"),
    (b"PAR1\x15\x04\x15\x10" + bytes(40) + b"PAR1", "a Parquet file", "pd.read_parquet(path)"),
    (MONTHLY.encode("utf-16"), "UTF-16 text (Excel's 'Unicode Text' export)", "CSV UTF-8"),
    (b"PK\x05\x06" + bytes(18), "a zip archive", "Extract the CSV"),  # an empty zip
    (gzip.compress(b"PAR1\x15\x04\x15\x10" + bytes(40) + b"PAR1", mtime=0), "a Parquet file", "pd.read_parquet"),
])
def test_binary_formats_are_named_with_the_fix(tmp_path, content, kind, fix):
    raises(DataError, lambda: load_csv(write(tmp_path, content)), f"is {kind}, not a CSV file", fix)


def _zipped(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("name, compress", [
    ("sales.csv.gz", lambda b: gzip.compress(b, mtime=0)),
    ("sales.csv.bz2", __import__("bz2").compress),
    ("sales.csv.xz", __import__("lzma").compress),
    ("sales.zip", lambda b: _zipped({"export/": b"", "export/sales.csv": b, "__MACOSX/export/._sales.csv": b"meta"})),
    ("sales.csv", lambda b: gzip.compress(b, mtime=0)),  # the bytes decide, not the extension
])
def test_a_compressed_csv_is_read_as_the_csv_inside(tmp_path, name, compress):
    panel = load_csv(write(tmp_path, compress(MONTHLY.encode()), name))
    assert panel.target == "passengers" and panel.frame["y"].tolist() == [112.0, 118.0, 132.0, 129.0]
    # messages still count the lines of the CSV inside
    bad = MONTHLY.replace("132", "x").encode()
    raises(DataError, lambda: load_csv(write(tmp_path, compress(bad), name)), "line 4")


def test_a_damaged_or_ambiguous_archive_is_named_with_the_fix(tmp_path):
    cut = gzip.compress(MONTHLY.encode(), mtime=0)[:20]
    raises(DataError, lambda: load_csv(write(tmp_path, cut, "sales.csv.gz")),
           "'" + str(tmp_path / "sales.csv.gz") + "' is gzip-compressed but cannot be decompressed", "damaged")
    if importlib.util.find_spec("zstandard") is None:
        raises(DataError, lambda: load_csv(write(tmp_path, b"\x28\xb5\x2f\xfd" + bytes(8), "sales.csv.zst")),
               "is zstd-compressed: reading it needs the package zstandard (pip install zstandard)")
    two = _zipped({"a.csv": MONTHLY, "b.csv": MONTHLY})
    raises(DataError, lambda: load_csv(write(tmp_path, two, "both.zip")),
           "is a zip archive of 2 files (a.csv, b.csv), not a CSV file", "Extract the CSV file")


def test_the_command_line_forecasts_from_a_gzipped_csv(tmp_path):
    from forecastkit import datasets
    from forecastkit.cli import main

    data = write(tmp_path, gzip.compress(datasets.path("airline").read_bytes(), mtime=0), "airline.csv.gz")
    assert main(["forecast", "--data", str(data), "--model", "seasonal_naive", "--horizon", "3",
                 "--out", str(tmp_path / "f.csv"), "--quiet"]) == 0
    assert len(pd.read_csv(tmp_path / "f.csv")) == 3


def test_a_truncated_workbook_is_still_recognised(tmp_path):
    raises(DataError, lambda: load_csv(write(tmp_path, minimal_xlsx()[:200])), "Excel workbook (.xlsx)")


def test_text_that_starts_like_a_signature_is_still_csv(tmp_path):
    panel = load_csv(write(tmp_path, "PK,y\n2024-01-01,1\n2024-01-02,2\n"), time="PK")
    assert panel.frame["y"].tolist() == [1.0, 2.0]


def test_a_shipped_dataset_is_named_not_its_path():
    from forecastkit import datasets

    message = raises(DataError, lambda: datasets.load("co2"), "Column 'co2' of dataset 'co2'")
    assert "co2.csv" not in message
    assert datasets.load("nile").source == "dataset 'nile'"


def test_load_csv_source_names_the_file_in_messages(tmp_path):
    raises(DataError, lambda: load_csv(write(tmp_path, "date,y\n2024-01-01,x\n"), source="sales export"),
           "Column 'y' of 'sales export'")
    raises(ConfigTypeError, lambda: load_csv(write(tmp_path, MONTHLY), source=3), "`source`")
