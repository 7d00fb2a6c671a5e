r"""Forecast distributions in the original units: what ``level``, ``quantiles``, ``samples`` and the
walk-forward's probabilistic scores read (:class:`Predictive`).

A network with a distribution head (``distribution=``) outputs, per horizon step, the
parameters of a distribution on the scale it was trained on (after the target transforms and
scaling). Mapping it back to the original units:

- **closed form** (``normal``, every transform linear: no log or Box-Cox): the inverse of the
  scaling, differences and deseasonalising is affine in the modelled values, so with the steps
  independent each step's value is Normal, with mean ``inverse(mu)`` and variance
  ``sum_j B_hj^2 sigma_j^2``, ``B`` the inverse's matrix (found by mapping the unit vectors back);
- **exact quantiles** (no differencing: every transform acts step by step and increases): the
  quantiles of the modelled distribution mapped back are the quantiles in the original units;
- **sampled paths** otherwise (differences with log or Box-Cox, a Student-t summed over
  differences): :data:`~forecastkit.forecaster.options.INTERVAL_PATHS` paths drawn step by
  step on the modelled scale and each mapped back exactly; a recursive model always samples,
  feeding each drawn value back into its history (a generative rollout).

``yhat`` (:attr:`Predictive.mean`) is the distribution's mean on the modelled scale mapped
back: the mean in the original units when the transforms are linear, the back-transformed mean
(the median of a log-Normal) after log or Box-Cox; a recursive model's is its rollout fed the
mean of each step. Draws come from a generator seeded with the forecaster's ``seed``.

Examples
--------
>>> p = Predictive(np.zeros((1, 2)), "normal distribution", gaussian=(np.zeros((1, 2)), np.ones((1, 2))))
>>> p.quantiles((0.5, 0.975)).round(2).tolist()
[[[0.0, 1.96], [0.0, 1.96]]]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from scipy import special

from ..models import families
from .options import INTERVAL_PATHS, check_quantiles


@dataclass
class Predictive:
    """Forecast distributions of ``n`` histories over ``H`` steps, in the original units.

    ``mean`` ``(n, H)`` is ``yhat``; ``method`` says in words where the distribution comes
    from. At most one of ``gaussian`` (``(loc, sd)``, each ``(n, H)``), ``exact`` (``taus ->
    (n, H, K)`` quantiles), ``head`` (``(taus, (n, H, K) quantiles)`` of a quantile head) and
    ``paths`` (``(n, S, H)`` draws) describes it; ``draw(S)`` gives ``(n, S, H)`` fresh paths
    where paths can be drawn. ``discrete``: the values are counts.
    """

    mean: np.ndarray
    method: str
    gaussian: tuple | None = None
    exact: Callable | None = None
    head: tuple | None = None
    paths: np.ndarray | None = None
    draw: Callable | None = None
    discrete: bool = False

    def quantiles(self, taus) -> np.ndarray | None:
        """Quantiles ``(n, H, len(taus))`` at levels ``taus``; None when unknown there (a quantile
        head asked for levels it was not trained on)."""
        taus = tuple(float(t) for t in taus)
        if self.gaussian is not None:
            loc, sd = self.gaussian
            return loc[..., None] + sd[..., None] * special.ndtri(np.asarray(taus))
        if self.exact is not None:
            return self.exact(taus)
        if self.paths is not None:
            method = "inverted_cdf" if self.discrete else "linear"  # counts keep whole quantiles
            return np.moveaxis(np.quantile(self.paths, taus, axis=1, method=method), 0, -1)
        head_taus, values = self.head
        if not all(any(abs(t - h) < 1e-12 for h in head_taus) for t in taus):
            return None
        return np.stack([values[..., min(range(len(head_taus)), key=lambda k: abs(head_taus[k] - t))]
                         for t in taus], axis=-1)

    def floored(self, mask: np.ndarray) -> "Predictive":
        """These distributions with the values of the histories ``mask`` (bool ``(n,)``) raised to
        zero where below it: censored at zero (:mod:`~forecastkit.forecaster.floors`); a Normal
        is then described by its raised quantiles and draws, once its lowest quantile of the
        masked histories (at 0.0001) reaches below zero, and otherwise kept as it is."""
        if self.gaussian is not None:
            loc, sd = self.gaussian
            mask = mask & (loc - 3.72 * sd < 0).any(axis=1)  # 3.72 sd: the 0.0001 quantile
        if not mask.any():
            return self
        from .floors import at_least_zero

        def low(values):
            return None if values is None else at_least_zero(values, mask)
        quantiles, draw = self.quantiles, self.draw
        return replace(self, mean=low(self.mean), gaussian=None, paths=low(self.paths),
                       exact=(lambda taus: low(quantiles(taus))) if self.gaussian or self.exact else None,
                       head=(self.head[0], low(self.head[1])) if self.head is not None else None,
                       draw=(lambda n: low(draw(n))) if draw is not None else None)

    def sampled(self, n: int) -> np.ndarray | None:
        """``n`` paths ``(histories, n, H)``: the stored ones when there are ``n``, else fresh draws
        (None for a quantile head, which has none)."""
        if self.paths is not None and self.paths.shape[1] == n:
            return self.paths
        return self.draw(n) if self.draw is not None else None


def describe(engine) -> str:
    """How ``engine``'s distribution model makes its intervals and quantiles, in words."""
    f = engine.f
    name = f.distribution
    if getattr(engine, "recursive", False):
        return f"quantiles of {INTERVAL_PATHS} generative paths of the {name} distribution (drawn step by step)"
    chains = list(f.transforms_.values())
    if name == "normal" and all(c.power is None for c in chains):
        return "normal distribution (closed form)"
    if all(c.lost == 0 for c in chains):
        return f"{name} distribution quantiles"
    return f"quantiles of {INTERVAL_PATHS} paths sampled from the {name} distribution"


def direct(engine, histories: list, samples: int | None = None) -> Predictive:
    """The :class:`Predictive` of a direct distribution model (see the module notes); with
    ``samples``, ``samples`` drawn paths describe it."""
    f = engine.f
    name = f.distribution
    predicted, scales, _ = engine.neural_outputs(histories)  # (n, H, P), modelled scale
    inverse = engine.inverse(histories, scales)
    rng = np.random.default_rng(f.seed)

    def draw(n: int) -> np.ndarray:
        return inverse(families.sample(name, predicted, rng, paths=n))

    mean = inverse(families.mean(name, predicted))
    discrete = name == "negbin"
    if samples:
        return Predictive(mean, f"{samples} paths sampled from the {name} distribution", paths=draw(samples),
                          draw=draw, discrete=discrete)
    method = describe(engine)
    if method.endswith("(closed form)"):
        return Predictive(mean, method, gaussian=(mean, _affine_sd(inverse, predicted)), draw=draw)
    if method.endswith("distribution quantiles"):
        def exact(taus) -> np.ndarray:
            values = families.quantiles(name, predicted, taus)  # (n, H, K)
            return np.moveaxis(inverse(np.moveaxis(values, -1, 1)), 1, -1)
        return Predictive(mean, method, exact=exact, draw=draw, discrete=discrete)
    return Predictive(mean, method, paths=draw(INTERVAL_PATHS), draw=draw, discrete=discrete)


def _affine_sd(inverse, predicted: np.ndarray) -> np.ndarray:
    """Per step, the standard deviation in the original units of independent Normal steps
    ``(n, H)`` scales ``predicted[..., 1]`` mapped through the affine ``inverse``: the inverse of
    0 and of each unit vector give its matrix ``B``, and ``sd_h = sqrt(sum_j B_hj^2 sigma_j^2)``."""
    n, horizon = predicted.shape[:2]
    probes = np.broadcast_to(np.vstack([np.zeros(horizon), np.eye(horizon)]), (n, horizon + 1, horizon))
    mapped = inverse(probes)
    matrix = mapped[:, 1:] - mapped[:, :1]  # (n, j, h)
    return np.sqrt(np.einsum("njh,nj->nh", matrix ** 2, predicted[..., 1] ** 2))


def recursive(engine, histories: list, samples: int | None = None) -> Predictive:
    """The :class:`Predictive` of a recursive distribution model: ``samples`` (default
    :data:`INTERVAL_PATHS`) generative paths, and the rollout of means as ``yhat``."""
    f = engine.f
    n = samples or INTERVAL_PATHS
    paths = engine.paths(histories, n)
    method = describe(engine) if not samples else f"{n} generative paths of the {f.distribution} distribution"
    return Predictive(engine.forecast(histories), method, paths=paths,
                      draw=lambda size: engine.paths(histories, size), discrete=f.distribution == "negbin")


def columns(predictive: Predictive, levels: tuple, quantiles, samples: int) -> dict:
    """``predict``'s columns of a distribution model: yhat, the bounds at ``levels``, the
    ``q<tau>`` of ``quantiles`` and, with ``samples``, the quantiles of that many paths."""
    from ..intervals import bound_columns
    from .sampling import sample_quantiles

    out = {"yhat": predictive.mean}
    for level in levels:
        alpha = 1 - float(level) / 100
        lo, hi = bound_columns(level)
        bounds = predictive.quantiles((alpha / 2, 1 - alpha / 2))
        out[lo], out[hi] = bounds[..., 0], bounds[..., 1]
    taus = check_quantiles(quantiles)
    if taus:
        values = predictive.quantiles(taus)
        out.update({f"q{tau:g}": values[..., k] for k, tau in enumerate(taus)})
    if samples:
        out.update(sample_quantiles(predictive.sampled(samples)))
    return out
