"""Tests for forecastkit.datasets: the catalogue, the shipped CSVs and load()."""

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecastkit
from forecastkit import datasets
from forecastkit.datasets import CATALOGUE, DatasetInfo, list_datasets, load, path
from forecastkit.errors import ConfigError, DataError

NAMES = list(CATALOGUE)
REPO_DATASETS = Path(__file__).resolve().parent.parent / "datasets"


def _fill_for(name):
    return "interpolate" if name == "co2" else None


# --------------------------------------------------------------------------- catalogue


def test_catalogue_entries_are_frozen_and_consistent():
    assert NAMES == [
        "airline", "shampoo", "sunspots", "nile", "co2", "macrodata", "uschange",
        "visnights", "aus_accommodation",
    ]
    for name, entry in CATALOGUE.items():
        assert isinstance(entry, DatasetInfo)
        assert entry.name == name
        assert entry.file == f"{name}.csv"
        assert "\n" not in entry.description
        assert isinstance(entry.past_covariates, tuple)
        assert (entry.id is None) == (entry.n_series == 1)
        assert entry.source and entry.licence
    with pytest.raises(AttributeError):
        CATALOGUE["airline"].target = "x"


def test_every_shipped_csv_is_catalogued():
    shipped = sorted(p.name for p in REPO_DATASETS.glob("*.csv"))
    assert shipped == sorted(entry.file for entry in CATALOGUE.values())


def test_list_datasets_lists_all():
    table = list_datasets()
    assert list(table.columns) == [
        "name", "description", "freq", "rows", "series", "target", "source", "licence",
    ]
    assert table["name"].tolist() == NAMES
    row = table.set_index("name").loc["aus_accommodation"]
    assert (row["rows"], row["series"], row["target"]) == (592, 8, "takings")


def test_path_points_at_existing_csv():
    for name in NAMES:
        p = path(name)
        assert isinstance(p, Path)
        assert p.is_file()
        assert p.name == CATALOGUE[name].file


# --------------------------------------------------------------------------- the CSV files


@pytest.mark.parametrize("name", NAMES)
def test_csv_format_and_grid(name):
    """UTF-8, one header line, no index column, ISO dates on a complete grid per series,
    sorted by id then time, without duplicates; independent of forecastkit.data."""
    entry = CATALOGUE[name]
    raw = path(name).read_bytes()
    text = raw.decode("utf-8")  # strict UTF-8
    assert not text.startswith("\ufeff")
    header = next(csv.reader([text.splitlines()[0]]))
    assert header[0] != "" and "Unnamed" not in ",".join(header)
    expected = {entry.time, entry.target, *entry.past_covariates} | ({entry.id} if entry.id else set())
    assert expected <= set(header)

    df = pd.read_csv(path(name))
    assert len(df) == entry.rows
    times = pd.to_datetime(df[entry.time], format="%Y-%m-%d")  # ISO dates only
    ids = df[entry.id] if entry.id else pd.Series(["_"] * len(df))
    assert ids.nunique() == entry.n_series
    # blocks of one id, ids in sorted order, each block on a complete grid
    order = list(dict.fromkeys(ids))
    assert order == sorted(order)
    for key in order:
        block = pd.DatetimeIndex(times[ids == key])
        assert np.ptp((ids == key).to_numpy().nonzero()[0]) == len(block) - 1  # contiguous
        grid = pd.date_range(block[0], block[-1], freq=entry.freq)
        assert grid.equals(block), f"{name}/{key} is not a complete {entry.freq} grid"


def test_only_co2_has_missing_values():
    for name in NAMES:
        df = pd.read_csv(path(name))
        missing = int(df.isna().sum().sum())
        assert missing == (59 if name == "co2" else 0), name


def test_known_values():
    """Spot checks against the published sources."""
    air = pd.read_csv(path("airline"))
    assert air.iloc[0].tolist() == ["1949-01-01", 112]
    assert air.iloc[-1].tolist() == ["1960-12-01", 432]
    nile = pd.read_csv(path("nile"))
    assert nile.iloc[0].tolist() == ["1871-01-01", 1120]
    macro = pd.read_csv(path("macrodata"))
    assert "year" not in macro.columns and "quarter" not in macro.columns
    assert macro["date"].iloc[-1] == "2009-07-01"
    assert macro["realgdp"].iloc[0] == 2710.349
    visn = pd.read_csv(path("visnights"))
    assert visn.groupby("region").size().eq(76).all()
    assert visn["quarter"].iloc[-1] == "2016-10-01"


# --------------------------------------------------------------------------- load()


@pytest.mark.parametrize("name", NAMES)
def test_load_every_dataset(name):
    entry = CATALOGUE[name]
    panel = load(name, fill=_fill_for(name))
    assert panel.n_series == entry.n_series
    assert len(panel.frame) == entry.rows
    assert panel.freq == entry.freq
    assert panel.target == entry.target
    assert panel.covariates == entry.past_covariates
    values = panel.frame[["y", *panel.covariates]].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert set(panel.lengths.values()) == {entry.rows // entry.n_series}
    assert path(name).name == entry.file
    assert panel.source == f"dataset {name!r}"  # messages name the dataset, not its file


def test_co2_without_fill_raises_data_error():
    with pytest.raises(DataError, match="`fill`") as caught:
        load("co2")
    assert str(caught.value).startswith("Column 'co2' of dataset 'co2' has 59 missing values")
    assert str(path("co2")) not in str(caught.value)  # no installation path


def test_co2_fill_policies():
    interp = load("co2", fill="interpolate").frame["y"].to_numpy()
    ffill = load("co2", fill="ffill").frame["y"].to_numpy()
    raw = pd.read_csv(path("co2"))["co2"].to_numpy()
    first_gap = int(np.flatnonzero(np.isnan(raw))[0])  # 1958-05-10, between 316.9 and 317.5
    assert first_gap == 6
    assert ffill[first_gap] == raw[first_gap - 1]
    assert interp[first_gap] == pytest.approx((raw[first_gap - 1] + raw[first_gap + 1]) / 2)
    observed = ~np.isnan(raw)
    np.testing.assert_array_equal(interp[observed], raw[observed])


def test_override_target():
    panel = load("macrodata", target="realcons")
    assert panel.target == "realcons"
    expected = pd.read_csv(path("macrodata"))["realcons"].to_numpy()
    np.testing.assert_array_equal(panel.frame["y"].to_numpy(), expected)


def test_override_target_drops_it_from_default_covariates():
    panel = load("uschange", target="income")
    assert panel.target == "income"
    assert panel.covariates == ("production", "savings", "unemployment")


def test_override_covariates_and_multi_target():
    assert load("uschange", past_covariates=()).covariates == ()
    macro = load("macrodata", past_covariates=["cpi", "unemp"])
    assert macro.covariates == ("cpi", "unemp")
    multi = load("macrodata", target="realgdp,realcons")
    assert multi.n_series == 2
    assert multi.ids == ["realgdp", "realcons"]


def test_override_freq_mismatch_is_an_error():
    with pytest.raises(DataError):
        load("airline", freq="QS-JAN")


def test_unknown_override_raises():
    with pytest.raises(ConfigError, match="horizon"):
        load("airline", horizon=12)


def test_past_covariates_override_follows_the_flag_name():
    # the argument is named after --past-covariates; the old name `covariates` is unknown
    with pytest.raises(ConfigError, match="past_covariates") as caught:
        load("uschange", covariates=())
    assert "covariates=()" in str(caught.value)
    assert load("uschange", past_covariates="income").covariates == ("income",)


@pytest.mark.parametrize("func", [load, path, datasets.info])
def test_unknown_name_lists_available(func):
    with pytest.raises(ConfigError) as excinfo:
        func("airlines")
    message = str(excinfo.value)
    assert "airlines" in message
    for name in NAMES:
        assert name in message


def test_loading_does_not_import_keras():
    code = (
        "import sys\n"
        "from forecastkit import datasets\n"
        "datasets.load('airline'); datasets.list_datasets()\n"
        "bad = [m for m in ('keras', 'tensorflow') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    root = str(Path(forecastkit.__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- data folder


def test_data_dir_fallback_is_repository_folder(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a, **k: None)
    assert Path(datasets._data_dir()) == REPO_DATASETS
    assert path("nile") == REPO_DATASETS / "nile.csv"


def test_data_dir_uses_installed_package_data(tmp_path, monkeypatch):
    """With the wheel's mapping, forecastkit._datasets is a package holding the CSVs."""
    pkg = tmp_path / "_datasets"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "nile.csv").write_bytes(path("nile").read_bytes())
    monkeypatch.setattr(forecastkit, "__path__", [*forecastkit.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "forecastkit._datasets", raising=False)
    try:
        if importlib.util.find_spec("forecastkit._datasets").origin != str(pkg / "__init__.py"):
            pytest.skip("forecastkit._datasets is already provided by the installation")
        assert path("nile") == pkg / "nile.csv"
        assert load("nile").n_series == 1
    finally:
        sys.modules.pop("forecastkit._datasets", None)
