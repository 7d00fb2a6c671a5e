r"""Panels: :func:`compare` runs the test on every series and combines them (Holm), and tests
the series' mean differences against each other (:func:`~.pairwise.signed_rank`).

Examples
--------
>>> COMPARE_COLUMNS[:4]
('model', 'reference', 'id', 'n_origins')
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ConfigError, ConfigTypeError, DataError
from .pairwise import diebold_mariano, holm, min_origins, signed_rank

#: Comparisons with fewer origins than this carry a warning (``few_origins``).
MIN_ORIGINS = 10

#: ``id`` of the row of :func:`compare` that combines all series.
ALL_ID = "(all)"

#: Columns of the table returned by :func:`compare`, in order.
COMPARE_COLUMNS = ("model", "reference", "id", "n_origins", "loss_model", "loss_reference",
                   "rel_diff", "statistic", "p", "p_holm", "few_origins", "min_origins", "p_across")


def compare(losses: pd.DataFrame, model: str, reference: str, horizon: int,
            stride: int = 1) -> pd.DataFrame:
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
    stride : int, default 1
        Rows between consecutive origins, passed to :func:`diebold_mariano`.

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
            ``n_origins < 10`` (:data:`MIN_ORIGINS`): the test has little power.
        ``min_origins``
            :func:`min_origins` of ``horizon`` and ``stride``: the origins a series needs
            to be tested (``p`` is ``nan`` below it).
        ``p_across``
            ``(all)`` row only (``nan`` elsewhere): the Wilcoxon signed-rank test of the
            series' mean loss differences (:func:`~.pairwise.signed_rank`), which needs
            many series but not many origins.

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
    - ``statistic`` is the rank-biserial correlation of the signed-rank test (negative:
      ``model`` is better on the typical series) and ``p_across`` its p-value: "is one model
      better across the series?", testable on a large panel even with few origins per series,
      where no single series can reach significance. Both are ``nan`` with fewer than
      :data:`~.pairwise.MIN_SERIES_ACROSS` series that differ.
    - ``few_origins`` is true if any series has fewer than 10 origins.

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
    needed = min_origins(horizon, stride)
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
        statistic, p = diebold_mariano(lm, lr, horizon, stride)
        paired_m.append(lm)
        paired_r.append(lr)
        rows.append(_row(model, reference, sid, lm, lr, statistic, p, needed))
    table = pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
    table["p_holm"] = holm(table["p"].to_numpy(dtype=float))
    lm, lr = np.concatenate(paired_m), np.concatenate(paired_r)
    adjusted = table["p_holm"].dropna()
    p_all = float(adjusted.min()) if len(adjusted) else math.nan
    across, p_across = signed_rank([m.mean() - r.mean() for m, r in zip(paired_m, paired_r) if m.size])
    combined = _row(model, reference, ALL_ID, lm, lr, across, p_all, needed)
    combined["p_holm"], combined["p_across"] = p_all, p_across
    combined["few_origins"] = bool(table["few_origins"].any())
    table = pd.concat([table, pd.DataFrame([combined], columns=list(COMPARE_COLUMNS))],
                      ignore_index=True)
    return table.astype({"n_origins": "int64", "few_origins": "bool", "min_origins": "int64",
                         "id": object})


def rooted(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`compare` table of mean squared errors with its losses and ``rel_diff`` on their
    root (RMSE, as a leaderboard shows it); the test's columns stay those of the squared errors.

    Examples
    --------
    >>> table = pd.DataFrame({"loss_model": [4.0], "loss_reference": [16.0], "rel_diff": [-0.75]})
    >>> rooted(table)[["loss_model", "loss_reference", "rel_diff"]].iloc[0].tolist()
    [2.0, 4.0, -0.5]
    """
    lm, lr = np.sqrt(table["loss_model"]), np.sqrt(table["loss_reference"])
    return table.assign(loss_model=lm, loss_reference=lr,
                        rel_diff=[_relative(float(m), float(r)) for m, r in zip(lm, lr)])


def _row(model, reference, sid, lm, lr, statistic, p, needed) -> dict:
    mean_m = float(lm.mean()) if lm.size else math.nan
    mean_r = float(lr.mean()) if lr.size else math.nan
    return {"model": model, "reference": reference, "id": sid, "n_origins": int(lm.size),
            "loss_model": mean_m, "loss_reference": mean_r,
            "rel_diff": _relative(mean_m, mean_r), "statistic": statistic, "p": p,
            "p_holm": math.nan, "few_origins": lm.size < MIN_ORIGINS, "min_origins": needed,
            "p_across": math.nan}


def _relative(loss, reference) -> float:
    """``loss / reference - 1``; 0 when both are 0, inf when only the reference is 0."""
    if math.isnan(loss) or math.isnan(reference):
        return math.nan
    if reference == 0:
        return 0.0 if loss == 0 else math.copysign(math.inf, loss)
    return loss / reference - 1.0


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
