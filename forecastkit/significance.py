"""Is one forecaster really better than another? Diebold-Mariano tests over walk-forward origins.

Walk-forward evaluation gives, for every model, series and forecast origin, one loss (the
per-row loss of :data:`forecastkit.metrics.ROW_LOSSES` averaged over ``h = 1 .. H`` at that
origin). Two models are compared on the origins both forecast:

- :func:`diebold_mariano` tests one series: is the mean loss difference zero?
  (Diebold & Mariano 1995, with the small-sample correction of Harvey, Leybourne & Newbold
  1997 -- the same statistic and p-value as R's ``forecast::dm.test``).
- :func:`holm` adjusts the p-values of several series for multiple testing.
- :func:`compare` runs the test on every series of a panel and combines them.
- :func:`verdict` turns comparisons into plain-English lines for the CLI and the report.

Only numpy, scipy and pandas are used.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> noise = rng.normal(0, 0.1, 40)
>>> losses = pd.DataFrame({
...     "model": ["linear"] * 40 + ["naive"] * 40,
...     "id": "airline",
...     "origin": list(range(40)) * 2,
...     "loss": np.r_[1.0 + noise, 1.25 + rng.normal(0, 0.1, 40)],
... })
>>> table = compare(losses, "linear", "naive", horizon=1)
>>> leaderboard = pd.DataFrame({"model": ["linear", "naive"], "mase": [1.0, 1.25]})
>>> print(verdict(leaderboard, {("linear", "naive"): table}, "mase")[0])
linear beats naive on MASE by 20% (p<0.001, 40 origins).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .errors import ConfigError, ConfigTypeError, DataError

#: Comparisons with fewer origins than this carry a warning (``few_origins``).
MIN_ORIGINS = 10

#: ``id`` of the row of :func:`compare` that combines all series.
ALL_ID = "(all)"

#: Columns of the table returned by :func:`compare`, in order.
COMPARE_COLUMNS = ("model", "reference", "id", "n_origins", "loss_model", "loss_reference",
                   "rel_diff", "statistic", "p", "p_holm", "few_origins")

_METRIC_NAMES = {"mae": "MAE", "rmse": "RMSE", "mse": "MSE", "mape": "MAPE", "smape": "sMAPE",
                 "mase": "MASE", "owa": "OWA"}


# --------------------------------------------------------------------------- the test


def diebold_mariano(loss_a, loss_b, horizon: int) -> tuple[float, float]:
    r"""Diebold-Mariano test with the Harvey-Leybourne-Newbold correction.

    Tests whether two forecasters have the same expected loss, from their losses at the
    same ``n`` forecast origins, in time order.

    With :math:`d_t = L^a_t - L^b_t` (:math:`t = 1..n`), :math:`\bar d` its mean and the
    sample autocovariances

    .. math:: \hat\gamma_k = \frac1n \sum_{t=k+1}^{n} (d_t - \bar d)(d_{t-k} - \bar d),

    the long-run variance uses the rectangular (truncated) kernel with lags up to
    :math:`h - 1`, because the errors of forecasts made fewer than :math:`h` origins apart
    overlap:

    .. math:: \hat V = \hat\gamma_0 + 2 \sum_{k=1}^{h-1} \hat\gamma_k,
              \qquad DM = \frac{\bar d}{\sqrt{\hat V / n}}.

    Harvey, Leybourne & Newbold (1997) correct its small-sample size and compare it with a
    Student t distribution with :math:`n - 1` degrees of freedom:

    .. math:: DM^* = DM \sqrt{\frac{n + 1 - 2h + h(h-1)/n}{n}},
              \qquad p = 2\,P(T_{n-1} > |DM^*|).

    For :math:`h = 1` this is exactly the paired t-test.

    Parameters
    ----------
    loss_a, loss_b : array-like of shape (n,)
        Finite losses of the two forecasters at the same origins, in time order (each
        already averaged over ``h = 1..H`` at its origin).
    horizon : int
        The forecast horizon :math:`H`, which sets the number of lags, :math:`h - 1`.
        Consecutive origins are assumed one row apart. If they are ``s`` rows apart, forecasts
        overlap for ``ceil(H / s)`` origins: pass that number.

    Returns
    -------
    statistic : float
        :math:`DM^*`. Negative when ``a`` has the smaller mean loss.
    p : float
        Two-sided p-value.

    Notes
    -----
    Edge cases, in the order they are checked:

    - ``n < 3``, or ``n <= horizon``: ``(nan, nan)``, meaning "not testable". With
      ``n <= horizon`` the variance with ``horizon - 1`` lags is identically zero.
    - Every :math:`d_t = 0` (the two forecasters are indistinguishable): ``(0.0, 1.0)``.
    - :math:`\hat V \le 0` (possible when ``horizon > 1``): like ``dm.test``, fall back to
      ``horizon = 1``, i.e. :math:`\hat V = \hat\gamma_0` and the ``h = 1`` correction.
    - :math:`\hat\gamma_0 = 0` while :math:`\bar d \ne 0` (one forecaster is better by the
      same amount at every origin): ``(±inf, 0.0)``, the limit of the statistic. R's
      ``dm.test`` stops with an error in this case.

    Calibration: for ``horizon = 1`` the p-value is exact for normal, independent
    differences (paired t-test). For ``horizon > 1`` the HAC variance from few origins is
    noisy, and the test rejects a true null too often. In simulations with MA(h-1) loss
    differences and ``horizon = 3``, it rejected at the 5% level in about 8-9% of cases with
    20-30 origins and 12% with 12 origins, and the far tail was heavier still.
    See Coroneo & Iacone (2020) for fixed-smoothing alternatives.

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
    >>> round(stat, 6), round(p, 4)   # d = [1, -1, 2, 0, 3]: DM* = sqrt(2)
    (1.414214, 0.2302)
    >>> diebold_mariano([1., 2., 3.], [1., 2., 3.], horizon=1)
    (0.0, 1.0)
    """
    h = _check_horizon(horizon)
    a = _check_losses(loss_a, "loss_a")
    b = _check_losses(loss_b, "loss_b")
    if a.shape != b.shape:
        raise ConfigError(
            "`loss_a` and `loss_b` must hold the losses at the same origins, so have the same "
            f"length. Received: len(loss_a)={a.size}, len(loss_b)={b.size}"
        )
    d = a - b
    n = d.size
    if n < 3 or n <= h:
        return math.nan, math.nan
    if not np.any(d):
        return 0.0, 1.0
    mean = float(d.mean())
    dc = d - mean
    gamma = [float(dc[k:] @ dc[: n - k]) / n for k in range(h)]
    variance = gamma[0] + 2.0 * sum(gamma[1:])
    if variance <= 0.0:
        h, variance = 1, gamma[0]
    if variance <= 0.0:
        return math.copysign(math.inf, mean), 0.0
    statistic = mean / math.sqrt(variance / n)
    statistic *= math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    p = 2.0 * float(stats.t.sf(abs(statistic), df=n - 1))
    return float(statistic), min(p, 1.0)


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


# --------------------------------------------------------------------------- panels


def compare(losses: pd.DataFrame, model: str, reference: str, horizon: int) -> pd.DataFrame:
    r"""Test ``model`` against ``reference`` on every series, then on the panel.

    Parameters
    ----------
    losses : DataFrame
        Columns ``model``, ``id``, ``origin`` and ``loss``: one row per model, series and
        origin, ``loss`` being the per-row loss averaged over ``h = 1..H`` at that origin.
    model, reference : str
        The two models to compare (values of ``losses["model"]``).
    horizon : int
        Forecast horizon, passed to :func:`diebold_mariano`.

    Returns
    -------
    DataFrame
        Columns :data:`COMPARE_COLUMNS`; one row per series (in order of first appearance),
        then one row with ``id == "(all)"``:

        ``n_origins``
            Origins where both models have a finite loss; the others (e.g. a failed fit)
            are left out of every column.
        ``loss_model``, ``loss_reference``
            Mean losses over those origins.
        ``rel_diff``
            ``loss_model / loss_reference - 1``: negative when ``model`` is better
            (``0`` when both losses are 0).
        ``statistic``, ``p``
            :func:`diebold_mariano` over the series' origins in time order (``nan`` when
            not testable).
        ``p_holm``
            ``p`` adjusted by :func:`holm` across the series of this comparison.
        ``few_origins``
            ``n_origins < 10`` (:data:`MIN_ORIGINS`): the test has little power and its
            p-value is only roughly calibrated.

    Notes
    -----
    The ``(all)`` row combines the series as follows:

    - ``n_origins`` is the total, and ``loss_model`` / ``loss_reference`` are means over
      every paired (series, origin) loss. If the series are balanced, these match the
      leaderboard averages. ``rel_diff`` is computed from these means.
    - ``p`` (= ``p_holm``) is the smallest Holm-adjusted p-value of the series, i.e. the
      Bonferroni test ``min(1, m * min p)`` of "no difference on any series". Reject it and
      at least one series differs significantly after Holm correction. It does not say
      that one model is better on most series. Count the rows with ``p_holm < alpha`` and
      the sign of their ``statistic`` for that (as :func:`verdict` does). For a single
      series it is simply that series' ``p``.
    - ``statistic`` is ``nan``: the series may have different origins, so no single
      statistic describes them all.
    - ``few_origins`` is true if any series has fewer than 10 origins.

    Because the combined p-value is the smallest of many, it depends on the far tail of
    each series' test. With ``horizon > 1`` and few origins per series, that tail is too
    heavy (see :func:`diebold_mariano`), so treat a panel-level rejection that rests on one
    or two series with caution.

    Examples
    --------
    >>> import pandas as pd
    >>> losses = pd.DataFrame({
    ...     "model": ["a"] * 4 + ["b"] * 4,
    ...     "id": "s1",
    ...     "origin": [0, 1, 2, 3] * 2,
    ...     "loss": [1., 2., 3., 2., 2., 2., 4., 4.],
    ... })
    >>> table = compare(losses, "a", "b", horizon=1)
    >>> table[["id", "n_origins", "loss_model", "loss_reference", "rel_diff"]]
          id  n_origins  loss_model  loss_reference  rel_diff
    0     s1          4         2.0             3.0 -0.333333
    1  (all)          4         2.0             3.0 -0.333333
    >>> round(float(table["p"].iloc[0]), 4), bool(table["few_origins"].iloc[0])
    (0.0917, True)
    """
    h = _check_horizon(horizon)
    frame = _check_losses_frame(losses, model, reference)
    wide = frame.pivot(index=["id", "origin"], columns="model", values="loss")
    wide = wide.reindex(columns=[model, reference])
    wide = wide[np.isfinite(wide.to_numpy(dtype=float)).all(axis=1)]   # origins both forecast
    groups = {sid: group for sid, group in wide.groupby(level="id", sort=False)}
    empty = np.zeros(0)
    rows, paired_m, paired_r = [], [], []
    for sid in pd.unique(frame["id"]):
        if sid in groups:   # pivot sorted the origins: time order
            lm, lr = (groups[sid][c].to_numpy(dtype=float) for c in (model, reference))
        else:
            lm = lr = empty
        statistic, p = diebold_mariano(lm, lr, h)
        paired_m.append(lm)
        paired_r.append(lr)
        rows.append(_row(model, reference, sid, lm, lr, statistic, p))
    table = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    table["p_holm"] = holm(table["p"].to_numpy(dtype=float))
    lm, lr = np.concatenate(paired_m), np.concatenate(paired_r)
    adjusted = table["p_holm"].dropna()
    p_all = float(adjusted.min()) if len(adjusted) else math.nan
    combined = _row(model, reference, ALL_ID, lm, lr, math.nan, p_all)
    combined["p_holm"] = p_all
    combined["few_origins"] = bool(table["few_origins"].any())
    table = pd.concat([table, pd.DataFrame([combined], columns=list(COMPARE_COLUMNS))],
                      ignore_index=True)
    return table.astype({"n_origins": "int64", "few_origins": "bool", "id": object})


def _row(model, reference, sid, lm, lr, statistic, p) -> dict:
    mean_m = float(lm.mean()) if lm.size else math.nan
    mean_r = float(lr.mean()) if lr.size else math.nan
    return {"model": model, "reference": reference, "id": sid, "n_origins": int(lm.size),
            "loss_model": mean_m, "loss_reference": mean_r,
            "rel_diff": _relative(mean_m, mean_r), "statistic": statistic, "p": p,
            "p_holm": math.nan, "few_origins": lm.size < MIN_ORIGINS}


def _relative(loss, reference) -> float:
    """``loss / reference - 1``; 0 when both are 0, inf when only the reference is 0."""
    if math.isnan(loss) or math.isnan(reference):
        return math.nan
    if reference == 0:
        return 0.0 if loss == 0 else math.copysign(math.inf, loss)
    return loss / reference - 1.0


# --------------------------------------------------------------------------- wording


def verdict(leaderboard: pd.DataFrame, comparisons: Mapping, metric: str,
            alpha: float = 0.05) -> list[str]:
    """Plain-English conclusions of :func:`compare` tables, for the CLI and the report.

    One line per comparison, in the order of ``comparisons``, followed by any warnings
    (fewer than 10 origins, untestable series). The lines read:

    - significant, one series:
      ``"linear beats seasonal_naive on MASE by 18% (p=0.010, 40 origins)."``
    - not significant: ``"stacked is not distinguishable from linear on MASE (p=0.41, 40 origins)."``
    - panels add how many series differ after Holm correction, and in whose favour:
      ``"linear beats naive on MASE by 18% overall (p=0.010, 320 origins); significant on
      5 of 8 series after Holm correction, all in favour of linear."`` If the significant
      series favour different models, the line says so instead of naming a winner.
    - ``"Warning: only 6 origins; ..."`` when a comparison has fewer than 10 origins.

    "beats by P%" means ``P = (1 - loss_winner / loss_loser) * 100``. The winner is the
    model with the smaller mean loss on the origins the test used. The loss values are taken
    from ``leaderboard`` (so the percentage matches the table the user sees) when both models
    are in it and it agrees on who is better. Otherwise they come from the comparison's
    ``(all)`` row.

    Parameters
    ----------
    leaderboard : DataFrame
        One row per model, with column ``model`` and the column ``metric`` (lower is
        better), sorted best first.
    comparisons : mapping
        Values are tables returned by :func:`compare`. The keys are not used: each table
        names its own ``model`` and ``reference``.
    metric : str
        Metric name, e.g. ``"mase"``. It names the leaderboard column and appears in the
        text (``"MASE"``).
    alpha : float
        Significance level for the panel p-value and for the per-series Holm-adjusted ones.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict(model="stacked", reference="linear", n_origins=6, loss_model=0.82,
    ...            loss_reference=0.8, rel_diff=0.025, statistic=0.9, p=0.41, p_holm=0.41,
    ...            few_origins=True)
    >>> table = pd.DataFrame([dict(row, id="s1"), dict(row, id="(all)", statistic=float("nan"))])
    >>> leaderboard = pd.DataFrame({"model": ["linear", "stacked"], "mase": [0.8, 0.82]})
    >>> for line in verdict(leaderboard, {"stacked": table}, "mase"):
    ...     print(line)  # doctest: +ELLIPSIS
    stacked is not distinguishable from linear on MASE (p=0.41, 6 origins).
    Warning: only 6 origins; with fewer than 10 forecast origins the test has little power ...
    """
    if (isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating))
            or not 0 < alpha < 1):
        raise ConfigError(f"`alpha` must be a number strictly between 0 and 1. Received: alpha={alpha!r}")
    if not isinstance(comparisons, Mapping):
        raise ConfigTypeError("`comparisons` must be a dict of tables returned by compare(). "
                              f"Received: {type(comparisons).__name__}")
    values = _leaderboard_values(leaderboard, metric)
    name = _METRIC_NAMES.get(str(metric).lower(), str(metric))
    lines, warnings = [], []
    for key, table in comparisons.items():
        per_series, combined = _split_table(table, key)
        lines.append(_line(per_series, combined, values, name, alpha))
        for warning in _warnings(per_series, combined):
            if warning not in warnings:
                warnings.append(warning)
    return lines + warnings


def _line(per_series: pd.DataFrame, combined: pd.Series, values: dict, name: str,
          alpha: float) -> str:
    model, reference = str(combined["model"]), str(combined["reference"])
    n, p = int(combined["n_origins"]), float(combined["p"])
    k = len(per_series)
    if math.isnan(p):
        return (f"{model} vs {reference} on {name}: too few origins to test "
                f"({n} shared origins; each series needs at least 3, and more than the horizon).")
    winner, loser, percent = _winner(model, reference, combined, values)
    if k == 1:
        if p >= alpha or winner is None:
            return f"{model} is not distinguishable from {reference} on {name} ({_p(p, alpha)}, {n} origins)."
        return f"{winner} beats {loser} on {name} by {percent} ({_p(p, alpha)}, {n} origins)."
    tested = per_series[per_series["p_holm"].notna()]
    if p >= alpha:
        return (f"{model} is not distinguishable from {reference} on {name} on any of the "
                f"{len(tested)} series after Holm correction ({_p(p, alpha)}, {n} origins).")
    significant = tested[tested["p_holm"] < alpha]
    model_wins = int((significant["statistic"] < 0).sum())
    reference_wins = len(significant) - model_wins
    counted = f"significant on {len(significant)} of {len(tested)} series after Holm correction"
    sides = {model: model_wins, reference: reference_wins}
    if winner is not None and sides[loser] == 0:
        return (f"{winner} beats {loser} on {name} by {percent} overall ({_p(p, alpha)}, "
                f"{n} origins); {counted}, all in favour of {winner}.")
    overall = (f"{winner} is {percent} better overall" if winner is not None
               else "their mean losses are equal")
    return (f"{model} vs {reference} on {name}: {overall}, but the series disagree: {counted}, "
            f"{model} better on {model_wins} and {reference} better on {reference_wins} "
            f"({_p(p, alpha)}, {n} origins).")


def _winner(model: str, reference: str, combined: pd.Series, values: dict):
    """(winner, loser, "18%") from paired means, percentage from the leaderboard if it agrees."""
    loss = {model: float(combined["loss_model"]), reference: float(combined["loss_reference"])}
    if loss[model] < loss[reference]:
        winner, loser = model, reference
    elif loss[reference] < loss[model]:
        winner, loser = reference, model
    else:  # equal (or nan): no winner
        return None, None, ""
    board = {m: values.get(m, math.nan) for m in (model, reference)}
    if all(math.isfinite(v) for v in board.values()) and board[winner] < board[loser]:
        loss = board
    percent = (1.0 - loss[winner] / loss[loser]) * 100.0 if loss[loser] > 0 else math.nan
    return winner, loser, _percent(percent)


def _warnings(per_series: pd.DataFrame, combined: pd.Series) -> list[str]:
    out = []
    if math.isnan(float(combined["p"])):
        return out
    few = per_series[per_series["few_origins"].astype(bool)]
    untestable = int(per_series["p"].isna().sum())
    advice = ("with fewer than 10 forecast origins the test has little power and its p-values "
              "are rough. Evaluate at more origins before trusting a difference.")
    if len(per_series) == 1 and len(few):
        out.append(f"Warning: only {int(combined['n_origins'])} origins; {advice}")
    elif len(few):
        out.append(f"Warning: {len(few)} of {len(per_series)} series have fewer than 10 origins "
                   f"(as few as {int(few['n_origins'].min())}); {advice}")
    if len(per_series) > 1 and untestable:
        out.append(f"Warning: {untestable} of {len(per_series)} series could not be tested "
                   "(too few shared origins) and "
                   f"{'is' if untestable == 1 else 'are'} left out of the Holm correction.")
    return out


def _p(p: float, alpha: float) -> str:
    """``p<0.001``, ``p=0.010``, ``p=0.41``; never rounds a significant p up to alpha."""
    if p < 0.001:
        return "p<0.001"
    text = f"{p:.2f}" if p >= 0.1 else f"{p:.3f}"
    if p < alpha <= float(text):
        text = f"{p:.4f}"
    return f"p={text}"


def _percent(percent: float) -> str:
    if math.isnan(percent):
        return "an undefined margin"
    if percent >= 9.5:
        return f"{percent:.0f}%"
    if percent >= 0.05:
        return f"{percent:.1f}%"
    return "less than 0.1%"


# --------------------------------------------------------------------------- validation


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
        raise ConfigTypeError(f"`horizon` must be an integer >= 1. Received: horizon={horizon!r}")
    if horizon < 1:
        raise ConfigError(f"`horizon` must be >= 1. Received: horizon={horizon}")
    return int(horizon)


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


def _check_losses_frame(losses, model, reference) -> pd.DataFrame:
    if not isinstance(losses, pd.DataFrame):
        raise ConfigTypeError("`losses` must be a pandas DataFrame with columns model, id, origin, "
                              f"loss. Received: {type(losses).__name__}")
    missing = [c for c in ("model", "id", "origin", "loss") if c not in losses.columns]
    if missing:
        raise ConfigError(f"`losses` must have columns model, id, origin and loss; missing "
                          f"{', '.join(missing)}. Received columns: {', '.join(map(str, losses.columns))}")
    if model == reference:
        raise ConfigError(f"`model` and `reference` must differ. Received: both {model!r}")
    available = list(pd.unique(losses["model"]))
    for arg, value in (("model", model), ("reference", reference)):
        if value not in available:
            raise ConfigError(f"`{arg}` must be a model in `losses`, one of "
                              f"{', '.join(map(str, available))}. Received: {arg}={value!r}")
    frame = losses.loc[losses["model"].isin([model, reference]), ["model", "id", "origin", "loss"]]
    if not pd.api.types.is_numeric_dtype(frame["loss"]):
        raise ConfigTypeError(f"`losses['loss']` must be numeric. Received dtype {frame['loss'].dtype}")
    duplicated = frame.duplicated(["model", "id", "origin"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise DataError(
            "`losses` must have one row per (model, id, origin). Received several for "
            f"model={str(first['model'])!r}, id={str(first['id'])!r}, origin={first['origin']}. Average the "
            "row losses over h first: losses.groupby(['model', 'id', 'origin'], "
            "as_index=False)['loss'].mean()"
        )
    return frame


def _leaderboard_values(leaderboard, metric) -> dict:
    if not isinstance(leaderboard, pd.DataFrame):
        raise ConfigTypeError("`leaderboard` must be a pandas DataFrame with a `model` column. "
                              f"Received: {type(leaderboard).__name__}")
    for column in ("model", metric):
        if column not in leaderboard.columns:
            raise ConfigError(f"`leaderboard` must have columns model and {metric!r} (`metric`). "
                              f"Received columns: {', '.join(map(str, leaderboard.columns))}")
    scores = pd.to_numeric(leaderboard[metric], errors="coerce")
    return {str(m): float(v) for m, v in zip(leaderboard["model"], scores)}


def _split_table(table, key) -> tuple[pd.DataFrame, pd.Series]:
    if not isinstance(table, pd.DataFrame):
        raise ConfigTypeError(f"`comparisons[{key!r}]` must be a table returned by compare(). "
                              f"Received: {type(table).__name__}")
    missing = [c for c in COMPARE_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"`comparisons[{key!r}]` must be a table returned by compare(); missing "
                          f"columns {', '.join(missing)}")
    is_all = table["id"].astype(str) == ALL_ID
    if is_all.sum() != 1 or is_all.all():
        raise ConfigError(f"`comparisons[{key!r}]` must have per-series rows and one row with "
                          f"id={ALL_ID!r}, as returned by compare()")
    return table[~is_all], table[is_all].iloc[0]
