"""Library messages in the command line's words: backticked setting names become flags.

Library errors speak Python (```validation` must be ...``); a command-line user set (or can
set) the same thing with a flag, so :func:`to_flags` rewrites the backticked names of known
settings into their flags. Names the user set in the config file stay as they are there.

Examples
--------
>>> to_flags("`validation` must be >= 0.2. Received: validation=0.1. Set `validation` to 0.2.")
'`--validation` must be >= 0.2. Received: validation=0.1. Set `--validation` to 0.2.'
>>> to_flags("Or set `skip_short` to True to leave such series out.")
'Or add `--skip-short` to leave such series out.'
>>> to_flags("A recursive forecast needs one output step. Use strategy='direct', or bag=1.")
'A recursive forecast needs one output step. Use `--strategy direct`, or `--bag 1`.'
>>> to_flags("Set `target` to one of them, or to several: use target='a,b'.")
'Set `--target` to one of them, or to several: use `--target a,b`.'
>>> to_flags("Set `folds` instead of `start`, or `mode='local'`.")
'Set `--folds` instead of `--start`, or `--local`.'
>>> to_flags("Choose one of `n_jobs` and `scheduler`.")
'Choose one of `--jobs` and `--scheduler`.'
>>> to_flags("`steps_per_epoch` of model 'mlp'; `resume=True` needs `out`; `units` from the file",
...          keep={"units"})
"`--steps-per-epoch` of model 'mlp'; `--resume` needs `--out`; `units` from the file"
"""

from __future__ import annotations

import re

from ..settings import commands_of, flag, setting_field, setting_names

_NAME = re.compile(r"`([a-z][a-z_]*)(=True)?`")
_SWITCH_ON = re.compile(r"\b([Ss])et `([a-z][a-z_]*)` to True\b")
_MODE = re.compile(r"`mode='(local|global)'`")
_USE_VALUE = re.compile(r"\b([Uu]se|or) ([a-z][a-z_]*)=('?)([A-Za-z0-9_,-]+(?:\.[0-9]+)?)\3")

#: Python argument names that differ from their setting's name (scikit-learn's ``n_jobs``).
PYTHON_NAMES = {"n_jobs": "jobs", "future": "future_data"}


def to_flags(message: str, keep=frozenset()) -> str:
    """``message`` with each backticked setting name (or ``name=True`` of a switch) as its flag,
    except the names in ``keep`` (settings the user gave in a config file)."""
    names = _flag_names()

    def switch_on(match: re.Match) -> str:  # a switch is a flag given, not set to a value
        name = match.group(2)
        if name not in names or name in keep or not isinstance(setting_field(name).default, bool):
            return match.group(0)
        return f"{'A' if match.group(1) == 'S' else 'a'}dd `{name}`"

    def use_value(match: re.Match) -> str:  # "Use strategy='direct'": the flag and its value
        name = match.group(2)
        if name not in names or name in keep:
            return match.group(0)
        return f"{match.group(1)} `{flag(name)} {match.group(4)}`"

    def replace(match: re.Match) -> str:
        name = PYTHON_NAMES.get(match.group(1), match.group(1))
        if name not in names or name in keep:
            return match.group(0)
        return f"`{flag(name)}`"

    if "mode" not in keep:  # mode is two switches on the command line
        message = _MODE.sub(r"`--\1`", message)
    return _NAME.sub(replace, _USE_VALUE.sub(use_value, _SWITCH_ON.sub(switch_on, message)))


def _flag_names() -> frozenset[str]:
    return frozenset(name for name in setting_names()
                     if commands_of(name) and not setting_field(name).metadata["flags"])  # not mode: --global/--local
