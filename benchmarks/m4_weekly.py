"""Accuracy benchmark: forecastkit on the M4 Weekly subset against the published M4 results.

Reads ``Weekly-train.csv`` and ``Weekly-test.csv`` of the M4 competition (359 series of
80-2597 weekly observations, horizon 13, seasonal period 1) from ``../shared/data/m4``
relative to the repository root (or ``--data DIR``), forecasts the 13 test weeks of every
series with each model and scores them exactly as the M4 organisers did:

* sMAPE of a series = mean over h of ``200 |y - f| / (|y| + |f|)``;
* MASE of a series = its MAE divided by the in-sample MAE of the naive forecast (seasonal
  period m = 1) over the whole training series;
* both averaged over the series (every series has 13 values, so this is also the mean over
  all forecasts); OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2 with the Naive2
  figures of the same run.

Models
------
* Baselines, one fit per series: ``naive2``, ``naive``, ``ets``, ``theta``, ``arima``.
* Neural models in global mode (``linear``, ``mlp``, the LSTMs ``vanilla`` and ``cnn_lstm``):
  ONE Keras model per architecture trained on windows pooled from all series, with
  per-series scaling (see :data:`NEURAL`). The work per epoch is bounded to at most
  ``--windows`` windows per series: drawn afresh each epoch from the whole series with
  Forecaster's ``window_sample`` setting (:data:`USE_WINDOW_SAMPLE`, on); with it off, by
  training on the last ``lookback + 13 + windows - 1`` points of each series, i.e. on its
  latest ``windows`` windows (see :func:`bound`).
* ``ensemble``: the median (or mean) of the k models that were best on a validation
  hold-out. Every model is also fitted on each training series minus its last 13 points
  and scored on those 13 points (never on the test set); k in 1..5 and the combiner are the
  ones whose validation OWA is lowest, and the chosen models' test forecasts (from their
  fits on the full training data) are combined.

Prediction intervals (95%) are scored too, as in M4: MSIS of a series = mean over h of
``(u - l) + 40 (l - y)[y < l] + 40 (y - u)[y > u]`` divided by the same in-sample naive MAE,
averaged over the series; coverage = share of the 13 x 359 actuals inside their interval.
Baselines give their native intervals (``Forecaster.predict(level=...)``); the global
neural models split-conformal intervals from their errors on their held-out training windows;
``mlp_studentt`` (the mlp with a Student-t distribution head, ``distribution="studentt"``,
trained by likelihood) the quantiles of its forecast distribution; the ensemble the median of
its members' bounds.

The forecast distributions are scored by the CRPS, scaled like MSIS: sCRPS of a series = mean
over h of ``CRPS / s`` (``s`` the in-sample naive MAE), averaged over the series, with each
model's CRPS computed the same way from its quantiles at 1%, 2%, ..., 99% (the bounds of its
intervals at the levels 2%, 4%, ..., 98%, the median the midpoint of the 2% interval; a
distribution model's median its 0.5 quantile): ``CRPS = 2/99 sum_k pinball_k``
(:func:`forecastkit.metrics.probabilistic.crps_quantiles`).

Prints one table (method | sMAPE | MASE | OWA | MSIS | coverage | sCRPS | validation OWA |
seconds | peak MiB), our rows then the published rows, the ratio of our best OWA to Theta's,
and the total wall time.
``seconds`` is the fit + forecast on the full training data; ``val s`` the validation fit.
Peak MiB is ``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the process peak after each
model (so it never decreases down the table), and at the end.

The Naive2 row must reproduce the published 9.161 / 2.777 within 0.001 on the full data;
otherwise the script exits with status 1 (this replaces ``m4_weekly_naive2.py``).

Usage::

    python benchmarks/m4_weekly.py                      # the full benchmark
    python benchmarks/m4_weekly.py --quick              # 30 series, 2 epochs: a smoke run
    python benchmarks/m4_weekly.py --models naive2,theta,mlp --series 60
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecastkit import Forecaster  # noqa: E402
from forecastkit.data import from_pandas  # noqa: E402
from forecastkit.intervals import bound_columns, coverage, msis  # noqa: E402
from forecastkit.metrics import insample_scales, mase, owa, smape  # noqa: E402
from forecastkit.metrics.probabilistic import crps_quantiles  # noqa: E402
from forecastkit.models.registry import TRAINING  # noqa: E402

HORIZON = 13
SEASON = 1
SEED = 0
NAIVE2_PUBLISHED = {"sMAPE": 9.161, "MASE": 2.777}
TOLERANCE = 0.001

#: Sample windows with Forecaster's ``window_sample`` training setting instead of cutting
#: each series to its latest windows (see bound()). The one line to flip once the library
#: has it: ``"window_sample" in forecastkit.models.registry.TRAINING``.
USE_WINDOW_SAMPLE = True

#: Published M4 Weekly results (../shared/data/README.md): method -> (sMAPE, MASE, OWA).
PUBLISHED = {
    "Naive2 (= Naive1 = sNaive here)": (9.161, 2.777, 1.000),
    "SES": (9.012, 2.685, 0.975),
    "Theta": (9.093, 2.637, 0.971),
    "Damped": (8.866, 2.404, 0.917),
    "Comb (SES+Holt+Damped)": (8.944, 2.432, 0.926),
    "MLP (organisers' benchmark)": (21.349, 13.568, 3.608),
    "RNN (organisers' benchmark)": (15.220, 5.132, 1.755),
    "Smyl ES-RNN (overall winner)": (7.817, 2.356, 0.851),
    "Montero-Manso FFORMA (2nd)": (7.625, 2.108, 0.796),
    "best on Weekly (Forecast Pro)": (6.582, 2.107, 0.739),
}
THETA_PUBLISHED_OWA = 0.971
#: Published MSIS of the 95% intervals on the Weekly subset (M4 organisers' interval results).
MSIS_PUBLISHED = {
    "Naive2 (= Naive1 = sNaive here)": 26.358, "ETS": 20.386, "ARIMA": 19.575,
    "Smyl ES-RNN (overall winner)": 22.034, "Montero-Manso FFORMA (2nd)": 21.531, "best on Weekly": 16.469,
}
LEVEL = 95
#: Interval levels whose bounds are the quantiles 1% .. 49% and 51% .. 99% the CRPS is computed from.
GRID_LEVELS = tuple(range(2, 100, 2))
TAUS = tuple(k / 100 for k in range(1, 100))

BASELINES = ("naive2", "naive", "ets", "theta", "arima")


@dataclass
class Neural:
    """Settings of one global neural model (a registered forecastkit model)."""

    model: str
    lookback: int
    params: dict = field(default_factory=dict)
    scaler: str = "window_last"
    transform: str | None = None
    difference: bool = False
    distribution: str | None = None


#: The global neural models, each chosen on the validation hold-out (the last 13 training
#: points of each series; benchmarks/results/m4_weekly.md says what was tried). Per-series
#: scaling is either a per-window level (``window_mean``: each window and its targets divided
#: by the window's mean) or log, first differences and standardisation per series (the
#: windows are then standardised log growth rates, robust to the few series whose level
#: jumps twentyfold inside a window).
LOGDIFF = {"scaler": "standard", "transform": "log", "difference": True}
NEURAL = {
    "linear": Neural("linear", 52, {"epochs": 100, "batch_size": 256, "patience": 20,
                                    "learning_rate": 0.003}, **LOGDIFF),
    "mlp": Neural("mlp", 52, {"epochs": 100, "batch_size": 256, "patience": 20, "units": 128,
                              "learning_rate": 0.001}, scaler="window_mean"),
    "vanilla": Neural("vanilla", 26, {"epochs": 30, "batch_size": 256, "patience": 8, "units": 32,
                                      "learning_rate": 0.003}, **LOGDIFF),
    "cnn_lstm": Neural("cnn_lstm", 52, {"epochs": 30, "batch_size": 256, "patience": 8, "units": 32,
                                        "learning_rate": 0.003}, **LOGDIFF),
    # the mlp's settings with a Student-t head trained by likelihood (not tuned on its own)
    "mlp_studentt": Neural("mlp", 52, {"epochs": 100, "batch_size": 256, "patience": 20, "units": 128,
                                       "learning_rate": 0.001}, scaler="window_mean", distribution="studentt"),
}
#: Models whose forecast is a distribution's mean: not ensemble candidates (the ensemble stays the
#: validation-chosen median or mean of the point models, as before).
DISTRIBUTION_MODELS = tuple(name for name, cfg in NEURAL.items() if cfg.distribution)
ALL_MODELS = BASELINES + tuple(NEURAL)

#: Windows per series per epoch (the bound on the global models' work).
WINDOWS = 200
#: Ensemble sizes tried on the validation hold-out.
MAX_K = 5


# ----------------------------------------------------------------------------- data


def read_m4(path: Path) -> dict[str, np.ndarray]:
    """M4 csv -> {id: values}. Header V1..Vk, first column the id, rows padded with ''."""
    series = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)  # header V1, V2, ...
        for row in reader:
            if not row:
                continue
            values = [v for v in row[1:] if v.strip() != ""]
            series[row[0]] = np.array(values, dtype=np.float64)
    return series


#: The last training week of every series when they are given dates (``to_panel(dated=True)``).
#: M4 publishes each series' start in M4-info.csv, which ``../shared/data/m4`` does not hold; no
#: default reads the calendar (calendar features are opt-in), so what the dates tell is the
#: frequency alone: weekly, whose season forecastkit takes to be 52.
LAST_WEEK = "2017-12-31"


def to_panel(series: dict[str, np.ndarray], dated: bool = False):
    """A forecastkit Panel of the series: time = integer period 1..n of each series (M4's
    protocol, season 1), or with ``dated`` weekly dates (``W-SUN``) ending at :data:`LAST_WEEK`,
    as a user's weekly data would come."""
    def times(n: int):
        return pd.date_range(end=LAST_WEEK, periods=n, freq="W-SUN") if dated else np.arange(1, n + 1)

    frame = pd.concat([pd.DataFrame({"id": sid, "t": times(len(y)), "y": y}) for sid, y in series.items()],
                      ignore_index=True)
    return from_pandas(frame, id="id", time="t", target="y")


def bound(series: dict[str, np.ndarray], lookback: int, windows: int) -> tuple[dict, dict]:
    """(training series, extra params) bounding a global fit to ``windows`` windows per series.

    With ``window_sample`` in the library: all of each series, ``windows`` of its windows
    drawn per epoch. Without it: the last ``lookback + HORIZON + windows - 1`` points of
    each series, i.e. its latest ``windows`` windows every epoch.
    """
    if USE_WINDOW_SAMPLE:
        return series, {"window_sample": windows}
    keep = lookback + HORIZON + windows - 1
    return {sid: y[-keep:] for sid, y in series.items()}, {}


# -------------------------------------------------------------------------- scoring


def score(actual: np.ndarray, forecast: np.ndarray, history: dict[str, np.ndarray], bounds=None,
          quantiles=None) -> dict:
    """M4 sMAPE and MASE (m = 1) of each series, averaged over the series; with ``bounds``
    (lower, upper arrays like ``forecast``) also the 95% MSIS and the coverage; with
    ``quantiles`` (n_series, HORIZON, 99) at :data:`TAUS` the scaled CRPS (sCRPS).

    ``actual`` and ``forecast`` are (n_series, HORIZON); ``history`` is what each forecast
    was fitted on (the MASE, MSIS and sCRPS scale is its in-sample naive MAE).
    """
    smapes, mases, msises, crpses = [], [], [], []
    for i, (a, f, y) in enumerate(zip(actual, forecast, history.values())):
        scale = insample_scales(y, SEASON)[0]
        smapes.append(smape(a, f))
        mases.append(mase(a, f, scale))
        if bounds is not None:
            msises.append(msis(a, bounds[0][i], bounds[1][i], scale, LEVEL))
        if quantiles is not None:
            crpses.append(float(np.mean(crps_quantiles(a, quantiles[i], TAUS))) / scale)
    out = {"sMAPE": float(np.mean(smapes)), "MASE": float(np.mean(mases))}
    if bounds is not None:
        out.update(MSIS=float(np.mean(msises)), coverage=coverage(actual, bounds[0], bounds[1]))
    if quantiles is not None:
        out["sCRPS"] = float(np.mean(crpses))
    return out


def with_owa(scores: dict, naive2: dict) -> dict:
    return {**scores, "OWA": float(owa(scores["sMAPE"], scores["MASE"], naive2["sMAPE"], naive2["MASE"]))}


# --------------------------------------------------------------------------- models


def forecast(name: str, series: dict[str, np.ndarray], quick: bool, windows: int, intervals: bool = False):
    """Fit model ``name`` on ``series`` and forecast HORIZON steps: array (n_series, HORIZON);
    with ``intervals``, ``(forecast, (lower, upper), quantiles)``: the 95% intervals and the
    quantiles (n_series, HORIZON, 99) at :data:`TAUS`."""
    if name in BASELINES:
        train, forecaster = series, Forecaster(name, horizon=HORIZON, season=SEASON)
    else:
        cfg = NEURAL[name]
        train, extra = bound(series, cfg.lookback, windows)
        params = {**cfg.params, **extra}
        if quick:
            params["epochs"] = 2
        forecaster = Forecaster(cfg.model, horizon=HORIZON, lookback=cfg.lookback, params=params,
                                scaler=cfg.scaler, transform=cfg.transform, difference=cfg.difference,
                                season=SEASON, seed=SEED, distribution=cfg.distribution,
                                quantiles="0.5" if cfg.distribution else None)
    forecaster.fit(to_panel(train))
    levels = tuple(sorted({LEVEL, *GRID_LEVELS}))
    median = ["q0.5"] if intervals and forecaster.distribution else []
    frame = forecaster.predict(level=levels if intervals else None)
    grid = [bound_columns(level)[0] for level in GRID_LEVELS[::-1]] + median \
        + [bound_columns(level)[1] for level in GRID_LEVELS]
    columns = ["yhat", *bound_columns(LEVEL), *grid] if intervals else ["yhat"]
    by_id = {sid: part.sort_values("time") for sid, part in frame.groupby("id")}
    values = [np.stack([by_id[sid][c].to_numpy(np.float64) for sid in series]) for c in columns]
    if not intervals:
        return values[0]
    quantiles = np.stack(values[3:], axis=-1)
    if not median:  # the median of a symmetric interval family: the midpoint of its 2% interval
        quantiles = np.concatenate([quantiles[..., :49], (quantiles[..., 48:49] + quantiles[..., 49:50]) / 2,
                                    quantiles[..., 49:]], axis=-1)
    return values[0], (values[1], values[2]), quantiles


def interval_method(name: str) -> str:
    """Which method made a row's intervals (and so its quantiles and sCRPS)."""
    if name in BASELINES:
        return "native"
    if name in NEURAL:
        cfg = NEURAL[name]
        return f"{cfg.distribution} distribution" if cfg.distribution else "split-conformal"
    return "median of the members' bounds"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def choose_ensemble(val_forecasts: dict, val_actual, val_history, val_naive2) -> tuple[list, str, float]:
    """The (models, combiner, validation OWA) of the best top-k median/mean ensemble."""
    ranked = sorted(val_forecasts, key=lambda m: with_owa(
        score(val_actual, val_forecasts[m], val_history), val_naive2)["OWA"])
    best = None
    for k in range(1, min(MAX_K, len(ranked)) + 1):
        for how, combine in (("median", np.median), ("mean", np.mean)):
            if k <= 2 and how == "median":
                continue  # the same as the mean (k=2) or the model itself (k=1)
            stacked = np.stack([val_forecasts[m] for m in ranked[:k]])
            value = with_owa(score(val_actual, combine(stacked, axis=0), val_history), val_naive2)["OWA"]
            if best is None or value < best[2] - 1e-12:
                best = (ranked[:k], how, value)
    return best


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "m4",
                        help="folder with Weekly-train.csv and Weekly-test.csv "
                             "(default: ../shared/data/m4 from the repository root)")
    parser.add_argument("--models", default=",".join(ALL_MODELS),
                        help=f"comma-separated models (default: all of {','.join(ALL_MODELS)}); "
                             "naive2 always runs (OWA needs it)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 30 series (every 12th), 2 epochs")
    parser.add_argument("--series", type=int, default=None,
                        help="use every k-th series so that about this many remain (subset runs)")
    parser.add_argument("--windows", type=int, default=WINDOWS,
                        help=f"windows per series per epoch for the global models (default {WINDOWS})")
    parser.add_argument("--no-validation", action="store_true",
                        help="skip the validation fits (and so the ensemble)")
    args = parser.parse_args(argv)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in ALL_MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {','.join(ALL_MODELS)}")
    models = ["naive2"] + [m for m in models if m != "naive2"]

    wall = time.perf_counter()
    train = read_m4(args.data / "Weekly-train.csv")
    test = read_m4(args.data / "Weekly-test.csv")
    if train.keys() != test.keys():
        print(f"train and test ids differ: {sorted(train.keys() ^ test.keys())[:5]} ...")
        return 2
    bad = [sid for sid, y in test.items() if y.size != HORIZON]
    if bad:
        print(f"series {bad[0]}: test has {test[bad[0]].size} values, expected {HORIZON}")
        return 2
    n_wanted = 30 if args.quick else args.series
    if n_wanted:
        step = max(1, len(train) // n_wanted)
        ids = list(train)[::step][:n_wanted]
        train, test = {i: train[i] for i in ids}, {i: test[i] for i in ids}
    full = len(train) == 359 and not args.quick

    if USE_WINDOW_SAMPLE and "window_sample" not in {h.name for h in TRAINING}:
        print("USE_WINDOW_SAMPLE is set but this forecastkit has no `window_sample` training setting")
        return 2
    if any(m in NEURAL for m in models):
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # retracing notices from predict on new shapes
        tf.config.experimental.enable_op_determinism()  # same command, same numbers

    actual = np.stack(list(test.values()))
    val_train = {sid: y[:-HORIZON] for sid, y in train.items()}
    val_actual = np.stack([y[-HORIZON:] for y in train.values()])
    validate = not args.no_validation

    lengths = [len(y) for y in train.values()]
    print(f"M4 Weekly: {len(train)} series, {min(lengths)}-{max(lengths)} observations, horizon "
          f"{HORIZON}, season {SEASON}; global models: at most {args.windows} windows per series per "
          + ("epoch (window_sample)" if USE_WINDOW_SAMPLE else
             "epoch (the latest ones: each series cut to its last lookback+13+windows-1 points)")
          + (", 2 epochs (--quick)" if args.quick else ""), flush=True)

    rows, tests, test_bounds, test_quantiles, vals = {}, {}, {}, {}, {}
    for name in models:
        start = time.perf_counter()
        if validate:
            vals[name] = forecast(name, val_train, args.quick, args.windows)
        val_seconds = time.perf_counter() - start
        start = time.perf_counter()
        tests[name], test_bounds[name], test_quantiles[name] = forecast(name, train, args.quick, args.windows,
                                                                        intervals=True)
        rows[name] = {"seconds": time.perf_counter() - start, "val s": val_seconds, "peak MiB": peak_mib(),
                      **score(actual, tests[name], train, test_bounds[name], test_quantiles[name])}
        if validate:
            rows[name]["val"] = score(val_actual, vals[name], val_train)
        print(f"  {name:<10} done: test fit {rows[name]['seconds']:6.1f} s, validation fit {val_seconds:6.1f} s, "
              f"peak {rows[name]['peak MiB']:7.0f} MiB", flush=True)

    naive2, val_naive2 = rows["naive2"], rows["naive2"].get("val")
    for row in rows.values():
        row.update(with_owa(row, naive2))
        row["val OWA"] = with_owa(row["val"], val_naive2)["OWA"] if validate else float("nan")

    if validate and len(models) > 1:
        start = time.perf_counter()
        candidates = {m: v for m, v in vals.items() if m not in DISTRIBUTION_MODELS}
        chosen, how, val_owa = choose_ensemble(candidates, val_actual, val_train, val_naive2)
        combine = np.median if how == "median" else np.mean
        ens = combine(np.stack([tests[m] for m in chosen]), axis=0)
        ens_bounds = tuple(np.median(np.stack([test_bounds[m][j] for m in chosen]), axis=0) for j in (0, 1))
        ens_quantiles = np.median(np.stack([test_quantiles[m] for m in chosen]), axis=0)
        label = (f"ensemble ({how} of {'+'.join(chosen)})" if len(chosen) > 1
                 else f"ensemble (k=1: {chosen[0]})")
        rows[label] = {**with_owa(score(actual, ens, train, ens_bounds, ens_quantiles), naive2), "val OWA": val_owa,
                       "seconds": time.perf_counter() - start, "val s": 0.0, "peak MiB": peak_mib()}
    elapsed = time.perf_counter() - wall

    print()
    print(f"| method | sMAPE | MASE | OWA | MSIS {LEVEL}% | coverage {LEVEL}% | sCRPS | intervals | val OWA | seconds "
          "| val s | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['sMAPE']:.3f} | {r['MASE']:.3f} | {r['OWA']:.3f} | {r['MSIS']:.3f} "
              f"| {100 * r['coverage']:.1f} | {r['sCRPS']:.3f} | {interval_method(name)} | {r['val OWA']:.3f} "
              f"| {r['seconds']:.1f} | {r['val s']:.1f} | {r['peak MiB']:.0f} |")
    for name, (s, m, o) in PUBLISHED.items():
        published_msis = next((v for k, v in MSIS_PUBLISHED.items() if name.startswith(k)), None)
        shown = f"{published_msis:.3f}" if published_msis else ""
        print(f"| *published:* {name} | {s:.3f} | {m:.3f} | {o:.3f} | {shown} | | | | | | | |")
    for name, value in MSIS_PUBLISHED.items():
        if not any(k.startswith(name) for k in PUBLISHED):
            print(f"| *published:* {name} | | | | {value:.3f} | | | | | | | |")
    print()
    best = min((n for n in rows if n != "naive2"), key=lambda n: rows[n]["OWA"], default="naive2")
    ours_theta = rows.get("theta", {}).get("OWA")
    print(f"Best forecastkit row: {best}, OWA {rows[best]['OWA']:.3f} = "
          f"{rows[best]['OWA'] / THETA_PUBLISHED_OWA:.3f} x published Theta ({THETA_PUBLISHED_OWA})"
          + (f", {rows[best]['OWA'] / ours_theta:.3f} x our theta ({ours_theta:.3f})" if ours_theta else ""))
    print(f"Total wall time {elapsed:.1f} s ({elapsed / 60:.1f} min), process peak {peak_mib():.0f} MiB, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")

    if not full:
        print("Naive2 exactness check skipped (subset or --quick run)")
        return 0
    ok = True
    for metric, published in NAIVE2_PUBLISHED.items():
        diff = naive2[metric] - published
        ok &= abs(diff) <= TOLERANCE
        print(f"Naive2 {metric} {naive2[metric]:.4f} vs published {published:.3f} (diff {diff:+.4f})")
    print("OK: Naive2 matches the published figures" if ok
          else f"MISMATCH: Naive2 differs from the published figures by more than {TOLERANCE}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
