"""Running one job of the plan: its fits, trained one after another or fold-parallel.

Both ways end in the same place: :func:`fit_and_forecast` trains (or adopts a network
trained in a group), forecasts every origin the fit serves from the history known there,
and turns any exception or non-finite forecast into a failed fit with its reason (the run
goes on); :func:`record` builds the fit's result rows. A job yields one :class:`FitRecord`
per fit to commit; the writer (:mod:`.executors`) commits them.

Each fit trains on a fresh clone of the model's Forecaster (transforms included), on its
training slice alone, seeded by :func:`~.plan.fit_seed`. A global fit trains every series
before the earliest cut-off in time of the series it forecasts, so no series' training
sees another's future (on a panel whose series end at different times, each cohort of
series ending together has its own fit: :func:`~.cohorts.group_by_cutoff`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..data import GLOBAL_ID, Panel
from ..ensemble import kind_of
from ..models.registry import get_spec
from .checkpoints import Checkpoint, warm_state
from .plan import Job, fit_seed, min_train
from .probabilistic import score_rows


@dataclass
class FitRecord:
    """One finished fit, ready to commit: its rows, status, reason, timing and choices.

    ``prune``: for a warm chain's fit, the checkpoint to keep once this fit is committed
    (``(folder, label, id, fit or None)``); None otherwise. ``scores``: one per row, the scores
    of its forecast distribution (:func:`~.probabilistic.score_rows`), when the run scores them.
    ``warnings``: ``(category, message)`` of the warnings its job raised in a worker process,
    for the driver to raise again (:class:`~.executors.Writer`).
    """

    model: str
    sid: str
    fit: int
    status: str
    reason: str
    rows: list
    seconds: float
    preprocess: str = ""
    prune: tuple | None = None
    scores: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def run_job(job: Job):
    """Yield a :class:`FitRecord` per fit of ``job`` to commit (see :mod:`.plan`); a tuning search
    (kind ``"tune"``) yields its record instead (:mod:`forecastkit.tuning.nested`)."""
    if job.kind == "tune":
        from ..tuning.nested import run_search_job

        yield from run_search_job(job)
    elif job.kind == "group":
        yield from _run_group(job)
    else:
        yield from _run_chain(job)


def fit_and_forecast(forecaster, served: list, train=None, scoring=None, training: list | None = None):
    """``(status, reason, predictions, distribution)`` of one fit serving the ``(series, fold)`` pairs.

    ``train(forecaster)`` trains it (default: ``forecaster.fit`` on :func:`training_panel` of
    ``served`` and ``training``, the pairs whose rows may train it);
    then every served origin is forecast in one batched call, and with ``scoring`` (a
    :class:`~.probabilistic.Scoring`) its forecast distributions too (None for a model without).
    Any exception, or a forecast holding NaN or inf, makes the fit ``"failed"`` with the reason
    and NaN predictions.
    """
    try:
        if train is None:
            forecaster.fit(training_panel(served, training, min_train(forecaster)))
        else:
            train(forecaster)
        known = histories(served)
        predictions = forecaster.predict_histories(known)
        if not np.all(np.isfinite(predictions)):
            raise ArithmeticError("the forecasts contain NaN or inf")
        distribution = forecaster.predictive_histories(known, scoring.samples) if scoring else None
        return "ok", "", predictions, distribution
    except Exception as err:  # contained: recorded with its reason, the run goes on
        return "failed", f"{type(err).__name__}: {err}", np.full((len(served), served[0][1].horizon), np.nan)


def record(label: str, key: str, fit: int, served: list, outcome: tuple, seconds: float, forecaster,
           prune: tuple | None = None, scoring=None) -> FitRecord:
    """The :class:`FitRecord` of a fit: one row per served origin and step, and with ``scoring``
    the scores of the forecast distributions the fit gave (see :mod:`.probabilistic`)."""
    status, reason, predictions, *rest = outcome
    distribution = rest[0] if rest else None
    rows = [(label, s.sid, fit, time_cell(s.times[f.origin]), h + 1, time_cell(s.times[f.origin + h]),
             float(s.y[f.origin + h]), float(predictions[i, h]))
            for i, (s, f) in enumerate(served) for h in range(f.horizon)]
    scores = []
    if scoring is not None and distribution is not None:
        actual = np.array([row[6] for row in rows]).reshape(len(served), -1)
        rng = np.random.default_rng([forecaster.seed, 7])
        scores = score_rows(distribution, actual, scoring, rng, bounds=kind_of(forecaster) != "baseline")
    kept = [s.scored(f.origin + h) for s, f in served for h in range(f.horizon)]  # a filled-in actual is no actual
    if not all(kept):
        rows = [row for row, keep in zip(rows, kept) if keep]
        scores = [each for each, keep in zip(scores, kept) if keep] if scores else scores
    return FitRecord(label, key, fit, status, reason, rows, seconds, getattr(forecaster, "preprocess_", ""), prune,
                     scores)


def training_panel(served: list, training: list | None = None, needed: int = 1) -> Panel:
    """The training rows of a fit serving the ``(series, fold)`` pairs ``served``.

    One series: its fold's training rows. Several (a global fit): every series of
    ``training`` (default: the served ones; a cohort's fit, every series of the panel) from
    its fold's first training row to the earliest cut-off in time of the served series, so
    that no forecast origin's future is seen; a series of ``training`` with fewer than
    ``needed`` rows there is left out (a series served always stays).
    """
    first = {}
    for s, fold in served:
        first.setdefault(s.sid, (s, fold))
    pool = {}
    for s, fold in training or served:
        pool.setdefault(s.sid, (s, fold))
    if len(pool) == 1:
        s, fold = next(iter(pool.values()))
        return s.panel.with_frame(s.known_rows(fold.train_start, fold.train_end))
    cutoff = min(s.times[fold.train_end] for s, fold in first.values())
    parts = []
    for sid, (s, fold) in pool.items():
        stop = int(s.times.searchsorted(cutoff))
        if sid in first or stop - fold.train_start >= needed:
            parts.append(s.known_rows(fold.train_start, stop))
    return served[0][0].panel.with_frame(pd.concat(parts, ignore_index=True))


def histories(served: list) -> list:
    """``(id, history known at the origin, horizon rows of known columns)`` per served origin."""
    return [(s.sid, s.known_rows(f.train_start, f.origin), s.frame.iloc[f.origin:f.origin + f.horizon][s.known]
             .reset_index(drop=True)) for s, f in served]


def time_cell(value):
    """A time value as stored in SQLite: ISO text for timestamps, int for periods."""
    return value.isoformat() if isinstance(value, pd.Timestamp) else int(value)


def _run_chain(job: Job):
    """The fits of one model on one unit, in order: one fit, or a warm-started chain.

    A warm-started chain continues each fit from the weights the previous one left, except
    after a failed fit (it starts afresh). A resumed chain restores those weights from the
    checkpoint of its last committed fit, or, if that is missing, replays the fits since the
    last failure without committing them again.
    """
    template, label = job.template, job.label
    unit = job.pairs[0][0]
    order = [fit for _, fit in job.pairs]
    warm = job.kind == "chain"
    checkpoint = Checkpoint(Path(job.checkpoints), label, unit.key) if warm and job.checkpoints else None
    committed = {fit: status for (_, fit), status in job.committed.items()}
    start = next(i for i, fit in enumerate(order) if fit not in committed)
    forecaster = None
    if warm:
        forecaster, start = warm_state(template, order, start, committed, checkpoint)
    for fit in order[start:]:
        if forecaster is None or not warm:
            forecaster = clone(template)
        forecaster.set_params(seed=fit_seed(job.seed, job.seed_label or label, unit.key, fit))
        served = unit.served(fit)
        began = time.perf_counter()
        outcome = fit_and_forecast(forecaster, served, None, job.scoring, unit.training(fit))
        trained = forecaster
        if outcome[0] != "ok":
            forecaster = None  # a failed fit's weights are not continued
        if fit in committed:  # replayed only to rebuild warm-start weights
            continue
        prune = None
        if checkpoint:
            checkpoint.save(forecaster, fit)  # before the commit: a committed fit has its weights
            prune = (job.checkpoints, label, unit.key, None if fit == order[-1] else fit)
        yield record(label, unit.key, fit, served, outcome, time.perf_counter() - began, trained, prune,
                     job.scoring)


@dataclass
class _Member:
    """One fit of a group: its forecaster, served origins, windows and what training left."""

    unit: object
    fit: int
    forecaster: object
    served: list
    seconds: float = 0.0
    windows: object = None
    arch: object = None
    error: Exception | None = None
    model: object = None


def _run_group(job: Job):
    """The fits of a group trained fold-parallel, then each calibrated, forecast and recorded.

    Every fit prepares its own windows and transforms from its own training rows, draws its
    own initial weights and batch order from its own seed and fails alone; fits the group
    shares with an earlier, interrupted run are retrained (same numbers) but not recorded.
    """
    from ..grouped import SlotModel, layer_plan, train_group

    template, label = job.template, job.label
    build_args, _ = get_spec(template.model).split(template.check_params())
    members = []
    for unit, fit in job.pairs:
        began = time.perf_counter()
        forecaster = clone(template).set_params(seed=fit_seed(job.seed, job.seed_label or label, unit.key, fit))
        member = _Member(unit, fit, forecaster, unit.served(fit))
        try:
            windows = forecaster.prepare_windows(training_panel(member.served, unit.training(fit), min_train(forecaster)))
            member.windows = windows.get(GLOBAL_ID) if len(windows) == 1 else None
            if member.windows is None:
                raise RuntimeError("a grouped fit needs one pooled window set")
            member.arch = layer_plan(template.model, build_args, (member.windows.span, member.windows.n_features),
                                     template.model_horizon)
        except Exception as err:  # contained: reported by fit_and_forecast like a sequential fit's
            member.error = err
        member.seconds = time.perf_counter() - began
        members.append(member)
    by_arch: dict = {}
    for member in members:
        if member.error is None:
            # fits of one step: the same architecture and batch size (``batch_size=0`` resolves per fit)
            by_arch.setdefault((member.arch, member.forecaster.hyper_["batch_size"]), []).append(member)
    for (arch, _), group in by_arch.items():
        began = time.perf_counter()
        outcomes = train_group(arch, [m.windows for m in group], [m.forecaster.seed for m in group],
                               group[0].forecaster.hyper_, description=f"training {template.model}",
                               slots=job.slots)
        share = (time.perf_counter() - began) / len(group)
        for member, outcome in zip(group, outcomes):
            member.seconds += share
            member.error = outcome.error
            member.model = None if outcome.error else SlotModel(arch, outcome.weights, outcome.build_args(build_args))
    for member in members:
        if (member.unit.key, member.fit) in job.committed:
            continue
        began = time.perf_counter()
        outcome = fit_and_forecast(member.forecaster, member.served, _adopt(member), job.scoring)
        yield record(label, member.unit.key, member.fit, member.served, outcome,
                     member.seconds + time.perf_counter() - began, member.forecaster, scoring=job.scoring)


def _adopt(member: _Member):
    """How a grouped fit is "trained": raise its error, or install the group-trained network."""
    def train(forecaster):
        if member.error is not None:
            raise member.error
        forecaster.adopt_model(member.model, member.windows)
    return train
