"""Executors: in-process, a process pool and Dask give the same predictions bit for bit; a killed
worker's job is retried; a run interrupted on one executor resumes on another; the driver of a
pool never imports TensorFlow and fits baselines while the workers start; the costliest jobs start first; a model's groups keep every core busy.

The only tests that run more than one process (the others pin FORECASTKIT_JOBS=1, conftest.py).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST

from forecastkit import Forecaster, datasets
from forecastkit.errors import ConfigError, FewWindowsWarning
from forecastkit.evaluation import RunStore, WalkForward, plan, walk_forward
from forecastkit.evaluation.executors import (
    _on_dask,
    check_executor,
    default_jobs,
    longest_first,
    tasks_of,
)

SPLITTER = WalkForward(horizon=3, folds=4, refit="every:2")
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


def test_process_pool_and_dask_predict_bit_for_bit_alike(in_process, monkeypatch):
    distributed = pytest.importorskip("distributed")
    pool = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, n_jobs=2).to_frame()
    pd.testing.assert_frame_equal(pool, in_process, check_exact=True)
    close, seen = distributed.LocalCluster.close, []

    def close_and_see(cluster, *args, **kwargs):  # the real close, noting how Ctrl-C is handled during it
        seen.append(signal.getsignal(signal.SIGINT))
        return close(cluster, *args, **kwargs)

    monkeypatch.setattr(distributed.LocalCluster, "close", close_and_see)
    dask = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, scheduler="local:2").to_frame()
    pd.testing.assert_frame_equal(dask, in_process, check_exact=True)
    assert in_process["y_pred"].notna().all()
    assert seen[0] == signal.SIG_IGN and signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_driver_fits_baselines_while_the_workers_start(in_process, monkeypatch):
    from forecastkit.evaluation import executors

    original_start, original_run, in_driver = executors._start, executors.run_job, []

    def slow_start(executor, workers):  # workers as slow to start as a first TensorFlow import
        import time

        time.sleep(1.5)
        return original_start(executor, workers)

    def run_job(job):
        in_driver.append(job.label)
        return original_run(job)

    monkeypatch.setattr(executors, "_start", slow_start)
    monkeypatch.setattr(executors, "run_job", run_job)  # this process only: the workers keep theirs
    pool = walk_forward(seasonal_series(), models(), SPLITTER, baselines=False, n_jobs=2).to_frame()
    assert in_driver and set(in_driver) == {"naive"}  # baselines only, never a network
    pd.testing.assert_frame_equal(pool, in_process, check_exact=True)


def test_a_killed_workers_job_is_retried(tmp_path, monkeypatch):
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_MARKER, str(marker))
    naive = {"naive": KillOnce("naive", horizon=3), "other": KillOnce("naive", horizon=3)}  # two tasks
    result = walk_forward(seasonal_series(), naive, SPLITTER, baselines=False, n_jobs=2)
    assert marker.exists()  # a worker died mid-job
    assert set(result.fits["status"]) == {"ok"} and len(result.fits) == 2 * SPLITTER.folds
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


def test_an_unreachable_scheduler_says_how_to_fix_it(tmp_path):
    import socket

    import dask

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(ConfigError, match=f"No Dask scheduler answered at {address} .*`dask scheduler`.*--jobs N"):
        walk_forward(seasonal_series(), {"naive": Forecaster("naive", horizon=3)}, SPLITTER, baselines=False,
                     scheduler=address, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()  # checked before the store: nothing to --resume
    # A scheduler that goes away between that check and the connection says the same.
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ConfigError, match=f"No Dask scheduler answered at {address} "):
        _on_dask([], None, None, address)


def test_a_models_one_fit_jobs_on_one_series_travel_together():
    from forecastkit.evaluation.plan import Job, Unit

    unit, other = Unit("a", [], {}), Unit("b", [], {})
    naive = Forecaster("naive")
    jobs = [Job("naive", naive, "fit", [(unit, k)], 0) for k in range(3)] + [Job("naive", naive, "fit", [(other, 0)], 0)]
    assert [len(task) for task in tasks_of(jobs)] == [3, 1]


def test_the_driver_plans_a_neural_run_without_importing_tensorflow():
    code = """
import sys
from forecastkit import Forecaster, datasets
from forecastkit.evaluation import WalkForward, plan
from forecastkit.evaluation.environment import reference
series = plan.series_of(datasets.load("airline"))
folds = WalkForward(horizon=3, folds=4, refit="every:2").split(len(series[0].y), times=series[0].times)
entries = plan.resolve_models({"v": Forecaster("vanilla", horizon=3)}, 3, False, 12, 100)
jobs = plan.plan_jobs(entries, series, {"neural": {series[0].sid: folds}}, 0, {}, True)
environment = reference(True, uses_tensorflow=True)
print(jobs[0].kind, environment.tf_threads, "tensorflow" in sys.modules, "keras" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["group", "(1,", "1)", "False", "False"], done.stderr


def test_only_the_worker_server_leaves_at_once():
    # the server's exit handler (skipping TensorFlow's teardown) must not reach other importers
    code = ("import sys, forecastkit.evaluation.tensorflow_preload as p\n"
            "sys.exit(3 if not p.imported_by_the_server() else 4)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 3


@pytest.mark.parametrize("package, probe", [("jax", "__import__('jax').numpy.zeros(2).shape"),
                                            ("matplotlib", "__import__('matplotlib.pyplot').pyplot.figure().dpi > 0"),
                                            ("IPython", "__import__('IPython').get_ipython() is None")])
def test_the_worker_server_imports_tensorflow_without_jax_matplotlib_or_ipython(tmp_path, package, probe):
    # TensorFlow Lite imports JAX, Keras imports matplotlib.pyplot and IPython when installed; the
    # server blocks them (0.2-0.5 s each on every pooled neural run) and the workers can still
    # import them themselves
    pytest.importorskip(package)
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\n"
        "from forecastkit.evaluation import workers\n"
        "if __name__ == '__main__':\n"
        "    workers.start_workers(['vanilla'])\n"
        "    with workers._context().Pool(1) as pool:\n"
        f"        print(pool.apply(eval, (\"sorted(m for m in ('{package}', 'tensorflow') if m in __import__('sys').modules)\",)),\n"
        f"              pool.apply(eval, ({probe!r},)))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["['tensorflow']", "(2,)" if package == "jax" else "True"], done.stdout


def test_a_script_that_runs_a_pool_at_import_gets_the_guard_named_not_a_crash(tmp_path):
    # each worker imports the script that started the pool: without `if __name__ == '__main__':`
    # the script would start a run again in every worker. The workers stop at once, the run says
    # how to fix it, and with the guard the same code runs
    body = ("from forecastkit import datasets\n"
            "from forecastkit.evaluation import WalkForward, walk_forward\n"
            "result = walk_forward(datasets.load('airline'), ['naive', 'seasonal_naive'], WalkForward(horizon=3, folds=4),"
            " baselines=False, n_jobs=2)\n"
            "print(len(result.to_frame()))\n")
    env = {k: v for k, v in os.environ.items() if k != "FORECASTKIT_JOBS"}
    script = tmp_path / "unguarded.py"
    script.write_text(body)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1 and "ConfigError" in done.stderr and "if __name__ == '__main__':" in done.stderr
    assert "bootstrapping phase" not in done.stderr and "BrokenProcessPool" not in done.stderr
    script.write_text("if __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in body.splitlines()))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0 and done.stdout.split() == ["24"], done.stderr[-2000:]


def test_a_models_groups_are_the_same_on_every_machine(monkeypatch):
    # a group's numbers depend on its fits at float32 rounding: the grouping may not follow the CPUs
    from forecastkit.evaluation import environment
    from forecastkit.evaluation.splits import Fold

    series = plan.Series("a", np.zeros(80), pd.RangeIndex(80), pd.DataFrame({"y": []}), [], None)
    unit = plan.Unit("a", [series], {"a": [Fold(k, 40 + k, 0, 40 + k, 1) for k in range(50)]})
    vanilla = Forecaster("vanilla", horizon=1, lookback=4)
    for cpus in (1, 2, 3, 8):
        monkeypatch.setattr(environment, "cpu_count", lambda: cpus)
        size = plan.group_size(vanilla, [(unit, k) for k in range(50)])
        assert size == 13  # 50 fits: 4 groups (a multiple of 2) of 13, 13, 12, 12
    assert plan.group_size(vanilla, [(unit, k) for k in range(3)]) == 3  # one group: not split


def test_the_costliest_jobs_start_first():
    from forecastkit.evaluation.splits import Fold

    series = plan.Series("a", np.zeros(80), pd.RangeIndex(80), pd.DataFrame({"y": []}), [], None)
    unit = plan.Unit("a", [series], {"a": [Fold(0, 70, 0, 70, 10)]})
    jobs = [plan.Job(m, Forecaster(m, horizon=10), "fit", [(unit, 0)], 0) for m in ("naive", "arima", "ets")]
    network = plan.Job("vanilla", Forecaster("vanilla", horizon=10, lookback=20), "group", [(unit, 0)], 0)
    order = [task[0].label for task in longest_first(tasks_of([*jobs, network]))]
    assert order == ["vanilla", "arima", "ets", "naive"]


def test_a_workers_warnings_are_raised_in_the_driver_not_printed_raw(capfd):
    # a worker process would print them in Python's raw format ("path:line: Category: ...
    # <source line>"), once per fit, past the run's own display
    from forecastkit.errors import FewWindowsWarning

    few = {"linear": Forecaster("linear", horizon=3, lookback=40, params=FAST), "naive": Forecaster("naive", horizon=3)}
    with pytest.warns(FewWindowsWarning, match="'linear' trains on only"):
        walk_forward(seasonal_series(), few, SPLITTER, baselines=False, n_jobs=2)
    assert "FewWindowsWarning" not in capfd.readouterr().err


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_fits_warning_points_at_the_users_line_on_every_executor(n_jobs):
    # it pointed at forecastkit's executor (in-process) or writer (pooled), not at the caller
    with pytest.warns(FewWindowsWarning) as caught:
        walk_forward(datasets.load("airline"), {"v": Forecaster("linear", horizon=12, lookback=60, params=FAST)},
                     WalkForward(horizon=12, folds=2), baselines=False, n_jobs=n_jobs)
    assert {w.filename for w in caught if w.category is FewWindowsWarning} == {__file__}


def test_an_ensembles_warning_points_at_the_users_line():
    frame = datasets.load("airline").frame.iloc[:130]
    with pytest.warns(FewWindowsWarning) as caught:
        Forecaster("ensemble", members="linear,mlp", horizon=12, lookback=60, params=FAST).fit(frame)
    assert {w.filename for w in caught if w.category is FewWindowsWarning} == {__file__}
