"""Tests for covariate roles in forecastkit.data: past, future and static covariates,
categorical (label) covariates, Panel.with_frame / drop_short, and read_future."""

import warnings

import numpy as np
import pandas as pd
import pytest

from forecastkit.data import Panel, from_pandas, load_csv, read_future
from forecastkit.data.options import LoadOptions, check_options
from forecastkit.errors import ConfigError, ConfigTypeError, DataError

#: A long panel: two stores, a past covariate, a future one (labels), a static one (labels).
STORES = ("store,date,sales,temp,promo,size\n"
          "a,2024-01-01,5,20,yes,big\n"
          "a,2024-01-02,6,21,no,big\n"
          "a,2024-01-03,7,22,no,big\n"
          "b,2024-01-01,1,18,no,small\n"
          "b,2024-01-02,2,19,yes,small\n"
          "b,2024-01-03,3,17,no,small\n")
ROLES = {"target": "sales", "past_covariates": "temp", "future_covariates": "promo",
         "static_covariates": "size"}
#: The Panel attribute holding the columns of each role argument.
ATTRIBUTE = {"past_covariates": "covariates", "future_covariates": "future_covariates",
             "static_covariates": "static_covariates"}


def write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def raises(error, call, *parts):
    """Assert `call()` raises exactly `error` with a one-line message holding every part."""
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    message = str(info.value)
    assert "\n" not in message, message
    for part in parts:
        assert part in message, f"{part!r} not in: {message}"
    return message


def stores(tmp_path, **kwargs):
    return load_csv(write(tmp_path, STORES), **{**ROLES, **kwargs})


# --------------------------------------------------------------------------------------
# Roles: arguments, column order, clashes, inference
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["price", ["price"], ("price",), "price,promo", "price, promo",
                                  ["price", "promo"], "generator"])
@pytest.mark.parametrize("role", ["past_covariates", "future_covariates", "static_covariates"])
def test_roles_accept_a_name_a_comma_string_or_a_list(tmp_path, role, form):
    path = write(tmp_path, "date,y,price,promo\n2024-01-01,1,2,3\n2024-01-02,2,2,3\n")
    expected = ("price",) if form in ("price", ["price"], ("price",)) else ("price", "promo")
    if form == "generator":  # read once, like any iterable
        form = (name for name in ["price", "promo"])
    panel = load_csv(path, target="y", **{role: form})
    assert getattr(panel, ATTRIBUTE[role]) == expected
    others = set(ATTRIBUTE) - {role}
    assert all(getattr(panel, ATTRIBUTE[other]) == () for other in others)
    assert list(panel.frame.columns) == ["id", "time", "y", *expected]


def test_check_options_keeps_the_new_roles():
    options = check_options("y", None, None, "a", None, None, "b,c", ["d"])
    assert options == LoadOptions(target=["y"], past_covariates=("a",), future_covariates=("b,c",),
                                  static_covariates=("d",))
    assert check_options("y", None, None, (), None, None).future_covariates == ()


@pytest.mark.parametrize("role", ["future_covariates", "static_covariates"])
@pytest.mark.parametrize("value, error, parts", [
    ("", ConfigError, ["must be a column name, not an empty string", "leave it out for none"]),
    (5, ConfigTypeError, ["list/tuple of column names"]),
    (["a", "a"], ConfigError, ["more than once", "['a']"]),
])
def test_role_arguments_are_checked_like_covariates(tmp_path, role, value, error, parts):
    path = write(tmp_path, "date,y,a\n2024-01-01,1,2\n")
    raises(error, lambda: load_csv(path, target="y", **{role: value}),
           f"`{role}`", f"Received: {role}={value!r}", *parts)


def test_frame_order_is_id_time_y_past_future_static(tmp_path):
    path = write(tmp_path, "size,promo,date,temp,store,sales\n"
                           "big,1,2024-01-01,20,a,5\nbig,0,2024-01-02,21,a,6\n")
    panel = load_csv(path, target="sales", id="store", static_covariates="size",
                     future_covariates="promo", past_covariates="temp")
    assert list(panel.frame.columns) == ["id", "time", "y", "temp", "promo", "size"]
    assert panel.columns == ["id", "time", "y", "temp", "promo", "size"]
    assert (panel.covariates, panel.future_covariates, panel.static_covariates) == (
        ("temp",), ("promo",), ("size",))
    assert panel.categorical == ("size",)
    assert panel.frame["promo"].dtype == "float64"


@pytest.mark.parametrize("kwargs, first, second", [
    ({"past_covariates": "p", "future_covariates": "p"}, "`past_covariates`",
     "`future_covariates`"),
    ({"future_covariates": "p", "static_covariates": "p"},
     "`future_covariates`", "`static_covariates`"),
    ({"past_covariates": "q,p", "static_covariates": ["p"]}, "`past_covariates`",
     "`static_covariates`"),
    ({"target": "p", "static_covariates": "p"}, "`target`",
     "`static_covariates`"),
    ({"id": "p", "future_covariates": "p"}, "`id`",
     "`future_covariates`"),
])
def test_a_column_plays_one_role(tmp_path, kwargs, first, second):
    path = write(tmp_path, "date,y,p,q\n2024-01-01,1,2,3\n")
    raises(ConfigError, lambda: load_csv(path, **{"target": "y", **kwargs}),
           f"Column 'p' is used both as {first} and as {second}", "Give each column one role")


@pytest.mark.parametrize("role, flag", [("future_covariates", "`future_covariates`"),
                                        ("static_covariates", "`static_covariates`")])
def test_missing_role_column_names_its_flag(tmp_path, role, flag):
    path = write(tmp_path, "date,y\n2024-01-01,1\n")
    raises(DataError, lambda: load_csv(path, **{role: "promo"}),
           "Column 'promo'", f"({flag}) not found", "Available columns: ['date', 'y']")


def test_several_targets_reject_every_covariate_role(tmp_path):
    path = write(tmp_path, "date,a,b,c\n2024-01-01,1,2,3\n")
    raises(ConfigError, lambda: load_csv(path, target="a,b", future_covariates="c"),
           "Covariates are not supported with several targets", "drop `future_covariates`")
    raises(ConfigError, lambda: load_csv(path, target="a,b", static_covariates="c"),
           "drop `static_covariates`")


@pytest.mark.parametrize("role", ["past_covariates", "future_covariates", "static_covariates"])
def test_target_inference_excludes_every_role(tmp_path, role):
    path = write(tmp_path, "date,sales,price\n2024-01-01,1,2\n2024-01-02,2,2\n")
    panel = load_csv(path, **{role: "price"})
    assert panel.target == "sales" and getattr(panel, ATTRIBUTE[role]) == ("price",)


@pytest.mark.parametrize("role", ["past_covariates", "future_covariates", "static_covariates"])
def test_id_inference_excludes_label_covariates_of_every_role(tmp_path, role):
    path = write(tmp_path, "store,date,sales,kind\na,2024-01-01,1,x\na,2024-01-02,2,x\n"
                           "b,2024-01-01,3,y\nb,2024-01-02,4,y\n")
    panel = load_csv(path, target="sales", **{role: "kind"})
    assert panel.ids == ["a", "b"] and panel.categorical == ("kind",)


def test_covariate_names_clash_with_panel_columns(tmp_path):
    path = write(tmp_path, "t,y,time\n2024-01-01,1,2\n")
    raises(ConfigError, lambda: load_csv(path, time="t", target="y", future_covariates="time"),
           "clash with the panel columns")


# --------------------------------------------------------------------------------------
# Categorical covariates
# --------------------------------------------------------------------------------------


def test_label_columns_are_categorical_str_and_stripped(tmp_path):
    panel = load_csv(write(tmp_path, "date,y,promo,size\n2024-01-01,1, yes ,10\n"
                                     "2024-01-02,2,no,10\n2024-01-03,3,Yes,10\n"),
                     target="y", future_covariates="promo", static_covariates="size")
    assert panel.categorical == ("promo",)
    assert panel.frame["promo"].tolist() == ["yes", "no", "Yes"]
    assert all(type(v) is str for v in panel.frame["promo"])
    assert pd.api.types.is_string_dtype(panel.frame["promo"])
    assert panel.frame["size"].dtype == "float64"


def test_label_covariates_from_pandas_including_categorical_dtype():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0],
                       "kind": pd.Categorical(["a", "b", "a"]),
                       "code": pd.Categorical([1, 2, 1])},
                      index=pd.date_range("2024-01-01", periods=3, freq="D"))
    panel = from_pandas(df, target="y", past_covariates=["kind", "code"])
    assert panel.categorical == ("kind",)
    assert panel.frame["kind"].tolist() == ["a", "b", "a"]
    assert panel.frame["code"].tolist() == [1.0, 2.0, 1.0]


@pytest.mark.parametrize("cells, first, other, kinds", [
    (["1", "2", "high", "3"], "line 2", "line 4", "holds '1' (a number) but line 4 holds 'high' "
                                                   "(a label)"),
    (["low", "", "2", "high"], "line 2", "line 4", "holds 'low' (a label) but line 4 holds '2' "
                                                    "(a number)"),
    (["1", "12kg", "2", "3"], "line 2", "line 3", "'12kg' (a label)"),
])
def test_a_column_mixing_numbers_and_labels_is_an_error(tmp_path, cells, first, other, kinds):
    rows = "".join(f"2024-01-0{k + 1},{k},{cell}\n" for k, cell in enumerate(cells))
    path = write(tmp_path, "date,y,promo\n" + rows)
    message = raises(DataError, lambda: load_csv(path, target="y", future_covariates="promo"),
                     "Column 'promo'", "mixes numbers and labels", f"{first} holds", kinds,
                     "Make the column all numbers or all labels")
    if cells[1] == "12kg":
        assert "remove units" in message


def test_the_target_is_never_categorical(tmp_path):
    raises(DataError, lambda: load_csv(write(tmp_path, "date,y,p\n2024-01-01,a,1\n"),
                                       target="y", past_covariates="p"),
           "Column 'y'", "must be numeric", "line 2", "'a'")


def test_missing_labels_are_an_error_without_fill(tmp_path):
    path = write(tmp_path, "date,y,promo\n2024-01-01,1,yes\n2024-01-02,2,\n2024-01-03,3,NA\n")
    raises(DataError, lambda: load_csv(path, target="y", future_covariates="promo"),
           "Column 'promo'", "2 missing values", "first at line 3", "`fill`")


@pytest.mark.parametrize("fill", ["ffill", "interpolate", "zero"])
def test_missing_labels_and_gaps_are_forward_then_back_filled(tmp_path, fill):
    path = write(tmp_path, "date,y,x,promo\n2024-01-01,1,1,\n2024-01-02,2,,no\n"
                           "2024-01-03,3,3,\n2024-01-05,5,5,yes\n2024-01-06,6,6,\n")
    panel = load_csv(path, target="y", past_covariates=["x", "promo"], fill=fill)
    assert panel.frame["promo"].tolist() == ["no", "no", "no", "no", "yes", "yes"]
    expected_x = {"ffill": [1, 1, 3, 3, 5, 6], "interpolate": [1, 2, 3, 4, 5, 6],
                  "zero": [1, 0, 3, 0, 5, 6]}[fill]
    assert panel.frame["x"].tolist() == expected_x


def test_a_label_column_empty_in_one_series_cannot_be_filled(tmp_path):
    path = write(tmp_path, "store,date,y,promo\na,2024-01-01,1,yes\na,2024-01-02,2,no\n"
                           "b,2024-01-01,1,\nb,2024-01-02,2,\n")
    raises(DataError, lambda: load_csv(path, id="store", target="y", future_covariates="promo",
                                       fill="ffill"),
           "Column 'promo' of series 'b'", "has no values at all")


def test_arrays_refuse_categorical_past_covariates(tmp_path):
    panel = stores(tmp_path, past_covariates=["temp", "promo"], future_covariates=())
    raises(ConfigError, panel.arrays, "['promo']", "categorical",
           "feature encoding reads the frame")


def test_arrays_hold_numeric_past_covariates_only(tmp_path):
    panel = stores(tmp_path)  # label future and static covariates stay in the frame
    (key, y, x), _ = panel.arrays()
    assert key == "a" and y.tolist() == [5.0, 6.0, 7.0] and x.tolist() == [[20.0], [21.0], [22.0]]
    assert x.dtype == "float64"


def test_repr_shows_the_roles_in_use(tmp_path):
    text = repr(stores(tmp_path))
    assert "covariates=('temp',)" in text and "future_covariates=('promo',)" in text
    assert "static_covariates=('size',)" in text and "categorical=('promo', 'size')" in text
    plain = repr(load_csv(write(tmp_path, "date,y\n2024-01-01,1\n", "plain.csv"), freq="D"))
    assert "future_covariates" not in plain and "categorical" not in plain


# --------------------------------------------------------------------------------------
# Static covariates
# --------------------------------------------------------------------------------------


def test_static_covariates_are_constant_per_series(tmp_path):
    panel = stores(tmp_path)
    assert panel.series("a")["size"].tolist() == ["big"] * 3
    assert panel.series("b")["size"].tolist() == ["small"] * 3


@pytest.mark.parametrize("first, second, shown", [
    ("north", "south", "'north' at line 3 and 'south' at line 5"),
    ("1", "2", "'1' at line 3 and '2' at line 5"),
])
def test_a_static_covariate_that_changes_is_an_error(tmp_path, first, second, shown):
    other = "x" if first == "north" else "9"
    path = write(tmp_path, f"store,date,y,region\nb,2024-01-01,1,{other}\n"
                           f"a,2024-01-01,1,{first}\nb,2024-01-02,2,{other}\n"
                           f"a,2024-01-02,2,{second}\n")
    raises(DataError, lambda: load_csv(path, id="store", target="y", static_covariates="region"),
           "Static covariate 'region' must be constant within each series", "series 'a'",
           shown, "`past_covariates` or `future_covariates`")


def test_static_numbers_compare_as_numbers(tmp_path):
    path = write(tmp_path, "date,y,size\n2024-01-01,1,1\n2024-01-02,2,1.0\n")
    assert load_csv(path, target="y", static_covariates="size").frame["size"].tolist() == [1, 1]


@pytest.mark.parametrize("fill", ["ffill", "interpolate", "zero"])
def test_missing_static_cells_and_gaps_take_the_series_value(tmp_path, fill):
    path = write(tmp_path, "date,y,size,region\n2024-01-01,1,,\n2024-01-02,2,7,north\n"
                           "2024-01-04,4,,\n")
    panel = load_csv(path, target="y", static_covariates="size,region", fill=fill)
    assert panel.frame["size"].tolist() == [7.0] * 4
    assert panel.frame["region"].tolist() == ["north"] * 4


def test_missing_static_cells_are_an_error_without_fill(tmp_path):
    path = write(tmp_path, "date,y,size\n2024-01-01,1,\n2024-01-02,2,7\n")
    raises(DataError, lambda: load_csv(path, target="y", static_covariates="size"),
           "Column 'size'", "1 missing value", "line 2", "`fill`")


# --------------------------------------------------------------------------------------
# Panel.with_frame and Panel.drop_short
# --------------------------------------------------------------------------------------


def test_with_frame_keeps_the_metadata(tmp_path):
    panel = stores(tmp_path)
    tail = panel.with_frame(panel.frame.iloc[3:])
    assert isinstance(tail, Panel) and tail is not panel
    for field in ("target", "freq", "step", "covariates", "future_covariates",
                  "static_covariates", "categorical", "source"):
        assert getattr(tail, field) == getattr(panel, field)
    assert tail.ids == ["b"] and tail.lengths == {"b": 3}
    assert isinstance(tail.frame.index, pd.RangeIndex) and tail.frame.index[0] == 0
    assert panel.ids == ["a", "b"]  # the original is unchanged


def test_with_frame_needs_the_panel_columns(tmp_path):
    panel = stores(tmp_path)
    raises(ConfigError, lambda: panel.with_frame(panel.frame.drop(columns=["promo"])),
           "must keep the panel columns", "['promo'] is missing")
    raises(ConfigTypeError, lambda: panel.with_frame(panel.frame.to_numpy()),
           "`frame` must be a pandas DataFrame")


def _panel_of(lengths):
    ids = [f"s{k}" for k, n in enumerate(lengths) for _ in range(n)]
    periods = [t for n in lengths for t in range(n)]
    frame = pd.DataFrame({"id": ids, "t": periods, "y": np.arange(len(ids), dtype=float)})
    return from_pandas(frame, id="id", time="t", target="y")


def test_drop_short_warns_once_and_drops():
    panel = _panel_of([5, 2, 5, 1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = panel.drop_short(3, "lookback 2 + horizon 1; pass --drop-short")
    assert len(caught) == 1 and caught[0].category is UserWarning
    message = str(caught[0].message)
    for part in ("Dropped 2 of 4 series", "shorter than 3 rows", "lookback 2 + horizon 1",
                 "'s1' has 2 rows", "'s3' has 1 row."):
        assert part in message, message
    assert "--drop-short" not in message
    assert kept.ids == ["s0", "s2"] and kept.lengths == {"s0": 5, "s2": 5}
    assert kept.frame["y"].tolist() == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]
    assert isinstance(kept.frame.index, pd.RangeIndex)
    assert caught[0].filename == __file__  # points at the caller


def test_drop_short_lists_five_and_counts_the_rest():
    with pytest.warns(UserWarning) as caught:
        _panel_of([1, 1, 1, 1, 1, 1, 1, 4]).drop_short(2, "horizon 2")
    message = str(caught[0].message)
    assert "'s4' has 1 row, and 2 more." in message and "'s5'" not in message


def test_drop_short_without_short_series_returns_the_panel_silently():
    panel = _panel_of([3, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert panel.drop_short(3, "horizon 3") is panel


def test_drop_short_with_every_series_short_raises_the_check_length_error():
    panel = _panel_of([2, 1])
    with pytest.raises(DataError) as expected:
        panel.check_length(3, "lookback 2 + horizon 1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raises(DataError, lambda: panel.drop_short(3, "lookback 2 + horizon 1"),
               str(expected.value))


# --------------------------------------------------------------------------------------
# read_future
# --------------------------------------------------------------------------------------

FUTURE = ("store,date,promo,price,note\n"
          "b,2024-01-05,yes,2.5,x\n"    # line 2
          "a,2024-01-04,no,1.0,x\n"     # line 3
          "b,2024-01-04,no,2.0,x\n"     # line 4
          "a,2024-01-05,yes,1.5,x\n"    # line 5
          "c,2024-01-04,no,9.0,x\n"     # line 6: a series not in the panel
          "a,2024-01-01,no,0.5,x\n"     # line 7: history
          "a,2024-01-06,no,0.5,x\n")    # line 8: after the horizon


def _priced(tmp_path):
    """STORES with a numeric future covariate `price` too."""
    history = pd.read_csv(write(tmp_path, STORES, "history.csv"))
    history["price"] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    return from_pandas(history, id="store", target="sales", past_covariates="temp",
                       future_covariates=["promo", "price"], static_covariates="size")


def test_read_future_for_a_panel(tmp_path):
    panel = _priced(tmp_path)
    future = read_future(write(tmp_path, FUTURE, "future.csv"), panel, 2, id="store")
    assert list(future.columns) == ["id", "time", "promo", "price"]
    assert future["id"].tolist() == ["a", "a", "b", "b"]
    expected = [pd.Timestamp(t) for t in ("2024-01-04", "2024-01-05")] * 2
    assert future["time"].tolist() == expected
    assert future["time"].dtype == "datetime64[ns]"
    assert future["promo"].tolist() == ["no", "yes", "no", "yes"]
    assert all(type(v) is str for v in future["promo"])
    assert future["price"].tolist() == [1.0, 1.5, 2.0, 2.5]
    assert future["price"].dtype == "float64"
    assert isinstance(future.index, pd.RangeIndex)
    for key in panel.ids:
        times = future.loc[future["id"] == key, "time"]
        assert list(times) == list(panel.future_times(key, 2))


def test_read_future_infers_the_id_column(tmp_path):
    panel = _priced(tmp_path)
    data = pd.read_csv(write(tmp_path, FUTURE, "future.csv")).drop(columns="note")
    assert read_future(data, panel, 2)["price"].tolist() == [1.0, 1.5, 2.0, 2.5]
    renamed = data.rename(columns={"store": "id"}).assign(kind="k")  # "id" wins
    assert read_future(renamed, panel, 1)["id"].tolist() == ["a", "b"]


def test_read_future_for_a_single_series_from_a_file_and_a_frame(tmp_path):
    history = write(tmp_path, "month,sales,promo\n2024-01,5,no\n2024-02,6,yes\n", "h.csv")
    panel = load_csv(history, target="sales", future_covariates="promo")
    data = write(tmp_path, "month,promo\n2024-02,no\n2024-03,yes\n2024-04,no\n2024-05,x\n",
                 "f.csv")
    future = read_future(data, panel, 2)
    assert future.to_dict("list") == {"id": ["sales", "sales"],
                                      "time": [pd.Timestamp("2024-03-01"),
                                               pd.Timestamp("2024-04-01")],
                                      "promo": ["yes", "no"]}
    frame = pd.DataFrame({"promo": ["yes", "no"]},
                         index=pd.date_range("2024-03-01", periods=2, freq="MS"))
    assert read_future(frame, panel, 2)["promo"].tolist() == ["yes", "no"]


def test_read_future_integer_periods_and_time_argument(tmp_path):
    panel = from_pandas(pd.DataFrame({"t": [10, 12, 14], "y": [1.0, 2.0, 3.0],
                                      "x": [1.0, 2.0, 3.0]}), time="t", target="y",
                        future_covariates="x")
    data = pd.DataFrame({"when": [18, 16], "x": [5, 4], "t": ["a", "b"]})
    future = read_future(data, panel, 2, time="when")
    assert future["time"].tolist() == [16, 18] and future["time"].dtype == "int64"
    assert future["x"].tolist() == [4.0, 5.0]


def test_read_future_keeps_the_time_zone():
    index = pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
    panel = from_pandas(pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, 1.0, 1.0]}, index=index),
                        target="y", future_covariates="x")
    data = pd.DataFrame({"time": ["2024-01-01T05:00+01:00", "2024-01-01T04:00+01:00"],
                         "x": [4, 3]})
    future = read_future(data, panel, 2)
    assert future["time"].tolist() == list(panel.future_times("y", 2))
    assert future["x"].tolist() == [3.0, 4.0]
    naive = data.assign(time=["2024-01-01 03:00", "2024-01-01 04:00"])
    raises(DataError, lambda: read_future(naive, panel, 2), "same time zone")


@pytest.fixture
def future_case(tmp_path):
    """``error(csv_text, *parts, **kwargs)``: read_future of that text must raise DataError."""
    panel = _priced(tmp_path)

    def error(text, *parts, horizon=2, **kwargs):
        path = write(tmp_path, text, "future.csv")
        return raises(DataError, lambda: read_future(path, panel, horizon, **kwargs),
                      repr(str(path)), *parts)
    return error


def _edit(line: int, new: str) -> str:
    lines = FUTURE.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def test_read_future_series_missing(future_case):
    text = "".join(line + "\n" for line in FUTURE.splitlines() if not line.startswith("b,"))
    future_case(text, "The future data must cover every series", "no rows for series 'b'",
                "column 'store'", "2 steps 2024-01-04 to 2024-01-05", id="store")


def test_read_future_time_missing(future_case):
    future_case(_edit(2, "b,2024-01-07,yes,2.5,x"),
                "The future data must cover the whole horizon: series 'b' in",
                "has no row for 2024-01-05 (step 2 of 2)", "Add a row for each of the 2 steps",
                id="store")


def test_read_future_missing_value(future_case):
    future_case(_edit(5, "a,2024-01-05,yes,,x"), "Column 'price'", "has no value at line 5",
                "series 'a', time 2024-01-05, step 2 of 2", "fill in the value", id="store")
    future_case(_edit(5, "a,2024-01-05,,1.5,x"), "Column 'promo'", "has no label at line 5",
                id="store")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
def test_read_future_non_finite_value(future_case, value):
    parts = (["has no value"] if value == "nan" else ["not a finite number", f"'{value}'"])
    future_case(_edit(3, f"a,2024-01-04,no,{value},x"), "Column 'price'", "line 3",
                "series 'a', time 2024-01-04, step 1 of 2", *parts, id="store")


def test_read_future_label_in_a_numeric_column(future_case):
    future_case(_edit(4, "b,2024-01-04,no,cheap,x"), "Column 'price'", "must be numeric",
                "line 4 (series 'b', time 2024-01-04, step 1 of 2) holds 'cheap'",
                "Replace it with a number", id="store")
    future_case(_edit(4, "b,2024-01-04,no,\"2,5\",x"), "'2,5'", "Use '.' as the decimal point",
                id="store")


def test_read_future_bad_time_value(future_case):
    future_case(_edit(6, "c,soon,no,9.0,x"), "Cannot parse time value 'soon'", "column 'date'",
                "line 6", id="store")


def test_read_future_duplicate_rows(future_case):
    future_case(FUTURE + "a,2024-01-05,no,3.0,x\n",
                "Duplicate rows for series 'a' at time 2024-01-05 (step 2 of 2)",
                "line 5 and line 9", "one row per series and time", id="store")


def test_read_future_missing_column(future_case):
    future_case(FUTURE.replace("price", "cost"), "Future covariate column 'price' not found",
                "`future_covariates` column ['promo', 'price']", id="store")


def test_read_future_needs_an_id_column_for_a_panel(future_case):
    # the history's id column ("store") is used where the future data has it; without it, inferred
    future_case(FUTURE.replace("note", "kind").replace("store", "shop"), "needs a series id column",
                "the panel has 2 series ['a', 'b']", "set `id` to its name")
    future_case(FUTURE, "Column 'shop' (`id`) not found", id="shop")


def test_read_future_needs_future_covariates(tmp_path):
    panel = load_csv(write(tmp_path, STORES), id="store", target="sales", past_covariates="temp")
    raises(DataError, lambda: read_future(write(tmp_path, FUTURE, "f.csv"), panel, 2),
           "has no future covariates", "`future_covariates` set to those columns")


def test_read_future_bad_arguments(tmp_path):
    panel = _priced(tmp_path)
    raises(ConfigTypeError, lambda: read_future([1, 2], panel, 2), "`data` must be a CSV path")
    raises(ConfigTypeError, lambda: read_future(pd.DataFrame(), "panel", 2), "`panel` must be")
    raises(ConfigError, lambda: read_future(pd.DataFrame(), panel, 0), "`horizon` must be >= 1")
    raises(DataError, lambda: read_future(pd.DataFrame(), panel, 1), "has no rows")
    raises(DataError, lambda: read_future(tmp_path / "nope.csv", panel, 1), "File not found")


def test_read_future_time_kinds_must_match(tmp_path):
    panel = _priced(tmp_path)
    data = pd.DataFrame({"store": ["a", "b"], "date": [1, 2], "promo": ["x", "y"],
                         "price": [1, 2]})
    raises(DataError, lambda: read_future(data, panel, 1, time="date"),
           "are integer periods but the history", "has dates")


def test_day_first_future_dates_are_read_on_the_history_s_grid(tmp_path):
    # 01/01, 01/02, 01/03/2020 read as days (D) or as months (MS): the monthly history settles it
    months = pd.date_range("2015-01-01", periods=60, freq="MS")
    history = from_pandas(pd.DataFrame({"month": months, "sales": np.arange(60.0), "price": 1.0}),
                          time="month", target="sales", future_covariates="price")
    path = write(tmp_path, "month,price\n01/01/2020,10\n01/02/2020,11\n01/03/2020,12\n", "future.csv")
    with pytest.warns(UserWarning, match=r"as day/month/year dates .*so they lie on the MS grid of the history"):
        future = read_future(path, history, 3)
    assert future["time"].tolist() == list(pd.date_range("2020-01-01", periods=3, freq="MS"))
    assert future["price"].tolist() == [10.0, 11.0, 12.0]
