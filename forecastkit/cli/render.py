"""What the commands print: rich tables of forecasts, leaderboards, ablations, models, datasets."""

from __future__ import annotations

import sys
from pathlib import Path


def print_ablation(result, paths: dict) -> None:
    """The ablation table, its verdict lines and the files written."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    metric = result.metric
    table = Table(title=f"ablation of {result.model}'s recurrent cell, ranked by {metric.upper()} (all columns "
                        "in ablation.csv)", title_justify="left", box=box.SIMPLE_HEAD)
    headers = {"vs_lstm_pct": "vs lstm", "p_holm": "p (Holm)", "fit_s": "fit s"}
    shown = [c for c in result.table.columns if c not in ("kind", "rank", "failed")
             and (c != "sd" or result.repeats > 1)]
    for column in shown:
        table.add_column(headers.get(column, column), justify="left" if column in ("variant", "verdict") else "right",
                         no_wrap=True)
    for cells in ablation_cells(result.table[shown]):
        table.add_row(*cells)
    console = Console(markup=False, width=None if sys.stdout.isatty() else 120)  # a pipe or file: no truncation
    console.print(table)
    for line in result.lines:
        console.print(line, soft_wrap=True)
    console.print(f"wrote {', '.join(p.name for p in paths.values())} to {paths['ablation.csv'].parent}",
                  soft_wrap=True)


def ablation_cells(frame) -> list[list[str]]:
    """The ablation table's rows as short strings: percentages signed, p-values to 2 digits,
    metric columns on one scale each (:func:`~forecastkit.formatting.format_column`)."""
    from ..formatting import format_column

    special = {"vs_lstm_pct": "{:+.1f}%", "p_holm": "{:.2g}", "sd": "{:.2g}", "fit_s": "{:.1f}", "weights": "{:.0f}"}
    columns = []
    for column in frame.columns:
        values = frame[column]
        if column in special:
            columns.append(["" if isinstance(v, float) and v != v else special[column].format(v) for v in values])
        elif values.dtype.kind == "f":
            columns.append(format_column(values))
        else:
            columns.append([str(v) for v in values])
    return [list(row) for row in zip(*columns)]


def print_evaluation(result, metric: str, paths: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..formatting import format_frame
    from .flags import to_flags

    board = result.leaderboard(metric)
    level = max(result.levels) if result.levels else None
    extra = (f"coverage_{level}", f"width_{level}", f"msis_{level}") if level else ()
    points = ("mase",) if level else ("mase", "smape", "owa")  # room for the interval scores
    shown = ["rank", "model", metric] + [c for c in (f"{metric}_std", *points, *extra, "failed_fits")
                                         if c in board.columns and c not in (metric, f"{metric}_{level}")
                                         and board[c].notna().any()]
    described = _scored_lines(board)
    board = board[shown]
    table = Table(title=f"walk-forward leaderboard (ranked by {metric.upper()}; all metrics in "
                        "leaderboard.csv)", title_justify="left")
    for column in board.columns:
        table.add_column(str(column), justify="left" if column == "model" else "right", no_wrap=column == "model")
    for row in format_frame(board).itertuples(index=False):  # one scale of decimals per column
        table.add_row(*row)
    console = Console(markup=False)
    console.print(table)
    for line in described:
        console.print(line, soft_wrap=True)
    _, lines = result.significance(metric)
    for line in lines:  # the verdict speaks Python (`folds`): say it in flags
        console.print(to_flags(line), soft_wrap=True)
    for row in result.failed.itertuples(index=False):
        console.print(f"failed fit: {row.model} / {row.id} / fit {row.fit}: {row.reason}", soft_wrap=True)
    if "tuning" in result.extras:  # evaluate --tune: each fit's searched settings
        from ..tuning.nested import tuning_lines

        for line in tuning_lines(result):
            console.print(line, soft_wrap=True)
    console.print(f"wrote {', '.join(p.name for p in paths.values())} to {paths['report.html'].parent}",
                  soft_wrap=True)


def _scored_lines(board) -> list[str]:
    """What each model's CRPS scored and (when not all conformal) which method made its intervals."""
    lines = []
    if "distribution" in board.columns:
        crps = board["crps"].tolist() if "crps" in board.columns else [0.0] * len(board)
        # a conformal CRPS of NaN: no origin had enough earlier errors to calibrate on
        unscored = [d == "conformal" and c != c for d, c in zip(board["distribution"], crps)]
        lines.append("forecast distributions scored (crps, pinball in leaderboard.csv): " + "; ".join(
            f"{m}: {d}" + (" (none: no origin had --min-calibration earlier errors)" if none else "")
            for m, d, none in zip(board["model"], board["distribution"], unscored)))
    if "intervals" in board.columns and (board["intervals"] != "conformal").any():
        lines.append("intervals: " + "; ".join(f"{m}: {d}" for m, d in zip(board["model"], board["intervals"])))
    return lines


def print_forecast(forecast, panel, forecaster, out: Path, saved: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..formatting import format_frame

    limit = 3 * forecaster.horizon if panel.n_series > 3 else len(forecast)
    shown = forecast.head(limit)
    values = [c for c in forecast.columns if c not in ("id", "time", "model")]  # yhat, bounds, quantiles
    table = Table(title=f"{forecaster.model} forecast of {panel.target}", title_justify="left")
    for column in ("id", "time", *values):
        table.add_column(column, justify="left" if column in ("id", "time") else "right")
    import pandas as pd

    columns = shown[["id", "time", *values]]
    by_series = [format_frame(part) for _, part in columns.groupby("id", sort=False)]  # each series its own scale
    for row in pd.concat(by_series).loc[columns.index].itertuples(index=False):
        table.add_row(*row)
    console = Console(markup=False)
    needed = console.measure(table, options=console.options.update_width(10**4)).maximum
    if needed > console.width:  # never squeeze the columns (intervals, sampled quantiles): lines wrap instead
        console = Console(markup=False, width=needed)
    console.print(table)
    if len(forecast) > limit:
        console.print(f"... {len(forecast) - limit} more rows in {out}", soft_wrap=True)
    if forecast.attrs.get("intervals"):
        console.print(f"intervals: {forecast.attrs['intervals']}", soft_wrap=True)
    console.print(f"wrote {len(forecast)} rows to {out}" + (f"; model saved to {saved}" if saved else ""),
                  soft_wrap=True)



def print_tune(result, out: Path) -> None:
    """The best trial's settings and the files written."""
    from rich.console import Console
    from rich.table import Table

    console = Console(markup=False)
    table = Table(title=f"settled on trial {result.best_trial} of {len(result.study.trials)}: {result.metric} "
                        f"{result.best_value:.4g} on the inner walk-forward", title_justify="left")
    for column in ("setting", "value", "searched"):
        table.add_column(column, justify="left")
    for name, value in {**result.best_settings, **result.best_hyper}.items():
        space = result.plan.searched.get(name)
        table.add_row(name, f"{value:.4g}" if isinstance(value, float) else str(value), str(space or "no"))
    console.print(table)
    console.print(result.choice[0].upper() + result.choice[1:] + ".", soft_wrap=True)
    if not result.ran:  # a resumed study that held its trials already: nothing was written
        console.print(f"{out / 'best.toml'} is unchanged; forecast with forecastkit forecast --config "
                      f"{out / 'best.toml'}", soft_wrap=True)
        return
    console.print(f"wrote study.sqlite, trials.csv, best.toml, history.png, importance.png to {out}; forecast with "
                  f"forecastkit forecast --config {out / 'best.toml'}", soft_wrap=True)


def _neural_models_by(attribute: str) -> dict:
    """The neural models' names grouped by a registry attribute's value, in registry order."""
    from ..models.registry import MODELS

    groups: dict = {}
    for spec in MODELS.values():
        if spec.kind == "neural":
            groups.setdefault(getattr(spec, attribute), []).append(spec.name)
    return groups


def print_models() -> None:
    from rich.console import Console
    from rich.table import Table

    from ..models.registry import MODELS, TRAINING
    from ..models.spaces import PREPROCESSING, SEARCHED, SPACES, space_of

    table = Table(title="forecastkit models", title_justify="left")
    for column in ("model", "kind", "description", "hyperparameters (defaults) [search space]"):
        table.add_column(column, overflow="fold", no_wrap=column in ("model", "kind"))
    for spec in MODELS.values():
        own = dict(spec.training)
        shown = spec.hypers + tuple(h for h in spec.all_hypers if h.name in own)
        hypers = ", ".join(_with_space(h.name, h.default, space_of(h.name, h), SEARCHED) for h in shown) or "-"
        hypers = f"members={','.join(spec.members)}" if spec.members else hypers
        table.add_row(spec.name, spec.kind, spec.description, hypers)
    console = Console(markup=False)
    console.print(table)
    console.print("Every neural model also takes the training settings "
                  + ", ".join(_with_space(h.name, h.default, space_of(h.name, h), SEARCHED) for h in TRAINING)
                  + " (unless its row says otherwise)"
                  + ". Set them with flags (--epochs ...) or in a config file's [models.<name>] table. "
                  "Every neural model can be bagged: --bag N (bag=N) trains N copies and forecasts their median.",
                  soft_wrap=True)
    console.print("Tuning (forecastkit tune, evaluate --tune) also sets the preprocessing settings "
                  + ", ".join(_with_space(name, "auto" if name == "lookback" else _default(name), SPACES[name],
                                          SEARCHED) for name in PREPROCESSING)
                  + ". [...]: the search space; *: searched by default; --space changes it, e.g. "
                  "--space \"units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|gru,dropout,patience=5:20\" "
                  "(a bare name: its listed space; name=value: fixed).", soft_wrap=True)
    multiples = _neural_models_by("lookback_multiple")
    console.print("Default --lookback: " + "; ".join(f"{m} x max(season, horizon, 5) rows for {', '.join(names)}"
                                                   for m, names in sorted(multiples.items()))
                  + " (at most half the shortest series' usable rows; on a panel, a global model's at least half a "
                    "season, the series too short for it padded).")
    scalers = _neural_models_by("scaler")
    console.print("Default --scaler (auto, under --preprocess auto): "
                  + "; ".join(f"{scaler} for {', '.join(names)}"
                              for scaler, names in sorted(scalers.items(), key=lambda item: len(item[1])))
                  + " (standard for every model under --preprocess none).")
    console.print(cell_table())
    console.print(f"Pick one with --cell NAME (or cell = \"NAME\" in [models.<name>]) for the models with a cell "
                  f"hyperparameter: {', '.join(n for n, s in MODELS.items() if any(h.name == 'cell' for h in s.hypers))}. "
                  "`forecastkit ablation` compares them all on your data.", soft_wrap=True)


def _with_space(name: str, default, space, searched) -> str:
    """``units=64 [8:256:log]*``: a setting's default, its search space, * when searched by default."""
    from ..models.cells import CELL_NAMES

    if space is None:
        return f"{name}={default}"
    shown = "any cell" if name == "cell" and tuple(getattr(space, "values", ())) == CELL_NAMES else str(space)
    return f"{name}={default} [{shown}]" + ("*" if name in searched else "")


def _default(name: str):
    from ..settings import DEFAULTS

    value = getattr(DEFAULTS, name)
    return "auto" if value is None else value


def cell_table():
    from rich.table import Table

    from ..models.cells import CELLS, DEFAULT_CELL, cell_parameters

    table = Table(title="recurrent cells (cell=, --cell); weights: one layer, 1 input feature, 32 units",
                  title_justify="left")
    for column in ("cell", "description", "weights"):
        table.add_column(column, overflow="fold", no_wrap=column != "description",
                         justify="right" if column == "weights" else "left")
    for name, spec in CELLS.items():
        label = f"{name} (default)" if name == DEFAULT_CELL else name
        table.add_row(label, spec.description, str(cell_parameters(name, inputs=1, units=32)))
    return table


def print_datasets() -> None:
    from rich.console import Console
    from rich.table import Table

    from ..datasets import list_datasets

    listing = list_datasets()
    table = Table(title="shipped datasets (use as --data NAME; provenance in datasets/README.md)",
                  title_justify="left")
    for column in ("name", "freq", "series", "rows", "target", "description"):
        table.add_column(column, no_wrap=column != "description", overflow="fold")
    for row in listing.itertuples(index=False):
        table.add_row(row.name, row.freq, str(row.series), str(row.rows), row.target, row.description)
    Console(markup=False).print(table)
