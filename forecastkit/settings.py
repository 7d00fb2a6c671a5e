"""Run settings, defined once: every setting's name, type and default.

The command line's flags, the TOML config keys and the Python defaults all derive from
:class:`RunSettings`, so a setting has one name and one default everywhere. ``None`` means
"resolved from the data" (e.g. ``horizon`` and ``season`` from the frequency).

Examples
--------
>>> DEFAULTS.folds, DEFAULTS.refit, DEFAULTS.horizon
(24, 'every:6', None)
>>> RunSettings(horizon=6).horizon
6
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class RunSettings:
    """Every run setting with its type and default (see the command line's ``--help``)."""

    data: str | None = None
    target: str | None = None
    time: str | None = None
    id: str | None = None
    past_covariates: str | None = None
    future_covariates: str | None = None
    static_covariates: str | None = None
    future_data: str | None = None
    calendar: str | None = None
    skip_short: bool = False
    mode: str = "global"
    id_embedding: int = 0
    model: str | None = None
    models: str | list | None = None
    horizon: int | None = None
    lookback: int | None = None
    freq: str | None = None
    fill: str | None = None
    season: int | None = None
    scaler: str = "standard"
    preprocess: str = "auto"
    transform: str | None = None
    deseason: str | None = None
    seasonal_difference: bool | None = None
    difference: bool | None = None
    out: str | None = None
    save_model: str | None = None
    from_run: str | None = None
    folds: int = 24
    stride: int = 1
    gap: int = 0
    window: str = "expanding"
    start: int | str | None = None
    refit: str = "every:6"
    warm_start: bool = False
    metric: str = "mase"
    level: str | int | float | list | None = None
    min_calibration: int = 10
    quantiles: str | float | list | None = None
    strategy: str = "direct"
    samples: int | None = None
    resume: bool = False
    fast_nondeterministic: bool = False
    no_baselines: bool = False
    seed: int = 0
    quiet: bool = False
    verbose: bool = False
    epochs: int | None = None
    units: int | None = None
    layers: int | None = None
    batch_size: int | None = None
    learning_rate: int | float | None = None
    patience: int | None = None
    dropout: int | float | None = None
    validation: int | float | None = None
    window_sample: int | None = None
    cell: str | None = None
    loss: str | None = None
    steps_per_epoch: int | None = None
    cells: str | list = "all"
    repeats: int = 1
    members: str | list | None = None
    bag: int = 1


#: The defaults of every setting.
DEFAULTS = RunSettings()


def setting_names() -> tuple[str, ...]:
    """Names of every run setting, in declaration order.

    Examples
    --------
    >>> setting_names()[:3]
    ('data', 'target', 'time')
    """
    return tuple(field.name for field in dataclasses.fields(RunSettings))
