"""Target preprocessing fit on a training slice only, with exact inverses.

- :mod:`.seasonality`: seasonal periods per frequency, the M4 seasonality test, and
  deseasonalisation (classical, STL, MSTL) with phases from absolute grid positions;
- :mod:`.transforms`: :class:`TargetTransform` (scaler, log / Box-Cox, first and seasonal
  differences, deseasonalisation) and :class:`ColumnScaler` for covariates;
- :mod:`.choice`: ``preprocess="auto"``, the chain chosen per fit from its training data.

Examples
--------
>>> import numpy as np
>>> from forecastkit.preprocess import TargetTransform
>>> transform = TargetTransform(scaler="standard", power="log").fit(np.array([1.0, 10.0, 100.0]))
>>> np.round(transform.inverse(transform.transform(np.array([10.0]))), 6).tolist()
[10.0]
"""

from .choice import (
    PREPROCESS,
    Chain,
    candidates,
    choose_chain,
    fixed_chain,
    resolve_fixed,
    seasonal_share,
)
from .seasonality import (
    DESEASON_METHODS,
    Seasonality,
    grid_positions,
    is_seasonal,
    seasonal_periods,
)
from .transforms import ColumnScaler, TargetTransform, check_transform_options

__all__ = [
    "DESEASON_METHODS", "PREPROCESS", "Chain", "ColumnScaler", "Seasonality", "TargetTransform", "candidates",
    "check_transform_options", "choose_chain", "fixed_chain", "grid_positions", "is_seasonal", "resolve_fixed",
    "seasonal_periods", "seasonal_share",
]
