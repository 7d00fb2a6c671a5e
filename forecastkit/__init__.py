"""forecastkit: Keras LSTM forecasters and honest baselines for tabular time series.

The public API lives here, at the package root, and is listed by ``dir(forecastkit)`` (and so
by tab completion). Names are imported on first use, so ``import forecastkit`` (and the
command line's ``--help`` and input errors) stay fast and never import TensorFlow.

- Data: :func:`load_csv`, :func:`from_pandas` -> :class:`Panel`; :mod:`datasets` (shipped data).
- Models: :class:`Forecaster` (``fit`` / ``predict`` / ``sample_paths`` / ``save`` / ``load``).
- Evaluation: :func:`walk_forward` with a :class:`WalkForward` splitter -> :class:`WalkForwardResult`.
- Plots: :func:`plot_forecast`.
- Tuning: :func:`tune` (Optuna; every trial scored out of sample on the data given).
- Settings: :class:`RunSettings` and :data:`DEFAULTS`, the defaults shared with the command line.
- Errors and warnings: :class:`ForecastkitError` (and its kinds), typed warnings.

Examples
--------
>>> import forecastkit
>>> forecastkit.Forecaster("naive").get_params()["model"]
'naive'
>>> {"Forecaster", "walk_forward", "load_csv", "plot_forecast"} <= set(dir(forecastkit))
True
"""

import importlib

from . import errors as _errors

__version__ = "0.1.0"

#: Public name -> the module defining it (imported on first use).
_EXPORTS = {
    "Forecaster": "forecastkit.forecaster",
    "walk_forward": "forecastkit.evaluation",
    "WalkForward": "forecastkit.evaluation",
    "WalkForwardResult": "forecastkit.evaluation",
    "Panel": "forecastkit.data",
    "load_csv": "forecastkit.data",
    "from_pandas": "forecastkit.data",
    "plot_forecast": "forecastkit.plots",
    "RunSettings": "forecastkit.settings",
    "DEFAULTS": "forecastkit.settings",
    "datasets": "forecastkit.datasets",
    "tune": "forecastkit.tuning",
}
#: The error and warning classes (forecastkit.errors imports nothing heavy).
_ERRORS = sorted(name for name, value in vars(_errors).items()
                 if isinstance(value, type) and issubclass(value, (Exception, Warning))
                 and value.__module__ == _errors.__name__)
__all__ = ["__version__", *_EXPORTS, *_ERRORS]


def __getattr__(name):
    if name in _ERRORS:
        return getattr(_errors, name)
    if name not in _EXPORTS:
        raise AttributeError(f"module 'forecastkit' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    value = module if name == "datasets" else getattr(module, name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(__all__) | {"errors"})
