"""What ``forecastkit tune`` writes to its folder: trials.csv, best.toml and two plots.

- ``trials.csv``: Optuna's ``trials_dataframe()`` (number, value, start and end, duration,
  ``params_*``, ``user_attrs_*`` such as a failure's reason, state);
- ``best.toml``: a config file ``forecast --config`` and ``evaluate --config`` take as is: the
  data and run settings, ``model`` and ``models`` (so evaluate runs the tuned model alone, with
  the baselines), the best trial's settings and hyperparameters (those without a setting of
  their own in a ``[models.<name>]`` table, then without ``models``);
- ``history.png`` and ``importance.png``: Optuna's optimisation history and fANOVA parameter
  importances (matplotlib).

Examples
--------
>>> print(toml_text({"data": "airline", "lookback": 12}, {"mlp": {"units": 32, "learning_rate": 0.001}}))
data = "airline"
lookback = 12
<BLANKLINE>
[models.mlp]
units = 32
learning_rate = 0.001
<BLANKLINE>
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

from ..settings import hyper_names

#: The files a study folder holds; ``overwrite`` removes only these.
STUDY_FILE = "study.sqlite"
TUNE_FILES = (STUDY_FILE, "trials.csv", "best.toml", "history.png", "importance.png")


def trials_frame(study):
    """Optuna's ``trials_dataframe()`` without the system attributes (the enqueued defaults)."""
    attrs = ("number", "value", "datetime_start", "datetime_complete", "duration", "params", "user_attrs", "state")
    return study.trials_dataframe(attrs=attrs)


def toml_value(value) -> str:
    """A TOML literal for a setting's value (text, number, boolean or list).

    Examples
    --------
    >>> [toml_value(v) for v in ("mlp", 1e-05, True, ["a", "b"])]
    ['"mlp"', '1e-05', 'true', '["a", "b"]']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no TOML literal for {value!r}")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def toml_text(settings: dict, tables: dict, header: list[str] = ()) -> str:
    """A config file: ``# header`` lines, the top-level ``settings``, then ``[models.<name>]``
    ``tables`` (None values left out)."""
    lines = [f"# {line}" for line in header]
    lines += [f"{key} = {toml_value(value)}" for key, value in settings.items() if value is not None]
    for name, params in tables.items():
        lines += ["", f"[models.{name}]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in params.items() if value is not None]
    return "\n".join(lines) + "\n"


def write_outputs(result, folder: Path, settings: dict) -> dict:
    """Write trials.csv, best.toml (top-level ``settings`` + the best trial; none when no trial
    finished), history.png and importance.png to ``folder``; returns ``{name: path}``."""
    folder = Path(folder)
    paths = {name: folder / name for name in TUNE_FILES}
    trials_frame(result.study).to_csv(paths["trials.csv"], index=False)
    write_plots(result.study, paths["history.png"], paths["importance.png"], result.seed)
    if result.best_trial < 0:
        paths["best.toml"].unlink(missing_ok=True)
        return paths
    top = {**settings, **result.best_settings}
    named = set(hyper_names())  # hyperparameters with a setting go top-level, beside models = "<name>"
    top.update({k: v for k, v in result.best_hyper.items() if k in named})
    table = {k: v for k, v in result.best_hyper.items() if k not in named}
    if table:  # a [models.<name>] table and a top-level `models` cannot both be in one TOML file
        top.pop("models", None)
    header = [f"forecastkit tune: trial {result.best_trial} of {len(result.study.trials)}, {result.metric} "
              f"{result.best_value:.6g} on an inner walk-forward of the data; {result.choice}.",
              "Use it as is: forecastkit forecast --config best.toml, or forecastkit evaluate --config best.toml."]
    paths["best.toml"].write_text(toml_text(top, {result.model: table} if table else {}, header), encoding="utf-8")
    return paths


def write_plots(study, history: Path, importance: Path, seed: int = 0) -> None:
    """Optuna's optimisation history and parameter importances as PNG files; a figure saying why
    when importances cannot be computed (fewer than two finished trials, or nothing varied)."""
    import optuna

    from ..report import _pyplot

    plt = _pyplot()  # Agg outside notebooks
    from optuna.visualization import matplotlib as plots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
        _save(_figure(plt, "No optimisation history", lambda: plots.plot_optimization_history(study)), history)
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
        _save(_figure(plt, "No parameter importances",
                      lambda: plots.plot_param_importances(study, evaluator=evaluator)), importance)


def _figure(plt, failure: str, draw):
    """The figure ``draw()`` makes, or one saying why there is none (e.g. no trial finished)."""
    try:
        return draw().figure
    except (ValueError, RuntimeError) as err:
        figure, axes = plt.subplots(figsize=(6, 2))
        axes.axis("off")
        axes.text(0.5, 0.5, f"{failure}: {err}", ha="center", va="center", wrap=True)
        return figure


def _save(figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
