"""Walk-forward evaluation: splits, a plan of fit jobs, executors, the results store and result.

The flow: :class:`WalkForward` (:mod:`.splits`) yields indices only; :mod:`.plan` turns
models x series (or the global panel) x fits into independent jobs; :mod:`.jobs` runs one
job (fits one after another or fold-parallel); :mod:`.executors` runs the jobs in this
process, on a process pool or on Dask, and one writer commits each fit to the SQLite
:class:`RunStore` (:mod:`.store`); :mod:`.checkpoints` keeps warm-started chains' weights;
:class:`WalkForwardResult` (:mod:`.result`) is the tidy table every metric derives from;
:func:`walk_forward` (:mod:`.walk`) is the entry.

Examples
--------
>>> from forecastkit.evaluation import WalkForward, WalkForwardResult, walk_forward
>>> WalkForward().folds, WalkForward().refit
(24, 'every:6')
"""

from .checkpoints import CHECKPOINTS
from .plan import DEFAULT_BASELINES, fit_seed
from .result import WalkForwardResult
from .splits import Fold, WalkForward, parse_refit, parse_window
from .store import RESULT_COLUMNS, RunStore
from .walk import STORE_NAME, walk_forward

__all__ = ["CHECKPOINTS", "DEFAULT_BASELINES", "Fold", "RESULT_COLUMNS", "RunStore", "STORE_NAME", "WalkForward", "WalkForwardResult",
           "fit_seed", "parse_refit", "parse_window", "walk_forward"]
