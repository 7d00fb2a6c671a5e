"""M4 Weekly training-period validation: settings compared without ever seeing the test weeks.

Each M4 Weekly training series loses its last 13 weeks; every candidate is fit (global, seed 0,
season 1, horizon 13) on what is left and scored on those 13 weeks by OWA against naive2 of the
same split (sMAPE and MASE as in M4, the code of ``benchmarks/m4_weekly.py``). This is the
evidence behind ``batch_size=0`` (``benchmarks/results/defaults.md``, "Batch size"); the test
weeks (``Weekly-test.csv``) are never read.

Each argument is one candidate as JSON: ``name`` (a label), ``model`` (default ``mlp``),
``lookback``, any Forecaster argument (``scaler``, ``transform``, ``difference``, ``deseason``,
``preprocess``, ``bag``, ``distribution``, ``season``) and any hyperparameter (``batch_size``,
``steps_per_epoch``, ...).

Usage::

    python benchmarks/m4_validation.py '{"name": "mlp defaults"}' '{"name": "mlp batch 32", "batch_size": 32}'
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import m4_weekly as m4  # noqa: E402  (read_m4, to_panel, score, with_owa)

from forecastkit import Forecaster  # noqa: E402

DATA = HERE.parent.parent / "shared" / "data" / "m4" / "Weekly-train.csv"
ARGUMENTS = ("scaler", "transform", "difference", "deseason", "preprocess", "bag", "members", "distribution")


def forecasts(train: dict, candidate: dict) -> tuple[np.ndarray, float, Forecaster]:
    """The 13-week forecasts of every series by ``candidate``, the seconds, the fitted forecaster."""
    candidate = dict(candidate)
    model, lookback = candidate.pop("model", "mlp"), candidate.pop("lookback", None)
    season = candidate.pop("season", 1)
    arguments = {k: candidate.pop(k) for k in ARGUMENTS if k in candidate}
    began = time.perf_counter()
    forecaster = Forecaster(model, horizon=m4.HORIZON, season=season, lookback=lookback, params=candidate or None,
                            seed=0, **arguments).fit(m4.to_panel(train))
    frame = forecaster.predict()
    by_id = {sid: part.sort_values("time")["yhat"].to_numpy() for sid, part in frame.groupby("id")}
    return np.stack([by_id[sid] for sid in train]), time.perf_counter() - began, forecaster


def main(argv: list[str]) -> int:
    full = m4.read_m4(DATA)
    train = {sid: y[:-m4.HORIZON] for sid, y in full.items()}
    actual = np.stack([y[-m4.HORIZON:] for y in full.values()])
    reference = m4.score(actual, forecasts(train, {"model": "naive2"})[0], train)
    for text in argv:
        candidate = json.loads(text)
        name = candidate.pop("name", text)
        predicted, seconds, forecaster = forecasts(train, candidate)
        scores = m4.with_owa(m4.score(actual, predicted, train), reference)
        print(f"{name}: OWA {scores['OWA']:.3f} sMAPE {scores['sMAPE']:.3f} MASE {scores['MASE']:.3f} "
              f"({seconds:.0f} s; lookback {forecaster.lookback_}, batch "
              f"{getattr(forecaster, 'hyper_', {}).get('batch_size', '-')}, {getattr(forecaster, 'preprocess_', '')})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
