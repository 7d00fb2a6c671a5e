r"""The forecast distributions a network's distribution head can output, in NumPy and SciPy.

A distribution head (:mod:`forecastkit.models.distributions`) outputs, for each horizon step,
the parameters of one of these families; this module is everything about them that needs no
Keras: their names and parameters, and their negative log-likelihood, mean, quantiles
and random draws on parameter arrays of shape ``(..., n_params)`` (last axis the parameters).

==========  ======================  =========================================================
family      parameters              negative log-likelihood of ``y``
==========  ======================  =========================================================
normal      loc, scale > 0          :math:`\tfrac12\log 2\pi + \log\sigma + \tfrac12 ((y-\mu)/\sigma)^2`
studentt    loc, scale > 0, df > 2  :math:`-\log\Gamma(\tfrac{\nu+1}2) + \log\Gamma(\tfrac\nu2) + \tfrac12\log\pi\nu + \log\sigma + \tfrac{\nu+1}2 \log(1 + z^2/\nu)`
negbin      mean > 0, alpha > 0     :math:`-\log\Gamma(y + \tfrac1\alpha) + \log\Gamma(y+1) + \log\Gamma(\tfrac1\alpha) + \tfrac1\alpha\log(1+\alpha\mu) - y\log\tfrac{\alpha\mu}{1+\alpha\mu}`
==========  ======================  =========================================================

``studentt`` keeps ``df > 2`` so its mean and variance exist; ``negbin`` (counts) has mean
``mu`` and variance ``mu + alpha mu^2`` (SciPy's ``nbinom(n=1/alpha, p=1/(1+alpha mu))``).

Examples
--------
>>> params = np.array([[0.0, 1.0]])
>>> round(float(nll("normal", params, np.array([0.0]))[0]), 4)  # log(2 pi) / 2
0.9189
>>> quantiles("normal", params, (0.5, 0.975)).round(3).tolist()
[[0.0, 1.96]]
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from ..errors import ConfigError

#: Distribution families and their parameters, in the order the head outputs them.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "normal": ("loc", "scale"),
    "studentt": ("loc", "scale", "df"),
    "negbin": ("mean", "alpha"),
}
#: Smallest scale, alpha and mean a head outputs (softplus + this), so likelihoods stay finite.
MIN_POSITIVE = 1e-4
#: ``df`` of the Student-t head is ``MIN_DF + softplus(raw)``: mean and variance exist.
MIN_DF = 2.0


def check_distribution(distribution) -> str | None:
    """``distribution`` checked: None (a point forecast) or a name in :data:`DISTRIBUTIONS`.

    Examples
    --------
    >>> check_distribution("studentt"), check_distribution(None)
    ('studentt', None)
    >>> check_distribution("gauss")
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `distribution` must be one of normal, studentt, negbin (or None: a point forecast). Received: distribution='gauss'
    """
    if distribution is None or (isinstance(distribution, str) and distribution in DISTRIBUTIONS):
        return distribution
    raise ConfigError(f"`distribution` must be one of {', '.join(DISTRIBUTIONS)} (or None: a point forecast). "
                      f"Received: distribution={distribution!r}")


def n_params(distribution: str) -> int:
    """Parameters per step of ``distribution``'s head.

    Examples
    --------
    >>> n_params("studentt")
    3
    """
    return len(DISTRIBUTIONS[distribution])


def frozen(distribution: str, params: np.ndarray):
    """The SciPy distribution of ``params`` ``(..., n_params)`` (broadcast over the leading axes).

    Examples
    --------
    >>> round(float(frozen("negbin", np.array([4.0, 0.5])).var()), 6)  # mu + alpha mu^2
    12.0
    """
    params = np.asarray(params, dtype=float)
    if distribution == "normal":
        return stats.norm(params[..., 0], params[..., 1])
    if distribution == "studentt":
        return stats.t(params[..., 2], params[..., 0], params[..., 1])
    if distribution == "negbin":
        size = 1.0 / params[..., 1]
        return stats.nbinom(size, size / (size + params[..., 0]))
    raise ConfigError(f"Unknown distribution {distribution!r}.")


def nll(distribution: str, params: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Negative log-likelihood of each ``y`` (shape ``params.shape[:-1]``) under ``params``.

    Written out (not through SciPy) to mirror the Keras loss term for term.

    Examples
    --------
    >>> y, params = np.array([3.0]), np.array([[2.0, 0.5]])
    >>> bool(np.isclose(nll("negbin", params, y)[0], -stats.nbinom(2.0, 0.5).logpmf(3)))
    True
    """
    params, y = np.asarray(params, dtype=float), np.asarray(y, dtype=float)
    if distribution == "normal":
        loc, scale = params[..., 0], params[..., 1]
        return 0.5 * np.log(2 * np.pi) + np.log(scale) + 0.5 * ((y - loc) / scale) ** 2
    if distribution == "studentt":
        loc, scale, df = params[..., 0], params[..., 1], params[..., 2]
        z = (y - loc) / scale
        return (-special.gammaln((df + 1) / 2) + special.gammaln(df / 2) + 0.5 * np.log(np.pi * df)
                + np.log(scale) + (df + 1) / 2 * np.log1p(z * z / df))
    mean, alpha = params[..., 0], params[..., 1]
    size = 1.0 / alpha
    return (-special.gammaln(y + size) + special.gammaln(y + 1) + special.gammaln(size)
            + size * np.log1p(alpha * mean) - y * (np.log(alpha * mean) - np.log1p(alpha * mean)))


def mean(distribution: str, params: np.ndarray) -> np.ndarray:
    """The mean of each step's distribution: ``loc`` (normal, studentt with df > 2) or ``mean``.

    Examples
    --------
    >>> mean("studentt", np.array([[1.5, 2.0, 5.0]])).tolist()
    [1.5]
    """
    return np.asarray(params, dtype=float)[..., 0]


def quantiles(distribution: str, params: np.ndarray, taus) -> np.ndarray:
    """Quantiles ``(..., len(taus))`` of each step's distribution at levels ``taus``.

    Examples
    --------
    >>> quantiles("negbin", np.array([[4.0, 0.5]]), (0.5,)).tolist()
    [[3.0]]
    """
    params = np.asarray(params, dtype=float)
    taus = np.asarray(taus, dtype=float)
    return frozen(distribution, params[..., None, :]).ppf(np.broadcast_to(taus, params.shape[:-1] + taus.shape))


def sample(distribution: str, params: np.ndarray, rng: np.random.Generator, paths: int | None = None) -> np.ndarray:
    """One draw from each step's distribution (shape ``params.shape[:-1]``), from ``rng``; with
    ``paths``, that many for each row of ``params`` ``(n, ..., P)``: shape ``(n, paths, ...)``
    (the parameters broadcast, not copied).

    Examples
    --------
    >>> draws = sample("negbin", np.full((1000, 2), [3.0, 0.2]), np.random.default_rng(0))
    >>> bool(np.all(draws == np.round(draws))), round(float(draws.mean()), 1)
    (True, 3.0)
    >>> sample("normal", np.zeros((4, 3, 2)), np.random.default_rng(0), paths=5).shape
    (4, 5, 3)
    """
    params = np.asarray(params, dtype=float)
    if paths is not None:
        params = np.broadcast_to(params[:, None], (params.shape[0], paths) + params.shape[1:])
    if distribution == "normal":
        return params[..., 0] + params[..., 1] * rng.standard_normal(params.shape[:-1])
    if distribution == "studentt":
        return params[..., 0] + params[..., 1] * rng.standard_t(params[..., 2])
    size = 1.0 / params[..., 1]
    return rng.negative_binomial(size, size / (size + params[..., 0])).astype(float)

