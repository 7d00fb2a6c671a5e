"""The recurrent cell family: each cell's equations against a NumPy reference written from the
papers, Keras' own LSTM and GRU, parameter counts, save/load and the `cell` setting."""

from __future__ import annotations

import numpy as np
import pytest

from forecastkit.cli import main
from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.models.cells import (
    CELL_NAMES,
    CELLS,
    DEFAULT_CELL,
    cell_parameters,
    weight_layout,
)
from forecastkit.models.registry import get_spec

OWN_CELLS = [c for c in CELL_NAMES if c != DEFAULT_CELL]
BATCH, STEPS, INPUTS, UNITS = 3, 7, 2, 4


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def reference(cell: str, x: np.ndarray, weights: list, u: int) -> np.ndarray:
    """Every step's output, from Greff et al. (2015) eqs. (variants: their section 3),
    Gonnet & Deselaers (2019) (indy) and Keras' GRU (reset_after=True), in float64."""
    x = x.astype(np.float64)
    weights = [w.astype(np.float64) for w in weights]
    h = np.zeros((x.shape[0], u))
    outputs = []
    if cell == "gru":
        kernel, rec, bias = weights
        for t in range(x.shape[1]):
            xz, hz = x[:, t] @ kernel + bias[0], h @ rec + bias[1]
            z = _sigmoid(xz[:, :u] + hz[:, :u])
            r = _sigmoid(xz[:, u:2 * u] + hz[:, u:2 * u])
            n = np.tanh(xz[:, 2 * u:] + r * hz[:, 2 * u:])
            h = z * h + (1 - z) * n
            outputs.append(h)
        return np.stack(outputs, axis=1)
    blocks = {"nig": "fco", "nfg": "ico", "nog": "ifc", "cifg": "ico"}.get(cell, "ifco")
    kernel, rec, bias, *rest = weights
    gates = [g for g in blocks if g in "ifo"]
    peep = dict(zip(gates, rest.pop(0))) if cell not in ("np", "indy") else {}
    gate_rec = rest.pop(0) if cell == "fgr" else None
    assert not rest
    c = np.zeros_like(h)
    previous = np.zeros((x.shape[0], 3 * u))
    for t in range(x.shape[1]):
        recurrent = np.tile(h, len(blocks)) * rec if cell == "indy" else h @ rec
        a = x[:, t] @ kernel + recurrent + bias
        pre = {b: a[:, k * u:(k + 1) * u] for k, b in enumerate(blocks)}
        if cell == "fgr":
            extra = previous @ gate_rec
            pre["i"], pre["f"], pre["o"] = pre["i"] + extra[:, :u], pre["f"] + extra[:, u:2 * u], pre["o"] + extra[:, 2 * u:]
        block = pre["c"] if cell == "niaf" else np.tanh(pre["c"])
        i = 1.0 if cell == "nig" else _sigmoid(pre["i"] + peep.get("i", 0.0) * c)
        if cell == "cifg":
            f = 1.0 - i
        elif cell == "nfg":
            f = 1.0
        else:
            f = _sigmoid(pre["f"] + peep.get("f", 0.0) * c)
        c = block * i + c * f
        o = 1.0 if cell == "nog" else _sigmoid(pre["o"] + peep.get("o", 0.0) * c)
        h = (c if cell == "noaf" else np.tanh(c)) * o
        if cell == "fgr":
            previous = np.concatenate([i, f, o], axis=1)
        outputs.append(h)
    return np.stack(outputs, axis=1)


@pytest.fixture(scope="module")
def keras():
    from forecastkit.models.keras_common import import_keras

    return import_keras()


def _sequence_model(keras, cell: str, units: int = UNITS, inputs: int = INPUTS):
    from forecastkit.models.cell_layers import ForecastCell

    layer = (keras.layers.LSTM(units, return_sequences=True) if cell == DEFAULT_CELL else
             keras.layers.RNN(ForecastCell(units, cell=cell), return_sequences=True))
    return keras.Sequential([keras.Input((STEPS, inputs)), layer])


def _random_weights(model, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()]


@pytest.mark.parametrize("cell", OWN_CELLS)
def test_cell_equations_match_the_numpy_reference(keras, cell):
    model = _sequence_model(keras, cell)
    weights = _random_weights(model, seed=len(cell))  # peepholes and gate recurrence non-zero
    model.set_weights(weights)
    x = np.random.default_rng(1).normal(size=(BATCH, STEPS, INPUTS)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), reference(cell, x, weights, UNITS), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell", ["np", "gru"])
def test_np_and_gru_are_keras_own_equations(keras, cell):
    ours = _sequence_model(keras, cell)
    theirs = keras.Sequential([keras.Input((STEPS, INPUTS)),
                               (keras.layers.LSTM if cell == "np" else keras.layers.GRU)(UNITS, return_sequences=True)])
    theirs.set_weights(_random_weights(theirs, seed=3))
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(2).normal(size=(BATCH, STEPS, INPUTS)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)


def test_variants_differ_from_the_vanilla_peephole_lstm(keras):
    """Each of Greff's variants removes or adds something that changes the output."""
    x = np.random.default_rng(4).normal(size=(BATCH, STEPS, INPUTS))
    vanilla = _sequence_model(keras, "peephole")
    weights = _random_weights(vanilla, seed=5)
    base = reference("peephole", x, weights, UNITS)
    for cell in ("niaf", "noaf", "np", "fgr"):  # same blocks: the equations alone differ
        model = _sequence_model(keras, cell)
        shared = weights[:4] + _random_weights(model, seed=6)[4:] if cell == "fgr" else weights[:3 + (cell != "np")]
        assert np.abs(reference(cell, x, shared, UNITS) - base).max() > 1e-3, cell


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_weight_layout_is_the_keras_weights(keras, cell):
    model = _sequence_model(keras, cell, units=5, inputs=3)
    assert [tuple(w.shape) for w in model.get_weights()] == [shape for _, shape, _ in weight_layout(
        "np" if cell == DEFAULT_CELL else cell, 3, 5)]
    assert model.count_params() == cell_parameters(cell, inputs=3, units=5)


def test_peephole_and_gate_recurrence_start_at_zero_and_forget_bias_at_one(keras):
    model = _sequence_model(keras, "fgr")
    kernel, recurrent, bias, peephole, gate_recurrent = model.get_weights()
    assert not peephole.any() and not gate_recurrent.any()
    np.testing.assert_array_equal(bias, np.r_[np.zeros(UNITS), np.ones(UNITS), np.zeros(2 * UNITS)])
    assert not _sequence_model(keras, "cifg").get_weights()[2].any()  # no forget block


def test_indy_parameters_grow_linearly_with_units_and_the_full_lstm_quadratically(keras):
    from forecastkit.models.recurrent import build_vanilla

    units = [8, 16, 24, 32]
    indy = [cell_parameters("indy", 1, u) for u in units]
    full = [cell_parameters("np", 1, u) for u in units]
    assert indy == [4 * (1 + 1 + 1) * u for u in units]  # per block unit: 1 input weight, 1 recurrent, 1 bias
    assert np.diff(indy, 2).tolist() == [0, 0] and all(d > 0 for d in np.diff(full, 2))
    head = 32 * 3 + 3
    assert build_vanilla((10, 1), 3, units=32, cell="indy").count_params() == indy[3] + head


@pytest.mark.parametrize("builder", ["vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder"])
def test_every_recurrent_builder_takes_a_cell_and_round_trips_through_a_keras_file(keras, tmp_path, builder):
    spec = get_spec(builder)
    build = spec.load_builder()
    x = np.random.default_rng(0).normal(size=(4, 8, 2)).astype(np.float32)
    for cell in ("cifg", "fgr", "indy", "gru") if builder == "vanilla" else ("peephole",):
        model = build((8, 2), 3, units=4, cell=cell)
        model.set_weights(_random_weights(model, seed=7))
        path = tmp_path / f"{builder}_{cell}.keras"
        model.save(path)
        loaded = keras.models.load_model(path, safe_mode=True)
        np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def test_forecaster_with_a_cell_saves_and_loads_with_the_same_forecast(tmp_path, airline):
    from forecastkit import Forecaster

    fitted = Forecaster("vanilla", horizon=3, lookback=12, params={"cell": "cifg", "units": 4, "epochs": 2},
                        seed=1).fit(airline)
    assert fitted.model_.get_layer("lstm").cell.cell == "cifg"
    fitted.save(tmp_path / "m")
    loaded = Forecaster.load(tmp_path / "m")
    # the compiled calls of a trained and of a loaded model may round the last float32 bit differently
    np.testing.assert_allclose(loaded.predict()["yhat"], fitted.predict()["yhat"], rtol=1e-7)
    again = Forecaster("vanilla", horizon=3, lookback=12, params={"cell": "cifg", "units": 4, "epochs": 2},
                       seed=1).fit(airline)
    np.testing.assert_array_equal(again.predict()["yhat"], fitted.predict()["yhat"])


def test_cell_dropout_is_random_in_training_only(keras):
    from forecastkit.models.recurrent import build_vanilla

    model = build_vanilla((8, 2), 2, units=4, cell="gru", dropout=0.5)
    assert "lstm_dropout" in [layer.name for layer in model.layers]
    x = np.ones((16, 8, 2), np.float32)
    np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(model(x)))
    assert not np.allclose(np.asarray(model(x, training=True)), np.asarray(model(x)))


def test_unknown_cell_is_a_clear_error_with_a_suggestion():
    with pytest.raises(ConfigError, match=r"`cell` of model 'stacked' must be one of: lstm, peephole.*'gur'.*'gru'"):
        get_spec("stacked").resolve({"cell": "gur"})
    with pytest.raises(ConfigTypeError, match="must be a string"):
        get_spec("vanilla").resolve({"cell": 3})
    with pytest.raises(ConfigError, match="Unknown hyperparameter 'cell' for model 'linear'"):
        get_spec("linear").resolve({"cell": "gru"})


def test_cell_names_accept_variants_and_suggest_the_meant_cell():
    """Issue 18 item 9: `indylstm` suggests indy (not lstm); case and '-'/'_' variants are the cell."""
    for typed, meant in [("indylstm", "indy"), ("indy-lstm", "indy"), ("peephole_lstm", "peephole"),
                         ("cifglstm", "cifg"), ("gur", "gru"), ("lstn", "lstm")]:
        with pytest.raises(ConfigError, match=rf"Received: cell={typed!r}\. Did you mean {meant!r}\?$"):
            get_spec("vanilla").resolve({"cell": typed})
    assert get_spec("stacked").resolve({"cell": "GRU"})["cell"] == "gru"
    assert get_spec("vanilla").resolve({"cell": "Peep-Hole"})["cell"] == "peephole"


def test_cli_cell_errors_answer_without_training(capsys):
    assert main(["forecast", "--model", "vanilla", "--cell", "lstn", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "must be one of" in err and "Did you mean 'lstm'?" in err and "Traceback" not in err
    assert main(["forecast", "--model", "linear", "--cell", "gru", "--quiet"]) == 1
    assert "`--cell` does not apply to model 'linear'" in capsys.readouterr().err


def test_models_command_lists_every_cell(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name, spec in CELLS.items():
        assert name in out
    assert "lstm (default)" in out and str(cell_parameters("indy", 1, 32)) in out


def test_cells_table_descriptions_name_the_papers_switches():
    assert CELLS["cifg"].coupled and CELLS["fgr"].gate_recurrence and CELLS["indy"].diagonal
    assert [c for c in CELLS if CELLS[c].peepholes] == ["peephole", "nig", "nfg", "nog", "niaf", "noaf", "cifg", "fgr"]


# ------------------------------------------------------------ chrono initialisation (issue 19) --
CHRONO_CELLS = ["lstm", "peephole", "cifg", "indy", "gru", "nig"]


@pytest.mark.parametrize("cell", CHRONO_CELLS)
def test_chrono_starts_forget_gates_at_log_uniform_time_scales_and_input_gates_at_minus_that(keras, cell):
    """Tallec & Ollivier (2018): forget bias b = log(U(1, T - 1)), input bias -b, the rest 0."""
    from forecastkit.models.recurrent import build_vanilla

    lookback, units = 40, 64
    layer = build_vanilla((lookback, 1), 1, units=units, cell=cell, forget_init="chrono").get_layer("lstm")
    bias = np.asarray(layer.cell.bias)
    if cell == "gru":  # the update gate z (h' = z h + (1 - z) candidate) holds the memory
        forget, rest = bias[0, :units], np.r_[bias[0, units:], bias[1]]
        assert not rest.any()
    else:
        blocks = CELLS["np" if cell == "lstm" else cell].blocks
        part = {b: bias[k * units:(k + 1) * units] for k, b in enumerate(blocks)}
        forget = -part["i"] if cell == "cifg" else part["f"]  # cifg: f = 1 - i = sigmoid(b)
        if "i" in part and cell != "cifg":
            np.testing.assert_array_equal(part["i"], -forget)
        assert not part["c"].any() and not part.get("o", np.zeros(1)).any()
    assert forget.min() >= 0 and forget.max() <= np.log(4 * lookback - 1) + 1e-6  # chrono_max: 4 x lookback
    assert forget.max() > np.log(lookback)  # memories beyond the window, as the long-lag benchmark recommends
    assert forget.std() > 0.3  # spread over time scales, not one value
    capped = build_vanilla((lookback, 1), 1, units=units, cell=cell, forget_init="chrono", chrono_max=5)
    assert np.asarray(capped.get_layer("lstm").cell.bias).max() <= np.log(4) + 1e-6


def test_chrono_is_seeded_and_round_trips_through_a_keras_file_in_safe_mode(keras, tmp_path):
    from forecastkit.models.cell_layers import ChronoBias
    from forecastkit.models.recurrent import (
        build_bidirectional,
        build_stacked,
        build_vanilla,
    )

    x = np.random.default_rng(0).normal(size=(2, 12, 1)).astype(np.float32)
    for build, cell in ((build_vanilla, "lstm"), (build_stacked, "peephole"), (build_bidirectional, "gru")):
        keras.utils.set_random_seed(3)
        model = build((12, 1), 2, units=3, cell=cell, forget_init="chrono", chrono_max=100)
        keras.utils.set_random_seed(3)
        again = build((12, 1), 2, units=3, cell=cell, forget_init="chrono", chrono_max=100)
        for mine, theirs in zip(model.get_weights(), again.get_weights()):
            np.testing.assert_array_equal(mine, theirs)  # same seed, same numbers
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        loaded = keras.models.load_model(path, safe_mode=True)
        np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))
    config = keras.saving.serialize_keras_object(ChronoBias("cifg", chrono_max=50))
    assert config["registered_name"] == "forecastkit>ChronoBias" and config["config"]["chrono_max"] == 50
    cell = build_vanilla((12, 1), 2, units=3, cell="indy", forget_init="chrono").get_layer("lstm").cell
    assert (cell.get_config()["forget_init"], cell.get_config()["chrono_max"]) == ("chrono", 48)  # 4 x lookback


def test_forget_init_is_a_checked_setting_and_chrono_needs_a_forget_gate():
    from forecastkit.grouped.layers import layer_plan
    from forecastkit.models.cells import chrono_bias
    from forecastkit.settings import DEFAULTS, flag

    assert get_spec("stacked").defaults()["forget_init"] == "keras" and get_spec("vanilla").defaults()["chrono_max"] == 0
    assert (flag("forget_init"), flag("chrono_max")) == ("--forget-init", "--chrono-max")
    assert DEFAULTS.forget_init is None and DEFAULTS.chrono_max is None  # None: the model's own default
    with pytest.raises(ConfigError, match="`forget_init` of model 'vanilla' must be one of: keras, chrono"):
        get_spec("vanilla").resolve({"forget_init": "crono"})
    with pytest.raises(ConfigError, match="cell 'nfg' has no forget gate"):
        get_spec("vanilla").resolve({"cell": "nfg", "forget_init": "chrono"})
    with pytest.raises(ConfigError, match="`chrono_max` of model 'bidirectional' must be >= 0"):
        get_spec("bidirectional").resolve({"chrono_max": -1})
    assert not chrono_bias("np", 4, 2, np.random.default_rng(0)).any()  # T <= 2: b = log 1 = 0
    # the fold-parallel path draws Keras' initial weights only: it declines chrono (fits run one by one)
    assert layer_plan("vanilla", {"forget_init": "chrono"}, (12, 1), 3) == "forget_init 'chrono' is not grouped"
    assert not isinstance(layer_plan("vanilla", {"forget_init": "keras"}, (12, 1), 3), str)


def test_cli_forget_init_errors_answer_without_training(capsys):
    assert main(["forecast", "--model", "vanilla", "--cell", "nfg", "--forget-init", "chrono", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "has no forget gate" in err and "Traceback" not in err
