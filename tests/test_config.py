"""Config files and settings precedence."""

import pytest

from forecastkit.config import merge_settings, model_params, read_config
from forecastkit.errors import ConfigError, ConfigTypeError


def write(tmp_path, text):
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def test_flags_override_file_override_defaults(tmp_path):
    config = read_config(write(tmp_path, 'model = "stacked"\nhorizon = 6\nlearning-rate = 0.01\n'
                                         '[models.stacked]\nunits = 16\n'))
    settings = merge_settings(config, flags={"horizon": 3})
    assert settings.horizon == 3 and settings.model == "stacked" and settings.seed == 0
    assert model_params(settings) == {"units": 16, "learning_rate": 0.01}
    settings = merge_settings(config, flags={"units": 64})
    assert model_params(settings)["units"] == 64


@pytest.mark.parametrize("text, error, message", [
    ("colour = 1\n", ConfigError, "Unknown key 'colour'"),
    ("horizon = 'six'\n", ConfigTypeError, "`horizon` in config file"),
    ("horizon = true\n", ConfigTypeError, "`horizon`"),
    ("[models.prophet]\nunits = 1\n", ConfigError, "Unknown model 'prophet'"),
    ("[models.vanilla]\nunitz = 1\n", ConfigError, "Unknown hyperparameter 'unitz' for model 'vanilla'"),
    ("[models.vanilla]\nunits = 1.5\n", ConfigTypeError, "`units` of model 'vanilla'"),
    ("horizon = \n", ConfigError, "not valid TOML"),
])
def test_bad_config_files(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        read_config(write(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_config(tmp_path / "nope.toml")


def test_data_path_relative_to_config(tmp_path):
    (tmp_path / "d.csv").write_text("t,y\n1,2\n")
    assert read_config(write(tmp_path, 'data = "d.csv"\n'))["data"] == str(tmp_path / "d.csv")


def test_hyper_flag_must_apply_to_the_model():
    with pytest.raises(ConfigError, match="`layers` does not apply to model 'vanilla'"):
        model_params(merge_settings({}, flags={"model": "vanilla", "layers": 3}))
    with pytest.raises(ConfigError, match="`epochs` does not apply to model 'naive'"):
        model_params(merge_settings({}, flags={"model": "naive", "epochs": 3}))


def test_loss_and_steps_per_epoch_come_from_config_files_and_flags(tmp_path):
    config = read_config(write(tmp_path, 'model = "vanilla"\nloss = "huber"\nsteps-per-epoch = 50\n'
                                         '[models.mlp]\nloss = "mae"\nsteps_per_epoch = 0\n'))
    assert model_params(merge_settings(config)) == {"loss": "huber", "steps_per_epoch": 50}
    assert model_params(merge_settings(config, flags={"model": "mlp"})) == {"loss": "huber", "steps_per_epoch": 50}
    assert model_params(merge_settings(config, flags={"model": "mlp", "loss": "mse"}))["loss"] == "mse"
    assert model_params(merge_settings({"model_tables": config["model_tables"]}, flags={"model": "mlp"})) == {
        "loss": "mae", "steps_per_epoch": 0}


@pytest.mark.parametrize("text, error, message", [
    ('loss = "l1"\n', ConfigError, r"`loss` of model 'vanilla' must be one of: mse, mae, huber. Received: loss='l1'"),
    ("loss = 1\n", ConfigTypeError, "`loss` in config file"),
    ("steps_per_epoch = -5\n", ConfigError, r"`steps_per_epoch` of model 'vanilla' must be >= 0. "
                                            r"Received: steps_per_epoch=-5"),
    ("steps_per_epoch = 2.5\n", ConfigTypeError, "`steps_per_epoch` in config file"),
    ('[models.vanilla]\nloss = "hubber"\n', ConfigError, "Did you mean 'huber'"),
])
def test_bad_loss_and_steps_per_epoch_are_clear_errors(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        model_params(merge_settings(read_config(write(tmp_path, text)), flags={"model": "vanilla"}))


# ------------------------------------------------------------------ one definition of the settings --
def test_settings_are_frozen_and_typed_from_one_definition(tmp_path):
    import dataclasses

    from forecastkit.config import HYPER_FLAGS
    from forecastkit.settings import DEFAULTS, RunSettings, setting_names

    settings = merge_settings(read_config(write(tmp_path, "learning-rate = 0.5\n")), flags={"units": 4})
    assert isinstance(settings, RunSettings) and settings.learning_rate == 0.5 and settings.units == 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.horizon = 3
    assert merge_settings({}) == DEFAULTS
    # every setting is a TOML key, with the type its annotation declares
    for name in setting_names():
        assert "Unknown key" not in _config_error(tmp_path, f"{name} = {{}}\n")
    assert "`folds` in config file" in _config_error(tmp_path, "folds = 2.5\n")
    assert "`level` in config file" in _config_error(tmp_path, "level = true\n")
    assert HYPER_FLAGS == ("epochs", "units", "layers", "l2", "filters", "kernel_size", "batch_size", "learning_rate",
                           "patience", "dropout",
                           "validation", "window_sample", "cell", "forget_init", "chrono_max", "loss",
                           "steps_per_epoch")


def _config_error(tmp_path, text) -> str:
    try:
        read_config(write(tmp_path, text))
    except (ConfigError, ConfigTypeError) as err:
        return str(err)
    return ""


def test_every_flag_derives_from_a_setting_with_its_default():
    from forecastkit.cli import build_parser
    from forecastkit.settings import DEFAULTS, commands_of, flag, setting_names

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for command in ("forecast", "evaluate", "ablation"):
        actions = {a.dest: a for a in commands[command]._actions}
        for name in setting_names():
            assert (name in actions) == (command in commands_of(name)), (command, name)
            if name in actions and name != "mode":  # mode: --global / --local
                assert flag(name) in actions[name].option_strings
        extra = set(actions) - set(setting_names()) - {"help", "config"}
        assert extra == set(), f"{command}: flags without a setting: {extra}"
    help_text = " ".join(commands["evaluate"].format_help().split())
    assert "(default: 24; on a panel of more than 50 series fewer" in help_text
    assert f"(default: {DEFAULTS.refit})" in help_text


def test_python_defaults_equal_the_command_lines():
    """Forecaster() and WalkForward() take their defaults from DEFAULTS (issue 18, item 8)."""
    from forecastkit import Forecaster, WalkForward
    from forecastkit.settings import DEFAULTS

    params = Forecaster().get_params()
    for name in ("horizon", "lookback", "scaler", "preprocess", "season", "seed", "mode", "id_embedding",
                 "strategy", "bag", "members", "quantiles", "calendar", "transform", "deseason", "difference",
                 "seasonal_difference"):
        assert params[name] == getattr(DEFAULTS, name), name
    assert params["model"] == "linear"
    splitter = WalkForward()
    for name in ("folds", "stride", "gap", "window", "refit", "start"):
        assert getattr(splitter, name) == getattr(DEFAULTS, name), name


def test_config_keys_the_command_does_not_take_are_said(tmp_path, capsys):
    # `models = "mlp"` in a forecast config used to give a linear forecast without a word
    from forecastkit.cli import main

    (tmp_path / "slip.toml").write_text('models = "naive"\nfolds = 4\nhorizon = 2\n')
    assert main(["forecast", "--config", str(tmp_path / "slip.toml"), "--out", str(tmp_path / "f.csv")]) == 0
    assert ("warning: The config file sets `folds`, `models`, which `forecastkit forecast` does not take: they are "
            "ignored.") in capsys.readouterr().err
    (tmp_path / "both.toml").write_text('model = "naive"\nmodels = "naive"\nhorizon = 2\n')  # as tune's best.toml
    assert main(["forecast", "--config", str(tmp_path / "both.toml"), "--out", str(tmp_path / "g.csv")]) == 0
    assert "does not take" not in capsys.readouterr().err


def test_config_lists_for_the_calendar_and_covariate_roles(tmp_path):
    # as in Python (calendar: str, list or None); "must be str" before
    from forecastkit.config import merge_settings, read_config

    (tmp_path / "roles.toml").write_text('calendar = ["quarter", "month"]\npast_covariates = ["occupancy"]\n'
                                         'future_covariates = []\n')
    settings = merge_settings(read_config(str(tmp_path / "roles.toml")), flags={})
    assert settings.calendar == ["quarter", "month"] and settings.past_covariates == ["occupancy"]
    assert settings.future_covariates == []


def test_config_takes_a_target_list_and_a_native_toml_date(tmp_path):
    # `target = [...]` and `start = 1990-01-01` (TOML's own date) were refused as "must be str"
    from forecastkit.cli import main

    (tmp_path / "wide.toml").write_text('data = "macrodata"\ntarget = ["realgdp", "realcons"]\nmodels = "naive"\n'
                                        'no_baselines = true\nhorizon = 2\nstart = 2005-01-01\n')
    settings = merge_settings(read_config(str(tmp_path / "wide.toml")), flags={})
    assert settings.target == ["realgdp", "realcons"] and settings.start == "2005-01-01"
    assert main(["evaluate", "--config", str(tmp_path / "wide.toml"), "--out", str(tmp_path / "r"), "--quiet"]) == 0
    import pandas as pd

    results = pd.read_csv(tmp_path / "r" / "results.csv")
    assert sorted(results["id"].unique()) == ["realcons", "realgdp"]
    assert pd.to_datetime(results["origin"]).min() >= pd.Timestamp("2005-01-01")
