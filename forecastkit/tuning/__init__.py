"""Hyperparameter search on Optuna whose every score is out of sample on training data.

- :func:`tune` (``forecastkit tune``): search one neural model's settings on the data given,
  each trial scored by the run's metric over an inner walk-forward at the end of that data;
  a seeded TPE sampler, a median pruner fed each epoch's held-out loss, a resumable study
  (:mod:`.study`), and trials.csv, best.toml and plots in the study folder (:mod:`.outputs`).
- ``evaluate --tune N`` (:mod:`.nested`): each outer fit searched on its own training rows,
  the search kept in the run store, the tuned model ranked beside the default one.
- Search spaces: :mod:`forecastkit.models.spaces`.

Nothing here imports Optuna or Keras until a search runs.

Examples
--------
>>> from forecastkit.tuning import inner_splitter
>>> inner_splitter(horizon=12, rows=144, folds=3).origins(144)
[108, 120, 132]
"""

from .api import TuneResult, search, tune
from .command import run_tune
from .objective import inner_splitter

__all__ = ["TuneResult", "inner_splitter", "run_tune", "search", "tune"]
