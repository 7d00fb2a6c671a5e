"""The argument parser, derived from :class:`~forecastkit.settings.RunSettings`.

Every run setting a command takes becomes a flag (``learning_rate`` -> ``--learning-rate``)
with the help text, metavar, group and type its field declares, and ``(default: ...)`` from
its default. Flags the user did not give stay absent from the namespace, so a config file's
values are overridden only by flags actually typed.

Examples
--------
>>> args = build_parser().parse_args(["evaluate", "--learning-rate", "0.01", "--local"])
>>> args.learning_rate, args.mode, hasattr(args, "horizon")
(0.01, 'local', False)
"""

from __future__ import annotations

import argparse
import sys

from ..settings import DEFAULTS, flag, setting_field, setting_kinds, setting_names

FORECAST_EXAMPLES = """examples:
  forecastkit forecast                                   # linear model on the airline dataset
  forecastkit forecast --data sales.csv --target units --model stacked --horizon 12
  forecastkit forecast --data long.csv --id store --time week --target sales --model mlp
  forecastkit forecast --data visnights --model vanilla --local   # one model per series
  forecastkit forecast --data sales.csv --id store --target units --future-covariates price \\
      --future-data prices_next_weeks.csv --calendar weekday,month --model stacked
  forecastkit forecast --data co2 --fill interpolate --model naive2 --out co2.csv
  forecastkit forecast --model mlp --strategy recursive --samples 200 --validation 0.2
  forecastkit forecast --config run.toml --epochs 20      # flags override the config file
  forecastkit forecast --from-run forecastkit-run         # refit the winner of an evaluate run
"""

EVALUATE_EXAMPLES = """examples:
  forecastkit evaluate                                   # every model on airline, 24 origins
  forecastkit evaluate --models linear,stacked --horizon 6 --folds 30 --refit always
  forecastkit evaluate --data sunspots --window sliding:120 --metric smape --out runs/sun
  forecastkit evaluate --data aus_accommodation --models linear,vanilla --horizon 4 --folds 8 --calendar quarter
  forecastkit evaluate --models mlp --tune 20            # mlp beside mlp (tuned): 20 trials per fit
  forecastkit evaluate --out runs/sun --resume           # continue an interrupted run
  forecastkit evaluate --out runs/sun --overwrite        # start it again from scratch
"""

ABLATION_EXAMPLES = """examples:
  forecastkit ablation                                   # vanilla with every cell on airline
  forecastkit ablation --data sales.csv --target units --model stacked --cells cifg,gru,indy --repeats 3
  forecastkit ablation --data visnights --horizon 4 --folds 12 --units 16 --epochs 30
"""

TUNE_EXAMPLES = """examples:
  forecastkit tune --model mlp --trials 20                # airline; writes forecastkit-tune/
  forecastkit tune --model mlp --trials 40 --resume       # continue that study up to 40 trials
  forecastkit tune --data sales.csv --target units --model vanilla --trials 30 --timeout 600 \\
      --space "units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|gru" --out tuned
  forecastkit forecast --config tuned/best.toml           # forecast with the best trial's settings
"""

COMMANDS = {
    "forecast": ("fit a model and forecast the next --horizon steps",
                 "Fit one model on a CSV (or a shipped dataset) and write its forecast as a long CSV: id, time, "
                 "model, yhat.", FORECAST_EXAMPLES),
    "evaluate": ("walk-forward evaluation: which model forecasts best, and is it significant?",
                 "Walk-forward evaluation of every model (or --models) against the reference baselines on the same "
                 "origins, with no leakage: leaderboard, Diebold-Mariano tests, verdict, an HTML report and the "
                 "tidy results. Exit code 3 when some fits failed (they are recorded with their reason); 130 when "
                 "interrupted (rerun with --resume to continue).", EVALUATE_EXAMPLES),
    "ablation": ("the LSTM search-space odyssey on your data: one builder with every recurrent cell",
                 "Walk-forward of one recurrent builder (default: vanilla) with each recurrent cell (Greff's "
                 "vanilla peephole LSTM and its eight variants, IndyLSTM, GRU, and Keras' LSTM, the default) on "
                 "the same origins, beside linear and seasonal_naive: a leaderboard with Diebold-Mariano tests "
                 "against the default LSTM (Holm-adjusted), the seed spread (--repeats), weights and fit time, a "
                 "verdict and a plot.", ABLATION_EXAMPLES),
    "tune": ("search a neural model's hyperparameters with Optuna, scored on the training data only",
             "Search the hyperparameters of one neural model (--model) with Optuna: a seeded TPE sampler, a "
             "median pruner fed each epoch's held-out loss, and as objective the --metric averaged over an inner "
             "walk-forward of --inner-folds origins at the end of the data. Writes to --out: study.sqlite (the "
             "Optuna study; --resume continues it up to --trials in all), trials.csv, best.toml (a config file "
             "for forecast --config and evaluate --config), history.png and importance.png. For an honest score "
             "of a tuned model use evaluate --tune N: each fit is tuned on its own training data.", TUNE_EXAMPLES),
}

GROUPS = {"data": "data", "model": "model", "walk-forward": "walk-forward",
          "hyper": "hyperparameters (neural models; per-model values go in the config file)",
          "tuning": "hyperparameter search (Optuna)", "output": "output"}


class Parser(argparse.ArgumentParser):
    """argparse's parser, saying a usage error in one line (with where to find the usage)
    instead of the whole usage block above it; exit code 2, as argparse's."""

    def error(self, message):
        if "COMMAND" in message:  # no command at all: the list of commands is the answer
            self.print_help(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}. See `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (flags the user did not give stay absent from the namespace)."""
    parser = Parser(
        prog="forecastkit", description="Keras LSTM forecasters and honest baselines for tabular time series.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command, (summary, description, examples) in COMMANDS.items():
        sub = commands.add_parser(command, help=summary, description=description, epilog=examples,
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  argument_default=argparse.SUPPRESS)
        add_setting_flags(sub, command)
    commands.add_parser("models", help="list every model with its hyperparameters and defaults",
                        description="List every model with a one-line description and its "
                                    "hyperparameters as name=default.")
    commands.add_parser("datasets", help="list the shipped datasets",
                        description="List the datasets that ship with forecastkit; use a name as --data NAME.")
    return parser


def add_setting_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """The flags of every setting ``command`` takes, in their groups, plus ``--config``."""
    groups = {key: parser.add_argument_group(title) for key, title in GROUPS.items()}
    for name in setting_names():
        meta = setting_field(name).metadata
        if command not in meta["commands"]:
            continue
        group = groups[_of(meta["group"], command)]
        if meta["flags"]:  # one flag per value (--global / --local)
            scope = group.add_mutually_exclusive_group()
            for option, (value, text) in meta["flags"].items():
                scope.add_argument(option, dest=name, action="store_const", const=value, help=text)
            continue
        group.add_argument(flag(name), dest=name, help=_help(name, command), **_kind(name, command))
        if name == "seed":
            group.add_argument("--config", metavar="FILE", help="TOML config; flags override it")


def _of(value, command: str):
    """A per-command metadata value (``{command: value}``) or the one value."""
    return value.get(command) if isinstance(value, dict) else value


def _help(name: str, command: str) -> str:
    meta = setting_field(name).metadata
    text = _of(meta["help"], command)
    shown = _of(meta["default_text"], command)
    default = getattr(DEFAULTS, name)
    if shown is None and default not in (None, False):
        shown = str(default)
    return f"{text} (default: {shown})" if shown else text


def _kind(name: str, command: str) -> dict:
    """``add_argument`` keywords from the setting's type: a switch for bools, ``type`` for numbers."""
    kinds = setting_kinds(name)
    metavar = _of(setting_field(name).metadata["metavar"], command)
    if kinds == (bool,):
        return {"action": "store_true" if getattr(DEFAULTS, name) is False else argparse.BooleanOptionalAction}
    if kinds == (int, str):
        return {"type": _row_or_time, "metavar": metavar}
    if kinds == (int,):
        return {"type": int, "metavar": metavar}
    if kinds == (int, float):
        return {"type": float, "metavar": metavar}
    return {"metavar": metavar}  # text; lists are given as A,B


def _row_or_time(text: str) -> int | str:
    """``--start``: a row number, or else a timestamp (kept as text)."""
    return int(text) if text.lstrip("-").isdigit() else text

