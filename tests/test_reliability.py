"""Nothing lost, nothing silently wrong: deterministic reruns, kill -9 / Ctrl-C then --resume,
all-or-nothing commits, and no memory held across fits.

The command-line runs are subprocesses, so each starts with fresh TensorFlow state and can be
killed; a run and its uninterrupted reference run side by side to halve the wait.
"""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster
from forecastkit.evaluation import RunStore

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--no-baselines", "--horizon", "3", "--lookback", "12", "--epochs", "3", "--quiet"]


def start(*args) -> subprocess.Popen:
    """``forecastkit evaluate ARGS`` in a subprocess that Ctrl-C (SIGINT) can interrupt."""
    return subprocess.Popen(
        [sys.executable, "-m", "forecastkit", "evaluate", *map(str, args)], cwd=ROOT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored if pytest runs in background
    )


def finish(process: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def committed(out: Path, model: str = "%") -> int:
    """Fits of ``model`` (default: all) committed to the run in ``out`` (0 before the store exists)."""
    try:
        with sqlite3.connect(out / "results.sqlite", timeout=10) as db:
            return db.execute("SELECT count(*) FROM fits WHERE model LIKE ?", (model,)).fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or its tables not yet
        return 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_twice_writes_byte_identical_results(tmp_path):
    args = ["--models", "linear,vanilla,seasonal_naive,naive", "--units", "4", "--folds", "6",
            "--refit", "every:2", *SMALL]
    runs = [start(*args, "--out", tmp_path / name) for name in ("a", "b")]
    for process in runs:
        result = finish(process)
        assert result.returncode == 0, result.stderr
    for name in ("results.csv", "leaderboard.csv", "significance.csv", "run.json"):
        assert digest(tmp_path / "a" / name) == digest(tmp_path / "b" / name), name
    assert len(pd.read_csv(tmp_path / "a" / "significance.csv")) > 0
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    assert set(run) == {"best", "metric", "settings", "models", "dataset", "data_path",
                        "data_sha256"}  # no timings or versions; the data's path and digest for --from-run
    assert "out" not in run["settings"] and run["settings"]["fast_nondeterministic"] is False
    with sqlite3.connect(tmp_path / "a" / "results.sqlite") as db:
        config = json.loads(db.execute("SELECT value FROM run").fetchone()[0])
        assert config["deterministic"] is True
        assert db.execute("SELECT count(*) FROM timings").fetchone()[0] == 2 * 3 + 2 * 6


def panel_csv(folder: Path) -> Path:
    """Four monthly series of 48 rows in long format."""
    t = np.arange(48)
    frame = pd.concat(pd.DataFrame({"store": sid, "month": pd.date_range("2000-01-01", periods=48, freq="MS"),
                                    "sales": 100 + 10 * k + 8 * np.sin(2 * np.pi * t / 12) + t})
                      for k, sid in enumerate("abcd"))
    path = folder / "panel.csv"
    frame.to_csv(path, index=False)
    return path


#: Every run has linear fits left to train after the stop: fast-path runs get more linear fits than
#: one group holds (evaluation.plan.GROUP_FITS = 24: 60 fits make 3 or 4 groups, which a 2-core
#: machine trains two at a time; a group commits its fits in a burst), and the refit-never panel is
#: local (one fit per series, not one for all).
SCENARIOS = {  # name: (evaluate flags, signal, linear fits after which the run is stopped)
    "refit always, kill -9": (["--refit", "always", "--folds", "60"], signal.SIGKILL, 2),
    "refit every:K, kill -9": (["--refit", "every:2", "--folds", "20"], signal.SIGKILL, 1),
    "refit never, kill -9": (["--refit", "never", "--folds", "4", "--id", "store", "--local"], signal.SIGKILL, 1),
    "warm start, kill -9": (["--refit", "every:2", "--folds", "8", "--warm-start"], signal.SIGKILL, 2),
    # one process, and ets after the linear fits (which commit together, as one group): the quick naive
    # fits could all be committed within one poll of the loop below, before the Ctrl-C arrived; 20 ets
    # fits (about 5 s) leave room for the signal on a loaded machine, where 10 did not always
    "refit every:K, Ctrl-C": (["--refit", "every:2", "--folds", "40", "--jobs", "1", "--models", "linear,ets"],
                              signal.SIGINT, 1),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_stopped_run_resumes_to_the_uninterrupted_results(scenario, tmp_path):
    flags, stop, after = SCENARIOS[scenario]
    data = panel_csv(tmp_path) if "--id" in flags else "airline"
    args = ["--data", data, "--models", "linear,naive", *flags, *SMALL]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    reference = start(*args, "--out", whole)
    stopped = start(*args, "--out", cut)
    deadline = time.monotonic() + 240
    while committed(cut, "linear") < after and stopped.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stopped.poll() is None, "the run ended before it could be stopped"
    stopped.send_signal(stop)
    interrupted = finish(stopped)
    assert finish(reference).returncode == 0
    expected = pd.read_csv(whole / "results.csv")
    assert committed(cut, "linear") >= after and committed(cut) < committed(whole)  # stopped mid-run
    if stop == signal.SIGINT:
        assert interrupted.returncode == 130
        lines = interrupted.stderr.strip().splitlines()
        assert len(lines) == 1 and "--resume" in lines[0] and str(cut) in lines[0], interrupted.stderr
    else:
        assert interrupted.returncode == -signal.SIGKILL
    if "--warm-start" in flags:  # the weights the resumed chain continues from
        assert list((cut / "checkpoints").glob("*.keras"))
    resumed = finish(start(*args, "--out", cut, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    results = pd.read_csv(cut / "results.csv")
    assert not results.duplicated(["model", "id", "origin", "h"]).any()
    pd.testing.assert_frame_equal(results, expected, check_exact=True)
    for name in ("leaderboard.csv", "significance.csv"):
        assert digest(cut / name) == digest(whole / name), name
    with sqlite3.connect(cut / "results.sqlite") as db:
        assert db.execute("SELECT count(*) FROM results").fetchone()[0] == len(expected)
    assert not list(cut.glob("checkpoints/*.keras"))  # finished chains leave no checkpoint behind


def test_a_fit_is_committed_all_or_nothing(tmp_path):
    store = RunStore.create(tmp_path / "run.sqlite", {"horizon": 2})
    rows = [("naive", "a", 0, 5, h, 5 + h, 1.0, 1.0) for h in (1, 2)]
    store.commit_fit("naive", "a", 0, "ok", "", rows, 0.1)
    with pytest.raises(sqlite3.IntegrityError):  # its results rows go in first, then the fits row fails
        store.commit_fit("naive", "a", 0, "ok", "", rows, 0.1)
    assert len(store.table("results")) == 2 and len(store.table("fits")) == 1
    assert len(store.table("timings")) == 1
    store.close()


def test_fits_release_their_traced_graphs(airline):
    from tensorflow.python.framework import ops

    def registered():
        return sum(name.startswith("CustomGradient-") for name in ops._gradient_registry._registry)

    Forecaster("linear", horizon=2, lookback=6, params=FAST).fit(airline)
    before = registered()
    for seed in (1, 2):
        Forecaster("linear", horizon=2, lookback=6, params=FAST, seed=seed).fit(airline)
    assert registered() == before
