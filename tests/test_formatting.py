"""Tests for forecastkit.formatting: one scale of decimals per column, no scientific notation
for numbers people read (issue 18, item 7)."""

import numpy as np
import pandas as pd

from forecastkit.formatting import MISSING, format_column, format_frame, format_times


def test_sales_column_is_not_mixed_scientific_and_plain():
    """Before: ``1.709e+04`` beside ``9551`` in one column (``{:.4g}``)."""
    shown = format_column([17090.4, 9551.2, 12000.0])
    assert shown == ["17090", "9551", "12000"]
    assert not any("e" in text for text in shown)


def test_every_value_of_a_column_gets_the_same_decimals():
    shown = format_column([0.8312, 1.2, 2.61, 10.5])
    assert {len(text.split(".")[1]) for text in shown} == {3}
    assert shown == ["0.831", "1.200", "2.610", "10.500"]


def test_integer_valued_columns_have_no_decimals():
    assert format_column(np.array([1, 24, 300])) == ["1", "24", "300"]
    assert format_column([112.0, 118.0]) == ["112", "118"]


def test_no_thousands_separators_and_no_negative_zero():
    assert format_column([1234567.891, 2345678.5]) == ["1234568", "2345678"]
    assert format_column([0.5, -0.00001]) == ["0.5000", "0.0000"]


def test_missing_and_infinite_values():
    assert format_column([1.5, np.nan, np.inf, -np.inf, None]) == ["1.500", MISSING, "inf", "-inf", MISSING]
    assert format_column([np.nan]) == [MISSING]
    assert format_column([]) == []


def test_tiny_and_huge_magnitudes_fall_back_to_scientific():
    assert format_column([3.2e-12, 4.51e-12]) == ["3.200e-12", "4.510e-12"]
    assert format_column([2.5e17, 3.25e17]) == ["2.500e+17", "3.250e+17"]


def test_format_frame_formats_numbers_times_and_labels():
    frame = pd.DataFrame({"model": ["naive", None], "mase": [1.7712, 0.95], "ok": [True, False],
                          "time": pd.to_datetime(["2024-01-01", "2024-02-01"])}, index=[5, 7])
    shown = format_frame(frame)
    assert list(shown.columns) == list(frame.columns) and list(shown.index) == [5, 7]
    assert shown.to_dict("list") == {"model": ["naive", MISSING], "mase": ["1.771", "0.950"],
                                     "ok": ["True", "False"], "time": ["2024-01-01", "2024-02-01"]}


def test_format_times_keeps_clock_times():
    times = pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-01-01 06:00"]))
    assert format_times(times) == ["2024-01-01 00:00:00", "2024-01-01 06:00:00"]
    assert format_times(pd.Series([1949, 1950])) == ["1949", "1950"]


def test_html_report_tables_use_the_column_scale():
    from forecastkit.report import _table

    page = _table(pd.DataFrame({"model": ["a", "b"], "mae": [17090.4, 9551.2]}))
    assert "<td>17090</td>" in page and "<td>9551</td>" in page and "e+04" not in page
