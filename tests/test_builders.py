"""Tests of the neural builders (forecastkit.models.{dense,recurrent,conv,seq2seq}), their
shared helpers (keras_common) and the Keras-free validators (hyper).

Models are tiny (4 units) and trained for 2 epochs on 32 random windows so the module stays
well under a minute on a 2-core CPU.
"""

from __future__ import annotations

import inspect
import math
import subprocess
import sys

import numpy as np
import pytest

from forecastkit.checks import check_int
from forecastkit.errors import ConfigError, ConfigTypeError
from forecastkit.models import hyper
from forecastkit.models.hyper import check_float, check_horizon, check_input_shape
from forecastkit.models.keras_common import compile_model, import_keras
from forecastkit.models.registry import check_build_args, get_spec

keras = import_keras()

from forecastkit.models.conv import build_cnn_lstm  # noqa: E402
from forecastkit.models.dense import build_linear, build_mlp  # noqa: E402
from forecastkit.models.recurrent import (  # noqa: E402
    build_bidirectional,
    build_stacked,
    build_vanilla,
)
from forecastkit.models.seq2seq import build_encoder_decoder  # noqa: E402

# Keras' TensorFlow backend saves variables with np.array(variable); numpy >= 2 warns that TF's
# __array__ lacks the `copy` keyword. Third-party noise, not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

BUILDERS = {
    "linear": build_linear,
    "mlp": build_mlp,
    "vanilla": build_vanilla,
    "stacked": build_stacked,
    "bidirectional": build_bidirectional,
    "cnn_lstm": build_cnn_lstm,
    "encoder_decoder": build_encoder_decoder,
}
# Tiny but non-trivial settings for every builder (dropout on, so it is exercised too).
TINY = {
    "linear": {"l2": 0.01},
    "mlp": {"units": 4, "layers": 2, "dropout": 0.1},
    "vanilla": {"units": 4, "dropout": 0.1},
    "stacked": {"units": 4, "layers": 2, "dropout": 0.1},
    "bidirectional": {"units": 4, "dropout": 0.1},
    "cnn_lstm": {"filters": 4, "kernel_size": 3, "units": 4, "dropout": 0.1},
    "encoder_decoder": {"units": 4, "dropout": 0.1},
}
NAMES = list(BUILDERS)
# (lookback, horizon, n_features): a half factorial of {2, 12} x {1, 3} x {1, 3} that covers
# every value of each factor and every pair of values of any two factors.
SHAPES = [(2, 1, 1), (2, 3, 3), (12, 1, 3), (12, 3, 1)]


def _build(name, lookback=6, horizon=3, n_features=2, **overrides):
    return BUILDERS[name]((lookback, n_features), horizon, **{**TINY[name], **overrides})


def _data(n=32, lookback=6, horizon=3, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, lookback, n_features)).astype("float32")
    y = rng.normal(size=(n, horizon)).astype("float32")
    return x, y


def _predict(model, x):
    return keras.ops.convert_to_numpy(model(x, training=False))


# --------------------------------------------------------------------------------- builders


@pytest.mark.parametrize("lookback, horizon, n_features", SHAPES)
@pytest.mark.parametrize("name", NAMES)
def test_output_shape_dtype_and_name(name, lookback, horizon, n_features):
    model = _build(name, lookback, horizon, n_features)
    assert model.name == name
    assert not model.compiled
    assert model.input_shape == (None, lookback, n_features)
    assert model.output_shape == (None, horizon)
    x, _ = _data(5, lookback, horizon, n_features)
    out = model(x, training=False)
    assert tuple(out.shape) == (5, horizon)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert np.isfinite(keras.ops.convert_to_numpy(out)).all()


@pytest.mark.parametrize("name", NAMES)
def test_default_hyperparameters_build(name):
    """Builders work with no hyperparameters, and their keyword defaults match the registry."""
    params = inspect.signature(BUILDERS[name]).parameters
    defaults = {k: p.default for k, p in params.items() if p.kind is p.KEYWORD_ONLY}
    spec = get_spec(name)
    expected = spec.split(spec.defaults())[0]
    if name == "linear":  # the builder takes the coefficient; the registry's l2 is a prior per training window
        expected = {**expected, "l2": 0.0}
    assert defaults == expected
    model = BUILDERS[name]((2, 1), 1)
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize("name", NAMES)
def test_layers_are_named(name):
    model = _build(name)
    names = [layer.name for layer in model.layers]
    assert names[0] == "window"
    assert names[-1] == "forecast"
    assert len(set(names)) == len(names)


def test_architecture_details():
    assert [lay.name for lay in _build("stacked", layers=3).layers] == [
        "window", "lstm_1", "lstm_2", "lstm_3", "forecast",
    ]
    assert "pool" in [lay.name for lay in _build("cnn_lstm", lookback=4).layers]
    assert "pool" not in [lay.name for lay in _build("cnn_lstm", lookback=3).layers]
    # causal padding: a kernel longer than the window still works and keeps the length
    model = _build("cnn_lstm", lookback=2, kernel_size=5)
    assert model.get_layer("conv").output.shape == (None, 2, 4)
    assert "dropout_1" not in [lay.name for lay in _build("mlp", dropout=0.0).layers]
    assert _build("vanilla").get_layer("lstm").dropout == pytest.approx(0.1)
    assert _build("vanilla").get_layer("lstm").recurrent_dropout == 0
    assert _build("linear", l2=0.0).get_layer("forecast").kernel_regularizer is None
    assert _build("linear", l2=0.5).get_layer("forecast").kernel_regularizer is not None


def test_causal_conv_does_not_look_ahead():
    """Changing the last window step never changes conv outputs at earlier steps."""
    keras.utils.set_random_seed(0)
    model = _build("cnn_lstm", lookback=8, n_features=1)
    conv = keras.Model(model.input, model.get_layer("conv").output)
    x, _ = _data(2, 8, 3, 1)
    x2 = x.copy()
    x2[:, -1, :] += 10.0
    a, b = _predict(conv, x), _predict(conv, x2)
    np.testing.assert_array_equal(a[:, :-1], b[:, :-1])


@pytest.mark.parametrize("name", NAMES)
def test_float32_output_under_mixed_precision(name):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = _build(name)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    out = model(_data(4)[0], training=False)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


@pytest.mark.parametrize("name", NAMES)
def test_trains_two_epochs_without_nan_and_round_trips(name, tmp_path):
    keras.utils.set_random_seed(1)
    x, y = _data()
    model = compile_model(_build(name), learning_rate=1e-2)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 2
    assert all(math.isfinite(v) for v in losses)
    before = _predict(model, x)
    assert np.isfinite(before).all()
    # the trained, compiled model (optimizer state included) survives a safe-mode round trip
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(_predict(loaded, x), before)
    assert loaded.compiled and loaded.loss == "mse"
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 4


@pytest.mark.parametrize("name", NAMES)
def test_save_load_safe_mode_identical_predictions(name, tmp_path):
    keras.utils.set_random_seed(2)
    model = _build(name)
    x, _ = _data(8)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert loaded.name == name
    assert [lay.name for lay in loaded.layers] == [lay.name for lay in model.layers]
    np.testing.assert_array_equal(_predict(loaded, x), _predict(model, x))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_weights(name):
    x, _ = _data(4)
    keras.utils.set_random_seed(123)
    first = _predict(_build(name), x)
    keras.utils.set_random_seed(123)
    second = _predict(_build(name), x)
    np.testing.assert_array_equal(first, second)
    keras.utils.set_random_seed(124)
    assert not np.array_equal(first, _predict(_build(name), x))


BAD = [
    ("vanilla", {"units": "many"}, ConfigTypeError,
     ["`units` of model 'vanilla'", "integer >= 1", "units='many'"]),
    ("vanilla", {"units": 32.0}, ConfigTypeError, ["`units`", "units=32.0 (float)"]),
    ("vanilla", {"units": True}, ConfigTypeError, ["`units`", "units=True (bool)"]),
    ("vanilla", {"units": 0}, ConfigError, ["`units` of model 'vanilla'", "units=0"]),
    ("vanilla", {"dropout": 1.0}, ConfigError,
     ["`dropout` of model 'vanilla'", ">= 0 and < 1", "dropout=1.0"]),
    ("bidirectional", {"dropout": -0.1}, ConfigError, ["model 'bidirectional'", "dropout=-0.1"]),
    ("encoder_decoder", {"dropout": "0.2"}, ConfigTypeError, ["model 'encoder_decoder'", "dropout='0.2'"]),
    ("stacked", {"layers": 0}, ConfigError, ["`layers` of model 'stacked'", "layers=0"]),
    ("mlp", {"layers": 2.5}, ConfigTypeError, ["`layers` of model 'mlp'", "layers=2.5"]),
    ("mlp", {"dropout": float("nan")}, ConfigError, ["`dropout` of model 'mlp'", "dropout=nan"]),
    ("cnn_lstm", {"filters": -1}, ConfigError, ["`filters` of model 'cnn_lstm'", "filters=-1"]),
    ("cnn_lstm", {"kernel_size": None}, ConfigTypeError, ["`kernel_size`", "kernel_size=None"]),
    ("linear", {"l2": -0.01}, ConfigError, ["`l2` of model 'linear'", "number >= 0", "l2=-0.01"]),
    ("linear", {"l2": float("inf")}, ConfigError, ["`l2` of model 'linear'", "l2=inf"]),
]


@pytest.mark.parametrize(
    "name, kwargs, error, parts", BAD, ids=[f"{b[0]}-{next(iter(b[1]))}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_hyperparameters_raise(name, kwargs, error, parts):
    with pytest.raises(error) as info:
        BUILDERS[name]((12, 1), 3, **kwargs)
    for part in parts:
        assert part in str(info.value)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "input_shape, horizon, error, part",
    [
        ((12,), 3, ConfigError, "input_shape=(12,)"),
        ((0, 1), 3, ConfigError, "input_shape=(0, 1)"),
        ((12.0, 1), 3, ConfigTypeError, "input_shape=(12.0, 1)"),
        (12, 3, ConfigTypeError, "input_shape=12 (int)"),
        ((12, 1), 0, ConfigError, "horizon=0"),
        ((12, 1), "3", ConfigTypeError, "horizon='3' (str)"),
    ],
)
def test_bad_shape_or_horizon_raise(name, input_shape, horizon, error, part):
    with pytest.raises(error, match=rf"model '{name}'") as info:
        BUILDERS[name](input_shape, horizon)
    assert part in str(info.value)


def test_errors_are_builtin_types_too():
    with pytest.raises(ValueError):
        build_vanilla((12, 1), 3, units=0)
    with pytest.raises(TypeError):
        build_vanilla((12, 1), 3, units="many")


def test_numpy_scalars_are_accepted_and_converted():
    model = build_stacked((np.int64(6), np.int32(2)), np.int64(3), units=np.int64(4),
                          layers=np.int64(2), dropout=np.float32(0.25))
    assert model.output_shape == (None, 3)
    config = model.get_layer("lstm_1").get_config()
    assert type(config["units"]) is int and type(config["dropout"]) is float


# ------------------------------------------------------------------------------ keras_common


def test_compile_model_adam_mse():
    model = _build("linear")
    assert compile_model(model, learning_rate=0.05) is model
    assert model.compiled
    assert model.loss == "mse"
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert float(compile_model(_build("linear")).optimizer.learning_rate) == pytest.approx(1e-3)


@pytest.mark.parametrize("lr, error", [(0.0, ConfigError), (-1.0, ConfigError), ("fast", ConfigTypeError)])
def test_compile_model_bad_learning_rate(lr, error):
    with pytest.raises(error, match="`learning_rate` of model 'linear'"):
        compile_model(_build("linear"), learning_rate=lr)


def test_import_keras_sets_environment_defaults():
    import os

    assert import_keras() is keras
    assert os.environ["KERAS_BACKEND"]  # set by import_keras unless the user chose one
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"]


# ------------------------------------------------------------------------------------ hyper


def test_hyper_module_does_not_import_keras():
    code = (
        "import sys, forecastkit.models.hyper as h; "
        "h.check_horizon('vanilla', 8); "
        "bad = [m for m in ('keras', 'tensorflow') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(2)])
def test_check_int_accepts(value):
    result = check_int(value, "units", context="model 'm'")
    assert result == int(value) and type(result) is int


@pytest.mark.parametrize(
    "value, error, part",
    [
        (0, ConfigError, "units=0"),
        (-5, ConfigError, "units=-5"),
        (True, ConfigTypeError, "units=True (bool)"),
        (32.0, ConfigTypeError, "units=32.0 (float)"),
        ("32", ConfigTypeError, "units='32' (str)"),
        (None, ConfigTypeError, "units=None (NoneType)"),
    ],
)
def test_check_int_rejects(value, error, part):
    with pytest.raises(error) as info:
        check_int(value, "units", context="model 'vanilla'")
    message = str(info.value)
    rule = "an integer >= 1" if error is ConfigTypeError else ">= 1"
    assert message.startswith(f"`units` of model 'vanilla' must be {rule}. Received: ")
    assert part in message


def test_check_int_custom_minimum():
    assert check_int(0, "n", minimum=0, context="model 'm'") == 0
    with pytest.raises(ConfigError, match="`n` of model 'm' must be >= 2"):
        check_int(1, "n", minimum=2, context="model 'm'")
    with pytest.raises(ConfigTypeError, match="integer >= 2"):
        check_int(1.0, "n", minimum=2, context="model 'm'")


def test_check_float_bounds():
    assert check_float("m", "p", 0, minimum=0.0) == 0.0
    assert type(check_float("m", "p", np.float32(0.5), 0.0, 1.0)) is float
    assert check_float("m", "p", 1.0, 0.0, 1.0) == 1.0
    with pytest.raises(ConfigError, match=r"must be a number > 0\. Received: p=0.0"):
        check_float("m", "p", 0.0, minimum=0.0, include_minimum=False)
    with pytest.raises(ConfigError, match=r"must be a number >= 0 and < 1\. Received: p=1.0"):
        check_float("m", "p", 1, minimum=0.0, maximum=1.0, include_maximum=False)
    with pytest.raises(ConfigError, match=r"must be a number <= 2\.5"):
        check_float("m", "p", 3.0, maximum=2.5)
    with pytest.raises(ConfigError, match="finite number"):
        check_float("m", "p", float("-inf"))
    with pytest.raises(ConfigTypeError, match=r"Received: p=False \(bool\)"):
        check_float("m", "p", False, minimum=0.0)
    with pytest.raises(ConfigTypeError, match=r"Received: p=\[0.1\] \(list\)"):
        check_float("m", "p", [0.1], minimum=0.0)


def test_check_input_shape_and_horizon():
    assert check_input_shape("m", [3, np.int64(2)]) == (3, 2)
    for bad in [(3,), (3, 2, 1), ()]:
        with pytest.raises(ConfigError, match="pair of integers >= 1"):
            check_input_shape("m", bad)
    for bad in ["12", None, (3, True), (3.0, 2)]:
        with pytest.raises(ConfigTypeError, match="`input_shape` of model 'm'"):
            check_input_shape("m", bad)
    with pytest.raises(ConfigError):
        check_input_shape("m", (3, 0))
    assert check_horizon("m", 4) == 4
    with pytest.raises(ConfigError, match="`horizon` of model 'm' must be >= 1"):
        check_horizon("m", 0)
    with pytest.raises(ConfigTypeError, match="`horizon` of model 'm' must be an integer >= 1"):
        check_horizon("m", 1.0)


def test_registry_resolves_defaults_and_overrides():
    spec = get_spec("mlp")
    assert spec.split(spec.resolve({"units": 8, "dropout": 0.5}))[0] == {"units": 8, "layers": 2, "dropout": 0.5}
    assert get_spec("linear").resolve({"l2": 0})["l2"] == 0.0
    assert set(BUILDERS) == {name for name in BUILDERS if get_spec(name).kind == "neural"}


def test_registry_unknown_names():
    with pytest.raises(ConfigError) as info:
        get_spec("stacked").resolve({"layer": 3})
    message = str(info.value)
    assert "Unknown hyperparameter 'layer' for model 'stacked'" in message
    assert "units, layers, dropout" in message
    assert "Did you mean 'layers'?" in message
    with pytest.raises(ConfigError, match="Unknown model 'nave'. Available models: linear, mlp"):
        get_spec("nave")


def test_model_names_accept_variants_and_suggest_the_meant_model():
    """Issue 18 item 9: '-'/'_' and case variants are the model; typos and cell names get a suggestion."""
    assert get_spec("cnn-lstm") is get_spec("cnn_lstm")
    assert get_spec("Encoder-Decoder").name == "encoder_decoder"
    assert get_spec("seasonal-naive").name == "seasonal_naive"
    for typed, meant in [("vanila", "vanilla"), ("stackedlstm", "stacked"), ("bilstm", "bidirectional"),
                         ("seq2seq", "encoder_decoder"), ("lstm", "vanilla"), ("gru", "vanilla")]:
        with pytest.raises(ConfigError) as info:
            get_spec(typed)
        message = str(info.value)
        assert message.startswith(f"Unknown model {typed!r}. Available models: linear, mlp, vanilla"), message
        assert f"Did you mean {meant!r}?" in message, message
    with pytest.raises(ConfigError) as info:
        get_spec("lstm")
    assert "The LSTM-family models (vanilla, stacked, bidirectional, cnn_lstm, encoder_decoder)" in str(info.value)
    with pytest.raises(ConfigError) as info:
        get_spec("prophet")
    assert "Did you mean" not in str(info.value)


def test_grouped_plans_are_registered_beside_their_keras_builders():
    """Issue 17: each builder declares its fold-parallel plan in its own module (no second copy)."""
    from forecastkit.grouped import GROUPED_BUILDERS, layer_plan

    assert set(GROUPED_BUILDERS) == set(BUILDERS)
    for name in BUILDERS:
        spec = get_spec(name)
        assert spec.grouped.split(":")[0] == spec.builder.split(":")[0]
        assert spec.load_grouped().__module__ == BUILDERS[name].__module__
    arch = layer_plan("cnn_lstm", {"filters": 2, "kernel_size": 2, "units": 3}, (12, 1), 2)
    assert [(layer.kind, layer.size) for layer in arch.layers][:2] == [("conv", 2), ("pool", 2)]
    assert layer_plan("cnn-lstm", {}, (12, 1), 2).model == "cnn_lstm"


def test_check_build_args():
    assert check_build_args("bidirectional", (5, 1), 2) == ((5, 1), 2, {"units": 32, "dropout": 0.0, "cell": "lstm",
                                                                      "forget_init": "keras", "chrono_max": 0})
    with pytest.raises(ConfigTypeError, match="units='x'"):
        check_build_args("bidirectional", (5, 1), 2, units="x")


def test_hyper_all_exports_exist():
    for name in hyper.__all__:
        assert hasattr(hyper, name)
