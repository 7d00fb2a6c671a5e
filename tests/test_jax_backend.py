"""forecastkit on Keras' JAX backend (issue 21): the backend-agnostic subset in a JAX process.

Keras fixes its backend when it is first imported, and this suite's process runs on
TensorFlow, so the subset (``tests/jax_subset.py``: builders, save/load, a small walk-forward
and the fold-parallel path) runs in a pytest subprocess with ``KERAS_BACKEND=jax``. JAX is in
the ``test`` extra, so this is never skipped in CI. A backend the fold-parallel path does not
cover falls back with one typed warning naming the backends it does.
"""

import os
import subprocess
import sys
from pathlib import Path

from conftest import FAST

from forecastkit import Forecaster

HERE = Path(__file__).resolve().parent


def run_with_backend(backend: str, args: list, timeout: int = 600, **variables) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONWARNINGS": "ignore::DeprecationWarning", **variables}
    return subprocess.run([sys.executable, *args], cwd=HERE.parent, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_the_backend_agnostic_subset_passes_on_jax(airline, tmp_path):
    params = {**FAST, "units": 4, "cell": "gru"}  # a forecastkit cell: its layer must be registered to load
    saved = Forecaster("vanilla", horizon=3, lookback=12, params=params, seed=1).fit(airline)
    saved.save(tmp_path / "model")  # on TensorFlow, this process's backend: the subset loads it on JAX
    saved.predict().to_csv(tmp_path / "forecast.csv", index=False)
    pytest = ["-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", "--no-header",  # one process
              "-W", "error::forecastkit.errors.SequentialFitsWarning", str(HERE / "jax_subset.py")]
    done = run_with_backend("jax", pytest, FORECASTKIT_TF_MODEL=str(tmp_path))
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary


def test_a_backend_without_the_fold_parallel_path_falls_back_with_one_typed_warning():
    code = ("import warnings, sys\n"
            "from forecastkit import Forecaster\n"
            "from forecastkit.errors import SequentialFitsWarning\n"
            "from forecastkit.evaluation import plan\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    reason = plan.grouped_reason('v', Forecaster('vanilla'))\n"
            "assert [type(w.message) for w in caught] == [SequentialFitsWarning], caught\n"
            "assert 'keras' not in sys.modules  # decided before Keras is imported\n"
            "print(reason)\n")
    done = run_with_backend("torch", ["-c", code], timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "fold-parallel training needs the TensorFlow or JAX backend"


def test_without_jax_the_jax_backend_is_one_line_naming_the_extra():
    code = ("import sys\n"
            "sys.modules['jax'] = None  # as if JAX were not installed\n"
            "from forecastkit.cli import main\n"
            "sys.exit(main(['forecast', '--model', 'vanilla']))\n")
    done = run_with_backend("jax", ["-c", code], timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "error" in line]
    assert lines == [('forecastkit: error: KERAS_BACKEND=jax needs JAX, which is not installed: '
                      'pip install "forecastkit[jax]".')], done.stdout + done.stderr
