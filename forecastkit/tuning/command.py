"""``forecastkit tune``: the command's settings through :func:`~forecastkit.tuning.api.run_search`.

:func:`run_tune` is the one place where a finished study and the settings that ran it are
both at hand (the command line prints from it; tracking can log from it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..config import HYPER_FLAGS, model_params
from ..errors import ConfigError
from ..models.registry import get_spec, model_names
from ..settings import DEFAULTS, RunSettings, commands_of, setting_names
from ..tracking import check_tracking
from .api import TuneResult, check_search, run_search
from .objective import inner_splitter
from .study import import_optuna

DEFAULT_OUT = "forecastkit-tune"
#: Settings of the search itself, not of the model it tunes: left out of best.toml.
SEARCH_SETTINGS = ("trials", "timeout", "inner_folds", "space", "out", "resume", "overwrite", "quiet", "verbose",
                   "mlflow_uri", "mlflow_experiment", "model", "data")


def run_tune(settings: RunSettings, progress=None, announce=None) -> tuple[TuneResult, Path]:
    """Search the settings' model on the settings' data; returns ``(result, out)``: the
    :class:`~forecastkit.tuning.api.TuneResult` (``result.study`` is the Optuna study) and the
    study folder. Everything is checked before any data is read or model built.

    ``progress`` receives one line per finished trial, ``announce`` the line of resolved
    settings before the first trial (either may be None).
    """
    from ..runs import data_source, horizon_of, load_data, make_forecaster, min_length

    import_optuna()
    if not settings.model:
        raise ConfigError(f"`model` names the neural model to tune: one of {', '.join(model_names('neural'))}.")
    if settings.trials is None:
        raise ConfigError("`trials` is required: the number of trials in all, e.g. 20.")
    check_search(settings.trials, settings.inner_folds, settings.metric, settings.timeout)
    spec = get_spec(settings.model)
    if spec.kind != "neural":
        raise ConfigError(f"`model` {spec.name!r} is a {spec.kind} without hyperparameters to tune; tune a neural "
                          f"model: {', '.join(model_names('neural'))}.")
    settings = dataclasses.replace(settings, model=spec.name)
    check_tracking(settings)  # --mlflow: the store checked before any trial (forecastkit.tracking)
    params = model_params(settings, spec=spec)
    from ..models.spaces import search_plan

    plan = search_plan(spec, settings.space, set(params) | ({"lookback"} if settings.lookback else set()))
    panel = load_data(settings)
    horizon = horizon_of(settings, panel)
    template = make_forecaster(spec, settings, params, horizon)
    template.check_covariates(panel)
    if settings.skip_short:
        panel = panel.drop_short(min_length(template, spec, panel), "the model's lookback + horizon")
    path, dataset = data_source(settings)
    best = {"data": dataset or str(path.resolve()), "model": spec.name, "models": spec.name}
    for name in setting_names():
        value = getattr(settings, name)
        if ("tune" in commands_of(name) and name not in SEARCH_SETTINGS and name not in HYPER_FLAGS
                and value != getattr(DEFAULTS, name)):
            best[name] = value
    out = Path(settings.out or DEFAULT_OUT)
    result = run_search(panel, template, plan, settings.trials, settings=best, inner_folds=settings.inner_folds,
                        metric=settings.metric, timeout=settings.timeout, seed=settings.seed, out=out,
                        resume=settings.resume, overwrite=settings.overwrite, progress=progress,
                        skip_short=settings.skip_short,
                        announce=(lambda: announce(resolved_line(settings, panel, horizon, plan))) if announce else None)
    if settings.mlflow_uri:  # a parent MLflow run with one nested run per trial
        from ..tracking import log_tune

        log_tune(result.study, settings, out)
    return result, out


def resolved_line(settings: RunSettings, panel, horizon: int, plan) -> str:
    """One line: the data, the inner walk-forward and the space searched."""
    season = settings.season or panel.season_length()
    inner = inner_splitter(horizon, min(panel.lengths.values()), settings.inner_folds)
    return (f"settings: {panel.n_series} series of {panel.target}; season {season}, horizon {horizon}; "
            f"tuning {plan.model} over {settings.trials} trials, each scored by {settings.metric} at the last "
            f"{inner.folds} origins ({inner.stride} apart); searching {plan.describe()}")
