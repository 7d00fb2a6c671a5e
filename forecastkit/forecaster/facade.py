"""The :class:`Forecaster` facade: scikit-learn-style parameters, ``fit``, ``predict``,
``sample_paths``, ``save`` and ``load`` over one engine per kind and strategy
(:mod:`~forecastkit.forecaster.engines`)."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import pandas as pd
from sklearn.base import BaseEstimator, clone

from .. import ensemble
from ..checks import check_counts, check_int, check_levels
from ..data import GLOBAL_ID, Panel, read_future
from ..errors import ConfigError, DataError, NotFittedError
from ..models.registry import get_spec
from ..settings import DEFAULTS
from . import floors, persistence, preparation, sampling
from .engines import DirectEngine, choose_engine
from .options import (
    as_panel,
    check_quantiles,
    check_seasons,
    check_settings,
    covariate_roles,
    describe_roles,
    fixed_chain,
    read_new_history,
    warn_covariates_ignored,
    warn_ignored_by_baseline,
)


class Forecaster(BaseEstimator):
    """Fit any zoo model to a panel and forecast ``horizon`` steps ahead.

    Parameters
    ----------
    model : str
        A registered model name (``forecastkit models`` lists them).
    horizon : int or None
        Steps forecast after each series' end; None (the default, as on the command line)
        forecasts one season (``season_``), resolved in ``fit`` as ``horizon_``.
    lookback : int or None
        Window length fed to neural models; None picks :func:`default_lookback`.
    params : dict or None
        Model hyperparameters and training settings (``epochs``, ``batch_size``,
        ``learning_rate``, ``patience``, ``validation``); unknown names are errors.
    preprocess : {"auto", "none"}
        Neural models: ``"auto"`` (default) chooses the target transform chain per fit from
        the training data alone (:func:`~forecastkit.preprocess.choose_chain`: log or not,
        deseasonalise, seasonal differences or neither, first differences or not, judged by
        forecasts of the latest training windows); ``"none"`` applies only what is set below.
        The choice is ``preprocess_`` after ``fit``.
    scaler, transform, difference, deseason, seasonal_difference :
        Target transforms (see :class:`~forecastkit.preprocess.transforms.TargetTransform`), fit per
        series on the training data only. ``transform`` ``"log"``, ``"boxcox"`` or
        ``"none"``; ``deseason`` ``"classical"``, ``"stl"`` or ``"none"`` (the season length,
        and the weekly cycle of hourly or daily data); ``difference`` and
        ``seasonal_difference`` True or False. None (the default) leaves that part to
        ``preprocess="auto"`` (and off under ``"none"``); any other value fixes it. ``scaler``
        ``"auto"`` (the default) is the model's own under ``preprocess="auto"``
        (``window_steps``, each window measured from its mean in its mean absolute step, for
        the mlp; ``standard`` for the others) and ``standard`` under ``"none"``.
    season : int or None
        Season length; None derives it from the data's frequency (12 for monthly, ...).
    seed : int
        Seeds Python, NumPy and Keras: the same seed gives the same forecast.
    verbose : int
        0 silent, 1 progress bar, 2 Keras epoch logs.
    warm_start : bool
        Neural models: a second ``fit`` continues from the weights (and optimizer state) of
        the previous one instead of fresh ones; the transforms are still refit.
    mode : {"global", "local"}
        Neural models on a panel: ``"global"`` trains one model on the windows of all series
        (each scaled by its own transforms); ``"local"`` trains one model per series.
        Baselines are always per series.
    id_embedding : int
        Global neural models: learn a vector of this size per series id, fed to the model
        beside each window (0: none).
    calendar : str, list or None
        Calendar features known over the horizon, e.g. ``"weekday,month"`` (see
        :data:`~forecastkit.features.CALENDAR`); they need timestamps.
    quantiles : str, list or None
        Neural models: also forecast these quantile levels (e.g. ``"0.1,0.9"``) with a
        non-crossing quantile head trained on the pinball loss; the median (0.5) is always
        one of them and is the point forecast. ``predict`` adds ``q0.1``-style columns.
    strategy : {"direct", "recursive"}
        Neural models: ``"direct"`` trains the network to forecast all ``horizon`` steps at
        once; ``"recursive"`` trains it to forecast one step (windows with horizon 1) and
        rolls it out ``horizon`` times, feeding each forecast back into the history (in the
        original units, so every transform applies as in training). Future-known covariates
        and calendar features work with both (step ``k`` sees its own future row);
        past-observed covariates only with ``"direct"`` (they are unknown after the origin).
        A recursive model's intervals (``level``) are quantiles of
        :data:`INTERVAL_PATHS` sampled paths; it has no quantile head. Baselines forecast
        every step natively and take ``"direct"`` only.
    members : str, list or None
        Model ``"ensemble"`` only: the models whose median it forecasts (``"linear,mlp"``;
        None: ``linear, mlp, vanilla``). See :mod:`forecastkit.ensemble`.
    bag : int
        Neural models (an ensemble: each neural member): train this many copies over seeds and
        lookbacks and forecast their median (:func:`~forecastkit.ensemble.bag_lookbacks`).
    level : str, number, list or None
        Prediction-interval levels in percent (``(80, 95)``) ``predict`` gives by default.
        Known before ``fit``, which refuses, before any training, a fit holding out too few
        windows to calibrate them.
    distribution : {None, "normal", "studentt", "negbin"}
        Neural models: output, per horizon step, the parameters of this distribution (a
        distribution head on any builder, :mod:`forecastkit.models.distributions`) and train by
        its negative log-likelihood. ``yhat`` is the distribution's mean, mapped back through the
        target transforms (the mean itself when they are linear; after log or Box-Cox the
        back-transformed mean; a recursive model rolls out the mean of each step); ``level``,
        ``quantiles`` and ``samples`` come from the distribution, not from conformal calibration
        (:mod:`forecastkit.forecaster.predictive`). ``normal`` and ``studentt`` work after the
        usual preprocessing; ``negbin`` models non-negative integer counts as they are, scaled per
        window by ``1 + mean`` inside the network (DeepAR), and takes no other transform.

    Attributes
    ----------
    horizon_, lookback_, season_, hyper_ : resolved settings.
    engine_ : the engine ``fit`` chose (:func:`~forecastkit.forecaster.engines.choose_engine`).
    model_ : the trained ``keras.Model`` (a global neural model); ``models_`` maps series id
        to its model in local mode. The networks train in the grouped trainer
        (:mod:`forecastkit.grouped`) where its layers cover the model, and forecast through it;
        ``model_`` and ``models_`` then build the builder's ``keras.Model`` with their weights.
    history_ : Panel of what ``predict()`` forecasts from (the training tail).
    members_ : an ensemble's or a bag's fitted member forecasters (see :mod:`forecastkit.ensemble`).
    transforms_ : dict id -> fitted TargetTransform; ``encoder_`` the covariate encoding.
    calibration_, residuals_ : dict key -> errors on the held-out windows (neural models; key
        ``"*"`` for a global model, else the series id): sorted absolute errors per step
        (split-conformal intervals) and the signed errors, one row per window
        (:meth:`sample_paths`).

    Examples
    --------
    >>> from forecastkit import Forecaster, datasets
    >>> airline = datasets.load("airline")
    >>> f = Forecaster("linear", horizon=3, lookback=12, params={"epochs": 2}, strategy="recursive")
    >>> f.fit(airline).model_horizon, len(f.predict())
    (1, 3)
    >>> Forecaster("naive").fit(airline).horizon_  # one season of monthly data
    12
    """

    def __init__(self, model="linear", horizon=DEFAULTS.horizon, lookback=DEFAULTS.lookback, params=None,
                 scaler=DEFAULTS.scaler, transform=DEFAULTS.transform, difference=DEFAULTS.difference,
                 season=DEFAULTS.season, seed=DEFAULTS.seed, verbose=0, warm_start=DEFAULTS.warm_start,
                 mode=DEFAULTS.mode, id_embedding=DEFAULTS.id_embedding, calendar=DEFAULTS.calendar,
                 quantiles=DEFAULTS.quantiles, strategy=DEFAULTS.strategy, preprocess=DEFAULTS.preprocess,
                 deseason=DEFAULTS.deseason, seasonal_difference=DEFAULTS.seasonal_difference,
                 members=DEFAULTS.members, bag=DEFAULTS.bag, level=DEFAULTS.level,
                 distribution=DEFAULTS.distribution):
        self.model = model
        self.horizon = horizon
        self.lookback = lookback
        self.params = params
        self.scaler = scaler
        self.transform = transform
        self.difference = difference
        self.season = season
        self.seed = seed
        self.verbose = verbose
        self.warm_start = warm_start
        self.mode = mode
        self.id_embedding = id_embedding
        self.calendar = calendar
        self.quantiles = quantiles
        self.strategy = strategy
        self.preprocess = preprocess
        self.deseason = deseason
        self.seasonal_difference = seasonal_difference
        self.members = members
        self.bag = bag
        self.level = level
        self.distribution = distribution

    #: Constructor arguments a fitted Forecaster may change without refitting: the next fit's
    #: seed, the verbosity, the default interval levels, and whether the next fit continues
    #: these weights. Any other change makes ``predict`` and ``save`` refuse until the next fit.
    REFIT_FREE = ("seed", "verbose", "level", "warm_start")

    def set_params(self, **params) -> "Forecaster":
        """scikit-learn's ``set_params``; ``params__<name>`` sets one hyperparameter inside
        ``params`` (as ``GridSearchCV`` names them), keeping the others.

        Examples
        --------
        >>> Forecaster("mlp", params={"units": 8, "epochs": 5}).set_params(params__units=16).params
        {'units': 16, 'epochs': 5}
        """
        inner = {key[len("params__"):]: params.pop(key) for key in list(params) if key.startswith("params__")}
        if inner:
            params["params"] = {**(params.get("params", self.params) or {}), **inner}
        return super().set_params(**params)

    # ------------------------------------------------------------------ validation --
    def check_params(self) -> dict:
        """Validate every constructor argument without touching data or Keras.

        Returns the resolved hyperparameters. Raises ConfigError / ConfigTypeError.

        Examples
        --------
        >>> Forecaster("mlp", params={"units": 8}).check_params()["units"]
        8
        """
        check_levels(self.level)
        if ensemble.is_composite(self):  # an ensemble or a bag: members_ are fitted forecasters
            return ensemble.check_composite(self)
        return check_settings(self)

    def warmup(self, season: int | None = None) -> int:
        """Leading rows the differences consume before the first window: those set, and the first
        differences ``preprocess="auto"`` takes. After ``fit``: the rows the chosen chains consume.

        Examples
        --------
        >>> Forecaster("mlp", seasonal_difference=True).warmup(season=12)
        13
        >>> Forecaster("mlp", preprocess="none").warmup(season=12)
        0
        """
        if getattr(self, "transforms_", None):
            return max(t.lost for t in self.transforms_.values())
        fixed = fixed_chain(self)
        return int(fixed.get("difference", True)) + (season or 1) * int(fixed.get("seasonal_difference", False))

    @property
    def model_horizon(self) -> int:
        """Steps the network outputs: the horizon (direct), 1 (recursive, rolled out ``horizon`` times).

        Examples
        --------
        >>> Forecaster("mlp", horizon=12).model_horizon, Forecaster("mlp", horizon=12, strategy="recursive").model_horizon
        (12, 1)
        """
        if self.strategy == "recursive":
            return 1
        horizon = self.__dict__.get("horizon_", self.horizon)
        if horizon is None:
            raise NotFittedError("`horizon` is None (one season of the data), so the model's horizon is known "
                                 "only after `fit`. Pass horizon= to know it before.")
        return horizon

    @property
    def model_(self):
        """The trained Keras model of a global neural forecaster (AttributeError otherwise)."""
        engine = self.__dict__.get("engine_")
        if not getattr(engine, "pooled", False):
            raise AttributeError("`model_` exists only for a fitted global neural model (local ones: `models_`).")
        return engine.keras_model(GLOBAL_ID)

    @model_.setter
    def model_(self, model) -> None:
        """Install a global Keras model, e.g. one to continue from (``warm_start``)."""
        self.engine_ = type(choose_engine(self))(self, {GLOBAL_ID: model})
        self.remember_settings()

    @property
    def models_(self) -> dict:
        """Series id -> trained Keras model of a local neural forecaster (AttributeError otherwise)."""
        engine = self.__dict__.get("engine_")
        if not isinstance(engine, DirectEngine) or engine.pooled or not engine.models:
            raise AttributeError("`models_` exists only for fitted local neural models (a global one: `model_`).")
        return {key: engine.keras_model(key) for key in engine.models}

    def check_covariates(self, panel: Panel) -> None:
        """Raise :class:`ConfigError` when this forecaster cannot use ``panel``'s covariate roles:
        a recursive model refuses past-observed covariates (no data or Keras needed)."""
        if self.strategy == "recursive" and panel.covariates:
            raise ConfigError(f"strategy='recursive' feeds each forecast back as the next step's input, but the "
                              f"past-observed covariates {list(panel.covariates)} are unknown after the forecast origin. "
                              "Use strategy='direct', or declare them future-known (`future_covariates`) and supply "
                              "their values over the horizon (`future`), or leave them out (`past_covariates` empty).")

    def check_target(self, panel: Panel) -> None:
        """Raise before any training when the target's settings cannot apply to ``panel``: a
        ``negbin`` head on values that are not counts, or seasonal steps without a season."""
        check_seasons(self, panel)
        if self.distribution == "negbin":
            check_counts(panel.frame["y"].to_numpy(float), panel.frame["id"].to_numpy(), "`distribution` 'negbin'")

    # ------------------------------------------------------------------------- fit --
    def fit(self, data, **load_kwargs) -> "Forecaster":
        """Learn transforms and model from ``data`` (Panel, CSV path or pandas object).

        Checks first, before any training, that the held-out windows suffice to calibrate
        intervals at the constructor's ``level``.
        """
        panel = as_panel(data, **load_kwargs)
        self.check_levels_before_fit(panel, self.level)
        if get_spec(self.model).kind == "baseline":
            warn_ignored_by_baseline(self)
            if any(load_kwargs.get(role) for role in ("past_covariates", "future_covariates", "static_covariates")):
                warn_covariates_ignored(self.model, (*panel.covariates, *panel.future_covariates,
                                                     *panel.static_covariates))
        previous = self._previous_models()
        self.engine_ = choose_engine(self)
        self.engine_.fit(panel, previous)
        self.remember_settings()
        return self

    def remember_settings(self) -> None:
        """Record the settings the fitted model has (see :attr:`REFIT_FREE`)."""
        self.fitted_settings_ = copy.deepcopy(self._settings())

    def _settings(self) -> dict:
        return {k: v for k, v in self.get_params(deep=False).items() if k not in self.REFIT_FREE}

    def _previous_models(self) -> dict:
        """Models a warm start continues from: ``{GLOBAL_ID: model}`` (global) or ``{id: model}``."""
        engine = self.__dict__.get("engine_")
        if not self.warm_start or not isinstance(engine, DirectEngine):
            return {}
        return {key: engine.keras_model(key) for key in engine.models}

    def prepare_windows(self, panel: Panel) -> dict:
        """Everything ``fit`` learns before training, and the training windows.

        Resolves the data-dependent settings (``season_``, ``horizon_``, ``lookback_``,
        ``hyper_``...), checks the series lengths, fits the covariate encoding and each series'
        target transform on ``panel`` (the training data) and sets ``encoder_``, ``transforms_``,
        ``ids_`` and ``history_``. Returns ``{GLOBAL_ID: WindowSet}`` (one pooled set: global
        mode or a single series) or ``{series id: WindowSet}`` (local mode on a panel). Trainers
        other than :meth:`fit` (the walk-forward's fold-parallel path) start from here and hand
        their model to :meth:`adopt_model`. The windows' horizon is :attr:`model_horizon`.
        Warns (:class:`~forecastkit.errors.FewWindowsWarning`) when they are very few.
        """
        return preparation.prepare_windows(self, panel)

    def adopt_model(self, model, windows) -> "Forecaster":
        """Use a global Keras ``model`` trained elsewhere (the walk-forward's fold-parallel trainer)
        on ``windows``, the pooled :class:`~forecastkit.windows.WindowSet` :meth:`prepare_windows`
        returned under ``GLOBAL_ID``, and calibrate it on their held-out windows, as ``fit`` would.
        Call :meth:`prepare_windows` first; the forecaster is then fitted. Returns self."""
        if isinstance(windows, dict):
            if set(windows) != {GLOBAL_ID}:
                raise ConfigError("`adopt_model` takes a global model and the pooled windows prepare_windows "
                                  f"returned under {GLOBAL_ID!r}. Received windows for: {list(windows)[:5]}")
            windows = windows[GLOBAL_ID]
        if not hasattr(self, "transforms_"):
            raise NotFittedError("Call `prepare_windows(panel)` before `adopt_model(model, windows)`.")
        engine = choose_engine(self)
        if not isinstance(engine, DirectEngine):
            raise ConfigError(f"`adopt_model` installs a neural network; {self.model!r} (bag={self.bag!r}) is not one.")
        engine.install({GLOBAL_ID: model}, {GLOBAL_ID: windows})
        self.engine_ = engine
        self.remember_settings()
        return self

    # --------------------------------------------------------------------- predict --
    def predict(self, data=None, future=None, level=None, samples=None, **load_kwargs) -> pd.DataFrame:
        """Forecast ``horizon`` steps after the training data, or after ``data`` if given.

        Parameters
        ----------
        data : Panel, CSV path, pandas object or None
            New history (validated like training data); neural models need at least
            ``lookback`` rows per series and only series seen in ``fit``.
        future : CSV path, DataFrame or None
            Values of the future-known covariates over the ``horizon`` steps after each
            series' end (see :func:`~forecastkit.data.read_future`); required when the model
            was fit with future-known covariates, refused otherwise.
        level : str, list or None
            Prediction intervals at these levels (percent, e.g. ``(80, 95)``; None: the
            constructor's ``level``): the native intervals of the baselines; for direct neural
            models split-conformal intervals from their errors on the held-out (validation)
            windows of ``fit``; for recursive ones the quantiles of :data:`INTERVAL_PATHS`
            sampled paths (:meth:`sample_paths`), since one-step errors do not calibrate the
            later steps; for a ``distribution`` model its distribution's quantiles. The
            frame's ``attrs["intervals"]`` says which method made them.
        samples : int or None
            Neural models without a quantile head: add the :data:`SAMPLE_QUANTILES` of this
            many sampled paths as ``q0.05``-style columns (see :meth:`sample_paths`; a
            ``distribution`` model draws them from its distribution).

        Returns
        -------
        pandas.DataFrame
            Columns ``id, time, model, yhat``, then ``yhat_lo_<L>, yhat_hi_<L>`` per level and
            ``q<tau>`` per quantile of a quantile model or of the sampled paths; ``horizon``
            rows per series; a series whose history never goes below zero is forecast at or
            above zero (:mod:`~forecastkit.forecaster.floors`).

        Examples
        --------
        >>> from forecastkit import datasets
        >>> f = Forecaster("linear", horizon=2, lookback=12, params={"epochs": 2, "validation": 0.2})
        >>> list(f.fit(datasets.load("airline")).predict(samples=50).columns)[3:]
        ['yhat', 'q0.05', 'q0.1', 'q0.25', 'q0.5', 'q0.75', 'q0.9', 'q0.95']
        """
        self._check_fitted("predict")
        levels = check_levels(self.level if level is None else level)
        if ensemble.is_composite(self):
            return ensemble.predict_composite(self, data, future, levels, samples, load_kwargs)
        samples = self.check_samples(samples)
        if levels:
            self.engine_.check_levels(levels)
        if samples and not self.distribution:
            sampling.residual_sets(self)  # an old model file has none: say so before any work
        panel, histories = self._histories(data, future, load_kwargs)
        columns = floors.floor_columns(self.engine_.columns(histories, levels, samples or 0), histories)
        model = get_spec(self.model).name  # an alias's one name
        frame = pd.concat([pd.DataFrame({"id": sid, "time": panel.future_times(sid, self.horizon_), "model": model,
                                         **{name: values[i] for name, values in columns.items()}})
                           for i, (sid, _, _) in enumerate(histories)], ignore_index=True)
        if levels:
            frame.attrs["intervals"] = self.engine_.interval_method()
        return frame

    def predict_histories(self, histories: list):
        """Forecasts from several histories at once: one row of ``horizon`` values each.

        The low-level entry used by walk-forward evaluation: each history is ``(id, frame,
        future)``, the rows of series ``id`` known at one forecast origin (a panel frame
        slice, oldest first) and, for models with future-known features, the ``horizon``
        rows after it with ``time`` and the future-known covariates only (else None).
        Neural models forecast all of them in one batched call per model (a recursive model:
        one per step), with the transforms learned in ``fit`` for that id; baselines
        re-estimate from each history. An ensemble or a bag: the median of its members'.
        """
        self._check_fitted("predict_histories")
        return floors.at_least_zero(self.engine_.forecast(histories), floors.floored(histories))

    def predictive_histories(self, histories: list, samples: int | None = None):
        """The forecast distributions of several histories (as :meth:`predict_histories` takes
        them), in the original units: a :class:`~forecastkit.forecaster.predictive.Predictive`
        of a distribution model, a quantile head, a baseline's Gaussian native intervals or
        (``samples``) that many sampled paths of a neural model; None for the others (the
        walk-forward gives those conformal intervals)."""
        self._check_fitted("predictive_histories")
        distribution = self.engine_.predictive(histories, samples)
        return None if distribution is None else distribution.floored(floors.floored(histories))

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "history_") or "engine_" not in self.__dict__:
            raise NotFittedError(f"This Forecaster is not fitted yet. Call `fit(data)` before `{method}()`.")
        fitted = self.__dict__.get("fitted_settings_")
        if fitted is None:
            return
        now = self._settings()
        changed = [name for name in now if name in fitted and now[name] != fitted[name]]
        if changed:
            name = changed[0]
            raise NotFittedError(f"`{name}` changed since `fit` ({fitted[name]!r} -> {now[name]!r}), but the fitted "
                                 f"model has the old settings. Call `fit(data)` again before `{method}()`, or set "
                                 f"`{name}` back.")

    def _histories(self, data, future, load_kwargs: dict) -> tuple[Panel, list]:
        """The panel forecast from (the training tail or checked new ``data``) and its
        ``(id, frame, future rows)`` histories."""
        panel = (self.check_history(read_new_history(data, self.history_, self.covariates_, load_kwargs))
                 if data is not None else as_panel(self.history_, **load_kwargs))  # else the training tail
        futures = self.future_frames(panel, future)
        return panel, [(sid, panel.series(sid), futures.get(sid)) for sid in panel.ids]

    def check_history(self, panel: Panel) -> Panel:
        """``panel`` as new history to forecast from: the covariate roles and frequency of the
        training data and (neural models) known series, each at least a window long."""
        if covariate_roles(panel) != self.covariates_:
            raise DataError(
                f"The new history has covariates {describe_roles(covariate_roles(panel))} but the model was "
                f"fit with {describe_roles(self.covariates_)}; supply the same covariate columns and roles.")
        if self.freq_ != panel.freq:
            raise DataError(f"The new history has frequency {panel.freq!r} but the model was fit on "
                            f"{self.freq_!r}; resample the data or pass freq={self.freq_!r}.")
        self.engine_.check_history(panel)
        return panel

    def future_frames(self, panel: Panel, future) -> dict:
        """Per series, the horizon rows (time + future-known covariates) the model needs."""
        encoder = getattr(self, "encoder_", None)
        horizon = self.horizon_
        if encoder is None or not encoder.has_future_rows:
            if future is not None:
                raise ConfigError("`future` gives future-known covariate values, but this "
                                  f"{self.model!r} model was fit without future-known covariates. Drop it, or "
                                  "refit with future_covariates=.")
            return {}
        if encoder.future:
            if future is None:
                raise ConfigError(
                    f"This model uses the future-known covariates {list(encoder.future)}, so forecasting needs "
                    f"their values for the {horizon} step(s) after each series' end: pass `future` "
                    "with columns time (and id) and those covariates.")
            frames = read_future(future, panel, horizon)
            return {sid: part.reset_index(drop=True) for sid, part in frames.groupby("id", sort=False)}
        return {sid: pd.DataFrame({"id": sid, "time": panel.future_times(sid, horizon)}) for sid in panel.ids}

    def check_samples(self, samples) -> int | None:
        """``samples`` (paths behind ``predict``'s sampled quantile columns) checked against the
        settings, before any data or training.

        Refuses baselines (their intervals are native: ``level``), quantile-head models (both
        would write the ``q<tau>`` columns) and ``validation=0`` (no held-out errors to draw).

        Examples
        --------
        >>> Forecaster("linear").check_samples(200), Forecaster("naive").check_samples(None)
        (200, None)
        """
        if samples is None:
            return None
        check_int(samples, "samples")
        if check_quantiles(self.quantiles) and get_spec(self.model).kind == "neural":
            raise ConfigError("`samples` cannot be combined with `quantiles`: both "
                              "write the q<tau> columns. Drop one of them.")
        sampling.check_sampling(self, "samples")
        sampling.warn_few_samples(int(samples))
        return int(samples)

    def check_windows(self, data, **load_kwargs) -> None:
        """Raise DataError now, not after training, when a series of ``data`` is too short for
        the windows ``fit`` cuts (each member's, in an ensemble or a bag); ``self`` is unchanged.

        Examples
        --------
        >>> from forecastkit import Forecaster, datasets
        >>> Forecaster("vanilla", lookback=200).check_windows(datasets.load("airline"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        forecastkit.errors.DataError: Series too short in dataset 'airline': 'passengers' has 144 rows, but ... needs at least 213 rows per series. ...
        """
        with warnings.catch_warnings(action="ignore"):  # fit warns, once
            probe, panel = clone(self), as_panel(data, **load_kwargs)
            (ensemble.unfitted_members if ensemble.is_composite(probe) else preparation.check_windows)(probe, panel)

    def check_levels_before_fit(self, panel: Panel, level) -> None:
        """Raise now, not after training, when ``fit(panel)`` would hold out too few windows to
        calibrate neural intervals at ``level`` (``fit`` calls this with the constructor's)."""
        if ensemble.is_composite(self):
            return ensemble.levels_before_fit(self, panel, level)
        preparation.levels_before_fit(self, panel, check_levels(level))

    # ---------------------------------------------------------------- sampled paths --
    def sample_paths(self, data=None, future=None, samples: int = 100, **load_kwargs) -> pd.DataFrame:
        """``samples`` possible futures per series, drawn by bootstrapping the held-out errors
        (see :mod:`~forecastkit.forecaster.sampling`), or from a ``distribution`` model's
        distribution (a recursive one step by step, each draw fed back).

        ``data`` and ``future`` are as for :meth:`predict`; the same seed (and a saved and
        loaded model) gives the same paths.

        Returns
        -------
        pandas.DataFrame
            Columns ``id, time, sample, y``: ``samples * horizon`` rows per series, path by path
            (``sample`` 0 .. samples-1).

        Raises
        ------
        ConfigError
            For a baseline (use ``level``: its native intervals), or when the fit held out
            no windows (``validation=0``).

        Examples
        --------
        >>> from forecastkit import datasets
        >>> f = Forecaster("linear", horizon=3, lookback=12, params={"epochs": 2, "validation": 0.2})
        >>> paths = f.fit(datasets.load("airline")).sample_paths(samples=20)
        >>> paths.shape, list(paths.columns), paths["sample"].nunique()
        ((60, 4), ['id', 'time', 'sample', 'y'], 20)
        """
        self._check_fitted("sample_paths")
        check_int(samples, "samples")
        sampling.check_sampling(self, "samples")
        panel, histories = self._histories(data, future, load_kwargs)
        paths = floors.at_least_zero(self.engine_.paths(histories, samples), floors.floored(histories))
        return sampling.paths_frame(panel, histories, paths, self.horizon_)

    # ----------------------------------------------------------------- save / load --
    def save(self, path) -> Path:
        """Write ``metadata.json`` and the Keras models into directory ``path``.

        A global neural model is ``model.keras``; local ones are ``models/<i>.keras``, ``i``
        the series' position in ``ids`` (see :mod:`~forecastkit.forecaster.persistence`).
        ``path`` is a new or empty directory, or a saved model's, whose files are replaced;
        a directory of other files is refused.
        """
        self._check_fitted("save")
        return persistence.save(self, path)

    @classmethod
    def load(cls, path) -> "Forecaster":
        """Restore a forecaster written by :meth:`save`, refusing anything it did not write.

        ``metadata.json`` must be valid JSON with every key of the right type, written by the
        same major version of forecastkit (another minor version warns with
        :class:`~forecastkit.errors.ModelVersionWarning`); ``model.keras`` is loaded with Keras
        ``safe_mode=True``, must contain no code (``Lambda`` layers), and its input and output
        shapes must match the metadata's window length, features and horizon.

        Raises
        ------
        ModelFileError
            (a :class:`~forecastkit.errors.DataError`) naming the file and the reason.
        """
        return persistence.load(cls, path)
