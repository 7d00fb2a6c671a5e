"""Executors: in-process, a process pool and Dask give the same predictions bit for bit; a killed
worker's job is retried; a run interrupted on one executor resumes on another.

The only tests that run more than one process (the others pin FORECASTKIT_JOBS=1, conftest.py).
"""

import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster
from forecastkit.errors import ConfigError
from forecastkit.evaluation import RunStore, WalkForward, walk_forward
from forecastkit.evaluation.executors import check_executor, default_jobs, tasks_of

SPLITTER = WalkForward(horizon=3, folds=6, refit="every:2")
KILL_MARKER = "FORECASTKIT_TEST_KILL_MARKER"


def seasonal_series() -> pd.Series:
    t = np.arange(60)
    values = 100 + 10 * np.sin(2 * np.pi * t / 12) + t * 0.5 + np.random.default_rng(3).normal(0, 1, 60)
    return pd.Series(values, index=pd.date_range("2000-01-01", periods=60, freq="MS"), name="y")


def models() -> dict:
    """A grouped neural model, a sequential (warm-started) one and a baseline."""
    return {"linear": Forecaster("linear", horizon=3, lookback=12, params=FAST),
            "warm": Forecaster("mlp", horizon=3, lookback=12, params={**FAST, "units": 4}, warm_start=True),
            "naive": Forecaster("naive", horizon=3)}


class KillOnce(Forecaster):
    """The naive baseline, whose first fit anywhere kills the process running it (SIGKILL)."""

    def fit(self, data, **kwargs):
        marker = os.environ.get(KILL_MARKER)
        if marker and not Path(marker).exists():
            Path(marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(data, **kwargs)


@pytest.fixture(scope="module")
def in_process():
    return walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, n_jobs=1).to_frame()


def test_process_pool_and_dask_predict_bit_for_bit_alike(in_process):
    pytest.importorskip("distributed")
    pool = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, n_jobs=2).to_frame()
    pd.testing.assert_frame_equal(pool, in_process, check_exact=True)
    dask = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, scheduler="local:2").to_frame()
    pd.testing.assert_frame_equal(dask, in_process, check_exact=True)
    assert in_process["y_pred"].notna().all()


def test_a_killed_workers_job_is_retried(tmp_path, monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_MARKER, str(marker))
    naive = {"naive": KillOnce("naive", horizon=3), "other": KillOnce("naive", horizon=3)}  # two tasks
    result = walk_forward(seasonal_series(), naive, SPLITTER, baselines=False, n_jobs=2)
    assert marker.exists()  # a worker died mid-job
    assert set(result.fits["status"]) == {"ok"} and len(result.fits) == 2 * 6
    monkeypatch.delenv(KILL_MARKER)
    plain = {"naive": Forecaster("naive", horizon=3), "other": Forecaster("naive", horizon=3)}
    alone = walk_forward(seasonal_series(), plain, SPLITTER, baselines=False, n_jobs=1)
    pd.testing.assert_frame_equal(result.to_frame(), alone.to_frame(), check_exact=True)


def test_a_run_interrupted_on_a_pool_resumes_in_process(in_process, tmp_path, monkeypatch):
    original, calls = RunStore.commit_fit, {"n": 0}

    def interrupt_after_four(self, *args, **kwargs):
        if calls["n"] == 4:
            raise KeyboardInterrupt
        calls["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RunStore, "commit_fit", interrupt_after_four)
    with pytest.raises(KeyboardInterrupt):
        walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, out=tmp_path, n_jobs=2)
    monkeypatch.setattr(RunStore, "commit_fit", original)
    resumed = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, out=tmp_path, resume=True,
                           n_jobs=1)
    pd.testing.assert_frame_equal(resumed.to_frame(), in_process, check_exact=True)


def test_executor_arguments_are_checked():
    assert check_executor(None, None) == (None, None) and check_executor(1, "tcp://10.0.0.5:8786")[1]
    with pytest.raises(ConfigError, match="Choose one executor"):
        check_executor(2, "local:2")
    with pytest.raises(ConfigError, match="`scheduler` must be 'local:N'"):
        check_executor(None, "local:0")
    assert default_jobs(1) == 1 and default_jobs(100) >= 1


def test_a_models_one_fit_jobs_on_one_series_travel_together():
    from forecastkit.evaluation.plan import Job, Unit

    unit, other = Unit("a", [], {}), Unit("b", [], {})
    naive = Forecaster("naive")
    jobs = [Job("naive", naive, "fit", [(unit, k)], 0) for k in range(3)] + [Job("naive", naive, "fit", [(other, 0)], 0)]
    assert [len(task) for task in tasks_of(jobs)] == [3, 1]
