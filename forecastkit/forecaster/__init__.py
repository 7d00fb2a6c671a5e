"""``Forecaster``: one scikit-learn-style interface over every model in the zoo.

``fit`` learns target transforms and the model from the training data only; ``predict``
forecasts the ``horizon`` steps after the end of the training data (or of newly supplied
history) and returns the long frame the CLI writes: ``id, time, model, yhat``. ``save``
writes ``model.keras`` (neural models) and ``metadata.json`` (everything else, plain JSON);
``Forecaster.load`` restores it with Keras safe mode.

Neural models forecast the horizon in one of two ways (``strategy``): ``"direct"`` (the
default) trains the network to output all ``horizon`` steps at once; ``"recursive"`` trains a
one-step network and rolls it out, feeding each forecast back as the next input.
:meth:`Forecaster.sample_paths` draws possible futures by bootstrapping the errors the model
made on its held-out windows.

The package:

- :mod:`~forecastkit.forecaster.facade`: the :class:`Forecaster` class (parameters, fit, predict, ...);
- :mod:`~forecastkit.forecaster.options`: constants, parameter checks, data-dependent defaults;
- :mod:`~forecastkit.forecaster.preparation`: transforms, covariate encoding and training windows;
- :mod:`~forecastkit.forecaster.engines`: one engine per kind and strategy, chosen once in ``fit``;
- :mod:`~forecastkit.forecaster.sampling`: bootstrapped future paths;
- :mod:`~forecastkit.forecaster.predictive`: forecast distributions (distribution heads, quantile heads,
  sampled paths) in the original units;
- :mod:`~forecastkit.forecaster.persistence`: save and load.

Examples
--------
>>> from forecastkit import Forecaster, datasets
>>> panel = datasets.load("airline")
>>> forecaster = Forecaster("seasonal_naive", horizon=3).fit(panel)
>>> forecaster.predict()[["time", "yhat"]].to_string(index=False)
'      time  yhat\\n1961-01-01 417.0\\n1961-02-01 391.0\\n1961-03-01 419.0'
"""

from .facade import Forecaster
from .options import (
    INTERVAL_PATHS,
    MODES,
    PATH_CHUNK,
    SAMPLE_QUANTILES,
    STRATEGIES,
    as_panel,
    check_quantiles,
    default_lookback,
)
from .persistence import METADATA_FORMAT

__all__ = ["Forecaster", "INTERVAL_PATHS", "METADATA_FORMAT", "MODES", "PATH_CHUNK", "SAMPLE_QUANTILES",
           "STRATEGIES", "as_panel", "check_quantiles", "default_lookback"]
