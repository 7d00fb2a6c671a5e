"""Long time lags: which models can use the value exactly L steps back? (issue 8)

Data: :func:`forecastkit.synthetic.long_lag_series` with lag ``L`` (seed 0): rare +-1 events
(2% of steps) that come back at half size exactly ``L`` steps later, over N(0, 0.1^2) noise.
The only forecastable part of the series is that echo. Each model is fit once on the first
``lookback + --train`` rows (its scaler too) and then forecasts each of the next ``--test`` rows
one step ahead from the rows before it (:func:`forecastkit.synthetic.one_step_forecasts`, batched
:meth:`Forecaster.predict_histories` calls, not walk_forward, whose fast path unrolls the
recurrence in Python); the test rows never reach a fit.

Models, for each L of ``--lags``:

* ``naive``: the previous value (the baseline);
* ``linear`` and ``mlp`` with lookback ``L + --margin``;
* the ``vanilla`` builder (one recurrent layer, then Dense) with each cell of ``--cells``
  (``Forecaster("vanilla", params={"cell": ...})``), lookback ``L + --margin``;
* ``lstm (short)``: the default LSTM with lookback ``min(L // 2, 100)`` < L, the control that
  cannot see the event.

Per model: MSE at the echo steps and elsewhere, the share of echo signs right, the echo skill
(1 - MSE at the echoes / that of forecasting 0), fit and predict seconds, parameters and epochs
run. Every neural model gets the same tiny training budget (``--epochs`` epochs of
``--window-sample`` windows, batch ``--batch-size``, Adam at ``--learning-rate``, early stopping
on the latest 10% of the training windows with ``--patience``). Prints a table and writes
``<out>.md`` and ``<out>.json`` (the notebook ``05_lstm_family`` reads the JSON).

Usage::

    python benchmarks/long_lag.py                      # L = 100, 500, 1000: the full run
    python benchmarks/long_lag.py --lags 100 --cells lstm,gru
    python benchmarks/long_lag.py --quick              # smoke run: L = 50, tiny settings, no files
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CELLS = ("lstm", "gru", "indy", "cifg", "peephole")
FULL = {"train": 8000, "test": 4000, "units": 16, "epochs": 12, "window_sample": 1024, "batch_size": 32,
        "learning_rate": 0.01, "patience": 4}
QUICK = {"train": 400, "test": 200, "units": 8, "epochs": 1, "window_sample": 64, "batch_size": 32,
         "learning_rate": 0.01, "patience": 4}
SERIES = {"events": 0.02, "noise": 0.1, "echo": 0.5, "seed": 0}
COLUMNS = ("mse_echo", "mse_other", "echo_sign", "echo_skill", "fit_s", "predict_s", "params", "epochs")


def available_cells() -> tuple[tuple[str, ...], str]:
    """The cell names ``Forecaster("vanilla", params={"cell": ...})`` accepts here, and a note."""
    from forecastkit.errors import ConfigError
    from forecastkit.models.registry import get_spec

    try:
        from forecastkit.models.cells import CELL_NAMES
        get_spec("vanilla").resolve({"cell": "gru"})
    except (ImportError, ConfigError) as err:
        return ("lstm",), f"cells other than the default lstm are not available in this checkout ({err})"
    return tuple(CELL_NAMES), ""


def model_plan(lag: int, cells, settings: dict, margin: int) -> list[dict]:
    """The models run for one lag: name, Forecaster arguments and the note on its lookback."""
    long = lag + margin
    short = max(1, min(lag // 2, 100))
    training = {k: settings[k] for k in ("epochs", "window_sample", "batch_size", "learning_rate", "patience")}
    plan = [{"name": "naive", "cell": "", "model": "naive", "lookback": None, "params": None},
            {"name": "linear", "cell": "", "model": "linear", "lookback": long, "params": training},
            {"name": "mlp", "cell": "", "model": "mlp", "lookback": long,
             "params": {**training, "units": 64, "layers": 2}}]
    for cell in cells:
        params = {**training, "units": settings["units"], **({} if cell == "lstm" else {"cell": cell})}
        plan.append({"name": cell, "cell": cell, "model": "vanilla", "lookback": long, "params": params})
    plan.append({"name": "lstm (short)", "cell": "lstm", "model": "vanilla", "lookback": short,
                 "params": {**training, "units": settings["units"]}})
    return plan


def run_model(entry: dict, frame, start: int) -> dict:
    """Fit one model on ``frame.iloc[:start]``, forecast the rest one step ahead, score it."""
    from forecastkit import Forecaster
    from forecastkit.synthetic import echo_scores, one_step_forecasts

    forecaster = Forecaster(entry["model"], horizon=1, lookback=entry["lookback"], params=entry["params"], seed=0)
    began = time.perf_counter()
    forecaster.fit(frame[["time", "y"]].iloc[:start])
    fit_s = time.perf_counter() - began
    began = time.perf_counter()
    forecasts = one_step_forecasts(forecaster, frame, start, rows=None if entry["lookback"] else 1)
    predict_s = time.perf_counter() - began
    scores = echo_scores(frame.iloc[start:], forecasts)
    model = getattr(forecaster, "model_", None)
    history = getattr(getattr(model, "history", None), "history", {}) if model is not None else {}
    row = {"model": entry["name"], "builder": entry["model"], "cell": entry["cell"],
           "lookback": entry["lookback"] or 1, **scores, "fit_s": fit_s, "predict_s": predict_s,
           "params": int(model.count_params()) if model is not None else 0,
           "epochs": len(history.get("loss", [])) if model is not None else 0}
    if "val_loss" in history and history["val_loss"]:
        row["best_epoch"] = int(min(range(len(history["val_loss"])), key=history["val_loss"].__getitem__)) + 1
    del forecaster, model
    gc.collect()
    if entry["model"] != "naive":
        import keras

        keras.backend.clear_session()
    return row


def machine(load_at_start: float) -> dict:
    import keras

    info = {"cpus": os.cpu_count(), "load_start": round(load_at_start, 2), "python": platform.python_version(),
            "keras": keras.__version__, "backend": keras.backend.backend()}
    if info["backend"] == "tensorflow":
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
    return info


def table(rows: list[dict]) -> str:
    """A Markdown table of the rows (one lag or several)."""
    head = ("| L | model | lookback | MSE echo | MSE elsewhere | MSE all | echo sign right | echo skill | fit s | "
            "predict s | params | epochs |")
    lines = [head, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['lag']} | {r['model']} | {r['lookback']} | {r['mse_echo']:.4f} | {r['mse_other']:.4f} | "
                     f"{r['mse']:.4f} | {r['echo_sign']:.0%} | {r['echo_skill']:+.3f} | {r['fit_s']:.1f} | "
                     f"{r['predict_s']:.1f} | {r['params']} | {r['epochs'] or '–'} |")
    return "\n".join(lines)


def printed(rows: list[dict]) -> str:
    lines = [f"{'L':>5} {'model':<14}{'lookback':>9}{'MSE echo':>10}{'MSE else':>10}{'MSE all':>9}{'sign':>6}"
             f"{'skill':>8}{'fit s':>8}{'pred s':>8}{'params':>8}{'epochs':>7}"]
    for r in rows:
        lines.append(f"{r['lag']:>5} {r['model']:<14}{r['lookback']:>9}{r['mse_echo']:>10.4f}{r['mse_other']:>10.4f}"
                     f"{r['mse']:>9.4f}{r['echo_sign']:>6.0%}{r['echo_skill']:>+8.3f}{r['fit_s']:>8.1f}{r['predict_s']:>8.1f}"
                     f"{r['params']:>8}{r['epochs']:>7}")
    return "\n".join(lines)


def with_suffix(out: Path, suffix: str) -> Path:
    """``out`` + ``suffix`` (``long_lag`` -> ``long_lag.md``; a dotted stem keeps its dots)."""
    return out.parent / (out.name + suffix)


def write(out: Path, report: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with_suffix(out, ".json").write_text(json.dumps(report, indent=1, default=float) + "\n")
    m, s = report["machine"], report["settings"]
    load = f"load average {m['load_start']} at the start" + (
        f", {m['load_end']} at the end" if "load_end" in m else "")
    lines = [
        "# Long time lags (issue 8) — results",
        "",
        f"Produced by `{report['command']}` on {report['date']}, on the project machine ({m['cpus']} CPUs, {load}); "
        f"keras {m['keras']} ({m['backend']}{' ' + m['tensorflow'] if 'tensorflow' in m else ''}), "
        f"Python {m['python']}. Total {report['seconds'] / 60:.1f} min"
        + (" (partial: still running or interrupted)." if report.get("partial") else "."),
        "",
        f"Data: `long_lag_series(L, length, events={SERIES['events']}, noise={SERIES['noise']}, "
        f"echo={SERIES['echo']}, seed={SERIES['seed']})`: ±1 events at {SERIES['events']:.0%} of the steps, each "
        f"echoed at half size exactly L steps later, over N(0, {SERIES['noise']}²) noise. Each model is fit once "
        f"on the first lookback + {s['train']} rows (scaler included) and forecasts the next {s['test']} rows one "
        "step ahead, each from the rows before it; the test rows never reach a fit. Neural models: "
        f"{s['epochs']} epochs of {s['window_sample']} windows drawn afresh each epoch, batch {s['batch_size']}, "
        f"Adam at {s['learning_rate']}, early stopping (patience {s['patience']}) on the latest 10% of the training "
        f"windows; recurrent models {s['units']} units, `mlp` 2 x 64 units. Long lookback L + {s['margin']}; the "
        "control `lstm (short)` has lookback min(L // 2, 100) < L.",
        "",
        "Columns: MSE at the echo steps (forecasting 0 there scores the echo's square plus the noise, about "
        "0.26), elsewhere (the unforecastable events plus the noise: about 0.03 at best) and over all test rows "
        "(echoes are 2% of them), the share of echo steps "
        "forecast with the echo's sign (a forecast of exactly 0 counts as wrong; 50% is a coin toss), echo "
        "skill = 1 - MSE at the echoes / MSE there of forecasting 0 (1: the echo exactly; 0: no use of the "
        "lag), seconds to fit (including Keras' one-off tracing) and to forecast the test rows, trainable "
        "parameters, epochs run.",
        "",
    ]
    if report.get("cells_note"):
        lines += [f"Note: {report['cells_note']}.", ""]
    lines += [table(report["rows"]), ""]
    for lag, seconds in report.get("lag_seconds", {}).items():
        lines.append(f"- L = {lag}: {seconds / 60:.1f} min")
    with_suffix(out, ".md").write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lags", default=None, help="comma-separated lags L (default 100,500,1000; --quick: 50)")
    parser.add_argument("--cells", default=",".join(DEFAULT_CELLS),
                        help=f"recurrent cells of the vanilla builder (default {','.join(DEFAULT_CELLS)})")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny data and training, no files")
    parser.add_argument("--margin", type=int, default=10, help="long lookback = L + margin (default 10)")
    parser.add_argument("--train", type=int, help="training windows of the long-lookback models")
    parser.add_argument("--test", type=int, help="test rows forecast one step ahead")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--window-sample", type=int)
    parser.add_argument("--out", default=None,
                        help="write <out>.md and <out>.json (default benchmarks/results/long_lag; "
                             "--quick writes nothing unless given)")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()[0]
    settings = dict(QUICK if args.quick else FULL)
    for key in ("train", "test", "epochs", "window_sample"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    settings["margin"] = args.margin
    lags = [int(v) for v in (args.lags or ("50" if args.quick else "100,500,1000")).split(",")]
    out = Path(args.out) if args.out else (None if args.quick else REPO / "benchmarks" / "results" / "long_lag")

    from forecastkit.models.keras_common import import_keras
    from forecastkit.synthetic import long_lag_series

    import_keras()
    usable, note = available_cells()
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    unknown = [c for c in cells if c not in usable]
    if unknown and not note:
        parser.error(f"unknown cell(s) {unknown}; available: {', '.join(usable)}")
    if unknown:
        print(f"note: skipping {unknown}: {note}", flush=True)
        note = f"skipped {', '.join(unknown)}: {note}"
    cells = [c for c in cells if c in usable]
    command = "python benchmarks/long_lag.py" + ("" if argv is None and len(sys.argv) == 1 else
                                                 " " + shlex.join(sys.argv[1:] if argv is None else argv))
    report = {"command": command, "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "machine": machine(load_at_start), "settings": settings, "series": SERIES, "lags": lags,
              "cells": cells, "cells_note": note, "rows": [], "lag_seconds": {}, "partial": True}
    print(f"# Long lags {lags}: cells {cells}; train {settings['train']} windows, test {settings['test']} rows; "
          f"{settings['epochs']} epochs x {settings['window_sample']} windows, batch {settings['batch_size']}; "
          f"load average {load_at_start:.2f} on {os.cpu_count()} CPUs", flush=True)
    began = time.perf_counter()
    for lag in lags:
        lag_began = time.perf_counter()
        start = lag + settings["margin"] + settings["train"]
        frame = long_lag_series(lag, start + settings["test"], components=True, **SERIES)
        for entry in model_plan(lag, cells, settings, settings["margin"]):
            row = {"lag": lag, **run_model(entry, frame, start)}
            report["rows"].append(row)
            print(printed([row]).splitlines()[1], flush=True)
            report["seconds"] = time.perf_counter() - began
            if out is not None:
                write(out, report)
        report["lag_seconds"][str(lag)] = time.perf_counter() - lag_began
    report["seconds"] = time.perf_counter() - began
    report["machine"]["load_end"] = round(os.getloadavg()[0], 2)
    report["partial"] = False
    print()
    print(printed(report["rows"]))
    print(f"total {report['seconds'] / 60:.1f} min; load average {load_at_start:.2f} at the start, "
          f"{report['machine']['load_end']:.2f} at the end")
    if out is not None:
        write(out, report)
        print(f"wrote {with_suffix(out, '.md')} and {with_suffix(out, '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
