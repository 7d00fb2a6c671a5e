r"""Metrics on the walk-forward results table: per-row losses and leaderboards (:func:`score`).

The results table has one row per forecast value with the columns ``model``, ``id``,
``fit``, ``origin``, ``h``, ``time``, ``y_true``, ``y_pred`` (``y_pred`` is NaN when the
fit failed). The scales table has one row per ``(id, origin)`` with ``scale`` and
``scale_naive``, as returned by :func:`~forecastkit.metrics.insample_scales`.

Examples
--------
>>> METRICS
('mae', 'rmse', 'mape', 'smape', 'mase', 'owa')
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import (
    ConfigError,
    ConfigTypeError,
    DataError,
    MetricWarning,
    user_stacklevel,
)
from .point import _abs_error, _ape, _sape, _squared_error, _warn_skipped_zero_y
from .scaled import _scaled_abs_error, effective_scale, owa

#: Per-row loss of each metric, ``loss(y_true, y_pred, scale=None) -> ndarray`` on numpy
#: arrays (no validation; NaN inputs give NaN). Aggregating a metric over rows is the mean
#: of its row losses (``rmse``: square root of the mean). These are also the losses the
#: Diebold-Mariano test compares.
#:
#: ==========  =====================================================================
#: ``mae``     :math:`|e|`
#: ``rmse``    :math:`e^2` (aggregated by mean, then square root)
#: ``mape``    :math:`100 |e| / |y|`, NaN where ``y == 0``
#: ``smape``   :math:`200 |e| / (|y| + |f|)`, 0 where ``y == f == 0``
#: ``mase``    :math:`|e| / s` with ``s`` the :func:`effective_scale`; NaN where ``s`` is NaN or 0
#: ==========  =====================================================================
ROW_LOSSES: dict[str, Callable[..., np.ndarray]] = {
    "mae": _abs_error,
    "rmse": _squared_error,
    "mape": _ape,
    "smape": _sape,
    "mase": _scaled_abs_error,
}

#: Metric names accepted by :func:`score` (``owa`` is a ratio of averages, not a row loss).
METRICS: tuple[str, ...] = (*ROW_LOSSES, "owa")

#: Columns of the results table :func:`score` can group by.
GROUP_COLUMNS: tuple[str, ...] = ("model", "id", "h", "origin")


def _check_frame(frame, name: str, required, why: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigTypeError(
            f"`{name}` must be a pandas DataFrame. Received: {name} of type "
            f"{type(frame).__name__}."
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"`{name}` is missing column(s) {', '.join(map(repr, missing))} needed {why}. "
            f"Received columns: {', '.join(map(str, frame.columns))}."
        )


def _check_metric_name(metric, valid, argument: str, note: str = "") -> str:
    if not isinstance(metric, str) or metric not in valid:
        raise ConfigError(
            f"Unknown metric {metric!r} in `{argument}`. Valid metrics: "
            f"{', '.join(valid)}.{note} Received: {argument}={metric!r}"
        )
    return metric


def _y_arrays(results: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    try:
        y = results["y_true"].to_numpy(dtype=np.float64)
        f = results["y_pred"].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise ConfigTypeError(
            f"`results` columns 'y_true' and 'y_pred' must be numeric. Received: dtypes "
            f"y_true={results['y_true'].dtype}, y_pred={results['y_pred'].dtype} ({err})."
        ) from None
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        row = results.index[bad[0]]
        raise DataError(
            f"`results` column 'y_true' must be finite. Received: {bad.size} non-finite "
            f"value(s), the first at index {row!r}: y_true={float(y[bad[0]])!r}. Actual values "
            "come from the validated panel; fill missing values when loading (`fill`)."
        )
    return y, f


def _lookup_scales(results: pd.DataFrame, scales) -> np.ndarray:
    """The effective MASE scale of every results row (aligned by position)."""
    if scales is None:
        raise ConfigError(
            "`scales` is required for mase and owa (the in-sample scale per id and origin). "
            "Received: scales=None. Pass the walk-forward scales table, or build one with "
            "insample_scales() on each history (columns id, origin, scale, scale_naive)."
        )
    _check_frame(scales, "scales", ("id", "origin", "scale", "scale_naive"), "for mase")
    lookup = pd.DataFrame({
        "id": scales["id"].to_numpy(),
        "origin": scales["origin"].to_numpy(),
        "_scale": effective_scale(scales["scale"].to_numpy(dtype=np.float64, na_value=np.nan),
                                  scales["scale_naive"].to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)),
    })
    dup = lookup.duplicated(["id", "origin"])
    if dup.any():
        first = lookup.loc[dup.to_numpy()].iloc[0]
        raise ConfigError(
            "`scales` must have one row per (id, origin). Received: "
            f"{int(dup.sum())} duplicate row(s), the first id={first['id']!r}, "
            f"origin={first['origin']!r}."
        )
    keys = pd.DataFrame({"id": results["id"].to_numpy(), "origin": results["origin"].to_numpy()})
    try:
        merged = keys.merge(lookup, how="left", on=["id", "origin"], indicator=True, sort=False)
    except (TypeError, ValueError) as err:
        raise ConfigError(
            "`scales` columns 'id' and 'origin' must have the types of the results' columns. "
            f"Received: results id/origin dtypes {results['id'].dtype}/{results['origin'].dtype}, "
            f"scales id/origin dtypes {scales['id'].dtype}/{scales['origin'].dtype} ({err})."
        ) from None
    missing = (merged["_merge"] == "left_only").to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ConfigError(
            f"`scales` has no row for id={keys['id'].iloc[first]!r}, "
            f"origin={keys['origin'].iloc[first]!r} ({int(missing.sum())} results row(s) without "
            "a scale). Pass one scale per (id, origin) of the results, computed with "
            "insample_scales() on the history known at that origin (results origin dtype "
            f"{results['origin'].dtype}, scales origin dtype {scales['origin'].dtype})."
        )
    return merged["_scale"].to_numpy(dtype=np.float64)


def _losses(results: pd.DataFrame, scales, metric: str, y, f) -> np.ndarray:
    scale = _lookup_scales(results, scales) if metric == "mase" else None
    return np.asarray(ROW_LOSSES[metric](y, f, scale), dtype=np.float64)


def row_losses(results: pd.DataFrame, scales, metric: str) -> pd.Series:
    r"""Per-row loss of one metric for every forecast in a results table.

    The loss of row ``i`` is ``ROW_LOSSES[metric](y_true_i, y_pred_i, s_i)`` (see
    :data:`ROW_LOSSES`): :math:`|e|`, :math:`e^2` (rmse), :math:`100|e|/|y|` (mape),
    :math:`200|e|/(|y|+|f|)` (smape) or :math:`|e|/s` (mase), with ``s`` the
    :func:`effective_scale` of the row's ``(id, origin)`` in ``scales``.

    NaN marks rows where the loss is undefined or the fit failed: ``y_pred`` NaN, mape
    with ``y_true == 0``, mase with an undefined scale. No warning is raised here
    (:func:`score` reports the counts).

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results with at least ``y_true`` and ``y_pred`` (plus ``id`` and ``origin``
        for mase).
    scales : pandas.DataFrame or None
        Columns ``id``, ``origin``, ``scale``, ``scale_naive``, one row per (id, origin);
        only used (and then required) for ``metric="mase"``.
    metric : str
        One of ``mae``, ``rmse``, ``mape``, ``smape``, ``mase``.

    Returns
    -------
    pandas.Series of float64
        Aligned with ``results.index``, named after the metric.

    Raises
    ------
    ConfigError
        Unknown metric, missing columns, or a results (id, origin) without a scale.
    DataError
        Non-finite ``y_true``.

    Examples
    --------
    >>> import pandas as pd
    >>> results = pd.DataFrame({"model": "naive", "id": "a", "origin": [5, 5], "h": [1, 2],
    ...                         "y_true": [10.0, 12.0], "y_pred": [11.0, 11.0]})
    >>> scales = pd.DataFrame({"id": ["a"], "origin": [5], "scale": [0.0], "scale_naive": [2.0]})
    >>> row_losses(results, scales, "mase").tolist()
    [0.5, 0.5]
    >>> row_losses(results, None, "smape").round(3).tolist()
    [9.524, 8.696]
    """
    metric = _check_metric_name(
        metric, tuple(ROW_LOSSES), "metric",
        " (owa is a ratio of averages, not a per-row loss: use score().)" if metric == "owa"
        else "")
    needed = ("y_true", "y_pred") + (("id", "origin") if metric == "mase" else ())
    _check_frame(results, "results", needed, f"for {metric}")
    y, f = _y_arrays(results)
    return pd.Series(_losses(results, scales, metric, y, f), index=results.index, name=metric)


def _normalise_names(value, argument: str) -> tuple:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise ConfigTypeError(
            f"`{argument}` must be a string or a sequence of strings. "
            f"Received: {argument}={value!r} ({type(value).__name__})"
        ) from None


def score(results: pd.DataFrame, scales=None, by=("model",),
          metrics=("mae", "rmse", "mape", "smape", "mase", "owa")) -> pd.DataFrame:
    r"""Leaderboard: aggregate the row losses of each metric per group.

    For a group ``G`` of scored rows (``y_pred`` not NaN), with :data:`ROW_LOSSES`
    :math:`\ell_i`:

    .. math::

        \mathrm{metric}(G) = \operatorname{mean}_{i \in G,\ \ell_i \text{ defined}} \ell_i,
        \qquad \mathrm{RMSE}(G) = \sqrt{\operatorname{mean}_{i \in G} e_i^2}

        \mathrm{OWA}(G) = \frac12 \left(
            \frac{\sum_{i \in P_s} \mathrm{sAPE}_i}{\sum_{i \in P_s} \mathrm{sAPE}^{N2}_i} +
            \frac{\sum_{i \in P_m} \mathrm{SE}_i}{\sum_{i \in P_m} \mathrm{SE}^{N2}_i} \right)

    where ``N2`` is the row of model ``"naive2"`` with the same ``(id, origin, h)`` and
    ``P_s`` / ``P_m`` are the rows of ``G`` where both the model's and Naive2's sMAPE /
    MASE loss are defined: a ratio of means over the same forecasts (M4). OWA is NaN
    when ``naive2`` is not in ``results`` (or has no matching rows).

    Failed rows (``y_pred`` NaN) are excluded and counted in ``n_failed``; ``n`` counts
    the rows scored. MAPE skips ``y_true == 0`` and MASE skips rows with an undefined
    scale (see :func:`effective_scale`), each with a :class:`MetricWarning` giving the
    count; a group with no defined row gets NaN.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results: ``model``, ``id``, ``fit``, ``origin``, ``h``, ``time``,
        ``y_true``, ``y_pred`` (only ``y_true``, ``y_pred``, the ``by`` columns and, for
        mase / owa, ``id``, ``origin`` (+ ``model``, ``h`` for owa) are required).
    scales : pandas.DataFrame or None
        ``id``, ``origin``, ``scale``, ``scale_naive``, one row per (id, origin);
        required when ``mase`` or ``owa`` is requested.
    by : str or sequence of str, default ("model",)
        Group columns, any of ``model``, ``id``, ``h``, ``origin``; ``()`` pools all rows.
        Groups appear in order of first appearance in ``results``.
    metrics : str or sequence of str
        Any of ``mae``, ``rmse``, ``mape``, ``smape``, ``mase``, ``owa``.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, one float column per metric (in the order
        requested), then ``n`` and ``n_failed`` (int64). RangeIndex.

    Raises
    ------
    ConfigError
        Unknown metric or group column, missing columns, missing scales, or duplicate
        naive2 rows for one (id, origin, h).
    DataError
        Non-finite ``y_true``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> results = pd.DataFrame({
    ...     "model": ["naive2"] * 2 + ["linear"] * 2, "id": "a", "fit": 0, "origin": 5,
    ...     "h": [1, 2] * 2, "time": [5, 6] * 2, "y_true": [10.0, 12.0] * 2,
    ...     "y_pred": [11.0, 11.0, 10.5, np.nan]})
    >>> scales = pd.DataFrame({"id": ["a"], "origin": [5], "scale": [2.0], "scale_naive": [2.0]})
    >>> print(score(results, scales, metrics=("mae", "mase", "owa")).round(3).to_string())
        model  mae  mase    owa  n  n_failed
    0  naive2  1.0  0.50  1.000  2         0
    1  linear  0.5  0.25  0.506  1         1

    ``linear`` failed at ``h=2``, so its OWA pairs its ``h=1`` forecast with Naive2's:
    ``0.5 * (4.878 / 9.524 + 0.25 / 0.5) = 0.506``.
    """
    by = _normalise_names(by, "by")
    for column in by:
        if not isinstance(column, str) or column not in GROUP_COLUMNS:
            raise ConfigError(
                f"Unknown group column {column!r} in `by`. Valid columns: "
                f"{', '.join(GROUP_COLUMNS)}. Received: by={by!r}"
            )
    by = tuple(dict.fromkeys(by))
    metrics = _normalise_names(metrics, "metrics")
    for metric in metrics:
        _check_metric_name(metric, METRICS, "metrics")
    metrics = tuple(dict.fromkeys(metrics))

    needed = list(by) + ["y_true", "y_pred"]
    if "mase" in metrics or "owa" in metrics:
        needed += ["id", "origin"]
    if "owa" in metrics:
        needed += ["model", "h"]
    _check_frame(results, "results", tuple(dict.fromkeys(needed)),
                 f"to score {', '.join(metrics)} by {', '.join(by) or '()'}")

    y, f = _y_arrays(results)
    scored = ~np.isnan(f)
    row_metrics = [m for m in ROW_LOSSES if m in metrics or (m in ("smape", "mase")
                                                             and "owa" in metrics)]
    losses = {m: _losses(results, scales, m, y, f) for m in row_metrics}

    if "mape" in metrics:
        _warn_skipped_zero_y(int(np.count_nonzero(scored & (y == 0))), int(scored.sum()))
    if "mase" in metrics:
        n_undef = int(np.count_nonzero(scored & np.isnan(losses["mase"])))
        if n_undef:
            warnings.warn(
                f"MASE undefined for {n_undef} of {int(scored.sum())} scored rows (in-sample "
                "scale 0 or nan even after the naive fallback: constant or too-short history); "
                "they are skipped.", MetricWarning, stacklevel=user_stacklevel())

    columns = {c: results[c].to_numpy() for c in by} if by else {"_all": np.zeros(len(y))}
    keys = list(columns)
    frame = pd.DataFrame(columns)
    frame["n"] = scored.astype(np.int64)
    frame["n_failed"] = (~scored).astype(np.int64)
    for m, loss in losses.items():
        frame[m] = loss                       # NaN already where failed or undefined

    if "owa" in metrics:
        _add_owa_sums(frame, results, losses)

    grouped = frame.groupby(keys, sort=False, dropna=False, observed=True)
    sums = grouped[["n", "n_failed"] + [c for c in frame.columns if c.startswith("_owa")]].sum()
    means = grouped[list(losses)].mean() if losses else pd.DataFrame(index=sums.index)

    out = pd.DataFrame(index=sums.index)
    for metric in metrics:
        if metric == "rmse":
            out[metric] = np.sqrt(means["rmse"])
        elif metric == "owa":
            out[metric] = _owa_from_sums(sums) if "_owa_s" in sums else np.nan
        else:
            out[metric] = means[metric]
    out["n"] = sums["n"].astype(np.int64)
    out["n_failed"] = sums["n_failed"].astype(np.int64)
    out = out.reset_index()
    if not by:
        out = out.drop(columns="_all")
    return out


def _add_owa_sums(frame: pd.DataFrame, results: pd.DataFrame, losses: dict) -> None:
    """Add the paired sMAPE / MASE sums of the model and of naive2 (same id, origin, h)."""
    is_n2 = (results["model"] == "naive2").to_numpy(dtype=bool, na_value=False)
    if not is_n2.any():
        return
    keys = ["id", "origin", "h"]
    n2 = pd.DataFrame({k: results[k].to_numpy()[is_n2] for k in keys})
    n2["_s2"] = losses["smape"][is_n2]
    n2["_m2"] = losses["mase"][is_n2]
    dup = n2.duplicated(keys)
    if dup.any():
        first = n2.loc[dup.to_numpy()].iloc[0]
        raise ConfigError(
            "`results` must have one naive2 row per (id, origin, h) to compute owa. Received: "
            f"{int(dup.sum())} duplicate row(s), the first id={first['id']!r}, "
            f"origin={first['origin']!r}, h={first['h']!r}."
        )
    all_keys = pd.DataFrame({k: results[k].to_numpy() for k in keys})
    merged = all_keys.merge(n2, how="left", on=keys, sort=False)
    s, s2 = losses["smape"], merged["_s2"].to_numpy(dtype=np.float64)
    m, m2 = losses["mase"], merged["_m2"].to_numpy(dtype=np.float64)
    ok_s = ~np.isnan(s) & ~np.isnan(s2)
    ok_m = ~np.isnan(m) & ~np.isnan(m2)
    frame["_owa_s"] = np.where(ok_s, s, 0.0)
    frame["_owa_s2"] = np.where(ok_s, s2, 0.0)
    frame["_owa_m"] = np.where(ok_m, m, 0.0)
    frame["_owa_m2"] = np.where(ok_m, m2, 0.0)
    frame["_owa_ns"] = ok_s.astype(np.int64)
    frame["_owa_nm"] = ok_m.astype(np.int64)


def _owa_from_sums(sums: pd.DataFrame) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(sums["_owa_ns"] > 0, sums["_owa_s"], np.nan)
        m = np.where(sums["_owa_nm"] > 0, sums["_owa_m"], np.nan)
        return owa(s, m, sums["_owa_s2"].to_numpy(), sums["_owa_m2"].to_numpy())
