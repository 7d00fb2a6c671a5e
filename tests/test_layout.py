"""The data's layout from fit to forecast: new history and future data read with the training
data's time, id and target columns, dataset covariates a flag clears, what a save replaces, and
calendar features that carry nothing."""

import warnings

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, datasets
from forecastkit.cli import main


def stepped(n: int = 80, extra: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A series on an integer time column ``step`` (from 1001) with a future-known covariate ``x``."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=n + extra)
    history = pd.DataFrame({"step": np.arange(1001, 1001 + n), "y": np.cumsum(rng.normal(size=n)) + 3 * x[:n],
                            "x": x[:n]})
    future = pd.DataFrame({"step": np.arange(1001 + n, 1001 + n + extra), "x": x[n:]})
    return history, future


def test_future_data_is_read_with_the_historys_time_column(tmp_path, capsys):
    history, future = stepped()
    history.to_csv(tmp_path / "h.csv", index=False)
    future.to_csv(tmp_path / "f.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "h.csv"), "--time", "step", "--target", "y",
                 "--future-covariates", "x", "--future-data", str(tmp_path / "f.csv"), "--model", "linear",
                 "--horizon", "4", "--epochs", "2", "--quiet", "--out", str(tmp_path / "out.csv")])
    assert code == 0, capsys.readouterr().err
    assert pd.read_csv(tmp_path / "out.csv")["time"].tolist() == [1081, 1082, 1083, 1084]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = Forecaster("linear", horizon=4, params={"epochs": 2}).fit(history, time="step", future_covariates="x")
    assert f.predict(future=future)["time"].tolist() == [1081, 1082, 1083, 1084]


def test_future_data_is_read_with_the_historys_id_column(tmp_path, capsys):
    plan = pd.read_csv(datasets.path("aus_accommodation")).groupby("state").tail(4)
    plan = plan.assign(note="as last year")[["state", "date", "cpi", "note"]]
    plan.to_csv(tmp_path / "future.csv", index=False)
    history = pd.read_csv(datasets.path("aus_accommodation"))
    history = history[history.groupby("state").cumcount(ascending=False) >= 4]
    history.to_csv(tmp_path / "history.csv", index=False)
    code = main(["forecast", "--data", str(tmp_path / "history.csv"), "--id", "state", "--target", "takings",
                 "--future-covariates", "cpi", "--model", "linear", "--horizon", "4", "--epochs", "2",
                 "--future-data", str(tmp_path / "future.csv"), "--quiet", "--out", str(tmp_path / "out.csv")])
    assert code == 0, capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "out.csv")) == 4 * history["state"].nunique()


def test_new_history_is_read_like_the_training_data(tmp_path):
    history, _ = stepped()
    history = history.drop(columns="x")
    f = Forecaster("naive", horizon=3).fit(history, time="step")
    assert f.predict(history.iloc[:60])["time"].tolist() == [1061, 1062, 1063]  # not row numbers 60..62
    f.save(tmp_path / "m")
    loaded = Forecaster.load(tmp_path / "m")
    assert loaded.predict(history.iloc[:60])["time"].tolist() == [1061, 1062, 1063]
    visnights = pd.read_csv(datasets.path("visnights"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Forecaster("linear", horizon=4, params={"epochs": 2}).fit(datasets.load("visnights"))
    one = g.predict(visnights[visnights["region"] == "NSWMetro"])
    assert one["id"].unique().tolist() == ["NSWMetro"]
    aus = pd.read_csv(datasets.path("aus_accommodation"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = Forecaster("linear", horizon=4, params={"epochs": 2}).fit(datasets.load("aus_accommodation"))
        assert len(h.predict(aus[aus["date"] < "2016-01-01"])) == 4 * aus["state"].nunique()
    with pytest.raises(Exception, match="step"):  # what the caller sets still wins
        f.predict(history.iloc[:60].rename(columns={"step": "t"}), time="step")


def test_an_empty_role_clears_a_datasets_default_covariates(tmp_path, capsys):
    # uschange loads with four past covariates; a recursive model cannot use them
    args = ["forecast", "--data", "uschange", "--model", "linear", "--strategy", "recursive", "--epochs", "1",
            "--horizon", "2", "--quiet", "--out", str(tmp_path / "u.csv")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "`--future-covariates`" in err and "`--future-data`" in err and "`--past-covariates` empty" in err
    assert main([*args, "--past-covariates", ""]) == 0
    assert len(pd.read_csv(tmp_path / "u.csv")) == 2


def test_saving_replaces_a_saved_model_and_refuses_a_folder_of_other_files(tmp_path, capsys):
    series = pd.DataFrame({"y": np.arange(40.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Forecaster("linear", horizon=2, params={"epochs": 1}).fit(series).save(tmp_path / "m")
        assert (tmp_path / "m" / "model.keras").exists()
        bag = Forecaster("linear", horizon=2, bag=2, params={"epochs": 1}).fit(series)
        bag.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["members", "metadata.json"]  # no stale model.keras
    assert Forecaster.load(tmp_path / "m").bag == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(Exception, match="holds other files \\(notes.txt\\) and no saved model"):
        bag.save(tmp_path / "mine")
    code = main(["forecast", "--model", "naive", "--horizon", "2", "--quiet", "--out", str(tmp_path / "f.csv"),
                 "--save-model", str(tmp_path / "mine")])
    assert code == 1 and "--save-model" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_calendar_features_that_carry_nothing_are_named(tmp_path, capsys):
    with pytest.warns(UserWarning, match="one value on this 'MS' data carry nothing: 'hour', 'day'"):
        Forecaster("linear", horizon=2, calendar="hour,day,month", params={"epochs": 1}).fit(datasets.load("airline"))
    assert main(["forecast", "--model", "naive", "--calendar", "month", "--out", str(tmp_path / "f.csv")]) == 0
    assert "naive forecasts from the target alone: it ignores `--calendar` (month)" in capsys.readouterr().err



def test_new_history_remembers_a_wide_target_of_several_columns(tmp_path):
    # "Cannot choose the target: several numeric columns" once the target named two columns
    path = datasets.path("macrodata")
    fitted = Forecaster("linear", horizon=2, params={"epochs": 1}).fit(path, target="realgdp,realcons")
    expected = fitted.predict()
    pd.testing.assert_frame_equal(fitted.predict(path), expected)
    pd.testing.assert_frame_equal(Forecaster.load(fitted.save(tmp_path / "m")).predict(path), expected)
