"""``Forecaster``: one scikit-learn-style interface over every model in the zoo.

``fit`` learns target transforms and the model from the training data only; ``predict``
forecasts the ``horizon`` steps after the end of the training data (or of newly supplied
history) and returns the long frame the CLI writes: ``id, time, model, yhat``. ``save``
writes ``model.keras`` (neural models) and ``metadata.json`` (everything else, plain JSON);
``Forecaster.load`` restores it with Keras safe mode.

Neural models forecast the horizon in one of two ways (``strategy``): ``"direct"`` (the
default) trains the network to output all ``horizon`` steps at once; ``"recursive"`` trains a
one-step network and rolls it out, feeding each forecast back as the next input.
:meth:`Forecaster.sample_paths` draws possible futures by bootstrapping the errors the model
made on its held-out windows.

Examples
--------
>>> from forecastkit import Forecaster, datasets
>>> panel = datasets.load("airline")
>>> forecaster = Forecaster("seasonal_naive", horizon=3).fit(panel)
>>> forecaster.predict()[["time", "yhat"]].to_string(index=False)
'      time  yhat\\n1961-01-01 417.0\\n1961-02-01 391.0\\n1961-03-01 419.0'
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from . import __version__, ensemble
from .data import Panel, from_pandas, load_csv, read_future
from .errors import (
    ConfigError,
    DataError,
    ModelFileError,
    ModelVersionWarning,
    NotFittedError,
)
from .features import FeatureEncoder, check_calendar
from .intervals import _conformal_rank, bound_columns, check_levels
from .models.registry import get_spec
from .preprocess import PREPROCESS, choose_chain, fixed_chain, resolve_fixed
from .seasonality import DESEASON_METHODS, grid_positions, seasonal_periods
from .transforms import TargetTransform, check_transform_options
from .versions import versions
from .windows import WindowSet, check_window_args

METADATA_FORMAT = 2
MODES = ("global", "local")
STRATEGIES = ("direct", "recursive")
#: Quantile levels of the ``q<tau>`` columns ``predict(samples=N)`` adds from sampled paths.
SAMPLE_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
#: Sampled paths behind the intervals (``levels``) of a recursive model.
INTERVAL_PATHS = 1000
#: Rolled-out paths per batch when sampling (bounds the memory of many series x many paths).
PATH_CHUNK = 65536
#: Key of a global model's calibration errors in ``calibration_`` (local models use the series id).
GLOBAL_KEY = "*"


def check_quantiles(quantiles) -> tuple[float, ...]:
    """``quantiles`` (``"0.1,0.9"`` or a list) as a sorted tuple of levels in (0, 1).

    Examples
    --------
    >>> check_quantiles("0.9,0.1"), check_quantiles(None)
    ((0.1, 0.9), ())
    """
    if quantiles is None or quantiles == "" or quantiles == ():
        return ()
    items = quantiles.split(",") if isinstance(quantiles, str) else quantiles if isinstance(
        quantiles, (list, tuple)) else [quantiles]
    taus = []
    for item in items:
        try:
            tau = float(item)
        except (TypeError, ValueError):
            tau = float("nan")
        if isinstance(item, bool) or not 0 < tau < 1:
            raise ConfigError(f"`quantiles` must be levels strictly between 0 and 1, such as 0.1,0.9 "
                              f"(--quantiles). Received: quantiles={quantiles!r}")
        taus.append(tau)
    if len(set(taus)) != len(taus):
        raise ConfigError(f"`quantiles` lists a level twice. Received: quantiles={quantiles!r}")
    return tuple(sorted(taus))


def default_lookback(horizon: int, season: int, shortest: int, multiple: int = 2) -> int:
    """Default window length: ``multiple * max(season, horizon, 5)``, capped at half the usable
    history. ``multiple`` is the model's ``lookback_multiple`` in the registry (chosen on
    training-period validation, ``benchmarks/results/defaults.md``).

    Examples
    --------
    >>> default_lookback(horizon=12, season=12, shortest=144)
    24
    >>> default_lookback(horizon=12, season=12, shortest=36)
    12
    >>> default_lookback(horizon=12, season=12, shortest=144, multiple=1)
    12
    """
    return max(1, min(multiple * max(season, horizon, 5), (shortest - horizon + 1) // 2))


def as_panel(data, **kwargs) -> Panel:
    """A :class:`Panel` from a Panel, a CSV path or a pandas object (kwargs go to the loader)."""
    if isinstance(data, Panel):
        return data
    if isinstance(data, (str, Path)):
        return load_csv(data, **kwargs)
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return from_pandas(data, **kwargs)
    raise ConfigError(
        "`data` must be a forecastkit Panel, a CSV path or a pandas DataFrame/Series. "
        f"Received: data of type {type(data).__name__}"
    )


class Forecaster(BaseEstimator):
    """Fit any zoo model to a panel and forecast ``horizon`` steps ahead.

    Parameters
    ----------
    model : str
        A registered model name (``forecastkit models`` lists them).
    horizon : int
        Steps forecast after each series' end.
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
        Target transforms (see :class:`~forecastkit.transforms.TargetTransform`), fit per
        series on the training data only. ``transform`` ``"log"``, ``"boxcox"`` or
        ``"none"``; ``deseason`` ``"classical"``, ``"stl"`` or ``"none"`` (the season length,
        and the weekly cycle of hourly or daily data); ``difference`` and
        ``seasonal_difference`` True or False. None (the default) leaves that part to
        ``preprocess="auto"`` (and off under ``"none"``); any other value fixes it.
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
        A recursive model's intervals (``levels``) are quantiles of
        :data:`INTERVAL_PATHS` sampled paths; it has no quantile head. Baselines forecast
        every step natively and take ``"direct"`` only.
    members : str, list or None
        Model ``"ensemble"`` only: the models whose median it forecasts (``"linear,mlp"``;
        None: ``linear, mlp, vanilla``). See :mod:`forecastkit.ensemble`.
    bag : int
        Neural models (an ensemble: each neural member): train this many copies over seeds and
        lookbacks and forecast their median (:func:`~forecastkit.ensemble.bag_lookbacks`).

    Attributes
    ----------
    lookback_, season_, hyper_ : resolved settings.
    model_ : the trained ``keras.Model`` (global neural models); ``models_`` maps series id
        to its model in local mode.
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
    """

    def __init__(self, model="linear", horizon=1, lookback=None, params=None, scaler="standard",
                 transform=None, difference=None, season=None, seed=0, verbose=0, warm_start=False,
                 mode="global", id_embedding=0, calendar=None, quantiles=None, strategy="direct",
                 preprocess="auto", deseason=None, seasonal_difference=None, members=None, bag=1):
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

    # ------------------------------------------------------------------ validation --
    def check_params(self) -> dict:
        """Validate every constructor argument without touching data or Keras.

        Returns the resolved hyperparameters. Raises ConfigError / ConfigTypeError.
        """
        if ensemble.is_composite(self):  # an ensemble or a bag: members_ are fitted forecasters
            return ensemble.check_composite(self)
        spec = get_spec(self.model)
        check_window_args(self.lookback if self.lookback is not None else 1, self.horizon)
        fixed = self._fixed_chain()
        check_transform_options(self.scaler, fixed.get("power"), bool(fixed.get("difference")),
                                fixed.get("deseason") or "none", int(bool(fixed.get("seasonal_difference"))))
        if self.season is not None:
            _check_positive_int("season", self.season)
        _check_positive_int("seed", self.seed, minimum=0)
        if self.mode not in MODES:
            raise ConfigError(f"`mode` must be 'global' or 'local' (--global / --local). Received: mode={self.mode!r}")
        _check_positive_int("id_embedding", self.id_embedding, minimum=0)
        if self.id_embedding and self.mode == "local":
            raise ConfigError("`id_embedding` learns a vector per series inside one global model; it has no "
                              f"meaning with mode='local'. Drop it or use mode='global'. Received: "
                              f"id_embedding={self.id_embedding}")
        check_calendar(self.calendar)
        taus = check_quantiles(self.quantiles)
        if taus and spec.kind != "neural":
            raise ConfigError(f"`quantiles` (--quantiles) train a quantile head, which only neural models have; "
                              f"{self.model!r} is a baseline. Use levels= (--level) for its intervals.")
        if taus and (self.difference or self.seasonal_difference):
            raise ConfigError("`quantiles` cannot be combined with `difference` or `seasonal_difference`: quantiles "
                              "of differences do not add up to quantiles of the level. Drop one of them.")
        if isinstance(self.strategy, bool) or self.strategy not in STRATEGIES:
            raise ConfigError(f"`strategy` must be 'direct' or 'recursive' (--strategy direct|recursive). "
                              f"Received: strategy={self.strategy!r}")
        if self.strategy != "direct" and spec.kind != "neural":
            raise ConfigError(f"`strategy={self.strategy!r}` (--strategy) applies to neural models; {self.model!r} "
                              "is a baseline, which forecasts every step natively. Use strategy='direct'.")
        if taus and self.strategy == "recursive":
            raise ConfigError("`quantiles` (--quantiles) cannot be combined with strategy='recursive': a one-step "
                              "quantile head's quantiles do not compound over the horizon. Use strategy='direct', "
                              "or levels= / samples= (--level / --samples: quantiles of sampled paths).")
        if self.params is not None and not isinstance(self.params, dict):
            raise ConfigError(f"`params` must be a dict of hyperparameters. Received: params={self.params!r}")
        return spec.resolve(self.params)

    def _fixed_chain(self) -> dict:
        """The transform parts the user set, checked (see :func:`~forecastkit.preprocess.resolve_fixed`)."""
        if isinstance(self.preprocess, bool) or self.preprocess not in PREPROCESS:
            raise ConfigError(f"`preprocess` must be 'auto' or 'none' (--preprocess auto|none). "
                              f"Received: preprocess={self.preprocess!r}")
        if self.deseason is not None and self.deseason not in DESEASON_METHODS:
            raise ConfigError(f"`deseason` must be one of {', '.join(DESEASON_METHODS)} (--deseason). "
                              f"Received: deseason={self.deseason!r}")
        for name in ("difference", "seasonal_difference"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, (bool, np.bool_)):
                flag = name.replace("_", "-")
                raise ConfigError(f"`{name}` must be True, False or None (auto) (--{flag} / --no-{flag}). "
                                  f"Received: {name}={value!r}")
        transform = self.transform
        if transform not in (None, "none", "log", "boxcox"):
            raise ConfigError(f"`transform` must be one of log, boxcox or none. Received: transform={transform!r}")
        fixed = resolve_fixed(transform, self.difference, self.deseason, self.seasonal_difference)
        if self.scaler.startswith("window_") or self.preprocess == "none" or self._taus():
            # window scalers take raw levels; quantiles of differences do not add up: nothing to choose
            fixed = {"power": None, "difference": False, "deseason": "none", "seasonal_difference": False, **fixed}
        return fixed

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
        fixed = self._fixed_chain()
        return int(fixed.get("difference", True)) + (season or 1) * int(fixed.get("seasonal_difference", False))

    @property
    def model_horizon(self) -> int:
        """Steps the network outputs: ``horizon`` (direct), 1 (recursive, rolled out ``horizon`` times).

        Examples
        --------
        >>> Forecaster("mlp", horizon=12).model_horizon, Forecaster("mlp", horizon=12, strategy="recursive").model_horizon
        (12, 1)
        """
        return 1 if self.strategy == "recursive" else self.horizon

    def check_covariates(self, panel: Panel) -> None:
        """Raise :class:`ConfigError` when this forecaster cannot use ``panel``'s covariate roles:
        a recursive model refuses past-observed covariates (no data or Keras needed)."""
        if self.strategy == "recursive" and panel.covariates:
            raise ConfigError(
                f"strategy='recursive' feeds each forecast back as the next step's input, but the past-observed "
                f"covariates {list(panel.covariates)} are unknown after the forecast origin. Use strategy='direct' "
                "(--strategy direct), or declare them future-known (--future-covariates / future_covariates=) and "
                "supply their values over the horizon (--future-data / future=).")

    # ------------------------------------------------------------------------- fit --
    def fit(self, data, **load_kwargs) -> "Forecaster":
        """Learn transforms and model from ``data`` (Panel, CSV path or pandas object)."""
        panel = as_panel(data, **load_kwargs)
        if ensemble.is_composite(self):
            return ensemble.fit_composite(self, panel)
        spec = get_spec(self.model)
        if spec.kind == "baseline":
            self._resolve(panel)
            panel.check_length(1, "a baseline needs at least one observation")
            self.history_ = panel
            self.transforms_ = {}
            return self
        windows = self.prepare_windows(panel)
        self._fit_neural(windows, spec, self.hyper_)
        return self

    def _resolve(self, panel: Panel) -> None:
        """Settle the settings that depend on the data: season, lookback, hyperparameters."""
        self.hyper_ = self.check_params()
        self.season_ = int(self.season or panel.season_length())
        shortest = min(panel.lengths.values())
        self.lookback_ = int(self.lookback or default_lookback(self.horizon, self.season_, shortest,
                                                               get_spec(self.model).lookback_multiple))
        self.target_, self.freq_, self.step_ = panel.target, panel.freq, panel.step
        self.covariates_ = _roles(panel)
        self.check_covariates(panel)

    def _fit_neural(self, windows: dict, spec, hyper: dict) -> None:
        previous = self._previous_models()
        self.calibration_, self.residuals_ = {}, {}
        if self.mode == "local" and len(windows) > 1:
            self.models_ = {}
            for sid, per_series in windows.items():
                self.models_[sid] = self._train(spec, hyper, per_series, previous.get(sid))
                self.calibration_[sid], self.residuals_[sid] = self._calibrate(
                    self.models_[sid], per_series, hyper["validation"], sid)
            self.__dict__.pop("model_", None)
        else:
            pooled = windows[GLOBAL_KEY]
            self.model_ = self._train(spec, hyper, pooled, previous.get(None))
            self.calibration_[GLOBAL_KEY], self.residuals_[GLOBAL_KEY] = self._calibrate(
                self.model_, pooled, hyper["validation"])
            self.__dict__.pop("models_", None)

    def prepare_windows(self, panel: Panel) -> dict:
        """Everything ``fit`` learns before training, and the training windows.

        Resolves the data-dependent settings (``season_``, ``lookback_``, ``hyper_``...),
        checks the series lengths, fits the covariate encoding and each series' target
        transform on ``panel`` (the training data) and sets ``encoder_``, ``transforms_``,
        ``ids_`` and ``history_``. Returns ``{"*": WindowSet}`` (one pooled set: global mode
        or a single series) or ``{series id: WindowSet}`` (local mode on a panel). Trainers
        other than :meth:`fit` (walk-forward's fold-parallel path) start from here. The
        windows' horizon is :attr:`model_horizon` (1 for a recursive model).
        """
        self._resolve(panel)
        self.transforms_ = {}
        lookback, horizon, warmup = self.lookback_, self.model_horizon, self.warmup(self.season_)
        step = "1 (one-step recursive model)" if self.strategy == "recursive" else f"horizon {horizon}"
        panel.check_length(
            lookback + horizon + warmup,
            f"lookback {lookback} + {step}{f' + {warmup} for differencing' if warmup else ''}",
        )
        self.encoder_ = FeatureEncoder(check_calendar(self.calendar, panel.freq)).fit(panel)
        chains = self._choose_chains(panel)
        blocks = []
        for sid in panel.ids:
            frame = panel.series(sid)
            where = f" of series {sid!r}" if panel.n_series > 1 else ""
            self.transforms_[sid] = chains[sid].transform(self.scaler, self.season_, self.periods_).fit(
                frame["y"].to_numpy(float), where, self._positions(frame))
            blocks.append(self._block(sid, frame))
        self.ids_ = list(self.transforms_)
        self._describe_transforms()
        self.history_ = _tail(panel, lookback + self.warmup())
        if self.mode == "local" and len(blocks) > 1:
            return {sid: self._windows([block]) for sid, block in zip(self.ids_, blocks)}
        return {GLOBAL_KEY: self._windows(blocks)}

    def _choose_chains(self, panel: Panel) -> dict:
        """Each series' transform chain, chosen from ``panel`` (the training data) under
        ``preprocess="auto"`` (one chain for a global model, one per series for local ones),
        else the parts the user set."""
        fixed = self._fixed_chain()
        self.periods_ = ()
        if fixed.get("deseason", "auto") != "none":
            try:  # a frequency without a calendar grid (business days) cannot place seasons
                grid_positions(panel.frame["time"].iloc[:1], panel.freq, panel.step)
                self.periods_ = seasonal_periods(panel.freq, self.season_)
            except ConfigError:
                if "deseason" in fixed:
                    raise
        if self.preprocess == "none":
            return dict.fromkeys(panel.ids, fixed_chain(fixed))
        series = {sid: (panel.series(sid)["y"].to_numpy(float), self._positions(panel.series(sid)))
                  for sid in panel.ids}
        choose = lambda chosen: choose_chain(chosen, self.model_horizon, self.lookback_, self.season_,  # noqa: E731
                                             self.periods_, fixed, self.scaler)
        if self.mode == "local":
            return {sid: choose([values]) for sid, values in series.items()}
        return dict.fromkeys(panel.ids, choose(list(series.values())))

    def _describe_transforms(self) -> None:
        """``preprocess_`` (the chains in words, distinct ones joined by " | ") and ``periods_``."""
        described = dict.fromkeys(t.describe() for t in self.transforms_.values())
        self.preprocess_ = " | ".join(described)
        self.periods_ = max((t.periods for t in self.transforms_.values()), key=len)

    def _positions(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Grid positions of ``frame``'s rows when deseasonalisation needs them (else None)."""
        if not getattr(self, "periods_", ()):
            return None
        return grid_positions(frame["time"], self.freq_, self.step_)

    def _previous_models(self) -> dict:
        """Models a warm start continues from: ``{None: model}`` (global) or ``{id: model}``."""
        if not self.warm_start:
            return {}
        if hasattr(self, "models_"):
            return dict(self.models_)
        return {None: self.model_} if hasattr(self, "model_") else {}

    def _block(self, sid: str, frame: pd.DataFrame, future: pd.DataFrame | None = None):
        """``(z, past, known, static)`` rows of one series for a :class:`WindowSet`.

        ``future`` (forecasting only): the horizon rows (time and future-known covariates)
        after ``frame``; the target and past-observed covariates are unknown there (NaN).
        """
        diff = self.transforms_[sid].lost
        z = self.transforms_[sid].transform(frame["y"].to_numpy(float), self._positions(frame))
        past = self.encoder_.past_rows(sid, frame)[diff:]
        rows = frame if future is None else pd.concat([frame[future.columns], future], ignore_index=True)
        known = self.encoder_.known_rows(sid, rows)[diff:]
        if future is not None:
            z = np.r_[z, np.full(len(future), np.nan)]
            past = np.r_[past, np.full((len(future), past.shape[1]), np.nan)]
        return z, past, known, self.encoder_.static_row(frame)

    def _windows(self, blocks, starts: str = "train") -> WindowSet:
        normalise = self.scaler if self.scaler.startswith("window_") else None
        return WindowSet(blocks, self.lookback_, self.model_horizon, self.encoder_.has_future_rows, normalise, starts)

    def _train(self, spec, hyper, windows: WindowSet, previous=None):
        from .models.keras_common import (
            compile_model,
            import_keras,
            with_series_embedding,
        )
        from .training import keras_loss, train

        keras = import_keras()
        keras.utils.set_random_seed(self.seed)
        shape = (windows.span, windows.n_features)
        if previous is not None and _window_shape(previous) == shape:
            model = previous
        else:
            build_args, _ = spec.split(hyper)
            builder, loss = spec.load_builder(), keras_loss(keras, hyper.get("loss", "mse"))
            taus = self._taus()
            if taus:
                from .models.quantile import PinballLoss, with_quantile_head

                base, loss = builder, PinballLoss(taus)
                builder = lambda shape, horizon, **args: with_quantile_head(base, shape, horizon, args, taus)  # noqa: E731
            if self.id_embedding:
                model = with_series_embedding(builder, shape, self.model_horizon, build_args,
                                              len(self.ids_), self.id_embedding)
            else:
                model = builder(shape, self.model_horizon, **build_args)
            compile_model(model, learning_rate=hyper["learning_rate"], loss=loss)
        train(keras, model, windows, hyper, self.verbose, f"training {self.model}", seed=self.seed,
              with_series=bool(self.id_embedding), taus=self._taus())
        return model

    def _taus(self) -> tuple[float, ...]:
        """Quantile levels the model forecasts (0.5 included), or () for point models."""
        taus = check_quantiles(self.quantiles)
        return tuple(sorted({*taus, 0.5})) if taus else ()

    def _calibrate(self, model, windows: WindowSet, validation: float, key=None) -> tuple[list, list]:
        """Errors of ``model`` on its held-out windows, in the model's scaled units:
        ``(calibration, residuals)``.

        ``calibration``: the absolute errors sorted per step (with differencing, of the
        differences summed up to each step, i.e. of the level), the calibration set of
        split-conformal intervals. ``residuals``: the signed errors ``actual - forecast``,
        one row per held-out window and :attr:`model_horizon` columns, which
        :meth:`sample_paths` bootstraps.
        """
        from .grouped.fast_call import predict as compiled_predict
        from .training import model_inputs

        _, held_out = windows.latest(validation)
        if len(held_out) == 0:
            return [], []
        inputs, targets, _ = model_inputs(windows, held_out, bool(self.id_embedding))
        predicted = np.asarray(compiled_predict(model, inputs, batch_size=1024), dtype=float)
        residuals = targets - self._median(predicted)
        errors = self._chain_of(key).integrate_errors(residuals)  # differences add up
        return np.sort(np.abs(errors), axis=0).tolist(), residuals.tolist()

    def _chain_of(self, key):
        """The transform of series ``key`` (a local model), or any series' (a global model: one chain)."""
        return self.transforms_[key] if key in self.transforms_ else next(iter(self.transforms_.values()))

    def _median(self, predicted: np.ndarray) -> np.ndarray:
        """The point forecast of raw model outputs: the 0.5 quantile of a quantile model."""
        taus = self._taus()
        return predicted[..., taus.index(0.5)] if taus else predicted

    # --------------------------------------------------------------------- predict --
    def predict(self, data=None, future=None, levels=None, samples=None, **load_kwargs) -> pd.DataFrame:
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
        levels : str, list or None
            Prediction intervals at these levels (percent, e.g. ``(80, 95)``): the native
            intervals of the baselines; for direct neural models split-conformal intervals
            from their errors on the held-out (validation) windows of ``fit``; for recursive
            ones the quantiles of :data:`INTERVAL_PATHS` sampled paths (:meth:`sample_paths`),
            since one-step errors do not calibrate the later steps.
        samples : int or None
            Neural models without a quantile head: add the :data:`SAMPLE_QUANTILES` of this
            many sampled paths as ``q0.05``-style columns (see :meth:`sample_paths`).

        Returns
        -------
        pandas.DataFrame
            Columns ``id, time, model, yhat``, then ``yhat_lo_<L>, yhat_hi_<L>`` per level and
            ``q<tau>`` per quantile of a quantile model or of the sampled paths; ``horizon``
            rows per series.

        Examples
        --------
        >>> from forecastkit import datasets
        >>> f = Forecaster("linear", horizon=2, lookback=12, params={"epochs": 2, "validation": 0.2})
        >>> list(f.fit(datasets.load("airline")).predict(samples=50).columns)[3:]
        ['yhat', 'q0.05', 'q0.1', 'q0.25', 'q0.5', 'q0.75', 'q0.9', 'q0.95']
        """
        if not hasattr(self, "history_"):
            raise NotFittedError(
                "This Forecaster is not fitted yet. Call `fit(data)` before `predict()`."
            )
        if ensemble.is_composite(self):
            return ensemble.predict_composite(self, data, future, levels, samples, load_kwargs)
        levels = check_levels(levels)
        samples = self.check_samples(samples)
        self._check_levels(levels)
        if samples:
            self._residual_sets()  # an old model file has none: say so before any work
        panel, histories = self._histories(data, future, load_kwargs)
        columns = self._forecast_columns(histories, levels, samples or 0)
        rows = [
            pd.DataFrame({"id": sid, "time": panel.future_times(sid, self.horizon), "model": self.model,
                          **{name: values[i] for name, values in columns.items()}})
            for i, (sid, _, _) in enumerate(histories)
        ]
        return pd.concat(rows, ignore_index=True)

    def _histories(self, data, future, load_kwargs: dict) -> tuple[Panel, list]:
        """The panel forecast from (the training tail or checked new ``data``) and its
        ``(id, frame, future rows)`` histories."""
        panel = self.history_ if data is None else self._check_history(as_panel(data, **load_kwargs))
        futures = self._future_frames(panel, future)
        return panel, [(sid, panel.series(sid), futures.get(sid)) for sid in panel.ids]

    def _check_levels(self, levels) -> None:
        """Refuse interval levels this fitted model cannot give, before any work."""
        if not levels or get_spec(self.model).kind == "baseline":
            return
        sizes = {key: len(errors) for key, errors in self.calibration_.items()}
        _require_calibration(levels, min(sizes.values()) if sizes else 0)
        if self.strategy == "recursive":
            self._residual_sets()

    def check_samples(self, samples) -> int | None:
        """``samples`` (paths behind ``predict``'s sampled quantile columns) checked against the
        settings, before any data or training.

        Refuses baselines (their intervals are native: ``levels``), quantile-head models (both
        would write the ``q<tau>`` columns) and ``validation=0`` (no held-out errors to draw).

        Examples
        --------
        >>> Forecaster("linear").check_samples(200), Forecaster("naive").check_samples(None)
        (200, None)
        """
        if samples is None:
            return None
        _check_positive_int("samples", samples)
        if check_quantiles(self.quantiles) and get_spec(self.model).kind == "neural":
            raise ConfigError("`samples` (--samples) cannot be combined with `quantiles` (--quantiles): both "
                              "write the q<tau> columns. Drop one of them.")
        self._check_sampling("samples", "--samples")
        return int(samples)

    def _check_sampling(self, name: str, flag: str) -> None:
        """Refuse sampling from a baseline, an ensemble or a bag, or from a neural model set to hold
        out no windows."""
        ensemble.refuse_sampling(self, name, flag)
        if get_spec(self.model).kind != "neural":
            raise ConfigError(f"`{name}` ({flag}) draws future paths from a neural model's held-out errors; "
                              f"{self.model!r} is a baseline: use levels= (--level) for its native intervals.")
        hyper = self.hyper_ if hasattr(self, "hyper_") else self.check_params()
        if not hyper["validation"]:
            raise ConfigError(_NO_RESIDUALS.format(validation=hyper["validation"]))

    def _residual_sets(self) -> dict:
        """``{key: (windows, model_horizon) array}``: the held-out errors paths are drawn from."""
        if not hasattr(self, "residuals_"):
            raise ModelFileError("This model was saved without its held-out residuals (its metadata.json, "
                                 "written by an older forecastkit, has no 'residuals'), so it cannot sample "
                                 "paths. Refit it and save it again.")
        sets = {key: np.asarray(rows, dtype=float).reshape(len(rows), -1) for key, rows in self.residuals_.items()}
        if not sets or min(len(rows) for rows in sets.values()) == 0:
            raise ConfigError(_NO_RESIDUALS.format(validation=self.hyper_["validation"]))
        return sets

    def check_levels_before_fit(self, panel: Panel, levels) -> None:
        """Raise now, not after training, when ``fit(panel)`` would hold out too few windows to
        calibrate neural intervals at ``levels`` (the CLI calls this before fitting)."""
        if ensemble.is_composite(self):
            return ensemble.levels_before_fit(self, panel, levels)
        levels = check_levels(levels)
        if not levels or get_spec(self.model).kind == "baseline":
            return
        hyper = self.check_params()
        season = int(self.season or panel.season_length())
        lookback = self.lookback or default_lookback(self.horizon, season, min(panel.lengths.values()),
                                                     get_spec(self.model).lookback_multiple)
        held = [int(max(n - self.warmup(season) - lookback - self.model_horizon + 1, 0) * hyper["validation"])
                for n in panel.lengths.values()]
        _require_calibration(levels, min(held) if self.mode == "local" else sum(held))

    def _forecast_columns(self, histories: list, levels: tuple, samples: int = 0) -> dict:
        """``{column: (n, horizon) array}``: yhat, the interval bounds and the quantiles."""
        spec = get_spec(self.model)
        if spec.kind == "baseline":
            columns = {"yhat": self.predict_histories(histories)}
            if levels:
                intervals = spec.load_intervals()
                bounds = np.array([intervals(frame["y"].to_numpy(float), self.horizon, self.season_, levels)
                                   for _, frame, _ in histories])  # (n, levels, 2, horizon)
                for j, level in enumerate(levels):
                    lo, hi = bound_columns(level)
                    columns[lo], columns[hi] = bounds[:, j, 0], bounds[:, j, 1]
            return columns
        if self.strategy == "recursive":
            columns = {"yhat": self.predict_histories(histories)}
            paths = self._sample_paths(histories, INTERVAL_PATHS) if levels else None
            for level in levels:
                alpha = 1 - float(level) / 100
                lo, hi = bound_columns(level)
                columns[lo], columns[hi] = np.quantile(paths, [alpha / 2, 1 - alpha / 2], axis=1)
            return {**columns, **self._sample_quantiles(histories, samples, paths)}
        predicted, scales, groups = self._neural_outputs(histories)
        point = self._median(predicted)
        inverse = self._inverse(histories, scales)
        columns = {"yhat": inverse(point)}
        for level in levels:
            half = np.zeros_like(point)
            for key, index in groups.items():
                errors = np.asarray(self.calibration_[GLOBAL_KEY if key is None else key])
                half[index] = errors[_rank_needed(level, len(errors)) - 1]
            # move the summed path by `half`: shift each modelled difference by its increment
            for key, index in groups.items():
                half[index] = self._chain_of(key).differentiate_errors(half[index])
            lo, hi = bound_columns(level)
            columns[lo], columns[hi] = inverse(point - half), inverse(point + half)
        for k, tau in enumerate(self._taus()):
            if tau != 0.5 or 0.5 in check_quantiles(self.quantiles):
                columns[f"q{tau:g}"] = inverse(predicted[..., k])
        return {**columns, **self._sample_quantiles(histories, samples)}

    def _sample_quantiles(self, histories: list, samples: int, paths=None) -> dict:
        """``{"q0.05": (n, horizon) array, ...}``: :data:`SAMPLE_QUANTILES` of ``samples`` paths."""
        if not samples:
            return {}
        if paths is None or paths.shape[1] != samples:
            paths = self._sample_paths(histories, samples)
        values = np.quantile(paths, SAMPLE_QUANTILES, axis=1)
        return {f"q{tau:g}": values[k] for k, tau in enumerate(SAMPLE_QUANTILES)}

    def _future_frames(self, panel: Panel, future) -> dict:
        """Per series, the horizon rows (time + future-known covariates) the model needs."""
        encoder = getattr(self, "encoder_", None)
        if encoder is None or not encoder.has_future_rows:
            if future is not None:
                raise ConfigError("`future` (--future-data) gives future-known covariate values, but this "
                                  f"{self.model!r} model was fit without future-known covariates. Drop it, or "
                                  "refit with future_covariates= (--future-covariates).")
            return {}
        if encoder.future:
            if future is None:
                raise ConfigError(
                    f"This model uses the future-known covariates {list(encoder.future)}, so forecasting needs "
                    f"their values for the {self.horizon} step(s) after each series' end: pass future= "
                    "(--future-data FILE) with columns time (and id) and those covariates.")
            frames = read_future(future, panel, self.horizon)
            return {sid: part.reset_index(drop=True) for sid, part in frames.groupby("id", sort=False)}
        return {sid: pd.DataFrame({"id": sid, "time": panel.future_times(sid, self.horizon)})
                for sid in panel.ids}

    def predict_histories(self, histories: list) -> np.ndarray:
        """Forecasts from several histories at once: one row of ``horizon`` values each.

        The low-level entry used by walk-forward evaluation: each history is ``(id, frame,
        future)``, the rows of series ``id`` known at one forecast origin (a panel frame
        slice, oldest first) and, for models with future-known features, the ``horizon``
        rows after it with ``time`` and the future-known covariates only (else None).
        Neural models forecast all of them in one batched call per model (a recursive model:
        one per step), with the transforms learned in ``fit`` for that id; baselines
        re-estimate from each history. An ensemble or a bag: the median of its members'.
        """
        if ensemble.is_composite(self):
            return ensemble.median_of_members(self, histories)
        spec = get_spec(self.model)
        if spec.kind == "baseline":
            forecast = spec.load_forecast()
            return np.array([forecast(frame["y"].to_numpy(float), self.horizon, self.season_)
                             for _, frame, _ in histories])
        if self.strategy == "recursive":
            return self._inverse(histories, None)(self._rollout(histories))
        predicted, scales, _ = self._neural_outputs(histories)
        return self._inverse(histories, scales)(self._median(predicted))

    def _neural_outputs(self, histories: list):
        """Raw model outputs for the histories (scaled units), their window levels (or None)
        and which model served which rows: ``{None: rows}`` or ``{series id: rows}``."""
        return self._model_outputs(self._forecast_windows(histories), [sid for sid, _, _ in histories])

    def _forecast_windows(self, histories: list, repeat: int = 1) -> WindowSet:
        """One forecast window per history (each ``repeat`` times in a row). A recursive
        model's windows have room for the ``horizon`` values its rollout appends."""
        with_future = self.encoder_.has_future_rows
        blocks = []
        for sid, frame, future in histories:
            rows = self.lookback_ + self.transforms_[sid].lost
            block = self._block(sid, frame.iloc[-rows:].reset_index(drop=True), future if with_future else None)
            if self.strategy == "recursive" and not with_future:
                block = _with_empty_rows(block, self.horizon)
            blocks.extend([block] * repeat)
        return self._windows(blocks, starts="last")

    def _rollout(self, histories: list, repeat: int = 1, noise: np.ndarray | None = None) -> np.ndarray:
        """A recursive model's forecasts ``(len(histories) * repeat, horizon)`` in the
        transformed units (window levels applied), for :meth:`_inverse` with no scales.

        Step ``k`` forecasts one value for every window in one batched call, then writes it
        into the history as the next observation (the window moves one row on; its future row,
        if any, is step ``k + 1``'s). ``noise`` ``(rows, horizon)``: scaled errors added to each
        step's forecast before it is fed back (a generative rollout, for sampled paths).
        """
        windows = self._forecast_windows(histories, repeat)
        ids = [sid for sid, _, _ in histories for _ in range(repeat)]
        path = np.zeros((len(ids), self.horizon))
        for k in range(self.horizon):
            predicted, scales, _ = self._model_outputs(windows, ids)
            step = predicted[:, 0] if noise is None else predicted[:, 0] + noise[:, k]
            path[:, k] = step if scales is None else step * scales[:, 0]
            if k + 1 < self.horizon:
                windows.roll(path[:, k])
        return path

    def _model_outputs(self, windows: WindowSet, ids: list):
        """Outputs of the model(s) for forecast windows of series ``ids`` (see :meth:`_neural_outputs`)."""
        from .grouped.fast_call import predict as compiled_predict

        taus = self._taus()
        horizon = self.model_horizon
        predicted = np.zeros((len(ids), horizon, len(taus)) if taus else (len(ids), horizon))
        scales = np.ones((len(ids), 1)) if self.scaler.startswith("window_") else None
        names = np.asarray(ids, dtype=object)
        groups = {None: np.arange(len(ids))} if hasattr(self, "model_") else {
            sid: np.flatnonzero(names == sid) for sid in dict.fromkeys(ids)}
        position = {sid: k for k, sid in enumerate(getattr(self, "ids_", ()))}
        for sid, index in groups.items():
            model = self.model_ if sid is None else self.models_[sid]
            inputs, _, levels = windows.gather(index)
            if self.id_embedding:
                inputs = [inputs, np.array([[position[i]] for i in names[index]], np.int32)]
            predicted[index] = np.asarray(compiled_predict(model, inputs, batch_size=1024), dtype=float)
            if levels is not None:
                scales[index] = levels
        return predicted, scales, groups

    def _inverse(self, histories: list, scales):
        """A function mapping ``(n, horizon)`` scaled outputs (or ``(n, paths, horizon)``) back to
        the original units."""
        def inverse(values: np.ndarray) -> np.ndarray:
            values = np.asarray(values, dtype=float)
            values = values if scales is None else values * scales.reshape(len(scales), *[1] * (values.ndim - 1))
            return np.array([self.transforms_[sid].inverse(row, history=frame["y"].to_numpy(float),
                                                           positions=self._positions(frame))
                             for (sid, frame, _), row in zip(histories, values)])
        return inverse

    # ---------------------------------------------------------------- sampled paths --
    def sample_paths(self, data=None, future=None, n: int = 100, **load_kwargs) -> pd.DataFrame:
        """``n`` possible futures per series, drawn by bootstrapping the held-out errors.

        The errors ``actual - forecast`` of the fitted network on its held-out (validation)
        windows, in its scaled units, are the residuals drawn with replacement:

        - direct: path ``j`` is the point forecast plus one held-out window's whole row of
          errors (all ``horizon`` steps together, which keeps their dependence), mapped
          back to the original units;
        - recursive: at every step of the rollout a drawn one-step error is added to the
          forecast, and the perturbed value is what is fed back (a generative rollout).

        The draws come from a generator seeded with ``seed``: the same seed (and a saved and
        loaded model) gives the same paths. ``data`` and ``future`` are as for :meth:`predict`.

        Returns
        -------
        pandas.DataFrame
            Columns ``id, time, sample, y``: ``n * horizon`` rows per series, path by path
            (``sample`` 0 .. n-1).

        Raises
        ------
        ConfigError
            For a baseline (use ``levels``: its native intervals), or when the fit held out
            no windows (``validation=0``, ``--validation``).

        Examples
        --------
        >>> from forecastkit import datasets
        >>> f = Forecaster("linear", horizon=3, lookback=12, params={"epochs": 2, "validation": 0.2})
        >>> paths = f.fit(datasets.load("airline")).sample_paths(n=20)
        >>> paths.shape, list(paths.columns), paths["sample"].nunique()
        ((60, 4), ['id', 'time', 'sample', 'y'], 20)
        """
        if not hasattr(self, "history_"):
            raise NotFittedError("This Forecaster is not fitted yet. Call `fit(data)` before `sample_paths()`.")
        _check_positive_int("n", n)
        self._check_sampling("n", "sample_paths")
        panel, histories = self._histories(data, future, load_kwargs)
        paths = self._sample_paths(histories, n)
        steps = np.tile(np.arange(self.horizon), n)
        return pd.concat([
            pd.DataFrame({"id": sid, "time": panel.future_times(sid, self.horizon).take(steps),
                          "sample": np.repeat(np.arange(n), self.horizon), "y": paths[i].ravel()})
            for i, (sid, _, _) in enumerate(histories)], ignore_index=True)

    def _sample_paths(self, histories: list, n: int) -> np.ndarray:
        """``(len(histories), n, horizon)`` sampled paths in the original units (see :meth:`sample_paths`)."""
        residuals = self._residual_sets()
        rng = np.random.default_rng(self.seed)
        keys = [GLOBAL_KEY if hasattr(self, "model_") else sid for sid, _, _ in histories]
        recursive = self.strategy == "recursive"
        draws = np.stack([residuals[key][rng.integers(len(residuals[key]), size=(n, self.horizon) if recursive
                                                      else n)] for key in keys])  # (series, n, horizon[, 1])
        if not recursive:
            predicted, scales, _ = self._neural_outputs(histories)
            return self._inverse(histories, scales)(self._median(predicted)[:, None, :] + draws)
        noise = draws[..., 0].reshape(len(histories) * n, self.horizon)
        chunk = max(1, PATH_CHUNK // n)
        scaled = np.concatenate([
            self._rollout(histories[i:i + chunk], n, noise[i * n:(i + chunk) * n])
            for i in range(0, len(histories), chunk)]).reshape(len(histories), n, self.horizon)
        return self._inverse(histories, None)(scaled)

    def _check_history(self, panel: Panel) -> Panel:
        if _roles(panel) != self.covariates_:
            raise DataError(
                f"The new history has covariates {_describe_roles(_roles(panel))} but the model was "
                f"fit with {_describe_roles(self.covariates_)}; supply the same covariate columns and roles."
            )
        if self.freq_ != panel.freq:
            raise DataError(
                f"The new history has frequency {panel.freq!r} but the model was fit on "
                f"{self.freq_!r}; resample the data or pass --freq {self.freq_}."
            )
        if get_spec(self.model).kind == "neural":
            unknown = [sid for sid in panel.ids if sid not in self.transforms_]
            if unknown:
                raise DataError(
                    f"Series {unknown[0]!r} was not in the training data, so it has no fitted "
                    f"scaler. Known series: {', '.join(self.transforms_)}."
                )
            panel.check_length(self.lookback_ + self.warmup(),
                               f"the model's lookback {self.lookback_}")
        return panel

    # ----------------------------------------------------------------- save / load --
    def save(self, path) -> Path:
        """Write ``metadata.json`` and the Keras models into directory ``path``.

        A global neural model is ``model.keras``; local ones are ``models/<i>.keras``, ``i``
        the series' position in ``ids``.
        """
        if not hasattr(self, "history_"):
            raise NotFittedError("This Forecaster is not fitted yet. Call `fit(data)` before `save()`.")
        if ensemble.is_composite(self):  # metadata.json and members/<i>-<model>/ folders
            return ensemble.save_composite(self, path)
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, model in self._model_files().items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            model.save(path / name)
        neural = get_spec(self.model).kind == "neural"
        metadata = {
            "format": METADATA_FORMAT,
            "params": self.get_params(),
            "lookback": self.lookback_, "season": self.season_, "hyper": self.hyper_,
            "target": self.target_, "freq": self.freq_, "step": self.step_,
            "covariates": self.covariates_,
            "transforms": {sid: t.to_dict() for sid, t in self.transforms_.items()},
            "encoder": self.encoder_.to_dict() if neural else None,
            "ids": list(self.ids_) if neural else [],
            "calibration": self.calibration_ if neural else {},
            "history": _panel_to_json(self.history_),
            "versions": versions(keras_backend=neural),
        }
        if neural and hasattr(self, "residuals_"):  # optional: files of older versions have none
            metadata["residuals"] = self.residuals_
        (path / "metadata.json").write_text(json.dumps(metadata, indent=1))
        return path

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
        meta_file = Path(path) / "metadata.json"
        metadata = _read_metadata(meta_file)
        if "members" in metadata:  # an ensemble or a bag
            return ensemble.load_composite(cls, meta_file, metadata)
        try:
            forecaster = cls(**metadata["params"])
            forecaster.check_params()
            forecaster.lookback_, forecaster.season_ = metadata["lookback"], metadata["season"]
            forecaster.hyper_ = metadata["hyper"]
            forecaster.target_, forecaster.freq_, forecaster.step_ = (
                metadata["target"], metadata["freq"], metadata["step"])
            forecaster.covariates_ = {role: list(names) for role, names in metadata["covariates"].items()}
            forecaster.transforms_ = {sid: TargetTransform.from_dict(s) for sid, s in metadata["transforms"].items()}
            if forecaster.transforms_:
                forecaster._describe_transforms()
            if metadata["encoder"] is not None:
                forecaster.encoder_ = FeatureEncoder.from_dict(metadata["encoder"])
                forecaster.ids_ = [str(sid) for sid in metadata["ids"]]
                forecaster.calibration_ = {str(key): [[float(v) for v in row] for row in errors]
                                           for key, errors in metadata["calibration"].items()}
                if "residuals" in metadata:
                    forecaster.residuals_ = {str(key): [[float(v) for v in row] for row in errors]
                                             for key, errors in metadata["residuals"].items()}
            forecaster.history_ = _panel_from_json(metadata["history"])
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            reason = f"missing key {err}" if isinstance(err, KeyError) else str(err)
            raise ModelFileError(f"{meta_file} is malformed ({reason}); it was not written by "
                                 "forecastkit's save() or was edited. Re-save the model.") from None
        if get_spec(forecaster.model).kind == "neural":
            if not hasattr(forecaster, "encoder_"):
                raise ModelFileError(f"{meta_file} is malformed (a neural model without its `encoder`); "
                                     "it was not written by forecastkit's save() or was edited. Re-save the model.")
            files = forecaster._model_files(names_only=True)
            models = {key: _load_keras_model(meta_file.parent / name, forecaster) for key, name in files.items()}
            if None in models:
                forecaster.model_ = models[None]
            else:
                forecaster.models_ = models
        return forecaster

    def _window_shape(self) -> tuple:
        """(rows, features) of this forecaster's model windows."""
        encoder = self.encoder_
        future = self.model_horizon if encoder.has_future_rows else 0
        return (self.lookback_ + future,
                1 + encoder.n_past + encoder.n_known + encoder.n_static + int(encoder.has_future_rows))

    def _model_files(self, names_only: bool = False) -> dict:
        """Keras model files of this forecaster: ``{file name: model}``, or with ``names_only``
        ``{None: "model.keras"}`` (global) / ``{id: "models/<i>.keras"}`` (local)."""
        if get_spec(self.model).kind != "neural":
            return {}
        local = self.mode == "local" and len(self.ids_) > 1
        if names_only:
            return ({sid: f"models/{i}.keras" for i, sid in enumerate(self.ids_)} if local
                    else {None: "model.keras"})
        if local:
            return {f"models/{i}.keras": self.models_[sid] for i, sid in enumerate(self.ids_)}
        return {"model.keras": self.model_}


#: Keys of metadata.json and their JSON types.
_METADATA_TYPES = {
    "format": int, "params": dict, "lookback": int, "season": int, "hyper": dict, "target": str,
    "freq": (str, type(None)), "step": int, "covariates": dict, "transforms": dict,
    "encoder": (dict, type(None)), "ids": list, "calibration": dict, "history": dict, "versions": dict,
}
#: Keys metadata.json may lack (written by an older forecastkit), and their JSON types.
_OPTIONAL_METADATA_TYPES = {"residuals": dict}


def _read_metadata(meta_file: Path) -> dict:
    """metadata.json, checked for JSON syntax, version, format, keys and types."""
    if not meta_file.is_file():
        raise ModelFileError(f"No saved model at {str(meta_file.parent)!r}: {meta_file.name} is missing. "
                             "Pass the directory given to --save-model / save().")
    try:
        metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ModelFileError(f"{meta_file} is not UTF-8 text ({err.reason} at byte {err.start}); "
                             "it was not written by forecastkit's save(). Re-save the model.") from None
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{meta_file} is not valid JSON ({err.msg} at line {err.lineno}, column "
                             f"{err.colno}); it was not written by forecastkit's save() or was edited. "
                             "Re-save the model.") from None
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{meta_file} must hold a JSON object. Received: {type(metadata).__name__}")
    _check_version(meta_file, metadata.get("versions"))
    if metadata.get("format") != METADATA_FORMAT:
        raise ModelFileError(f"{meta_file} has format {metadata.get('format')!r}; this forecastkit "
                             f"reads format {METADATA_FORMAT}. Re-save it with this version.")
    for key, kind in {**_METADATA_TYPES, **_OPTIONAL_METADATA_TYPES}.items():
        if key not in metadata:
            if key in _OPTIONAL_METADATA_TYPES:
                continue
            raise ModelFileError(f"{meta_file} has no {key!r} key; it was not written by forecastkit's "
                                 "save() or was edited. Re-save the model.")
        if not isinstance(metadata[key], kind) or isinstance(metadata[key], bool):
            expected = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise ModelFileError(f"`{key}` in {meta_file} must be {expected.replace('NoneType', 'null')}. "
                                 f"Received: {key}={metadata[key]!r}")
    return metadata


def _check_version(meta_file: Path, versions) -> None:
    """Refuse another major version of forecastkit; warn about another minor version."""
    saved = versions.get("forecastkit") if isinstance(versions, dict) else None
    parts = saved.split(".") if isinstance(saved, str) else []
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        raise ModelFileError(f"{meta_file} does not say which forecastkit version wrote it "
                             f"(versions.forecastkit={saved!r}); it was not written by save(). Re-save the model.")
    ours = __version__.split(".")
    if parts[0] != ours[0]:
        raise ModelFileError(f"{meta_file} was written by forecastkit {saved}, a different major version "
                             f"than this forecastkit {__version__}, which cannot read it. Refit and save "
                             f"the model with forecastkit {__version__}, or load it with forecastkit {saved}.")
    if parts[1] != ours[1]:
        warnings.warn(f"{meta_file} was written by forecastkit {saved}; this is forecastkit {__version__}. "
                      "The model should load, but re-save it with this version to be sure.",
                      ModelVersionWarning, stacklevel=4)


def _load_keras_model(model_file: Path, forecaster: "Forecaster"):
    """Load ``model.keras`` in Keras safe mode and check it fits the metadata."""
    if not model_file.is_file():
        raise ModelFileError(f"{model_file} is missing; a saved {forecaster.model!r} model needs it. "
                             "Pass the directory given to --save-model / save().")
    import zipfile

    if not zipfile.is_zipfile(model_file):
        raise ModelFileError(f"{model_file} is not a Keras .keras archive (a zip file); it was not written "
                             "by Forecaster.save() or is damaged. Re-save the model.")
    code = _code_layers(model_file)
    if code:
        raise ModelFileError(f"{model_file} contains a {code} layer, which runs arbitrary Python code when "
                             "loaded; forecastkit loads models in Keras safe mode and refuses it. Only load "
                             "models written by Forecaster.save().")
    import importlib

    from .models.keras_common import import_keras

    importlib.import_module("forecastkit.models.quantile")  # registers the quantile head's layer and loss

    keras = import_keras()
    try:
        model = keras.models.load_model(model_file, safe_mode=True)
    except Exception as err:  # Keras raises many types for a bad archive; name the file instead
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFileError(f"{model_file} cannot be loaded safely ({reason}). Only load models written by "
                             "Forecaster.save(), and re-save it if it was edited.") from None
    expected_in = forecaster._window_shape()
    taus = forecaster._taus()
    expected_out = (forecaster.model_horizon, len(taus)) if taus else (forecaster.model_horizon,)
    got_in, got_out = _window_shape(model), tuple(model.output_shape[1:])
    if got_in != expected_in or got_out != expected_out:
        raise ModelFileError(
            f"{model_file} maps windows of shape {got_in} to {got_out} forecasts, but its metadata.json "
            f"says windows of {expected_in[0]} rows with {expected_in[1]} feature(s) and horizon {expected_out[0]}: "
            "the files were edited or come from different models. Re-save the model.")
    return model


def _code_layers(model_file: Path) -> str | None:
    """The class name of a layer that carries Python code (Lambda) in a .keras archive's config."""
    import zipfile

    try:
        with zipfile.ZipFile(model_file) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None  # not a readable archive: Keras' own error is reported instead
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("class_name") in ("Lambda", "TFOpLambda"):
                return item["class_name"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _with_empty_rows(block: tuple, rows: int) -> tuple:
    """A ``(z, past, known, static)`` block with ``rows`` unknown rows after it (NaN target)."""
    z, past, known, static = block
    return (np.r_[z, np.full(rows, np.nan)], np.r_[past, np.zeros((rows, past.shape[1]))],
            np.r_[known, np.zeros((rows, known.shape[1]))], static)


_NO_RESIDUALS = ("Sampled paths draw from the model's errors on its held-out windows, but it holds out "
                 "none (validation={validation}). Hold out a share of the training windows, e.g. validation=0.2 "
                 "(--validation 0.2), or use more data.")


def _check_positive_int(name: str, value, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")


def _tail(panel: Panel, rows: int) -> Panel:
    return panel.with_frame(panel.frame.groupby("id", sort=False).tail(rows).reset_index(drop=True))


def _require_calibration(levels, held_out: int) -> None:
    """Raise when ``held_out`` calibration errors cannot give intervals at every level."""
    needed = max(_rank_needed(level) for level in levels)
    if held_out < needed:
        raise ConfigError(
            f"{max(levels)}% intervals of a neural model are calibrated on its held-out windows and need at "
            f"least {needed} of them per model, but this fit holds out {held_out}. Raise the held-out share "
            "(--validation, e.g. 0.3), use more data, or a lower --level.")


def _rank_needed(level, n: int | None = None) -> int:
    """Rank of the calibration error giving a ``level``% split-conformal interval with ``n``
    errors; with ``n`` None, the fewest errors for which that rank exists.

    Examples
    --------
    >>> _rank_needed(80), _rank_needed(95), _rank_needed(80, 99)
    (4, 19, 80)
    """
    if n is not None:
        return _conformal_rank(level, n)
    n = 1
    while _conformal_rank(level, n) > n:
        n += 1
    return n


def _window_shape(model) -> tuple:
    """(rows, features) of the windows a Keras model takes (its first input)."""
    shape = model.input_shape
    return tuple((shape[0] if isinstance(shape, list) else shape)[1:])


def _roles(panel: Panel) -> dict:
    """The covariate columns of each role, as JSON-friendly lists."""
    return {"past": list(panel.covariates), "future": list(panel.future_covariates),
            "static": list(panel.static_covariates), "categorical": list(panel.categorical)}


def _describe_roles(roles: dict) -> str:
    named = [f"{role} {names}" for role, names in roles.items() if names and role != "categorical"]
    return ", ".join(named) or "none"


def _panel_to_json(panel: Panel) -> dict:
    frame = panel.frame
    time = frame["time"]
    tz = None
    if pd.api.types.is_datetime64_any_dtype(time):
        tz = str(time.dt.tz) if time.dt.tz is not None else None
        utc = time.dt.tz_convert("UTC").dt.tz_localize(None) if tz else time
        times = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").tolist()
    else:
        times = [int(t) for t in time]
    columns = ["y", *panel.covariates, *panel.future_covariates, *panel.static_covariates]
    return {
        "target": panel.target, "freq": panel.freq, "step": panel.step, "roles": _roles(panel),
        "source": panel.source, "tz": tz,
        "columns": {"id": frame["id"].astype(str).tolist(), "time": times,
                    **{c: frame[c].astype(str if c in panel.categorical else float).tolist() for c in columns}},
    }


def _panel_from_json(state: dict) -> Panel:
    columns = dict(state["columns"])
    if state["freq"] is not None:
        time = pd.to_datetime(pd.Series(columns["time"]), format="%Y-%m-%dT%H:%M:%S.%f")
        if state["tz"]:
            time = time.dt.tz_localize("UTC").dt.tz_convert(state["tz"])
        columns["time"] = time.astype("datetime64[ns, " + state["tz"] + "]" if state["tz"] else "datetime64[ns]")
    else:
        columns["time"] = pd.Series(columns["time"], dtype="int64")
    frame = pd.DataFrame(columns)
    roles = state["roles"]
    for column in ("id", *roles["categorical"]):
        frame[column] = frame[column].astype("str")
    return Panel(frame=frame, target=state["target"], freq=state["freq"], step=state["step"],
                 covariates=tuple(roles["past"]), future_covariates=tuple(roles["future"]),
                 static_covariates=tuple(roles["static"]), categorical=tuple(roles["categorical"]),
                 source=state["source"])
