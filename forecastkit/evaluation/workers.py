"""The processes of a local pool: forked from one server that imported what they need, once.

Importing TensorFlow takes seconds of CPU, and a fresh (``spawn``) process imports it again.
So the pool's workers fork from a server process (multiprocessing's ``forkserver``) that
imported the walk-forward's code, the baselines' modules and, when the run trains networks
on TensorFlow, TensorFlow (quietly and without starting its runtime, so each worker still
sets its own thread counts): the driver never imports TensorFlow and no worker pays for its
import. The server starts in the background (:func:`start_workers`; the command line calls
:func:`start_early` before it imports anything heavy), so it imports while the driver reads
the data and plans; it serves the process's later runs too. Where there is no
``forkserver`` (not on Linux or macOS), workers are fresh ``spawn`` processes.

This module imports nothing heavy, so starting the server early costs the driver nothing.

Examples
--------
>>> worker_modules(["naive"])
['forecastkit.evaluation.jobs', 'forecastkit.models.baselines']
>>> default_jobs(1)
1
"""

from __future__ import annotations

import multiprocessing
import os

from ..errors import ConfigError
from .environment import cpu_count

#: Memory one worker process may need (TensorFlow and a model's windows), for the default ``n_jobs``.
WORKER_MEMORY = 1536 * 2**20
#: Environment variable giving the default ``n_jobs`` (``--jobs``) when set.
JOBS_VARIABLE = "FORECASTKIT_JOBS"
#: What every worker process runs (imported by the server, see :func:`worker_modules`).
WORKER_MODULES = ("forecastkit.evaluation.jobs",)
#: Imports TensorFlow quietly without starting its runtime (for the server).
TENSORFLOW_MODULE = "forecastkit.evaluation.tensorflow_preload"


def default_jobs(tasks: int) -> int:
    """Processes for a run of ``tasks`` tasks when ``n_jobs`` is None: the environment variable
    :data:`JOBS_VARIABLE` when set (e.g. 1 on a shared CI machine), else every CPU, capped by
    the memory available (:data:`WORKER_MEMORY` each); at most ``tasks``. A process that is
    itself a worker of a pool (it has a multiprocessing parent) uses 1: no pools in pools.

    Examples
    --------
    >>> default_jobs(1)
    1
    """
    pinned = os.environ.get(JOBS_VARIABLE, "").strip()
    if pinned:
        if not pinned.isdigit() or int(pinned) < 1:
            raise ConfigError(f"The environment variable {JOBS_VARIABLE} must be an integer >= 1. "
                              f"Received: {JOBS_VARIABLE}={pinned!r}")
        return min(int(pinned), max(tasks, 1))
    if multiprocessing.parent_process() is not None:
        return 1
    return max(1, min(cpu_count(), _available_memory() // WORKER_MEMORY, tasks))


def _available_memory() -> int:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def worker_modules(models) -> list[str]:
    """The modules the workers of a run of ``models`` (model names) need: the jobs' code, the
    baselines' forecast modules and, when one is a network or an ensemble and Keras runs on
    TensorFlow, TensorFlow (:data:`TENSORFLOW_MODULE`).

    Examples
    --------
    >>> worker_modules(["ets", "naive"])
    ['forecastkit.evaluation.jobs', 'forecastkit.models.ets', 'forecastkit.models.baselines']
    """
    from ..models.keras_common import keras_backend
    from ..models.registry import get_spec

    modules, neural = list(WORKER_MODULES), False
    for name in models:
        spec = get_spec(name)
        neural = neural or spec.kind != "baseline"
        for member in (get_spec(m) for m in (name, *spec.members)):
            if member.forecast:
                module = member.forecast.split(":")[0]
                modules.append("forecastkit.models" + module if module.startswith(".") else module)
    if neural and keras_backend() == "tensorflow":
        modules.append(TENSORFLOW_MODULE)
    return list(dict.fromkeys(modules))


def _context():
    """How pool workers start: ``forkserver`` where there is one, else ``spawn``."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def start_workers(models) -> None:
    """Start the server the pool workers fork from, importing :func:`worker_modules` of
    ``models`` (model names) in the background while this process goes on.

    The server lives as long as this process and serves its later runs too, with the modules
    of the first (a later run's workers import what else they need themselves).
    """
    context = _context()
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    context.set_forkserver_preload(worker_modules(models))
    forkserver.ensure_running()


def start_early(n_jobs: int | None, scheduler: str | None, models, baselines: bool = True) -> bool:
    """:func:`start_workers` now, when a run with these settings will likely use a local pool:
    no ``scheduler`` and ``n_jobs`` (None: :func:`default_jobs`) above 1. ``models``: the
    model names (None: the neural models, the default of ``evaluate``); ``baselines``: the
    reference baselines are added. Names that are not models are left to the run to report.
    Returns whether the run will likely wait on a pool."""
    if scheduler is not None or (n_jobs or default_jobs(2**31)) <= 1:
        return False
    from ..errors import ForecastkitError
    from ..models.registry import model_names

    names = list(model_names("neural") if models is None else models)
    try:
        start_workers(names + (model_names("baseline") if baselines else []))
    except ForecastkitError:  # e.g. an unknown model name: the run says so, in its own order
        return False
    return True


def _start_worker(environ: dict) -> None:
    """Pool initializer: take the driver's environment variables (a worker forked from the
    server has the server's, from when it started) and end this worker process when its
    parent is gone (the killed driver or Dask worker; or the server, which ends with the
    driver), instead of waiting for work forever."""
    import threading
    import time

    if environ != dict(os.environ):
        os.environ.clear()
        os.environ.update(environ)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def pool(workers: int, context=None):
    """A ``ProcessPoolExecutor`` of ``workers`` processes (started by ``context``, default the
    server's :func:`_context`) that end with this process."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=context or _context(), initializer=_start_worker,
                               initargs=(dict(os.environ),))
