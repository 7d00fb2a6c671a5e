"""`forecastkit ablation`: every cell of one builder, walk-forward, tested against the default LSTM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit import Forecaster, datasets
from forecastkit.ablation import (
    AblationResult,
    _lines,
    _shared_lines,
    ablation,
    check_cells,
    reference_forecasters,
)
from forecastkit.cli import main
from forecastkit.errors import ConfigError, SequentialFitsWarning
from forecastkit.evaluation import WalkForward
from forecastkit.models.cells import CELL_NAMES

TINY = {"units": 3, "epochs": 2, "batch_size": 32, "patience": 1}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ablation")
    panel = datasets.load("airline")
    result = ablation(panel, "vanilla", cells="gru,indy", splitter=WalkForward(horizon=3, folds=12, refit="never"),
                      params=TINY, repeats=2, references=("naive",), out=out)
    return result, out


def test_ablation_table_has_every_cell_and_reference_with_tests_weights_and_times(run):
    result, _ = run
    table = result.table
    assert isinstance(result, AblationResult)
    assert sorted(table["variant"]) == ["gru", "indy", "lstm", "naive"]
    assert list(table["rank"]) == [1, 2, 3, 4] and table["mase"].is_monotonic_increasing
    cells = table.set_index("variant")
    assert cells.loc["lstm", "verdict"] == "default" and np.isnan(cells.loc["lstm", "vs_lstm_pct"])
    assert set(cells.loc[["gru", "indy"], "verdict"]) <= {"better", "worse", "n.s."}
    assert cells.loc["naive", "kind"] == "reference" and cells.loc["naive", "verdict"] == ""
    # weights are the Keras models' counts: window 1 feature, units 3, horizon 3
    assert cells.loc["lstm", "weights"] == 4 * 3 * (1 + 3 + 1) + 3 * 3 + 3
    assert cells.loc["indy", "weights"] == 4 * 3 * 3 + 3 * 3 + 3
    assert (cells.loc[["gru", "indy", "lstm"], "fit_s"] > 0).all()
    assert (cells.loc[["gru", "indy", "lstm"], "sd"] >= 0).all() and np.isnan(cells.loc["naive", "sd"])
    # each cell is the mean over its two seeds, which differ
    board = result.evaluation.leaderboard("mase").set_index("model")["mase"]
    assert cells.loc["gru", "mase"] == pytest.approx((board["gru"] + board["gru#2"]) / 2)
    assert board["gru"] != board["gru#2"]


def test_relative_difference_is_against_the_seed_averaged_default(run):
    result, _ = run
    cells = result.table.set_index("variant")
    losses = result.evaluation.results
    assert set(losses["model"]) == {"lstm", "lstm#2", "gru", "gru#2", "indy", "indy#2", "naive"}
    # vs_lstm_pct compares mean per-origin losses; with balanced origins it is the ratio of the MASEs
    expected = 100 * (cells.loc["gru", "mase"] / cells.loc["lstm", "mase"] - 1)
    assert cells.loc["gru", "vs_lstm_pct"] == pytest.approx(expected, rel=1e-6)


def test_verdict_lines_name_the_best_cell_the_tests_the_seeds_and_the_reference(run):
    result, _ = run
    text = "\n".join(result.lines)
    assert text.startswith("Best cell:")
    assert "Holm-adjusted across 2 cells" in text
    assert "sd over 2 seeds" in text
    assert "naive" in text
    assert repr(result).splitlines()[0].split()[:3] == ["rank", "variant", "kind"]
    assert "<table" in result._repr_html_()


def test_the_plot_draws_one_bar_per_variant(run):
    import matplotlib.pyplot as plt

    result, _ = run
    figure = result.plot()
    bars, cost = figure.axes
    assert len(bars.patches) == 4 and len(cost.collections[0].get_offsets()) == 3
    plt.close(figure)


def test_lines_say_plainly_when_a_reference_beats_every_cell_and_list_significant_cells():
    table = pd.DataFrame({
        "rank": [1, 2, 3, 4, 5], "variant": ["linear", "cifg", "lstm", "np", "nfg"],
        "kind": ["reference", "cell", "cell", "cell", "cell"], "mase": [0.5, 0.9, 1.0, 1.03, 1.5], "sd": np.nan,
        "vs_lstm_pct": [np.nan, -10.0, np.nan, 3.0, 50.0], "p_holm": [np.nan, 0.01, np.nan, 0.5, 0.001],
        "verdict": ["", "better", "default", "n.s.", "worse"], "weights": [np.nan, 90, 100, 100, 80],
        "fit_s": 1.0, "failed": 0})
    losses = pd.DataFrame({"model": np.repeat(["linear", "cifg"], 20), "id": "s", "origin": np.tile(np.arange(20), 2),
                           "loss": np.r_[np.full(20, 0.5), np.full(20, 0.9)] + np.tile(np.linspace(0, .1, 20), 2)})
    lines = _lines(table, losses, 1, "mase", repeats=1, stride=1)
    assert lines[0] == "Best cell: cifg (MASE 0.9), 10.0% better than the default lstm (1)."
    assert "significantly better: cifg (-10%); significantly worse: nfg (+50%); not distinguishable: 1." in lines[1]
    assert "its +3.0% against lstm is what a different seed alone does" in lines[2]
    assert "repeats=3" in lines[3]
    assert "linear (0.5) beats every cell on MASE: on this data the simpler model is the one to use." in lines
    assert lines[-1].startswith("linear beats cifg on MASE")
    shared = _lines(table, losses, 1, "mase", repeats=1, stride=1, shared=["The references share..."])
    assert shared == [*lines[:4], "The references share...", *lines[4:]]  # before the references' lines


def test_check_cells_always_keeps_the_default_first():
    assert check_cells("all") == CELL_NAMES
    assert check_cells(["gru", "lstm"]) == ("lstm", "gru")
    with pytest.raises(ConfigError, match="Unknown cell 'gur'"):
        check_cells("gur")


@pytest.mark.parametrize("args, message", [
    (["--model", "linear"], "must be one of vanilla, stacked, bidirectional, cnn_lstm, encoder_decoder"),
    (["--cells", "lstm,fancy"], "Unknown cell 'fancy'"),
    (["--metric", "owa"], "ranks by one of mase, smape, mae, rmse, mape"),
    (["--repeats", "0"], "`--repeats` must be >= 1"),
    (["--units", "0"], "`--units` of model 'vanilla' must be >= 1"),
    (["--data", "no_such.csv"], "no such file"),
])
def test_ablation_bad_input_is_one_clear_line(capsys, tmp_path, args, message):
    assert main(["ablation", "--out", str(tmp_path / "run"), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_ablation_refuses_a_cell_hyperparameter():
    with pytest.raises(ConfigError, match="choose the cells with `cells`"):
        ablation(datasets.load("airline"), "vanilla", params={"cell": "gru"})


def test_cli_ablation_writes_table_results_and_plot(tmp_path, capsys):
    out = tmp_path / "abl"
    code = main(["ablation", "--cells", "cifg", "--units", "2", "--epochs", "1", "--horizon", "2", "--folds", "3",
                 "--refit", "never", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "ablation of vanilla's recurrent cell" in printed and "Best cell:" in printed
    assert "The references share the cells' settings that apply to them (linear with epochs=1)" in printed
    table = pd.read_csv(out / "ablation.csv")
    assert set(table["variant"]) == {"lstm", "cifg", "linear", "seasonal_naive"}
    assert (out / "ablation.png").stat().st_size > 10_000
    assert set(pd.read_csv(out / "results.csv")["model"]) == set(table["variant"])


def test_fallback_to_sequential_fits_is_one_warning_not_one_per_cell(recwarn):
    ablation(datasets.load("airline"), "vanilla", cells="gru", references=(),
             splitter=WalkForward(horizon=2, folds=2, refit="always"), params={**TINY, "dropout": 0.1})
    fallback = [str(w.message) for w in recwarn if "fold-parallel" in str(w.message)]
    assert fallback == ["2 of the ablation's models (dropout 0.1 is not grouped) train one fit after another "
                        "instead of fold-parallel: slower, same comparison."]
    typed = [w.message for w in recwarn if issubclass(w.category, SequentialFitsWarning)]
    assert [(w.model, w.reason) for w in typed] == [("lstm, gru", "dropout 0.1 is not grouped")]  # typed data


def test_references_share_the_settings_given_to_the_cells_and_keep_their_own_defaults():
    template = Forecaster("vanilla", horizon=3, lookback=9, season=4, scaler="minmax", transform="log",
                          deseason="classical", preprocess="none", mode="local", level=80,
                          params={"units": 8, "dropout": 0.1, "epochs": 2, "patience": 3, "loss": "mae"})
    refs = reference_forecasters(template, ("linear", "mlp", "seasonal_naive"))
    linear, mlp, snaive = refs["linear"], refs["mlp"], refs["seasonal_naive"]
    # the training settings given, not the builder's (units, dropout) nor the template's resolved defaults
    assert linear.params == mlp.params == {"epochs": 2, "patience": 3, "loss": "mae"}
    hyper = linear.check_params()
    assert (hyper["epochs"], hyper["patience"], hyper["loss"]) == (2, 3, "mae")
    assert hyper["learning_rate"] == 0.01  # linear's own default, not vanilla's 0.003
    assert mlp.check_params()["units"] != 8
    for ref in (linear, mlp):
        assert (ref.horizon, ref.lookback, ref.season, ref.scaler, ref.transform, ref.deseason, ref.preprocess,
                ref.mode, ref.level) == (3, 9, 4, "minmax", "log", "classical", "none", "local", 80)
    # a baseline takes the season (and horizon, level), no training or transform setting
    assert snaive.params is None and (snaive.season, snaive.horizon, snaive.level) == (4, 3, 80)
    assert (snaive.scaler, snaive.transform, snaive.deseason) == (Forecaster().scaler, None, None)
    # given a learning rate, linear takes it
    template.set_params(params={"learning_rate": 0.05})
    assert reference_forecasters(template, ("linear",))["linear"].check_params()["learning_rate"] == 0.05
    # the verdict says what they share; nothing given, nothing said
    assert _shared_lines(reference_forecasters(Forecaster("vanilla", horizon=3, params={"units": 4}))) == []
    line, = _shared_lines(refs)
    assert line.startswith("The references share the cells' settings that apply to them (linear with "
                           "deseason='classical', level=80, lookback=9, ")
    assert "epochs=2, patience=3, loss='mae'; mlp with" in line and "units" not in line
    assert line.endswith("; seasonal_naive with level=80, season=4); otherwise each keeps its own defaults.")


def test_cli_ablation_passes_the_training_flags_to_the_references(monkeypatch, tmp_path):
    import forecastkit.evaluation

    class Planned(Exception):
        """Raised by the stub in place of the walk-forward, once the plan is seen."""

    planned = {}

    def plan_only(panel, entries, *args, **kwargs):  # stop before any training: the plan is what counts
        planned.update(entries)
        raise Planned

    monkeypatch.setattr(forecastkit.evaluation, "walk_forward", plan_only, raising=False)
    main(["ablation", "--cells", "gru", "--units", "8", "--epochs", "2", "--patience", "3", "--scaler", "minmax",
          "--folds", "3", "--out", str(tmp_path / "abl")])  # 1: the stop is an internal error
    entries = planned
    assert set(entries) == {"lstm", "gru", "linear", "seasonal_naive"}
    assert entries["gru"].params == {"units": 8, "epochs": 2, "patience": 3, "cell": "gru"}
    assert entries["linear"].params == {"epochs": 2, "patience": 3} and entries["linear"].scaler == "minmax"
    assert entries["linear"].check_params()["learning_rate"] == 0.01
    assert entries["seasonal_naive"].params is None


def test_an_interrupted_ablation_says_how_to_resume(monkeypatch, capsys, tmp_path):
    import forecastkit.runs
    from forecastkit.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(forecastkit.runs, "ablate", interrupted)
    assert main(["ablation", "--out", str(tmp_path / "ab")]) == 130
    err = capsys.readouterr().err
    assert f"rerun the same command with --resume (--out {tmp_path / 'ab'} --resume)" in err


def test_on_a_panel_cells_are_judged_across_the_series_and_rmse_is_shown_as_rmse():
    # 20 regions with 2 origins each: no series alone can be tested, the panel can (Wilcoxon
    # across the series' mean losses), as the reference lines already were
    from forecastkit.significance import compare

    result = ablation(datasets.load("visnights"), "vanilla", cells="gru",
                      splitter=WalkForward(horizon=1, folds=2, refit="never"), params=TINY, references=("naive",),
                      metric="rmse")
    cells = result.table.set_index("variant")
    assert cells.loc["gru", "verdict"] in {"better", "worse", "n.s."}
    losses = result.evaluation.results.assign(loss=lambda r: (r["y_true"] - r["y_pred"]) ** 2)
    per_origin = losses.groupby(["model", "id", "origin"], as_index=False)["loss"].mean()
    test = compare(per_origin, "gru", "lstm", horizon=1).iloc[-1]
    assert np.isnan(test["p"]) and cells.loc["gru", "p_holm"] == pytest.approx(test["p_across"])
    assert cells.loc["gru", "vs_lstm_pct"] == pytest.approx(100 * (cells.loc["gru", "rmse"] / cells.loc["lstm", "rmse"]
                                                                  - 1), rel=1e-6)  # on RMSE, not on MSE
    assert "Wilcoxon signed-rank of the 20 series' mean RMSE" in "\n".join(result.lines)
