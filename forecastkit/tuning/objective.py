"""A trial's score: its settings fit and scored by an inner walk-forward on the training data alone.

The data a search sees is training data only: the whole data for ``forecastkit tune``, one
outer fit's training rows for ``evaluate --tune``. Each trial configures the model
(:func:`configured`), then :func:`~forecastkit.evaluation.walk_forward` fits it at the last
``inner_folds`` origins of that data (:func:`inner_splitter`: each origin its own fit, up to a
horizon apart) and the objective is the run's metric over those forecasts. Every trial uses
the same inner seeds, so trials differ by their settings, not by their luck.

Each training epoch's held-out loss reaches the trial (:class:`EpochReports`, through
:func:`forecastkit.training.observing_epochs`: a Keras callback for a sequential fit, the
fold-parallel trainer for a group), reported at step ``run * STEPS + epoch`` (``run`` counts
the trial's training runs); when the pruner says so, training stops and the trial ends pruned.

Examples
--------
>>> inner_splitter(horizon=12, rows=88, folds=3).stride, inner_splitter(12, rows=40, folds=3).stride
(12, 4)
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.base import clone

from ..errors import ForecastkitError
from ..evaluation import WalkForward, walk_forward
from ..evaluation.plan import first_trains, series_of
from ..forecaster import Forecaster
from ..forecaster.options import pads_short
from ..models.spaces import PREPROCESSING, Choice, Lookback, Range

#: Intermediate-value steps reserved per training run of a trial (epochs never reach it).
STEPS = 100_000


class TrialFailed(Exception):
    """A trial whose fits failed or whose metric is undefined (the study goes on)."""


def inner_splitter(horizon: int, rows: int, folds: int, window: str = "expanding", gap: int = 0) -> WalkForward:
    """The inner walk-forward on ``rows`` training rows: the last ``folds`` origins, one fit
    each, a horizon apart (disjoint forecasts), closer when that would reach back past half
    the rows (the cap :meth:`~forecastkit.evaluation.WalkForward.with_horizon` applies)."""
    stride = horizon if folds == 1 else max(1, min(horizon, (rows // 2 - horizon) // (folds - 1)))
    return WalkForward(horizon=horizon, folds=folds, stride=stride, refit="always", window=window, gap=gap)


def configured(template: Forecaster, values: dict) -> Forecaster:
    """A clone of ``template`` with a trial's ``values``: hyperparameters into ``params``, the
    preprocessing settings (:data:`~forecastkit.models.spaces.PREPROCESSING`) as arguments.

    Examples
    --------
    >>> f = configured(Forecaster("mlp", params={"epochs": 2}), {"units": 8, "lookback": 6})
    >>> f.params, f.lookback
    ({'epochs': 2, 'units': 8}, 6)
    """
    hyper = {k: v for k, v in values.items() if k not in PREPROCESSING}
    settings = {k: v for k, v in values.items() if k in PREPROCESSING}
    forecaster = clone(template)
    forecaster.set_params(params={**(template.params or {}), **hyper} or None, **settings)
    return forecaster


def resolve_spaces(searched: dict, panel, template: Forecaster, splitter: WalkForward, season: int,
                   skip_short: bool = False) -> dict:
    """The searched spaces with the lookback's resolved to rows: its multiples of
    ``max(season, horizon, 5)``, capped at half the first inner fit's usable rows (so every
    lookback tried fits the inner walk-forward, and later the outer fit): the shortest series',
    or the longest's for a global model on a panel, which pads the series too short (unless
    ``skip_short`` leaves them out: every trial is then scored on the same series)."""
    resolved = {}
    for name, space in searched.items():
        if isinstance(space, Lookback):
            trains = first_trains(series_of(panel), splitter)
            rows = (max if pads_short(template, panel.n_series) and not skip_short else min)(trains, default=1)
            cap = (rows - splitter.horizon + 1) // 2
            space = space.rows(max(season, splitter.horizon, 5), max(cap, 2))
        resolved[name] = space
    return resolved


def default_values(spaces: dict, template: Forecaster) -> dict:
    """The template's own values of the searched settings, those inside their spaces (the first
    trial tries them: a search starts from the defaults and keeps them unless it beats them)."""
    own = {**template.check_params(), **{name: getattr(template, name) for name in PREPROCESSING}}
    values = {}
    for name, space in spaces.items():
        value = own.get(name)
        if value is not None and space.contains(value):
            values[name] = value
    return values


def suggest(trial, name: str, space):
    """The trial's value of setting ``name`` from its ``space`` (Optuna's suggest API)."""
    if isinstance(space, Choice):
        return trial.suggest_categorical(name, list(space.values))
    if isinstance(space, Range) and space.integer:
        return trial.suggest_int(name, space.low, space.high, log=space.log)
    return trial.suggest_float(name, float(space.low), float(space.high), log=space.log)


class EpochReports:
    """Hears each training epoch's held-out losses (:func:`forecastkit.training.observing_epochs`)
    and reports their mean to the trial; True (stop training) once the pruner prunes it."""

    def __init__(self, trial):
        self.trial, self.run, self.pruned_at = trial, -1, None

    def __call__(self, epoch: int, losses) -> bool:
        if epoch == 0:
            self.run += 1
        if self.pruned_at is not None:
            return True
        values = np.asarray(losses, dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            return False
        self.trial.report(float(values.mean()), self.run * STEPS + epoch)
        if self.trial.should_prune():
            self.pruned_at = epoch + 1
            return True
        return False


class Objective:
    """Optuna's objective: a trial's settings (:func:`suggest`) scored by the inner walk-forward.

    Warnings of the inner runs are gathered in ``warnings`` (the first of each class), so a
    search warns once, not once per trial.
    """

    def __init__(self, panel, template: Forecaster, spaces: dict, splitter: WalkForward, *, season: int,
                 seed: int, metric: str, skip_short: bool = False, deterministic: bool = True):
        self.panel, self.template, self.spaces, self.splitter = panel, template, spaces, splitter
        self.season, self.seed, self.metric = season, seed, metric
        self.skip_short, self.deterministic = skip_short, deterministic
        self.warnings: dict = {}

    def __call__(self, trial) -> float:
        import optuna

        from ..training import observing_epochs

        values = {name: suggest(trial, name, space) for name, space in self.spaces.items()}
        label = self.template.model
        reports = EpochReports(trial)
        with warnings.catch_warnings(record=True) as caught, observing_epochs(reports):
            warnings.simplefilter("always")
            try:
                forecaster = configured(self.template, values)
                forecaster.check_params()
                models = {label: forecaster}
                if self.metric == "owa":  # OWA is relative to Naive2 on the same forecasts
                    models["naive2"] = Forecaster("naive2", horizon=self.splitter.horizon)
                result = walk_forward(self.panel, models, self.splitter, seed=self.seed, baselines=False,
                                      season=self.season, n_jobs=1, skip_short=self.skip_short,
                                      deterministic=self.deterministic)
            except ForecastkitError as err:
                raise self._failed(trial, f"{type(err).__name__}: {err}") from None
        for warning in caught:  # the first of each kind
            self.warnings.setdefault(warning.category, warning.message)
        if reports.pruned_at is not None:
            trial.set_user_attr("pruned_at_epoch", reports.pruned_at)
            raise optuna.TrialPruned(f"pruned at epoch {reports.pruned_at}")
        failed = result.failed[result.failed["model"] == label]
        if len(failed):
            raise self._failed(trial, str(failed["reason"].iloc[0]))
        return self.score(result, label, trial)

    def score(self, result, label: str, trial) -> float:
        """The metric of ``label``'s inner forecasts; its value at each inner origin goes to the
        trial's ``origins`` attribute (what :func:`~.study.chosen_trial` compares)."""
        from ..metrics import MetricWarning, score

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MetricWarning)
            table = score(result.results, result.scales, by=("model",), metrics=(self.metric,))
            origins = score(result.results, result.scales, by=("model", "origin"), metrics=(self.metric,))
        value = float(table.loc[table["model"] == label, self.metric].iloc[0])
        if not math.isfinite(value):
            raise self._failed(trial, f"{self.metric} is undefined on the inner forecasts")
        trial.set_user_attr("origins", [float(v) for v in origins.loc[origins["model"] == label, self.metric]])
        return value

    @staticmethod
    def _failed(trial, reason: str) -> TrialFailed:
        trial.set_user_attr("failure", reason)
        return TrialFailed(reason)
