"""Write the example notebooks in notebooks/ and, with --execute, run them and save the outputs.

    python docs/make_notebooks.py              # write the five notebooks without outputs
    python docs/make_notebooks.py --execute    # ... then execute each (FULL settings) and save
    FORECASTKIT_QUICK=1 python docs/make_notebooks.py --execute --no-save   # time the quick run

The committed notebooks come from a full run (FORECASTKIT_QUICK unset). The test suite
(tests/test_notebooks.py) executes them with FORECASTKIT_QUICK=1, which selects the tiny
settings of each notebook's parameter cell. Every notebook reads its parameters from that
one cell, near the top, and keeps no state outside its own cells.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
QUICK_LINE = 'QUICK = os.environ.get("FORECASTKIT_QUICK") == "1"'


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


def parameters(body: str):
    """The one parameter cell: QUICK from the environment, then the settings it chooses."""
    return code(f"import os\n\n{QUICK_LINE}  # the test suite sets FORECASTKIT_QUICK=1\n{body.strip(chr(10))}")


QUICK_NOTE = """The parameter cell below is the only place settings live. The test suite runs every
notebook with `FORECASTKIT_QUICK=1`, which picks tiny settings so the notebook finishes in
well under a minute; the outputs you see were produced by a full run (variable unset)."""


# ----------------------------------------------------------------------------- 01 --
QUICKSTART = [
    md("""
# forecastkit quick start

Load a shipped dataset, fit a forecaster, forecast, compare with an honest baseline, plot,
save and reload. Everything here runs on a laptop CPU in about a minute.

""" + QUICK_NOTE),
    parameters("""
EPOCHS = 5 if QUICK else 300
"""),
    md("""
## Data

`datasets.load` returns a validated `Panel`: a long table (`id`, `time`, `y`) with its
frequency inferred. A single series is a panel of one. Your own CSV goes through
`forecastkit.load_csv(path, target=..., time=...)` and gets the same checks."""),
    code("""
from forecastkit import Forecaster, datasets

panel = datasets.load("airline")
print(f"{panel.n_series} series, {len(panel.frame)} rows, frequency {panel.freq!r}, "
      f"season length {panel.season_length()}, target {panel.target!r}")
panel.frame.tail()"""),
    md("""
## Hold out the last year

To see whether a model is any good, forecast a year we know. Any pandas DataFrame works as
input; here the shipped CSV read with pandas, minus its last 12 months. `fit` sees only this
training slice: the scaler and the log transform are learned from it alone."""),
    code("""
import pandas as pd

frame = pd.read_csv(datasets.path("airline"), parse_dates=["month"])
train, test = frame.iloc[:-12], frame.iloc[-12:]
train.tail(3)"""),
    md("""
Three models: the one-layer `linear` model, a two-layer LSTM (`stacked`) and the
`seasonal_naive` baseline (last year again). Training is silent: Keras' epoch logs appear
only with `verbose=2` (`verbose=1` draws one progress bar)."""),
    code("""
models = {
    "linear": Forecaster("linear", horizon=12, lookback=24, transform="log",
                         params={"epochs": EPOCHS, "learning_rate": 0.01}, seed=0),
    "stacked": Forecaster("stacked", horizon=12, lookback=24, transform="log",
                          params={"epochs": EPOCHS, "units": 32}, seed=0),
    "seasonal_naive": Forecaster("seasonal_naive", horizon=12),
}
forecasts = {name: model.fit(train, target="passengers").predict() for name, model in models.items()}
forecasts["linear"]"""),
    md("""
## How far off is each?

Mean absolute error over the held-out year. The seasonal naive forecast is the bar every
model has to clear."""),
    code("""
actual = test["passengers"].to_numpy()
errors = pd.Series({name: float(abs(f["yhat"].to_numpy() - actual).mean()) for name, f in forecasts.items()},
                   name="MAE").sort_values()
errors.to_frame()"""),
    md("""
`plot_forecast(history, forecast)` draws the history and every model in a forecast frame in
one call (`pd.concat` several forecasts into one frame). Here the history is the whole
series, so the held-out year shows in black under the forecasts."""),
    code("""
from forecastkit.plots import plot_forecast

fig = plot_forecast(panel, pd.concat(forecasts.values()), last=48,
                    title="Airline passengers: last 12 months held out")
fig.axes[0].axvline(test["month"].iloc[0], color="grey", linestyle=":");"""),
    md("""
## Forecast the future and keep the model

Refit the best model on all the data, forecast the next year, and save it. `save` writes
`model.keras` plus `metadata.json` (transform parameters, lookback, frequency, versions as
JSON, never pickle); `Forecaster.load` gives back the identical forecast.

`predict(level=(80,))` adds an 80% prediction interval as `yhat_lo_80` / `yhat_hi_80`
(native for the baselines; for neural models calibrated on the training windows held out
for early stopping: a 95% interval needs more of them, `params={"validation": 0.2}`), and
`plot_forecast` shades it."""),
    code("""
import tempfile

best = errors.index[0]
final = models[best].fit(panel)
future = final.predict(level=(80,))
with tempfile.TemporaryDirectory() as folder:
    final.save(folder)
    again = Forecaster.load(folder).predict(level=(80,))
assert again.equals(future)
print(f"best on the held-out year: {best}")
plot_forecast(panel, future, last=48)
future"""),
    md("""
Next: `02_compare_models` replaces this single hold-out year with a walk-forward evaluation
over many origins and tells whether the differences are significant."""),
]


# ----------------------------------------------------------------------------- 02 --
COMPARE = [
    md("""
# Which model forecasts best? A walk-forward comparison

One held-out year is one draw of luck. A walk-forward evaluation forecasts from many
origins: at each, every model is trained on what was known up to it and nothing else,
forecasts the next `horizon` steps, and is scored. The reference baselines (`naive`,
`seasonal_naive`, `naive2`, `ets`, `theta`, `arima`) run on the same origins.

We do it for every model in the zoo on two shipped datasets, monthly airline passengers
and yearly sunspot activity, then read the leaderboard, the significance verdict and the
error by horizon step.

""" + QUICK_NOTE),
    parameters("""
from forecastkit.models.registry import model_names

if QUICK:   # three neural models, two origins, one fit each, two epochs
    NEURAL, FOLDS, REFIT, EPOCHS = ["linear", "mlp", "vanilla"], 2, "never", 2
else:       # every neural model, 24 origins, a fresh fit every 12 origins
    NEURAL, FOLDS, REFIT, EPOCHS = model_names("neural"), 24, "every:12", 100
NEURAL
"""),
    md("""
## Airline passengers (monthly, horizon 12)

`walk_forward(data, models, WalkForward(...))` takes model names or configured
`Forecaster`s (here with a log transform, fit on each training slice alone). Displayed in
Jupyter, the result renders as the verdict and the leaderboard."""),
    code("""
from forecastkit import Forecaster, datasets
from forecastkit.evaluation import WalkForward, walk_forward


def compare(name, horizon, transform=None):
    models = {m: Forecaster(m, horizon=horizon, transform=transform, params={"epochs": EPOCHS})
              for m in NEURAL}
    splitter = WalkForward(horizon=horizon, folds=FOLDS, refit=REFIT)
    return walk_forward(datasets.load(name), models, splitter, seed=0)


airline = compare("airline", horizon=12, transform="log")
airline"""),
    md("""
The leaderboard is a DataFrame: every metric (MASE, sMAPE, OWA against Naive2, MAE, RMSE,
MAPE), the spread of the ranking metric across origins, and failed fits. MASE below 1 means
better than the in-sample seasonal naive forecast."""),
    code("""
airline.leaderboard("mase")"""),
    md("""
## Is the winner really better?

`significance()` runs Diebold-Mariano tests on the per-origin losses (sized for few,
overlapping origins: Coroneo & Iacone's fixed-smoothing variance) of every model against the
best, and the best against `seasonal_naive`. The verdict lines say it in words; the table
holds the statistics. With too few origins for the horizon (the quick settings) the test
says so instead of giving a p-value it cannot back."""),
    code("""
tables, verdict = airline.significance("mase")
print("\\n".join(verdict))
tables.head(8)"""),
    md("""
## Error by horizon step

Errors grow with the horizon; a model that wins at step 1 can lose at step 12. Rows are
models, columns horizon steps."""),
    code("""
airline.by_horizon("mase").loc[airline.leaderboard()["model"]].round(2)"""),
    code("""
airline.plot();"""),
    md("""
## Sunspots (yearly, horizon 10)

A different kind of series: yearly, no calendar season, an irregular ~11-year cycle and
zeros (so no log transform). The same call."""),
    code("""
sunspots = compare("sunspots", horizon=10)
sunspots"""),
    code("""
sunspots.by_horizon("mase").loc[sunspots.leaderboard()["model"]].round(2)"""),
    code("""
sunspots.plot();"""),
    md("""
## Both datasets side by side

MASE of every model on each dataset, and its rank there. A model worth using ranks well on
both."""),
    code("""
import pandas as pd

side = pd.concat({name: result.leaderboard("mase").set_index("model")[["mase", "rank"]]
                  for name, result in (("airline", airline), ("sunspots", sunspots))}, axis=1)
side[("mean rank", "")] = side.xs("rank", axis=1, level=1).mean(axis=1)
side.sort_values(("mean rank", "")).round(3)"""),
    md("""
The same comparison from the shell writes a run directory with the tidy results, the
leaderboard, the significance table and a self-contained HTML report
(`result.to_html("report.html")` from Python):

```bash
forecastkit evaluate --data sunspots --horizon 10 --folds 12 --out runs/sunspots
```"""),
]


# ----------------------------------------------------------------------------- 03 --
COVARIATES = [
    md("""
# Covariates: what is known when

`aus_accommodation` holds, for 8 Australian states, quarterly hotel **takings** (the target),
room **occupancy** and the **CPI**. Each covariate has a role, declared when the data is
loaded, that says when its values are known:

| role | argument / flag | known | here |
|---|---|---|---|
| past-observed | `past_covariates` / `--past-covariates` | up to the forecast origin | occupancy (measured with takings) |
| future-known | `future_covariates` / `--future-covariates` | over the horizon too | CPI (treated as planned: in practice an official projection) |
| calendar | `calendar=` / `--calendar` | always | the quarter (sin/cos) |
| static | `static_covariates` / `--static-covariates` | one value per series | – |

A future-known covariate needs its values over the horizon to forecast; a past-observed one
must never leak from the future. This notebook shows both.

""" + QUICK_NOTE),
    parameters("""
H = 4                                         # forecast a year of quarters
if QUICK:
    EPOCHS, FOLDS, REFIT = 2, 2, "never"
else:
    EPOCHS, FOLDS, REFIT = 200, 12, "every:4"
"""),
    md("""
## Load with roles

`datasets.load` accepts the loader's arguments; your own CSV takes the same ones
(`load_csv(path, id="state", target="takings", past_covariates="occupancy", future_covariates="cpi")`)."""),
    code("""
from forecastkit import Forecaster, datasets

panel = datasets.load("aus_accommodation", past_covariates=("occupancy",), future_covariates=("cpi",))
print(f"{panel.n_series} series x {min(panel.lengths.values())} quarters; past-observed {panel.covariates}, "
      f"future-known {panel.future_covariates}")
panel.frame.head()"""),
    md("""
## Forecast a held-out year with known future values

Hold out each state's last year. The model is a global `mlp` (one network for all states,
each state scaled on its own) with the quarter as a calendar feature. `predict(future=...)`
takes the future-known covariates over the horizon: a frame with `id`, `time` and `cpi`
(a CSV with `--future-data` on the command line). Without it, forecasting stops with an
error that says what is missing."""),
    code("""
history = panel.with_frame(panel.frame.groupby("id").head(-H))
held_out = panel.frame.groupby("id").tail(H)
future = held_out[["id", "time", "cpi"]]

model = Forecaster("mlp", horizon=H, calendar="quarter", params={"epochs": EPOCHS}, seed=0)
forecast = model.fit(history).predict(future=future)
forecast.head(8)"""),
    code("""
from forecastkit.errors import ForecastkitError

try:
    model.predict()
except ForecastkitError as err:
    print(f"{type(err).__name__}: {err}")"""),
    code("""
from forecastkit.plots import plot_forecast

plot_forecast(panel, forecast, last=16, max_series=8);"""),
    md("""
## A past covariate's future is never used

Occupancy is observed with takings, so when forecasting from an origin its values after
the origin are unknown. forecastkit feeds a past-observed covariate only on the history
rows of a window (its horizon rows are zero). Two checks:

1. Hand `predict` a future frame that also carries absurd occupancy values: they are
   ignored (only future-known columns are read), the forecast is identical.
2. A walk-forward evaluation with one origin per state, on the real data and on data whose
   occupancy after the origin is replaced by noise: identical forecasts. Replacing the CPI
   after the origin *does* change them, because CPI is declared known over the horizon and
   the model uses it."""),
    code("""
import numpy as np

poisoned = held_out[["id", "time", "cpi", "occupancy"]].assign(occupancy=1e6)
same = model.predict(future=poisoned)
assert same.equals(forecast)
print("absurd future occupancy -> identical forecast:", same.equals(forecast))"""),
    code("""
from forecastkit.evaluation import WalkForward, walk_forward

last_year = panel.frame.groupby("id").cumcount(ascending=False) < H   # rows after the single origin
rng = np.random.default_rng(0)


def with_noise(column):
    frame = panel.frame.copy()
    frame.loc[last_year, column] = rng.normal(frame[column].mean(), 50 * frame[column].std(), last_year.sum())
    return panel.with_frame(frame)


def one_origin(data):
    mlp = Forecaster("mlp", horizon=H, calendar="quarter", params={"epochs": EPOCHS})
    result = walk_forward(data, {"mlp": mlp}, WalkForward(horizon=H, folds=1), baselines=False, seed=0)
    return result.to_frame()["y_pred"].to_numpy()


real = one_origin(panel)
print("occupancy after the origin replaced by noise -> identical forecasts:",
      np.array_equal(real, one_origin(with_noise("occupancy"))))
print("CPI (future-known) after the origin replaced by noise -> forecasts change:",
      not np.array_equal(real, one_origin(with_noise("cpi"))))"""),
    md("""
## Do the covariates help?

A walk-forward over several origins: the same `mlp` with no covariates, with the quarter
only, and with occupancy, CPI and the quarter, against the baselines. The covariates are
declared on the data, so the variant without them runs on the panel loaded without them;
the two results share the baselines' origins and are compared on one table."""),
    code("""
import pandas as pd

splitter = WalkForward(horizon=H, folds=FOLDS, refit=REFIT)
params = {"epochs": EPOCHS}
plain = datasets.load("aus_accommodation", past_covariates=())
without = walk_forward(plain, {"mlp": Forecaster("mlp", horizon=H, params=params),
                               "mlp + quarter": Forecaster("mlp", horizon=H, calendar="quarter", params=params)},
                       splitter, seed=0)
with_covs = walk_forward(panel, {"mlp + occupancy, cpi, quarter": Forecaster("mlp", horizon=H, calendar="quarter",
                                                                             params=params)},
                         splitter, seed=0, baselines=False)
board = pd.concat([without.leaderboard("mase"), with_covs.leaderboard("mase")]).sort_values("mase")
# OWA is relative to the naive2 of the same run, which the second run leaves out: not shown
board.assign(rank=range(1, len(board) + 1)).drop(columns="owa").reset_index(drop=True)"""),
    md("""
Read the ranks, not the hopes: a covariate earns its place only if the variant with it ranks
above the one without, on the same origins. In the full run committed here every mlp variant
trails `arima`, `ets` and `theta`; the plain mlp ranks best of the three, the quarter makes it
worse and occupancy and CPI worse still: exactly what a walk-forward evaluation is for.
(`significance()` on each result says which gaps are beyond noise.)"""),
    md("""
From the shell, the same data and roles:

```bash
forecastkit evaluate --data aus_accommodation --past-covariates occupancy --future-covariates cpi \\
    --calendar quarter --models mlp --horizon 4 --folds 12
```

and to forecast the real future, `forecastkit forecast ... --future-data cpi_next_year.csv`."""),
]


# ----------------------------------------------------------------------------- 04 --
MANY = [
    md("""
# Many series: one global model or one per series?

`visnights` holds quarterly overnight trips (millions) to 20 Australian regions, 1998-2016.
With many short series there are two ways to train a neural model:

- **global** (`mode="global"`, the default, `--global`): one network trained on the windows of
  all series, each series scaled on its own. It sees 20 times more data.
- **local** (`mode="local"`, `--local`): one network per series, trained on that series alone.
- a global model can also learn a small vector per series (`id_embedding=D`,
  `--id-embedding D`), so it can treat regions differently while sharing what they have in
  common.

A walk-forward evaluation decides. In a global fit every series stops training before the
earliest cut-off of all series, so no series learns from another's future.

""" + QUICK_NOTE),
    parameters("""
H = 4
if QUICK:   # 4 regions, 2 origins, one fit, 2 epochs
    SERIES, FOLDS, REFIT, EPOCHS = 4, 2, "never", 2
else:       # all 20 regions, 12 origins, a fresh fit every 4 origins
    SERIES, FOLDS, REFIT, EPOCHS = 20, 12, "every:4", 200
"""),
    code("""
from forecastkit import Forecaster, datasets

full = datasets.load("visnights")
panel = full.with_frame(full.frame[full.frame["id"].isin(full.ids[:SERIES])])
print(f"{panel.n_series} series, {min(panel.lengths.values())} quarters each")
panel.frame.pivot(index="time", columns="id", values="y").tail()"""),
    code("""
panel.frame.pivot(index="time", columns="id", values="y").iloc[:, :8].plot(
    figsize=(10, 4), title="visnights: overnight trips (millions), first regions").legend(fontsize="small", ncol=4);"""),
    md("""
## Walk-forward: global, global with embedding, local

The same `mlp` architecture three ways, plus the baselines, on the same origins."""),
    code("""
from forecastkit.evaluation import WalkForward, walk_forward

params = {"epochs": EPOCHS}
models = {
    "mlp global": Forecaster("mlp", horizon=H, params=params),
    "mlp global + id embedding": Forecaster("mlp", horizon=H, id_embedding=4, params=params),
    "mlp local": Forecaster("mlp", horizon=H, mode="local", params=params),
}
result = walk_forward(panel, models, WalkForward(horizon=H, folds=FOLDS, refit=REFIT), seed=0)
result"""),
    code("""
result.leaderboard("mase")"""),
    md("""
## Per series

The leaderboard averages over regions. Which model wins each region? `forecastkit.metrics.score`
aggregates the tidy results table by any grouping."""),
    code("""
from forecastkit.metrics import score

per_series = score(result.results, result.scales, by=("model", "id"), metrics=("mase",)).pivot(
    index="id", columns="model", values="mase")
print("regions won:", per_series.idxmin(axis=1).value_counts().to_dict())
per_series.assign(best=per_series.idxmin(axis=1)).round(2)"""),
    code("""
result.by_horizon("mase").round(2)"""),
    md("""
## Forecast the next year for every region

Refit the best neural variant on all the data and plot. `plot_forecast` draws one panel per
series (up to `max_series`)."""),
    code("""
from forecastkit.plots import plot_forecast

board = result.leaderboard("mase")
best = next(m for m in board["model"] if m in models)
final = models[best].fit(panel)
forecast = final.predict()
print(f"best neural variant: {best}")
plot_forecast(panel, forecast, last=20, max_series=6);"""),
    md("""
From the shell:

```bash
forecastkit evaluate --data visnights --models mlp --horizon 4 --folds 12 --id-embedding 4
forecastkit forecast --data visnights --model mlp --local --horizon 4
```"""),
]

# ----------------------------------------------------------------------------- 05 --
LONG_LAG_FINDINGS = """
## What the saved runs show

- **Chrono gates bridge the lag; Keras' do not.** With `forget_init="chrono"` every cell uses
  the echo: echo skill 0.56 to 0.66 at L = 100, then 0.56 to 0.61 at L = 500 and 0.46 to 0.53
  at L = 1000 (`lstm` 0.51, `gru` 0.53) with 91 to 100% of the echo signs right, all but `indy`
  (diagonal recurrence, 209 weights), which falls behind there (0.19, 0.10). The same `lstm`
  with Keras' starting gates (forget bias 1, a memory of about 4 steps) scores about 0 at every
  lag, no better than the control `lstm (short)` that cannot see the event: in this budget it
  never finds the distant step. At L = 500 and 1000 the chrono cells' best weights mostly come
  from the last batch of the budget: they were still learning, so the budget, not the cell,
  sets the ~0.5 at L = 1000.
- **The adding problem** (the 1997 paper's experiment 4): every chrono cell solves T = 100 and
  T = 500 (at least 99% of 2,560 fresh sequences within 0.04) after 64,000 to 115,200 training
  sequences, 17 s to 5 min each on this shared machine; chrono `lstm` also solves the opt-in
  T = 1000. With Keras' gates `lstm` stays on the plateau of answering the mean (15 to 16%
  solved) after 128,000 to 192,000. The marked positions move from sequence to sequence: no
  fixed window weight can pick them out, a gated memory can.
- **At what cost.** A recurrent layer reads the window one step at a time: fitting a chrono
  cell took 14 to 27 s at L = 100, 1.5 to 3.2 min at 500 and 5 to 8 min at 1000, against
  3 to 11 s for `linear` and `mlp`, which read the whole window at once, and which score a
  higher echo skill at every lag (`linear` 0.94, 0.91, 0.66; `mlp` 0.89, 0.86, 0.79).
- **The price of the sampling.** Every model trained on batches 90% drawn from large-target
  windows (so the rare echoes get gradient) and none is reweighted back: the models that use the
  echo also answer to noise elsewhere. Over all test rows (echoes are 2% of them) the models that
  forecast about 0 (`lstm (keras init)`, `lstm (short)`) have the lowest MSE; at L = 1000
  `linear`, one weight per lookback row, does worst elsewhere (0.120 against 0.046 for `lstm`).
- **The lesson for forecasting.** When you know the lag (a season, a delivery delay), put it in
  the window of a linear model: here it is cheaper and catches the echo better than any
  recurrent cell (a long window also fits noise: keep it no longer than the lag needs). The
  LSTM earns its keep when the lag is not known, moves, or is longer than a window you can
  afford: its state carries the information with weights that do not grow with the lag (1,169
  at every L here, against 68,929 for `mlp` at L = 1000). Then start its gates with `forget_init="chrono"`: with Keras' default it learned no lag of even
  100 steps here.
"""

LSTM_FAMILY = [
    md("""
# The LSTM family: which cell, and can it bridge a long time lag?

Every recurrent builder (`vanilla`, `stacked`, `bidirectional`, `cnn_lstm`, `encoder_decoder`)
takes a `cell` hyperparameter that picks its recurrent cell:

- `lstm`, the default: Keras' own `LSTM` layer (no peepholes, fused kernels);
- `peephole`: the "vanilla" LSTM of Greff et al. (2015, *LSTM: A Search Space Odyssey*), with
  input, forget and output gates and peephole connections from the cell to the gates;
- Greff's eight variants of it, each changing one thing: `nig`, `nfg`, `nog` (no input, forget,
  output gate), `niaf`, `noaf` (no input, output activation), `np` (no peepholes), `cifg`
  (coupled input and forget gate, f = 1 - i), `fgr` (full gate recurrence);
- `indy`: IndyLSTM (Gonnet & Deselaers 2019), diagonal recurrent weights, so its size grows
  linearly with the units;
- `gru`: Keras' gated recurrent unit.

Pick one with `Forecaster(model="vanilla", params={"cell": "cifg"})`, on the command line
with `--cell cifg` (`forecastkit forecast --model vanilla --cell cifg`), or `cell = "cifg"` in
a config file. The `vanilla`, `stacked` and `bidirectional` builders also take
`forget_init="chrono"` (`--forget-init chrono`): the starting gates that let every cell bridge
lags of hundreds of steps, below.

""" + QUICK_NOTE),
    parameters("""
import sys

sys.path.insert(0, "../benchmarks")
import long_lag  # noqa: E402  (benchmarks/long_lag.py: its models, training budget and scoring)

LAG = 100                                  # the live long-lag case
if QUICK:   # a few hundred rows, a few batches, the default cell only
    SETTINGS, CELLS = {**long_lag.QUICK, "quick_steps": 6, "eval_every": 3, "margin": 10}, ["lstm"]
else:       # the settings of benchmarks/long_lag.py
    SETTINGS, CELLS = {**long_lag.FULL, "margin": 10}, list(long_lag.DEFAULT_CELLS)
if QUICK:   # the ablation: one cell beside the default, three origins, one tiny fit each
    ABLATION = {"cells": "gru", "folds": 3, "refit": "never", "params": {"units": 2, "epochs": 1}}
else:       # what `forecastkit ablation` runs with no arguments
    ABLATION = {"cells": "all", "folds": 24, "refit": "every:6", "params": None}
"""),
    md("""
## The cells and their sizes

Weights of one recurrent layer of 16 units reading one feature (`forecastkit models` prints
the same list). The peepholes start at 0, so `peephole` starts as its no-peephole twin `np`,
which computes what `lstm` computes."""),
    code("""
import pandas as pd

from forecastkit.models import cells

pd.DataFrame([{"cell": name, "weights (16 units)": cells.cell_parameters(name, inputs=1, units=16),
               "what it is": spec.description} for name, spec in cells.CELLS.items()]).set_index("cell")"""),
    code("""
from forecastkit import Forecaster
from forecastkit.models.recurrent import build_vanilla

model = build_vanilla((24, 1), 1, units=16, cell="cifg")
print(model.name, [layer.name for layer in model.layers], model.count_params(), "weights")
Forecaster("vanilla", params={"cell": "cifg", "units": 16}).check_params()"""),
    md("""
## Starting gates: Keras' or chrono

A unit's forget gate `f` decides how long its cell keeps a value: about `1 / (1 - f)` steps.
Keras starts every forget gate at bias 1 (`f` = 0.73, a memory of about 4 steps) and the
input gates at 0. The chrono initialisation (Tallec & Ollivier 2018, *Can recurrent neural
networks warp time?*) draws each unit's forget bias `b = log(u)`, `u ~ U(1, T - 1)`, and sets
its input bias to `-b`: unit by unit, memories of 2 to `T` steps that let in about `1/u` of each
input. `forget_init="chrono"` does it for every cell with the gates (Keras' `lstm` through a
registered initializer, the peephole family, `cifg`, `indy`, and the update gate of `gru`);
`chrono_max=T` sets the longest time scale, by default four times the lookback (memories longer
than the lag bridge it sooner than memories of just its length). The memory time scales of the
16 units of an `lstm` reading 1,010 steps:"""),
    code("""
import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots(figsize=(8, 2.5))
for init, color in (("keras", "tab:grey"), ("chrono", "tab:blue")):
    bias = np.asarray(build_vanilla((1010, 1), 1, units=16, forget_init=init).get_layer("lstm").cell.bias)
    memory = 1 + np.exp(bias[16:32])  # 1 / (1 - sigmoid(b)): the forget block is the second of i, f, c, o
    ax.scatter(memory, [init] * 16, color=color)
    print(f"{init:>6}: memory of {memory.min():.0f} to {memory.max():.0f} steps (median {np.median(memory):.0f})")
ax.set(xscale="log", xlabel="steps a unit's cell keeps a value at the start (1 / (1 - f))",
       title="forget_init: Keras' or chrono (chrono_max = 4 x lookback = 4040)");"""),
    md("""
## Long time lags: the echo task

The LSTM was invented to bridge long time lags (Hochreiter & Schmidhuber 1997); peepholes were
added to time events precisely (Gers, Schraudolph & Schmidhuber 2002). Does that help a
forecaster? `forecastkit.synthetic.long_lag_series(lag, length)` makes a series whose only
forecastable part lies exactly `lag` steps back: rare ±1 **events** (2% of the steps) that
come back at half size exactly `lag` steps later (**echoes**), over small Gaussian noise.
Between echoes there is nothing to forecast; at an echo, only a model that sees the step
`lag` back, and picks it out among the others, can."""),
    code("""
from forecastkit.synthetic import long_lag_series

start = LAG + SETTINGS["margin"] + SETTINGS["train"]       # rows the models are fit on
series = long_lag_series(LAG, start + SETTINGS["test"], components=True, **long_lag.SERIES)
print(f"{len(series)} rows; {(series['event'] != 0).sum()} events, {(series['echo'] != 0).sum()} echoes")
series.head()"""),
    code("""
first = int(series.index[(series["event"] != 0) & (series.index > 300)][0])
stretch = series.iloc[first - 20:first + LAG + 30]
fig, ax = plt.subplots(figsize=(10, 3))
ax.plot(stretch["time"], stretch["y"], color="black", linewidth=0.8)
for t, label in ((first, "event"), (first + LAG, f"its echo, {LAG} steps later")):
    ax.scatter([t], [series["y"][t]], color="tab:red", zorder=3)
    ax.annotate(label, (t, series["y"][t]), xytext=(6, 4), textcoords="offset points", color="tab:red")
ax.set(title=f"long_lag_series(lag={LAG}): an event and its echo (the other spikes: other events and echoes)",
       xlabel="time", ylabel="y");"""),
    md("""
Each model is fit once on the first `start` rows (the scaler too) and then forecasts each of
the next rows one step ahead from the rows before it (`one_step_forecasts`, batched calls of
`Forecaster.predict_histories`); the test rows never reach a fit. The models and the training
are `benchmarks/long_lag.py`'s (`long_lag.model_plan`, `long_lag.run_model`): the `naive`
baseline, `linear` and `mlp` with lookback `LAG + 10`, the `vanilla` builder with each cell at
the same lookback and chrono gates, `lstm (keras init)`, and the control `lstm (short)` whose
lookback (`LAG // 2`) cannot reach the event. Every neural model gets the same budget: Adam,
clipped gradients, batches of 128, at most a fixed number of them, and the same sampling: 90%
of each batch from the windows whose (observed) target is among the largest 5%, which holds
the events and the echoes, so the rare echoes get gradient. `echo_scores` scores the forecasts."""),
    code("""
steps = long_lag.budget(SETTINGS["steps"], LAG, SETTINGS)
forecasts, rows = {}, []
for entry in long_lag.model_plan(LAG, CELLS, SETTINGS, SETTINGS["margin"]):
    rows.append(long_lag.run_model(entry, series, start, SETTINGS, steps, forecasts))
live = pd.DataFrame(rows).set_index("model")
live[["lookback", "mse_echo", "mse_other", "echo_sign", "echo_skill", "fit_s", "steps"]].round(3)"""),
    md("""
`mse_echo` is the error at the echo steps (forecasting 0 there scores about 0.26),
`mse_other` elsewhere (the unforecastable events and noise: about 0.03 at best), `echo_sign`
the share of echoes forecast with the right sign (50% is a coin toss) and `echo_skill`
1 − `mse_echo` / (its value for a forecast of 0): 1 is every echo forecast exactly, 0 no use
of the lag; `steps` the batches trained. The forecasts around a few echoes of the test part:"""),
    code("""
test = series.iloc[start:].reset_index(drop=True)
echoes = test.index[test["echo"] != 0][:3]
fig, axes = plt.subplots(1, len(echoes), figsize=(12, 3), sharey=True, squeeze=False)
for ax, at in zip(axes[0], echoes):
    window = slice(max(at - 6, 0), at + 6)
    ax.plot(test["time"][window], test["y"][window], color="black", label="actual")
    for name in ("linear", "lstm", "lstm (keras init)", "lstm (short)"):
        ax.plot(test["time"][window], forecasts[name][window], marker=".", label=name)
    ax.axvline(test["time"][at], color="grey", linestyle=":")
    ax.set_title(f"echo at t = {test['time'][at]}")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
axes[0, 0].legend(fontsize="small");"""),
    md("""
## The saved full run: L = 100, 500 and 1000, and the adding problem

`benchmarks/long_lag.py` runs the same comparison for lags of 100, 500 and 1000 steps, and the
adding problem of the 1997 paper (experiment 4, `forecastkit.synthetic.adding_problem`: two
marked values among T to 1.1 T random ones, their sum read at the end; solved when 99% of
2,560 fresh sequences have an absolute error below 0.04) at T = 100 and 500. It saves its
results to `benchmarks/results/long_lag.json`; the tables below are read from that file (saved
runs of the full settings, not recomputed here; the file lists the runs its rows come from).
First the echo skill of each model at each lag:"""),
    code("""
import json
from pathlib import Path

saved = json.loads(Path("../benchmarks/results/long_lag.json").read_text())
for run in saved.get("runs", [saved | {"minutes": round(saved["seconds"] / 60, 1)}]):
    print(f"`{run['command']}`, {run['date']}: {run['minutes']} min on {run['machine']['cpus']} CPUs "
          f"(load average {run['machine']['load_start']} at the start)")
full = pd.DataFrame(saved["rows"])
full.pivot_table(index="model", columns="lag", values="echo_skill", sort=False).round(3)"""),
    md("""And what it cost: seconds to fit each model (training, held-out scoring and tracing)."""),
    code("""
full.pivot_table(index="model", columns="lag", values="fit_s", sort=False).round(0)"""),
    md("""The adding problem: the share of fresh sequences solved, and the training it took."""),
    code("""
adding = pd.DataFrame(saved["adding_rows"])
adding.set_index(["T", "model"])[["solved_share", "mse", "fit_s", "sequences_seen"]].round(4)"""),
    md(LONG_LAG_FINDINGS),
    md("""
## Ablation: every cell on your data

The long-lag series asks whether a cell *can* use a distant step. The everyday question is
which cell forecasts best on real data. Greff et al. found, over speech, handwriting and
music, that the forget gate and the output activation matter most, and that dropping the
peepholes (`np`) or coupling the gates (`cifg`) costs nothing. `forecastkit.ablation.ablation`
(the `forecastkit ablation` command) asks the same of your series: a walk-forward of one
builder with every cell on the same origins, beside `linear` and `seasonal_naive`, each cell
tested against the default `lstm` (Diebold-Mariano on the per-origin losses, Holm-adjusted
across the cells), with its weights and fit time. Here: `vanilla` on the airline series,
12 months ahead, what the command runs with no arguments."""),
    code("""
from forecastkit import datasets
from forecastkit.ablation import ablation
from forecastkit.evaluation import WalkForward

airline = datasets.load("airline")
study = ablation(airline, "vanilla", cells=ABLATION["cells"], params=ABLATION["params"],
                 splitter=WalkForward(horizon=12, folds=ABLATION["folds"], refit=ABLATION["refit"]))
study   # the table, best first, then the verdict"""),
    code("""study.plot();"""),
    md("""
How to read it:

- `vs_lstm_pct` is the cell's mean loss against the default's, in percent (negative: better);
  `p_holm` the Diebold-Mariano p-value, Holm-adjusted across the cells; `verdict` says
  `better` or `worse` only when that is below 5%.
- One seed per cell tests two *trained models*, not two architectures: a different seed alone
  moves the score. `np` computes exactly the default's equations with its own seed, so its
  distance from `lstm` is that noise; `repeats=3` (`--repeats 3`) trains every cell with three
  seeds and reports their spread (`sd`).
- The references put the cells in their place: on airline the `linear` model beats every
  cell, and the verdict says so."""),
]


NOTEBOOK_CELLS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_compare_models.ipynb": COMPARE,
    "03_covariates.ipynb": COVARIATES,
    "04_many_series.ipynb": MANY,
    "05_lstm_family.ipynb": LSTM_FAMILY,
}


def build(name: str) -> nbformat.NotebookNode:
    notebook = new_notebook(cells=NOTEBOOK_CELLS[name])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def execute(notebook: nbformat.NotebookNode, timeout: int = 3600) -> float:
    """Run the notebook in place in notebooks/ (as the test suite does); seconds taken."""
    from nbclient import NotebookClient

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    began = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--execute", action="store_true", help="execute and keep the outputs")
    parser.add_argument("--no-save", action="store_true", help="with --execute: only time the run")
    args = parser.parse_args(argv)
    names = args.names or list(NOTEBOOK_CELLS)
    quick = os.environ.get("FORECASTKIT_QUICK") == "1"
    if args.execute and quick and not args.no_save:
        parser.error("committed outputs come from a full run: unset FORECASTKIT_QUICK or pass --no-save")
    for name in names:
        notebook = build(name)
        if args.execute:
            seconds = execute(notebook)
            notebook.metadata["forecastkit"] = {"settings": "quick" if quick else "full",
                                                "seconds": round(seconds)}
            print(f"{name}: executed in {seconds:.0f} s ({'quick' if quick else 'full'} settings)", flush=True)
        if not args.no_save:
            nbformat.write(notebook, NOTEBOOKS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
