"""Walk-forward evaluation: splits, a plan of fit jobs, executors, the results store and result.

The flow: :class:`WalkForward` (:mod:`.splits`) yields indices only; :mod:`.plan` turns
models x series (or the global panel) x fits into independent jobs; :mod:`.jobs` runs one
job (fits one after another or fold-parallel); :mod:`.executors` runs the jobs in this
process, on a process pool or on Dask, and one writer commits each fit to the SQLite
:class:`RunStore` (:mod:`.store`); :mod:`.checkpoints` keeps warm-started chains' weights;
:mod:`.probabilistic` scores each fit's forecast distributions (CRPS, pinball loss, PIT);
:class:`WalkForwardResult` (:mod:`.result`) is the tidy table every metric derives from;
:func:`walk_forward` (:mod:`.walk`) is the entry.

Examples
--------
>>> from forecastkit.evaluation import WalkForward, WalkForwardResult, walk_forward
>>> WalkForward().with_horizon(12).folds, WalkForward().refit
(24, 'every:6')
"""

import importlib

#: Public name -> the submodule defining it, imported on first use, so that a light submodule
#: (:mod:`.workers`, which the command line imports before anything heavy) stays light.
_EXPORTS = {"CHECKPOINTS": "checkpoints", "DEFAULT_BASELINES": "plan", "fit_seed": "plan",
            "WalkForwardResult": "result", "Fold": "splits", "WalkForward": "splits", "parse_refit": "splits",
            "parse_window": "splits", "RESULT_COLUMNS": "store", "RunStore": "store", "STORE_NAME": "walk",
            "walk_forward": "walk"}
__all__ = ["CHECKPOINTS", "DEFAULT_BASELINES", "Fold", "RESULT_COLUMNS", "RunStore", "STORE_NAME", "WalkForward", "WalkForwardResult",
           "fit_seed", "parse_refit", "parse_window", "walk_forward"]


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
