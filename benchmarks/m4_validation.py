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

``--blocks B --horizon H --season S --min-length N`` scores a coarser panel made of the same
training series instead: each summed over blocks of ``B`` weeks (aligned to its end; series of
fewer than ``N`` blocks left out), its last ``H`` blocks held out, MASE scaled at season ``S``
(e.g. 13-week blocks: a quarterly-like panel, horizon 8, season 4). ``--dated`` gives the candidates
weekly dates (``m4_weekly.to_panel(dated=True)``), as ``defaults.py`` does, so a candidate without
``season`` takes the frequency's, 52; the naive2 reference and the MASE scale stay at ``--season``.

Usage::

    python benchmarks/m4_validation.py '{"name": "mlp defaults"}' '{"name": "mlp batch 32", "batch_size": 32}'
    python benchmarks/m4_validation.py --blocks 13 --horizon 8 --season 4 --min-length 24 \
        '{"name": "mlp"}' '{"name": "mlp L8", "lookback": 8}'
"""

from __future__ import annotations

import argparse
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


def forecasts(train: dict, candidate: dict, horizon: int = m4.HORIZON, season: int = 1, dated: bool = False
              ) -> tuple[np.ndarray, float, Forecaster]:
    """The ``horizon``-step forecasts of every series by ``candidate``, the seconds, the fitted forecaster;
    ``dated``: the series given weekly dates and the season left to their frequency (52)."""
    candidate = dict(candidate)
    model, lookback = candidate.pop("model", "mlp"), candidate.pop("lookback", None)
    season = candidate.pop("season", None if dated else season)
    arguments = {k: candidate.pop(k) for k in ARGUMENTS if k in candidate}
    began = time.perf_counter()
    forecaster = Forecaster(model, horizon=horizon, season=season, lookback=lookback, params=candidate or None,
                            seed=0, **arguments).fit(m4.to_panel(train, dated))
    frame = forecaster.predict()
    by_id = {sid: part.sort_values("time")["yhat"].to_numpy() for sid, part in frame.groupby("id")}
    return np.stack([by_id[sid] for sid in train]), time.perf_counter() - began, forecaster


def blocks(full: dict, width: int, min_length: int) -> dict:
    """Each series summed over blocks of ``width`` weeks, aligned to its end; those with fewer
    than ``min_length`` blocks left out."""
    out = {}
    for sid, y in full.items():
        n = len(y) // width
        if n >= min_length:
            out[sid] = y[len(y) - n * width:].reshape(n, width).sum(axis=1)
    return out


def score(actual: np.ndarray, predicted: np.ndarray, train: dict, season: int) -> dict:
    """M4 sMAPE and MASE (scaled by the in-sample seasonal-naive error at ``season``)."""
    smapes = [m4.smape(a, f) for a, f in zip(actual, predicted)]
    mases = [m4.mase(a, f, m4.insample_scales(y, season)[0]) for a, f, y in zip(actual, predicted, train.values())]
    return {"sMAPE": float(np.mean(smapes)), "MASE": float(np.mean(mases))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("candidates", nargs="+", help="one JSON object per candidate")
    parser.add_argument("--blocks", type=int, default=1, help="sum each series over blocks of this many weeks")
    parser.add_argument("--horizon", type=int, default=m4.HORIZON)
    parser.add_argument("--season", type=int, default=1, help="the season of the MASE scale and the models")
    parser.add_argument("--min-length", type=int, default=0, help="leave out series of fewer blocks")
    parser.add_argument("--dated", action="store_true",
                        help="give the candidates weekly dates, so their season is the frequency's (52); "
                             "the naive2 reference and the MASE scale stay at --season")
    args = parser.parse_args(argv)
    full = m4.read_m4(DATA)
    if args.blocks > 1:
        full = blocks(full, args.blocks, args.min_length)
    train = {sid: y[:-args.horizon] for sid, y in full.items()}
    actual = np.stack([y[-args.horizon:] for y in full.values()])
    lengths = [len(y) for y in train.values()]
    print(f"{len(train)} series, training lengths {min(lengths)}-{max(lengths)}, horizon {args.horizon}, "
          f"season {args.season}", flush=True)
    run = {"horizon": args.horizon, "season": args.season}
    reference = score(actual, forecasts(train, {"model": "naive2"}, **run)[0], train, args.season)
    for text in args.candidates:
        candidate = json.loads(text)
        name = candidate.pop("name", text)
        predicted, seconds, forecaster = forecasts(train, candidate, **run, dated=args.dated)
        scores = m4.with_owa(score(actual, predicted, train, args.season), reference)
        print(f"{name}: OWA {scores['OWA']:.3f} sMAPE {scores['sMAPE']:.3f} MASE {scores['MASE']:.3f} "
              f"({seconds:.0f} s; lookback {forecaster.lookback_}, batch "
              f"{getattr(forecaster, 'hyper_', {}).get('batch_size', '-')}, {getattr(forecaster, 'preprocess_', '')})",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
