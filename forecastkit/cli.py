"""Command line: ``forecastkit forecast | models | datasets``.

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

DEFAULT_DATASET = "airline"

EXAMPLES = """examples:
  forecastkit forecast                                   # linear model on the airline dataset
  forecastkit forecast --data sales.csv --target units --model stacked --horizon 12
  forecastkit forecast --data long.csv --id store --time week --target sales --model mlp
  forecastkit forecast --data co2 --fill interpolate --model naive2 --out co2.csv
  forecastkit forecast --config run.toml --epochs 20      # flags override the config file
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
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    _add_forecast_arguments(forecast)
    commands.add_parser("models", help="list every model with its hyperparameters and defaults",
                        description="List every model with a one-line description and its "
                                    "hyperparameters (defaults in parentheses).")
    commands.add_parser("datasets", help="list the shipped datasets",
                        description="List the datasets that ship with forecastkit; use a name as --data NAME.")
    return parser


def _add_forecast_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--data", metavar="FILE|NAME",
                      help=f"CSV file (wide or long), or a shipped dataset name (default: {DEFAULT_DATASET})")
    data.add_argument("--target", metavar="COL", help="target column; 'a,b' makes one series per column "
                      "of a wide file (default: the only value column)")
    data.add_argument("--time", metavar="COL", help="time column (default: inferred)")
    data.add_argument("--id", metavar="COL", help="series id column of a long file")
    data.add_argument("--past-covariates", metavar="A,B", help="covariate columns known up to each "
                      "forecast origin, fed to neural models as extra inputs")
    data.add_argument("--freq", metavar="F", help="pandas frequency such as MS, W-SUN, D, h (default: inferred)")
    data.add_argument("--fill", metavar="POLICY", help="repair missing values and gaps: interpolate, ffill "
                      "or zero (default: missing values are an error)")
    model = parser.add_argument_group("model")
    model.add_argument("--model", metavar="NAME", help="model name, see `forecastkit models` (default: linear)")
    model.add_argument("--horizon", type=int, metavar="H", help="steps to forecast (default: the season "
                       "length, e.g. 12 for monthly data, or 1)")
    model.add_argument("--lookback", type=int, metavar="L", help="input window length (default: 2 x "
                       "max(season, horizon, 5), capped at half the history)")
    model.add_argument("--season", type=int, metavar="M", help="season length (default: from the frequency)")
    model.add_argument("--scaler", metavar="S", help="standard, minmax, none, window_last or window_mean "
                       "(default: standard; fit on the training data only)")
    model.add_argument("--transform", metavar="T", help="none, log or boxcox (default: none)")
    model.add_argument("--difference", action="store_true", help="model first differences")
    model.add_argument("--seed", type=int, metavar="S", help="random seed; same seed, same forecast (default: 0)")
    hyper = parser.add_argument_group("hyperparameters (neural models; per-model values go in the config file)")
    hyper.add_argument("--epochs", type=int, metavar="N", help="maximum epochs (default: 100, early stopping)")
    hyper.add_argument("--units", type=int, metavar="N", help="units per layer")
    hyper.add_argument("--layers", type=int, metavar="N", help="layers (stacked, mlp)")
    hyper.add_argument("--batch-size", type=int, metavar="N", help="batch size (default: 32)")
    hyper.add_argument("--learning-rate", type=float, metavar="LR", help="Adam learning rate (default: 0.001)")
    hyper.add_argument("--patience", type=int, metavar="N", help="early-stopping patience (default: 10)")
    hyper.add_argument("--dropout", type=float, metavar="P", help="dropout rate (default: 0)")
    output = parser.add_argument_group("output")
    output.add_argument("--out", metavar="FILE", help="forecast CSV to write (default: forecast.csv)")
    output.add_argument("--save-model", metavar="DIR", help="also save the fitted model to DIR")
    output.add_argument("--config", metavar="FILE", help="TOML config; flags override it")
    output.add_argument("--quiet", action="store_true", help="print nothing but errors")
    output.add_argument("--verbose", action="store_true", help="show Keras epoch logs")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``forecastkit`` and ``python cli.py``; returns the exit code."""
    from .errors import ForecastkitError

    args = build_parser().parse_args(argv)
    try:
        if args.command == "models":
            return _models()
        if args.command == "datasets":
            return _datasets()
        return _forecast(vars(args))
    except ForecastkitError as err:
        print(f"forecastkit: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("forecastkit: interrupted", file=sys.stderr)
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


def _forecast(flags: dict) -> int:
    from .config import merge_settings, model_params, read_config

    flags.pop("command")
    config = read_config(flags.pop("config")) if "config" in flags else {}
    settings = merge_settings(config, flags=flags)
    forecaster, panel = _prepare(settings, model_params(settings))
    forecaster.fit(panel)
    forecast = forecaster.predict()
    out = Path(settings["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    forecast.to_csv(out, index=False)
    if settings["save_model"]:
        forecaster.save(settings["save_model"])
    if not settings["quiet"]:
        _print_forecast(forecast, panel, forecaster, out, settings["save_model"])
    return 0


def _prepare(settings: dict, params: dict):
    """Validate settings and data (no TensorFlow yet); return the Forecaster and the Panel."""
    from . import datasets
    from .forecaster import Forecaster

    transform = None if settings["transform"] in (None, "none") else settings["transform"]
    forecaster = Forecaster(
        model=settings["model"], horizon=1 if settings["horizon"] is None else settings["horizon"], lookback=settings["lookback"],
        params=params, scaler=settings["scaler"], transform=transform,
        difference=settings["difference"], season=settings["season"], seed=settings["seed"],
        verbose=0 if settings["quiet"] else 2 if settings["verbose"] else int(sys.stderr.isatty()),
    )
    forecaster.check_params()
    load_args = {
        "target": settings["target"], "time": settings["time"], "id": settings["id"],
        "covariates": _split(settings["past_covariates"]), "freq": settings["freq"], "fill": settings["fill"],
    }
    panel = _load_data(settings["data"] or DEFAULT_DATASET, load_args)
    if settings["horizon"] is None:
        forecaster.set_params(horizon=settings["season"] or panel.season_length())
    return forecaster, panel


def _load_data(source: str, load_args: dict):
    """A CSV path, or else the name of a shipped dataset (its catalogue defaults apply)."""
    from . import datasets
    from .data import load_csv
    from .errors import DataError

    if Path(source).exists():
        return load_csv(source, **load_args)
    if source in datasets.CATALOGUE:
        overrides = {k: v for k, v in load_args.items() if v not in (None, ())}
        return datasets.load(source, **overrides)
    raise DataError(
        f"`--data {source}`: no such file, and not a shipped dataset "
        f"({', '.join(datasets.CATALOGUE)}). Check the path."
    )


def _split(names: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in names.split(",") if n.strip()) if names else ()


def _print_forecast(forecast, panel, forecaster, out: Path, saved: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    shown = forecast.groupby("id", sort=False).head(forecaster.horizon)
    limit = 3 * forecaster.horizon if panel.n_series > 3 else len(shown)
    table = Table(title=f"{forecaster.model} forecast of {panel.target}", title_justify="left")
    for column in ("id", "time", "yhat"):
        table.add_column(column, justify="right" if column == "yhat" else "left")
    shown = shown.head(limit)
    for sid, time, yhat in zip(shown["id"], _format_times(shown["time"]), shown["yhat"]):
        table.add_row(str(sid), time, f"{yhat:.4g}")
    console = Console()
    console.print(table)
    if len(shown) > limit:
        console.print(f"... {len(forecast) - limit} more rows in {out}")
    console.print(f"wrote {len(forecast)} rows to {out}" + (f"; model saved to {saved}" if saved else ""))


def _format_times(times) -> list[str]:
    """Dates without a midnight clock; other timestamps and integer periods as they are."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(times) and (times == times.dt.normalize()).all():
        return times.dt.strftime("%Y-%m-%d").tolist()
    return [str(t) for t in times]


def _models() -> int:
    from rich.console import Console
    from rich.table import Table

    from .models.registry import MODELS

    table = Table(title="forecastkit models", title_justify="left")
    for column in ("model", "kind", "description", "hyperparameters (defaults)"):
        table.add_column(column, overflow="fold", no_wrap=column in ("model", "kind"))
    for spec in MODELS.values():
        hypers = ", ".join(f"{h.name}={h.default}" for h in spec.hypers) or "-"
        table.add_row(spec.name, spec.kind, spec.description, hypers)
    Console().print(table)
    return 0


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
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
