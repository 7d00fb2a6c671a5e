"""Run a command's settings through the public API: forecast, evaluate, forecast from a run.

The command line parses and merges settings into one frozen
:class:`~forecastkit.settings.RunSettings` (:func:`forecastkit.config.merge_settings`) and
calls these; nothing here parses arguments or prints (a caller may pass ``announce``, a
function that receives the one line of resolved settings). Data and settings are validated
before any model is built, so errors arrive before TensorFlow is imported. Each model's
registry entry is looked up once per run and passed along.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd

from . import datasets
from .checks import check_int, check_levels, required_length
from .config import HYPER_FLAGS, model_params
from .data import Panel, load_csv, read_future
from .ensemble import accepted_hypers, kind_of
from .errors import ConfigError, DataError, user_stacklevel
from .evaluation import (
    CHECKPOINTS,
    STORE_NAME,
    WalkForward,
    WalkForwardResult,
    walk_forward,
)
from .evaluation.splits import DEFAULT_FOLDS
from .forecaster import Forecaster, default_lookback
from .forecaster.options import (
    TRAINING_DATA_ARGS,
    fit_lookback,
    warn_covariates_ignored,
)
from .forecaster.persistence import check_save_path
from .intervals import INTERVAL_METRICS
from .metrics import METRICS
from .metrics.probabilistic import PROBABILISTIC_METRICS
from .models.registry import ModelSpec, get_spec, model_names
from .settings import DEFAULTS, FORECAST_OUTPUTS, RunSettings
from .tracking import check_tracking

DEFAULT_DATASET = "airline"
RUN_FILE = "run.json"
#: The files ``evaluate`` writes into its run directory (besides the store and checkpoints).
EVALUATION_FILES = ("results.csv", "leaderboard.csv", "significance.csv", "report.html", "calibration.png",
                    "forecasts.png", RUN_FILE)
#: The files ``ablation`` writes into its run directory (besides the store and checkpoints).
ABLATION_FILES = ("ablation.csv", "results.csv", "ablation.png")


def data_source(settings: RunSettings) -> tuple[Path, str | None]:
    """The settings' data file, and the shipped dataset's name when ``data`` names one
    (default: airline) rather than a file."""
    source = settings.data or DEFAULT_DATASET
    if Path(source).exists():
        return Path(source), None
    if source in datasets.CATALOGUE:
        return datasets.path(source), source
    raise DataError(f"`data` {source!r}: no such file, and not a shipped dataset "
                    f"({', '.join(datasets.CATALOGUE)}). Check the path.")


def read_by_run(settings: RunSettings, path: Path) -> str | None:
    """The setting (``data`` or ``future_data``) whose file ``path`` is, if the run reads it:
    writing there would replace the data."""
    for name in ("data", "future_data"):
        given = getattr(settings, name, None)
        if name == "data" or given:
            try:
                source = data_source(settings)[0] if name == "data" else Path(given)
            except DataError:  # no such data: loading says so
                continue
            if source.exists() and path.exists() and os.path.samefile(path, source):  # links too
                return name
    return None


#: Compressions a forecast file may end in (pandas infers them from the suffix).
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip", ".zst")


def forecast_output(settings: RunSettings) -> tuple[Path | None, str]:
    """Where ``forecast`` writes, and the separator: ``out`` (default forecast.csv), a CSV or,
    ending in .tsv, a tab-separated file, either optionally compressed; ``-``: standard output
    (None). Checked before any training: not a directory, not inside a file, and not the
    data or the future data it reads.
    """
    out = settings.out or "forecast.csv"
    if out == "-":
        return None, ","
    path = Path(out)
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes.pop()
    if suffixes and suffixes[-1] not in (".csv", ".tsv"):
        raise ConfigError(f"`out` {out!r}: a forecast is written as CSV, not {suffixes[-1]}. Name a .csv file "
                          "(.tsv: tab-separated; either may end in .gz, .bz2, .xz, .zip or .zst), or - for "
                          "standard output.")
    if path.is_dir():
        raise ConfigError(f"`out` {out!r} is a directory; name a file, e.g. {str(path / 'forecast.csv')!r}.")
    parent = next((folder for folder in path.parents if folder.exists()), None)
    if parent is not None and not parent.is_dir():
        raise ConfigError(f"`out` {out!r}: {str(parent)!r} is a file, not a directory.")
    if read_by_run(settings, path):
        raise ConfigError(f"`out` {out!r} is the file the forecast reads its data from: writing there "
                          "would replace the data. Name another file.")
    return path, "\t" if suffixes and suffixes[-1] == ".tsv" else ","


def load_data(settings: RunSettings) -> Panel:
    """The settings' data: a CSV path, or else a shipped dataset name (default: airline)."""
    load_args = {"target": settings.target, "time": settings.time, "id": settings.id,
                 "past_covariates": split_names(settings.past_covariates),
                 "future_covariates": split_names(settings.future_covariates),
                 "static_covariates": split_names(settings.static_covariates),
                 "freq": settings.freq, "fill": settings.fill}
    path, dataset = data_source(settings)
    if dataset is None:
        return load_csv(path, **load_args)
    given = {k: v for k, v in load_args.items() if v not in (None, ())}
    for role in ("past_covariates", "future_covariates", "static_covariates"):
        if getattr(settings, role) is not None:  # set, even to "": replaces the dataset's own
            given[role] = load_args[role]
    return datasets.load(dataset, **given)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def split_names(names) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b"]`` -> ``("a", "b")``; None -> ``()``."""
    if names is None:
        return ()
    items = names.split(",") if isinstance(names, str) else names
    return tuple(str(n).strip() for n in items if str(n).strip())


def make_forecaster(spec: ModelSpec, settings: RunSettings, params: dict, horizon: int, verbose: int = 0,
                    strict: bool = True) -> Forecaster:
    """A Forecaster for the model of ``spec`` from the shared settings; raises before any training.

    With ``strict=False`` (``evaluate``, many models at once) settings only neural models
    take (``quantiles``, ``strategy``, ``bag``; ``members``: the ensemble; ``distribution``: the
    single networks, not an ensemble) are left out for the others instead of being an error.
    """
    neural_only = strict or spec.kind != "baseline"
    data_args = {name: getattr(settings if neural_only else DEFAULTS, name) for name in TRAINING_DATA_ARGS}
    forecaster = Forecaster(
        model=spec.name, horizon=horizon, params=params or None, **data_args,
        season=settings.season, seed=settings.seed, verbose=verbose,
        warm_start=settings.warm_start, mode=settings.mode,
        calendar=settings.calendar if spec.kind != "baseline" else None,  # forecast says a baseline ignores it
        quantiles=settings.quantiles if neural_only else None,
        strategy=settings.strategy if neural_only else "direct",
        members=settings.members if strict or spec.kind == "ensemble" else None,
        bag=settings.bag if neural_only else 1,
        distribution=settings.distribution if strict or spec.kind == "neural" else None,
    )
    forecaster.check_params()
    return forecaster


def horizon_of(settings: RunSettings, panel: Panel) -> int:
    """The requested horizon, or by default the season length (12 for monthly data)."""
    if settings.horizon is not None:
        return settings.horizon
    return check_int(settings.season, "season") if settings.season is not None else panel.season_length()


def resolved_line(settings: RunSettings, panel: Panel, horizon: int, lookbacks: dict[str, int] | None,
                  splitter: WalkForward | None = None) -> str:
    """One line of the settings the run resolved from the data, each marked given or resolved.

    ``lookbacks``: model -> lookback (forecast: the fitted one); None: resolved per fit (evaluate).
    ``splitter`` (evaluate): its stride is shown, resolved as the walk-forward resolves it.
    """
    season = settings.season or panel.season_length()
    found = f"resolved from the frequency {panel.freq}" if panel.freq else "integer periods: none unless given"
    parts = [f"season {season} ({'given' if settings.season else found})",
             f"horizon {horizon} ({'given' if settings.horizon is not None else 'resolved: the season length'}"
             f"{'; set --horizon for more steps ahead' if settings.horizon is None and horizon == 1 else ''})"]
    if settings.lookback:
        parts.append(f"lookback {settings.lookback} (given)")
    elif lookbacks:
        values = ", ".join(f"{v} ({k})" for k, v in lookbacks.items()) if len(set(lookbacks.values())) > 1 \
            else str(next(iter(lookbacks.values())))
        parts.append(f"lookback {values} (resolved)")
    elif lookbacks is None:
        parts.append("lookback resolved per model and fit (see `forecastkit models`)")
    n_series = panel.n_series
    if splitter is not None and splitter.start is None:
        splitter, n_series, cohorts = planned(settings, panel, splitter)
        fewer = settings.folds is None and splitter.folds != DEFAULT_FOLDS
        folds = f" (resolved: fewer on a panel of {n_series} series)" if fewer else ""
        from .significance.pairwise import min_origins

        sized = min_origins(splitter.horizon, splitter.stride) <= splitter.folds
        why = ("stride resolved: enough origins for a sized test" if sized else
               "stride resolved; too few origins for a sized significance test: raise --folds")
        parts.append(f"{splitter.folds} origins{folds} {splitter.stride} apart "
                     f"({'given' if settings.stride is not None else why})")
        if cohorts > 1:
            parts.append(f"global models fit once per group of series ending at the same time: {cohorts} groups "
                         "(--cohorts)")
    return f"settings: {n_series} series of {panel.target}; " + ", ".join(parts)


def planned(settings: RunSettings, panel: Panel, splitter: WalkForward) -> tuple[WalkForward, int, int]:
    """The splitter an evaluation of ``panel`` resolves, the number of series it keeps and the
    cohorts a global model fits per origin (:func:`~forecastkit.evaluation.plan.resolve_run`,
    :func:`~forecastkit.evaluation.cohorts.group_by_cutoff`; quietly: the walk-forward itself
    warns and raises)."""
    from .evaluation.cohorts import group_by_cutoff
    from .evaluation.plan import is_global, resolve_run, series_of

    horizon = splitter.horizon
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            resolved, entries, kept = resolve_run(series_of(panel), evaluation_models(settings, horizon), splitter,
                                                  not settings.no_baselines, settings.season or panel.season_length(),
                                                  settings.skip_short)
            cohorts = 1
            if any(is_global(f, kept) for f in entries.values()):
                folds = {s.sid: resolved.split(len(s.y), times=s.times) for s in kept}
                cohorts = len(group_by_cutoff(kept, folds, resolved.cohorts))
    except (ConfigError, DataError):
        return (splitter.with_horizon(horizon, rows=min(panel.lengths.values()), series=panel.n_series),
                panel.n_series, 1)
    return resolved, len(kept), cohorts


def forecast(settings: RunSettings, verbose: int = 0, announce=None) -> tuple[Forecaster, Panel, pd.DataFrame]:
    """Fit the settings' model on all the data and forecast ``horizon`` steps.

    Everything is checked before training: the data, the settings (``samples`` included),
    the series lengths (short series are an error, or left out with a warning under
    ``skip_short``), the covariate roles the strategy can use and the ``future_data`` the
    model's future-known covariates need over the horizon. ``announce`` (optional) receives
    the line of resolved settings before the model trains.
    """
    if settings.from_run:
        settings = settings_from_run(settings)
    if settings.save_model:
        check_save_path(settings.save_model, "save_model")
    forecast_output(settings)
    check_tracking(settings)
    panel = load_data(settings)
    spec = get_spec(settings.model or "linear")
    settings = dataclasses.replace(settings, model=spec.name)
    horizon = horizon_of(settings, panel)
    forecaster = make_forecaster(spec, settings, model_params(settings, spec=spec), horizon, verbose)
    samples = forecaster.check_samples(settings.samples)
    given = settings.past_covariates or settings.future_covariates or settings.static_covariates
    declared = (*panel.covariates, *panel.future_covariates, *panel.static_covariates)
    if spec.kind == "baseline" and given:  # not a shipped dataset's own covariates
        warn_covariates_ignored(spec.name, declared)
    if spec.kind == "baseline" and settings.calendar:
        warnings.warn(f"{spec.name} forecasts from the target alone: it ignores `calendar` "
                      f"({settings.calendar}).", stacklevel=user_stacklevel())
    forecaster.check_covariates(panel)
    forecaster.check_target(panel)  # negbin counts, seasonal steps: before TensorFlow
    if settings.skip_short:
        panel = panel.drop_short(min_length(forecaster, spec, panel), "the model's lookback + horizon")
    future = future_values(settings, panel, horizon, kind_of(forecaster) == "neural")
    levels = check_levels(settings.level)
    forecaster.check_levels_before_fit(panel, levels)
    forecaster.check_windows(panel)
    if announce is not None:  # before training: the lookback is known from the data
        lookback = fit_lookback(forecaster, panel) if spec.kind != "baseline" else None  # none to use
        shown = settings if spec.kind != "baseline" else dataclasses.replace(settings, lookback=None)
        announce(resolved_line(shown, panel, horizon, {spec.name: lookback} if lookback else {}))
    forecaster.fit(panel)
    table = forecaster.predict(future=future, level=levels, samples=samples)
    if settings.mlflow_uri:  # one MLflow run: settings, the forecast, the model (forecastkit.tracking)
        from .tracking import log_forecast

        log_forecast(settings, forecaster, table)
    return forecaster, panel, table


def min_length(forecaster: Forecaster, spec: ModelSpec, panel: Panel) -> int:
    """Rows a series needs for ``forecaster`` (:func:`~forecastkit.checks.required_length`; 1 for
    baselines). An unset lookback is resolved as the forecaster resolves it, from the longest
    series: the series too short for that are the ones ``skip_short`` leaves out."""
    if kind_of(forecaster) == "baseline":
        return 1
    season = forecaster.season or panel.season_length()
    horizon = forecaster.horizon or season
    lookback = forecaster.lookback or default_lookback(horizon, season, max(panel.lengths.values()),
                                                       spec.lookback_multiple)
    model_horizon = 1 if forecaster.strategy == "recursive" else horizon
    return required_length(lookback, model_horizon, forecaster.warmup(season))


def future_values(settings: RunSettings, panel: Panel, horizon: int, neural: bool) -> pd.DataFrame | None:
    """The future-known covariates over the horizon from ``future_data`` (checked now, not
    after training), or None when the panel has none or the model (a baseline) ignores them."""
    if not panel.future_covariates:
        if settings.future_data:
            raise ConfigError("`future_data` gives future-known covariate values, but no `future_covariates` "
                              "were named. Name the columns with `future_covariates`, or drop `future_data`.")
        return None
    if not settings.future_data:
        raise ConfigError(f"`future_covariates` {','.join(panel.future_covariates)} are known over the horizon, "
                          f"so forecasting needs their values for the {horizon} step(s) after each series' end: "
                          "pass `future_data` (a CSV with columns: time, the id column, and those covariates).")
    future = read_future(settings.future_data, panel, horizon)
    return future if neural else None


def settings_from_run(settings: RunSettings) -> RunSettings:
    """Settings of an ``evaluate`` run, with ``model`` "best" resolved to the run's winner
    (the command's own :data:`FORECAST_OUTPUTS` kept: ``level`` is the forecast's, not the
    evaluation's). The run's data is read from the absolute path it recorded, after checking
    that the file has not changed since (its SHA-256)."""
    folder = Path(settings.from_run)
    path = folder / RUN_FILE
    if not path.is_file():
        raise ConfigError(f"`from_run` {str(folder)!r} holds no {RUN_FILE}; pass the `out` directory of a "
                          "finished `forecastkit evaluate` run.")
    run = json.loads(path.read_text())
    choice = settings.model or "best"
    label = run["best"] if choice == "best" else choice
    if label is None:
        raise ConfigError(f"The run in {str(folder)!r} has no best model (no model's forecasts could be scored on "
                          f"its {run.get('metric', 'metric')}): pass `model`, one of {', '.join(run['models'])}.")
    if label not in run["models"]:
        raise ConfigError(f"`model` {label!r} was not in the run in {str(folder)!r}; it evaluated "
                          f"{', '.join(run['models'])} (or pass `model` best).")
    known = {f.name for f in dataclasses.fields(RunSettings)}
    merged = {k: v for k, v in run["settings"].items() if k in known}
    merged.update({name: getattr(settings, name) for name in FORECAST_OUTPUTS})
    merged.update(from_run=None, model=run["models"][label]["model"], resume=False, overwrite=False)
    if "data_path" in run:
        merged["data"] = run_data(run, folder)
    merged["model_tables"] = {merged["model"]: run["models"][label]["params"] or {}}
    merged.update(run["models"][label].get("settings", {}))  # a tuned model's lookback and transforms
    kind = get_spec(merged["model"]).kind
    merged["members"] = merged.get("members") if kind == "ensemble" else None  # the run's ensemble's
    merged["bag"] = merged.get("bag", 1) if kind != "baseline" else 1  # the run's networks'
    merged["distribution"] = merged.get("distribution") if kind == "neural" else None  # a single network's head
    if kind == "baseline":  # the run's networks' window and transforms
        merged.update({name: getattr(DEFAULTS, name) for name in TRAINING_DATA_ARGS})
    for name in HYPER_FLAGS:
        merged[name] = None  # the run's per-model parameters already include them
    return RunSettings(**merged)


def run_data(run: dict, folder: Path) -> str:
    """The data an evaluate run read (its dataset's name, or the absolute path it recorded),
    after checking that the file is there and unchanged."""
    path = Path(run["data_path"])
    if not path.is_file():
        raise DataError(f"The data of the run in {str(folder)!r}, {str(path)!r}, no longer exists. Put the file "
                        "back there, or evaluate again on the data you have now.")
    digest = file_sha256(path)
    if digest != run["data_sha256"]:
        raise DataError(f"The data file {str(path)!r} changed since the run in {str(folder)!r} evaluated its "
                        f"models (SHA-256 {run['data_sha256'][:12]}... then, {digest[:12]}... now), so the "
                        "run's winner was chosen on other data. Evaluate again on the new data, or restore the "
                        "file the run read.")
    return run.get("dataset") or str(path)


def evaluation_models(settings: RunSettings, horizon: int) -> dict[str, Forecaster]:
    """The models an ``evaluate`` run compares, each with its hyperparameters."""
    requested = split_names(settings.models) or ("all",)
    names = model_names("neural") if requested == ("all",) else list(requested)
    entries, kinds = {}, set()
    for name in names:
        spec = get_spec(name)
        kinds.add(spec.kind)
        params = {} if spec.kind == "baseline" else model_params(dataclasses.replace(settings, model=spec.name),
                                                                  strict=False, spec=spec)
        entries[spec.name] = make_forecaster(spec, settings, params, horizon, strict=False)
    unused = [name for name in HYPER_FLAGS if getattr(settings, name) is not None
              and not any(name in accepted_hypers(f) for f in entries.values())]
    unused += ["members"] * (settings.members is not None and "ensemble" not in kinds)
    unused += ["bag"] * (settings.bag != 1 and kinds == {"baseline"})
    unused += [name for name in TRAINING_DATA_ARGS if kinds == {"baseline"}
               and getattr(settings, name) != getattr(DEFAULTS, name)]
    if unused:
        raise ConfigError(f"`{unused[0]}` applies to none of the models evaluated ({', '.join(entries)}).")
    return entries


def splitter_of(settings: RunSettings, horizon: int) -> WalkForward:
    """The walk-forward splitter the settings describe (``start`` replaces ``folds``)."""
    return WalkForward(horizon=horizon, folds=settings.folds, stride=settings.stride, gap=settings.gap,
                       window=settings.window, refit=settings.refit, start=settings.start, cohorts=settings.cohorts)


def run_directory(settings: RunSettings, default: str = "forecastkit-run") -> Path:
    """The run directory of an ``evaluate`` (or ``ablation``) run: ``out``, or ``default``; not a file."""
    out = Path(settings.out or default)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"`out` {str(out)!r} is a file; a run writes a directory of files there. Name a "
                          f"directory, e.g. {str(out.with_suffix(''))!r}.")
    return out


def prepare_run_directory(settings: RunSettings, out: Path, files: tuple[str, ...]) -> None:
    """Refuse an existing run in ``out`` unless resumed, or remove forecastkit's own ``files``
    (and the store and checkpoints) there under ``overwrite``; other files stay."""
    if settings.overwrite and settings.resume:
        raise ConfigError("`overwrite` starts the run in `out` again and `resume` continues it: pass one of them.")
    ours = [out / name for name in (STORE_NAME, *files)]
    for path in ours:
        name = read_by_run(settings, path)
        if name:
            raise ConfigError(f"`{name}` {str(getattr(settings, name))!r} is a file the run writes in `out` "
                              f"{str(out)!r}: the run would replace it. Move the data, or choose another `out`.")
    if not settings.overwrite and not (out / STORE_NAME).exists():
        taken = [p.name for p in ours if p.exists()]
        if taken:
            raise ConfigError(f"{str(out)!r} holds {', '.join(taken)}, which the run would replace, and no run of "
                              "forecastkit's. Choose another `out`, or pass `overwrite` to replace them.")
    if settings.overwrite:
        for path in ours:
            path.unlink(missing_ok=True)
        shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
    elif not settings.resume and (out / STORE_NAME).exists():
        raise ConfigError(f"{str(out)!r} already holds a run. Pass `resume` to continue it, `overwrite` to "
                          "replace it (only forecastkit's own files there are removed), or choose another `out`.")


def evaluate(settings: RunSettings, progress: bool | str = False, announce=None) -> tuple[WalkForwardResult, Path]:
    """Walk-forward evaluation of the settings' models (and baselines) on the settings' data.

    ``progress``: False, True or "bar" (a progress bar), "lines" (plain lines, for logs and
    pipes). ``announce`` (optional) receives the line of resolved settings before any fit.
    """
    levels = check_levels(settings.level)
    valid = METRICS + PROBABILISTIC_METRICS + (INTERVAL_METRICS if levels else ())
    if settings.metric not in valid:
        hint = " (interval metrics need `level`, e.g. 80,95)" if settings.metric in INTERVAL_METRICS else ""
        raise ConfigError(f"`metric` must be one of {', '.join(valid)}{hint}. Received: metric={settings.metric!r}")
    check_tracking(settings)
    out = run_directory(settings)
    panel = load_data(settings)
    horizon = horizon_of(settings, panel)
    splitter = splitter_of(settings, horizon)
    models = evaluation_models(settings, horizon)
    prepare_run_directory(settings, out, EVALUATION_FILES)
    if announce is not None:
        announce(resolved_line(settings, panel, horizon, None, splitter))
    result = walk_forward(panel, models, splitter, seed=settings.seed, baselines=not settings.no_baselines,
                          season=settings.season, out=out, resume=settings.resume, progress=progress,
                          deterministic=not settings.fast_nondeterministic, skip_short=settings.skip_short,
                          level=levels, min_calibration=settings.min_calibration, n_jobs=settings.jobs,
                          scheduler=settings.scheduler, samples=settings.samples,
                          probabilistic=settings.metric in PROBABILISTIC_METRICS, tune=settings.tune,
                          inner_folds=settings.inner_folds, space=settings.space, metric=settings.metric)
    return result, out


def write_evaluation(result: WalkForwardResult, out: Path, settings: RunSettings) -> dict[str, Path]:
    """Results, leaderboard, significance, report and plot files, plus run.json for --from-run.

    The CSV files and run.json hold no timings or versions, so the same evaluation with the
    same seed writes them byte for byte alike. run.json records the data's absolute path
    (``data_path``) and SHA-256 (``data_sha256``), so ``forecast --from-run`` works from any
    directory and notices a changed file.
    """
    metric = settings.metric
    board = result.leaderboard(metric)
    calibrated = result.levels or "crps" in result.results.columns  # intervals or forecast distributions
    names = [name for name in EVALUATION_FILES if name != "calibration.png" or calibrated]
    paths = {name: out / name for name in names}
    result.to_frame().to_csv(paths["results.csv"], index=False)
    board.to_csv(paths["leaderboard.csv"], index=False, float_format="%.6g")
    tables, _ = result.significance(metric)
    tables.to_csv(paths["significance.csv"], index=False, float_format="%.6g")
    from .report import figures_png, to_html

    images = figures_png(result, metric)  # each figure drawn once, for the report and its file
    to_html(result, paths["report.html"], metric, images)
    for name in ("forecasts", "calibration"):
        if f"{name}.png" in paths:
            paths[f"{name}.png"].write_bytes(images[name])
    scored = board.dropna(subset=[metric])
    data_path, dataset = data_source(settings)
    recorded = {k: v for k, v in dataclasses.asdict(settings).items()
                if k not in ("resume", "overwrite", "from_run", "out", "model_tables", "mlflow_uri",
                             "mlflow_experiment")}
    run = {"best": scored["model"].iloc[0] if len(scored) else None, "metric": metric,
           "data_path": str(data_path.resolve()), "data_sha256": file_sha256(data_path), "dataset": dataset,
           "settings": recorded,
           "models": {label: {"model": params["model"], "params": params["params"]}
                      for label, params in result.config["models"].items()}}
    if "tuning" in result.config:  # a tuned model refits with its latest fit's settings
        from .tuning.nested import run_models

        run["models"].update(run_models(result))
    paths[RUN_FILE].write_text(json.dumps(run, indent=1, default=str))
    if settings.mlflow_uri:  # one MLflow run: settings, metrics, these files (forecastkit.tracking)
        from .tracking import log_evaluation

        log_evaluation(settings, result, paths)
    return paths


def ablate(settings: RunSettings, progress: bool | str = False):
    """The ``ablation`` command: every cell of the settings' recurrent builder, walk-forward,
    written to the run directory (default ``forecastkit-ablation``): ``ablation.csv`` (the
    table), ``results.csv`` (every forecast), ``ablation.png`` (the plot)."""
    from .ablation import ablation

    panel = load_data(settings)
    spec = get_spec(settings.model or "vanilla")
    settings = dataclasses.replace(settings, model=spec.name)
    horizon = horizon_of(settings, panel)
    forecaster = make_forecaster(spec, settings, model_params(settings, spec=spec), horizon)
    if settings.skip_short:
        panel = panel.drop_short(min_length(forecaster, spec, panel), "the model's lookback + horizon")
    out = run_directory(settings, "forecastkit-ablation")
    prepare_run_directory(settings, out, ABLATION_FILES)
    result = ablation(panel, forecaster, settings.cells, splitter_of(settings, horizon), repeats=settings.repeats,
                      metric=settings.metric, seed=settings.seed, out=out, resume=settings.resume,
                      progress=progress, n_jobs=settings.jobs, scheduler=settings.scheduler)
    paths = {name: out / name for name in ABLATION_FILES}
    result.table.to_csv(paths["ablation.csv"], index=False, float_format="%.6g")
    result.evaluation.to_frame().to_csv(paths["results.csv"], index=False)
    import matplotlib.pyplot as plt

    figure = result.plot()
    figure.savefig(paths["ablation.png"], dpi=110)
    plt.close(figure)
    return result, paths
