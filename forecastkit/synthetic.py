"""Synthetic series with a known long time lag, and the score that tells who used it.

:func:`long_lag_series` makes a series whose only predictable part sits exactly ``lag``
steps back: rare random spikes (events) that come back, smaller, ``lag`` steps later
(echoes), over Gaussian noise. Between the echoes there is nothing to forecast, so a
model's error *at the echo steps* says whether it can see, and use, the value ``lag``
steps back; :func:`echo_scores` measures exactly that, and the error elsewhere for contrast.
This is the setting of the long-time-lag experiments that motivated the LSTM (Hochreiter &
Schmidhuber 1997; precise timing with peepholes, Gers, Schraudolph & Schmidhuber 2002),
recast as one-step-ahead forecasting of a plain univariate series.

:func:`one_step_forecasts` gives a fitted :class:`~forecastkit.Forecaster`'s one-step-ahead
forecasts over a test part (each from the rows before it, the model fit once on the rows
before the test part). Plain numpy / pandas, no Keras import of its own;
``benchmarks/long_lag.py`` and the notebook ``05_lstm_family`` use it.

Examples
--------
>>> from forecastkit.synthetic import echo_scores, long_lag_series
>>> frame = long_lag_series(lag=50, length=2_000, seed=1, components=True)
>>> list(frame.columns)
['time', 'y', 'event', 'echo']
>>> scores = echo_scores(frame, frame["echo"])   # an oracle that knows every echo
>>> scores["echo_sign"], scores["echo_skill"] > 0.9
(1.0, True)
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .errors import ConfigError, ConfigTypeError, DataError
from .models.registry import get_spec

__all__ = ["echo_scores", "long_lag_series", "one_step_forecasts"]


def long_lag_series(lag: int, length: int, events: float = 0.02, noise: float = 0.1, echo: float = 0.5,
                    seed: int = 0, components: bool = False) -> pd.DataFrame:
    r"""A series whose next value depends on the value exactly ``lag`` steps back.

    The process, for rows :math:`t = 0, \dots, length - 1`:

    .. math::

        y_t = s_t + a\, s_{t-\mathrm{lag}} + \sigma\, \varepsilon_t,
        \qquad \varepsilon_t \sim N(0, 1) \text{ i.i.d.}

    - :math:`s_t` is the **event** at step ``t``: +1 or -1 (equally likely) with probability
      ``events``, else 0; independent of everything before, so it cannot be forecast.
      One exception keeps events and echoes apart: no event falls on a step where an echo
      lands (:math:`s_t = 0` whenever :math:`s_{t-\mathrm{lag}} \ne 0`), so the realised event
      rate is ``events / (1 + events)``.
    - :math:`a\, s_{t-\mathrm{lag}}` is the **echo**: every event comes back exactly ``lag``
      steps later with the same sign and amplitude :math:`a` = ``echo`` (< 1, so an echo is
      told from an event by its size). Echoes do not echo again.
    - :math:`\sigma` = ``noise``: small Gaussian noise on every step.

    The process runs ``lag`` steps before row 0, so the first ``lag`` rows hold the echoes
    of earlier, unseen events and the series is stationary from its first row.

    Given the past, the best one-step forecast is the echo, :math:`a\, s_{t-\mathrm{lag}}`
    (0 on the other steps): a model whose window does not reach ``lag`` steps back cannot
    beat 0 at the echo steps, and one that does must pick out that one step (an event, not
    an echo, exactly ``lag`` back) among the others. :func:`echo_scores` scores forecasts
    at the echo steps and elsewhere.

    Parameters
    ----------
    lag : int
        Steps between an event and its echo, >= 1.
    length : int
        Rows, > ``lag`` (so the series holds echoes of its own events).
    events : float, default 0.02
        Probability of an event at each step, in (0, 1).
    noise : float, default 0.1
        Standard deviation :math:`\sigma` of the Gaussian noise, >= 0.
    echo : float, default 0.5
        Echo amplitude :math:`a`, in (0, 1).
    seed : int, default 0
        Seed of the NumPy generator: the same arguments give the same series.
    components : bool, default False
        Also return the parts of ``y``: ``event`` (:math:`s_t`) and ``echo``
        (:math:`a\, s_{t-\mathrm{lag}}`, the predictable part). Load such a frame with
        ``from_pandas(frame, target="y")`` or drop them first (``frame[["time", "y"]]``).

    Returns
    -------
    pandas.DataFrame
        Columns ``time`` (integer periods 0 .. length - 1) and ``y`` (then ``event`` and
        ``echo`` with ``components``). ``forecastkit.from_pandas`` and ``Forecaster.fit``
        read it as one series with integer periods.

    Raises
    ------
    ConfigTypeError, ConfigError
        An argument of the wrong type or out of its range, named with the value received.

    Examples
    --------
    >>> frame = long_lag_series(lag=5, length=40, events=0.1, noise=0.0, seed=3, components=True)
    >>> frame.index[frame["event"] != 0].tolist()    # the events ...
    [15, 23, 26]
    >>> frame.index[frame["echo"] != 0].tolist()     # ... echo 5 steps later (0, 4: earlier events)
    [0, 4, 20, 28, 31]
    >>> frame["y"].iloc[[15, 20, 23, 28, 26, 31]].tolist()   # same sign, half the size
    [-1.0, -0.5, 1.0, 0.5, -1.0, -0.5]
    >>> from forecastkit import from_pandas
    >>> panel = from_pandas(long_lag_series(lag=100, length=500))
    >>> panel.n_series, len(panel.frame), panel.freq
    (1, 500, None)
    """
    lag = _check_int("lag", lag, 1)
    length = _check_int("length", length, 1)
    if length <= lag:
        raise ConfigError(f"`length` must be > `lag` ({lag}): the series needs room for the echoes of its own "
                          f"events. Received: length={length}")
    events = _check_real("events", events, 0.0, 1.0, "in (0, 1)", open_low=True, open_high=True)
    noise = _check_real("noise", noise, 0.0, math.inf, ">= 0")
    echo = _check_real("echo", echo, 0.0, 1.0, "in (0, 1)", open_low=True, open_high=True)
    seed = _check_int("seed", seed, 0)
    if not isinstance(components, bool):
        raise ConfigTypeError(f"`components` must be True or False. Received: components={components!r} "
                              f"({type(components).__name__})")

    rng = np.random.default_rng(seed)
    steps = length + lag  # `lag` steps of burn-in before row 0
    drawn = rng.random(steps) < events
    signs = np.where(rng.random(steps) < 0.5, -1.0, 1.0)
    eps = rng.standard_normal(length)
    event = np.zeros(steps)
    # no event where an echo lands: block k depends on block k - 1 only, so fill by blocks of `lag`
    for start in range(0, steps, lag):
        stop = min(start + lag, steps)
        allowed = np.ones(stop - start, bool) if start == 0 else event[start - lag:stop - lag] == 0
        event[start:stop] = np.where(drawn[start:stop] & allowed, signs[start:stop], 0.0)
    echoes = echo * event[:-lag]          # the echo at step t is the event at t - lag
    event = event[lag:]
    y = event + echoes + noise * eps
    frame = pd.DataFrame({"time": np.arange(length, dtype=np.int64), "y": y})
    if components:
        frame["event"], frame["echo"] = event, echoes
    return frame


def echo_scores(series: pd.DataFrame, forecast) -> dict:
    """Score one-step-ahead forecasts of a :func:`long_lag_series` at its echo steps and elsewhere.

    At an echo step the right forecast is the echo (the event ``lag`` steps back times the
    echo amplitude); elsewhere the best forecast is 0 and the error is the unforecastable
    events plus the noise. So ``mse_echo`` (and ``echo_sign``, ``echo_skill``) say whether a
    model used the value ``lag`` steps back, and ``mse_other`` whether it paid for that with
    false echoes.

    Parameters
    ----------
    series : pandas.DataFrame
        The rows forecast, with columns ``y`` and ``echo``: a frame (or a slice of one) from
        ``long_lag_series(..., components=True)``.
    forecast : array-like or pandas.Series
        One forecast per row of ``series``, in its order (a Series is taken by position).

    Returns
    -------
    dict
        ``n_echo`` and ``n_other`` (rows of each kind), ``mse_echo`` and ``mse_other`` (mean
        squared error there), ``mse`` (over all rows), ``echo_sign`` (share of echo steps whose
        forecast has the echo's sign: 0.5 is a coin toss, a forecast of exactly 0 counts as
        wrong), ``echo_skill`` (``1 - mse_echo / mse_echo_zero``: 1 is the echo forecast
        exactly up to the noise, 0 no better than forecasting 0, negative worse) and
        ``mse_echo_zero`` (the MSE at the echo steps of forecasting 0). NaN where a kind of
        row is absent.

    Raises
    ------
    DataError
        ``series`` lacks the columns, or ``forecast`` has another length or non-finite values.

    Examples
    --------
    >>> frame = long_lag_series(lag=20, length=1_000, seed=0, components=True)
    >>> zero = echo_scores(frame, [0.0] * len(frame))
    >>> zero["n_echo"], zero["echo_skill"], zero["echo_sign"]
    (24, 0.0, 0.0)
    >>> half = echo_scores(frame, frame["echo"] / 2)   # the right sign, half the size
    >>> round(half["echo_skill"], 2), half["echo_sign"]
    (0.72, 1.0)
    """
    if not isinstance(series, pd.DataFrame) or not {"y", "echo"} <= set(series.columns):
        columns = list(series.columns) if isinstance(series, pd.DataFrame) else type(series).__name__
        raise DataError("`series` must be a DataFrame with columns `y` and `echo`: a frame from "
                        f"long_lag_series(..., components=True). Received: {columns}")
    predicted = np.asarray(forecast.to_numpy() if isinstance(forecast, (pd.Series, pd.DataFrame)) else forecast,
                           dtype=float)
    if predicted.ndim != 1 or len(predicted) != len(series):
        raise DataError(f"`forecast` must hold one value per row of `series` ({len(series)} rows). "
                        f"Received: forecast of shape {predicted.shape}")
    if not np.isfinite(predicted).all():
        raise DataError(f"`forecast` must be finite; it has {int((~np.isfinite(predicted)).sum())} "
                        "NaN or infinite value(s).")
    y, target = series["y"].to_numpy(float), series["echo"].to_numpy(float)
    at_echo = target != 0
    squared = (predicted - y) ** 2
    zero = _mean(y[at_echo] ** 2)
    mse_echo = _mean(squared[at_echo])
    return {
        "n_echo": int(at_echo.sum()), "n_other": int((~at_echo).sum()),
        "mse_echo": mse_echo, "mse_other": _mean(squared[~at_echo]), "mse": _mean(squared),
        "echo_sign": _mean(np.sign(predicted[at_echo]) == np.sign(target[at_echo])),
        "echo_skill": 1.0 - mse_echo / zero if zero > 0 else math.nan,
        "mse_echo_zero": zero,
    }


def one_step_forecasts(forecaster, series: pd.DataFrame, start: int, rows: int | None = None,
                       chunk: int = 1024) -> np.ndarray:
    """One-step-ahead forecasts of rows ``start, start + 1, ...`` of ``series``, each from the rows before it.

    ``forecaster`` is fit once (on ``series.iloc[:start]`` or less: nothing at or after
    ``start`` should have reached it) and not refit; the forecast of row ``t`` sees rows
    ``< t`` only (the last ``rows`` of them), in the scaling learned in ``fit``. The histories go through
    :meth:`~forecastkit.Forecaster.predict_histories` ``chunk`` at a time (one batched model
    call each), not through a walk-forward loop.

    Parameters
    ----------
    forecaster : Forecaster
        Fitted on one series, with ``horizon=1`` (the first step is taken otherwise).
    series : pandas.DataFrame
        Columns ``time`` and ``y`` (others are ignored), e.g. from :func:`long_lag_series`.
    start : int
        First row forecast; the rows before it must cover the model's lookback.
    rows : int or None
        Rows of history each forecast is given. None: a neural model's lookback (all it
        reads), a baseline's whole history (a naive baseline needs only 1, for instance).
    chunk : int, default 1024
        Histories per batched call.

    Returns
    -------
    numpy.ndarray
        ``len(series) - start`` forecasts, in row order (score them with :func:`echo_scores`).

    Examples
    --------
    >>> from forecastkit import Forecaster
    >>> frame = long_lag_series(lag=10, length=100, seed=0)
    >>> naive = Forecaster("naive").fit(frame.iloc[:80])
    >>> forecasts = one_step_forecasts(naive, frame, start=80, rows=1)
    >>> bool((forecasts == frame["y"].to_numpy()[79:99]).all())   # naive: the previous value
    True
    """
    if not hasattr(forecaster, "history_"):
        raise ConfigError("`forecaster` must be fitted: call fit(series.iloc[:start]) first.")
    if not isinstance(series, pd.DataFrame) or not {"time", "y"} <= set(series.columns):
        raise DataError("`series` must be a DataFrame with columns `time` and `y`. Received: "
                        f"{list(series.columns) if isinstance(series, pd.DataFrame) else type(series).__name__}")
    ids = forecaster.history_.ids
    if len(ids) != 1:
        raise ConfigError(f"`forecaster` must be fit on one series; it was fit on {len(ids)}.")
    neural = get_spec(forecaster.model).kind == "neural"
    needed = forecaster.lookback_ + int(forecaster.difference) if neural else 1
    if rows is not None:
        rows = _check_int("rows", rows, needed)
    elif neural:
        rows = needed
    start = _check_int("start", start, rows or 1)
    if start >= len(series):
        raise ConfigError(f"`start` must be < len(series) ({len(series)}). Received: start={start}")
    chunk = _check_int("chunk", chunk, 1)
    frame = pd.DataFrame({"id": ids[0], "time": series["time"].to_numpy(), "y": series["y"].to_numpy(float)})
    forecasts = []
    for first in range(start, len(frame), chunk):
        ends = range(first, min(first + chunk, len(frame)))
        histories = [(ids[0], frame.iloc[(end - rows if rows else 0):end].reset_index(drop=True), None)
                     for end in ends]
        forecasts.append(np.asarray(forecaster.predict_histories(histories), dtype=float)[:, 0])
    return np.concatenate(forecasts)


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _check_int(name: str, value, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ConfigTypeError(f"`{name}` must be an integer >= {minimum}. "
                              f"Received: {name}={value!r} ({type(value).__name__})")
    if value < minimum:
        raise ConfigError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")
    return int(value)


def _check_real(name: str, value, low: float, high: float, rule: str, open_low: bool = False,
                open_high: bool = False) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ConfigTypeError(f"`{name}` must be a number {rule}. Received: {name}={value!r} ({type(value).__name__})")
    value = float(value)
    below = value <= low if open_low else value < low
    above = value >= high if open_high else value > high
    if not math.isfinite(value) or below or above:
        raise ConfigError(f"`{name}` must be a number {rule}. Received: {name}={value!r}")
    return value
