"""Optuna studies: storage, the seeded sampler and the pruner, resuming, and the trial loop.

A study lives in Optuna's RDB storage (``study.sqlite`` in the output folder) or in memory (a
search nested in a walk-forward fit). Its ``forecastkit`` user attribute records what it
searches (model, data, settings, space); resuming a study that searched something else is an
error naming the differences. Each trial draws from a TPE sampler seeded by the run seed and
the trial's position in the study, so a resumed study proposes what an uninterrupted one would
have: a trial interrupted (Ctrl-C, or a killed process) is recorded as failed with the failure
``interrupted``, is not counted, and runs again first, with its values, when the study resumes. The
first trial of a new study tries the template's own values (the defaults), so a search never
ends with settings worse than the defaults on its own objective.

Examples
--------
>>> trial_seed(0, 3) == trial_seed(0, 3) != trial_seed(1, 3)
True
>>> startup_trials(6), startup_trials(100)
(3, 10)
"""

from __future__ import annotations

import json
import time
import zlib
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..evaluation.store import config_differences

#: The optional extra that brings Optuna, named when it is missing.
OPTUNA_EXTRA = 'pip install "forecastkit[optuna]"'
STUDY_NAME = "forecastkit"
#: The failure of a trial an interrupt or a killed process ended: run again on resume, never counted.
INTERRUPTED = "interrupted"
#: The pruner: trials finished before pruning starts, and the epochs of each run never pruned.
PRUNE_STARTUP, PRUNE_WARMUP = 5, 10


def import_optuna():
    """Optuna, or one line naming the extra to install."""
    try:
        import optuna
    except ImportError:
        raise ConfigError(f"Tuning runs on Optuna, which is not installed: {OPTUNA_EXTRA}.") from None
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # trials are reported by forecastkit, one line each
    return optuna


def trial_seed(seed: int, number: int) -> int:
    """The sampler seed of trial ``number`` of a study seeded ``seed``."""
    return zlib.crc32(f"{seed}|trial|{number}".encode()) % (2**31 - 1)


def startup_trials(trials: int) -> int:
    """Random trials before TPE models the results: half the budget, at least 2, at most
    Optuna's default of 10."""
    return max(2, min(10, trials // 2))


def open_study(path: Path | None, config: dict, resume: bool):
    """A new study (in ``path``, an SQLite file, or in memory), or with ``resume`` the one
    stored there; its recorded ``config`` must equal this one. Trials a killed process left
    running are marked failed, :data:`INTERRUPTED`."""
    optuna = import_optuna()
    storage = optuna.storages.InMemoryStorage() if path is None else optuna.storages.RDBStorage(
        f"sqlite:///{Path(path).resolve()}")
    study = optuna.create_study(storage=storage, study_name=STUDY_NAME, direction="minimize",
                                load_if_exists=resume)
    saved = study.user_attrs.get("forecastkit")
    if saved is None:
        study.set_user_attr("forecastkit", json.loads(json.dumps(config, default=str)))
        return study
    changed = config_differences(saved, json.loads(json.dumps(config, default=str)))
    if changed:
        raise ConfigError(f"Cannot `resume` the study in {str(Path(path).parent)!r}: it searched something else "
                          f"({'; '.join(changed)}). Pass `overwrite` to start it again, or choose another `out`.")
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        storage.set_trial_user_attr(trial._trial_id, "failure", INTERRUPTED)
        storage.set_trial_state_values(trial._trial_id, state=optuna.trial.TrialState.FAIL)
    return study


def optimize(study, objective, trials: int, *, seed: int, prunable: bool, first: dict | None = None,
             defaults: bool = False, timeout: float | None = None, on_trial=None) -> int:
    """Run trials until the study holds ``trials`` (or ``timeout`` seconds passed: no trial
    but the first starts after it, as in Optuna); returns the number run. ``first``: values the study's first trial tries,
    ``defaults``: they are every searched setting's default (see :func:`chosen_trial`).
    ``on_trial(study, trial)`` hears each finished trial. Interrupted trials run again first
    (:func:`requeue_interrupted`); a Ctrl-C marks the running trial :data:`INTERRUPTED`.
    """
    from .objective import TrialFailed

    optuna = import_optuna()
    pruner = optuna.pruners.MedianPruner(PRUNE_STARTUP, PRUNE_WARMUP) if prunable else optuna.pruners.NopPruner()
    study.pruner = pruner
    if first and not study.trials:
        study.enqueue_trial(first)
        if defaults:
            study.set_user_attr("defaults_trial", 0)
    requeue_interrupted(study)

    def marked(trial):
        try:
            return objective(trial)
        except KeyboardInterrupt:
            trial.set_user_attr("failure", INTERRUPTED)
            raise

    began, ran = time.monotonic(), 0
    while started(study) < trials and (timeout is None or not ran or time.monotonic() - began < timeout):
        study.sampler = optuna.samplers.TPESampler(seed=trial_seed(seed, started(study)),
                                                   n_startup_trials=startup_trials(trials))
        study.optimize(marked, n_trials=1, catch=(TrialFailed,),  # a failed trial is recorded; on we go
                       callbacks=[on_trial] if on_trial else None)
        ran += 1
    return ran


def requeue_interrupted(study) -> None:
    """Queue each :data:`INTERRUPTED` trial's values again (once), so the study's next trials
    run them: the trial gets the score it was interrupted before."""
    trials = study.get_trials(deepcopy=False)
    queued = {t.user_attrs.get("rerun_of") for t in trials}
    for trial in trials:
        if trial.user_attrs.get("failure") == INTERRUPTED and trial.number not in queued:
            study.enqueue_trial(dict(trial.params), user_attrs={"rerun_of": trial.number})


def started(study) -> int:
    """Trials of the study run or running (not those only queued, nor those interrupted)."""
    import optuna

    return sum(t.state != optuna.trial.TrialState.WAITING and t.user_attrs.get("failure") != INTERRUPTED
               for t in study.get_trials(deepcopy=False))


def finished(study) -> list:
    """The study's completed trials (state COMPLETE), in order."""
    import optuna

    return [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]


def best_trial(study):
    """The best completed trial, or an error giving the first failure's reason."""
    done = finished(study)
    if not done:
        reasons = [t.user_attrs.get("failure") for t in study.trials if t.user_attrs.get("failure")]
        why = f" The first failure: {reasons[0]}" if reasons else ""
        raise ConfigError(f"No trial of the search finished ({len(study.trials)} trials).{why}")
    return min(done, key=lambda t: (t.value, t.number))


def chosen_trial(study) -> tuple:
    """``(trial, why)``: the trial a search settles on. The best one, unless the study's defaults
    trial finished and the best beats it by no more than ``t`` standard errors of their paired
    difference over the ``K`` inner origins: the one-standard-error rule against the defaults,
    with the bar widened for the ``m`` other trials the best was picked from (Bonferroni) and for
    a standard error estimated from ``K`` values (Student's t with ``K - 1`` degrees of freedom):
    ``t`` is the t quantile of ``1 - 0.1587 / m``, the level of one normal standard error (1.06 for
    one challenger and 10 origins, 2.12 for five, 3.78 for five and 3 origins). A gain inside the
    noise of a few origins is not worth leaving defaults chosen on more evidence; more inner
    origins give the search more power.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.ERROR)
    >>> study = optuna.create_study()
    >>> study.set_user_attr("defaults_trial", 0)
    >>> def run(scores):
    ...     trial = study.ask()
    ...     trial.set_user_attr("origins", scores)
    ...     _ = study.tell(trial, sum(scores) / 3)
    >>> run([1.0, 1.2, 0.8]), run([0.9, 1.3, 0.7])  # the defaults, then a trial better by noise alone
    (None, None)
    >>> chosen_trial(study)[0].number
    0
    >>> run([0.5, 0.6, 0.4])  # better at every origin
    >>> chosen_trial(study)[0].number
    2
    """
    best = best_trial(study)
    number = study.user_attrs.get("defaults_trial")
    defaults = next((t for t in finished(study) if number in (t.number, t.user_attrs.get("rerun_of"))), None)
    if defaults is None or defaults.number == best.number:
        return best, f"trial {best.number} is the best" + (" (the defaults)" if defaults is not None else "")
    ours, theirs = (np.asarray(t.user_attrs.get("origins", ()), dtype=float) for t in (best, defaults))
    if len(ours) < 2 or len(ours) != len(theirs):
        return best, f"trial {best.number} is the best"
    from scipy.stats import norm, t

    gain = defaults.value - best.value
    challengers = started(study) - 1  # every other trial tried, pruned and failed ones too
    z = float(t.ppf(1 - norm.sf(1.0) / challengers, df=len(ours) - 1))
    error = float(np.std(theirs - ours, ddof=1) / np.sqrt(len(ours)))
    bar = f"{z:.2f} standard errors ({z * error:.3g}; {challengers} trials beside the defaults, {len(ours)} inner origins)"
    if gain > z * error:
        return best, f"trial {best.number} is the best: it beats the defaults (trial {defaults.number}) by {gain:.3g}, more than {bar}"
    return defaults, (f"the defaults (trial {defaults.number}) are kept: the best, trial {best.number}, beats them by "
                      f"{gain:.3g}, within {bar}")


def trial_line(trial, trials: int, metric: str, study) -> str:
    """One line on a finished trial: its score or fate, the best so far, its values and time."""
    import optuna

    seconds = trial.duration.total_seconds() if trial.duration else 0.0
    values = ", ".join(f"{name}={_short(value)}" for name, value in trial.params.items())
    if trial.state == optuna.trial.TrialState.COMPLETE:
        best = best_trial(study)
        outcome = f"{metric} {trial.value:.4g} (best {best.value:.4g}, trial {best.number})"
    elif trial.state == optuna.trial.TrialState.PRUNED:
        outcome = f"pruned at epoch {trial.user_attrs.get('pruned_at_epoch', '?')}"
    else:
        outcome = f"failed: {trial.user_attrs.get('failure', 'see trials.csv')}"
    rerun = trial.user_attrs.get("rerun_of")
    again = f" (trial {rerun} again: it was interrupted)" if rerun is not None else ""
    position = sum(t.number <= trial.number for t in study.get_trials(deepcopy=False)
                   if t.user_attrs.get("failure") != INTERRUPTED)
    return f"trial {position}/{trials}{again}: {outcome}; {values}; {seconds:.1f} s"


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
