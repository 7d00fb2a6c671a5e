"""Search spaces: a range or a choice list beside every tunable setting's default.

Every hyperparameter of every neural model (the builder's own and the training settings of
:data:`~forecastkit.models.registry.TRAINING`) and the preprocessing settings of a
:class:`~forecastkit.Forecaster` (:data:`PREPROCESSING`: lookback, scaler, transforms) has a
space here: a :class:`Range` of integers or floats (``log`` for scale-like values) or a
:class:`Choice`. ``forecastkit models`` lists them beside the defaults. A search
(:func:`forecastkit.tune`, ``evaluate --tune``) explores :data:`SEARCHED` by default: the
architecture, the learning rate, the batch size and the lookback. ``space`` changes that:

- ``"units=8:64"``, ``"learning_rate=1e-4:1e-2:log"``: a range (``low < high``);
- ``"cell=lstm|gru"``: a choice list;
- ``"dropout=0.1"``: one value, fixed (not searched);
- ``"patience"``: the listed space of a setting not searched by default.

In Python ``space`` may also be a dict: ``{"units": (8, 64), "learning_rate": (1e-4, 1e-2, "log"),
"cell": ["lstm", "gru"], "dropout": 0.1}`` (a tuple is a range, a list a choice, a scalar fixed;
a string is read as above).

The lookback's listed space is relative, :class:`Lookback` multiples of ``max(season,
horizon, 5)``, resolved from the data by the search. Nothing here imports Keras or Optuna.

Examples
--------
>>> plan = search_plan(get_spec("mlp"), "units=8:64,learning_rate=1e-4:1e-2:log,loss=huber")
>>> {name: str(space) for name, space in plan.searched.items()}["units"], plan.fixed
('8:64', {'loss': 'huber'})
>>> str(plan.searched["learning_rate"]), sorted(plan.searched)[:3]
('0.0001:0.01:log', ['batch_size', 'layers', 'learning_rate'])
>>> search_plan(get_spec("vanilla"), "cell=lstm|GRU").searched["cell"].values
('lstm', 'gru')
"""

from __future__ import annotations

import difflib
import numbers
from dataclasses import dataclass, field

from ..errors import ConfigError, ConfigTypeError
from .cells import CELL_NAMES
from .registry import LOSSES, Hyper, ModelSpec, get_spec


@dataclass(frozen=True)
class Range:
    """Integers or floats from ``low`` to ``high`` (both included), ``log``: sampled on a log scale."""

    low: int | float
    high: int | float
    log: bool = False

    def __str__(self) -> str:
        return f"{_text(self.low)}:{_text(self.high)}" + (":log" if self.log else "")

    @property
    def integer(self) -> bool:
        return isinstance(self.low, int) and isinstance(self.high, int)

    def contains(self, value) -> bool:
        return isinstance(value, numbers.Real) and self.low <= value <= self.high


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (strings, numbers or booleans)."""

    values: tuple

    def __str__(self) -> str:
        return "|".join(_text(v) for v in self.values)

    def contains(self, value) -> bool:
        return any(value == v and type(value) is type(v) for v in self.values)


@dataclass(frozen=True)
class Lookback:
    """The lookback's listed space: ``low`` to ``high`` multiples of ``max(season, horizon, 5)``,
    resolved to a :class:`Range` of rows by :meth:`rows` (capped at what the data allows)."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"{_text(self.low)}x:{_text(self.high)}x max(season, horizon, 5)"

    def rows(self, base: int, cap: int) -> Range:
        """The range of rows for ``base = max(season, horizon, 5)``, at most ``cap`` rows.

        Examples
        --------
        >>> str(Lookback(0.5, 3).rows(12, cap=20)), str(Lookback(0.5, 3).rows(12, cap=4))
        ('6:20', '3:4')
        """
        high = max(2, min(round(self.high * base), cap))
        low = max(1, min(round(self.low * base), high - 1))
        return Range(low, high)


#: The preprocessing settings a search can set (Forecaster arguments, not ``params``).
PREPROCESSING = ("lookback", "scaler", "preprocess", "transform", "deseason", "difference", "seasonal_difference")

#: The listed space of every tunable setting, by name (shared by every model that has it).
SPACES = {
    # the builders' hyperparameters
    "units": Range(8, 256, log=True),
    "layers": Range(1, 4),
    "dropout": Range(0.0, 0.5),
    "cell": Choice(CELL_NAMES),
    "l2": Choice((0.0, 0.3, 1.0, 3.0, 10.0)),
    "filters": Range(8, 128, log=True),
    "kernel_size": Range(2, 7),
    "chrono_max": Choice((0, 16, 64, 256)),
    # the training settings
    "epochs": Range(20, 300, log=True),
    "batch_size": Choice((0, 16, 32, 64, 128)),
    "learning_rate": Range(1e-4, 3e-2, log=True),
    "patience": Range(5, 30),
    "validation": Range(0.05, 0.3),
    "window_sample": Choice((0, 16, 64, 256)),
    "loss": Choice(LOSSES),
    "steps_per_epoch": Choice((0, 25, 50, 100)),
    # the preprocessing settings
    "lookback": Lookback(0.5, 3.0),
    "scaler": Choice(("standard", "minmax", "window_last", "window_mean", "window_steps")),
    "preprocess": Choice(("auto", "none")),
    "transform": Choice(("none", "log", "boxcox")),
    "deseason": Choice(("none", "classical", "stl")),
    "difference": Choice((False, True)),
    "seasonal_difference": Choice((False, True)),
}

#: What a search explores unless ``space`` says otherwise: the architecture, the step size and
#: the window. The rest keep their defaults: the recurrent cell (Greff et al. found no variant
#: better than the LSTM; ``forecastkit ablation`` compares them on your data) and dropout (its
#: fits cannot train fold-parallel, so each trial would cost several times more).
SEARCHED = ("units", "layers", "l2", "filters", "kernel_size", "learning_rate", "batch_size", "lookback")

#: Settings whose values change the units of the held-out loss (its kind, its windows or the
#: target's scale): with one of them searched, trials' epoch losses do not compare, so no pruning.
INCOMPARABLE_LOSSES = ("loss", "validation", "scaler", "preprocess", "transform", "deseason", "difference",
                       "seasonal_difference")


def space_of(name: str, hyper: Hyper | None = None):
    """The listed space of setting ``name`` (a string hyperparameter without one: its choices),
    or None when it has none.

    Examples
    --------
    >>> str(space_of("units")), str(space_of("cell")).split("|")[:2]
    ('8:256:log', ['lstm', 'peephole'])
    """
    if name in SPACES:
        return SPACES[name]
    if hyper is not None and hyper.kind is str and hyper.choices:
        return Choice(tuple(hyper.choices))
    return None


def tunable(spec: ModelSpec) -> dict:
    """``{name: listed space}`` of every setting a search can set on the model of ``spec``
    (empty for baselines and ensembles).

    Examples
    --------
    >>> sorted(tunable(get_spec("linear")))[:4], tunable(get_spec("naive"))
    (['batch_size', 'deseason', 'difference', 'epochs'], {})
    """
    if spec.kind != "neural":
        return {}
    spaces = {h.name: space_of(h.name, h) for h in spec.all_hypers}
    spaces.update({name: SPACES[name] for name in PREPROCESSING})
    return {name: space for name, space in spaces.items() if space is not None}


@dataclass(frozen=True)
class Plan:
    """What a search sets: ``searched`` (name -> :class:`Range`, :class:`Choice` or
    :class:`Lookback`) and ``fixed`` (name -> value ``space`` fixed)."""

    model: str
    searched: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)

    @property
    def prunable(self) -> bool:
        """Whether trials' held-out epoch losses compare (see :data:`INCOMPARABLE_LOSSES`)."""
        return not any(name in self.searched for name in INCOMPARABLE_LOSSES)

    def describe(self) -> str:
        """``"units=8:256:log, ..."``: the searched spaces, then the fixed values."""
        parts = [f"{name}={space}" for name, space in self.searched.items()]
        return ", ".join(parts + [f"{name}={_text(value)}" for name, value in self.fixed.items()])


def search_plan(spec: ModelSpec, space=None, given=(), strict: bool = True) -> Plan:
    """The :class:`Plan` of a search on the model of ``spec``.

    By default the model's settings in :data:`SEARCHED`, except those in ``given`` (names the
    user set: a given value is kept); ``space`` (text or dict, see the module notes) then adds,
    narrows or fixes settings; it wins over ``given``. ``strict=False`` skips the names of
    ``space`` the model does not have (``evaluate`` tunes several models with one ``space``).

    Raises
    ------
    ConfigError
        The model has nothing to tune; a name it does not have (``strict``); an empty or
        inverted range; a value outside the setting's allowed values.
    """
    spaces = tunable(spec)
    if not spaces:
        raise ConfigError(f"Model '{spec.name}' has no hyperparameters to tune ({spec.kind}). Tune a neural model: "
                          f"{', '.join(n for n in _neural_names())}.")
    searched = {name: spaces[name] for name in SEARCHED if name in spaces and name not in given}
    fixed = {}
    for name, value in parse_space(space).items():
        if name not in spaces:
            if strict:
                raise ConfigError(_unknown(name, spec, spaces))
            continue
        checked = _checked(spec, name, value, spaces[name])
        searched.pop(name, None)
        if isinstance(checked, (Range, Choice, Lookback)):
            searched[name] = checked
        else:
            fixed[name] = checked
    return Plan(spec.name, searched, fixed)


def check_space(space, models) -> None:
    """Check ``space`` against the models to tune (names of neural models): every name must
    belong to at least one of them, every range and value must be valid for each that has it.

    Examples
    --------
    >>> check_space("units=8:64", ["linear", "mlp"])
    >>> check_space("units=64:8", ["mlp"])
    Traceback (most recent call last):
    ...
    forecastkit.errors.ConfigError: `space` range units=64:8 is empty or inverted: give low:high with low < high.
    """
    specs = [get_spec(name) for name in models]
    for spec in specs:
        search_plan(spec, space, strict=False)
    known = set().union(*(tunable(spec) for spec in specs)) if specs else set()
    for name in parse_space(space):
        if name not in known:
            raise ConfigError(_unknown(name, specs[0], known, several=[s.name for s in specs]))


def parse_space(space) -> dict:
    """``space`` (text, dict or None) as ``{name: entry}``, each entry still unchecked: text
    (``"8:64"``, ``"lstm|gru"``, ``"0.1"``), ``None`` for a bare name (its listed space), or
    a Python value (tuple: range, list: choice, scalar: fixed).

    Examples
    --------
    >>> parse_space("units=8:64, cell=lstm|gru ,patience")
    {'units': '8:64', 'cell': 'lstm|gru', 'patience': None}
    """
    if space is None or space == "":
        return {}
    if isinstance(space, dict):
        return {str(name).replace("-", "_"): value for name, value in space.items()}
    if not isinstance(space, str):
        raise ConfigTypeError("`space` must be text such as 'units=8:64,learning_rate=1e-4:1e-2:log,cell=lstm|gru' "
                              f"or a dict. Received: space={space!r} ({type(space).__name__})")
    entries = {}
    for item in (part.strip() for part in space.split(",")):
        if not item:
            continue
        name, _, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not name or ("=" in item and not value.strip()):
            raise ConfigError(f"`space` entry {item!r} must be name=low:high[:log], name=a|b|c, name=value or a "
                              f"bare name. Received: space={space!r}")
        if name in entries:
            raise ConfigError(f"`space` names {name!r} twice. Received: space={space!r}")
        entries[name] = value.strip() if "=" in item else None
    return entries


def _checked(spec: ModelSpec, name: str, value, listed):
    """One ``space`` entry as a Range, Choice or Lookback (searched) or a checked value (fixed)."""
    if value is None:
        return listed
    if isinstance(value, str):
        if ":" in value:
            parts = value.split(":")
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2].strip().lower() != "log"):
                raise ConfigError(f"`space` range {name}={value} must be low:high or low:high:log.")
            low, high = (_number(spec, name, part.strip(), value) for part in parts[:2])
            return _range(spec, name, low, high, len(parts) == 3, f"{name}={value}")
        if "|" in value:
            return _choice(spec, name, [_scalar(spec, name, part.strip()) for part in value.split("|")], value)
        return _value(spec, name, _scalar(spec, name, value))
    if isinstance(value, tuple):
        if len(value) not in (2, 3) or (len(value) == 3 and value[2] != "log"):
            raise ConfigError(f"`space` range {name}={value!r} must be (low, high) or (low, high, 'log').")
        return _range(spec, name, value[0], value[1], len(value) == 3, f"{name}={value!r}")
    if isinstance(value, list):
        return _choice(spec, name, value, value)
    return _value(spec, name, value)


def _range(spec: ModelSpec, name: str, low, high, log: bool, shown: str) -> Range:
    kind = _kind(spec, name)
    if kind not in (int, float):
        raise ConfigError(f"`space` {name} takes a choice list such as {name}={SPACES[name]}, not a range. "
                          f"Received: {shown}")
    for end in (low, high):
        if isinstance(end, bool) or not isinstance(end, numbers.Integral if kind is int else numbers.Real):
            raise ConfigTypeError(f"`space` range {shown}: {name} takes {'integers' if kind is int else 'numbers'}. "
                                  f"Received: {end!r}")
    if not low < high:
        raise ConfigError(f"`space` range {shown} is empty or inverted: give low:high with low < high.")
    if log and low <= 0:
        raise ConfigError(f"`space` range {shown}: a log range needs low > 0.")
    low, high = _value(spec, name, low), _value(spec, name, high)
    return Range(int(low), int(high), log) if kind is int else Range(float(low), float(high), log)


def _choice(spec: ModelSpec, name: str, values, shown) -> Choice:
    checked = tuple(dict.fromkeys(_value(spec, name, v) for v in values))
    if len(checked) < 2:
        raise ConfigError(f"`space` choice {name}={shown} lists one value: give two or more (a|b), or fix it "
                          f"with {name}=value.")
    return Choice(checked)


def _value(spec: ModelSpec, name: str, value):
    """``value`` checked as setting ``name`` of the model (the registry's rules, or the
    preprocessing setting's choices)."""
    hypers = {h.name: h for h in spec.all_hypers}
    if name in hypers:
        return hypers[name].check(spec.name, value)
    if name == "lookback":
        from ..checks import check_int

        return check_int(value, "lookback", 1)
    listed = SPACES[name]
    allowed = listed.values + (("none",) if name == "scaler" else ())
    if not any(value == v and type(value) is type(v) for v in allowed):
        raise ConfigError(f"`space` value {name}={_text(value)!s} is not one of: {', '.join(map(_text, allowed))}.")
    return value


def _number(spec: ModelSpec, name: str, text: str, shown: str):
    try:
        return int(text) if _is_int(text) else float(text)
    except ValueError:
        raise ConfigError(f"`space` range {name}={shown} must be two numbers (low:high). Received: {text!r}") from None


def _scalar(spec: ModelSpec, name: str, text: str):
    """A value written in ``space`` text, typed as setting ``name`` takes it."""
    kind = _kind(spec, name)
    if kind is bool:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ConfigError(f"`space` value {name}={text}: {name} takes true or false.")
    if kind is str:
        return text
    try:
        return int(text) if _is_int(text) and kind is int else float(text)
    except ValueError:
        raise ConfigError(f"`space` value {name}={text} must be a number.") from None


def _kind(spec: ModelSpec, name: str) -> type:
    """The type of setting ``name``'s values: the hyperparameter's, int for the lookback, else
    the type of its listed choices."""
    for h in spec.all_hypers:
        if h.name == name:
            return h.kind
    if name == "lookback":
        return int
    return type(SPACES[name].values[0])


def _is_int(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _unknown(name: str, spec: ModelSpec, known, several=None) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    owner = f"the models tuned ({', '.join(several)})" if several and len(several) > 1 else f"model '{spec.name}'"
    return (f"Unknown parameter {name!r} in `space`: {owner} can search {', '.join(known)} "
            f"(see `forecastkit models`).{hint}")


def _neural_names():
    from .registry import model_names

    return model_names("neural")
