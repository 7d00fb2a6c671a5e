"""The walk-forward as a plan of independent fit jobs.

The plan turns (models x series or the global panel x fits) into self-contained
:class:`Job` objects (template, rows, fits, run seed), so that any executor (this process,
others, Dask workers) gets the same numbers:

- ``"fit"``: one fit of one model on one series (or, for a global model, on the panel);
- ``"chain"``: every fit of a warm-started model on one unit, in order (each continues
  from the weights the previous one left);
- ``"group"``: a fixed chunk of a neural model's fits trained fold-parallel
  (:mod:`forecastkit.grouped`); a partly committed group is retrained whole, so a resumed
  run trains every fit in the same group as an uninterrupted one.

Examples
--------
>>> fit_seed(0, "linear", "a", 3) == fit_seed(0, "linear", "a", 3)
True
"""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..checks import check_levels, required_length
from ..data import GLOBAL_ID, Panel
from ..ensemble import kind_of
from ..errors import (
    ConfigError,
    DataError,
    SequentialFitsWarning,
    ShortSeriesWarning,
    SkippedSeriesWarning,
    user_stacklevel,
)
from ..forecaster import Forecaster, default_lookback
from ..forecaster.options import cut_lookback
from ..formatting import format_times, listing
from ..models.registry import get_spec
from ..settings import DEFAULTS
from .cohorts import group_by_cutoff
from .splits import WalkForward

#: Reference baselines added to every evaluation unless ``baselines=False``.
DEFAULT_BASELINES = ("naive", "seasonal_naive", "naive2", "ets", "theta", "arima")
#: Fits trained together in one group (fewer when their windows would exceed the budget). A
#: grouped step costs little more for 24 fits than for 8 on a CPU (the step's fixed cost
#: dominates), so larger groups train in fewer steps: ``benchmarks/parallel.py``'s sunspots
#: evaluate (40 fits) took 11.1 s whole process in groups of up to 24 against 12.2 s with 8.
GROUP_FITS = 24
#: Several groups of a model come in a multiple of this many (the cores of the machine these
#: defaults were measured on), whatever the machine: see :func:`group_size`.
GROUP_MULTIPLE = 2
#: Rough bytes of window tables one group may hold.
GROUP_BUDGET = 512 * 2**20


def fit_seed(seed: int, model: str, sid: str, fit: int) -> int:
    """The seed of one fit, derived from the run seed, model label, series id and fit index.

    A resumed run therefore trains every remaining fit exactly as an uninterrupted run would,
    on whichever executor.

    Examples
    --------
    >>> fit_seed(0, "linear", "a", 3) == fit_seed(0, "linear", "a", 3) != fit_seed(1, "linear", "a", 3)
    True
    """
    return zlib.crc32(f"{seed}|{model}|{sid}|{fit}".encode()) % (2**31 - 1)


@dataclass
class Series:
    """One series as the jobs need it: values, times, its rows and the panel's metadata."""

    sid: str
    y: np.ndarray
    times: pd.Index
    frame: pd.DataFrame  # this series' rows of the panel frame
    known: list  # columns a forecast may see over its horizon: time and future-known covariates
    panel: Panel  # the panel's metadata (roles, grid) over this series' rows alone
    supplied: np.ndarray | None = None  # rows x (y, numeric past covariates): the loader's fill supplied it
    columns: tuple = ()  # the columns of ``supplied``
    interpolated: bool = False  # supplied by interpolation, which reads the next observed value

    def scored(self, row: int) -> bool:
        """Whether the target at ``row`` was observed (a supplied value is never scored)."""
        return self.supplied is None or not self.supplied[row, 0]

    def known_rows(self, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start:stop`` as known at ``stop``: a value interpolated toward an observation at
        or after ``stop`` (a gap running up to it) is the last value observed before it instead,
        as a forward fill would have it; every other row as loaded."""
        rows = self.frame.iloc[start:stop]
        if not self.interpolated or stop <= start:
            return rows
        rows = rows.copy() if self.supplied[start:stop].any() else rows
        for j, column in enumerate(self.columns):
            seen = np.flatnonzero(~self.supplied[:stop, j])
            last = seen[-1] if len(seen) else -1
            if 0 <= last < stop - 1:
                at = self.frame.columns.get_loc(column)
                rows.iloc[max(last + 1 - start, 0):, at] = self.frame.iat[last, at]
        return rows


@dataclass
class Unit:
    """What one chain of fits covers: one series (local), or for a global model all of them
    (id ``"*"``) or one cohort of them (ids ``"*1"``, ``"*2"``, ...: see :func:`~.cohorts.group_by_cutoff`).

    ``series``: the series its fits forecast; ``trains``: the series whose rows train them
    (None: ``series``); ``folds``: every one's folds by id.
    """

    key: str
    series: list
    folds: dict  # sid -> list of Fold
    trains: list | None = None

    def fits(self) -> list[int]:
        """The fit indices, in order."""
        return list(dict.fromkeys(f.fit for f in next(iter(self.folds.values()))))

    def served(self, fit: int) -> list:
        """The ``(series, fold)`` pairs fit ``fit`` forecasts."""
        return [(s, f) for s in self.series for f in self.folds[s.sid] if f.fit == fit]

    def training(self, fit: int) -> list:
        """The ``(series, fold)`` pairs whose rows may train fit ``fit`` (see :func:`~.jobs.training_panel`)."""
        return [(s, f) for s in (self.trains or self.series) for f in self.folds[s.sid] if f.fit == fit]


@dataclass
class Job:
    """One independently runnable piece of a walk-forward (see the module notes).

    ``pairs``: the ``(unit, fit)`` pairs it trains, in order; ``committed``: the status of
    those already committed by an earlier run, ``{(unit key, fit): status}`` (a group
    retrains them without committing them again; a warm chain uses them to resume);
    ``checkpoints``: the folder of a warm chain's checkpoints (None: none kept).
    """

    label: str
    template: Forecaster
    kind: str
    pairs: list
    seed: int
    committed: dict = field(default_factory=dict)
    checkpoints: str | None = None
    slots: int = 0
    scoring: object = None  # a probabilistic.Scoring when the run scores forecast distributions
    seed_label: str = ""  # the label fit seeds derive from, when not ``label`` (a tuned model: its default's)

    @property
    def remaining(self) -> int:
        """Fits this job will commit."""
        return sum(1 for unit, fit in self.pairs if (unit.key, fit) not in self.committed)


def series_of(panel: Panel) -> list[Series]:
    """Every series of ``panel``, each carrying only its own rows."""
    out = []
    known = ["id", "time", *panel.future_covariates]
    columns = ("y", *(name for name in panel.covariates if name not in panel.categorical))
    for sid in panel.ids:
        frame = panel.series(sid)
        times = frame["time"]
        index = pd.DatetimeIndex(times) if pd.api.types.is_datetime64_any_dtype(times) else pd.Index(times)
        supplied = (panel.filled or {}).get(sid)
        out.append(Series(sid, frame["y"].to_numpy(float), index, frame, known, panel.with_frame(frame), supplied,
                          columns, supplied is not None and panel.fill == "interpolate"))
    return out


def model_items(models) -> list[tuple]:
    """``(label, model)`` of ``models`` as :func:`~forecastkit.evaluation.walk_forward` takes them:
    a name, names separated by commas, a Forecaster, a list of them, or a dict of labels.

    Examples
    --------
    >>> [label for label, _ in model_items("naive, Seasonal-Naive")]
    ['naive', 'seasonal_naive']
    """
    if isinstance(models, str):
        models = [name.strip() for name in models.split(",")]
    elif isinstance(models, Forecaster):
        models = [models]
    if isinstance(models, dict):
        return list(models.items())
    return [(_one_name(m if isinstance(m, str) else m.model), m) for m in models]


def _one_name(name: str) -> str:
    """A model's name for an alias of it (``"Seasonal-Naive"``: ``"seasonal_naive"``); any other
    label as it is (an unknown name is reported where a model is built from it)."""
    try:
        return get_spec(name).name
    except ConfigError:
        return name


def unset_lookbacks(models) -> set:
    """Labels of ``models`` (as :func:`~forecastkit.evaluation.walk_forward` takes them) whose
    lookback is left to the data: a search may set theirs.

    Examples
    --------
    >>> sorted(unset_lookbacks(["mlp", Forecaster("linear", lookback=24)]))
    ['mlp']
    """
    return {label for label, model in model_items(models) if isinstance(model, str) or model.lookback is None}


def warn_ignored(models, seed: int, levels) -> None:
    """Warn when a given Forecaster's own ``seed`` or ``level`` differs from the run's: the
    run's decide every fit (its seed, mixed with each fit's, and the levels it scores)."""
    for label, model in model_items(models):
        if not isinstance(model, Forecaster):
            continue
        if model.seed not in (seed, DEFAULTS.seed):  # a seed of its own, not the default every Forecaster has
            warnings.warn(f"Forecaster {label!r} has seed={model.seed}, but the walk-forward's `seed` ({seed}) seeds "
                          f"every fit: pass seed={model.seed} to the walk-forward instead.",
                          stacklevel=user_stacklevel())
        if model.level is not None and check_levels(model.level) != tuple(levels):
            warnings.warn(f"Forecaster {label!r} has level={model.level!r}, but the walk-forward scores the "
                          f"intervals of its own `level` ({tuple(levels) or 'none'}): pass level= to the "
                          "walk-forward instead.", stacklevel=user_stacklevel())


def warn_idle_warm_start(entries: dict, folds: dict) -> None:
    """Warn once when ``warm_start`` is set on models it cannot help: a baseline, or a network
    fit once per series (``refit="never"`` or a single origin), with no earlier fit to continue."""
    idle = []
    for label, forecaster in entries.items():
        if not forecaster.warm_start:
            continue
        if kind_of(forecaster) != "neural":
            idle.append(f"{label} (a baseline)")
        elif all(len({fold.fit for fold in found}) < 2 for found in folds["neural"].values()):
            idle.append(f"{label} (fit once per series)")
    if idle:
        warnings.warn(f"`warm_start` continues each fit from the previous fit's weights, so it does nothing for "
                      f"{listing(idle)}. Refit more than once (`refit` every:K or always) for it to apply.",
                      stacklevel=user_stacklevel())


def resolve_models(models, horizon: int, baselines: bool, season: int, shortest_train: int,
                   longest_train: int | None = None) -> dict:
    """``{label: Forecaster}``, each checked, its season and lookback resolved (``default_lookback``)."""
    items = model_items(models)
    if not items and not baselines:
        raise ConfigError("`models` is empty and `baselines` is False: there is nothing to evaluate. Pass at "
                          "least one model, or keep the baselines.")
    entries = {}
    for label, model in items:
        if label in entries:
            raise ConfigError(f"Model {label!r} is listed twice in `models`; pass a dict {{label: Forecaster}} "
                              "to compare variants of one model.")
        forecaster = Forecaster(model, horizon=horizon) if isinstance(model, str) else clone(model)
        if forecaster.horizon is None:  # the default: the walk-forward's horizon
            forecaster.set_params(horizon=horizon)
        if forecaster.horizon != horizon:
            raise ConfigError(f"Forecaster {label!r} has horizon {forecaster.horizon} but the walk-forward "
                              f"horizon is {horizon}; give both the same `horizon`.")
        forecaster.check_params()
        entries[label] = forecaster
    if baselines:
        for name in DEFAULT_BASELINES:
            entries.setdefault(name, Forecaster(name, horizon=horizon))
    for forecaster in entries.values():
        forecaster.set_params(season=forecaster.season or season, verbose=0)
        if kind_of(forecaster) == "neural" and forecaster.lookback is None:
            longest = longest_train if forecaster.mode == "global" else None
            forecaster.set_params(lookback=default_lookback(horizon, forecaster.season, shortest_train,
                                                            get_spec(forecaster.model).lookback_multiple, longest))
    return entries


def first_trains(series: list[Series], splitter: WalkForward) -> list[int]:
    """Training rows of the first fold of each series that has a fold at all."""
    lengths = []
    for s in series:
        try:
            lengths.append(len(splitter.split(len(s.y), times=s.times)[0].train))
        except DataError:
            continue
    return lengths


def shortest_train(series: list[Series], splitter: WalkForward) -> int:
    """Training rows of the first fold of the shortest series that has a fold at all."""
    return min(first_trains(series, splitter), default=1)


def min_train(forecaster: Forecaster, padded: bool = False) -> int:
    """Training rows a fit of ``forecaster`` needs (:func:`~forecastkit.checks.required_length`);
    ``padded``: a series a global model pads (:func:`~forecastkit.forecaster.pads_short`) needs
    one row of history before its targets."""
    if kind_of(forecaster) == "baseline":
        return 1
    lookback = 1 if padded else forecaster.lookback
    return required_length(lookback, forecaster.model_horizon, forecaster.warmup(forecaster.season))


def long_enough(series: list[Series], entries: dict, splitter: WalkForward, skip_short: bool) -> list[Series]:
    """The series every model can be evaluated on; the others raise, or with ``skip_short``
    are left out with one :class:`~forecastkit.errors.SkippedSeriesWarning` naming them."""
    kept, skipped = [], {}
    for s in series:
        try:
            for label, forecaster in entries.items():
                try:
                    padded = is_global(forecaster, series) and not skip_short  # else too short is left out
                    splitter.split(len(s.y), min_train(forecaster, padded), s.times)
                except DataError as err:
                    raise DataError(f"Model {label!r}, series {s.sid!r}: {err}") from None
        except DataError as err:
            if not skip_short:
                text = str(err) if str(err).endswith(".") else f"{err}."
                hint = " Or set `skip_short` to True to leave such series out." if len(series) > 1 else ""
                raise DataError(text + hint) from None
            skipped[s.sid] = len(s.y)
            continue
        kept.append(s)
    for label, forecaster in entries.items():
        check_window_held(label, forecaster, kept, splitter)
        while is_global(forecaster, kept) and (short := global_shortfall(label, forecaster, kept, splitter,
                                                                          padded=not skip_short)):
            if not skip_short:
                raise DataError(short[1] + " Or set `skip_short` to True to leave such series out.")
            skipped[short[0].sid] = len(short[0].y)
            kept.remove(short[0])
    if skipped:
        warning = SkippedSeriesWarning(skipped)
        if not kept:
            raise DataError(f"Every series is too short for this walk-forward: {str(warning).split(': ', 1)[1]} "
                            "Use fewer `folds`, a smaller `lookback` or `horizon`, or longer series.")
        warnings.warn(warning, stacklevel=user_stacklevel())
    return kept


def check_window_held(label: str, forecaster: Forecaster, series: list[Series], splitter: WalkForward) -> None:
    """Raise DataError when no series of a global model has one whole window before its first origin."""
    if not is_global(forecaster, series):
        return
    needed, rows = min_train(forecaster), max(first_trains(series, splitter), default=0)
    if rows < needed:
        raise DataError(f"Model {label!r} needs one series with at least {needed} rows before its first origin "
                        f"(lookback {forecaster.lookback} + horizon {forecaster.model_horizon} and its differences), "
                        f"but the longest has {rows}. Use a smaller `lookback`, fewer `folds` or longer series.")


def is_global(forecaster: Forecaster, series: list) -> bool:
    """Whether ``forecaster`` fits ``series`` together: a global neural model on a panel."""
    return kind_of(forecaster) == "neural" and forecaster.mode == "global" and len(series) > 1


def global_shortfall(label: str, forecaster: Forecaster, series: list[Series], splitter: WalkForward,
                     padded: bool = True):
    """``(series, message)`` of the first series a global fit would train on too few rows (a whole
    window's; ``padded``: one row's, if one series of the cohort holds a whole window), or None.

    Each global fit trains every series on its rows before the earliest cut-off in time of the
    series it forecasts, its cohort (:func:`~.cohorts.group_by_cutoff`; :func:`~.jobs.training_panel`),
    so a series that starts late can have enough rows before its own origins but too few before
    a cohort member's earlier ones (another cohort's series just skips such fits)."""
    folds = {s.sid: splitter.split(len(s.y), times=s.times) for s in series}
    fits = {tuple(f.fit for f in found) for found in folds.values()}
    if len(fits) > 1:
        return None  # other fits per series: units_of refuses the panel
    full = min_train(forecaster)
    for cohort in group_by_cutoff(series, folds, splitter.cohorts):
        for fit in dict.fromkeys(next(iter(fits))):
            first = {s.sid: next(f for f in folds[s.sid] if f.fit == fit) for s in cohort}
            earliest = min(cohort, key=lambda s: s.times[first[s.sid].train_end])
            cutoff = earliest.times[first[earliest.sid].train_end]
            trained = {s.sid: min(first[s.sid].train_end, int(s.times.searchsorted(cutoff))) - first[s.sid].train_start
                       for s in cohort}
            needed = min_train(forecaster, padded) if max(trained.values()) >= full else full  # one whole window
            for s in cohort:
                if (rows := trained[s.sid]) < needed:
                    when = format_times([cutoff])[0]
                    return s, (f"Model {label!r} is global: each fit trains every series together, on its rows "
                               f"before the earliest cut-off of the series it forecasts, so that no series sees "
                               f"another's future. Fit {fit} is cut off at {when} (where the training of series "
                               f"{earliest.sid!r} ends), and series {s.sid!r} ({len(s.y)} rows) has {max(rows, 0)} "
                               f"rows before it, but {label} needs at least {needed}. Fit each series alone "
                               "(`mode='local'`), or use fewer `folds`, a smaller `lookback` or more `cohorts`.")
    return None


def resolve_run(series: list[Series], models, splitter: WalkForward, baselines: bool, season: int,
                skip_short: bool) -> tuple[WalkForward, dict, list[Series]]:
    """The run's splitter (horizon and stride resolved), models (season and lookback resolved)
    and the series it evaluates (:func:`long_enough`).

    The stride and the default lookbacks are kept small enough for the shortest series. With
    ``skip_short``, a series left out must not shrink them for the others, so they are resolved
    again on the series kept, unless that would leave out more of them.
    """
    def resolved_on(pool):
        resolved = splitter.with_horizon(season, rows=min(len(s.y) for s in pool), series=len(pool))
        trains = first_trains(pool, resolved)
        longest = max(trains, default=1) if len(pool) > 1 else None
        return resolved, resolve_models(models, resolved.horizon, baselines, season, min(trains, default=1), longest)

    resolved, entries = resolved_on(series)
    kept = long_enough(series, entries, resolved, skip_short)
    if len(kept) < len(series):
        again, again_entries = resolved_on(kept)
        if _all_long_enough(kept, again_entries, again):
            resolved, entries = again, again_entries
    _warn_if_cut(models, entries, kept, resolved)
    return resolved, entries, kept


def _all_long_enough(series: list[Series], entries: dict, splitter: WalkForward) -> bool:
    """Whether every model can be evaluated on every one of ``series`` (:func:`long_enough`)."""
    try:
        long_enough(series, entries, splitter, skip_short=False)
    except DataError:
        return False
    return True


def _warn_if_cut(models, entries: dict, series: list[Series], splitter: WalkForward) -> None:
    """Warn (ShortSeriesWarning) when the shortest series cuts a default lookback to less than
    half of what the longest would allow, for every series."""
    if len(series) < 2:
        return
    unset = unset_lookbacks(models)
    trains = {s.sid: len(splitter.split(len(s.y), times=s.times)[0].train) for s in series}
    sid = min(trains, key=trains.get)
    cut = []
    for label in sorted(unset & set(entries)):
        f = entries[label]
        if kind_of(f) != "neural":
            continue
        full = cut_lookback(f.lookback, splitter.horizon, f.season, max(trains.values()),
                            get_spec(f.model).lookback_multiple)
        if full is not None:
            cut.append(f"{label} from {full} to {f.lookback}")
    if cut:
        warnings.warn(ShortSeriesWarning(
            f"The shortest series, {sid!r} ({trains[sid]} rows before its first origin), cuts the default lookback "
            f"of every series: {', '.join(cut)} rows. Set `lookback`, or evaluate without that series."),
            stacklevel=user_stacklevel())


def units_of(forecaster: Forecaster, series: list[Series], folds: dict, cohorts: int = 1) -> list[Unit]:
    """One unit per series, or for a global neural model on a panel one per cohort of series
    whose training ends together (:func:`~.cohorts.group_by_cutoff`, at most ``cohorts`` of them), each trained
    on every series' rows before the cohort's cut-off."""
    if not is_global(forecaster, series):
        return [Unit(s.sid, [s], {s.sid: folds[s.sid]}) for s in series]
    fits = {s.sid: [f.fit for f in folds[s.sid]] for s in series}
    first = next(iter(fits.values()))
    if any(v != first for v in fits.values()):
        odd = next(sid for sid, v in fits.items() if v != first)
        raise DataError(f"A global model fits all series together, so every series needs the same fits, but "
                        f"series {odd!r} has {len(set(fits[odd]))} fits and {series[0].sid!r} has "
                        f"{len(set(first))} (its `start` leaves it other origins). Set `folds` instead of "
                        "`start`, or `mode='local'`.")
    groups = group_by_cutoff(series, folds, cohorts)
    every = {s.sid: folds[s.sid] for s in series}
    if len(groups) == 1:
        return [Unit(GLOBAL_ID, series, every)]
    return [Unit(f"{GLOBAL_ID}{i}", group, every, series) for i, group in enumerate(groups, 1)]


def grouped_reason(label: str, forecaster: Forecaster) -> str | None:
    """None when ``forecaster``'s fits train fold-parallel; else why not
    (:func:`~forecastkit.grouped.layers.why_not_grouped`), warned once with a
    :class:`~forecastkit.errors.SequentialFitsWarning` unless the reason is ``"sequential"``
    (a baseline, an ensemble, a bag or a warm start)."""
    from ..grouped.layers import why_not_grouped

    reason = why_not_grouped(forecaster)
    if reason and reason != "sequential":
        warnings.warn(SequentialFitsWarning(label, reason), stacklevel=user_stacklevel())
    return reason


def group_size(template: Forecaster, pairs: list) -> int:
    """Fits per group (and fit slots of each group's compiled step) for a model's ``pairs``.

    At most :data:`GROUP_FITS`, fewer when their window tables would exceed
    :data:`GROUP_BUDGET` (a rough estimate from the training rows, fixed for the run); and
    when the fits need several groups, as many groups as a multiple of :data:`GROUP_MULTIPLE`,
    of near-equal size, so that two cores finish them together (40 fits: 2 groups of 20, not
    24 and 16; 60 fits: 4 groups of 15, not 3 with one core idle for the last). Neither the
    executor's number of workers nor this machine's CPU count: a group's numbers depend on
    its fits at float32 rounding, so the same run groups, so predicts, alike everywhere (and
    a run resumed on another machine continues it exactly).

    Examples
    --------
    >>> from forecastkit.evaluation.splits import Fold
    >>> unit = Unit("a", [Series("a", np.zeros(50), pd.RangeIndex(50), pd.DataFrame({"y": []}), [], None)],
    ...             {"a": [Fold(k, 40 + k, 0, 40 + k, 1) for k in range(40)]})
    >>> sizes = group_size(Forecaster("vanilla", horizon=1, lookback=4), [(unit, k) for k in range(40)])
    >>> sizes <= GROUP_FITS and -(-40 // sizes) % GROUP_MULTIPLE == 0
    True
    """
    size = _largest_group(template, pairs)
    groups = -(-len(pairs) // size)
    if groups > 1:
        groups = min(len(pairs), -(-groups // GROUP_MULTIPLE) * GROUP_MULTIPLE)
    return -(-len(pairs) // groups)


def _largest_group(template: Forecaster, pairs: list) -> int:
    """:data:`GROUP_FITS`, fewer when their window tables would exceed :data:`GROUP_BUDGET`."""
    lookback = template.lookback or 64
    widest = 1
    for unit, fit in pairs:
        for s in unit.series:
            fold = next(f for f in unit.folds[s.sid] if f.fit == fit)
            columns = len(s.frame.columns)
            widest = max(widest, (fold.train_end - fold.train_start) * (lookback + template.horizon) * columns)
    per_fit = 3 * 4 * widest * max(len(unit.series) for unit, _ in pairs)
    return int(max(1, min(GROUP_FITS, GROUP_BUDGET // max(per_fit, 1))))


#: Rough seconds of one fit of a baseline on 100 rows, for :func:`job_cost` (default 0.005).
BASELINE_SECONDS = {"arima": 0.15, "ets": 0.1, "theta": 0.05, "naive2": 0.01}
#: Rough seconds of one window through a network of width 1 and one row, forward and back,
#: and the epochs a fit is expected to run before early stopping, for :func:`job_cost`.
WINDOW_SECONDS, EXPECTED_EPOCHS = 2e-9, 40


def job_cost(job: Job) -> float:
    """Rough seconds ``job`` takes, so executors start the longest jobs first (the order the
    jobs run in changes no number, only how evenly the workers finish).

    A baseline fit costs :data:`BASELINE_SECONDS` per 100 training rows; a network's fit its
    training windows (at most ``steps_per_epoch`` batches) x epochs (at most
    :data:`EXPECTED_EPOCHS`) x lookback x width squared x depth x :data:`WINDOW_SECONDS`.

    Examples
    --------
    >>> from forecastkit.evaluation.splits import Fold
    >>> unit = Unit("a", [Series("a", np.zeros(100), pd.RangeIndex(100), None, [], None)],
    ...             {"a": [Fold(0, 90, 0, 90, 10)]})
    >>> naive, arima = (Job(m, Forecaster(m, horizon=10), "fit", [(unit, 0)], 0) for m in ("naive", "arima"))
    >>> job_cost(naive) < job_cost(arima)
    True
    """
    rows = sum(f.train_end - f.train_start for unit, fit in job.pairs for _, f in unit.training(fit))
    spec = get_spec(job.template.model)
    if spec.kind == "baseline":
        return rows / 100 * BASELINE_SECONDS.get(spec.name, 0.005)
    if spec.kind != "neural":  # an ensemble: its members' fits, roughly a network's
        return rows * EXPECTED_EPOCHS * 64 * 32 ** 2 * WINDOW_SECONDS * len(job.pairs)
    build, training = spec.split(job.template.check_params())
    width = build.get("units") or build.get("filters") or 8
    depth = build.get("layers", 1) * (2 if spec.name in ("bidirectional", "encoder_decoder") else 1)
    windows = min(rows, training["steps_per_epoch"] * training["batch_size"] * len(job.pairs) or rows)
    epochs = min(training["epochs"], EXPECTED_EPOCHS)
    return windows * epochs * (job.template.lookback or 1) * width ** 2 * depth * WINDOW_SECONDS


def plan_jobs(entries: dict, series: list[Series], folds: dict, seed: int, done: dict, fast: bool,
              checkpoints: str | None = None, scoring=None, cohorts: int = 1) -> list[Job]:
    """The jobs of a run still to do, in a fixed order (model, unit, fit).

    ``folds[kind][sid]``: neural models follow the refit policy, baselines refit per origin;
    ``done``: ``{(model, id, fit): status}`` of the fits already committed; ``fast``: train
    each neural model the grouped layers cover in fold-parallel groups; ``checkpoints``: the
    folder of warm-started chains' checkpoints (None: in memory, none kept); ``scoring``: what
    every job scores of the forecast distributions (:class:`~.probabilistic.Scoring`), or None;
    ``cohorts``: the most fits per origin group of a global model (:func:`~.cohorts.group_by_cutoff`).
    """
    jobs = []
    for label, forecaster in entries.items():
        units = units_of(forecaster, series, folds[kind_of(forecaster)], cohorts)
        pairs = [(unit, fit) for unit in units for fit in unit.fits()]

        def committed(chunk):
            return {(u.key, f): done[(label, u.key, f)] for u, f in chunk if (label, u.key, f) in done}

        if fast and grouped_reason(label, forecaster) is None:
            size = group_size(forecaster, pairs)
            chunks = [pairs[start:start + size] for start in range(0, len(pairs), size)]
            jobs += [Job(label, forecaster, "group", chunk, seed, committed(chunk), slots=size) for chunk in chunks]
        elif forecaster.warm_start and get_spec(forecaster.model).kind == "neural":
            for unit in units:
                chain = [(unit, fit) for fit in unit.fits()]
                jobs.append(Job(label, forecaster, "chain", chain, seed, committed(chain), checkpoints))
        else:
            jobs += [Job(label, forecaster, "fit", [pair], seed) for pair in pairs if not committed([pair])]
    for job in jobs:
        job.scoring = scoring
    return [job for job in jobs if job.remaining]
