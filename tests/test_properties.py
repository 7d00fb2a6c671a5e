"""Property-based tests (hypothesis) for the data layer, windows and walk-forward splits.

Generated series, panels and parameters either give results that keep every guarantee
(a sorted, regular, finite panel; windows whose inputs end before their first target;
folds that train before ``origin - gap``) or raise a forecastkit error, never a foreign one.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from forecastkit.data import FILL_POLICIES, Panel, from_pandas
from forecastkit.errors import ConfigError, ConfigTypeError, DataError, ForecastkitError
from forecastkit.evaluation import WalkForward, parse_refit, parse_window
from forecastkit.windows import WindowSet, check_window_args, make_windows, n_windows

SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
FREQS = ("D", "MS", "h", "W-SUN", "QS-JAN", "YS-JAN", "15min")


# ------------------------------------------------------------------------- data layer --
@st.composite
def panels(draw):
    """A long frame (id, time, y) of 1-3 series on one grid, with optional damage:
    dropped rows (gaps), duplicated rows, shuffled rows, NaN / inf values."""
    integer = draw(st.booleans())
    freq = None if integer else draw(st.sampled_from(FREQS))
    step = draw(st.integers(1, 3)) if integer else 1
    frames = []
    for k in range(draw(st.integers(1, 3))):
        n = draw(st.integers(1, 12))
        offset = draw(st.integers(0, 5))
        if integer:
            times = pd.Series(np.arange(offset, offset + n) * step, dtype="int64")
        else:
            start = pd.Timestamp("2020-01-01") + offset * pd.tseries.frequencies.to_offset(freq)
            times = pd.Series(pd.date_range(start, periods=n, freq=freq))
        values = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=n, max_size=n))
        frames.append(pd.DataFrame({"id": f"s{k}", "time": times, "y": values}))
    frame = pd.concat(frames, ignore_index=True)
    if not integer and draw(st.booleans()):
        frame["time"] = frame["time"].dt.tz_localize(draw(st.sampled_from(["UTC", "Europe/Paris"])))
    damage = draw(st.sets(st.sampled_from(["gap", "duplicate", "shuffle", "nan", "inf", "text"])))
    if "gap" in damage and len(frame) > 2:
        frame = frame.drop(index=draw(st.integers(1, len(frame) - 2))).reset_index(drop=True)
    if "duplicate" in damage:
        row = draw(st.integers(0, len(frame) - 1))
        frame = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    for kind, value in (("nan", np.nan), ("inf", np.inf)):
        if kind in damage:
            frame.loc[draw(st.integers(0, len(frame) - 1)), "y"] = value
    if "shuffle" in damage:
        frame = frame.sample(frac=1.0, random_state=draw(st.integers(0, 99))).reset_index(drop=True)
    typed = frame  # the same rows with typed cells, for the checks
    if "text" in damage:  # as read from a CSV file: every cell a string
        frame = frame.astype(str)
    return frame, freq, damage, typed


def check_panel(panel: Panel, freq_given) -> None:
    """The guarantees of a Panel: columns, dtypes, finite values, sorted regular series."""
    frame = panel.frame
    assert list(frame.columns[:3]) == ["id", "time", "y"]
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["y"].dtype == np.float64 and np.isfinite(frame["y"]).all()
    ids = frame["id"].to_numpy(dtype=object)
    assert (ids[1:] != ids[:-1]).sum() == panel.n_series - 1  # each series' rows are contiguous
    for sid in panel.ids:
        times = panel.series(sid)["time"]
        if panel.freq is None:
            assert (np.diff(times.to_numpy()) == panel.step).all()
        else:
            expected = pd.date_range(times.iloc[0], periods=len(times), freq=panel.freq)
            assert (pd.DatetimeIndex(times) == expected).all()
    if freq_given is not None:
        assert panel.freq == pd.tseries.frequencies.to_offset(freq_given).freqstr


@SETTINGS
@given(panels(), st.sampled_from((None, *FILL_POLICIES)), st.sampled_from(["none", "own", "other"]),
       st.sampled_from(FREQS))
def test_from_pandas_gives_a_valid_panel_or_our_error(generated, fill, pass_freq, other):
    """Damaged panels, with no, the right or another frequency given."""
    frame, freq, damage, typed = generated
    freq_given = {"none": None, "own": freq, "other": other}[pass_freq]
    try:
        panel = from_pandas(frame, time="time", id="id", target="y", fill=fill, freq=freq_given)
    except ForecastkitError as err:
        assert isinstance(err, (ValueError, TypeError))
        assert str(err) and "\n" not in str(err)
        return
    check_panel(panel, freq_given)
    y = typed["y"]
    assert not typed.duplicated(["id", "time"]).any(), "duplicate timestamps were accepted"
    assert not np.isinf(y).any(), "an infinite value was accepted"
    if fill is None:
        assert not y.isna().any(), "a missing value was accepted without a fill policy"
        assert len(panel.frame) == len(frame), "a gap was accepted without a fill policy"


@SETTINGS
@given(panels())
def test_clean_panels_are_accepted_unchanged(generated):
    """Undamaged panels are accepted with their values, in order: always with their
    frequency given, and inferred whenever a series has three rows or more."""
    frame, freq, damage, typed = generated
    assume(not damage)
    panel = from_pandas(frame, time="time", id="id", target="y", freq=freq)
    check_panel(panel, freq)
    if freq is None or frame.groupby("id").size().max() >= 3:
        inferred = from_pandas(frame, time="time", id="id", target="y")
        assert inferred.freq == panel.freq and inferred.frame.equals(panel.frame)
    assert panel.ids == list(dict.fromkeys(frame["id"]))
    original = frame.sort_values(["id", "time"], kind="stable").reset_index(drop=True)
    assert np.array_equal(panel.frame["y"].to_numpy(), original["y"].to_numpy())


@SETTINGS
@given(panels())
def test_unsorted_or_duplicated_rows_are_refused_not_repaired(generated):
    frame, freq, damage, typed = generated
    duplicated = typed.duplicated(["id", "time"]).any()
    unsorted = not typed.groupby("id", sort=False)["time"].apply(lambda t: t.is_monotonic_increasing).all()
    assume(duplicated or unsorted)
    # (Local times written as text change UTC offset at daylight saving: refused before that.)
    with pytest.raises(DataError, match="Duplicate timestamp|go backwards|Mixed time zones"):
        from_pandas(frame, time="time", id="id", target="y", fill="interpolate")


@SETTINGS
@given(st.lists(st.one_of(st.floats(allow_nan=True), st.integers(-10**20, 10**20),
                          st.text(max_size=6), st.none()), min_size=1, max_size=8),
       st.sampled_from(["time", "y"]))
def test_arbitrary_cells_never_raise_a_foreign_error(cells, column):
    """Junk in the time column or the target: a Panel or our error."""
    n = len(cells)
    frame = pd.DataFrame({"time": pd.Series(range(n)), "y": pd.Series(np.arange(n, dtype=float))})
    frame[column] = pd.Series(cells, dtype=object)
    try:
        panel = from_pandas(frame, time="time", target="y", fill="interpolate")
    except ForecastkitError as err:
        assert isinstance(err, (ValueError, TypeError))
        return
    check_panel(panel, None)


# ---------------------------------------------------------------------------- windows --
@SETTINGS
@given(st.integers(0, 60), st.integers(1, 20), st.integers(1, 10), st.integers(0, 2))
def test_windows_shapes_agree_and_inputs_end_before_their_targets(n, lookback, horizon, k):
    z = np.arange(n, dtype=float)  # each value is its row number
    x = np.arange(n, dtype=float)[:, None] * 10 + np.arange(k)[None, :] if k else None
    inputs, targets = make_windows(z, x, lookback, horizon)
    m = n_windows(n, lookback, horizon)
    assert m == max(n - lookback - horizon + 1, 0)
    assert inputs.shape == (m, lookback, 1 + k) and targets.shape == (m, horizon)
    for i in range(m):
        rows = inputs[i, :, 0]
        assert rows.tolist() == list(range(i, i + lookback))
        assert targets[i].tolist() == list(range(i + lookback, i + lookback + horizon))
        assert rows.max() < targets[i, 0]  # no input reaches the window's origin
        for j in range(k):  # covariates stay aligned with the target rows
            assert (inputs[i, :, 1 + j] == rows * 10 + j).all()
    if n >= lookback:
        blocks = [(z, np.zeros((n, 0)) if x is None else x, np.zeros((n, 0)), np.zeros(0))]
        last = WindowSet(blocks, lookback, horizon, starts="last").gather(np.array([0]))[0]
        assert last[0, :, 0].tolist() == list(range(n - lookback, n))


BAD_LENGTHS = st.one_of(st.integers(-5, 0), st.floats(allow_nan=True), st.booleans(), st.none(),
                        st.text(max_size=3), st.just(np.float64(2.0)))


@SETTINGS
@given(BAD_LENGTHS, st.integers(1, 5), st.booleans())
def test_invalid_window_arguments_raise_config_error(bad, good, bad_is_lookback):
    lookback, horizon = (bad, good) if bad_is_lookback else (good, bad)
    with pytest.raises((ConfigError, ConfigTypeError)):  # ConfigTypeError: not an integer
        check_window_args(lookback, horizon)
    with pytest.raises((ConfigError, ConfigTypeError)):
        make_windows(np.arange(10.0), None, lookback, horizon)


# ----------------------------------------------------------------------------- splits --
REFITS = st.one_of(st.sampled_from(["always", "never"]), st.integers(1, 5).map(lambda k: f"every:{k}"))
WINDOWS = st.one_of(st.just("expanding"), st.integers(1, 30).map(lambda n: f"sliding:{n}"))


@SETTINGS
@given(n=st.integers(0, 80), horizon=st.integers(1, 6), folds=st.integers(1, 10), stride=st.integers(1, 4),
       gap=st.integers(0, 4), window=WINDOWS, refit=REFITS, min_train=st.integers(1, 10),
       start=st.one_of(st.none(), st.integers(1, 85)))
def test_folds_train_before_origin_minus_gap_and_test_inside_the_series(n, horizon, folds, stride, gap, window,
                                                                        refit, min_train, start):
    splitter = WalkForward(horizon=horizon, folds=folds, stride=stride, gap=gap, window=window, refit=refit,
                           start=start)
    try:
        split = splitter.split(n, min_train)
    except DataError as err:
        assert "\n" not in str(err)
        return
    per_fit = parse_refit(refit) or len(split)
    length = parse_window(window)
    if start is None:
        assert len(split) == folds and split[-1].origin + horizon == n
    else:
        assert split[0].origin == start
    for k, fold in enumerate(split):
        assert 0 <= fold.train_start < fold.train_end <= fold.origin - gap
        assert fold.train_end - fold.train_start >= min_train
        if length is not None:
            assert fold.train_end - fold.train_start <= length
        assert 0 < fold.origin and fold.origin + horizon <= n and fold.test == range(fold.origin, fold.origin + horizon)
        assert fold.fit == k // per_fit  # consecutive origins share a fit
        first_of_fit = split[fold.fit * per_fit]
        assert fold.train_end == first_of_fit.origin - gap
        assert (fold.train_start, fold.train_end) == (first_of_fit.train_start, first_of_fit.train_end)
    assert all(b.origin - a.origin == stride for a, b in zip(split, split[1:]))


JUNK = st.one_of(st.integers(-3, 0), st.floats(allow_nan=True), st.booleans(), st.text(max_size=8), st.none())


@SETTINGS
@given(field=st.sampled_from(["horizon", "folds", "stride", "gap", "window", "refit", "start"]), value=JUNK)
def test_invalid_splitter_arguments_raise_our_errors(field, value):
    """Junk arguments raise ConfigError (ConfigTypeError for a non-integer) when built or DataError
    when split, nothing else."""
    times = pd.date_range("2020-01-01", periods=30, freq="D")
    try:
        WalkForward(**{"horizon": 2, "folds": 3, field: value}).split(30, 1, times)
    except (ConfigError, ConfigTypeError, DataError) as err:
        assert "\n" not in str(err)


@SETTINGS
@given(n=st.one_of(st.integers(-5, -1), st.floats(0, 50), st.text(max_size=3), st.none()),
       min_train=st.one_of(st.integers(-3, 0), st.floats(0, 5), st.none()))
def test_invalid_split_lengths_raise_config_error(n, min_train):
    with pytest.raises((ConfigError, ConfigTypeError)):  # ConfigTypeError for a non-integer
        WalkForward(horizon=1, folds=2, refit="always").split(n)
    with pytest.raises((ConfigError, ConfigTypeError)):
        WalkForward(horizon=1, folds=2, refit="always").split(20, min_train)


TIMES = ["2020-01-10", "2020-01-10 06:00", "2020-01-10T00:00+01:00", "2019-01-01", "2021-01-01",
         "2020-03-29 02:30", "2020-10-25 02:30"]
STARTS = st.one_of(st.sampled_from([*TIMES, "", "NaT", "soon", "99999-01-01"]),
                   st.sampled_from(TIMES).map(pd.Timestamp))


@SETTINGS
@given(start=STARTS, tz=st.sampled_from([None, "UTC", "Europe/Paris"]),
       n=st.integers(1, 400), horizon=st.integers(1, 4), stride=st.integers(1, 3))
def test_timestamp_starts_give_folds_from_that_time_or_our_error(start, tz, n, horizon, stride):
    times = pd.date_range("2020-01-01", periods=n, freq="D", tz=tz)
    try:
        split = WalkForward(horizon=horizon, start=start, stride=stride, refit="always").split(n, 1, times)
    except (ConfigError, DataError) as err:
        assert "\n" not in str(err)
        return
    stamp = pd.Timestamp(start)
    stamp = stamp.tz_localize(tz) if stamp.tz is None and tz else stamp
    first = split[0].origin
    assert times[first] >= stamp and (first == 1 or times[first - 1] < stamp)
    assert split[-1].origin + horizon <= n
