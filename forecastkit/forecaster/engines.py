"""The engines behind :class:`~forecastkit.forecaster.Forecaster`: one per kind and strategy.

``Forecaster.fit`` picks one with :func:`choose_engine` (the only place that looks at the
model's kind and ``strategy``) and delegates to it from then on:

- :class:`BaselineEngine`: statistical baselines, re-estimated from each history, native intervals;
- :class:`DirectEngine`: a network forecasting all ``horizon`` steps at once, split-conformal intervals;
- :class:`RecursiveEngine`: a one-step network rolled out ``horizon`` times, intervals from sampled paths;
- :class:`CompositeEngine`: an ensemble or a bag (:mod:`forecastkit.ensemble`).

Learned state lives on the forecaster (attributes ending in ``_``), except the Keras models,
which a neural engine keeps in ``models``: one pooled model under
:data:`~forecastkit.data.GLOBAL_ID` (``pooled`` True) or one per series id.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special

from .. import ensemble
from ..data import GLOBAL_ID, Panel
from ..errors import DataError, ShortSeriesWarning, TrainingError, user_stacklevel
from ..grouped.layers import why_not_grouped
from ..intervals import bound_columns, check_calibration_size, conformal_half_width
from ..models import families
from ..models.registry import get_spec
from . import predictive, preparation, sampling
from .options import INTERVAL_PATHS, check_quantiles, head_taus

#: Most series of a local model trained together (:meth:`DirectEngine.train_together`);
#: the walk-forward's groups are as large (:data:`forecastkit.evaluation.plan.GROUP_FITS`).
LOCAL_GROUP = 24


def trains_grouped(forecaster, windows: dict, continuing: bool = False) -> bool:
    """Whether ``fit`` trains ``windows`` (what ``prepare_windows`` returned) with the grouped
    trainer (:meth:`DirectEngine.train_together`) rather than as Keras models.

    Where the grouped layers cover the model (:func:`~forecastkit.grouped.layers.why_not_grouped`):
    always for a local model's several networks (one step trains them all), and for one
    network when every epoch trains on all its windows (at most ``steps_per_epoch x
    batch_size`` of them), where the grouped trainer's smaller fixed cost wins; a larger
    network's epochs are a fixed budget of steps, each of which Keras' own LSTM runs a little
    faster (a vanilla LSTM on 2,200 windows of co2, whole process: 18.3 s grouped against
    15.9 s, the grouped step 12.5 ms; on 930: 5.2 s against 6.3 s). ``steps_per_epoch=0``
    (every window every epoch) trains one network in Keras.
    """
    if why_not_grouped(forecaster, continuing=continuing) is not None:
        return False
    if len(windows) > 1:
        return True
    budget = forecaster.hyper_["steps_per_epoch"] * forecaster.hyper_["batch_size"]
    return 0 < len(next(iter(windows.values()))) <= budget


def choose_engine(forecaster):
    """The engine for ``forecaster``'s model kind and strategy (its settings checked already).

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> [type(choose_engine(Forecaster(m, strategy=s))).__name__
    ...  for m, s in (("naive", "direct"), ("mlp", "direct"), ("mlp", "recursive"), ("ensemble", "direct"))]
    ['BaselineEngine', 'DirectEngine', 'RecursiveEngine', 'CompositeEngine']
    """
    if ensemble.is_composite(forecaster):
        return CompositeEngine(forecaster)
    if get_spec(forecaster.model).kind == "baseline":
        return BaselineEngine(forecaster)
    return RecursiveEngine(forecaster) if forecaster.strategy == "recursive" else DirectEngine(forecaster)


class BaselineEngine:
    """Statistical baselines: no training; each forecast re-estimates from its history."""

    neural = False

    def __init__(self, forecaster):
        self.f = forecaster

    def fit(self, panel: Panel, previous: dict | None = None) -> None:
        preparation.resolve(self.f, panel)
        panel.check_length(1, "a baseline needs at least one observation")
        self.f.history_ = panel
        self.f.transforms_ = {}

    def forecast(self, histories: list) -> np.ndarray:
        f = self.f
        forecast = get_spec(f.model).load_forecast()
        return np.array([forecast(frame["y"].to_numpy(float), f.horizon_, f.season_) for _, frame, _ in histories])

    def columns(self, histories: list, levels: tuple, samples: int = 0) -> dict:
        """``{column: (n, horizon) array}``: yhat and the native interval bounds."""
        f = self.f
        columns = {"yhat": self.forecast(histories)}
        if levels:
            intervals = get_spec(f.model).load_intervals()
            bounds = np.array([intervals(frame["y"].to_numpy(float), f.horizon_, f.season_, levels)
                               for _, frame, _ in histories])  # (n, levels, 2, horizon)
            for j, level in enumerate(levels):
                lo, hi = bound_columns(level)
                columns[lo], columns[hi] = bounds[:, j, 0], bounds[:, j, 1]
        return columns

    def predictive(self, histories: list, samples: int | None = None):
        """A :class:`~forecastkit.forecaster.predictive.Predictive` of the Gaussian the native
        intervals describe (``gaussian_intervals`` baselines), else None."""
        spec = get_spec(self.f.model)
        if not spec.gaussian_intervals:
            return None
        f, level = self.f, 80
        intervals = spec.load_intervals()
        bounds = np.array([intervals(frame["y"].to_numpy(float), f.horizon_, f.season_, (level,))[0]
                           for _, frame, _ in histories])  # (n, 2, horizon)
        loc = bounds.mean(axis=1)
        sd = (bounds[:, 1] - bounds[:, 0]) / (2 * special.ndtri(0.5 + level / 200))
        return predictive.Predictive(loc, "native Gaussian intervals", gaussian=(loc, sd))

    def interval_method(self) -> str:
        return "native"

    def check_levels(self, levels: tuple) -> None:
        """Native intervals exist at every level."""

    def check_history(self, panel: Panel) -> None:
        """A baseline forecasts from any history of at least one row."""

    def model_files(self) -> dict:
        return {}


class DirectEngine:
    """A network forecasting all ``horizon`` steps at once; split-conformal intervals."""

    neural = True

    def __init__(self, forecaster, models: dict | None = None):
        self.f = forecaster
        self.models = dict(models or {})
        self.pooled = GLOBAL_ID in self.models
        self._keras: dict = {}  # keras_model's builds

    # ------------------------------------------------------------------ training --
    def fit(self, panel: Panel, previous: dict | None = None) -> None:
        f = self.f
        windows = f.prepare_windows(panel)
        previous = previous or {}
        if trains_grouped(f, windows, continuing=bool(previous)):
            models = self.train_together(f.hyper_, windows)
        else:
            models = {key: self.train(f.hyper_, each, previous.get(key)) for key, each in windows.items()}
        self.install(models, windows)

    def train_together(self, hyper: dict, windows: dict) -> dict:
        """The networks of ``windows`` (one pooled set, or one per series of a local model)
        trained by the grouped trainer (:func:`~forecastkit.grouped.train_group`), the one the
        walk-forward trains its fits with: a local model's series at once, in groups of at most
        :data:`LOCAL_GROUP`, each exactly as if alone (its own windows, Adam state and early
        stopping; the forecaster's seed). Returns ``{key: SlotModel}``; a network whose training
        fails fails the fit. Which fits train here: :func:`trains_grouped`; the others train as
        Keras models (:meth:`train`)."""
        from ..grouped import SlotModel, layer_plan, train_group

        f = self.f
        build_args, _ = get_spec(f.model).split(hyper)
        keys = list(windows)
        size = min(LOCAL_GROUP, len(keys))
        models = {}
        for start in range(0, len(keys), size):
            chunk = keys[start:start + size]
            first = windows[chunk[0]]
            arch = layer_plan(f.model, build_args, (first.span, first.n_features), f.model_horizon)
            series = f" (series {start + 1}-{start + len(chunk)} of {len(keys)})" if len(keys) > 1 else ""
            outcomes = train_group(arch, [windows[k] for k in chunk], [f.seed] * len(chunk), hyper,
                                   description=f"training {f.model}{series}", slots=size, verbose=f.verbose)
            for key, outcome in zip(chunk, outcomes):
                if outcome.error is not None:
                    raise outcome.error
                models[key] = SlotModel(arch, outcome.weights, outcome.build_args(build_args))
        return models

    def keras_model(self, key: str):
        """The ``keras.Model`` of ``key``'s network: itself, or for a grouped fit's
        :class:`~forecastkit.grouped.SlotModel` the builder's model with its weights (built
        once; forecasts still run through the slot model)."""
        model = self.models[key]
        if not hasattr(model, "to_keras"):
            return model
        if key not in self._keras:
            self._keras[key] = model.to_keras()
        return self._keras[key]

    def install(self, models: dict, windows: dict) -> None:
        """Use ``models`` (``{GLOBAL_ID: model}`` or ``{series id: model}``, trained on ``windows``,
        what :meth:`Forecaster.prepare_windows` returned) and calibrate them on their held-out windows."""
        self.models, self.pooled, self._keras = dict(models), GLOBAL_ID in models, {}
        f = self.f
        f.calibration_, f.residuals_ = {}, {}
        for key, model in self.models.items():
            f.calibration_[key], f.residuals_[key] = self.calibrate(model, windows[key], key)

    def train(self, hyper: dict, windows, previous=None):
        """A Keras model trained on ``windows`` (continuing ``previous`` when its shape fits)."""
        from ..models.keras_common import (
            compile_model,
            import_keras,
            with_series_embedding,
        )
        from ..training import keras_loss, ridge_coefficient, split_windows, train

        f = self.f
        keras = import_keras()
        keras.utils.set_random_seed(f.seed)
        shape = (windows.span, windows.n_features)
        taus = head_taus(f)

        def ridge_prior(l2: float) -> float:  # the linear builder's prior, over this fit's training windows
            return ridge_coefficient(l2, len(split_windows(windows, hyper, f.seed)[0]))

        def fresh():  # the model these settings build, compiled
            spec = get_spec(f.model)
            build_args, _ = spec.split(hyper)
            if "l2" in build_args:
                build_args["l2"] = ridge_prior(build_args["l2"])
            builder, loss = spec.load_builder(), keras_loss(keras, hyper.get("loss", "mse"))
            if taus:
                from ..models.quantile import PinballLoss, with_quantile_head

                base, loss = builder, PinballLoss(taus)

                def builder(shape, horizon, **args):
                    return with_quantile_head(base, shape, horizon, args, taus)
            elif f.distribution:
                from ..models.distributions import (
                    NegativeLogLikelihood,
                    with_distribution_head,
                )

                base, loss = builder, NegativeLogLikelihood(f.distribution)

                def builder(shape, horizon, **args):
                    return with_distribution_head(base, shape, horizon, args, f.distribution, f.lookback_)
            if f.id_embedding:
                built = with_series_embedding(builder, shape, f.model_horizon, build_args, len(f.ids_), f.id_embedding)
            else:
                built = builder(shape, f.model_horizon, **build_args)
            compile_model(built, learning_rate=hyper["learning_rate"], loss=loss)
            return built

        model = fresh()
        if previous is not None and same_architecture(previous, model):
            keras.utils.set_random_seed(f.seed)  # building drew from it: the continued fit must not notice
            model = previous
            if getattr(model, "optimizer", None) is None:  # built from a grouped fit's weights: a fresh Adam
                compile_model(model, learning_rate=hyper["learning_rate"], loss=keras_loss(keras, hyper.get("loss", "mse")))
            regularized = [v for v in model.trainable_weights if v.regularizer is not None]
            if hyper.get("l2") and regularized:  # this fit's prior, not that of the fit it continues
                coefficient = ridge_prior(hyper["l2"])
                for variable in regularized:
                    variable.regularizer = keras.regularizers.L2(coefficient)
                model.train_function = None  # traced with the old coefficient
        elif previous is not None:
            warnings.warn(f"warm_start: the network {f.model!r} fitted before has another shape (window, horizon "
                          "or layer sizes) than these settings build, so this fit starts from fresh weights.",
                          stacklevel=user_stacklevel())
        train(keras, model, windows, hyper, f.verbose, f"training {f.model}", seed=f.seed,
              with_series=bool(f.id_embedding), taus=taus, distribution=f.distribution)
        return model

    def calibrate(self, model, windows, key) -> tuple[list, list]:
        """Errors of ``model`` on its held-out windows, in the model's scaled units:
        ``(calibration, residuals)``.

        ``calibration``: the absolute errors sorted per step (with differencing, of the
        differences summed up to each step, i.e. of the level), the calibration set of
        split-conformal intervals. ``residuals``: the signed errors ``actual - forecast``,
        one row per held-out window and ``model_horizon`` columns, which sampled paths bootstrap.
        """
        from ..grouped.fast_call import predict as compiled_predict
        from ..training import model_inputs

        _, held_out = windows.latest(self.f.hyper_["validation"])
        if len(held_out) == 0:
            return [], []
        inputs, targets, _ = model_inputs(windows, held_out, bool(self.f.id_embedding))
        predicted = np.asarray(compiled_predict(model, inputs, batch_size=1024), dtype=float)
        residuals = targets - self.point(predicted)
        errors = self.chain_of(key).integrate_errors(residuals)  # differences add up
        return np.sort(np.abs(errors), axis=0).tolist(), residuals.tolist()

    # ---------------------------------------------------------------- forecasting --
    def key(self, sid: str) -> str:
        """The key of the model (and calibration) serving series ``sid``."""
        return GLOBAL_ID if self.pooled else sid

    def chain_of(self, key):
        """The transform of series ``key`` (a local model), or any series' (a global model: one chain)."""
        transforms = self.f.transforms_
        return transforms[key] if key in transforms else next(iter(transforms.values()))

    def point(self, predicted: np.ndarray) -> np.ndarray:
        """The point forecast of raw model outputs: the 0.5 quantile of a quantile model, the
        mean of a distribution model's."""
        if self.f.distribution:
            return families.mean(self.f.distribution, predicted)
        taus = head_taus(self.f)
        return predicted[..., taus.index(0.5)] if taus else predicted

    def forecast_windows(self, histories: list, repeat: int = 1):
        """One forecast window per history (each ``repeat`` times in a row)."""
        f = self.f
        with_future = f.encoder_.has_future_rows
        blocks = []
        for sid, frame, future in histories:
            rows = f.lookback_ + f.transforms_[sid].lost
            block = preparation.block(f, sid, frame.iloc[-rows:].reset_index(drop=True),
                                      future if with_future else None, forecast=True)
            blocks.extend([self.room(block, with_future)] * repeat)
        return preparation.make_window_set(f, blocks, [sid for sid, _, _ in histories for _ in range(repeat)],
                                           starts="last")

    def room(self, block: tuple, with_future: bool) -> tuple:
        """A forecast block as the model reads it (a recursive model adds rows to roll into)."""
        return block

    def outputs(self, windows, ids: list):
        """Raw outputs ``(n, model_horizon[, taus])`` for forecast windows of series ``ids`` (scaled
        units), their window levels ``(n, 2)`` (unit and offset, or None) and which model served which
        rows ``{key: rows}``."""
        from ..grouped.fast_call import predict as compiled_predict

        f = self.f
        taus = head_taus(f)
        width = families.n_params(f.distribution) if f.distribution else len(taus)
        predicted = np.zeros((len(ids), f.model_horizon, width) if width else (len(ids), f.model_horizon))
        scales = np.tile([1.0, 0.0], (len(ids), 1)) if windows.normalise else None
        names = np.asarray(ids, dtype=object)
        keys = np.asarray([self.key(sid) for sid in ids], dtype=object)
        groups = {key: np.flatnonzero(keys == key) for key in dict.fromkeys(keys.tolist())}
        position = {sid: k for k, sid in enumerate(getattr(f, "ids_", ()))}
        for key, index in groups.items():
            inputs, _, levels = windows.gather(index)
            if f.id_embedding:
                inputs = [inputs, np.array([[position[i]] for i in names[index]], np.int32)]
            predicted[index] = np.asarray(compiled_predict(self.models[key], inputs, batch_size=1024), dtype=float)
            if levels is not None:
                scales[index] = levels
        return predicted, scales, groups

    def neural_outputs(self, histories: list):
        """:meth:`outputs` for one forecast window per history."""
        return self.outputs(self.forecast_windows(histories), [sid for sid, _, _ in histories])

    def inverse(self, histories: list, scales):
        """A function mapping ``(n, horizon)`` scaled outputs (or ``(n, paths, horizon)``) back to
        the original units."""
        f = self.f

        def inverse(values: np.ndarray) -> np.ndarray:
            values = np.asarray(values, dtype=float)
            if scales is not None:  # window levels: unit and offset
                shape = (len(scales), *[1] * (values.ndim - 1))
                values = values * scales[:, 0].reshape(shape) + scales[:, 1].reshape(shape)
            return np.array([f.transforms_[sid].inverse(row, history=frame["y"].to_numpy(float),
                                                        positions=preparation.positions(f, frame))
                             for (sid, frame, _), row in zip(histories, values)])
        return inverse

    def forecast(self, histories: list) -> np.ndarray:
        predicted, scales, _ = self.neural_outputs(histories)
        return finite(self.f, self.inverse(histories, scales)(self.point(predicted)))

    def columns(self, histories: list, levels: tuple, samples: int = 0) -> dict:
        """``{column: (n, horizon) array}``: yhat, conformal bounds, quantile-head and sampled quantiles
        (a distribution model: all from its distribution, :mod:`~forecastkit.forecaster.predictive`)."""
        f = self.f
        if f.distribution:
            return predictive.columns(self.predictive(histories), levels, f.quantiles, samples)
        predicted, scales, groups = self.neural_outputs(histories)
        point = self.point(predicted)
        inverse = self.inverse(histories, scales)
        columns = {"yhat": finite(f, inverse(point))}
        for level in levels:
            half = np.zeros_like(point)
            for key, index in groups.items():
                half[index] = conformal_half_width(f.calibration_[key], level)
                # move the summed path by `half`: shift each modelled difference by its increment
                half[index] = self.chain_of(key).differentiate_errors(half[index])
            lo, hi = bound_columns(level)
            columns[lo], columns[hi] = inverse(point - half), inverse(point + half)
        for k, tau in enumerate(head_taus(f)):
            if tau != 0.5 or 0.5 in check_quantiles(f.quantiles):
                columns[f"q{tau:g}"] = inverse(predicted[..., k])
        if samples:
            columns.update(sampling.sample_quantiles(self.paths(histories, samples)))
        return columns

    def paths(self, histories: list, n: int) -> np.ndarray:
        """``(len(histories), n, horizon)`` sampled paths in the original units."""
        if self.f.distribution:
            return predictive.direct(self, histories, n).paths
        return sampling.direct_paths(self, histories, n)

    def predictive(self, histories: list, samples: int | None = None):
        """The forecast distributions (:class:`~forecastkit.forecaster.predictive.Predictive`) of a
        distribution model, a quantile head or (``samples``) that many sampled paths; None for a
        point model without ``samples`` (its intervals are conformal)."""
        f = self.f
        if f.distribution:
            return predictive.direct(self, histories, samples)
        taus = head_taus(f)
        if taus:
            predicted, scales, _ = self.neural_outputs(histories)
            inverse = self.inverse(histories, scales)
            values = np.stack([inverse(predicted[..., k]) for k in range(len(taus))], axis=-1)
            return predictive.Predictive(values[..., taus.index(0.5)], "quantile head", head=(taus, values))
        if samples:
            return predictive.Predictive(self.forecast(histories), f"{samples} paths bootstrapping the held-out "
                                         "errors", paths=self.paths(histories, samples))
        return None

    def interval_method(self) -> str:
        """How ``predict``'s intervals are made, in words."""
        if self.f.distribution:
            return predictive.describe(self)
        return "split-conformal on the held-out windows"

    def check_levels(self, levels: tuple) -> None:
        """Refuse interval levels the held-out windows cannot calibrate, before any work."""
        if self.f.distribution:
            return  # quantiles of the distribution: nothing to calibrate
        sizes = [len(errors) for errors in self.f.calibration_.values()]
        check_calibration_size(levels, min(sizes) if sizes else 0)

    def check_history(self, panel: Panel) -> None:
        """New history: only series seen in ``fit``, each at least a window long."""
        f = self.f
        unknown = [sid for sid in panel.ids if sid not in f.transforms_]
        if unknown:
            raise DataError(f"Series {unknown[0]!r} was not in the training data, so it has no fitted "
                            f"scaler. Known series: {', '.join(f.transforms_)}.")
        needed = f.lookback_ + f.warmup()
        least = 1 + f.warmup() if f.pads_ else needed  # a padded global model pads a short series' window
        short = [f"{sid!r} has {n}" for sid, n in panel.lengths.items() if n < least]
        if short:  # a fitted model's window is fixed: the only fix is more history
            warmup = f" and {f.warmup()} for its differences" if f.warmup() else ""
            reads = (f"pads a shorter series' window of {f.lookback_} rows but needs one row{warmup}" if f.pads_ else
                     f"forecasts from the last {f.lookback_} rows{warmup}")
            raise DataError(f"The new history is too short for this fitted model, which {reads}: "
                            f"{', '.join(short[:5])} rows. Pass at least {least} rows of each series.")
        if padded := [f"{sid!r} ({n} rows)" for sid, n in panel.lengths.items() if n < needed]:
            warnings.warn(ShortSeriesWarning(f"The new history of {', '.join(padded[:3])} is shorter than the model's "
                                             "window: padded at its start, as in training."),
                          stacklevel=user_stacklevel())
        for sid in panel.ids:  # the rows it forecasts from, as fit checked its training data
            data = f"the new history{f' of series {sid!r}' if panel.n_series > 1 else ''}"
            f.transforms_[sid].check_positive(panel.series(sid)["y"].to_numpy(float)[-needed:],
                                              f"{data} (its last {needed} rows, which the forecast reads)", refit=True)

    def model_files(self) -> dict:
        """``{file name: keras model}``: ``model.keras`` (pooled) or ``models/<i>.keras`` (per series)
        (:meth:`keras_model`: a grouped fit saves as the builder's Keras model)."""
        return {name: self.keras_model(key) for key, name in model_file_names(self.f, self.pooled).items()}

    @property
    def grouped(self) -> bool:
        """Whether the networks were trained (and forecast) by the grouped trainer."""
        return any(hasattr(model, "to_keras") for model in self.models.values())


class RecursiveEngine(DirectEngine):
    """A one-step network rolled out ``horizon`` times; intervals from sampled paths."""

    recursive = True

    def room(self, block: tuple, with_future: bool) -> tuple:
        return block if with_future else preparation.with_empty_rows(block, self.f.horizon_)

    def rollout(self, histories: list, repeat: int = 1, step=None) -> np.ndarray:
        """Forecasts ``(len(histories) * repeat, horizon)`` in the transformed units (window
        levels applied), for :meth:`inverse` with no scales.

        Step ``k`` forecasts one value for every window in one batched call, then writes it
        into the history as the next observation (the window moves one row on; its future row,
        if any, is step ``k + 1``'s). ``step(k, outputs)`` (default: the point forecast) turns
        the model's raw outputs ``(rows, 1[, P])`` into the values fed back, e.g. a forecast
        plus a drawn error or a draw from the distribution (a generative rollout, for paths).
        """
        horizon = self.f.horizon_
        windows = self.forecast_windows(histories, repeat)
        ids = [sid for sid, _, _ in histories for _ in range(repeat)]
        path = np.zeros((len(ids), horizon))
        for k in range(horizon):
            predicted, scales, _ = self.outputs(windows, ids)
            value = self.point(predicted)[:, 0] if step is None else step(k, predicted)
            path[:, k] = value if scales is None else value * scales[:, 0] + scales[:, 1]
            if k + 1 < horizon:
                windows.roll(path[:, k])
        return path

    def forecast(self, histories: list) -> np.ndarray:
        return finite(self.f, self.inverse(histories, None)(self.rollout(histories)))

    def columns(self, histories: list, levels: tuple, samples: int = 0) -> dict:
        if self.f.distribution:
            return predictive.columns(self.predictive(histories), levels, self.f.quantiles, samples)
        columns = {"yhat": self.forecast(histories)}
        paths = self.paths(histories, INTERVAL_PATHS) if levels else None
        for level in levels:
            alpha = 1 - float(level) / 100
            lo, hi = bound_columns(level)
            columns[lo], columns[hi] = np.quantile(paths, [alpha / 2, 1 - alpha / 2], axis=1)
        if samples:
            if paths is None or paths.shape[1] != samples:
                paths = self.paths(histories, samples)
            columns.update(sampling.sample_quantiles(paths))
        return columns

    def paths(self, histories: list, n: int) -> np.ndarray:
        return sampling.recursive_paths(self, histories, n)

    def predictive(self, histories: list, samples: int | None = None):
        if self.f.distribution:
            return predictive.recursive(self, histories, samples)
        if samples:
            return predictive.Predictive(self.forecast(histories), f"{samples} generative paths bootstrapping the "
                                         "held-out one-step errors", paths=self.paths(histories, samples))
        return None

    def interval_method(self) -> str:
        if self.f.distribution:
            return predictive.describe(self)
        return f"quantiles of {INTERVAL_PATHS} paths bootstrapping the held-out one-step errors"

    def check_levels(self, levels: tuple) -> None:
        super().check_levels(levels)
        if not self.f.distribution:
            sampling.residual_sets(self.f)


class CompositeEngine:
    """An ensemble or a bag: the median of fitted member forecasters (:mod:`forecastkit.ensemble`)."""

    neural = False

    def __init__(self, forecaster):
        self.f = forecaster

    def fit(self, panel: Panel, previous: dict | None = None) -> None:
        ensemble.fit_composite(self.f, panel)

    def forecast(self, histories: list) -> np.ndarray:
        return ensemble.median_of_members(self.f, histories)

    def predictive(self, histories: list, samples: int | None = None):
        """None: the median of several models has no distribution (its intervals are conformal)."""
        return None

    def check_levels(self, levels: tuple) -> None:
        """Checked by :func:`~forecastkit.ensemble.predict_composite`."""

    def model_files(self) -> dict:
        return {}


def finite(forecaster, values: np.ndarray) -> np.ndarray:
    """``values``, a network's forecasts, if all are finite; else a TrainingError: the training
    diverged without a non-finite loss (an absurd learning rate, say), and an ``inf`` must not
    reach a forecast file or a score."""
    if not np.isfinite(values).all():
        raise TrainingError(f"The forecasts of {forecaster.model!r} are not finite (inf or NaN): its training "
                            "diverged, or its outputs left the range its power transform maps back. Lower "
                            "`learning_rate`, check the scale of the data, or set `transform` to 'log' or 'none'.")
    return values


def model_file_names(forecaster, pooled: bool) -> dict:
    """``{GLOBAL_ID: "model.keras"}`` (a pooled model) or ``{id: "models/<i>.keras"}``, ``i`` the
    series' position in ``ids_``."""
    if pooled:
        return {GLOBAL_ID: "model.keras"}
    return {sid: f"models/{i}.keras" for i, sid in enumerate(forecaster.ids_)}


def same_architecture(previous, model) -> bool:
    """Whether a fitted Keras ``previous`` can be continued as ``model``: the same input and
    output shapes and the same weight shapes, layer by layer."""
    return (input_shape(previous) == input_shape(model) and previous.output_shape == model.output_shape
            and [tuple(w.shape) for w in previous.weights] == [tuple(w.shape) for w in model.weights])


def input_shape(model) -> tuple:
    """(rows, features) of the windows a Keras model takes (its first input)."""
    shape = model.input_shape
    return tuple((shape[0] if isinstance(shape, list) else shape)[1:])
