"""Long time lags: which models bridge L steps, and at what cost? (issues 8 and 19)

Two tasks, each a claim of the LSTM paper (Hochreiter & Schmidhuber 1997) put to forecastkit's
models:

**Echoes** (the forecasting task). :func:`forecastkit.synthetic.long_lag_series` with lag ``L``
(seed 0): rare +-1 events (2% of steps) that come back at half size exactly ``L`` steps later,
over N(0, 0.1^2) noise. The only forecastable part of the series is that echo. Each model is fit
once on the first ``lookback + --train`` rows (its scaler too, no other preprocessing) and then
forecasts each of the next ``--test`` rows one step ahead from the rows before it
(:func:`forecastkit.synthetic.one_step_forecasts`); the test rows never reach a fit. Models, for
each L of ``--lags``:

* ``naive``: the previous value (the baseline);
* ``linear`` and ``mlp`` (2 x 64 units) with lookback ``L + --margin``;
* the ``vanilla`` builder (one recurrent layer of 16 units, then Dense) with each cell of
  ``--cells`` and the recommended initialisation, chrono (``forget_init="chrono"``, Tallec &
  Ollivier 2018, ``chrono_max`` left at its default, 4 x the lookback), lookback ``L + --margin``;
  with ``lstm`` also ``lstm (keras init)`` (Keras' own: forget bias 1);
* ``lstm (short)``: the ``lstm`` row's model and initialisation (the same ``chrono_max``) with
  lookback ``min(L // 2, 100)`` < L, the control that cannot see the event.

**The adding problem** (experiment 4 of the 1997 paper,
:func:`forecastkit.synthetic.adding_problem`): sequences of ``T`` to ``1.1 T`` (value, marker)
pairs; the target, read at the end, is 0.5 + (X1 + X2) / 4 of the two marked values. The
``vanilla`` builder with each cell (as above: chrono, ``chrono_max`` 4 x the padded length; and
``lstm (keras init)``) trains on fresh sequences, only the final step's output in the loss, and
stops when at least 99% of 2,560 check sequences have an absolute error below 0.04 (the paper's
criterion), after ``patience`` checks without a lower check MSE, or at the budget.
``solved_share`` and ``mse`` are then measured on 2,560 other fresh sequences. ``--adding`` picks
the T (default 100 and 500; ``--adding 1000`` is the opt-in long run, ``--adding none`` skips
the task).

**One training budget for every neural model** (both tasks; the numbers are :data:`FULL`'s):
Adam at 0.01 with cosine decay to a tenth over the budget, gradient norm clipped at 1, batches
of 128, MSE. Echo task: at most ``steps[L]`` batches (400, 800 and 1200 at L = 100, 500, 1000);
90% of each batch is drawn from the training windows whose target is among the largest 5% in
absolute deviation from the median (observed values only: the generator's event positions are
never used; these windows hold the events and the echoes, so an echo is ~18 times likelier in a
batch than under uniform sampling), 10% uniformly; the latest 2% of the windows are held out
(the forecaster's calibration set too) and scored every 100 batches (the latest 1024 and the
large-target ones, weighted 10% / 90% like the batches); training keeps the best weights and
stops after ``patience`` (5) scores without improvement. 200,000 training rows give the
large-target set about 10,000 windows (with about 4,000 echoes): fewer let ``linear``, with one
weight per lookback row, overfit the oversampled windows. Prints tables and writes
``<out>.md`` and ``<out>.json`` (``rows`` for the echoes, ``adding_rows`` for the adding
problem; the notebook ``05_lstm_family`` reads the JSON). A "## What it shows" section already
in ``<out>.md`` is kept.

Usage::

    python benchmarks/long_lag.py                      # L = 100, 500, 1000 and adding T = 100, 500
    python benchmarks/long_lag.py --lags 1000 --cells lstm --out chk
    python benchmarks/long_lag.py --lags none --adding 1000 --cells lstm    # the opt-in T = 1000
    python benchmarks/long_lag.py --quick              # smoke run: L = 50, T = 50, tiny budgets, no files
    python benchmarks/long_lag.py --merge a.json,b.json   # one report from several runs' JSON
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEFAULT_CELLS = ("lstm", "gru", "indy", "cifg", "peephole")
RECOMMENDED = "chrono"  # the initialisation of every recurrent row but `lstm (keras init)`
FULL = {"train": 200000, "test": 4000, "units": 16, "batch_size": 128, "learning_rate": 0.01, "lr_floor": 0.1,
        "clipnorm": 1.0, "oversample": 0.9, "top": 0.05, "validation": 0.02, "held_out": 1024, "eval_every": 100,
        "patience": 5, "steps": {100: 400, 500: 800, 1000: 1200}, "adding_steps": {100: 1000, 500: 1000, 1000: 2000},
        "adding_check": 2560}
QUICK = {**FULL, "train": 600, "test": 200, "units": 8, "batch_size": 32, "held_out": 64, "eval_every": 5,
         "patience": 2, "steps": {}, "adding_steps": {}, "adding_check": 256, "quick_steps": 10}
SERIES = {"events": 0.02, "noise": 0.1, "echo": 0.5, "seed": 0}
COLUMNS = ("mse_echo", "mse_other", "echo_sign", "echo_skill", "fit_s", "predict_s", "params", "steps")


def budget(steps: dict, size: int, settings: dict) -> int:
    """Batches of the budget at lag or length ``size``: the table's entry (nearest size)."""
    if "quick_steps" in settings:
        return settings["quick_steps"]
    return steps.get(size) or steps[min(steps, key=lambda known: abs(known - size))]


# ------------------------------------------------------------------------------ training --
def compile_for_budget(keras, model, settings: dict, steps: int):
    """Adam with cosine decay over ``steps`` and clipped gradients, MSE: every model alike."""
    schedule = keras.optimizers.schedules.CosineDecay(settings["learning_rate"], max(steps, 1),
                                                      alpha=settings["lr_floor"])
    loss = keras.losses.Huber(1.0) if settings.get("loss") == "huber" else "mse"
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=settings["clipnorm"]), loss=loss)
    return model


def large_targets(windows, index: np.ndarray, top: float, reference: np.ndarray) -> np.ndarray:
    """The positions in ``index`` whose one-step target is among the largest ``top`` share of
    ``reference`` (the fit windows) in absolute deviation from its median: observed values only."""
    targets = windows.table[windows.starts + windows.lookback, 0]
    centre = np.median(targets[reference])
    size = np.abs(targets - centre)
    cut = np.quantile(size[reference], 1.0 - top)
    return index[size[index] >= cut]


def train_windows(keras, model, windows, settings: dict, steps: int, seed: int = 0) -> dict:
    """Train ``model`` on a WindowSet with the benchmark's budget (module docstring); returns
    the batches run, the best-scoring step and the sequences seen."""
    fit_index, val_index = windows.latest(settings["validation"])
    large_fit = large_targets(windows, fit_index, settings["top"], fit_index)
    large_val = large_targets(windows, val_index, settings["top"], fit_index)
    rng = np.random.default_rng(seed)
    batch = settings["batch_size"]
    drawn_large = int(round(batch * settings["oversample"])) if len(large_fit) else 0
    held = [windows.gather(part)[:2] for part in (val_index[-settings["held_out"]:], large_val) if len(part)]
    weights = (1.0 - settings["oversample"], settings["oversample"]) if len(held) == 2 else (1.0,)

    def held_out_loss() -> float:
        return sum(w * float(np.mean((model.predict(x, batch_size=1024, verbose=0) - y) ** 2))
                   for w, (x, y) in zip(weights, held))

    best, best_weights, best_step, waited, step = math.inf, model.get_weights(), 0, 0, 0
    while step < steps:
        step += 1
        index = np.concatenate([rng.choice(fit_index, batch - drawn_large), rng.choice(large_fit, drawn_large)])
        inputs, targets, _ = windows.gather(index)
        loss = float(model.train_on_batch(inputs, targets))
        if not math.isfinite(loss):
            raise RuntimeError(f"training diverged at step {step} (loss {loss})")
        if step % settings["eval_every"] == 0 or step == steps:
            score = held_out_loss() if held else -step
            if score < best:
                best, best_weights, best_step, waited = score, model.get_weights(), step, 0
            else:
                waited += 1
                if waited >= settings["patience"]:
                    break
    model.set_weights(best_weights)
    return {"steps": step, "best_step": best_step, "sequences_seen": step * batch}


# --------------------------------------------------------------------------------- echoes --
def model_plan(lag: int, cells, settings: dict, margin: int) -> list[dict]:
    """The models run for one lag: name, Forecaster arguments and lookback."""
    from forecastkit.models.recurrent import CHRONO_LOOKBACKS

    long = lag + margin
    short = max(1, min(lag // 2, 100))
    units = settings["units"]
    plan = [{"name": "naive", "cell": "", "model": "naive", "lookback": None, "params": None},
            {"name": "linear", "cell": "", "model": "linear", "lookback": long, "params": {}},
            {"name": "mlp", "cell": "", "model": "mlp", "lookback": long, "params": {"units": 64, "layers": 2}}]
    for cell in cells:
        chrono = {"units": units, "cell": cell, "forget_init": RECOMMENDED}  # chrono_max: 4 x lookback
        plan.append({"name": cell, "cell": cell, "model": "vanilla", "lookback": long, "params": chrono})
        if cell == "lstm":
            plan.append({"name": "lstm (keras init)", "cell": cell, "model": "vanilla", "lookback": long,
                         "params": {"units": units, "cell": cell, "forget_init": "keras"}})
    if "lstm" in cells:
        plan.append({"name": "lstm (short)", "cell": "lstm", "model": "vanilla", "lookback": short,
                     "params": {"units": units, "cell": "lstm", "forget_init": RECOMMENDED,
                                "chrono_max": CHRONO_LOOKBACKS * long}})  # the `lstm` row's initialisation
    return plan


def run_model(entry: dict, frame, start: int, settings: dict, steps: int, forecasts: dict | None = None,
              seed: int = 0) -> dict:
    """Fit one model on ``frame.iloc[:start]``, forecast the rest one step ahead, score it
    (and keep the forecasts in ``forecasts[name]`` when given a dict)."""
    from forecastkit import Forecaster, from_pandas
    from forecastkit.data import GLOBAL_ID
    from forecastkit.models.keras_common import import_keras
    from forecastkit.models.recurrent import CHRONO_LOOKBACKS
    from forecastkit.models.registry import get_spec
    from forecastkit.synthetic import echo_scores, one_step_forecasts

    params = None if entry["params"] is None else {**entry["params"], "validation": settings["validation"]}
    neural = get_spec(entry["model"]).kind == "neural"  # a baseline has no preprocessing to switch off
    forecaster = Forecaster(entry["model"], horizon=1, lookback=entry["lookback"], params=params, seed=seed,
                            **({"preprocess": "none"} if neural else {}))
    began = time.perf_counter()
    trace = {"steps": 0, "best_step": 0, "sequences_seen": 0}
    model, build_args = None, {}
    chrono = (entry["params"] or {}).get("forget_init") == "chrono"
    if entry["lookback"] is None:
        forecaster.fit(frame[["time", "y"]].iloc[:start])
    else:
        keras = import_keras()
        windows = forecaster.prepare_windows(from_pandas(frame[["time", "y"]].iloc[:start]))[GLOBAL_ID]
        keras.utils.set_random_seed(seed)
        spec = get_spec(entry["model"])
        build_args, _ = spec.split(forecaster.hyper_)
        model = spec.load_builder()((windows.span, windows.n_features), 1, **build_args)
        compile_for_budget(keras, model, settings, steps)
        trace = train_windows(keras, model, windows, settings, steps, seed=seed)
        forecaster.adopt_model(model, windows)
    fit_s = time.perf_counter() - began
    began = time.perf_counter()
    predicted = one_step_forecasts(forecaster, frame, start, rows=None if entry["lookback"] else 1)
    predict_s = time.perf_counter() - began
    scores = echo_scores(frame.iloc[start:], predicted)
    if forecasts is not None:
        forecasts[entry["name"]] = predicted
    row = {"model": entry["name"], "builder": entry["model"], "cell": entry["cell"],
           "forget_init": (entry["params"] or {}).get("forget_init", "keras" if entry["cell"] else ""),
           "chrono_max": (build_args.get("chrono_max") or CHRONO_LOOKBACKS * entry["lookback"]) if chrono else 0,
           "lookback": entry["lookback"] or 1, **scores, "fit_s": fit_s, "predict_s": predict_s,
           "params": int(model.count_params()) if model is not None else 0, **trace}
    del forecaster, model
    gc.collect()
    if entry["lookback"] is not None:
        import keras

        keras.backend.clear_session()
    return row


# ------------------------------------------------------------------------- adding problem --
def adding_plan(cells) -> list[dict]:
    """The adding-problem models: each cell with chrono, and ``lstm (keras init)``."""
    plan = []
    for cell in cells:
        plan.append({"name": cell, "cell": cell, "forget_init": RECOMMENDED})
        if cell == "lstm":
            plan.append({"name": "lstm (keras init)", "cell": cell, "forget_init": "keras"})
    return plan


def run_adding(entry: dict, T: int, settings: dict, steps: int) -> dict:
    """Train the ``vanilla`` builder on fresh adding-problem sequences of length ``T`` until
    99% of the check sequences are solved or ``steps`` batches; score it on other fresh ones."""
    from forecastkit.models.keras_common import import_keras
    from forecastkit.models.recurrent import CHRONO_LOOKBACKS, build_vanilla
    from forecastkit.synthetic import adding_problem, adding_scores

    keras = import_keras()
    keras.utils.set_random_seed(0)
    width = T + T // 10
    model = build_vanilla((width, 2), 1, units=settings["units"], cell=entry["cell"],
                          forget_init=entry["forget_init"])
    compile_for_budget(keras, model, settings, steps)
    n = settings["adding_check"]
    check_x, check_y = adding_problem(n, T, seed=10**6 + 1)
    began = time.perf_counter()
    step, best, waited = 0, math.inf, 0
    while step < steps:
        step += 1
        inputs, targets = adding_problem(settings["batch_size"], T, seed=step)
        loss = float(model.train_on_batch(inputs, targets))
        if not math.isfinite(loss):
            break
        if step % settings["eval_every"] == 0 or step == steps:
            check = adding_scores(check_y, model.predict(check_x, batch_size=1280, verbose=0))
            if check["solved_share"] >= 0.99:
                break
            best, waited = (check["mse"], 0) if check["mse"] < best else (best, waited + 1)
            if waited >= settings["patience"]:  # no progress: the budget would be spent in vain
                break
    fit_s = time.perf_counter() - began
    test_x, test_y = adding_problem(n, T, seed=10**6 + 2)
    scores = adding_scores(test_y, model.predict(test_x, batch_size=1280, verbose=0))
    row = {"T": T, "model": entry["name"], "cell": entry["cell"], "forget_init": entry["forget_init"],
           "chrono_max": CHRONO_LOOKBACKS * width if entry["forget_init"] == "chrono" else 0,
           "solved_share": scores["solved_share"], "mse": scores["mse"], "solved": scores["solved_share"] >= 0.99,
           "fit_s": fit_s, "sequences_seen": step * settings["batch_size"], "steps": step,
           "params": int(model.count_params())}
    del model
    gc.collect()
    keras.backend.clear_session()
    return row


# -------------------------------------------------------------------------------- output --
def machine(load_at_start: float) -> dict:
    import keras

    info = {"cpus": os.cpu_count(), "load_start": round(load_at_start, 2), "python": platform.python_version(),
            "keras": keras.__version__, "backend": keras.backend.backend()}
    if info["backend"] == "tensorflow":
        import tensorflow as tf

        info["tensorflow"] = tf.__version__
    return info


def table(rows: list[dict]) -> str:
    """A Markdown table of the echo rows (one lag or several)."""
    run = any("run" in r for r in rows)
    head = ("| L | model | lookback | MSE echo | MSE elsewhere | MSE all | echo sign right | echo skill | fit s | "
            "predict s | params | steps (best) | sequences |" + (" run |" if run else ""))
    lines = [head, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if run else "")]
    for r in rows:
        steps = f"{r['steps']} ({r['best_step']})" if r["steps"] else "–"
        lines.append(f"| {r['lag']} | {r['model']} | {r['lookback']} | {r['mse_echo']:.4f} | {r['mse_other']:.4f} | "
                     f"{r['mse']:.4f} | {r['echo_sign']:.0%} | {r['echo_skill']:+.3f} | {r['fit_s']:.1f} | "
                     f"{r['predict_s']:.1f} | {r['params']} | {steps} | {r['sequences_seen'] or '–'} |"
                     + (f" {r.get('run', '')} |" if run else ""))
    return "\n".join(lines)


def adding_table(rows: list[dict]) -> str:
    run = any("run" in r for r in rows)
    lines = ["| T | model | solved share | solved | MSE | fit s | sequences seen | params |" + (" run |" if run else ""),
             "|---:|---|---:|---|---:|---:|---:|---:|" + ("---:|" if run else "")]
    for r in rows:
        lines.append(f"| {r['T']} | {r['model']} | {r['solved_share']:.1%} | {'yes' if r['solved'] else 'no'} | "
                     f"{r['mse']:.5f} | {r['fit_s']:.1f} | {r['sequences_seen']} | {r['params']} |"
                     + (f" {r.get('run', '')} |" if run else ""))
    return "\n".join(lines)


def printed(rows: list[dict]) -> str:
    lines = [f"{'L':>5} {'model':<18}{'lookback':>9}{'MSE echo':>10}{'MSE else':>10}{'sign':>6}"
             f"{'skill':>8}{'fit s':>8}{'pred s':>8}{'params':>8}{'steps':>7}{'best':>6}"]
    for r in rows:
        lines.append(f"{r['lag']:>5} {r['model']:<18}{r['lookback']:>9}{r['mse_echo']:>10.4f}{r['mse_other']:>10.4f}"
                     f"{r['echo_sign']:>6.0%}{r['echo_skill']:>+8.3f}{r['fit_s']:>8.1f}{r['predict_s']:>8.1f}"
                     f"{r['params']:>8}{r['steps']:>7}{r['best_step']:>6}")
    return "\n".join(lines)


def printed_adding(row: dict) -> str:
    return (f"T={row['T']:<5} {row['model']:<18} solved {row['solved_share']:6.1%}  mse {row['mse']:.5f}  "
            f"fit {row['fit_s']:7.1f} s  {row['sequences_seen']} sequences")


def with_suffix(out: Path, suffix: str) -> Path:
    """``out`` + ``suffix`` (``long_lag`` -> ``long_lag.md``; a dotted stem keeps its dots)."""
    return out.parent / (out.name + suffix)


NOTES_HEADING = "## What it shows"


def kept_notes(path: Path) -> str:
    """The hand-written "What it shows" section (and all after it) of an existing report."""
    if not path.exists():
        return ""
    text = path.read_text()
    at = text.find(NOTES_HEADING)
    return text[at:] if at >= 0 else ""


def describe(report: dict) -> list[str]:
    m, s = report["machine"], report["settings"]
    load = f"load average {m['load_start']} at the start" + (
        f", {m['load_end']} at the end" if "load_end" in m else "")
    steps = ", ".join(f"{k}: {v}" for k, v in s["steps"].items()) or str(s.get("quick_steps"))
    adding_steps = ", ".join(f"{k}: {v}" for k, v in s["adding_steps"].items()) or str(s.get("quick_steps"))
    versions = (f"keras {m['keras']} ({m['backend']}{' ' + m['tensorflow'] if 'tensorflow' in m else ''}), "
                f"Python {m['python']}")
    if "runs" in report:
        head = [f"Merged by `{report['command']}` on {report['date']}; every run on the project machine "
                f"({m['cpus']} CPUs, shared with other work), {versions}. The runs took "
                f"{report['seconds'] / 60:.1f} min together.", "", *runs_lines(report)]
    else:
        head = [f"Produced by `{report['command']}` on {report['date']}, on the project machine ({m['cpus']} CPUs, "
                f"{load}); {versions}. Total {report['seconds'] / 60:.1f} min"
                + (" (partial: still running or interrupted)." if report.get("partial") else "."), ""]
    return [
        *head,
        f"**Echoes.** `long_lag_series(L, length, events={SERIES['events']}, noise={SERIES['noise']}, "
        f"echo={SERIES['echo']}, seed={SERIES['seed']})`: ±1 events at {SERIES['events']:.0%} of the steps, each "
        f"echoed at half size exactly L steps later, over N(0, {SERIES['noise']}²) noise. Each model is fit once "
        f"on the first lookback + {s['train']} rows (standard scaler, no other preprocessing) and forecasts the "
        f"next {s['test']} rows one step ahead, each from the rows before it; the test rows never reach a fit. "
        f"Long lookback L + {s['margin']}; the control `lstm (short)` has lookback min(L // 2, 100) < L. Recurrent "
        f"rows: the `vanilla` builder, {s['units']} units, chrono initialisation (`forget_init=\"chrono\"`, "
        "`chrono_max` at its default, 4 x the lookback; `lstm (short)` the `lstm` row's) except `lstm (keras "
        "init)` (forget bias 1); `mlp` 2 x 64 units.",
        "",
        f"**Adding problem** (Hochreiter & Schmidhuber 1997, experiment 4): `adding_problem(n, T)`, sequences of "
        f"T to 1.1 T (value, marker) pairs, the sum of the two marked values read at the end (its only loss). "
        f"Trained on fresh sequences until {s['adding_check']} check sequences are 99% solved (absolute error "
        f"< 0.04), {s['patience']} checks bring no lower check MSE or the budget ends; `solved share` and `MSE` "
        f"on {s['adding_check']} other fresh sequences. Chrono rows: `chrono_max` 4 x the padded length.",
        "",
        f"**Budget, every neural model alike:** Adam at {s['learning_rate']} (cosine decay to "
        f"{s['lr_floor']:g} of it), gradient "
        f"norm clipped at {s['clipnorm']}, batch {s['batch_size']}, MSE. Echoes: at most {steps} batches by L; "
        f"{s['oversample']:.0%} of each batch drawn from the training windows whose target is among the largest "
        f"{s['top']:.0%} in absolute deviation from the median (observed values only, never the generator's event "
        "positions: they hold the events and the echoes), the rest uniformly; the latest "
        f"{s['validation']:.0%} of the windows held out (also the forecaster's calibration set) and scored "
        f"(the latest {s['held_out']} and the large-target ones, weighted like the batches) every "
        f"{s['eval_every']} batches, best weights kept, stop after {s['patience']} scores without improvement. "
        f"Adding: at most {adding_steps} batches by T, checked every {s['eval_every']}.",
        "",
        "Columns: MSE at the echo steps (forecasting 0 there scores the echo's square plus the noise, about "
        "0.26), elsewhere (the unforecastable events plus the noise: about 0.03 at best) and over all test rows "
        "(echoes are 2% of them), the share of echo steps forecast with the echo's sign (a forecast of exactly "
        "0 counts as wrong; 50% is a coin toss), echo skill = 1 - MSE at the echoes / MSE there of forecasting 0 "
        "(1: the echo exactly; 0: no use of the lag), seconds to fit (including Keras' tracing and the held-out "
        "scoring) and to forecast the test rows, trainable parameters, batches run (the best-scoring one) and "
        "training sequences (windows) seen.",
        "",
    ]


def write(out: Path, report: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    md = with_suffix(out, ".md")
    notes = kept_notes(md)
    with_suffix(out, ".json").write_text(json.dumps(report, indent=1, default=float) + "\n")
    lines = ["# Long time lags (issues 8 and 19) — results", "", *describe(report)]
    if report.get("cells_note"):
        lines += [f"Note: {report['cells_note']}.", ""]
    if report["rows"]:
        lines += ["### Echoes", "", table(report["rows"]), ""]
        lines += [f"- L = {lag}: {seconds / 60:.1f} min" for lag, seconds in report.get("lag_seconds", {}).items()]
        lines.append("")
    if report["adding_rows"]:
        lines += ["### Adding problem", "", adding_table(report["adding_rows"]), ""]
        lines += [f"- T = {T}: {seconds / 60:.1f} min" for T, seconds in report.get("adding_seconds", {}).items()]
        lines.append("")
    md.write_text("\n".join(lines) + ("\n" + notes if notes else ""))


ORDER = ("naive", "linear", "mlp", "lstm", "lstm (keras init)", "gru", "indy", "cifg", "peephole", "lstm (short)")


def merged(paths: list[Path]) -> dict:
    """One report from the JSON reports at ``paths`` (runs with the same settings): each
    (lag, model) and (T, model) row comes from the first report that has it; every row names
    its run (``run``, an index into ``runs``: command, date, minutes, machine, partial)."""
    reports = [json.loads(Path(p).read_text()) for p in paths]
    base = {k: v for k, v in reports[0]["settings"].items() if k != "steps"}
    for path, report in zip(paths, reports):
        if {k: v for k, v in report["settings"].items() if k != "steps"} != base:
            raise SystemExit(f"{path}: other settings than {paths[0]}: not merged")
    rows, adding_rows, seen = [], [], set()
    for index, report in enumerate(reports):
        for kind, found, target in (("lag", report["rows"], rows), ("T", report["adding_rows"], adding_rows)):
            for row in found:
                key = (kind, row[kind], row["model"])
                if key not in seen:
                    seen.add(key)
                    target.append({**row, "run": index})
    rank = {name: i for i, name in enumerate(ORDER)}
    for target, kind in ((rows, "lag"), (adding_rows, "T")):
        target.sort(key=lambda r: (r[kind], rank.get(r["model"], len(ORDER))))
    runs = [{"command": r["command"], "date": r["date"], "minutes": round(r["seconds"] / 60, 1),
             "machine": r["machine"], "partial": r.get("partial", False), "source": str(p),
             "rows": sum(row["run"] == i for row in rows), "adding_rows": sum(row["run"] == i for row in adding_rows)}
            for i, (p, r) in enumerate(zip(paths, reports))]
    first = reports[0]
    return {**first, "command": "python benchmarks/long_lag.py --merge " + ",".join(str(p) for p in paths),
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "runs": runs, "rows": rows,
            "adding_rows": adding_rows, "seconds": sum(r["seconds"] for r in reports),
            "lags": sorted({r["lag"] for r in rows}), "adding": sorted({r["T"] for r in adding_rows}),
            "cells": sorted({r["cell"] for r in rows + adding_rows if r["cell"]}, key=rank.get),
            "partial": any(r.get("partial", False) for r in reports), "lag_seconds": {}, "adding_seconds": {}}


def runs_lines(report: dict) -> list[str]:
    """The runs a merged report's rows come from (a row's ``run`` indexes them)."""
    lines = ["The rows come from several runs of the same settings (`run` in the JSON rows; "
             "each (L, model) and (T, model) row from the first run listed that has it):", ""]
    for i, r in enumerate(report["runs"]):
        m = r["machine"]
        lines.append(f"{i}. `{r['command']}` on {r['date']}: {r['minutes']} min"
                     f"{' (interrupted)' if r['partial'] else ''}, load average {m['load_start']} at the start; "
                     f"rows kept: {r['rows']} echo, {r['adding_rows']} adding.")
    return lines + [""]


def sizes(text: str | None, default: str) -> list[int]:
    text = default if text is None else text
    return [] if text.strip().lower() in ("none", "0", "") else [int(v) for v in text.split(",")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lags", default=None, help="comma-separated lags L (default 100,500,1000; --quick: 50; "
                                                     "none: skip the echoes)")
    parser.add_argument("--adding", default=None, help="comma-separated adding-problem lengths T (default 100,500; "
                                                       "--quick: 50; 1000 is the opt-in long run; none: skip)")
    parser.add_argument("--cells", default=",".join(DEFAULT_CELLS),
                        help=f"recurrent cells of the vanilla builder (default {','.join(DEFAULT_CELLS)})")
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny data and budgets, no files")
    parser.add_argument("--margin", type=int, default=10, help="long lookback = L + margin (default 10)")
    parser.add_argument("--train", type=int, help=f"training rows after the lookback (default {FULL['train']})")
    parser.add_argument("--test", type=int, help=f"test rows forecast one step ahead (default {FULL['test']})")
    parser.add_argument("--steps", type=int, help="batches of every echo model's budget (default by L: "
                                                  f"{FULL['steps']})")
    parser.add_argument("--out", default=None,
                        help="write <out>.md and <out>.json (default benchmarks/results/long_lag; "
                             "--quick writes nothing unless given)")
    parser.add_argument("--merge", default=None,
                        help="comma-separated JSON reports of runs with the same settings to combine into <out> "
                             "instead of running (each row from the first report that has it)")
    args = parser.parse_args(argv)
    if args.merge:
        out = Path(args.out) if args.out else REPO / "benchmarks" / "results" / "long_lag"
        report = merged([Path(p) for p in args.merge.split(",")])
        write(out, report)
        print(printed(report["rows"]))
        for row in report["adding_rows"]:
            print(printed_adding(row))
        print(f"wrote {with_suffix(out, '.md')} and {with_suffix(out, '.json')}")
        return 0
    load_at_start = os.getloadavg()[0]
    settings = json.loads(json.dumps(QUICK if args.quick else FULL))  # a deep copy
    settings["steps"] = {int(k): v for k, v in settings["steps"].items()}
    settings["adding_steps"] = {int(k): v for k, v in settings["adding_steps"].items()}
    for key in ("train", "test"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    settings["margin"] = args.margin
    lags = sizes(args.lags, "50" if args.quick else "100,500,1000")
    lengths = sizes(args.adding, "50" if args.quick else "100,500")
    if args.steps is not None:
        settings["steps"] = {lag: args.steps for lag in lags}
    out = Path(args.out) if args.out else (None if args.quick else REPO / "benchmarks" / "results" / "long_lag")

    from forecastkit.models.cells import CELL_NAMES
    from forecastkit.models.keras_common import import_keras
    from forecastkit.synthetic import long_lag_series

    import_keras()
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    unknown = [c for c in cells if c not in CELL_NAMES]
    if unknown:
        parser.error(f"unknown cell(s) {unknown}; available: {', '.join(CELL_NAMES)}")
    command = "python benchmarks/long_lag.py" + ("" if argv is None and len(sys.argv) == 1 else
                                                 " " + shlex.join(sys.argv[1:] if argv is None else argv))
    report = {"command": command, "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
              "machine": machine(load_at_start), "settings": settings, "series": SERIES, "lags": lags,
              "adding": lengths, "cells": cells, "cells_note": "", "rows": [], "adding_rows": [],
              "lag_seconds": {}, "adding_seconds": {}, "partial": True}
    print(f"# Long lags {lags}, adding T {lengths}: cells {cells}; train {settings['train']} rows, test "
          f"{settings['test']}; batch {settings['batch_size']}; load average {load_at_start:.2f} on "
          f"{os.cpu_count()} CPUs", flush=True)
    began = time.perf_counter()

    def save():
        report["seconds"] = time.perf_counter() - began
        if out is not None:
            write(out, report)

    for lag in lags:
        lag_began = time.perf_counter()
        start = lag + settings["margin"] + settings["train"]
        frame = long_lag_series(lag, start + settings["test"], components=True, **SERIES)
        for entry in model_plan(lag, cells, settings, settings["margin"]):
            row = {"lag": lag, **run_model(entry, frame, start, settings, budget(settings["steps"], lag, settings))}
            report["rows"].append(row)
            print(printed([row]).splitlines()[1], flush=True)
            save()
        report["lag_seconds"][str(lag)] = time.perf_counter() - lag_began
    for T in lengths:
        T_began = time.perf_counter()
        for entry in adding_plan(cells):
            row = run_adding(entry, T, settings, budget(settings["adding_steps"], T, settings))
            report["adding_rows"].append(row)
            print(printed_adding(row), flush=True)
            save()
        report["adding_seconds"][str(T)] = time.perf_counter() - T_began
    report["machine"]["load_end"] = round(os.getloadavg()[0], 2)
    report["partial"] = False
    save()
    print()
    if report["rows"]:
        print(printed(report["rows"]))
    for row in report["adding_rows"]:
        print(printed_adding(row))
    print(f"total {report['seconds'] / 60:.1f} min; load average {load_at_start:.2f} at the start, "
          f"{report['machine']['load_end']:.2f} at the end")
    if out is not None:
        print(f"wrote {with_suffix(out, '.md')} and {with_suffix(out, '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
