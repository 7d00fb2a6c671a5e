"""The search-space odyssey on your data: one recurrent builder with every cell, walk-forward.

:func:`ablation` evaluates a builder (``vanilla`` by default) once per recurrent cell of
:data:`~forecastkit.models.cells.CELLS` on the same origins, optionally with several seeds
per cell, beside reference models (``linear`` and ``seasonal_naive``, trained under the cells'
settings where they apply: see :func:`reference_forecasters`), and tests each cell against the
default LSTM with Diebold-Mariano on the per-origin losses (averaged over the
seeds), Holm-adjusted across the cells. The table says how big each difference is, whether it
is significant, how it compares with the seed-to-seed spread, what each cell costs in
weights and fit time; the verdict says it in words.

Examples
--------
>>> from forecastkit import datasets
>>> from forecastkit.evaluation import WalkForward
>>> result = ablation(datasets.load("airline"), "vanilla", cells=["lstm", "gru"],
...                   splitter=WalkForward(horizon=3, folds=2, refit="never"),
...                   params={"units": 2, "epochs": 1}, references=["naive"])  # doctest: +SKIP
>>> list(result.table["variant"])  # doctest: +SKIP
['naive', 'gru', 'lstm']
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from .checks import check_int
from .errors import ConfigError, SequentialFitsWarning, user_stacklevel
from .evaluation import WalkForward
from .forecaster import Forecaster, as_panel
from .formatting import format_frame
from .models.cells import CELL_NAMES, CELLS, DEFAULT_CELL
from .models.registry import TRAINING, get_spec
from .settings import DEFAULTS
from .significance import compare, holm, rooted, verdict
from .significance.pairwise import MIN_SERIES_ACROSS

#: Models evaluated beside the cells, so the verdict can say when a simpler model wins.
REFERENCES = ("linear", "seasonal_naive")
#: Metrics the ablation ranks by: per-origin losses the Diebold-Mariano test can compare.
ABLATION_METRICS = ("mase", "smape", "mae", "rmse", "mape")
ALPHA = 0.05
#: The template's settings every reference shares (baselines use nothing else of it).
SHARED_SETTINGS = ("season", "seed", "level", "verbose")
#: The template's settings neural references share besides: the target transforms, how the network
#: trains and what it outputs (an ensemble's members take them; it refuses the one-network ones).
NEURAL_SETTINGS = ("scaler", "transform", "difference", "deseason", "seasonal_difference", "preprocess", "mode",
                   "id_embedding", "calendar", "strategy", "bag", "warm_start", "quantiles", "distribution")
ONE_NETWORK_SETTINGS = ("warm_start", "quantiles", "distribution")
#: The hyperparameters a neural reference takes from the template, when given: the training settings.
TRAINING_HYPERS = tuple(h.name for h in TRAINING)
COLUMNS = ("rank", "variant", "kind", "metric", "sd", "vs_lstm_pct", "p_holm", "verdict", "weights", "fit_s",
           "failed")


def recurrent_models() -> list[str]:
    """The builders with a ``cell`` hyperparameter (the ones an ablation can vary)."""
    return [name for name in ("vanilla", "stacked", "bidirectional", "cnn_lstm", "encoder_decoder")
            if any(h.name == "cell" for h in get_spec(name).hypers)]


def check_cells(cells) -> tuple[str, ...]:
    """``"all"``, ``"a,b"`` or a list -> cell names (the default LSTM always included, first).

    Examples
    --------
    >>> check_cells("cifg, gru")
    ('lstm', 'cifg', 'gru')
    """
    if cells is None or cells == "all":
        return CELL_NAMES
    items = [c.strip() for c in (cells.split(",") if isinstance(cells, str) else cells)]
    unknown = [c for c in items if c not in CELLS]
    if unknown:
        raise ConfigError(f"Unknown cell {unknown[0]!r} in `cells`. Cells: {', '.join(CELL_NAMES)}, "
                          f"or 'all'. Received: cells={cells!r}")
    return tuple(dict.fromkeys([DEFAULT_CELL, *items]))


@dataclass
class AblationResult:
    """What :func:`ablation` found.

    ``table``: one row per cell and reference model, best first (columns :data:`COLUMNS`,
    ``metric`` named after the metric); ``lines``: the verdict; ``evaluation``: the
    underlying :class:`~forecastkit.evaluation.WalkForwardResult` (one model label per cell
    and seed: ``cifg``, ``cifg#2``...).
    """

    model: str
    metric: str
    repeats: int
    table: pd.DataFrame
    lines: list
    evaluation: object

    def plot(self):
        """Bars of the metric per variant (seed spread as error bars; green: significantly
        better than the default LSTM, red: worse) beside the metric against the weights."""
        from .report import _pyplot

        plt = _pyplot()
        table = self.table.iloc[::-1]
        colours = {"better": "tab:green", "worse": "tab:red", "n.s.": "tab:blue", "untested": "lightgrey",
                   "default": "black", "": "lightgrey"}
        fig, (bars, cost) = plt.subplots(1, 2, figsize=(12, 0.35 * len(table) + 2),
                                         gridspec_kw={"width_ratios": [3, 2]})
        bars.barh(table["variant"], table[self.metric], xerr=table["sd"].fillna(0.0),
                  color=[colours[v] for v in table["verdict"]], alpha=0.8, ecolor="grey")
        default = self.table.loc[self.table["variant"] == DEFAULT_CELL, self.metric]
        if len(default):
            bars.axvline(float(default.iloc[0]), color="black", linestyle="--", linewidth=1)
        bars.set_xlabel(self.metric.upper())
        bars.set_title(f"{self.model}: {self.metric.upper()} per cell (green/red: significantly better/worse "
                       f"than lstm)", fontsize="small")
        cells = table[table["kind"] == "cell"]
        cost.scatter(cells["weights"], cells[self.metric], color=[colours[v] for v in cells["verdict"]])
        for row in cells.itertuples(index=False):
            cost.annotate(row.variant, (row.weights, getattr(row, self.metric)), fontsize="small",
                          xytext=(3, 3), textcoords="offset points")
        cost.set_xscale("log")
        from matplotlib.ticker import NullFormatter, ScalarFormatter

        cost.xaxis.set_major_formatter(ScalarFormatter())
        cost.xaxis.set_minor_formatter(NullFormatter())
        cost.set_xlabel("weights (log scale)")
        cost.set_ylabel(self.metric.upper())
        cost.set_title("accuracy against size", fontsize="small")
        fig.tight_layout()
        return fig

    def _shown(self) -> pd.DataFrame:
        """The table as displayed: without ``sd`` when there was one seed per cell."""
        return self.table if self.repeats > 1 else self.table.drop(columns="sd")

    def __repr__(self) -> str:
        return "\n".join([format_frame(self._shown()).to_string(index=False), *self.lines])

    def _repr_html_(self) -> str:
        return format_frame(self._shown()).to_html(index=False) + "".join(
            f"<p>{line}</p>" for line in self.lines)


def ablation(data, model="vanilla", cells=DEFAULTS.cells, splitter: WalkForward | None = None, *, params=None,
             repeats: int = DEFAULTS.repeats, metric: str = DEFAULTS.metric, references=REFERENCES,
             seed: int = DEFAULTS.seed, out=DEFAULTS.out, resume: bool = DEFAULTS.resume, progress=False,
             n_jobs: int | None = DEFAULTS.jobs, scheduler: str | None = DEFAULTS.scheduler,
             **load_kwargs) -> AblationResult:
    """Walk-forward of one recurrent builder with each cell, against the default LSTM.

    Parameters
    ----------
    data : Panel, CSV path or pandas object
    model : str or Forecaster
        A recurrent builder's name (``vanilla``, ``stacked``, ``bidirectional``, ``cnn_lstm``,
        ``encoder_decoder``) or a Forecaster of one, whose settings (lookback, scaler,
        hyperparameters...) every cell shares; its horizon must be the splitter's.
    cells : "all", "a,b" or list
        Cells to compare (:data:`~forecastkit.models.cells.CELL_NAMES`); ``lstm`` is always in.
    splitter : WalkForward or None
        Origins and refit policy (default ``WalkForward()``: 24 origins, fewer on a panel of
        more than 50 series, refit every 6, horizon = the season length).
    params : dict or None
        Hyperparameters for every cell (added to the Forecaster's own); not ``cell``. The
        training settings among them (``epochs``, ``learning_rate``...) reach the neural
        references too.
    repeats : int
        Seeds per cell (>= 1). With more than one, ``sd`` is the metric's spread across seeds
        and the tests compare the losses averaged over them.
    metric : str
        One of :data:`ABLATION_METRICS`.
    references : sequence of model names
        Models scored beside the cells (default :data:`REFERENCES`); ``()`` for none. They
        share the template's settings that apply to them (see :func:`reference_forecasters`):
        the training settings the cells were given (``epochs``, ``learning_rate``...), the
        target transforms, lookback and season; a setting not given keeps the reference's own
        default. The verdict names the non-default settings they share.
    seed, out, resume, progress, n_jobs, scheduler, load_kwargs
        As in :func:`~forecastkit.evaluation.walk_forward`.
    """
    from .evaluation import walk_forward

    if metric not in ABLATION_METRICS:
        raise ConfigError(f"The ablation ranks by one of {', '.join(ABLATION_METRICS)} (per-origin losses the "
                          f"Diebold-Mariano test compares). Received: metric={metric!r}")
    check_int(repeats, "repeats", 1)
    cells = check_cells(cells)
    panel = as_panel(data, **load_kwargs)
    splitter = (splitter or WalkForward()).with_horizon(panel.season_length(), rows=min(panel.lengths.values()),
                                                        series=panel.n_series)
    template = _template(model, splitter.horizon, params)
    entries = {}
    for cell in cells:
        for k in range(repeats):
            variant = clone(template)
            variant.set_params(params={**(template.params or {}), "cell": cell})
            entries[cell if k == 0 else f"{cell}#{k + 1}"] = variant
    for name in references:
        if name in entries:
            raise ConfigError(f"Reference {name!r} has the name of a cell; drop it from `references`.")
    refs = reference_forecasters(template, references)
    entries.update(refs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluation = walk_forward(panel, entries, splitter, seed=seed, baselines=False, out=out, resume=resume,
                                  progress=progress, n_jobs=n_jobs, scheduler=scheduler)
    _rewarn(caught)
    losses = _losses(evaluation, metric)
    horizon = int(evaluation.results["h"].max())
    table = _table(evaluation, losses, template, cells, repeats, list(references), metric, panel, splitter.stride)
    lines = _lines(table, losses, horizon, metric, repeats, splitter.stride, shared=_shared_lines(refs))
    return AblationResult(template.model, metric, int(repeats), table, lines, evaluation)


def reference_forecasters(template: Forecaster, references=REFERENCES) -> dict[str, Forecaster]:
    """The reference models, each sharing the template's settings that apply to it, checked.

    Every reference takes the template's horizon and :data:`SHARED_SETTINGS` (season, seed,
    level). A neural reference (and an ensemble) also takes its lookback and :data:`NEURAL_SETTINGS` (scaler,
    transform, differences, deseason, preprocess, mode, strategy, bag...; an ensemble not the
    one-network heads) and, of the template's ``params`` (the hyperparameters given, not the
    resolved defaults), the training settings (:data:`TRAINING_HYPERS`): so a reference trains as
    the cells do where the user said how, and keeps its own defaults otherwise (``linear``'s
    learning rate 0.01 unless one was given). The builder's own hyperparameters (``units``,
    ``dropout``...) stay the cells'. A baseline takes no training or transform setting.

    Examples
    --------
    >>> template = Forecaster("vanilla", horizon=3, params={"units": 8, "epochs": 2}, transform="log")
    >>> refs = reference_forecasters(template)
    >>> refs["linear"].params, refs["linear"].transform, refs["linear"].check_params()["learning_rate"]
    ({'epochs': 2}, 'log', 0.01)
    >>> refs["seasonal_naive"].params, refs["seasonal_naive"].transform
    (None, None)
    """
    own = template.get_params(deep=False)
    refs = {}
    for name in references:
        spec = get_spec(name)
        settings = {key: own[key] for key in SHARED_SETTINGS}
        params = None
        if spec.kind != "baseline":
            settings.update({key: own[key] for key in ("lookback", *NEURAL_SETTINGS)
                             if spec.kind == "neural" or key not in ONE_NETWORK_SETTINGS})
            params = {key: value for key, value in (template.params or {}).items() if key in TRAINING_HYPERS} or None
        refs[name] = Forecaster(name, horizon=template.horizon, params=params, **settings)
        refs[name].check_params()
    return refs


def _shared_lines(refs: dict[str, Forecaster]) -> list[str]:
    """One line naming the settings the references took from the cells, when any differs from
    a reference's own default (none: no line; the seed and the verbosity go unnamed)."""
    defaults = Forecaster().get_params(deep=False)
    parts = []
    for name, forecaster in refs.items():
        unnamed = {"model", "horizon", "params", "seed", "verbose"}
        given = {**{key: value for key, value in forecaster.get_params(deep=False).items()
                    if key not in unnamed and value != defaults[key]},
                 **(forecaster.params or {})}
        if given:
            parts.append(f"{name} with {', '.join(f'{key}={value!r}' for key, value in given.items())}")
    if not parts:
        return []
    return [f"The references share the cells' settings that apply to them ({'; '.join(parts)}); "
            "otherwise each keeps its own defaults."]


def _rewarn(caught: list) -> None:
    """Pass the walk-forward's warnings on, the per-model sequential-path ones as one line."""
    sequential = [w for w in caught if issubclass(w.category, SequentialFitsWarning)]
    for w in caught:
        if w not in sequential:
            warnings.warn(w.message, w.category, stacklevel=user_stacklevel())
    if sequential:
        reason = sequential[0].message.reason
        models = ", ".join(w.message.model for w in sequential)
        warnings.warn(SequentialFitsWarning(models, reason, f"{len(sequential)} of the ablation's models ({reason}) "
                                            "train one fit after another instead of fold-parallel: slower, same "
                                            "comparison."), stacklevel=user_stacklevel())


def _template(model, horizon: int, params) -> Forecaster:
    template = clone(model) if isinstance(model, Forecaster) else Forecaster(model, horizon=horizon)
    if template.model not in recurrent_models():
        raise ConfigError(f"The ablation varies the recurrent cell, so the model must be one of "
                          f"{', '.join(recurrent_models())}. Received: model={template.model!r}")
    merged = {**(template.params or {}), **(params or {})}
    if "cell" in merged:
        raise ConfigError("The ablation sets `cell` itself, once per cell; choose the cells with `cells` "
                          f"instead of a `cell` hyperparameter. Received: params={merged!r}")
    template.set_params(horizon=horizon, params=merged or None)
    template.check_params()
    return template


def _losses(evaluation, metric: str) -> pd.DataFrame:
    """Per (variant, id, origin) loss, averaged over the horizon and over a cell's seeds."""
    from .report import origin_losses

    losses = origin_losses(evaluation, metric)
    return (losses.assign(model=losses["model"].map(lambda m: m.split("#")[0]))
            .groupby(["model", "id", "origin"], sort=False, as_index=False)["loss"].mean())


def _table(evaluation, losses: pd.DataFrame, template: Forecaster, cells, repeats: int, references: list,
           metric: str, panel, stride: int) -> pd.DataFrame:
    board = evaluation.leaderboard(metric).set_index("model")
    label_of = {label: label.split("#")[0] for label in board.index}
    scores = board[metric].groupby(label_of).agg(["mean", "std"])
    failed = board["failed_fits"].groupby(label_of).sum() if "failed_fits" in board else None
    timings = evaluation.timings.assign(variant=evaluation.timings["model"].map(lambda m: m.split("#")[0]))
    fit_seconds = timings.groupby("variant")["seconds"].mean()
    horizon = int(evaluation.results["h"].max())
    tests = {cell: compare(losses, cell, DEFAULT_CELL, horizon, stride) for cell in cells if cell != DEFAULT_CELL}
    tests = {cell: (rooted(t) if metric == "rmse" else t).iloc[-1] for cell, t in tests.items()}
    across = _across(losses)
    adjusted = dict(zip(tests, holm(np.array([t["p_across" if across else "p"] for t in tests.values()], float))))
    weights = _weights(template, cells, panel)
    rows = []
    for variant in [*cells, *references]:
        kind = "cell" if variant in cells else "reference"
        test = tests.get(variant)
        p = adjusted.get(variant, np.nan)
        if variant == DEFAULT_CELL:
            judged = "default"
        elif test is None:
            judged = ""
        elif not np.isfinite(p):
            judged = "untested"
        elif p < ALPHA and (not across or (test["statistic"] < 0) == (test["rel_diff"] < 0)):
            judged = "better" if test["rel_diff"] < 0 else "worse"
        else:
            judged = "n.s."
        rows.append({"variant": variant, "kind": kind, "metric": scores.loc[variant, "mean"],
                     "sd": scores.loc[variant, "std"] if repeats > 1 and kind == "cell" else np.nan,
                     "vs_lstm_pct": 100 * test["rel_diff"] if test is not None else np.nan,
                     "p_holm": p, "verdict": judged, "weights": weights.get(variant, np.nan),
                     "fit_s": fit_seconds.get(variant, np.nan),
                     "failed": int(failed.get(variant, 0)) if failed is not None else 0})
    table = pd.DataFrame(rows).sort_values("metric", kind="stable", na_position="last").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.rename(columns={"metric": metric})


def _across(losses: pd.DataFrame) -> bool:
    """Whether the cells are judged across the series (a panel of at least
    :data:`~forecastkit.significance.pairwise.MIN_SERIES_ACROSS`: the Wilcoxon signed-rank test
    of the series' mean losses, which needs many series, not many origins) rather than by
    Diebold-Mariano over the origins (a single series, or a few)."""
    return losses["id"].nunique() >= MIN_SERIES_ACROSS


def _weights(template: Forecaster, cells, panel) -> dict:
    """Trainable weights of the builder with each cell, on this data's window shape."""
    from .models.keras_common import import_keras

    import_keras()
    probe = clone(template)
    windows = next(iter(probe.prepare_windows(panel).values()))
    spec = get_spec(template.model)
    build_args, _ = spec.split(probe.hyper_)
    builder = spec.load_builder()
    horizon = getattr(probe, "model_horizon", template.horizon)
    return {cell: int(builder((windows.span, windows.n_features), horizon, **{**build_args, "cell": cell})
                      .count_params()) for cell in cells}


def _lines(table: pd.DataFrame, losses: pd.DataFrame, horizon: int, metric: str, repeats: int,
           stride: int, shared: list[str] = ()) -> list[str]:
    """The verdict; ``shared``: the line of the settings the references share (before their own lines)."""
    name = metric.upper()
    cells = table[table["kind"] == "cell"]
    scored = cells.dropna(subset=[metric])
    if scored.empty:
        return ["No cell produced a forecast that could be scored (see the failed fits)."]
    best = scored.iloc[0]
    default = cells[cells["variant"] == DEFAULT_CELL].iloc[0]
    lines = []
    if best["variant"] == DEFAULT_CELL:
        lines.append(f"Best cell: the default lstm ({name} {best[metric]:.4g}).")
    else:
        lines.append(f"Best cell: {best['variant']} ({name} {best[metric]:.4g}), {abs(best['vs_lstm_pct']):.1f}% "
                     f"{'better' if best['vs_lstm_pct'] < 0 else 'worse'} than the default lstm "
                     f"({default[metric]:.4g}).")
    groups = {v: cells[cells["verdict"] == v] for v in ("better", "worse", "n.s.", "untested")}

    def listing(rows):
        return ", ".join(f"{r.variant} ({r.vs_lstm_pct:+.0f}%)" for r in rows.itertuples(index=False)) or "none"

    tested = len(cells) - 1
    if tested:
        test = (f"Wilcoxon signed-rank of the {losses['id'].nunique()} series' mean {name}" if _across(losses)
                else f"Diebold-Mariano on per-origin {name}")
        untested = f"; too few origins or series to test: {len(groups['untested'])}" if len(groups["untested"]) else ""
        lines.append(f"Against the default lstm ({test}, Holm-adjusted across {tested} cell{'s' * (tested > 1)}, "
                     f"{ALPHA:.0%} level): significantly better: {listing(groups['better'])}; significantly worse: "
                     f"{listing(groups['worse'])}; not distinguishable: {len(groups['n.s.'])}{untested}.")
    twin = cells[cells["variant"] == "np"]
    if len(twin) and np.isfinite(twin.iloc[0]["vs_lstm_pct"]):
        lines.append(f"np computes the default lstm's equations (in forecastkit's own cell, its own seed): its "
                     f"{twin.iloc[0]['vs_lstm_pct']:+.1f}% against lstm is what a different seed alone does; read "
                     "differences of that size as noise.")
    if repeats > 1:
        sd = default["sd"]
        lines.append(f"Seed spread: the default lstm's {name} varies by {sd:.3g} (sd over {repeats} seeds); "
                     "differences of that size are training noise.")
    else:
        lines.append("One seed per cell: rerun with repeats=3 (--repeats 3) to see how much of each difference "
                     "is training noise.")
    lines += shared
    refs = table[(table["kind"] == "reference") & table[metric].notna()]
    above = [f"{r.variant} ({getattr(r, metric):.4g})" for r in refs.itertuples(index=False)
             if getattr(r, metric) < scored[metric].min()]
    if above:
        lines.append(f"{' and '.join(above)} beat{'s' * (len(above) == 1)} every cell on {name}: on this data the "
                     "simpler model is the one to use.")
    for ref in refs.itertuples(index=False):
        beaten = int((scored[metric] > getattr(ref, metric)).sum())
        if 0 < beaten < len(scored):
            lines.append(f"{ref.variant} ({name} {getattr(ref, metric):.4g}) beats {beaten} of {len(scored)} cells.")
        elif beaten == 0:
            lines.append(f"Every cell beats {ref.variant} ({name} {getattr(ref, metric):.4g}).")
    best_ref = table[table["kind"] == "reference"].dropna(subset=[metric])
    if len(best_ref):  # the best cell against the best reference, tested
        pair = [best["variant"], best_ref.iloc[0]["variant"]]
        board = table.rename(columns={"variant": "model"})[["model", metric]]
        comparison = compare(losses[losses["model"].isin(pair)], *pair, horizon, stride)
        lines += verdict(board[board["model"].isin(pair)], {"best": comparison}, metric)
    return lines
