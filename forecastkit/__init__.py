"""forecastkit: Keras LSTM forecasters and honest baselines for tabular time series.

The public names are imported on first use, so ``import forecastkit`` (and the command
line's ``--help`` and input errors) stay fast and never import TensorFlow.

Examples
--------
>>> import forecastkit
>>> forecastkit.Forecaster("naive").get_params()["model"]
'naive'
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Forecaster": "forecastkit.forecaster",
    "Panel": "forecastkit.data",
    "load_csv": "forecastkit.data",
    "from_pandas": "forecastkit.data",
    "datasets": "forecastkit.datasets",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'forecastkit' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    return module if name == "datasets" else getattr(module, name)
