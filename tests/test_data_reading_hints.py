"""Tests for forecastkit.data's hints on easily misread files: a missing header row,
day-first dates and a `freq` of the wrong alias."""

import warnings

import pandas as pd
import pytest
from data_helpers import MONTHLY, csv_error, raises, write

from forecastkit.cli import main
from forecastkit.data import from_pandas, load_csv
from forecastkit.data.frequency import parse_freq
from forecastkit.errors import ConfigError

AIRLINE_DATES = pd.date_range("1949-01-01", periods=36, freq="MS")


def _csv(header, dates, fmt):
    rows = [f"{date.strftime(fmt)},{100 + i}" for i, date in enumerate(dates)]
    return "\n".join([header, *rows]) + "\n"


def _load_quietly(path, **kwargs):
    """load_csv with warnings recorded: (panel, list of warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = load_csv(path, **kwargs)
    return panel, [str(w.message) for w in caught]


# --------------------------------------------------------------------------------------
# A file without a header row
# --------------------------------------------------------------------------------------


def test_missing_header_row(tmp_path):
    csv_error(tmp_path, MONTHLY.split("\n", 1)[1], "data.csv'", "seems to have no header row",
              "first line (line 1)", "['1949-01', '112']", "timestamp or a number",
              "names the columns, e.g. 'time,value'")


def test_missing_header_row_names_the_delimiter(tmp_path):
    csv_error(tmp_path, "01/02/1949;112,5;3\n01/03/1949;118,0;4\n",
              "no header row", "['01/02/1949', '112,5', '3']", "'time;value'")


@pytest.mark.parametrize("content, kwargs", [
    (MONTHLY, {}),
    ("id,time,y\na,2024-01-01,1\na,2024-01-02,2\nb,2024-01-01,3\nb,2024-01-02,4\n", {}),
    ("date,2019,2020\n2024-01-01,1,2\n2024-01-02,3,4\n", {"target": "2019"}),
    ("date,x1\n2024-01-01,1\n2024-01-02,2\n", {}),
])
def test_headers_that_name_columns_are_kept(tmp_path, content, kwargs):
    panel = load_csv(write(tmp_path, content), **kwargs)
    assert panel.target in {"passengers", "y", "2019", "x1"}


# --------------------------------------------------------------------------------------
# Day-first dates (dd/mm/yyyy)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"])
def test_day_first_monthly_dates_are_read_day_first_with_a_warning(tmp_path, fmt):
    panel, caught = _load_quietly(write(tmp_path, _csv("month,passengers", AIRLINE_DATES, fmt)))
    assert panel.freq == "MS"
    assert panel.frame["time"].tolist() == list(AIRLINE_DATES)
    [message] = caught
    for part in ("Read the time values in column 'month' of", "as day/month/year dates",
                 f"'{AIRLINE_DATES[1].strftime(fmt)}' at line 3 is 1949-02-01", "MS grid",
                 "no regular grid", "ISO dates (YYYY-MM-DD)"):
        assert part in message, message


def test_day_first_daily_dates_are_read_day_first_with_a_warning(tmp_path):
    dates = pd.date_range("2000-01-01", periods=40, freq="D")
    panel, caught = _load_quietly(write(tmp_path, _csv("date,y", dates, "%d/%m/%Y")))
    assert panel.freq == "D" and panel.frame["time"].tolist() == list(dates)
    [message] = caught
    assert "'13/01/2000' at line 14 is not a valid month/day/year date" in message, message
    assert "'02/01/2000' at line 3 is 2000-01-02" in message, message


def test_day_first_daily_dates_are_found_as_the_time_column(tmp_path):
    dates = pd.date_range("2000-01-01", periods=40, freq="D")
    panel, _ = _load_quietly(write(tmp_path, _csv("when,y", dates, "%d/%m/%Y %H:%M")))
    assert panel.frame["time"].tolist() == list(dates)


@pytest.mark.parametrize("fmt", ["%m/%d/%Y", "%m/%d/%Y %H:%M"])
def test_month_first_dates_are_read_as_before_without_warning(tmp_path, fmt):
    for dates in (AIRLINE_DATES, pd.date_range("2000-01-01", periods=40, freq="D")):
        panel, caught = _load_quietly(write(tmp_path, _csv("date,y", dates, fmt)))
        assert panel.frame["time"].tolist() == list(dates) and caught == []


def test_dates_with_equal_day_and_month_need_no_guess(tmp_path):
    dates = pd.date_range("2020-01-01", periods=4, freq="YS")
    panel, caught = _load_quietly(write(tmp_path, _csv("date,y", dates, "%d/%m/%Y")))
    assert panel.freq == "YS-JAN" and caught == []


def test_ambiguous_short_file_asks_for_iso_dates(tmp_path):
    dates = pd.date_range("2024-01-01", periods=6, freq="MS")  # read month-first: daily
    message = csv_error(tmp_path, _csv("date,y", dates, "%d/%m/%Y"),
                        "Cannot tell whether the time values in column 'date'",
                        "day/month/year or month/day/year",
                        "'01/02/2024' at line 3 is 2024-02-01 or 2024-01-02",
                        "both readings lie on a regular grid", "ISO dates (YYYY-MM-DD)")
    assert "missing" not in message and "fill" not in message


def test_day_first_dates_in_a_data_frame(tmp_path):
    frame = pd.DataFrame({"date": AIRLINE_DATES.strftime("%d/%m/%Y"), "y": range(36)})
    with pytest.warns(UserWarning, match="day/month/year.*row 1 \\(index 1\\)"):
        panel = from_pandas(frame)
    assert panel.freq == "MS"


def test_day_first_file_never_blames_missing_timestamps_in_the_cli(tmp_path, capsys):
    path = write(tmp_path, _csv("month,passengers", AIRLINE_DATES, "%d/%m/%Y"))
    out = tmp_path / "o.csv"
    assert main(["forecast", "--data", str(path), "--model", "naive", "--horizon", "2",
                 "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "day/month/year" in err and "missing" not in err
    assert pd.read_csv(out)["time"].tolist() == ["1952-01-01", "1952-02-01"]


# --------------------------------------------------------------------------------------
# `freq` of the wrong alias
# --------------------------------------------------------------------------------------


def test_month_end_freq_on_month_starts_names_the_grid_and_suggests_ms(tmp_path):
    message = csv_error(tmp_path, MONTHLY, "do not fit `freq` 'ME'", "1949-01-01 at line 2",
                        "not on the ME grid (month ends)",
                        "the nearest ME times are 1948-12-31 and 1949-01-31",
                        "They fit 'MS' (month starts): set `freq` to 'MS'", freq="ME")
    assert "starting 1949-01-01" not in message


def test_month_start_freq_on_month_ends_suggests_me(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-31,1\n2024-02-29,2\n2024-03-31,3\n",
              "not on the MS grid (month starts)", "2024-01-01 and 2024-02-01",
              "They fit 'ME' (month ends)", freq="MS")


def test_freq_off_grid_later_keeps_the_grid_start(tmp_path):
    csv_error(tmp_path, MONTHLY, "1949-02-01 at line 3", "QS-JAN grid (quarter starts) "
              "starting 1949-01-01", "They fit 'MS'", freq="QS")


def test_freq_without_a_fitting_alias_keeps_the_generic_fix(tmp_path):
    csv_error(tmp_path, "date,y\n2024-01-01,1\n2024-01-02,2\n2024-01-04 13:00,3\n",
              "not on the W-SUN grid", "Pass the frequency the data is recorded at",
              freq="W")


@pytest.mark.parametrize("alias, parts", [
    ("M", ["Please use 'ME' instead", "or 'MS' if the times are month starts"]),
    ("Q", ["'QE-DEC'", "or 'QS-JAN' if the times are quarter starts"]),
    ("Y", ["'YE-DEC'", "or 'YS-JAN' if the times are year starts"]),
])
def test_deprecated_end_alias_also_suggests_the_start_alias(alias, parts):
    raises(ConfigError, lambda: parse_freq(alias), f"freq={alias!r}", *parts)


def test_cli_freq_me_message_uses_the_flag(tmp_path, capsys):
    path = write(tmp_path, MONTHLY)
    assert main(["forecast", "--data", str(path), "--model", "naive", "--freq", "ME"]) == 1
    err = capsys.readouterr().err
    assert "do not fit `--freq` 'ME'" in err and "set `--freq` to 'MS'" in err, err
