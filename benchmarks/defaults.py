"""Accuracy of the defaults: today's settings (BEFORE, pinned here) against the shipped defaults (AFTER).

Every neural builder (and ``ensemble``, AFTER only, when registered) beside the baselines
``naive, seasonal_naive, naive2, ets, theta`` on three parts:

* **datasets**: every shipped dataset (:data:`forecastkit.datasets.CATALOGUE`, default
  target; ``co2`` with ``fill="interpolate"``), walk-forward exactly as ``forecastkit
  evaluate`` runs it (24 origins, refit ``every:6``, horizon = season length, seed 0,
  fold-parallel fits): MASE per model, before and after;
* **m4**: M4 Weekly (``../shared/data/m4``): fit on ``Weekly-train``, given weekly dates as a
  user's weekly data come (``m4_weekly.to_panel(dated=True)``: the season is the frequency's,
  52), forecast its 13 test weeks, scored as in M4 with the code of ``benchmarks/m4_weekly.py``
  (sMAPE, MASE at season 1, OWA against M4's season-1 Naive2);
* **hourly**: a seeded synthetic hourly panel (:func:`forecastkit.synthetic.hourly_panel`,
  414 series x 960 hours) written to a temporary CSV; the wall time of the whole process
  ``forecastkit forecast --data <csv> --id id --model vanilla --horizon 48``.

BEFORE pins today's defaults explicitly (:data:`BEFORE_FORECASTER`, :data:`BEFORE_TRAINING`,
:data:`BEFORE_MODEL`, :func:`before_lookback`), passing each only when the installed
forecastkit knows it (``Forecaster().get_params()``, ``get_spec(model).defaults()``, and the
``forecast --help`` flags). AFTER passes nothing but the data flags and the horizon: the pure
defaults. Baselines have no such settings and run once.

Budget (full run <= 30 min on 2 cores): the hourly part runs first, alone (a fair wall time);
then the walk-forward and M4 jobs (one per part, arm and model; baselines first, then AFTER,
then BEFORE, see :func:`plan`) run on ``--workers`` worker processes. Each job is capped
(``--timeout`` AFTER, ``--before-timeout`` BEFORE: reported "did not finish in N s") and none
runs past ``--budget`` minutes (those not started, or stopped at the budget, are reported so).
Prints progress, the markdown tables and the time per part; writes
``benchmarks/results/defaults_run.md`` and ``.json`` (``--quick``: ``defaults_run.quick.*``;
``--only``: ``defaults_run.partial.*``).

Usage::

    python benchmarks/defaults.py                          # the full benchmark
    python benchmarks/defaults.py --quick                  # smoke run (~2 min; not comparable numbers)
    python benchmarks/defaults.py --only airline,m4        # parts: dataset names, datasets, m4, hourly
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for folder in (str(REPO), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import m4_weekly as m4  # noqa: E402  (M4 loading and scoring: read_m4, to_panel, score, with_owa)
import numpy as np  # noqa: E402
from defaults_report import cell_of, m4_subset, render  # noqa: E402

from forecastkit import Forecaster, datasets  # noqa: E402
from forecastkit.errors import DataError  # noqa: E402
from forecastkit.models.registry import get_spec, model_names  # noqa: E402

NEURAL = ("linear", "mlp", "vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
BASELINES = ("naive", "seasonal_naive", "naive2", "ets", "theta")
ENSEMBLE = "ensemble"
SEED = 0
FOLDS, REFIT = 24, "every:6"  # forecastkit evaluate's defaults
DATASET_ARGS = {"co2": {"fill": "interpolate"}}
HOURLY = {"n_series": 414, "length": 960, "horizon": 48, "model": "vanilla"}
#: Series of the smoke run (--quick).
QUICK_SERIES = {"m4": 15, "hourly": 5}

#: Today's Forecaster defaults (forecastkit b8e3626 and the issue-14 names that mean the same).
BEFORE_FORECASTER = {"preprocess": "none", "scaler": "standard", "transform": None, "difference": False,
                     "deseason": "none", "seasonal_difference": False, "bag": 1, "mode": "global",
                     "strategy": "direct", "id_embedding": 0}
#: Today's training settings (linear's learning rate in BEFORE_MODEL).
BEFORE_TRAINING = {"epochs": 100, "batch_size": 32, "learning_rate": 0.003, "patience": 10, "validation": 0.1,
                   "window_sample": 0, "loss": "mse", "steps_per_epoch": 0}
_CELL = {"units": 32, "dropout": 0.0, "cell": "lstm"}
#: Today's builder hyperparameters.
BEFORE_MODEL = {
    "linear": {"l2": 0.0, "learning_rate": 0.01}, "mlp": {"units": 64, "layers": 2, "dropout": 0.0},
    "vanilla": _CELL, "stacked": {**_CELL, "layers": 2}, "bidirectional": _CELL,
    "cnn_lstm": {"filters": 32, "kernel_size": 3, **_CELL}, "encoder_decoder": _CELL,
}
#: Forecaster arguments of today that are data, run or output settings (not defaults to pin), plus
#: those pinned above: any other argument is new, and is reported as not pinned.
TODAY_ARGUMENTS = {"model", "horizon", "lookback", "params", "season", "seed", "verbose", "warm_start", "calendar",
                   "quantiles"}
#: Today's `forecast` flags for the hourly BEFORE run (flag, value or None for a switch).
BEFORE_FLAGS = (("--preprocess", "none"), ("--scaler", "standard"), ("--transform", "none"),
                ("--no-difference", None), ("--deseason", "none"), ("--no-seasonal-difference", None),
                ("--bag", "1"), ("--global", None), ("--epochs", "100"), ("--batch-size", "32"),
                ("--learning-rate", "0.003"), ("--patience", "10"), ("--validation", "0.1"),
                ("--window-sample", "0"), ("--loss", "mse"), ("--steps-per-epoch", "0"), ("--units", "32"),
                ("--dropout", "0"), ("--cell", "lstm"))


def before_lookback(horizon: int, season: int, shortest: int) -> int:
    """Today's default lookback: ``2 * max(season, horizon, 5)``, capped at half the shortest
    training series less the horizon (forecastkit b8e3626 ``default_lookback``).

    >>> before_lookback(12, 12, 97), before_lookback(13, 1, 80), before_lookback(48, 24, 960)
    (24, 26, 96)
    """
    return max(1, min(2 * max(season, horizon, 5), (shortest - horizon + 1) // 2))


def before_forecaster(model: str, horizon: int, lookback: int) -> tuple[Forecaster, list[str]]:
    """A Forecaster with today's defaults pinned (those this forecastkit knows), and what was left out."""
    known = Forecaster().get_params()
    kwargs = {k: v for k, v in BEFORE_FORECASTER.items() if k in known}
    hypers = get_spec(model).defaults()
    wanted = {**BEFORE_TRAINING, **BEFORE_MODEL.get(model, {})}
    params = {k: v for k, v in wanted.items() if k in hypers}
    skipped = [k for k in BEFORE_FORECASTER if k not in known] + [k for k in wanted if k not in hypers]
    error = None
    for drop in (None, "bag", "seasonal_difference", "deseason", "preprocess"):  # values this build refuses
        if drop is not None:
            if drop not in kwargs:
                continue
            del kwargs[drop]
            skipped.append(f"{drop} (refused)")
        forecaster = Forecaster(model, horizon=horizon, lookback=lookback, params=params, seed=SEED, **kwargs)
        try:
            forecaster.check_params()
            return forecaster, skipped
        except Exception as err:  # noqa: BLE001 - try without the next issue-14 argument
            error = err
    raise error


def arm_forecaster(model: str, arm: str, horizon: int, lookback: int, skipped: set | None = None) -> Forecaster:
    """BEFORE: today's settings pinned (what was left out added to ``skipped``); AFTER (and
    baselines): nothing but the horizon."""
    if arm == "before":
        forecaster, left_out = before_forecaster(model, horizon, lookback)
        (skipped if skipped is not None else set()).update(left_out)
        return forecaster
    return Forecaster(model, horizon=horizon)


# ------------------------------------------------------------------------ worker side


_CACHE: dict = {}


def _dataset(name: str):
    if name not in _CACHE:
        _CACHE[name] = datasets.load(name, **DATASET_ARGS.get(name, {}))
    return _CACHE[name]


def _m4_train(folder: str, n_series: int | None) -> dict:
    key = ("m4", folder, n_series)
    if key not in _CACHE:
        _CACHE[key] = m4_subset(m4.read_m4(Path(folder) / "Weekly-train.csv"), n_series)
    return _CACHE[key]


def run_walk_forward(job: dict) -> dict:
    """``forecastkit evaluate`` on one dataset for the job's models: MASE and sMAPE per model."""
    from forecastkit.evaluation import WalkForward, walk_forward

    panel = _dataset(job["part"])
    season = panel.season_length()
    splitter = WalkForward(horizon=season, folds=job["folds"], refit=REFIT)
    trains = []
    for n in panel.lengths.values():
        try:
            trains.append(len(splitter.split(n)[0].train))
        except DataError:
            continue
    lookback = before_lookback(season, season, min(trains) if trains else 1)
    skipped: set = set()
    entries = {m: arm_forecaster(m, job["arm"], season, lookback, skipped) for m in job["models"]}
    result = walk_forward(panel, entries, splitter, seed=SEED, baselines=False)
    board = result.leaderboard("mase").set_index("model")
    failed = result.failed.drop_duplicates("model").set_index("model")["reason"]
    return {"horizon": season, "lookback_before": lookback, "skipped": sorted(skipped), "models": {
        m: {"mase": float(board.loc[m, "mase"]), "smape": float(board.loc[m, "smape"]),
            "failed_fits": int(board.loc[m, "failed_fits"]), "origins": int(board.loc[m, "origins"]),
            "first_failure": str(failed[m])[:300] if m in failed.index else None}
        for m in job["models"] if m in board.index}}


def run_m4(job: dict) -> dict:
    """Fit each model on M4 Weekly-train and forecast the 13 test weeks."""
    train = _m4_train(job["m4"], job["series"])
    panel = m4.to_panel(train, dated=True)
    lookback = before_lookback(m4.HORIZON, panel.season_length(), min(len(y) for y in train.values()))
    out, skipped = {}, set()
    for name in job["models"]:
        start = time.perf_counter()
        forecaster = arm_forecaster(name, job["arm"], m4.HORIZON, lookback, skipped).fit(panel)
        frame = forecaster.predict()
        by_id = {sid: part.sort_values("time")["yhat"].to_numpy(float) for sid, part in frame.groupby("id")}
        hyper = getattr(forecaster, "hyper_", None) or {}
        out[name] = {"forecast": np.stack([by_id[sid] for sid in train]).tolist(),
                     "seconds": time.perf_counter() - start,
                     "resolved": {"lookback": getattr(forecaster, "lookback_", None),
                                  **{k: v for k, v in hyper.items() if k in BEFORE_TRAINING},
                                  "preprocess": str(getattr(forecaster, "preprocess_", ""))[:300] or None}}
    return {"skipped": sorted(skipped), "models": out}


def worker_main() -> None:
    """Read jobs (JSON lines) on stdin, answer each with one JSON line on the original stdout."""
    answer = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to the log, not into the answers
    warnings.simplefilter("ignore")
    import tensorflow as tf

    threads = int(os.environ.get("DEFAULTS_THREADS", "0"))
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.get_logger().setLevel("ERROR")
    tf.config.experimental.enable_op_determinism()  # same command, same numbers
    answer.write("ready\n")
    for line in sys.stdin:
        job = json.loads(line)
        start = time.perf_counter()
        try:
            out = {"status": "ok", **(run_m4(job) if job["part"] == "m4" else run_walk_forward(job))}
        except Exception as err:  # noqa: BLE001 - reported in the table, the run goes on
            out = {"status": "error", "error": f"{type(err).__name__}: {err}"[:400],
                   "traceback": traceback.format_exc()[-2500:]}
        answer.write(json.dumps({"id": job["id"], "seconds": time.perf_counter() - start, **out}) + "\n")


# -------------------------------------------------------------------------- main side


class Pool:
    """``workers`` worker processes; each job capped, a killed worker replaced for the next job."""

    def __init__(self, workers: int, deadline: float, log: Path, start: float):
        self.workers, self.deadline, self.log, self.start = workers, deadline, log, start
        self.lock = threading.Lock()
        self.results: dict = {}

    def run(self, jobs: list[dict], report) -> dict:
        todo = deque(jobs)
        threads = [threading.Thread(target=self._serve, args=(todo, report), daemon=True)
                   for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():  # join in steps, so Ctrl-C reaches the main thread
                thread.join(1.0)
        return self.results

    def _spawn(self):
        env = {**_env(), "DEFAULTS_THREADS": str(max(1, (os.cpu_count() or 1) // self.workers))}
        with open(self.log, "a") as log:
            proc = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        answers: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [answers.put(line) for line in proc.stdout] + [answers.put(None)],
                         daemon=True).start()
        try:
            ready = answers.get(timeout=300)  # its imports, before any job's clock starts
        except queue.Empty:
            ready = None
        if ready != "ready\n":
            proc.kill()
            proc.wait()
            raise RuntimeError(f"a worker failed to start; see its log {self.log}")
        return proc, answers

    def _serve(self, todo: deque, report) -> None:
        proc = answers = None
        while True:
            with self.lock:
                if not todo:
                    break
                job = todo.popleft()
            began = time.perf_counter()
            left = self.deadline - began
            if left < 5:
                self._record(job, {"status": "budget", "seconds": 0.0}, began, report)
                continue
            if proc is None:
                try:
                    proc, answers = self._spawn()
                except RuntimeError as err:
                    self._record(job, {"status": "error", "error": str(err), "seconds": 0.0}, began, report)
                    continue
                began = time.perf_counter()
            cap = min(job["timeout"], self.deadline - began)
            try:
                proc.stdin.write(json.dumps(job) + "\n")
                proc.stdin.flush()
                line = answers.get(timeout=cap)
            except queue.Empty:
                line = ""
            except BrokenPipeError:
                line = None
            if line:
                self._record(job, json.loads(line), began, report)
                continue
            proc.kill()  # our own worker: its job did not finish in time (or it died)
            proc.wait()
            proc = answers = None
            status = {"status": "timeout" if cap >= job["timeout"] else "budget-cut", "cap": round(cap)} \
                if line == "" else {"status": "error", "error": f"worker died (log: {self.log})"}
            self._record(job, {**status, "seconds": time.perf_counter() - began}, began, report)
        if proc is not None:
            proc.stdin.close()
            proc.wait()

    def _record(self, job: dict, result: dict, began: float, report) -> None:
        result = {**result, "began": began - self.start, "ended": time.perf_counter() - self.start}
        with self.lock:
            self.results[job["id"]] = result
            report(job, result)


def _env() -> dict:
    """The environment of the processes we start: this checkout's forecastkit first."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def cli_flags() -> str:
    out = subprocess.run([sys.executable, "-m", "forecastkit", "forecast", "--help"], capture_output=True, text=True,
                         env=_env(), cwd=REPO)
    return out.stdout


def has_flag(help_text: str, flag: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text) is not None


def run_hourly(args, folder: Path, help_text: str) -> dict:
    """Write the synthetic panel to a CSV and time ``forecastkit forecast`` on it, after then before."""
    from forecastkit.synthetic import hourly_panel

    n_series = QUICK_SERIES["hourly"] if args.quick else HOURLY["n_series"]
    csv = folder / "hourly.csv"
    hourly_panel(n_series=n_series, length=HOURLY["length"], seed=SEED).to_csv(csv, index=False)
    lookback = before_lookback(HOURLY["horizon"], 24, HOURLY["length"])
    before = [f"--lookback={lookback}"]
    for flag, value in BEFORE_FLAGS:
        if has_flag(help_text, flag):
            before.append(flag if value is None else f"{flag}={value}")
    runs = {}
    for arm, extra, cap in (("after", [], args.hourly_timeout), ("before", before, args.hourly_before_timeout)):
        out = folder / f"forecast_{arm}.csv"
        command = ["forecast", "--data", str(csv), "--id", "id", "--model", HOURLY["model"],
                   "--horizon", str(HOURLY["horizon"]), "--out", str(out), "--quiet", *extra]
        shown = "forecastkit " + " ".join(command).replace(str(csv), "hourly.csv").replace(str(out), f"{arm}.csv")
        print(f"  hourly {arm}: {shown} (cap {cap} s)", flush=True)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "forecastkit", *command], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True, env=_env(), cwd=REPO)
        try:
            _, err = proc.communicate(timeout=cap)
            seconds = time.perf_counter() - start
            rows = len(out.read_text().splitlines()) - 1 if out.is_file() else 0
            ok = proc.returncode == 0 and rows == n_series * HOURLY["horizon"]
            run = {"status": "ok" if ok else "error", "seconds": seconds, "rows": rows,
                   "error": None if ok else (err or "")[-400:]}
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # the forecast process we started (and its children)
            proc.communicate()
            run = {"status": "timeout", "cap": cap, "seconds": time.perf_counter() - start}
        runs[arm] = {**run, "command": shown, "series": n_series}
        print(f"  hourly {arm}: {cell_of(run, '{:.1f} s')}", flush=True)
    return runs


#: Parts whose BEFORE jobs go last: today's defaults train on every window of long series (co2: 2,284
#: weeks; M4: 359 series of up to 2,597 weeks) and are the likeliest not to finish in their cap anyway.
COSTLY_BEFORE = ("co2", "m4")


def plan(args, parts: list[str]) -> list[dict]:
    """One job per part, arm and neural model (a part's baselines together), in priority order: every
    part's baselines (cheap), then every part's AFTER models (the ensemble last), then the BEFORE ones
    (:data:`COSTLY_BEFORE` last), so a run cut by the budget loses the least informative jobs."""
    neural = ["linear", "vanilla"] if args.quick else list(NEURAL)
    ensemble = [ENSEMBLE] if ENSEMBLE in model_names() else []
    if args.models:
        chosen = {m.strip() for m in args.models.split(",")}
        neural, ensemble = [m for m in NEURAL if m in chosen], [m for m in ensemble if m in chosen]
    parts = [p for p in parts if p != "hourly"]
    common = {p: {"part": p, "folds": 6 if args.quick else FOLDS, "m4": str(args.m4),
                  "series": QUICK_SERIES["m4"] if args.quick else args.m4_series} for p in parts}
    jobs = [{**common[p], "arm": "baseline", "models": list(BASELINES)} for p in parts]
    jobs += [{**common[p], "arm": "after", "models": [m]} for p in parts for m in neural + ensemble]
    later = sorted(parts, key=lambda p: p in COSTLY_BEFORE)
    jobs += [{**common[p], "arm": "before", "models": [m]} for p in later for m in neural]
    for job in jobs:
        job["id"] = f"{job['part']}/{job['arm']}/{'+'.join(job['models']) if job['arm'] != 'baseline' else 'baselines'}"
        job["timeout"] = args.before_timeout if job["arm"] == "before" else args.timeout
    return jobs


def main(argv=None) -> int:
    parts_all = list(datasets.CATALOGUE) + ["m4", "hourly"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: airline (6 origins), M4 15 series, "
                        "hourly 5 series; linear and vanilla (+ ensemble); short caps")
    parser.add_argument("--only", help=f"comma-separated parts: {','.join(parts_all)} or 'datasets' (default: all)")
    parser.add_argument("--models", help="only these neural models (and ensemble), e.g. linear,vanilla (default: "
                        "all; the baselines always run)")
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--timeout", type=int, help="cap per AFTER/baseline job, s (default 300; quick 45)")
    parser.add_argument("--before-timeout", type=int, help="cap per BEFORE job, s (default 90; quick 20)")
    parser.add_argument("--hourly-timeout", type=int, help="cap of the AFTER hourly forecast, s "
                        "(default 420; quick 45)")
    parser.add_argument("--hourly-before-timeout", type=int, help="cap of the BEFORE hourly forecast, s "
                        "(default 90; quick 10)")
    parser.add_argument("--budget", type=float, help="minutes after which no job runs (default 29; quick 3)")
    parser.add_argument("--m4", type=Path, default=REPO.parent / "shared" / "data" / "m4")
    parser.add_argument("--m4-series", type=int, default=None, help="M4: use about this many series (default all)")
    parser.add_argument("--out", type=Path, help="markdown file (JSON beside it)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main()
        return 0
    q = args.quick
    for name, full, quick in (("timeout", 300, 45), ("before_timeout", 90, 20), ("hourly_timeout", 420, 45),
                              ("hourly_before_timeout", 90, 10), ("budget", 29.0, 3.0)):
        if getattr(args, name) is None:
            setattr(args, name, quick if q else full)
    if args.only:
        parts = []
        for item in (s.strip() for s in args.only.split(",") if s.strip()):
            if item not in parts_all + ["datasets"]:
                parser.error(f"--only: unknown part {item!r}; choose from {','.join(parts_all)},datasets")
            parts += list(datasets.CATALOGUE) if item == "datasets" else [item]
        parts = [p for p in parts_all if p in parts]
    else:
        parts = ["airline", "m4", "hourly"] if q else parts_all
    parts = sorted(parts, key=lambda p: ("airline", "m4", "hourly").index(p) if p in ("airline", "m4", "hourly")
                   else 3)
    out = args.out or HERE / "results" / ("defaults_run.quick.md" if q else "defaults_run.partial.md"
                                          if args.only else "defaults_run.md")
    missing = [f for f in ("Weekly-train.csv", "Weekly-test.csv") if not (args.m4 / f).is_file()]
    if "m4" in parts and missing:
        print(f"M4 Weekly not found ({', '.join(missing)} missing in {args.m4}; pass --m4 DIR): the m4 part is "
              "left out", flush=True)
        parts.remove("m4")
    start = time.perf_counter()
    deadline = start + 60 * args.budget
    help_text = cli_flags()
    known = Forecaster().get_params()
    trainable = set().union(*(get_spec(m).defaults() for m in NEURAL))
    detected = {"forecaster": [k for k in BEFORE_FORECASTER if k in known],
                "training": [k for k in BEFORE_TRAINING if k in trainable],
                "not in this forecastkit (skipped)": [k for k in BEFORE_FORECASTER if k not in known]
                + [k for k in BEFORE_TRAINING if k not in trainable],
                "ensemble registered": ENSEMBLE in model_names(),
                "unpinned": sorted(set(known) - set(BEFORE_FORECASTER) - TODAY_ARGUMENTS - {"members"})
                + sorted({f"{m}.{h}" for m in NEURAL for h in get_spec(m).defaults()
                          if h not in BEFORE_TRAINING and h not in BEFORE_MODEL[m]})}
    print(f"defaults benchmark{' (--quick)' if q else ''}: parts {','.join(parts)}; {args.workers} workers, "
          f"caps {args.timeout} s (after) / {args.before_timeout} s (before), budget {args.budget:g} min", flush=True)
    print(f"  BEFORE pins {detected['forecaster'] + detected['training']}; skipped "
          f"{detected['not in this forecastkit (skipped)'] or 'none'}; new settings not pinned (shipped defaults "
          f"in both arms): {detected['unpinned'] or 'none'}", flush=True)
    report = {"args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items() if k != "worker"},
              "detected": detected, "parts": {}, "m4_series": QUICK_SERIES["m4"] if q else args.m4_series}
    with tempfile.TemporaryDirectory(prefix="fk-defaults-") as tmp:
        folder = Path(tmp)
        if "hourly" in parts:
            began = time.perf_counter()
            print(f"[{began - start:6.0f} s] hourly: synthetic panel, forecast timed alone", flush=True)
            report["hourly"] = run_hourly(args, folder, help_text)
            report["parts"]["hourly"] = {"seconds": time.perf_counter() - began, "finished": sum(
                r["status"] == "ok" for r in report["hourly"].values())}
        jobs = plan(args, parts)
        if jobs:
            left = {p: sum(j["part"] == p for j in jobs) for p in parts}
            spent = dict.fromkeys(parts, 0.0)

            def progress(job, result):
                models = result.get("models", {})
                summary = ", ".join(f"{m} {v['mase']:.3f}" for m, v in models.items() if "mase" in v) or (
                    ", ".join(f"{m} {v['seconds']:.0f} s" for m, v in models.items()))
                print(f"[{result['ended']:6.0f} s] {job['id']:<40} {result['status']:<10} "
                      f"{result['seconds']:6.1f} s  {summary or result.get('error', '')[:150]}", flush=True)
                part = job["part"]
                left[part] -= 1
                spent[part] += result.get("seconds", 0.0)
                if not left[part]:
                    print(f"[{result['ended']:6.0f} s] part {part} done: {spent[part]:.0f} s of jobs", flush=True)

            results = Pool(args.workers, deadline, folder / "workers.log", start).run(jobs, progress)
            log = (folder / "workers.log").read_text(errors="replace") if (folder / "workers.log").exists() else ""
            if any("worker" in str(r.get("error")) for r in results.values()):
                print("worker log (tail):\n" + log[-2000:], flush=True)
            report["jobs"] = [{**j, "result": results.get(j["id"])} for j in jobs]
            for part in dict.fromkeys(j["part"] for j in jobs):
                mine = [results.get(j["id"]) or {"status": "budget"} for j in jobs if j["part"] == part]
                report["parts"][part] = {"jobs": len(mine), "finished": sum(r["status"] == "ok" for r in mine),
                                         "seconds": sum(r.get("seconds", 0.0) for r in mine)}
    report["elapsed"] = time.perf_counter() - start
    text = render(report, parts, args, m4)
    print("\n" + text, flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    for job in report.get("jobs", []):  # forecasts are long: keep the scores only
        for model in ((job.get("result") or {}).get("models") or {}).values():
            model.pop("forecast", None)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, default=str))
    print(f"wrote {out} and {out.with_suffix('.json').name}; total {report['elapsed'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
