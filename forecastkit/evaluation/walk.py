"""Walk-forward evaluation: every model, every series, every origin, without leakage.

For each model and series the :class:`~.splits.WalkForward` splitter says which rows each
fit trains on and which origins it serves. The refit policy governs the neural models;
baselines have no costly training and are re-estimated at every origin from the history
known there (within the training window). The run is a plan of independent jobs
(:mod:`.plan`), run by an executor (:mod:`.executors`: in this process, a process pool or
Dask) and committed fit by fit to SQLite by one writer; the numbers are the same whatever
the executor.

On a panel, a *local* neural model (``mode="local"``) fits each series alone; a *global*
one (``mode="global"``, the default) makes fit ``k`` once for all series, on each series'
rows before its own fit-``k`` cut-off and, when the series' cut-offs differ in time, before
the earliest of them, so no series' training sees another's future. Its fits are recorded
under the id ``"*"`` (:data:`forecastkit.data.GLOBAL_ID`). On a panel whose series end at
different times, fit ``k`` is made once per cohort of series ending together (at most
``splitter.cohorts``, ids ``"*1"``, ``"*2"``, ...), each on every series' rows before the
cohort's cut-off (:func:`~forecastkit.evaluation.cohorts.group_by_cutoff`). A fit that raises or diverges is
recorded as failed and the run goes on. With a warm start, the weights each fit leaves are
checkpointed in the run directory before its commit, so a resumed chain continues from them.

Fast path (the default, ``fast=True``): without a warm start, the fits of a neural model
train together in groups (:mod:`forecastkit.grouped`), fold-parallel (refit ``always`` or
``every:K``) and series-parallel (a local model's series, refit ``never`` too), each fit
still as if alone (its own windows, transforms, seed, Adam state, early stopping and
failure). A builder or setting the grouped layers do not cover falls back to sequential
fits with one :class:`~forecastkit.errors.SequentialFitsWarning`; ``fast=False`` forces the
sequential path, which ensembles and bagged models always take.

Examples
--------
>>> from forecastkit import datasets
>>> from forecastkit.evaluation import WalkForward, walk_forward
>>> result = walk_forward(datasets.load("airline"), ["naive", "seasonal_naive"],
...                       WalkForward(horizon=12, folds=3, stride=12), baselines=False, n_jobs=1)
>>> result.to_frame().groupby("model")["fit"].nunique().to_dict()
{'naive': 3, 'seasonal_naive': 3}
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..checks import check_int, check_levels
from ..ensemble import is_composite, kind_of
from ..errors import ConfigError
from ..forecaster import as_panel
from ..forecaster.options import head_taus
from ..metrics import insample_scales
from ..settings import DEFAULTS
from .checkpoints import CHECKPOINTS
from .environment import reference
from .executors import Writer, check_executor, check_reachable, execute
from .jobs import time_cell
from .plan import (
    plan_jobs,
    resolve_run,
    series_of,
    units_of,
    unset_lookbacks,
    warn_idle_warm_start,
    warn_ignored,
)
from .probabilistic import scoring_of
from .progress import Progress, check_progress
from .result import WalkForwardResult
from .splits import WalkForward
from .store import RunStore

STORE_NAME = "results.sqlite"


def walk_forward(data, models, splitter: WalkForward | None = None, *, seed: int = DEFAULTS.seed,
                 baselines: bool = not DEFAULTS.no_baselines, season: int | None = DEFAULTS.season,
                 out=DEFAULTS.out, resume: bool = DEFAULTS.resume, progress=False,
                 deterministic: bool = not DEFAULTS.fast_nondeterministic, skip_short: bool = DEFAULTS.skip_short,
                 level=DEFAULTS.level, min_calibration: int = DEFAULTS.min_calibration, fast: bool = True,
                 n_jobs: int | None = DEFAULTS.jobs, scheduler: str | None = DEFAULTS.scheduler,
                 samples: int | None = DEFAULTS.samples, probabilistic: bool = False,
                 tune: int = DEFAULTS.tune, inner_folds: int = DEFAULTS.inner_folds, space=DEFAULTS.space,
                 metric: str = DEFAULTS.metric, **load_kwargs) -> WalkForwardResult:
    """Evaluate ``models`` on every series of ``data`` at every walk-forward origin.

    Parameters
    ----------
    data : Panel, CSV path or pandas object
        The full history; ``load_kwargs`` go to the loader.
    models : str, Forecaster, list or dict
        Model names or :class:`~forecastkit.Forecaster` objects (their ``horizon`` must equal
        the splitter's), or a dict ``{label: Forecaster}`` to compare variants of one model.
    splitter : WalkForward or None
        Origins, stride, gap, training window and refit policy (default ``WalkForward()``:
        the command line's 24 origins, fewer on a panel of more than 50 series
        (:func:`~.splits.default_folds`), spaced for a sized significance test, refit every 6,
        horizon = the season length).
    seed : int
        Run seed; each fit's seed is :func:`~.plan.fit_seed` of it.
    baselines : bool
        Add the reference baselines (:data:`~.plan.DEFAULT_BASELINES`) not already listed.
    season : int or None
        Season length for baselines, MASE and the default horizon (default: from the frequency).
    out : path or None
        Directory for ``results.sqlite`` (committed per fit) and, with warm-started models,
        ``checkpoints/``; None keeps results in memory.
    resume : bool
        Continue the run stored in ``out``, skipping committed fits (on any executor).
    progress : bool or str
        False: nothing; True or ``"bar"``: a live bar; ``"lines"``: plain lines
        (``walk-forward fits 12/48``) for a log or a non-terminal. On standard error.
    deterministic : bool
        TensorFlow op determinism while the run trains, so the same seed gives identical
        numbers; False is faster on some hardware.
    skip_short : bool
        Leave out (with a :class:`~forecastkit.errors.SkippedSeriesWarning`) the series too
        short for the splitter and models, instead of raising a DataError.
    level : number, sequence or "80,95"
        Add conformal prediction intervals at these levels (percent), calibrated only on
        errors known before each origin, and score them.
    min_calibration : int
        Earlier errors needed (per model, series and step) before an origin gets an interval.
    fast : bool
        Train the fits of each neural model fold-parallel in groups; False trains every fit
        on its own.
    n_jobs : int or None
        Processes: 1 runs in this process; N a local pool of N; None all CPUs, capped by
        the memory available and the number of jobs. The pool's workers import the calling
        script: in a script, call under ``if __name__ == "__main__":``.
    scheduler : str or None
        Run on Dask instead: ``"local:N"`` (a LocalCluster of N workers) or the address of
        a running scheduler (``"tcp://HOST:PORT"``); needs ``pip install "forecastkit[dask]"``.
    samples : int or None
        Score ``samples`` sampled future paths per origin of every neural model (bootstrapped
        held-out errors, or drawn from its distribution head): CRPS from the paths, intervals
        from their quantiles.
    tune : int
        Also evaluate a tuned variant of each neural model, ``"<label> (tuned)"``: each of its fits
        takes the settings ``tune`` Optuna trials found on that fit's training rows alone
        (:mod:`forecastkit.tuning.nested`); needs ``pip install "forecastkit[optuna]"``.
    metric : str
        What the result ranks by unless told otherwise (``leaderboard()``, ``significance()``,
        the report), as ``--metric`` does; also the searches' metric with ``tune`` (there, an
        interval or distribution score: mase).
    inner_folds, space :
        The searches' inner walk-forward origins and search space (:mod:`forecastkit.models.spaces`).
    probabilistic : bool
        Score every model's forecast distribution (CRPS, pinball loss, PIT) even without
        ``level`` or ``samples``; a model with a distribution or quantile head always is. See
        :mod:`.probabilistic` for which distribution each kind of model is scored on.

    Returns
    -------
    WalkForwardResult
    """
    splitter = splitter or WalkForward()
    level = check_levels(level)
    mode = check_progress(progress)
    n_jobs, scheduler = check_executor(n_jobs, scheduler)
    if not isinstance(splitter, WalkForward):
        raise ConfigError(f"`splitter` must be a WalkForward. Received: splitter of type {type(splitter).__name__}")
    panel = as_panel(data, **load_kwargs)
    season = int(season or panel.season_length())
    splitter, entries, series = resolve_run(series_of(panel), models, splitter, baselines, season, skip_short)
    warn_ignored(models, seed, level)
    from ..tuning import nested  # imports this module: here, not at the top

    tuning = nested.prepare(tune, entries, unset_lookbacks(models), inner_folds=inner_folds, space=space,
                            metric=metric, splitter=splitter, deterministic=deterministic, skip_short=skip_short)
    for forecaster in entries.values():
        forecaster.check_covariates(panel)  # before any fit: e.g. recursive with past-observed covariates
        forecaster.check_target(panel)  # negbin counts, seasonal steps
    scoring = scoring_of(level, check_samples(entries, samples), probabilistic, entries.values())
    from ..report import check_metric  # imports this package: here, not at the top

    check_metric(metric, level, scoring is not None, entries)  # what the result ranks by: refused before any fit
    folds = {"neural": {s.sid: splitter.split(len(s.y), times=s.times) for s in series}}
    per_origin = dataclasses.replace(splitter, refit="always")  # baselines re-estimate at every origin
    folds["baseline"] = {s.sid: per_origin.split(len(s.y), times=s.times) for s in series}
    warn_idle_warm_start(entries, folds)
    config = {
        "source": panel.source, "target": panel.target, "freq": panel.freq, "season": season,
        "seed": seed, "splitter": vars(splitter).copy(), "deterministic": bool(deterministic),
        "models": {label: _jsonable(f.get_params()) for label, f in entries.items()},
    }
    if scoring is not None:
        config["scoring"] = scoring.to_config()
    if tuning is not None:
        config["tuning"] = tuning.config()
    neural = any(kind_of(f) == "neural" for f in entries.values())
    environment = reference(bool(deterministic), uses_tensorflow=neural)  # before planning imports Keras
    check_reachable(scheduler)  # before the store: a run that cannot start leaves no folder to --resume
    for forecaster in entries.values():  # so is a global model's refusal of series with other fits
        units_of(forecaster, series, folds[kind_of(forecaster)], splitter.cohorts)
    store = _open_store(out, config, resume)
    try:
        store.commit_scales(_scale_rows(series, folds["neural"], season))
        checkpoints = str(store.path.parent / CHECKPOINTS) if store.path else None
        if tuning is not None:  # each tuned fit's search first, committed as it ends
            searches = nested.search_jobs(tuning, entries, series, folds["neural"], seed, store)
            with Progress(mode, len(searches), what="tuning searches") as advance:
                execute(searches, Writer(store, advance), environment, n_jobs, scheduler)
        plain = {label: f for label, f in entries.items() if tuning is None or label not in tuning.plans}
        jobs = plan_jobs(plain, series, folds, seed, store.done(), fast, checkpoints, scoring, splitter.cohorts)
        if tuning is not None:
            jobs += nested.tuned_jobs(tuning, entries, series, folds["neural"], seed, store,
                                      fast, scoring=scoring)
        with Progress(mode, sum(job.remaining for job in jobs)) as advance:
            execute(jobs, Writer(store, advance), environment, n_jobs, scheduler)
        return WalkForwardResult.from_store(store, season, level, min_calibration, metric)
    finally:
        store.close()


def check_samples(entries: dict, samples) -> int | None:
    """``samples`` checked against every neural model that bootstraps them (not the ensembles and
    bags, whose intervals stay conformal, the quantile heads, scored on their quantiles, nor the
    distribution models, which draw from their distribution)."""
    if samples is None:
        return None
    check_int(samples, "samples")
    for forecaster in entries.values():
        if (kind_of(forecaster) == "neural" and not is_composite(forecaster) and not head_taus(forecaster)
                and not forecaster.distribution):  # a distribution model draws from itself
            forecaster.check_samples(samples)
    return int(samples)


def _jsonable(params: dict) -> dict:
    return {k: v for k, v in params.items() if k != "verbose"}


def _open_store(out, config: dict, resume: bool) -> RunStore:
    if out is None:
        if resume:
            raise ConfigError("`resume` needs the `out` directory of the run to resume. Received: out=None")
        return RunStore.create(None, config)
    path = Path(out) / STORE_NAME
    return RunStore.resume(path, config) if resume else RunStore.create(path, config)


def _scale_rows(series: list, folds: dict, season: int) -> list[tuple]:
    """MASE scales from all the history known at each origin: not the training window, which a
    sliding ``window`` or a refit serving several origins would make a property of the fit, so
    the same forecasts would score differently."""
    rows = []
    for s in series:
        for fold in folds[s.sid]:
            scale, scale_naive = insample_scales(s.known_rows(0, fold.origin)["y"].to_numpy(float), season)
            rows.append((s.sid, time_cell(s.times[fold.origin]), scale, scale_naive))
    return rows
