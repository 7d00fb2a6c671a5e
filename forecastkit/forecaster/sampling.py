"""Sampled future paths: bootstrapping a network's errors on its held-out windows.

The errors ``actual - forecast`` of the fitted network on its held-out (validation) windows,
in its scaled units, are the residuals drawn with replacement:

- direct: path ``j`` is the point forecast plus one held-out window's whole row of errors
  (all ``horizon`` steps together, which keeps their dependence), mapped back to the
  original units;
- recursive: at every step of the rollout a drawn one-step error is added to the forecast,
  and the perturbed value is what is fed back (a generative rollout).

The draws come from a generator seeded with the forecaster's ``seed``: the same seed (and a
saved and loaded model) gives the same paths.

Examples
--------
>>> paths = np.arange(12.0).reshape(1, 4, 3)  # one series, 4 paths, horizon 3
>>> sample_quantiles(paths)["q0.5"].tolist()
[[4.5, 5.5, 6.5]]
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import ConfigError, ModelFileError, user_stacklevel
from ..models import families
from .options import PATH_CHUNK, SAMPLE_QUANTILES

NO_RESIDUALS = ("Sampled paths draw from the model's errors on its held-out windows, but it holds out "
                "none (validation={validation}). Hold out a share of the training windows with `validation`, "
                "e.g. validation=0.2, or use more data.")


def residual_sets(forecaster) -> dict:
    """``{key: (windows, model_horizon) array}``: the held-out errors paths are drawn from."""
    if not hasattr(forecaster, "residuals_"):
        raise ModelFileError("This model was saved without its held-out residuals (its metadata.json, "
                             "written by an older forecastkit, has no 'residuals'), so it cannot sample "
                             "paths. Refit it and save it again.")
    sets = {key: np.asarray(rows, dtype=float).reshape(len(rows), -1)
            for key, rows in forecaster.residuals_.items()}
    if not sets or min(len(rows) for rows in sets.values()) == 0:
        raise ConfigError(NO_RESIDUALS.format(validation=forecaster.hyper_["validation"]))
    return sets


def _draws(engine, histories: list, n: int, per_step: bool) -> np.ndarray:
    """Drawn residual rows ``(series, n, model_horizon)`` (``per_step``: ``(series, n, horizon, 1)``)."""
    f = engine.f
    residuals = residual_sets(f)
    rng = np.random.default_rng(f.seed)
    keys = [engine.key(sid) for sid, _, _ in histories]
    size = (n, f.horizon_) if per_step else n
    return np.stack([residuals[key][rng.integers(len(residuals[key]), size=size)] for key in keys])


def direct_paths(engine, histories: list, n: int) -> np.ndarray:
    """``(len(histories), n, horizon)`` paths of a direct model: point forecast + a whole
    held-out row of errors each."""
    draws = _draws(engine, histories, n, per_step=False)
    predicted, scales, _ = engine.neural_outputs(histories)
    return engine.inverse(histories, scales)(engine.point(predicted)[:, None, :] + draws)


def recursive_paths(engine, histories: list, n: int) -> np.ndarray:
    """``(len(histories), n, horizon)`` paths of a recursive model: a rollout with a drawn
    one-step error added at every step, or for a distribution model a draw from each step's
    distribution, fed back (in batches of :data:`PATH_CHUNK` paths)."""
    f = engine.f
    horizon = f.horizon_
    if f.distribution:
        rng = np.random.default_rng(f.seed)

        def stepper(start):
            return lambda k, outputs: families.sample(f.distribution, outputs[:, 0], rng)
    else:
        noise = _draws(engine, histories, n, per_step=True)[..., 0].reshape(len(histories) * n, horizon)

        def stepper(start):
            rows = noise[start * n:(start + chunk) * n]
            return lambda k, outputs: engine.point(outputs)[:, 0] + rows[:, k]
    chunk = max(1, PATH_CHUNK // n)
    scaled = np.concatenate([engine.rollout(histories[i:i + chunk], n, stepper(i))
                             for i in range(0, len(histories), chunk)]).reshape(len(histories), n, horizon)
    return engine.inverse(histories, None)(scaled)


def check_sampling(forecaster, name: str) -> None:
    """Refuse ``name`` (``samples`` or ``sample_paths``) from a baseline, an ensemble or a bag,
    or from a neural model set to hold out no windows."""
    from .. import ensemble
    from ..models.registry import get_spec

    ensemble.refuse_sampling(forecaster, name)
    if get_spec(forecaster.model).kind != "neural":
        raise ConfigError(f"`{name}` draws future paths from a neural model's held-out errors; "
                          f"{forecaster.model!r} is a baseline: use `level` for its native intervals.")
    hyper = forecaster.hyper_ if hasattr(forecaster, "hyper_") else forecaster.check_params()
    if not hyper["validation"] and not forecaster.distribution:  # a distribution model draws from itself
        raise ConfigError(NO_RESIDUALS.format(validation=hyper["validation"]))


def warn_few_samples(samples: int) -> None:
    """Warn when ``samples`` paths are too few for the outer :data:`SAMPLE_QUANTILES` columns to
    be more than the extreme draws (fewer than one path beyond each: ``1 / min(tau, 1 - tau)``).

    Examples
    --------
    >>> warn_few_samples(50)  # silent
    """
    needed = int(np.ceil(1 / min(min(SAMPLE_QUANTILES), 1 - max(SAMPLE_QUANTILES)) - 1e-9))
    if samples < needed:
        warnings.warn(f"`samples`={samples} paths are too few for the q{min(SAMPLE_QUANTILES):g} and "
                      f"q{max(SAMPLE_QUANTILES):g} columns, which then only repeat the extreme draws: draw at "
                      f"least {needed}.", UserWarning, stacklevel=user_stacklevel())


def sample_quantiles(paths: np.ndarray) -> dict:
    """``{"q0.05": (n, horizon) array, ...}``: the :data:`SAMPLE_QUANTILES` of ``paths``
    ``(series, samples, horizon)``."""
    values = np.quantile(paths, SAMPLE_QUANTILES, axis=1)
    return {f"q{tau:g}": values[k] for k, tau in enumerate(SAMPLE_QUANTILES)}


def paths_frame(panel, histories: list, paths: np.ndarray, horizon: int) -> pd.DataFrame:
    """Columns ``id, time, sample, y``: ``samples * horizon`` rows per series, path by path."""
    samples = paths.shape[1]
    steps = np.tile(np.arange(horizon), samples)
    return pd.concat([
        pd.DataFrame({"id": sid, "time": panel.future_times(sid, horizon).take(steps),
                      "sample": np.repeat(np.arange(samples), horizon), "y": paths[i].ravel()})
        for i, (sid, _, _) in enumerate(histories)], ignore_index=True)
