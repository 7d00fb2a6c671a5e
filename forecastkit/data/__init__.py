"""Load and validate time-series data into a :class:`Panel`.

Everything that enters forecastkit passes through :func:`load_csv` or :func:`from_pandas`
exactly once. They accept wide tables (a time column and one column per variable), long
panels (an id column, a time column, the target and covariates) and pandas objects with a
time index, and return a :class:`Panel` whose guarantees the rest of the package relies on:

- timestamps parse, are unique and increasing per series, and lie on one regular grid
  (a pandas offset alias such as ``"MS"`` or an integer step) shared by all series;
- the target and numeric covariates are finite float64 numbers, categorical covariates
  (columns without any number) ``str`` labels (missing values and gaps are an error unless
  a ``fill`` policy is given);
- covariates play one role each: past-observed (``past_covariates``), known in the future
  (``future_covariates``, whose horizon values :func:`read_future` reads) or static
  (``static_covariates``, constant within each series);
- rows are sorted by series (in order of first appearance) then time.

Every violation raises :class:`~forecastkit.errors.DataError` (or ``ConfigError`` for a bad
argument) with a one-line message naming the file, column, line and value, and the fix.

The modules, in the order a table goes through them: ``options`` (the arguments),
``reading`` (CSV bytes to a string table with line numbers), ``columns`` (which column
plays which role), ``timestamps`` (the time column), ``values`` (numbers, missing values,
fill policies, labels), ``layout`` (one block per series, static covariates), ``frequency``
and ``timegrid`` (the shared grid and its gaps), ``loading`` (the two entry points),
``panel`` (the result), ``future`` (future covariate values for the horizon); ``messages``
says where in the input a problem is.

Examples
--------
>>> import pandas as pd
>>> sales = pd.Series([3.0, 4.0, 5.0], name="sales",
...                   index=pd.date_range("2024-01-01", periods=3, freq="MS"))
>>> panel = from_pandas(sales)
>>> panel.freq, panel.ids, panel.season_length()
('MS', ['sales'], 12)
"""

from .columns import TIME_NAMES
from .frequency import infer_frequency, season_length
from .future import read_future
from .loading import from_pandas, load_csv
from .panel import GLOBAL_ID, Panel
from .values import FILL_POLICIES, MAX_ABS_VALUE

__all__ = [
    "GLOBAL_ID",
    "FILL_POLICIES",
    "MAX_ABS_VALUE",
    "TIME_NAMES",
    "Panel",
    "from_pandas",
    "infer_frequency",
    "load_csv",
    "read_future",
    "season_length",
]
