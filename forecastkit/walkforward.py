"""Walk-forward evaluation: every model, every series, every origin, without leakage.

For each model and series the :class:`~forecastkit.splits.WalkForward` splitter says which
rows each fit trains on and which origins it serves. The refit policy governs the neural
models; baselines have no costly training and are re-estimated at every origin from the
history known there (within the training window). A fit is a fresh clone of the model's
:class:`~forecastkit.forecaster.Forecaster` (transforms included) trained on that slice
alone, seeded from ``(seed, model, id, fit)``; all origins it serves are forecast in one
batched call from the history known at each origin.

On a panel, a *local* neural model (``mode="local"``) fits each series alone; a *global*
one (``mode="global"``, the default) makes fit ``k`` once for all series, on each series'
rows before its own fit-``k`` cut-off and, when the series' cut-offs differ in time, before
the earliest of them, so no series' training sees another's future. Its fits are recorded
under the id ``"*"``. Every fit is committed to SQLite before
the next starts; a fit that raises or diverges is recorded as failed and the run goes on.
With a warm start, the weights each fit leaves are checkpointed in the run directory before
its commit, so a resumed chain continues from them. TensorFlow op determinism is on during
the run (unless ``deterministic=False``): the same seed gives byte-identical results.

Fast path (the default, ``fast=True``): with refit ``always`` or ``every:K`` and no warm start,
the fits of a neural model (all of them, across the series of a local model) train together
in groups, fold-parallel (:mod:`forecastkit.grouped`): each fit still prepares its own
windows and transforms from its own training rows, draws its own initial weights and batch
order from its own seed, keeps its own Adam state and early stopping, fails alone, and is
committed on its own once its group has trained. Groups are fixed chunks of the model's
fits in order, so a resumed run retrains a partly committed group whole and gets the same
numbers. A builder or setting the grouped layers do not cover (dropout, quantile heads,
series embeddings, a Keras backend other than TensorFlow) falls back to the sequential fits
with one warning; ``fast=False`` forces the sequential path, which ensembles and bagged models
(:mod:`forecastkit.ensemble`: several networks per fit) always take. Recursive models
(``strategy="recursive"``) train their one-step networks on either path and roll them out
over each origin's horizon from the history known there.

Examples
--------
>>> from forecastkit import datasets
>>> from forecastkit.splits import WalkForward
>>> result = walk_forward(datasets.load("airline"), ["naive", "seasonal_naive"],
...                       WalkForward(horizon=12, folds=3, stride=12), baselines=False)
>>> result.to_frame().groupby("model")["fit"].nunique().to_dict()
{'naive': 3, 'seasonal_naive': 3}
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import warnings
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone

from . import report
from .data import Panel
from .ensemble import kind_of
from .errors import ConfigError, DataError
from .forecaster import GLOBAL_KEY, Forecaster, as_panel, default_lookback
from .intervals import check_levels, conformal_intervals
from .metrics import insample_scales
from .models.registry import get_spec
from .splits import WalkForward
from .store import RESULT_COLUMNS, RunStore

#: The id under which the fits of a global model (one fit for all series) are recorded.
GLOBAL_ID = "*"
#: Reference baselines added to every evaluation unless ``baselines=False``.
DEFAULT_BASELINES = ("naive", "seasonal_naive", "naive2", "ets", "theta", "arima")
STORE_NAME = "results.sqlite"
CHECKPOINTS = "checkpoints"


def fit_seed(seed: int, model: str, sid: str, fit: int) -> int:
    """The seed of one fit, derived from the run seed, model label, series id and fit index.

    A resumed run therefore trains every remaining fit exactly as an uninterrupted run would.

    Examples
    --------
    >>> fit_seed(0, "linear", "a", 3) == fit_seed(0, "linear", "a", 3) != fit_seed(1, "linear", "a", 3)
    True
    """
    return zlib.crc32(f"{seed}|{model}|{sid}|{fit}".encode()) % (2**31 - 1)


@dataclass
class _Series:
    sid: str
    y: np.ndarray
    times: pd.Index
    frame: pd.DataFrame  # this series' rows of the panel frame
    known: list  # columns a forecast may see over its horizon: time and future-known covariates
    panel: Panel  # the whole panel (its roles and metadata)


@dataclass
class _Unit:
    """What one chain of fits covers: one series (local) or all of them (global, id ``"*"``)."""

    key: str
    series: list
    folds: dict  # sid -> list of Fold


def walk_forward(data, models, splitter: WalkForward | None = None, *, seed: int = 0,
                 baselines: bool = True, season: int | None = None, out=None, resume: bool = False,
                 progress: bool = False, deterministic: bool = True, skip_short: bool = False,
                 levels=(), min_calibration: int = 10, fast: bool = True, **load_kwargs) -> "WalkForwardResult":
    """Evaluate ``models`` on every series of ``data`` at every walk-forward origin.

    Parameters
    ----------
    data : Panel, CSV path or pandas object
        The full history; ``load_kwargs`` go to the loader.
    models : list or dict
        Model names or :class:`Forecaster` objects (their ``horizon`` must equal the
        splitter's), or a dict ``{label: Forecaster}`` to compare variants of one model.
    splitter : WalkForward
        Origins, stride, gap, training window and refit policy (default: 5 folds, horizon 1).
    seed : int
        Run seed; each fit's seed is :func:`fit_seed` of it.
    baselines : bool
        Add the reference baselines (:data:`DEFAULT_BASELINES`) not already listed.
    season : int or None
        Season length for baselines and MASE (default: from the frequency).
    out : path or None
        Directory for ``results.sqlite`` (committed per fit) and, with warm-started models,
        ``checkpoints/`` (the weights a resumed chain continues from); None keeps results in
        memory.
    resume : bool
        Continue the run stored in ``out``, skipping committed fits.
    progress : bool
        Show a progress bar over fits (on standard error).
    deterministic : bool
        Turn TensorFlow op determinism on while the run trains (restored afterwards when
        possible), so the same seed gives identical numbers; False is faster on some hardware.
    skip_short : bool
        Leave out (with a warning naming them) the series too short for the splitter and
        models, instead of raising :class:`~forecastkit.errors.DataError`.
    levels : sequence of numbers, e.g. (80, 95)
        Add conformal prediction intervals at these levels (percent) to every forecast,
        calibrated only on errors known before its origin
        (:func:`~forecastkit.intervals.conformal_intervals`), and score them.
    min_calibration : int
        Earlier errors needed (per model, series and step) before an origin gets an interval.
    fast : bool
        Train the fits of each neural model fold-parallel in groups (see the module notes);
        False trains every fit on its own, one after another.

    Returns
    -------
    WalkForwardResult
    """
    splitter = splitter or WalkForward()
    levels = check_levels(levels)
    panel = as_panel(data, **load_kwargs)
    season = int(season or panel.season_length())
    series = _series_of(panel)
    entries = _resolve_models(models, splitter.horizon, baselines, season,
                              _shortest_train(series, splitter))
    for forecaster in entries.values():
        forecaster.check_covariates(panel)  # before any fit: e.g. recursive with past-observed covariates
    series = _long_enough(series, entries, splitter, skip_short)
    folds = {s.sid: splitter.split(len(s.y), times=s.times) for s in series}  # neural models
    per_origin = replace(splitter, refit="always")  # baselines re-estimate at every origin
    baseline_folds = {s.sid: per_origin.split(len(s.y), times=s.times) for s in series}
    config = {
        "source": panel.source, "target": panel.target, "freq": panel.freq, "season": season,
        "seed": seed, "splitter": vars(splitter).copy(), "deterministic": bool(deterministic),
        "models": {label: _jsonable(f.get_params()) for label, f in entries.items()},
    }
    store = _open_store(out, config, resume)
    neural = any(kind_of(f) == "neural" for f in entries.values())
    try:
        store.commit_scales(_scale_rows(series, folds, season))
        with _op_determinism(deterministic and neural):
            _run(entries, series, {"neural": folds, "baseline": baseline_folds}, seed, store, progress,
                 fast and splitter.refit != "never")
        return WalkForwardResult.from_store(store, season, levels, min_calibration)
    finally:
        store.close()


@contextlib.contextmanager
def _op_determinism(on: bool):
    """TensorFlow op determinism on for the block (other backends: per-fit seeds suffice).

    TensorFlow has no public switch back, so the previous state is restored through its
    private one when present; otherwise determinism stays on for the process.
    """
    if not on:
        yield
        return
    from .models.keras_common import import_keras

    if import_keras().backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    was_on = getattr(tf_config, "is_op_determinism_enabled", lambda: True)()
    tf.config.experimental.enable_op_determinism()
    try:
        yield
    finally:
        if not was_on and hasattr(tf_config, "disable_op_determinism"):
            tf_config.disable_op_determinism()


def _series_of(panel: Panel) -> list[_Series]:
    out = []
    known = ["id", "time", *panel.future_covariates]
    for sid in panel.ids:
        frame = panel.series(sid)
        times = frame["time"]
        index = pd.DatetimeIndex(times) if pd.api.types.is_datetime64_any_dtype(times) else pd.Index(times)
        out.append(_Series(sid, frame["y"].to_numpy(float), index, frame, known, panel))
    return out


def _shortest_train(series: list[_Series], splitter: WalkForward) -> int:
    """Training rows of the first fold of the shortest series that has a fold at all."""
    lengths = []
    for s in series:
        try:
            lengths.append(len(splitter.split(len(s.y), times=s.times)[0].train))
        except DataError:
            continue
    return min(lengths) if lengths else 1


def _resolve_models(models, horizon: int, baselines: bool, season: int, shortest_train: int) -> dict:
    if isinstance(models, (str, Forecaster)):
        models = [models]
    items = models.items() if isinstance(models, dict) else [
        (m if isinstance(m, str) else m.model, m) for m in models]
    entries = {}
    for label, model in items:
        if label in entries:
            raise ConfigError(f"Model {label!r} is listed twice; pass a dict {{label: Forecaster}} "
                              "to compare variants of one model.")
        forecaster = Forecaster(model, horizon=horizon) if isinstance(model, str) else clone(model)
        if forecaster.horizon != horizon:
            raise ConfigError(f"Forecaster {label!r} has horizon {forecaster.horizon} but the walk-forward "
                              f"horizon is {horizon}; give both the same horizon.")
        forecaster.check_params()
        entries[label] = forecaster
    if baselines:
        for name in DEFAULT_BASELINES:
            entries.setdefault(name, Forecaster(name, horizon=horizon))
    for forecaster in entries.values():
        forecaster.set_params(season=forecaster.season or season, verbose=0)
        if kind_of(forecaster) == "neural" and forecaster.lookback is None:
            forecaster.set_params(lookback=default_lookback(horizon, forecaster.season, shortest_train,
                                                            get_spec(forecaster.model).lookback_multiple))
    return entries


def _long_enough(series: list[_Series], entries: dict, splitter: WalkForward, skip_short: bool) -> list[_Series]:
    """The series every model can be evaluated on; the others raise, or with ``skip_short``
    are left out with one warning naming them."""
    kept, skipped = [], []
    for s in series:
        try:
            for label, forecaster in entries.items():
                try:
                    splitter.split(len(s.y), _min_train(forecaster, splitter.horizon), s.times)
                except DataError as err:
                    raise DataError(f"Model {label!r}, series {s.sid!r}: {err}") from None
        except DataError as err:
            if not skip_short:
                raise DataError(f"{err} Or pass --skip-short (skip_short=True) to leave such series out.") from None
            skipped.append(f"{s.sid!r} ({len(s.y)} rows)")
            continue
        kept.append(s)
    if skipped:
        listed = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
        if not kept:
            raise DataError(f"Every series is too short for this walk-forward: {listed}. Use fewer --folds, "
                            "a smaller --lookback/--horizon, or longer series.")
        warnings.warn(f"Skipped {len(skipped)} series too short for this walk-forward (--skip-short): {listed}.",
                      UserWarning, stacklevel=3)
    return kept


def _min_train(forecaster: Forecaster, horizon: int) -> int:
    if kind_of(forecaster) == "baseline":
        return 1
    return forecaster.lookback + forecaster.model_horizon + forecaster.warmup(forecaster.season)  # 1 step if recursive


def _jsonable(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "verbose"}


def _open_store(out, config: dict, resume: bool) -> RunStore:
    if out is None:
        if resume:
            raise ConfigError("`resume=True` needs the `out` directory of the run to resume.")
        return RunStore.create(None, config)
    path = Path(out) / STORE_NAME
    return RunStore.resume(path, config) if resume else RunStore.create(path, config)


def _scale_rows(series: list[_Series], folds: dict, season: int) -> list[tuple]:
    """MASE scales from the history known at each origin (within the training window)."""
    rows = []
    for s in series:
        for fold in folds[s.sid]:
            scale, scale_naive = insample_scales(s.y[fold.train_start:fold.origin], season)
            rows.append((s.sid, _cell(s.times[fold.origin]), scale, scale_naive))
    return rows


def _cell(value):
    """A time value as stored in SQLite: ISO text for timestamps, int for periods."""
    return value.isoformat() if isinstance(value, pd.Timestamp) else int(value)


def _run(entries: dict, series: list[_Series], folds: dict, seed: int, store: RunStore,
         progress: bool, fast: bool = False) -> None:
    """``folds[kind][sid]``: neural models follow the refit policy, baselines refit per origin.

    With ``fast``, each neural model the grouped layers cover trains its fits in groups."""
    done = store.done()
    plan = [(label, f, unit) for label, f in entries.items()
            for unit in _units(f, series, folds[kind_of(f)])]
    todo = sum(1 for label, _, unit in plan for fit in _fits(unit) if (label, unit.key, fit) not in done)
    with _progress_bar(progress, todo) as advance:
        for label, forecaster in entries.items():
            units = [unit for other, _, unit in plan if other == label]
            if fast and _grouped_reason(label, forecaster) is None:
                _run_grouped(label, forecaster, units, seed, store, done, advance)
                continue
            for unit in units:
                _run_chain(label, forecaster, unit, seed, store, done, advance)


#: Fits trained together in one group (fewer when their windows would exceed the budget).
GROUP_FITS = 8
#: Rough bytes of window tables one group may hold.
GROUP_BUDGET = 512 * 2**20


def _grouped_reason(label: str, forecaster: Forecaster) -> str | None:
    """None when ``forecaster``'s fits train on the fast path; else why not (warned once,
    unless the model is a baseline, an ensemble, bagged or warm-started: sequential by nature)."""
    spec = get_spec(forecaster.model)
    if spec.kind != "neural" or forecaster.warm_start or forecaster.bag != 1:
        return "sequential"
    from .grouped import layer_plan, supported

    build_args, _ = spec.split(forecaster.check_params())
    reason = None
    if forecaster.quantiles:
        reason = "quantile heads are not grouped"
    elif forecaster.id_embedding:
        reason = "series embeddings are not grouped"
    elif not supported():
        reason = "fold-parallel training needs the TensorFlow backend"
    else:
        plan = layer_plan(forecaster.model, build_args, (1, 1), forecaster.model_horizon)
        reason = plan if isinstance(plan, str) else None
    if reason:
        warnings.warn(f"Model {label!r}: {reason}, so its fits train one after another (the sequential "
                      "walk-forward path) instead of fold-parallel.", UserWarning, stacklevel=4)
    return reason


@dataclass
class _Job:
    """One fit on the fast path: its forecaster, served origins, windows and outcome."""

    unit: _Unit
    fit: int
    forecaster: Forecaster
    served: list
    seconds: float = 0.0
    windows: object = None
    arch: object = None
    error: Exception | None = None
    outcome: object = None


def _run_grouped(label: str, template: Forecaster, units: list, seed: int, store: RunStore, done: dict,
                 advance) -> None:
    """All fits of one neural model (every unit's), trained fold-parallel in fixed groups.

    The groups are consecutive chunks of the model's fits in order, whatever is already
    committed, so a resumed run trains each remaining fit in the same group as an
    uninterrupted run (a partly committed group is retrained whole; only its uncommitted
    fits are committed).
    """
    from .grouped import SlotModel, layer_plan, train_group

    pairs = [(unit, fit) for unit in units for fit in _fits(unit)]
    if all((label, unit.key, fit) in done for unit, fit in pairs):
        return
    spec = get_spec(template.model)
    build_args, _ = spec.split(template.check_params())
    size = _group_size(template, pairs)
    for start in range(0, len(pairs), size):
        chunk = pairs[start:start + size]
        if all((label, unit.key, fit) in done for unit, fit in chunk):
            continue
        jobs = []
        for unit, fit in chunk:
            began = time.perf_counter()
            forecaster = clone(template).set_params(seed=fit_seed(seed, label, unit.key, fit))
            job = _Job(unit, fit, forecaster, [(s, f) for s in unit.series for f in unit.folds[s.sid] if f.fit == fit])
            try:
                windows = forecaster.prepare_windows(_training_panel(job.served))
                job.windows = windows.get(GLOBAL_KEY) if len(windows) == 1 else None
                if job.windows is None:
                    raise RuntimeError("a grouped fit needs one pooled window set")
                job.arch = layer_plan(template.model, build_args, (job.windows.span, job.windows.n_features),
                                      template.model_horizon)
            except Exception as err:  # contained, like a sequential fit's
                job.error = err
            job.seconds = time.perf_counter() - began
            jobs.append(job)
        by_arch: dict = {}
        for job in jobs:
            if job.error is None:
                by_arch.setdefault(job.arch, []).append(job)
        for arch, members in by_arch.items():
            began = time.perf_counter()
            outcomes = train_group(arch, [j.windows for j in members], [j.forecaster.seed for j in members],
                                   members[0].forecaster.hyper_, description=f"training {template.model}",
                                   slots=size)
            share = (time.perf_counter() - began) / len(members)
            for job, outcome in zip(members, outcomes):
                job.outcome, job.seconds = outcome, job.seconds + share
                if outcome.error is not None:
                    job.error = outcome.error
                else:
                    job.forecaster.model_ = SlotModel(arch, outcome.weights, build_args)
        for job in jobs:
            key = (label, job.unit.key, job.fit)
            if key in done:
                continue
            began = time.perf_counter()
            status, reason, predictions = _grouped_forecast(job)
            rows = [(label, s.sid, job.fit, _cell(s.times[f.origin]), h + 1, _cell(s.times[f.origin + h]),
                     float(s.y[f.origin + h]), float(predictions[i, h]))
                    for i, (s, f) in enumerate(job.served) for h in range(f.horizon)]
            seconds = job.seconds + time.perf_counter() - began
            store.commit_fit(label, job.unit.key, job.fit, status, reason, rows, seconds,
                             getattr(job.forecaster, "preprocess_", ""))
            advance()


def _group_size(template: Forecaster, pairs: list) -> int:
    """Fits per group: :data:`GROUP_FITS`, fewer when their window tables would exceed
    :data:`GROUP_BUDGET` (a rough estimate from the training rows, fixed for the run)."""
    lookback = template.lookback or 64
    widest = 1
    for unit, fit in pairs:
        for s in unit.series:
            fold = next(f for f in unit.folds[s.sid] if f.fit == fit)
            columns = len(s.frame.columns)
            widest = max(widest, (fold.train_end - fold.train_start) * (lookback + template.horizon) * columns)
    per_fit = 3 * 4 * widest * max(len(unit.series) for unit, _ in pairs)
    return int(max(1, min(GROUP_FITS, GROUP_BUDGET // max(per_fit, 1))))


def _grouped_forecast(job: _Job):
    """(status, reason, predictions) of a fit trained in a group: calibrate, then forecast."""
    horizon = job.served[0][1].horizon
    try:
        if job.error is not None:
            raise job.error
        forecaster = job.forecaster
        forecaster.__dict__.pop("models_", None)
        calibration, residuals = forecaster._calibrate(forecaster.model_, job.windows, forecaster.hyper_["validation"])
        forecaster.calibration_, forecaster.residuals_ = {GLOBAL_KEY: calibration}, {GLOBAL_KEY: residuals}
        predictions = forecaster.predict_histories(_histories(job.served))
        if not np.all(np.isfinite(predictions)):
            raise ArithmeticError("the forecasts contain NaN or inf")
        return "ok", "", predictions
    except Exception as err:  # contained: recorded with its reason, the run goes on
        return "failed", f"{type(err).__name__}: {err}", np.full((len(job.served), horizon), np.nan)


def _units(forecaster: Forecaster, series: list[_Series], folds: dict) -> list[_Unit]:
    """One unit per series, or one for all series for a global neural model on a panel."""
    global_fit = (kind_of(forecaster) == "neural" and forecaster.mode == "global"
                  and len(series) > 1)
    if not global_fit:
        return [_Unit(s.sid, [s], {s.sid: folds[s.sid]}) for s in series]
    fits = {s.sid: [f.fit for f in folds[s.sid]] for s in series}
    first = next(iter(fits.values()))
    if any(v != first for v in fits.values()):
        odd = next(sid for sid, v in fits.items() if v != first)
        raise DataError(f"A global model fits all series together, so every series needs the same fits, but "
                        f"series {odd!r} has {len(set(fits[odd]))} fits and {series[0].sid!r} has "
                        f"{len(set(first))} (its --start leaves it other origins). Use --folds, or --local.")
    return [_Unit(GLOBAL_ID, series, {s.sid: folds[s.sid] for s in series})]


def _fits(unit: _Unit) -> list[int]:
    """The fit indices of a unit, in order."""
    return list(dict.fromkeys(f.fit for f in next(iter(unit.folds.values()))))


def _run_chain(label: str, template: Forecaster, unit: _Unit, seed: int, store: RunStore, done: dict,
               advance) -> None:
    """All fits of one model on one unit, in order (a warm start needs the previous fit).

    A warm-started chain continues each fit from the weights the previous one left, except
    after a failed fit (it starts afresh). A resumed chain restores those weights from the
    checkpoint of its last committed fit, or, if that is missing, replays the fits since the
    last failure without committing them again.
    """
    order = _fits(unit)
    remaining = [fit for fit in order if (label, unit.key, fit) not in done]
    if not remaining:
        return
    warm = template.warm_start and get_spec(template.model).kind == "neural"
    checkpoint = _Checkpoint(store.path.parent / CHECKPOINTS, label, unit.key) if warm and store.path else None
    forecaster, start = None, order.index(remaining[0])
    if warm:
        forecaster, start = _warm_state(template, label, unit.key, order, start, done, checkpoint)
    for fit in order[start:]:
        key = (label, unit.key, fit)
        if key in done and not warm:
            continue
        if forecaster is None or not warm:
            forecaster = clone(template)
        forecaster.set_params(seed=fit_seed(seed, label, unit.key, fit))
        served = [(s, f) for s in unit.series for f in unit.folds[s.sid] if f.fit == fit]
        began = time.perf_counter()
        status, reason, predictions = _fit_and_forecast(forecaster, served)
        chosen = getattr(forecaster, "preprocess_", "")
        if status != "ok":
            forecaster = None  # a failed fit's weights are not continued
        if key in done:  # replayed only to rebuild warm-start weights
            continue
        rows = [(label, s.sid, fit, _cell(s.times[f.origin]), h + 1, _cell(s.times[f.origin + h]),
                 float(s.y[f.origin + h]), float(predictions[i, h]))
                for i, (s, f) in enumerate(served) for h in range(f.horizon)]
        if checkpoint:
            checkpoint.save(forecaster, fit)  # before the commit: a committed fit has its weights
        store.commit_fit(label, unit.key, fit, status, reason, rows, time.perf_counter() - began, chosen)
        if checkpoint:
            checkpoint.prune(keep=None if fit == order[-1] else fit)
        advance()


def _warm_state(template: Forecaster, label: str, sid: str, order: list[int], start: int, done: dict,
                checkpoint: "_Checkpoint | None") -> tuple[Forecaster | None, int]:
    """(forecaster to continue from, index of the first fit to run) for a resumed warm chain."""
    if start == 0 or done[(label, sid, order[start - 1])] != "ok":
        return None, start  # nothing before, or the last committed fit failed: start afresh
    model = checkpoint.load(order[start - 1]) if checkpoint else None
    if model is not None:
        forecaster = clone(template)
        forecaster.model_ = model
        return forecaster, start
    failed = [i for i in range(start) if done[(label, sid, order[i])] != "ok"]
    return None, failed[-1] + 1 if failed else 0  # replay since the last failure


class _Checkpoint:
    """The weights (and optimizer state) a warm-started chain's last committed fit left.

    One ``.keras`` file per chain in ``folder``, named by a digest of (model label, series
    id) and the fit index, written to a temporary name, flushed to disk and renamed, so a
    file that exists is complete. The previous fit's file is removed only after the next
    fit is committed, and the last one when the chain is complete.
    """

    def __init__(self, folder: Path, label: str, sid: str):
        self.folder = folder
        self.stem = hashlib.sha256(f"{label}\0{sid}".encode()).hexdigest()[:16]

    def path(self, fit: int) -> Path:
        return self.folder / f"{self.stem}-{fit}.keras"

    def save(self, forecaster: Forecaster | None, fit: int) -> None:
        if forecaster is None or not hasattr(forecaster, "model_"):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f"{self.stem}-{fit}-partial.keras"
        forecaster.model_.save(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, self.path(fit))

    def load(self, fit: int):
        """The checkpointed keras.Model of ``fit`` (safe mode), or None if missing or unreadable."""
        if not self.path(fit).is_file():
            return None
        from .models.keras_common import import_keras

        try:
            return import_keras().models.load_model(self.path(fit), safe_mode=True)
        except Exception:  # a damaged checkpoint costs a replay, not the run
            return None

    def prune(self, keep: int | None) -> None:
        """Remove this chain's files other than fit ``keep``'s (all of them for None)."""
        for path in self.folder.glob(f"{self.stem}-*.keras"):
            if keep is None or path != self.path(keep):
                path.unlink(missing_ok=True)


def _fit_and_forecast(forecaster: Forecaster, served: list):
    """Train on the training rows of the served ``(series, fold)`` pairs; forecast every one.

    Each series trains on the rows of its first served fold; when several series train
    together (a global fit) and their cut-offs fall at different times, every series stops
    before the earliest cut-off, so no series' training sees another's future.
    """
    try:
        predictions = forecaster.fit(_training_panel(served)).predict_histories(_histories(served))
        if not np.all(np.isfinite(predictions)):
            raise ArithmeticError("the forecasts contain NaN or inf")
        return "ok", "", predictions
    except Exception as err:  # contained: recorded with its reason, the run goes on
        return "failed", f"{type(err).__name__}: {err}", np.full((len(served), served[0][1].horizon), np.nan)


def _training_panel(served: list) -> Panel:
    """The training rows of a fit serving the ``(series, fold)`` pairs (see :func:`_fit_and_forecast`)."""
    first = {}
    for s, fold in served:
        first.setdefault(s.sid, (s, fold))
    cutoff = min(s.times[fold.train_end] for s, fold in first.values()) if len(first) > 1 else None
    parts = []
    for s, fold in first.values():
        stop = fold.train_end if cutoff is None else min(fold.train_end, int(s.times.searchsorted(cutoff)))
        parts.append(s.frame.iloc[fold.train_start:stop])
    return served[0][0].panel.with_frame(pd.concat(parts, ignore_index=True))


def _histories(served: list) -> list:
    """``(id, history known at the origin, horizon rows of known columns)`` per served origin."""
    return [(s.sid, s.frame.iloc[f.train_start:f.origin], s.frame.iloc[f.origin:f.origin + f.horizon][s.known]
             .reset_index(drop=True)) for s, f in served]


class _progress_bar:
    """Context manager yielding an ``advance()`` callable (a no-op when not shown)."""

    def __init__(self, show: bool, total: int):
        self.show, self.total = show and total > 0, total

    def __enter__(self):
        if not self.show:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("walk-forward fits"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("fits", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc):
        if self.show:
            self.bar.stop()
        return False


@dataclass
class WalkForwardResult:
    """Everything a walk-forward run produced; every metric and plot derives from it.

    Attributes
    ----------
    results : tidy table ``model, id, fit, origin, h, time, y_true, y_pred``, then the
        conformal bounds ``yhat_lo_<L>, yhat_hi_<L>`` of each level ``L`` in ``levels``.
    scales : MASE scales per ``id, origin``.
    fits : ``model, id, fit, status, reason, preprocess`` for every fit (``preprocess``: the target
        transforms a neural fit chose or was given, e.g. ``"log + diff + standard"``; empty for baselines).
    timings : seconds per fit (kept apart so results compare byte for byte).
    config : the run's configuration.
    """

    results: pd.DataFrame
    scales: pd.DataFrame
    fits: pd.DataFrame
    timings: pd.DataFrame
    config: dict
    season: int = 1
    levels: tuple = ()
    min_calibration: int = 10
    extras: dict = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: RunStore, season: int, levels=(), min_calibration: int = 10) -> "WalkForwardResult":
        config = store.config()
        results = store.table("results")
        scales = store.table("scales")
        for frame, columns in ((results, ("origin", "time")), (scales, ("origin",))):
            for column in columns:
                frame[column] = _times(frame[column], config["freq"])
        results = results[RESULT_COLUMNS]
        if levels:
            results = conformal_intervals(results, levels, min_calibration)
        fits = store.table("fits").merge(store.table("choices"), on=["model", "id", "fit"], how="left")
        fits["preprocess"] = fits["preprocess"].fillna("")
        return cls(results, scales, fits, store.table("timings"), config, season,
                   tuple(levels), min_calibration)

    def to_frame(self) -> pd.DataFrame:
        """The tidy results table (a copy)."""
        return self.results.copy()

    @property
    def failed(self) -> pd.DataFrame:
        """Fits that failed, with their reasons."""
        return self.fits[self.fits["status"] != "ok"].reset_index(drop=True)

    def leaderboard(self, metric: str = "mase") -> pd.DataFrame:
        """Models ranked by ``metric`` with every metric, spread and failures (see :mod:`report`)."""
        return report.leaderboard(self, metric)

    def by_horizon(self, metric: str = "mase") -> pd.DataFrame:
        """``metric`` per model and horizon step."""
        return report.by_horizon(self, metric)

    def significance(self, metric: str = "mase") -> tuple[pd.DataFrame, list[str]]:
        """Diebold-Mariano tables and the plain-English verdict lines."""
        return report.significance(self, metric)

    def plot(self, series: str | None = None, models=None, metric: str = "mase"):
        """Forecasts vs actuals per origin, and ``metric`` by horizon step (a matplotlib Figure)."""
        return report.plot(self, series, models, metric)

    def calibration_plot(self, models=None):
        """Nominal vs empirical coverage of each model's conformal intervals (a Figure)."""
        return report.calibration_plot(self, models)

    def fan_chart(self, series: str | None = None, model: str | None = None, origins: int = 4):
        """One model's forecasts from the last origins with their intervals (needs ``levels``)."""
        return report.fan_chart(self, series, model, origins)

    def to_html(self, path, metric: str = "mase") -> None:
        """Write the self-contained HTML report."""
        report.to_html(self, path, metric)

    def __repr__(self) -> str:
        frame = self.results
        failed = len(self.failed)
        return (f"<WalkForwardResult: {frame['model'].nunique()} models, {frame['id'].nunique()} series, "
                f"{frame[['id', 'origin']].drop_duplicates().shape[0]} origins, horizon {int(frame['h'].max())}"
                + (f", levels {list(self.levels)}" if self.levels else "")
                + (f", {failed} failed fits" if failed else "") + "; .leaderboard() ranks the models>")

    def _repr_html_(self) -> str:
        _, lines = self.significance()
        return "".join(f"<p>{line}</p>" for line in lines) + self.leaderboard().to_html(
            index=False, float_format=lambda v: f"{v:.4g}", na_rep="–")


def _times(column: pd.Series, freq: str | None) -> pd.Series:
    if freq is None:
        return column.astype("int64")
    return pd.to_datetime(column, format="ISO8601")
