"""Command line: ``forecastkit forecast | evaluate | ablation | models | datasets``.

Argument parsing only; the work is done by the public API. Everything is parsed and
validated (flags, config file, data, series lengths) before TensorFlow is imported, so
``--help`` and input errors answer in about a second. Exit codes: 0 success, 1 error
(one line on standard error, no traceback), 2 bad command-line usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

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
  forecastkit evaluate --out runs/sun --resume           # continue an interrupted run
"""

ABLATION_EXAMPLES = """examples:
  forecastkit ablation                                   # vanilla with every cell on airline
  forecastkit ablation --data sales.csv --target units --model stacked --cells cifg,gru,indy --repeats 3
  forecastkit ablation --data visnights --horizon 4 --folds 12 --units 16 --epochs 30
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (flags the user did not give stay absent from the namespace)."""
    parser = argparse.ArgumentParser(
        prog="forecastkit",
        description="Keras LSTM forecasters and honest baselines for tabular time series.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    forecast = commands.add_parser(
        "forecast", help="fit a model and forecast the next --horizon steps",
        description="Fit one model on a CSV (or a shipped dataset) and write its forecast "
                    "as a long CSV: id, time, model, yhat.",
        epilog=FORECAST_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    _add_data_arguments(forecast, future_data=True)
    group = _add_model_arguments(forecast)
    group.add_argument("--model", metavar="NAME", help="model name, see `forecastkit models` (default: linear; "
                       "with --from-run: best)")
    group.add_argument("--strategy", metavar="S", help="neural models: direct (one network output per horizon "
                       "step) or recursive (a one-step network fed its own forecasts) (default: direct)")
    _add_ensemble_arguments(group)
    _add_hyper_arguments(forecast)
    output = forecast.add_argument_group("output")
    output.add_argument("--out", metavar="FILE", help="forecast CSV to write (default: forecast.csv)")
    output.add_argument("--save-model", metavar="DIR", help="also save the fitted model to DIR")
    output.add_argument("--level", metavar="L,L", help="add prediction intervals at these levels (percent, "
                        "e.g. 80,95) as yhat_lo_L / yhat_hi_L columns: native for the baselines, split-conformal "
                        "on the held-out windows for neural models (--strategy recursive: quantiles of 1000 "
                        "sampled paths)")
    output.add_argument("--quantiles", metavar="Q,Q", help="neural models: also forecast these quantiles "
                        "(e.g. 0.1,0.9) with a pinball-loss quantile head; adds q0.1-style columns")
    output.add_argument("--samples", type=int, metavar="N", help="neural models: draw N future paths by "
                        "bootstrapping the held-out errors and add their quantiles as q0.05 ... q0.95 columns")
    output.add_argument("--from-run", metavar="DIR", help="refit the winner (or --model NAME) of an "
                        "`evaluate` run with that run's data and settings, on all the data")
    _add_common_output(output)

    evaluate = commands.add_parser(
        "evaluate", help="walk-forward evaluation: which model forecasts best, and is it significant?",
        description="Walk-forward evaluation of every model (or --models) against the reference "
                    "baselines on the same origins, with no leakage: leaderboard, Diebold-Mariano "
                    "tests, verdict, an HTML report and the tidy results. Exit code 3 when some "
                    "fits failed (they are recorded with their reason); 130 when interrupted "
                    "(rerun with --resume to continue).",
        epilog=EVALUATE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    _add_data_arguments(evaluate)
    group = _add_model_arguments(evaluate)
    group.add_argument("--models", metavar="A,B|all", help="models to evaluate (default: all neural models)")
    group.add_argument("--strategy", metavar="S", help="neural models: direct or recursive (one-step network "
                       "rolled out over the horizon) (default: direct)")
    _add_ensemble_arguments(group)
    group.add_argument("--no-baselines", action="store_true", help="leave out the reference baselines "
                       "(naive, seasonal_naive, naive2, ets, theta, arima)")
    folds = _add_origin_arguments(evaluate)
    folds.add_argument("--warm-start", action="store_true", help="with every:K, continue from the previous "
                       "fit's weights")
    folds.add_argument("--metric", metavar="M", help="rank by mase, smape, mae, rmse, mape or owa, or with --level "
                       "by the interval scores msis, winkler or coverage_gap (default: mase)")
    folds.add_argument("--level", metavar="L,L", help="add conformal prediction intervals at these levels "
                       "(percent, e.g. 80,95), calibrated on errors known before each origin, and score them")
    folds.add_argument("--min-calibration", type=int, metavar="N", help="earlier errors needed per model, "
                       "series and step before an origin gets an interval (default: 10)")
    _add_hyper_arguments(evaluate)
    output = evaluate.add_argument_group("output")
    output.add_argument("--out", metavar="DIR", help="run directory (default: forecastkit-run)")
    output.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    output.add_argument("--fast-nondeterministic", action="store_true", help="skip TensorFlow op "
                        "determinism: faster on some hardware, but reruns may differ in the last digits")
    _add_common_output(output)

    ablation = commands.add_parser(
        "ablation", help="the LSTM search-space odyssey on your data: one builder with every recurrent cell",
        description="Walk-forward of one recurrent builder (default: vanilla) with each recurrent cell "
                    "(Greff's vanilla peephole LSTM and its eight variants, IndyLSTM, GRU, and Keras' LSTM, the "
                    "default) on the same origins, beside linear and seasonal_naive: a leaderboard with "
                    "Diebold-Mariano tests against the default LSTM (Holm-adjusted), the seed spread "
                    "(--repeats), weights and fit time, a verdict and a plot.",
        epilog=ABLATION_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    _add_data_arguments(ablation)
    group = _add_model_arguments(ablation)
    group.add_argument("--model", metavar="NAME", help="recurrent builder: vanilla, stacked, bidirectional, "
                       "cnn_lstm or encoder_decoder (default: vanilla)")
    group.add_argument("--cells", metavar="A,B|all", help="cells to compare; lstm, the default, is always in "
                       "(default: all)")
    group.add_argument("--repeats", type=int, metavar="K", help="seeds per cell: the metric's spread across them "
                       "shows the training noise (default: 1)")
    walk = _add_origin_arguments(ablation)
    walk.add_argument("--metric", metavar="M", help="rank by mase, smape, mae, rmse or mape (default: mase)")
    _add_hyper_arguments(ablation, cell=False)
    output = ablation.add_argument_group("output")
    output.add_argument("--out", metavar="DIR", help="run directory (default: forecastkit-ablation)")
    output.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    _add_common_output(output)

    commands.add_parser("models", help="list every model with its hyperparameters and defaults",
                        description="List every model with a one-line description and its "
                                    "hyperparameters as name=default.")
    commands.add_parser("datasets", help="list the shipped datasets",
                        description="List the datasets that ship with forecastkit; use a name as --data NAME.")
    return parser


def _add_data_arguments(parser: argparse.ArgumentParser, future_data: bool = False) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--data", metavar="FILE|NAME",
                      help="CSV file (wide or long), or a shipped dataset name (default: airline)")
    data.add_argument("--target", metavar="COL", help="target column; 'a,b' makes one series per column "
                      "of a wide file (default: the only value column)")
    data.add_argument("--time", metavar="COL", help="time column (default: inferred)")
    data.add_argument("--id", metavar="COL", help="series id column of a long file")
    data.add_argument("--past-covariates", metavar="A,B", help="covariate columns known up to each "
                      "forecast origin (observed with the target), fed to neural models as extra inputs")
    source = ("forecast reads their values after the data's end from --future-data" if future_data else
              "the walk-forward takes their values over each origin's horizon from the data")
    data.add_argument("--future-covariates", metavar="A,B", help="covariate columns known over the horizon "
                      f"too (planned prices, holidays); {source}")
    data.add_argument("--static-covariates", metavar="A,B", help="columns holding one value per series "
                      "(store type, region); numeric or labels")
    data.add_argument("--calendar", metavar="A,B", help="calendar features known over the horizon: "
                      "minute, hour, weekday, day, week, month, quarter, dayofyear (needs timestamps)")
    data.add_argument("--skip-short", action="store_true", help="leave out, with a warning, series too "
                      "short for the lookback + horizon (default: an error naming them)")
    if future_data:
        data.add_argument("--future-data", metavar="FILE", help="CSV with the --future-covariates' values over "
                          "the horizon: a time column, the id column of a panel, and those covariates")
    data.add_argument("--freq", metavar="F", help="pandas frequency such as MS, W-SUN, D, h (default: inferred)")
    data.add_argument("--fill", metavar="POLICY", help="repair missing values and gaps: interpolate, ffill "
                      "or zero (default: missing values are an error)")


def _add_ensemble_arguments(group) -> None:
    group.add_argument("--members", metavar="A,B", help="model ensemble: the models whose median it forecasts, "
                       "per series and step (default: linear,mlp,vanilla)")
    group.add_argument("--bag", type=int, metavar="N", help="neural models (and each neural member of an ensemble): "
                       "train N copies over seeds and lookbacks (x1, x1.5, x2 the lookback) and forecast their "
                       "median (default: 1)")


def _add_origin_arguments(parser: argparse.ArgumentParser):
    """The walk-forward group with the origin and refit flags; returns it for more flags."""
    folds = parser.add_argument_group("walk-forward")
    folds.add_argument("--folds", type=int, metavar="N", help="number of forecast origins (default: 24)")
    folds.add_argument("--stride", type=int, metavar="S", help="rows between origins (default: 1)")
    folds.add_argument("--start", metavar="T", help="first origin, a row number or a timestamp (instead of --folds)")
    folds.add_argument("--gap", type=int, metavar="G", help="rows left out of training before each fit's "
                       "first origin (default: 0)")
    folds.add_argument("--window", metavar="W", help="training window: expanding or sliding:N (default: expanding)")
    folds.add_argument("--refit", metavar="R", help="always, every:K (one fit serves K origins) or never "
                       "(default: every:6)")
    return folds


def _add_model_arguments(parser: argparse.ArgumentParser):
    model = parser.add_argument_group("model")
    model.add_argument("--horizon", type=int, metavar="H", help="steps to forecast (default: the season "
                       "length, e.g. 12 for monthly data, or 1)")
    scope = model.add_mutually_exclusive_group()
    scope.add_argument("--global", dest="mode", action="store_const", const="global", help="neural models on a "
                       "panel: one model trained on the windows of all series, each scaled on its own (default)")
    scope.add_argument("--local", dest="mode", action="store_const", const="local",
                       help="neural models on a panel: one model per series (baselines are always per series)")
    model.add_argument("--id-embedding", type=int, metavar="D", help="global models: learn a D-vector per "
                       "series id, fed beside each window (default: 0, none)")
    model.add_argument("--lookback", type=int, metavar="L", help="input window length (default: 2 x "
                       "max(season, horizon, 5), capped at half the history)")
    model.add_argument("--season", type=int, metavar="M", help="season length (default: from the frequency)")
    model.add_argument("--scaler", metavar="S", help="standard, minmax, none, window_last or window_mean "
                       "(default: standard; fit on the training data only)")
    model.add_argument("--preprocess", metavar="P", help="auto (default): neural models choose log, "
                       "deseasonalising or seasonal differences, and differences per fit from its training data; "
                       "none: only the transforms set by the flags below")
    model.add_argument("--transform", metavar="T", help="none, log or boxcox (default: chosen by --preprocess)")
    model.add_argument("--deseason", metavar="D", help="classical, stl or none: remove the seasonal indices "
                       "(season, and the weekly cycle of hourly/daily data) (default: chosen by --preprocess)")
    model.add_argument("--seasonal-difference", action=argparse.BooleanOptionalAction, help="model differences "
                       "at the season length (default: chosen by --preprocess)")
    model.add_argument("--difference", action=argparse.BooleanOptionalAction, help="model first differences "
                       "(default: chosen by --preprocess)")
    model.add_argument("--seed", type=int, metavar="S", help="random seed; same seed, same numbers (default: 0)")
    model.add_argument("--config", metavar="FILE", help="TOML config; flags override it")
    return model


def _add_hyper_arguments(parser: argparse.ArgumentParser, cell: bool = True) -> None:
    hyper = parser.add_argument_group("hyperparameters (neural models; per-model values go in the config file)")
    hyper.add_argument("--epochs", type=int, metavar="N", help="maximum epochs (default: 100, early stopping)")
    hyper.add_argument("--units", type=int, metavar="N", help="units per layer")
    hyper.add_argument("--layers", type=int, metavar="N", help="layers (stacked, mlp)")
    hyper.add_argument("--batch-size", type=int, metavar="N", help="batch size (defaults: `forecastkit models`)")
    hyper.add_argument("--learning-rate", type=float, metavar="LR", help="Adam learning rate (defaults per model: "
                       "`forecastkit models`)")
    hyper.add_argument("--patience", type=int, metavar="N", help="early-stopping patience in epochs (defaults: "
                       "`forecastkit models`)")
    hyper.add_argument("--dropout", type=float, metavar="P", help="dropout rate (default: 0)")
    hyper.add_argument("--validation", type=float, metavar="F", help="share of the latest training windows "
                       "held out for early stopping and interval calibration (default: 0.1)")
    if cell:
        hyper.add_argument("--cell", metavar="NAME", help="recurrent cell of the LSTM-family models: lstm (default), "
                           "peephole, nig, nfg, nog, niaf, noaf, np, cifg, fgr, indy or gru (see `forecastkit models`)")
    hyper.add_argument("--window-sample", type=int, metavar="N", help="windows drawn per series per epoch, "
                       "afresh each epoch (default: 0, all); bounds the epoch time of long panels")
    hyper.add_argument("--loss", metavar="NAME", help="training loss on the scaled targets: mse, mae or huber "
                       "(delta 1); early stopping watches it too (defaults: `forecastkit models`)")
    hyper.add_argument("--steps-per-epoch", type=int, metavar="N", help="optimiser steps per epoch: larger "
                       "training sets train each epoch on N x batch-size windows drawn afresh (0: all windows; "
                       "defaults: `forecastkit models`)")


def _add_common_output(group) -> None:
    group.add_argument("--quiet", action="store_true", help="print nothing but errors")
    group.add_argument("--verbose", action="store_true", help="show Keras epoch logs")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``forecastkit`` and ``python cli.py``; returns the exit code."""
    from .errors import ForecastkitError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "models":
            return _models()
        if args.command == "datasets":
            return _datasets()
        flags = {k: v for k, v in vars(args).items() if k != "command"}
        settings = _settings(flags)
        with _one_line_warnings(quiet=settings["quiet"]):
            return {"forecast": _forecast, "evaluate": _evaluate, "ablation": _ablation}[args.command](settings)
    except ForecastkitError as err:
        print(f"forecastkit: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("forecastkit: interrupted; results of finished fits are kept (evaluate: rerun with --resume)",
              file=sys.stderr)
        return 130
    except OSError as err:
        print(f"forecastkit: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except Exception as err:  # a bug, not bad input: one line, full traceback on request
        if os.environ.get("FORECASTKIT_DEBUG"):
            raise
        print(f"forecastkit: internal error: {type(err).__name__}: {err} "
              "(set FORECASTKIT_DEBUG=1 for the traceback and please report it)", file=sys.stderr)
        return 1


class _one_line_warnings:
    """Warnings as one ``forecastkit: warning: ...`` line on standard error (none with --quiet)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __enter__(self):
        import warnings

        self._context = warnings.catch_warnings()
        self._context.__enter__()
        if self.quiet:
            warnings.simplefilter("ignore")
        else:
            warnings.showwarning = lambda message, *args, **kwargs: print(
                f"forecastkit: warning: {message}", file=sys.stderr)
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def _settings(flags: dict) -> dict:
    from .config import merge_settings, read_config

    config = read_config(flags.pop("config")) if "config" in flags else {}
    if "start" in flags and flags["start"].lstrip("-").isdigit():
        flags["start"] = int(flags["start"])
    return merge_settings(config, flags=flags)


def _verbosity(settings: dict) -> int:
    return 0 if settings["quiet"] else 2 if settings["verbose"] else int(sys.stderr.isatty())


def _forecast(settings: dict) -> int:
    from .runs import forecast

    forecaster, panel, table = forecast(settings, verbose=_verbosity(settings))
    out = Path(settings["out"] or "forecast.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    if settings["save_model"]:
        forecaster.save(settings["save_model"])
    if not settings["quiet"]:
        _print_forecast(table, panel, forecaster, out, settings["save_model"])
        if settings["verbose"] and getattr(forecaster, "preprocess_", ""):
            print(f"target transforms (--preprocess {forecaster.preprocess}): {forecaster.preprocess_}")
    return 0


def _evaluate(settings: dict) -> int:
    import shlex

    from .runs import evaluate, run_directory, write_evaluation

    try:
        result, out = evaluate(settings, progress=not settings["quiet"] and sys.stderr.isatty())
        paths = write_evaluation(result, out, settings)
    except KeyboardInterrupt:
        out = shlex.quote(str(run_directory(settings)))
        print(f"forecastkit: interrupted; the fits finished so far are saved in {out}. To continue, "
              f"rerun the same command with --resume (--out {out} --resume).", file=sys.stderr)
        return 130
    if not settings["quiet"]:
        _print_evaluation(result, settings["metric"], paths)
    return 3 if not result.failed.empty else 0


def _ablation(settings: dict) -> int:
    from rich.console import Console
    from rich.table import Table

    from rich import box

    from .runs import ablate

    result, paths = ablate(settings, progress=not settings["quiet"] and sys.stderr.isatty())
    if not settings["quiet"]:
        metric = result.metric
        table = Table(title=f"ablation of {result.model}'s recurrent cell, ranked by {metric.upper()} (all columns "
                            "in ablation.csv)", title_justify="left", box=box.SIMPLE_HEAD)
        headers = {"vs_lstm_pct": "vs lstm", "p_holm": "p (Holm)", "fit_s": "fit s"}
        shown = [c for c in result.table.columns if c not in ("kind", "rank", "failed")
                 and (c != "sd" or result.repeats > 1)]
        for column in shown:
            table.add_column(headers.get(column, column), justify="left" if column in ("variant", "verdict") else "right",
                             no_wrap=True)
        for row in result.table[shown].itertuples(index=False):
            table.add_row(*_ablation_cells(row._asdict()))
        console = Console(markup=False, width=None if sys.stdout.isatty() else 120)  # a pipe or file: no truncation
        console.print(table)
        for line in result.lines:
            console.print(line, soft_wrap=True)
        console.print(f"wrote {', '.join(p.name for p in paths.values())} to {paths['ablation.csv'].parent}",
                      soft_wrap=True)
    return 3 if not result.evaluation.failed.empty else 0


def _ablation_cells(row: dict) -> list[str]:
    """One ablation table row as short strings (percentages signed, p-values to 2 digits)."""
    out = []
    for column, value in row.items():
        if isinstance(value, float) and value != value:
            out.append("")
        elif column == "vs_lstm_pct":
            out.append(f"{value:+.1f}%")
        elif column in ("p_holm", "sd"):
            out.append(f"{value:.2g}")
        elif column == "fit_s":
            out.append(f"{value:.1f}")
        elif column == "weights":
            out.append(str(int(value)))
        else:
            out.append(f"{value:.4g}" if isinstance(value, float) else str(value))
    return out


def _print_evaluation(result, metric: str, paths: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    board = result.leaderboard(metric)
    level = max(result.levels) if result.levels else None
    extra = (f"coverage_{level}", f"width_{level}", f"msis_{level}") if level else ()
    points = ("mase",) if level else ("mase", "smape", "owa")  # room for the interval scores
    shown = ["rank", "model", metric] + [c for c in (f"{metric}_std", *points, *extra, "failed_fits")
                                         if c in board.columns and c not in (metric, f"{metric}_{level}")
                                         and board[c].notna().any()]
    board = board[shown]
    table = Table(title=f"walk-forward leaderboard (ranked by {metric.upper()}; all metrics in "
                        "leaderboard.csv)", title_justify="left")
    for column in board.columns:
        table.add_column(str(column), justify="left" if column == "model" else "right", no_wrap=column == "model")
    for row in board.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    console = Console(markup=False)
    console.print(table)
    _, lines = result.significance(metric)
    for line in lines:
        console.print(line, soft_wrap=True)
    for row in result.failed.itertuples(index=False):
        console.print(f"failed fit: {row.model} / {row.id} / fit {row.fit}: {row.reason}", soft_wrap=True)
    console.print(f"wrote {', '.join(p.name for p in paths.values())} to {paths['report.html'].parent}",
                  soft_wrap=True)


def _print_forecast(forecast, panel, forecaster, out: Path, saved: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    limit = 3 * forecaster.horizon if panel.n_series > 3 else len(forecast)
    shown = forecast.head(limit)
    values = [c for c in forecast.columns if c not in ("id", "time", "model")]  # yhat, bounds, quantiles
    table = Table(title=f"{forecaster.model} forecast of {panel.target}", title_justify="left")
    for column in ("id", "time", *values):
        table.add_column(column, justify="left" if column in ("id", "time") else "right")
    for sid, time, *numbers in zip(shown["id"], _format_times(shown["time"]), *(shown[c] for c in values)):
        table.add_row(str(sid), time, *(f"{v:.4g}" for v in numbers))
    console = Console(markup=False)
    needed = console.measure(table, options=console.options.update_width(10**4)).maximum
    if needed > console.width:  # never squeeze the columns (intervals, sampled quantiles): lines wrap instead
        console = Console(markup=False, width=needed)
    console.print(table)
    if len(forecast) > limit:
        console.print(f"... {len(forecast) - limit} more rows in {out}", soft_wrap=True)
    console.print(f"wrote {len(forecast)} rows to {out}" + (f"; model saved to {saved}" if saved else ""),
                  soft_wrap=True)


def _format_times(times) -> list[str]:
    """Dates without a midnight clock; other timestamps and integer periods as they are."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(times) and (times == times.dt.normalize()).all():
        return times.dt.strftime("%Y-%m-%d").tolist()
    return [str(t) for t in times]


def _models() -> int:
    from rich.console import Console
    from rich.table import Table

    from .models.registry import MODELS, TRAINING

    table = Table(title="forecastkit models", title_justify="left")
    for column in ("model", "kind", "description", "hyperparameters (defaults)"):
        table.add_column(column, overflow="fold", no_wrap=column in ("model", "kind"))
    for spec in MODELS.values():
        own = dict(spec.training)
        shown = spec.hypers + tuple(h for h in spec.all_hypers if h.name in own)
        hypers = ", ".join(f"{h.name}={h.default}" for h in shown) or "-"
        hypers = f"members={','.join(spec.members)}" if spec.members else hypers
        table.add_row(spec.name, spec.kind, spec.description, hypers)
    console = Console(markup=False)
    console.print(table)
    console.print("Every neural model also takes the training settings "
                  + ", ".join(f"{h.name}={h.default}" for h in TRAINING) + " (unless its row says otherwise)"
                  + ". Set them with flags (--epochs ...) or in a config file's [models.<name>] table. "
                  "Every neural model can be bagged: --bag N (bag=N) trains N copies and forecasts their median.")
    multiples = {}
    for spec in MODELS.values():
        if spec.kind == "neural":
            multiples.setdefault(spec.lookback_multiple, []).append(spec.name)
    console.print("Default --lookback: " + "; ".join(f"{m} x max(season, horizon, 5) rows for {', '.join(names)}"
                                                   for m, names in sorted(multiples.items()))
                  + " (at most half the shortest series' usable rows).")
    console.print(_cell_table())
    console.print(f"Pick one with --cell NAME (or cell = \"NAME\" in [models.<name>]) for the models with a cell "
                  f"hyperparameter: {', '.join(n for n, s in MODELS.items() if any(h.name == 'cell' for h in s.hypers))}. "
                  "`forecastkit ablation` compares them all on your data.", soft_wrap=True)
    return 0


def _cell_table():
    from rich.table import Table

    from .models.cells import CELLS, DEFAULT_CELL, cell_parameters

    table = Table(title="recurrent cells (cell=, --cell); weights: one layer, 1 input feature, 32 units",
                  title_justify="left")
    for column in ("cell", "description", "weights"):
        table.add_column(column, overflow="fold", no_wrap=column != "description",
                         justify="right" if column == "weights" else "left")
    for name, spec in CELLS.items():
        label = f"{name} (default)" if name == DEFAULT_CELL else name
        table.add_row(label, spec.description, str(cell_parameters(name, inputs=1, units=32)))
    return table


def _datasets() -> int:
    from rich.console import Console
    from rich.table import Table

    from .datasets import list_datasets

    listing = list_datasets()
    table = Table(title="shipped datasets (use as --data NAME; provenance in datasets/README.md)",
                  title_justify="left")
    for column in ("name", "freq", "series", "rows", "target", "description"):
        table.add_column(column, no_wrap=column != "description", overflow="fold")
    for row in listing.itertuples(index=False):
        table.add_row(row.name, row.freq, str(row.series), str(row.rows), row.target, row.description)
    Console(markup=False).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
