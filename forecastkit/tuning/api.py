"""``forecastkit.tune``: search one neural model's settings with Optuna, on the training data alone.

:func:`search` is the one search both entry points run: :func:`tune` (the Python API and
``forecastkit tune``) on the whole data given, and ``evaluate --tune`` on each outer fit's
training rows (:mod:`forecastkit.tuning.nested`).
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.base import clone

from ..checks import check_int
from ..errors import ConfigError, ConfigTypeError, FewWindowsWarning, user_stacklevel
from ..forecaster import Forecaster, as_panel
from ..forecaster.options import fit_lookback
from ..metrics import METRICS
from ..models.registry import get_spec
from ..models.spaces import PREPROCESSING, Plan, search_plan
from ..settings import DEFAULTS
from .objective import (
    Objective,
    configured,
    default_values,
    inner_splitter,
    resolve_spaces,
)
from .outputs import STUDY_FILE, TUNE_FILES, write_outputs
from .study import (
    best_trial,
    chosen_trial,
    import_optuna,
    open_study,
    optimize,
    started,
    trial_line,
)


@dataclass
class TuneResult:
    """A finished search.

    Attributes
    ----------
    study : optuna.Study
        The study (its trials, ``trials_dataframe()``, Optuna's plots).
    model, metric : str
        The model searched and the metric its trials minimised.
    plan : forecastkit.models.spaces.Plan
        What was searched and what was fixed.
    best_params : dict
        The best trial's settings: the searched values and those ``space`` fixed.
    best_value : float
        Its metric on the inner walk-forward.
    best_trial : int
        Its number.
    forecaster : Forecaster
        An unfitted :class:`~forecastkit.Forecaster` with the best settings: ``fit`` it on the data.
    out : Path or None
        The study folder (None: the study was kept in memory).
    ran : int
        Trials run by this call (0: the resumed study held ``trials`` already).
    seed : int
        The run seed.
    choice : str
        Why ``best_trial`` is the one settled on: the best trial, or the defaults' when the best
        beats them by no more than one standard error (:func:`~forecastkit.tuning.study.chosen_trial`).
    """

    study: object
    model: str
    metric: str
    plan: Plan
    best_params: dict
    best_value: float
    best_trial: int
    forecaster: Forecaster
    out: Path | None = None
    ran: int = 0
    seed: int = DEFAULTS.seed
    choice: str = ""

    @property
    def best_hyper(self) -> dict:
        """The hyperparameters of the best trial, those given included (a config file's
        ``[models.<name>]`` table)."""
        return dict(self.forecaster.params or {})

    @property
    def best_settings(self) -> dict:
        """The best trial's preprocessing settings (a config file's top-level keys)."""
        return {k: v for k, v in self.best_params.items() if k in PREPROCESSING}

    def trials(self) -> pd.DataFrame:
        """Every trial as a table (Optuna's ``trials_dataframe()``)."""
        from .outputs import trials_frame

        return trials_frame(self.study)

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.best_params.items())
        return (f"<TuneResult: {self.model}, {len(self.study.trials)} trials; best {self.metric} "
                f"{self.best_value:.4g} (trial {self.best_trial}): {values}>")


def check_search(trials, inner_folds, metric, timeout) -> None:
    """The search arguments, checked before any data or Keras."""
    check_int(trials, "trials", 1)
    check_int(inner_folds, "inner_folds", 1)
    if metric not in METRICS:
        raise ConfigError(f"`metric` of a search must be one of {', '.join(METRICS)}. Received: metric={metric!r}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise ConfigTypeError(f"`timeout` must be a number of seconds > 0. Received: timeout={timeout!r}")
    if timeout is not None and not timeout > 0:
        raise ConfigError(f"`timeout` must be a number of seconds > 0. Received: timeout={timeout!r}")


def given_names(template: Forecaster) -> set:
    """The settings of ``template`` its user set: its ``params`` and a lookback (kept, not searched)."""
    return set(template.params or {}) | ({"lookback"} if template.lookback is not None else set())


def search(panel, template: Forecaster, plan: Plan, study, trials: int, *, inner_folds: int, metric: str,
           seed: int, timeout=None, window: str = "expanding", gap: int = 0, skip_short: bool = False,
           deterministic: bool = True, on_trial=None) -> int:
    """Run ``study`` up to ``trials`` trials of ``plan`` on ``panel`` (training data only); returns
    the number run. ``template`` has its horizon, season and lookback (or None) set."""
    horizon, season = template.horizon, template.season
    splitter = inner_splitter(horizon, min(panel.lengths.values()), inner_folds, window, gap)
    spaces = resolve_spaces(plan.searched, panel, template, splitter, season, skip_short)
    first = template
    if template.lookback is None:  # the defaults' lookback: the one a fit on this data resolves
        first = clone(template).set_params(lookback=fit_lookback(clone(template).set_params(season=season), panel))
    base = configured(template, plan.fixed)
    objective = Objective(panel, base, spaces, splitter, season=season, seed=seed, metric=metric,
                          skip_short=skip_short, deterministic=deterministic)
    first = default_values(spaces, first)
    ran = optimize(study, objective, trials, seed=seed, prunable=plan.prunable, first=first,
                   defaults=len(first) == len(spaces), timeout=timeout, on_trial=on_trial)
    for kind, message in objective.warnings.items():
        if kind is not FewWindowsWarning:  # a trial's few windows show in its score
            warnings.warn(message, stacklevel=user_stacklevel())
    return ran


def best_of(study, plan: Plan, template: Forecaster) -> tuple[dict, float, int, Forecaster, str]:
    """``(settings, value, trial number, unfitted forecaster, why)`` of the trial the study
    settles on (:func:`~.study.chosen_trial`)."""
    best, why = chosen_trial(study)
    params = {**plan.fixed, **best.params}
    return params, float(best.value), best.number, configured(template, params), why


def tune(data, model, trials: int, *, space=DEFAULTS.space, inner_folds: int = DEFAULTS.inner_folds,
         metric: str = DEFAULTS.metric, timeout=DEFAULTS.timeout, seed: int | None = None, out=None,
         resume: bool = DEFAULTS.resume, overwrite: bool = DEFAULTS.overwrite, progress: bool = False,
         skip_short: bool = DEFAULTS.skip_short, **load_kwargs) -> TuneResult:
    """Search the settings of one neural model with Optuna, scored on an inner walk-forward.

    Each trial fits the model at the last ``inner_folds`` origins of ``data`` and scores its
    forecasts by ``metric``: the data given is all the search sees, so pass training data
    only (``evaluate --tune`` does that per fit, for an honest score of the tuned model). The
    sampler is TPE, seeded per trial from ``seed``; a median pruner hears each training epoch's
    held-out loss; the first trial tries the defaults.

    Parameters
    ----------
    data : Panel, CSV path or pandas object
        The training data; ``load_kwargs`` go to the loader.
    model : str or Forecaster
        A neural model's name, or a :class:`~forecastkit.Forecaster` whose settings are kept
        (its ``params`` and a set ``lookback`` are not searched unless ``space`` names them).
    trials : int
        Trials in all (with ``resume``: the study continues up to this many).
    space : str, dict or None
        Changes to the default search space (:mod:`forecastkit.models.spaces`), e.g.
        ``"units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|gru"`` or
        ``{"units": (8, 64), "cell": ["lstm", "gru"], "dropout": 0.1}``.
    inner_folds : int
        Origins of the inner walk-forward (each its own fit).
    metric : str
        What trials minimise: mase, smape, mae, rmse, mape or owa.
    timeout : float or None
        Start no trial after this many seconds.
    seed : int or None
        Seeds the sampler and every fit: the same seed gives the same trials. None (the
        default): the given Forecaster's own seed (0 unless set), which the tuned one keeps.
    out : path or None
        Folder for study.sqlite (resumable), trials.csv, best.toml, history.png and
        importance.png; None keeps the study in memory and writes nothing.
    resume, overwrite : bool
        Continue the study in ``out``, or replace it (only forecastkit's files are removed).
    progress : bool
        One line per finished trial on standard error.

    Returns
    -------
    TuneResult

    Examples
    --------
    >>> import forecastkit
    >>> from forecastkit import Forecaster, datasets
    >>> f = Forecaster("linear", horizon=6, params={"epochs": 2})
    >>> space = "learning_rate=1e-3:1e-1:log,lookback=12,batch_size=32,l2=0.0"
    >>> result = forecastkit.tune(datasets.load("airline"), f, trials=2, space=space)
    >>> len(result.study.trials), sorted(result.best_params)
    (2, ['batch_size', 'l2', 'learning_rate', 'lookback'])
    """
    import_optuna()
    check_search(trials, inner_folds, metric, timeout)
    template = Forecaster(model) if isinstance(model, str) else clone(model)
    plan = search_plan(get_spec(template.model), space, given_names(template))
    seed = template.seed if seed is None else seed
    template.set_params(seed=seed, verbose=0)
    template.check_params()
    panel = as_panel(data, **load_kwargs)
    source = data if isinstance(data, (str, Path)) and Path(data).exists() else None
    settings = {"data": str(Path(source).resolve()) if source else None, **_template_settings(template)}
    return run_search(panel, template, plan, trials, settings=settings, inner_folds=inner_folds, metric=metric,
                      timeout=timeout, seed=seed, out=out, resume=resume, overwrite=overwrite,
                      progress=(lambda line: print(line, file=sys.stderr)) if progress else None,
                      skip_short=skip_short)


def run_search(panel, template: Forecaster, plan: Plan, trials: int, *, settings: dict, inner_folds: int,
               metric: str, timeout, seed: int, out, resume: bool, overwrite: bool, progress=None,
               skip_short: bool = False, announce=None) -> TuneResult:
    """:func:`tune` once its arguments are checked: ``settings`` are best.toml's top-level keys,
    ``progress`` a function receiving each trial's line, ``announce`` one called once the study is
    open, before the first trial (either may be None)."""
    season = int(template.season or panel.season_length())
    template = clone(template).set_params(season=season, horizon=int(template.horizon or season))
    folder = Path(out) if out is not None else None
    if folder is not None:
        prepare_folder(folder, resume, overwrite)
    config = {"model": template.model, "data": data_digest(panel), "metric": metric, "inner_folds": inner_folds,
              "space": plan.describe(), "seed": seed, "forecaster": _jsonable(template.get_params())}
    study = open_study(folder / STUDY_FILE if folder else None, config, resume)
    if announce is not None:
        announce()
    if resume and started(study) >= trials:
        if progress:
            progress(f"the study in {str(folder)!r} holds {started(study)} trials already (`trials` {trials}): "
                     "nothing to do.")
        return _result(study, plan, template, metric, folder, 0, seed)

    def on_trial(study, trial):
        progress(trial_line(trial, trials, metric, study))

    ran = search(panel, template, plan, study, trials, inner_folds=inner_folds, metric=metric, seed=seed,
                 timeout=timeout, skip_short=skip_short, on_trial=on_trial if progress else None)
    result = _result(study, plan, template, metric, folder, ran, seed, missing_ok=folder is not None)
    if folder is not None:
        write_outputs(result, folder, settings)
        best_trial(study)  # no trial finished: say why, after trials.csv shows them
    return result


def prepare_folder(folder: Path, resume: bool, overwrite: bool) -> None:
    """Refuse an existing, non-empty ``folder`` unless resumed or overwritten; ``overwrite``
    removes only forecastkit's study files there.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "trials.csv").write_text("number"), (folder / "notes.txt").write_text("mine")
    (6, 4)
    >>> prepare_folder(folder, resume=False, overwrite=True)
    >>> sorted(p.name for p in folder.iterdir())
    ['notes.txt']
    >>> prepare_folder(folder, resume=False, overwrite=False)
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: ... already exists. Pass `resume` to continue the study there, `overwrite` to replace it (only forecastkit's own files there are removed), or choose another `out`.
    """
    if resume and overwrite:
        raise ConfigError("`overwrite` starts the study in `out` again and `resume` continues it: pass one of them.")
    if overwrite:
        for name in TUNE_FILES:
            (folder / name).unlink(missing_ok=True)
    elif not resume and folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"{str(folder)!r} already exists. Pass `resume` to continue the study there, `overwrite` "
                          "to replace it (only forecastkit's own files there are removed), or choose another `out`.")
    folder.mkdir(parents=True, exist_ok=True)


def data_digest(panel) -> str:
    """A SHA-256 of a panel's rows (values, times, ids, covariates): a study's data identity.

    Examples
    --------
    >>> from forecastkit import datasets
    >>> airline = datasets.load("airline")
    >>> data_digest(airline) == data_digest(airline.with_frame(airline.frame.iloc[:143]))
    False
    """
    hashed = pd.util.hash_pandas_object(panel.frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + repr(list(panel.frame.columns)).encode()).hexdigest()


def _result(study, plan, template, metric, folder, ran, seed, missing_ok=False) -> TuneResult:
    try:
        params, value, number, forecaster, why = best_of(study, plan, template)
    except ConfigError as err:
        if not missing_ok:
            raise
        params, value, number, forecaster, why = (dict(plan.fixed), float("nan"), -1,
                                                  configured(template, plan.fixed), str(err))
    return TuneResult(study, template.model, metric, plan, params, value, number, forecaster, folder, ran, seed,
                      why)


def _template_settings(template: Forecaster) -> dict:
    """best.toml's top-level keys from a Forecaster: the model and its settings that differ from
    the defaults (its ``params`` go to the ``[models.<name>]`` table with the tuned ones)."""
    settings = {"model": template.model, "models": template.model}
    for name in ("horizon", "lookback", "season", "scaler", "preprocess", "transform", "deseason",
                 "seasonal_difference", "difference", "mode", "id_embedding", "calendar", "strategy", "seed"):
        value = template.get_params()[name]
        if value != getattr(DEFAULTS, name):
            settings[name] = value
    return settings


def _jsonable(params: dict) -> dict:
    return {k: v for k, v in params.items() if k not in ("verbose", "seed", "level")}
