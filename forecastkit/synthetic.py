"""Synthetic series with a known long time lag, and the score that tells who used it.

:func:`long_lag_series` makes a series whose only predictable part sits exactly ``lag``
steps back: rare random spikes (events) that come back, smaller, ``lag`` steps later
(echoes), over Gaussian noise. Between the echoes there is nothing to forecast, so a
model's error *at the echo steps* says whether it can see, and use, the value ``lag``
steps back; :func:`echo_scores` measures exactly that, and the error elsewhere for contrast.
This is the setting of the long-time-lag experiments that motivated the LSTM (Hochreiter &
Schmidhuber 1997; precise timing with peepholes, Gers, Schraudolph & Schmidhuber 2002),
recast as one-step-ahead forecasting of a plain univariate series.

:func:`adding_problem` makes the sequences of the 1997 paper's experiment 4 (the adding
problem: remember two marked values among ``T`` random ones and output their sum at the end),
and :func:`adding_scores` its success criterion (absolute error < 0.04).

:func:`one_step_forecasts` gives a fitted :class:`~forecastkit.Forecaster`'s one-step-ahead
forecasts over a test part (each from the rows before it, the model fit once on the rows
before the test part). Plain numpy / pandas, no Keras import of its own;
``benchmarks/long_lag.py`` and the notebook ``05_lstm_family`` use it.

:func:`hourly_panel` makes a seeded panel of realistic hourly load series (daily and weekly
seasonality, levels differing by orders of magnitude, mild trends and level shifts) of the
shape of M4 Hourly; ``benchmarks/defaults.py`` times ``forecastkit forecast`` on it.

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

from .checks import check_int
from .errors import ConfigError, ConfigTypeError, DataError
from .models.registry import get_spec

__all__ = ["adding_problem", "adding_scores", "echo_scores", "hourly_panel", "long_lag_series",
           "one_step_forecasts"]


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
    lag = check_int(lag, "lag", 1)
    length = check_int(length, "length", 1)
    if length <= lag:
        raise ConfigError(f"`length` must be > `lag` ({lag}): the series needs room for the echoes of its own "
                          f"events. Received: length={length}")
    events = _check_real("events", events, 0.0, 1.0, "in (0, 1)", open_low=True, open_high=True)
    noise = _check_real("noise", noise, 0.0, math.inf, ">= 0")
    echo = _check_real("echo", echo, 0.0, 1.0, "in (0, 1)", open_low=True, open_high=True)
    seed = check_int(seed, "seed", 0)
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
    needed = forecaster.lookback_ + forecaster.warmup() if neural else 1
    if rows is not None:
        rows = check_int(rows, "rows", needed)
    elif neural:
        rows = needed
    start = check_int(start, "start", rows or 1)
    if start >= len(series):
        raise ConfigError(f"`start` must be < len(series) ({len(series)}). Received: start={start}")
    chunk = check_int(chunk, "chunk", 1)
    frame = pd.DataFrame({"id": ids[0], "time": series["time"].to_numpy(), "y": series["y"].to_numpy(float)})
    forecasts = []
    for first in range(start, len(frame), chunk):
        ends = range(first, min(first + chunk, len(frame)))
        histories = [(ids[0], frame.iloc[(end - rows if rows else 0):end].reset_index(drop=True), None)
                     for end in ends]
        forecasts.append(np.asarray(forecaster.predict_histories(histories), dtype=float)[:, 0])
    return np.concatenate(forecasts)


def adding_problem(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem (Hochreiter & Schmidhuber 1997, experiment 4).

    Each step is a pair (value, marker). Values are drawn from U(-1, 1). Exactly two pairs
    are marked with 1: one of the first 10 (its value is ``X1``), then one of the first
    ``T/2 - 1`` pairs still unmarked (``X2``). The first and the final pair have marker -1
    (the first keeps 1 if marked, and a marked first pair has value 0, as in the paper); the
    others 0. The target, read at the sequence's end, is ``0.5 + (X1 + X2) / 4`` (the sum
    scaled into [0, 1]). Lengths are drawn from ``T`` to ``T + T // 10`` as in the paper; the
    shorter sequences are padded at the front with (0, 0) pairs, so every sequence ends at the
    last row (a recurrent model starting from the zero state stays there over the padding
    until its biases move: the marker -1 shows where a sequence starts). A sequence counts as
    solved when the absolute error of its output is below 0.04 (:func:`adding_scores`); the
    paper's criterion is 99% of 2,560 fresh sequences solved.

    Parameters
    ----------
    n : int
        Sequences, >= 1.
    T : int
        Minimal sequence length, >= 22 (the paper: 100, 500, 1000).
    seed : int, default 0
        Seed of the NumPy generator; the same seed gives the same sequences.

    Returns
    -------
    inputs : numpy.ndarray
        ``(n, T + T // 10, 2)`` float32: value and marker of each step.
    targets : numpy.ndarray
        ``(n,)`` float32, in [0, 1].

    Examples
    --------
    >>> inputs, targets = adding_problem(3, 100, seed=1)
    >>> inputs.shape, targets.shape
    ((3, 110, 2), (3,))
    >>> marked = inputs[..., 1] == 1
    >>> marked.sum(axis=1).tolist(), bool(np.allclose(targets, 0.5 + (inputs[..., 0] * marked).sum(axis=1) / 4))
    ([2, 2, 2], True)
    >>> float(inputs[0, -1, 1])   # the final pair's marker
    -1.0
    """
    n = check_int(n, "n", 1)
    T = check_int(T, "T", 22)
    rng = np.random.default_rng(seed)
    width = T + T // 10
    inputs = np.zeros((n, width, 2), np.float32)
    lengths = rng.integers(T, width + 1, n)
    values = rng.uniform(-1.0, 1.0, (n, width)).astype(np.float32)
    rows = np.arange(n)
    first = rng.integers(0, 10, n)  # X1: one of the first 10 pairs
    second = rng.integers(0, T // 2 - 1, n)  # X2: one of the first T/2 - 1 pairs other than X1
    second += second >= first
    marks = np.zeros((n, width), np.float32)
    marks[rows, width - lengths] = -1.0
    marks[:, -1] = -1.0
    for position in (first, second):
        marks[rows, width - lengths + position] = 1.0
        values[rows[position == 0], width - lengths[position == 0]] = 0.0
    inputs[..., 0] = np.where(np.arange(width) >= (width - lengths)[:, None], values, 0.0)
    inputs[..., 1] = marks
    targets = 0.5 + (inputs[..., 0] * (marks == 1.0)).sum(axis=1) / 4.0
    return inputs, targets.astype(np.float32)


def adding_scores(targets, outputs, tolerance: float = 0.04) -> dict:
    """Score adding-problem outputs: ``solved_share`` (absolute error < ``tolerance``, the
    paper's 0.04) and ``mse``.

    Examples
    --------
    >>> adding_scores([0.5, 0.7], [0.52, 0.6])
    {'solved_share': 0.5, 'mse': 0.0052}
    """
    targets, outputs = np.asarray(targets, float).ravel(), np.asarray(outputs, float).ravel()
    if len(targets) != len(outputs) or not len(targets):
        raise DataError(f"`outputs` must hold one value per target ({len(targets)}). Received: {len(outputs)}")
    error = np.abs(outputs - targets)
    return {"solved_share": float(np.mean(error < tolerance)), "mse": round(float(np.mean(error ** 2)), 10)}


#: Daily load shapes of :func:`hourly_panel`: (share of series, weekday bumps, weekend bumps,
#: log weekend level range). A bump is (peak hour, width in hours, height).
_HOURLY_KINDS = {
    "residential": (0.40, ((7.5, 1.5, 0.6), (19.5, 2.5, 1.0)), ((10.0, 2.5, 0.6), (19.5, 2.5, 1.0)), (0.0, 0.12)),
    "commercial": (0.35, ((9.0, 2.0, 1.0), (12.0, 2.0, 1.0), (15.0, 2.0, 1.0), (17.0, 1.5, 0.8)),
                   ((12.0, 3.0, 0.3),), (-0.5, -0.15)),
    "traffic": (0.25, ((8.0, 1.2, 1.0), (17.5, 1.6, 0.9), (13.0, 3.0, 0.4)), ((13.0, 3.5, 0.7),), (-0.3, -0.05)),
}


def hourly_panel(n_series: int = 414, length: int = 960, seed: int = 0) -> pd.DataFrame:
    r"""A panel of positive hourly load series with daily and weekly seasonality.

    Each series looks like the hourly electricity or traffic load of one meter or sensor
    (the defaults give the shape of the M4 Hourly set: 414 series of 960 hours, 40 days). For
    hour :math:`t` of series :math:`i`, with :math:`h(t)` the hour of the day and
    :math:`d(t)` the day of the week:

    .. math::

        \log y_{i,t} = \log L_i + a_i\, z_i\bigl(h(t), d(t)\bigr) + w_i\bigl(d(t)\bigr)
                       + b_i \frac{t}{T} + s_i\, [t \ge \tau_i] + u_{i,t},
        \qquad u_{i,t} = \phi_i u_{i,t-1} + \eta_{i,t}

    - :math:`L_i`, the series' level, is log-normal (median 1000, log sd 1.2), so the
      scales differ by orders of magnitude across series;
    - :math:`z_i`, the daily shape, is a sum of Gaussian bumps around peak hours, one of
      three kinds drawn per series (residential: a morning and a larger evening peak; commercial:
      a working-day plateau; traffic: two rush hours), each peak shifted, widened and
      scaled at random; weekends have their own, flatter shape (a later morning for
      residential series), and :math:`a_i \sim U(0.4, 1.2)` is the daily amplitude (in logs);
    - :math:`w_i(d)` lowers (commercial, traffic) or raises (residential) Saturday and,
      more, Sunday: with the weekend shape, the weekly (168-hour) cycle;
    - :math:`b_i \sim N(0, 0.1)` a mild trend over the :math:`T` = ``length`` hours, and with
      probability 0.25 a level shift :math:`s_i \sim N(0, 0.15)` at a random hour :math:`\tau_i`
      in the middle 70% of the series;
    - :math:`u_{i,t}`, the noise, an AR(1) with :math:`\phi_i \sim U(0.5, 0.9)` and marginal sd
      :math:`\sigma_i \sim U(0.03, 0.1)` (Gaussian innovations :math:`\eta`).

    The values are positive (a log-normal model) and every part is drawn from one NumPy
    generator seeded with ``seed``: the same arguments give the same frame.

    Parameters
    ----------
    n_series : int, default 414
        Series, >= 1; ids ``H001``, ``H002``, ... (zero-padded to sort in order).
    length : int, default 960
        Hours per series, >= 1; every series starts on Monday 2016-01-04 00:00.
    seed : int, default 0
        Seed of the NumPy generator, >= 0.

    Returns
    -------
    pandas.DataFrame
        Long format, ``n_series * length`` rows sorted by id then time: ``id`` (str), ``time``
        (hourly timestamps) and ``y`` (float, > 0). Load it with
        ``from_pandas(frame, id="id")`` or write it to CSV for ``forecastkit ... --id id``.

    Raises
    ------
    ConfigTypeError, ConfigError
        An argument of the wrong type or out of its range, named with the value received.

    Examples
    --------
    >>> frame = hourly_panel(n_series=3, length=24 * 14, seed=1)
    >>> frame.shape, frame["id"].unique().tolist(), bool((frame["y"] > 0).all())
    ((1008, 3), ['H001', 'H002', 'H003'], True)
    >>> frame["time"].iloc[[0, 1, -1]].astype(str).tolist()
    ['2016-01-04 00:00:00', '2016-01-04 01:00:00', '2016-01-17 23:00:00']
    >>> y = frame.loc[frame["id"] == "H001", "y"].to_numpy()
    >>> bool(np.corrcoef(y[:-24], y[24:])[0, 1] > 0.5)      # a day apart: alike
    True
    >>> from forecastkit import from_pandas
    >>> panel = from_pandas(hourly_panel(n_series=2, length=500), id="id")
    >>> panel.n_series, panel.freq, panel.season_length()
    (2, 'h', 24)
    """
    n_series = check_int(n_series, "n_series", 1)
    length = check_int(length, "length", 1)
    seed = check_int(seed, "seed", 0)
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    hour, weekday = t % 24, (t // 24) % 7
    weekend = weekday >= 5
    names = list(_HOURLY_KINDS)
    kinds = rng.choice(len(names), size=n_series, p=[_HOURLY_KINDS[k][0] for k in names])
    hours = np.arange(24.0)
    log_y = np.empty((n_series, length))
    for i in range(n_series):
        _, weekday_bumps, weekend_bumps, (low, high) = _HOURLY_KINDS[names[kinds[i]]]
        shift = rng.normal(0.0, 0.5)  # the series' peaks come a little earlier or later
        shapes = []
        for bumps in (weekday_bumps, weekend_bumps):
            widths = rng.uniform(0.8, 1.25, len(bumps))
            heights = rng.uniform(0.7, 1.3, len(bumps))
            shape = np.zeros(24)
            for (peak, width, height), w, g in zip(bumps, widths, heights):
                distance = (hours - peak - shift + 12.0) % 24.0 - 12.0  # hours on the clock circle
                shape += height * g * np.exp(-0.5 * (distance / (width * w)) ** 2)
            shapes.append(shape)
        centre, spread = shapes[0].mean(), np.ptp(shapes[0])  # weekday shape: mean 0, range 1
        daily = [(shape - centre) / spread for shape in shapes]
        saturday = rng.uniform(low, high)
        week = np.array([0, 0, 0, 0, 0, saturday, saturday + rng.uniform(0.0, 0.5) * (low + high)])
        seasonal = rng.uniform(0.4, 1.2) * np.where(weekend, daily[1][hour], daily[0][hour]) + week[weekday]
        trend = rng.normal(0.0, 0.1) * t / length
        if rng.random() < 0.25:
            trend = trend + rng.normal(0.0, 0.15) * (t >= rng.integers(int(0.15 * length), int(0.85 * length) + 1))
        log_y[i] = np.log(1000.0) + rng.normal(0.0, 1.2) + seasonal + trend
    phi = rng.uniform(0.5, 0.9, n_series)
    sigma = rng.uniform(0.03, 0.1, n_series)
    noise = rng.standard_normal((n_series, length)) * (sigma * np.sqrt(1 - phi ** 2))[:, None]
    noise[:, 0] = rng.standard_normal(n_series) * sigma  # start in the stationary distribution
    for step in range(1, length):
        noise[:, step] += phi * noise[:, step - 1]
    width = len(str(n_series))
    return pd.DataFrame({
        "id": np.repeat([f"H{i + 1:0{max(width, 3)}d}" for i in range(n_series)], length),
        "time": np.tile(pd.date_range("2016-01-04", periods=length, freq="h").to_numpy(), n_series),
        "y": np.exp(log_y + noise).ravel(),
    })


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else math.nan


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
