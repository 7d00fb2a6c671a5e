r"""The tests: Diebold-Mariano on one series (sized with few origins) and Holm's adjustment.

Examples
--------
>>> min_origins(horizon=6), min_origins(horizon=6, stride=6)
(24, 3)
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..checks import check_horizon, check_int
from ..errors import ConfigError, ConfigTypeError, DataError

#: With overlapping origins a series needs this many origins per overlapping origin
#: (:func:`min_origins`): below it the periodogram test over-rejects (see diebold_mariano).
ORIGINS_PER_OVERLAP = 4


def overlap(horizon: int, stride: int = 1) -> int:
    """How many consecutive origins share forecast targets: ``ceil(horizon / stride)``.

    Origins ``stride`` rows apart forecast ``horizon`` steps each, so the loss at one origin
    shares targets with the next ``overlap - 1`` origins; 1 means the origins do not overlap.

    Examples
    --------
    >>> overlap(12), overlap(12, stride=6), overlap(12, stride=12), overlap(1)
    (12, 2, 1, 1)
    """
    h, s = check_horizon(horizon), check_int(stride, "stride")
    return -(-h // s)


def min_origins(horizon: int, stride: int = 1) -> int:
    """Fewest origins of one series for which :func:`diebold_mariano` gives a p-value.

    ``3`` when the origins do not overlap (the paired t-test), else ``4 * overlap`` (see
    :data:`ORIGINS_PER_OVERLAP` and :func:`overlap`): fewer than that and no test of the
    stated size exists, so the answer is "not enough origins".

    Examples
    --------
    >>> min_origins(12), min_origins(12, stride=6), min_origins(12, stride=12)
    (48, 8, 3)
    """
    k = overlap(horizon, stride)
    return 3 if k == 1 else ORIGINS_PER_OVERLAP * k


def diebold_mariano(loss_a, loss_b, horizon: int, stride: int = 1) -> tuple[float, float]:
    r"""Diebold-Mariano test of equal expected loss, sized in small samples.

    Tests whether two forecasters have the same expected loss, from their losses at the
    same ``n`` forecast origins, in time order. With :math:`d_t = L^a_t - L^b_t`
    (:math:`t = 1..n`), its mean :math:`\bar d` and the overlap
    :math:`k = \lceil H / s \rceil` of origins ``s = stride`` rows apart (:func:`overlap`):

    **Origins that do not overlap** (:math:`k = 1`): under the null the :math:`d_t` are
    uncorrelated and no lag correction is needed; the test is the paired t-test,

    .. math:: DM = \frac{\bar d}{\sqrt{\hat\gamma_0 / (n - 1)}}, \qquad
              \hat\gamma_0 = \frac1n \sum_{t=1}^{n} (d_t - \bar d)^2, \qquad
              p = 2\,P(T_{n-1} > |DM|).

    **Overlapping origins** (:math:`k > 1`): :math:`d_t` is autocorrelated up to lag
    :math:`k - 1`. The long-run variance is the weighted periodogram (Daniell kernel)
    estimate over the :math:`B` lowest Fourier frequencies :math:`\lambda_j = 2\pi j / n`,
    with fixed-smoothing asymptotics (Coroneo & Iacone 2020): the statistic is compared
    with a Student t distribution with :math:`2B` degrees of freedom,

    .. math::

        \hat\sigma^2 = \frac1B \sum_{j=1}^{B} \frac1n \Bigl|\sum_{t=1}^{n} d_t\,
                       e^{-i \lambda_j t}\Bigr|^2, \qquad
        DM = \frac{\bar d}{\sqrt{\hat\sigma^2 / n}}, \qquad p = 2\,P(T_{2B} > |DM|),

        B = \min\bigl(\lfloor n^{1/3} \rfloor,\ \lfloor n / (4k) \rfloor\bigr).

    :math:`\lfloor n^{1/3} \rfloor` is Coroneo & Iacone's bandwidth; the cap
    :math:`n / (4k)` keeps the frequencies used well below :math:`2\pi / k`, where the
    spectrum of an MA(:math:`k-1`) loss differential falls away from its value at 0 (using
    them would shrink :math:`\hat\sigma^2` and over-reject). The estimate is never negative,
    and the t(2B) distribution accounts for its noise; that is why the test keeps its size
    where the rectangular-kernel HAC variance with :math:`h-1` lags (the previous version,
    with the Harvey-Leybourne-Newbold correction) rejected a true null at 5% in 15-28% of
    cases with 24 origins and :math:`h = 6, 12`. The HLN correction rescales that
    rectangular-kernel statistic and has no role here (for :math:`k = 1` it reduces to the
    paired t-test above).

    Size, from ``benchmarks/dm_size.py`` (2,000 replications of an MA(:math:`h-1`)
    Gaussian loss differential, stride 1, :math:`h = 1, 6, 12`, 24 to 100 origins): 4-6.5%
    at the 5% level wherever the test runs, 7% at the boundary :math:`n = 4k` with
    :math:`h = 6`; the old test rejected 10-28% with overlapping origins
    (``benchmarks/results/dm_size.md`` has the table). Power is lower than the oversized
    old test's: with few origins a difference must be larger to be declared.

    Parameters
    ----------
    loss_a, loss_b : array-like of shape (n,)
        Finite losses of the two forecasters at the same origins, in time order (each
        already averaged over ``h = 1..H`` at its origin).
    horizon : int
        The forecast horizon :math:`H`.
    stride : int, default 1
        Rows between consecutive origins. ``stride >= horizon`` means the origins do not
        overlap (the paired t-test).

    Returns
    -------
    statistic : float
        :math:`DM`. Negative when ``a`` has the smaller mean loss.
    p : float
        Two-sided p-value.

    Notes
    -----
    Edge cases, in the order they are checked:

    - ``n < min_origins(horizon, stride)`` (3 without overlap, ``4 k`` with): ``(nan, nan)``,
      "not enough origins": no test of the stated size exists with fewer.
    - Every :math:`d_t = 0` (the two forecasters are indistinguishable): ``(0.0, 1.0)``.
    - Estimated variance 0 while :math:`\bar d \ne 0` (e.g. one forecaster better by the
      same amount at every origin): ``(±inf, 0.0)``, the limit of the statistic.

    References
    ----------
    F. X. Diebold and R. S. Mariano (1995), "Comparing predictive accuracy", Journal of
    Business & Economic Statistics 13(3), 253-263.
    L. Coroneo and F. Iacone (2020), "Comparing predictive accuracy in small samples using
    fixed-smoothing asymptotics", Journal of Applied Econometrics 35, 391-405.
    D. Harvey, S. Leybourne and P. Newbold (1997), "Testing the equality of prediction mean
    squared errors", International Journal of Forecasting 13(2), 281-291.

    Examples
    --------
    >>> stat, p = diebold_mariano([2., 1., 4., 3., 5.], [1., 2., 2., 3., 2.], horizon=1)
    >>> round(stat, 6), round(p, 4)   # d = [1, -1, 2, 0, 3]: the paired t-test, t = sqrt(2)
    (1.414214, 0.2302)
    >>> diebold_mariano([1., 2., 3.], [1., 2., 3.], horizon=1)
    (0.0, 1.0)
    >>> diebold_mariano([2., 1., 4., 3., 5.], [1., 2., 2., 3., 2.], horizon=3)  # needs 12
    (nan, nan)
    """
    k = overlap(horizon, stride)
    a = _check_losses(loss_a, "loss_a")
    b = _check_losses(loss_b, "loss_b")
    if a.shape != b.shape:
        raise ConfigError(
            "`loss_a` and `loss_b` must hold the losses at the same origins, so have the same "
            f"length. Received: len(loss_a)={a.size}, len(loss_b)={b.size}"
        )
    d = a - b
    n = d.size
    if n < (3 if k == 1 else ORIGINS_PER_OVERLAP * k):
        return math.nan, math.nan
    if not np.any(d):
        return 0.0, 1.0
    mean = float(d.mean())
    dc = d - mean
    if k == 1:
        variance, df = float(dc @ dc) / n * n / (n - 1), n - 1
    else:
        bandwidth = min(_cube_root_floor(n), n // (ORIGINS_PER_OVERLAP * k))
        spectrum = np.abs(np.fft.rfft(dc)[1:bandwidth + 1]) ** 2 / n
        variance, df = float(spectrum.mean()), 2 * bandwidth
    if variance <= 0.0:
        return (0.0, 1.0) if mean == 0.0 else (math.copysign(math.inf, mean), 0.0)
    statistic = mean / math.sqrt(variance / n)
    p = 2.0 * float(stats.t.sf(abs(statistic), df=df))
    return float(statistic), min(p, 1.0)


def _cube_root_floor(n: int) -> int:
    """The largest integer ``b`` with ``b ** 3 <= n`` (no float rounding)."""
    b = int(round(n ** (1 / 3)))
    while b ** 3 > n:
        b -= 1
    while (b + 1) ** 3 <= n:
        b += 1
    return b


def holm(pvalues) -> np.ndarray:
    r"""Holm-Bonferroni adjusted p-values.

    With the :math:`m` non-missing p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`,

    .. math:: \tilde p_{(i)} = \max_{j \le i} \min\bigl(1, (m - j + 1)\, p_{(j)}\bigr).

    Rejecting every hypothesis with :math:`\tilde p < \alpha` keeps the probability of any
    false rejection at most :math:`\alpha` (Holm 1979).

    Parameters
    ----------
    pvalues : array-like of shape (m,)
        Values in [0, 1]; ``nan`` (an untestable series) is kept in place and not counted
        in :math:`m`.

    Returns
    -------
    ndarray of shape (m,)
        Adjusted p-values in the input order: never below the raw ones, monotone in them,
        capped at 1.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> holm([0.2, float("nan")]).tolist()
    [0.2, nan]
    """
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError):
        raise ConfigTypeError(f"`pvalues` must be numbers in [0, 1]. Received: pvalues={pvalues!r}") from None
    if p.ndim != 1:
        raise ConfigError(f"`pvalues` must be one-dimensional. Received: an array of shape {p.shape}")
    ok = ~np.isnan(p)
    bad = ok & ((p < 0) | (p > 1))
    if bad.any():
        raise ConfigError(f"`pvalues` must lie in [0, 1]. Received: {float(p[bad][0])} at position "
                          f"{int(np.flatnonzero(bad)[0])}")
    out = np.full(p.shape, np.nan)
    m = int(ok.sum())
    if m:
        position = np.flatnonzero(ok)
        order = np.argsort(p[ok], kind="stable")
        adjusted = np.minimum(1.0, (m - np.arange(m)) * p[ok][order])
        out[position[order]] = np.maximum.accumulate(adjusted)
    return out


def _check_losses(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ConfigTypeError(
            f"`{name}` must be a sequence of numbers. Received: {name}={values!r}") from None
    if array.ndim != 1:
        raise ConfigError(f"`{name}` must be one-dimensional (one loss per origin). "
                          f"Received: an array of shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"`{name}` must be finite. Received: {array[i]} at position {i}. Drop the "
                        "origins where either model has no loss (compare() does this).")
    return array


#: Fewest series with a loss difference for :func:`signed_rank`: with 5 or fewer, no outcome of
#: a two-sided signed-rank test reaches the 5% level (the smallest p for 5 is 2/32 = 0.0625).
MIN_SERIES_ACROSS = 6


def signed_rank(differences) -> tuple[float, float]:
    r"""Wilcoxon signed-rank test of per-series mean loss differences: is one model better on
    the typical series?

    The series are the independent units (Demšar 2006 recommends this test to compare two
    methods over many datasets): each contributes its mean loss difference ``model -
    reference`` over its origins, however few, and zero differences are left out. Under
    no difference the signs are fair coins, whatever each series' scale. Series that share
    a shock at the same origins are not independent, and the test is then overconfident:
    with few origins it speaks for those origins.

    Parameters
    ----------
    differences : array-like of shape (k,)
        One mean loss difference per series; ``nan`` entries are left out.

    Returns
    -------
    (r, p) : tuple of float
        ``r`` the matched-pairs rank-biserial correlation :math:`(W^+ - W^-) / (W^+ + W^-)`
        in [-1, 1] (negative: the model's losses are smaller on the typical series) and
        ``p`` the two-sided p-value (exact for up to 50 differences without ties, else the
        normal approximation; scipy's ``wilcoxon``); both ``nan`` with fewer than
        :data:`MIN_SERIES_ACROSS` non-zero differences.

    Examples
    --------
    >>> r, p = signed_rank([-0.3, -0.2, -0.25, -0.1, -0.4, 0.05, -0.15, -0.2])
    >>> round(r, 2), round(p, 3)
    (-0.94, 0.016)
    >>> signed_rank([-0.3, -0.2, 0.0])
    (nan, nan)
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d) & (d != 0)]
    if d.size < MIN_SERIES_ACROSS:
        return math.nan, math.nan
    ranks = stats.rankdata(np.abs(d))
    r = float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())
    return r, float(stats.wilcoxon(d, alternative="two-sided").pvalue)
