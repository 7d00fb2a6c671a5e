"""``evaluate --tune N``: every outer fit's settings searched on that fit's training rows alone.

For each neural model of a walk-forward, a tuned variant joins the run as ``"<label> (tuned)"``
beside the default one. Before any fit trains, one search job per tuned fit
(:class:`SearchJob`, run by the run's executor like a fit) runs ``N`` trials of
:func:`~forecastkit.tuning.api.search` on the rows that fit trains on (:func:`~forecastkit.evaluation.jobs.training_panel`),
so its inner walk-forward ends before the fit's first origin, and nothing at or after an origin
can reach the settings or the forecast made there. Each finished search is committed to the run
store (table ``searches``) as it ends, so a resumed run repeats none. Then each tuned fit trains
with its own settings, on the fit seed of the default model (the same random numbers: a search
that keeps the defaults gives the default model's forecasts). A search in which no trial
finished makes its fit fail with the reason. Tuned fits are never warm-started (each has
settings of its own).

Examples
--------
>>> tuned_label("mlp")
'mlp (tuned)'
"""

from __future__ import annotations

import json
import math
import time
import warnings
from dataclasses import dataclass, field

import pandas as pd
from sklearn.base import clone

from ..checks import check_int
from ..errors import ConfigError, SequentialFitsWarning, user_stacklevel
from ..evaluation.jobs import record, training_panel
from ..evaluation.plan import (
    Job,
    fit_seed,
    group_size,
    grouped_reason,
    min_train,
    units_of,
)
from ..forecaster import Forecaster
from ..metrics import METRICS
from ..models.registry import get_spec
from ..models.spaces import check_space, search_plan
from .objective import configured

SUFFIX = " (tuned)"


def tuned_label(label: str) -> str:
    """The label of ``label``'s tuned variant."""
    return f"{label}{SUFFIX}"


@dataclass(frozen=True)
class NestedSearch:
    """The searches of a run: ``trials`` per fit, the inner walk-forward's ``inner_folds``,
    ``metric``, ``window`` and ``gap``, per tuned label its :class:`Plan` and base label, and
    the outer walk-forward's ``cohorts`` (its global models' units)."""

    trials: int
    inner_folds: int
    metric: str
    window: str
    gap: int
    deterministic: bool
    skip_short: bool
    plans: dict = field(default_factory=dict)
    bases: dict = field(default_factory=dict)
    cohorts: int = 1

    def config(self) -> dict:
        """What a resumed run must share (its JSON configuration's ``tuning``)."""
        return {"trials": self.trials, "inner_folds": self.inner_folds, "metric": self.metric,
                "spaces": {label: plan.describe() for label, plan in self.plans.items()}}


@dataclass
class SearchJob(Job):
    """One fit's search: ``pairs`` holds that one ``(unit, fit)``."""

    search: NestedSearch | None = None


@dataclass
class SearchRecord:
    """A finished search, ready to commit: the best settings (or the reason none finished)."""

    model: str
    sid: str
    fit: int
    params: dict
    value: float
    trials: int
    seconds: float
    reason: str = ""

    def commit(self, store) -> None:
        store.commit_search(self.model, self.sid, self.fit, json.dumps(self.params, sort_keys=True),
                            self.value, self.trials, self.seconds, self.reason)


def prepare(tune: int, entries: dict, unset: set, *, inner_folds: int, space, metric: str, splitter,
            deterministic: bool, skip_short: bool) -> NestedSearch | None:
    """Add a tuned variant of each neural model to ``entries`` (in place); the run's
    :class:`NestedSearch`, or None when ``tune`` is 0. Checked before any data is fit."""
    check_int(tune, "tune", 0)
    if not tune:
        return None
    check_int(inner_folds, "inner_folds", 1)
    metric = metric if metric in METRICS else "mase"  # interval and distribution scores rank; point ones tune
    neural = {label: f for label, f in entries.items() if get_spec(f.model).kind == "neural"}
    if not neural:
        raise ConfigError(f"`tune` searches the neural models' settings, but none of the models evaluated "
                          f"({', '.join(entries)}) is one.")
    from .study import import_optuna

    import_optuna()
    check_space(space, sorted({f.model for f in neural.values()}))
    plans, bases = {}, {}
    for label, forecaster in neural.items():
        given = set(forecaster.params or {}) | (set() if label in unset else {"lookback"})
        plans[tuned_label(label)] = search_plan(get_spec(forecaster.model), space, given, strict=False)
        bases[tuned_label(label)] = label
        entries[tuned_label(label)] = clone(forecaster)
    return NestedSearch(tune, inner_folds, metric, splitter.window, splitter.gap, bool(deterministic),
                        bool(skip_short), plans, bases, splitter.cohorts)


def search_jobs(nested: NestedSearch, entries: dict, series: list, folds: dict, seed: int, store) -> list:
    """A :class:`SearchJob` per tuned fit neither committed nor searched yet."""
    done, searched = store.done(), set(searches(store).set_index(["model", "id", "fit"]).index)
    jobs = []
    for label in nested.plans:
        for unit in units_of(entries[label], series, folds, nested.cohorts):
            for fit in unit.fits():
                if (label, unit.key, fit) not in done and (label, unit.key, fit) not in searched:
                    jobs.append(SearchJob(label, entries[label], "tune", [(unit, fit)], seed, search=nested))
    return jobs


def run_search_job(job: SearchJob):
    """Search one fit's settings on its training rows; yields its :class:`SearchRecord`."""
    from .api import best_of, search
    from .study import open_study

    nested = job.search
    unit, fit = job.pairs[0]
    seed = fit_seed(job.seed, nested.bases[job.label], unit.key, fit)
    template = clone(job.template).set_params(seed=seed, verbose=0)
    plan = nested.plans[job.label]
    study = open_study(None, {}, resume=False)
    began = time.perf_counter()
    try:
        rows = training_panel(unit.served(fit), unit.training(fit), min_train(template))
        search(rows, template, plan, study, nested.trials,
               inner_folds=nested.inner_folds, metric=nested.metric, seed=seed, window=nested.window,
               gap=nested.gap, skip_short=nested.skip_short, deterministic=nested.deterministic)
        params, value, _, _, _ = best_of(study, plan, template)
        reason = ""
    except ConfigError as err:  # no trial finished: the fit fails with the reason
        params, value, reason = {}, math.nan, f"tuning: {err}"
    yield SearchRecord(job.label, unit.key, fit, params, value, len(study.trials), time.perf_counter() - began, reason)


def searches(store) -> pd.DataFrame:
    """The committed searches: ``model, id, fit, params`` (JSON), ``value, trials, seconds, reason``."""
    return store.table("searches")


def tuned_jobs(nested: NestedSearch, entries: dict, series: list, folds: dict, seed: int, store, fast: bool,
               **job_fields) -> list:
    """The tuned fits still to do, each a job of its own with its searched settings: fold-parallel
    (a group of one, as many slots as the default model's groups) where its settings allow,
    else sequential; a fit whose search failed is committed failed here. ``job_fields`` go to
    every :class:`~forecastkit.evaluation.plan.Job` (as :func:`~forecastkit.evaluation.plan.plan_jobs`
    gives them)."""
    done = store.done()
    found = {(r.model, r.id, r.fit): r for r in searches(store).itertuples(index=False)}
    jobs, sequential = [], {}
    for label in nested.plans:
        template = entries[label]
        units = units_of(template, series, folds, nested.cohorts)
        pairs = [(unit, fit) for unit in units for fit in unit.fits()]
        slots = group_size(template, pairs)
        for unit, fit in pairs:
            if (label, unit.key, fit) in done:
                continue
            row = found.get((label, unit.key, fit))
            reason = "tuning: its search was not committed" if row is None else row.reason
            if reason:
                served = unit.served(fit)
                outcome = ("failed", reason, _nan(served))
                rec = record(label, unit.key, fit, served, outcome, 0.0, None)
                store.commit_fit(rec.model, rec.sid, rec.fit, rec.status, rec.reason, rec.rows, rec.seconds)
                continue
            forecaster = configured(template, json.loads(row.params))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", SequentialFitsWarning)
                reason = grouped_reason(label, forecaster) if fast else "sequential"
            if caught and label not in sequential:
                sequential[label] = caught[0].message
            kind = "group" if reason is None else "fit"
            jobs.append(Job(label, forecaster, kind, [(unit, fit)], seed, slots=slots if kind == "group" else 0,
                            seed_label=nested.bases[label], **job_fields))
    for message in sequential.values():
        warnings.warn(message, stacklevel=user_stacklevel())
    return jobs


def _nan(served: list):
    import numpy as np

    return np.full((len(served), served[0][1].horizon), np.nan)


def tuning_table(result) -> pd.DataFrame:
    """The settings each tuned fit searched to, one row per fit: ``model, id, fit``, the inner
    metric, the trials, then one column per setting (empty where a search failed)."""
    stored = result.extras.get("tuning")
    if stored is None or stored.empty:
        return pd.DataFrame()
    metric = result.config.get("tuning", {}).get("metric", "mase")
    rows = []
    for row in stored.itertuples(index=False):
        rows.append({"model": row.model, "id": row.id, "fit": row.fit, f"inner_{metric}": row.value,
                     "trials": row.trials, **json.loads(row.params)})
    return pd.DataFrame(rows)


def tuning_lines(result) -> list[str]:
    """One line per tuned fit: its settings and inner metric (or why its search failed)."""
    lines = []
    metric = result.config.get("tuning", {}).get("metric", "mase")
    for row in result.extras["tuning"].itertuples(index=False):
        where = f"tuned: {row.model} / {row.id} / fit {row.fit}"
        if row.reason:
            lines.append(f"{where}: {row.reason}")
            continue
        values = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in json.loads(row.params).items())
        lines.append(f"{where}: {values} (inner {metric} {row.value:.4g}, {row.trials} trials)")
    return lines


def run_models(result) -> dict:
    """run.json's entries of the tuned models: the settings of each one's latest fit (of its first
    unit), so ``forecast --from-run`` refits the tuned winner with them."""
    stored = result.extras.get("tuning")
    if stored is None or stored.empty:
        return {}
    models = {}
    for label, rows in stored[stored["reason"] == ""].groupby("model", sort=False):
        latest = json.loads(rows.sort_values(["id", "fit"]).groupby("id").tail(1)["params"].iloc[0])
        base = result.config["models"][label]
        forecaster = configured(Forecaster(base["model"], params=base.get("params")), latest)
        settings = {k: v for k, v in latest.items() if k not in (forecaster.params or {})}
        models[label] = {"model": base["model"], "params": forecaster.params, "settings": settings}
    return models
