"""Run a command's settings through the public API: forecast, evaluate, forecast from a run.

The command line parses and merges settings (:mod:`forecastkit.config`) and calls these;
nothing here parses arguments or prints. Data and settings are validated before any model
is built, so errors arrive before TensorFlow is imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import datasets
from .config import HYPER_FLAGS, model_params
from .data import Panel, load_csv, read_future
from .ensemble import accepted_hypers, kind_of
from .errors import ConfigError, DataError
from .forecaster import Forecaster, default_lookback
from .intervals import INTERVAL_METRICS, check_levels
from .metrics import METRICS
from .models.registry import get_spec, model_names
from .splits import WalkForward
from .walkforward import WalkForwardResult, walk_forward

DEFAULT_DATASET = "airline"
RUN_FILE = "run.json"


def load_data(settings: dict) -> Panel:
    """The settings' data: a CSV path, or else a shipped dataset name (default: airline)."""
    source = settings["data"] or DEFAULT_DATASET
    load_args = {"target": settings["target"], "time": settings["time"], "id": settings["id"],
                 "covariates": split_names(settings["past_covariates"]),
                 "future_covariates": split_names(settings["future_covariates"]),
                 "static_covariates": split_names(settings["static_covariates"]),
                 "freq": settings["freq"], "fill": settings["fill"]}
    if Path(source).exists():
        return load_csv(source, **load_args)
    if source in datasets.CATALOGUE:
        return datasets.load(source, **{k: v for k, v in load_args.items() if v not in (None, ())})
    raise DataError(f"`--data {source}`: no such file, and not a shipped dataset "
                    f"({', '.join(datasets.CATALOGUE)}). Check the path.")


def split_names(names) -> tuple[str, ...]:
    """``"a, b"`` or ``["a", "b"]`` -> ``("a", "b")``; None -> ``()``."""
    if names is None:
        return ()
    items = names.split(",") if isinstance(names, str) else names
    return tuple(str(n).strip() for n in items if str(n).strip())


def make_forecaster(model: str, settings: dict, params: dict, horizon: int, verbose: int = 0,
                    strict: bool = True) -> Forecaster:
    """A Forecaster for ``model`` from the shared settings; raises before any training.

    With ``strict=False`` (``evaluate``, many models at once) settings only neural models
    take (``quantiles``, ``strategy``, ``bag``; ``members``: the ensemble) are left out for the
    others instead of being an error.
    """
    neural_only = strict or get_spec(model).kind != "baseline"
    forecaster = Forecaster(
        model=model, horizon=horizon, lookback=settings["lookback"], params=params or None,
        scaler=settings["scaler"], transform=settings["transform"], difference=settings["difference"],
        preprocess=settings["preprocess"], deseason=settings["deseason"],
        seasonal_difference=settings["seasonal_difference"],
        season=settings["season"], seed=settings["seed"], verbose=verbose,
        warm_start=bool(settings.get("warm_start")), mode=settings["mode"],
        id_embedding=settings["id_embedding"], calendar=settings["calendar"],
        quantiles=settings["quantiles"] if neural_only else None,
        strategy=(settings.get("strategy") or "direct") if neural_only else "direct",
        members=settings.get("members") if strict or get_spec(model).kind == "ensemble" else None,
        bag=settings.get("bag", 1) if neural_only else 1,
    )
    forecaster.check_params()
    return forecaster


def horizon_of(settings: dict, panel: Panel) -> int:
    """The requested horizon, or by default the season length (12 for monthly data)."""
    return settings["horizon"] if settings["horizon"] is not None else settings["season"] or panel.season_length()


def forecast(settings: dict, verbose: int = 0) -> tuple[Forecaster, Panel, pd.DataFrame]:
    """Fit the settings' model on all the data and forecast ``horizon`` steps.

    Everything is checked before training: the data, the settings (``samples`` included),
    the series lengths (short series are an error, or left out with a warning under
    ``skip_short``), the covariate roles the strategy can use and the ``future_data`` the
    model's future-known covariates need over the horizon.
    """
    if settings.get("from_run"):
        settings = settings_from_run(settings)
    panel = load_data(settings)
    model = settings["model"] or "linear"
    horizon = horizon_of(settings, panel)
    forecaster = make_forecaster(model, settings, model_params({**settings, "model": model}), horizon, verbose)
    samples = forecaster.check_samples(settings.get("samples"))
    forecaster.check_covariates(panel)
    if settings["skip_short"]:
        panel = panel.drop_short(min_length(forecaster, panel), "the model's lookback + horizon")
    future = future_values(settings, panel, horizon, kind_of(forecaster) == "neural")
    levels = check_levels(settings["level"])
    forecaster.check_levels_before_fit(panel, levels)
    return forecaster, panel, forecaster.fit(panel).predict(future=future, levels=levels, samples=samples)


def min_length(forecaster: Forecaster, panel: Panel) -> int:
    """Rows a series needs for ``forecaster``: lookback + horizon (1 for a recursive model; +1 to
    difference); 1 for baselines."""
    if kind_of(forecaster) == "baseline":
        return 1
    season = forecaster.season or panel.season_length()
    lookback = forecaster.lookback or default_lookback(forecaster.horizon, season, max(panel.lengths.values()),
                                                       get_spec(forecaster.model).lookback_multiple)
    return lookback + forecaster.model_horizon + forecaster.warmup(season)


def future_values(settings: dict, panel: Panel, horizon: int, neural: bool) -> pd.DataFrame | None:
    """The future-known covariates over the horizon from ``--future-data`` (checked now, not
    after training), or None when the panel has none or the model (a baseline) ignores them."""
    if not panel.future_covariates:
        if settings["future_data"]:
            raise ConfigError("`--future-data` gives future-known covariate values, but no --future-covariates "
                              "were named. Name the columns with --future-covariates A,B, or drop --future-data.")
        return None
    if not settings["future_data"]:
        raise ConfigError(f"--future-covariates {','.join(panel.future_covariates)} are known over the horizon, "
                          f"so forecasting needs their values for the {horizon} step(s) after each series' end: "
                          "pass --future-data FILE (columns: time, the id column, and those covariates).")
    future = read_future(settings["future_data"], panel, horizon)
    return future if neural else None


#: Settings of ``forecast --from-run`` taken from the command, not from the evaluate run: what to
#: write and how, and what only forecasting needs (the covariates' future values).
FORECAST_OUTPUTS = ("out", "save_model", "quiet", "verbose", "samples", "level", "future_data")


def settings_from_run(settings: dict) -> dict:
    """Settings of an ``evaluate`` run, with ``model`` "best" resolved to the run's winner
    (the command's own :data:`FORECAST_OUTPUTS` kept: ``--level`` is the forecast's, not the
    evaluation's)."""
    folder = Path(settings["from_run"])
    path = folder / RUN_FILE
    if not path.is_file():
        raise ConfigError(f"`--from-run {folder}` holds no {RUN_FILE}; pass the --out directory of a "
                          "finished `forecastkit evaluate` run.")
    run = json.loads(path.read_text())
    choice = settings["model"] or "best"
    label = run["best"] if choice == "best" else choice
    if label not in run["models"]:
        raise ConfigError(f"`--model {label}` was not in the run in {str(folder)!r}; it evaluated "
                          f"{', '.join(run['models'])} (or pass --model best).")
    merged = {**run["settings"], **{name: settings.get(name) for name in FORECAST_OUTPUTS}, "from_run": None}
    merged["model"] = run["models"][label]["model"]
    merged["model_tables"] = {merged["model"]: run["models"][label]["params"] or {}}
    kind = get_spec(merged["model"]).kind
    merged["members"] = merged.get("members") if kind == "ensemble" else None  # the run's ensemble's
    merged["bag"] = merged.get("bag", 1) if kind != "baseline" else 1  # the run's networks'
    for name in HYPER_FLAGS:
        merged[name] = None  # the run's per-model parameters already include them
    return merged


def evaluation_models(settings: dict, horizon: int) -> dict[str, Forecaster]:
    """The models an ``evaluate`` run compares, each with its hyperparameters."""
    requested = split_names(settings["models"]) or ("all",)
    names = model_names("neural") if requested == ("all",) else list(requested)
    entries = {}
    for name in names:
        spec = get_spec(name)
        params = model_params({**settings, "model": name}, strict=False) if spec.kind != "baseline" else {}
        entries[name] = make_forecaster(name, settings, params, horizon, strict=False)
    kinds = {get_spec(n).kind for n in entries}
    unused = [flag for flag in HYPER_FLAGS if settings.get(flag) is not None
              and not any(flag in accepted_hypers(f) for f in entries.values())]
    unused += ["members"] * (settings.get("members") is not None and "ensemble" not in kinds)
    unused += ["bag"] * (settings.get("bag", 1) != 1 and kinds == {"baseline"})
    if unused:
        raise ConfigError(f"`--{unused[0].replace('_', '-')}` applies to none of the models evaluated "
                          f"({', '.join(entries)}).")
    return entries


def splitter_of(settings: dict, horizon: int) -> WalkForward:
    """The walk-forward splitter the settings describe (``--start`` replaces ``--folds``)."""
    return WalkForward(horizon=horizon, folds=settings["folds"], stride=settings["stride"], gap=settings["gap"],
                       window=settings["window"], refit=settings["refit"], start=settings["start"])


def run_directory(settings: dict) -> Path:
    """The run directory of an ``evaluate`` run (``--out``, default ``forecastkit-run``)."""
    return Path(settings["out"] or "forecastkit-run")


def evaluate(settings: dict, progress: bool = False) -> tuple[WalkForwardResult, Path]:
    """Walk-forward evaluation of the settings' models (and baselines) on the settings' data."""
    levels = check_levels(settings["level"])
    valid = METRICS + (INTERVAL_METRICS if levels else ())
    if settings["metric"] not in valid:
        hint = " (interval metrics need --level, e.g. --level 80,95)" if settings["metric"] in INTERVAL_METRICS else ""
        raise ConfigError(f"`--metric` must be one of {', '.join(valid)}{hint}. Received: metric={settings['metric']!r}")
    panel = load_data(settings)
    horizon = horizon_of(settings, panel)
    splitter = splitter_of(settings, horizon)
    models = evaluation_models(settings, horizon)
    out = run_directory(settings)
    result = walk_forward(panel, models, splitter, seed=settings["seed"], baselines=not settings["no_baselines"],
                          season=settings["season"], out=out, resume=settings["resume"], progress=progress,
                          deterministic=not settings["fast_nondeterministic"], skip_short=settings["skip_short"],
                          levels=levels, min_calibration=settings["min_calibration"])
    return result, out


def write_evaluation(result: WalkForwardResult, out: Path, settings: dict) -> dict[str, Path]:
    """Results, leaderboard, significance, report and plot files, plus run.json for --from-run.

    The CSV files and run.json hold no timings, versions or paths of the run directory, so
    the same evaluation with the same seed writes them byte for byte alike.
    """
    metric = settings["metric"]
    board = result.leaderboard(metric)
    names = ["results.csv", "leaderboard.csv", "significance.csv", "report.html", "forecasts.png", RUN_FILE]
    if result.levels:
        names.insert(5, "calibration.png")
    paths = {name: out / name for name in names}
    result.to_frame().to_csv(paths["results.csv"], index=False)
    board.to_csv(paths["leaderboard.csv"], index=False, float_format="%.6g")
    tables, _ = result.significance(metric)
    tables.to_csv(paths["significance.csv"], index=False, float_format="%.6g")
    result.to_html(paths["report.html"], metric)
    import matplotlib.pyplot as plt

    figures = {"forecasts.png": result.plot(metric=metric)}
    if result.levels:
        figures["calibration.png"] = result.calibration_plot()
    for name, figure in figures.items():
        figure.savefig(paths[name], dpi=110)
        plt.close(figure)
    scored = board.dropna(subset=[metric])
    run = {"best": scored["model"].iloc[0] if len(scored) else None, "metric": metric,
           "settings": {k: v for k, v in settings.items() if k not in ("resume", "from_run", "out")},
           "models": {label: {"model": params["model"], "params": params["params"]}
                      for label, params in result.config["models"].items()}}
    paths[RUN_FILE].write_text(json.dumps(run, indent=1, default=str))
    return paths


def ablate(settings: dict, progress: bool = False):
    """The ``ablation`` command: every cell of the settings' recurrent builder, walk-forward,
    written to the run directory (default ``forecastkit-ablation``): ``ablation.csv`` (the
    table), ``results.csv`` (every forecast), ``ablation.png`` (the plot)."""
    from .ablation import ablation

    panel = load_data(settings)
    model = settings["model"] or "vanilla"
    horizon = horizon_of(settings, panel)
    forecaster = make_forecaster(model, settings, model_params({**settings, "model": model}), horizon)
    if settings["skip_short"]:
        panel = panel.drop_short(min_length(forecaster, panel), "the model's lookback + horizon")
    out = Path(settings["out"] or "forecastkit-ablation")
    result = ablation(panel, forecaster, settings["cells"], splitter_of(settings, horizon), repeats=settings["repeats"],
                      metric=settings["metric"], seed=settings["seed"], out=out, resume=settings["resume"],
                      progress=progress)
    paths = {name: out / name for name in ("ablation.csv", "results.csv", "ablation.png")}
    result.table.to_csv(paths["ablation.csv"], index=False, float_format="%.6g")
    result.evaluation.to_frame().to_csv(paths["results.csv"], index=False)
    import matplotlib.pyplot as plt

    figure = result.plot()
    figure.savefig(paths["ablation.png"], dpi=110)
    plt.close(figure)
    return result, paths
