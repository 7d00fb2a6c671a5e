"""Where the jobs run: in this process, on a local process pool, or on Dask; one writer commits.

Every executor runs each job with the same :class:`~.environment.Environment` (thread
counts, op determinism) and each fit with its own seed, so the predictions are the same bit
for bit whatever the executor and the number of workers. Only this process writes: each
finished fit is committed to the SQLite store by :class:`Writer` as its job's records
arrive, so an interruption loses at most the jobs in flight, and a resumed run (on any
executor) skips every committed fit.

- ``n_jobs=1``: in this process, committing after each fit.
- ``n_jobs=N``: a pool of N processes forked from a server that imported what they need,
  TensorFlow included, once (:mod:`.workers`): this process never imports TensorFlow, and
  fits baselines itself while the workers start. A job whose worker dies (killed, out of
  memory) is retried up to :data:`RETRIES` times, then its fits are recorded failed.
- ``scheduler="local:N"``: a Dask ``LocalCluster`` of N single-threaded worker processes, each
  running its tasks in a child process of its own (see :func:`run_task_in_child`);
  ``scheduler="tcp://HOST:PORT"``: an existing Dask scheduler (its workers need forecastkit
  installed, and with warm-started models the ``out`` folder on a shared disk). Dask retries
  the tasks of a lost worker itself.

A pool or Dask starts the costliest jobs first (:func:`~.plan.job_cost`), so the workers
finish together; the order changes no number.

Examples
--------
>>> check_executor(2, None), check_executor(1, "local:2")
((2, None), (1, 'local:2'))
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from ..checks import check_int
from ..ensemble import kind_of
from ..errors import ConfigError, user_stacklevel
from .checkpoints import Checkpoint
from .environment import Environment, applied, prepare_worker, use_threads
from .jobs import FitRecord, record, run_job
from .plan import Job, job_cost
from .workers import default_jobs, pool, start_workers

#: Times a job is resubmitted after the worker running it died.
RETRIES = 2
#: The Dask extra's install line, named when Dask is missing.
DASK_EXTRA = 'pip install "forecastkit[dask]"'
#: Why a pool's workers may die before their first task, and the fix.
WORKERS_LOST_AT_START = (
    "forecastkit's worker processes died while starting, before any fit. A worker process starts by importing "
    "the script that started it: if this is a script, put the code that runs forecastkit under `if __name__ == "
    "'__main__':` so that importing it does not start a run again. Or pass n_jobs=1 to fit in this process.")


def check_executor(n_jobs, scheduler) -> tuple[int | None, str | None]:
    """``(n_jobs, scheduler)`` checked: ``n_jobs`` None (automatic) or an int >= 1; ``scheduler``
    None, ``"local:N"`` or a Dask address (``"tcp://HOST:PORT"``); not both."""
    if n_jobs is not None:
        n_jobs = check_int(n_jobs, "n_jobs", 1)
    if scheduler is None:
        return n_jobs, None
    if n_jobs not in (None, 1):
        raise ConfigError("Choose one executor: `n_jobs` (a local process pool) or `scheduler` (Dask), not both. "
                          f"Received: n_jobs={n_jobs!r}, scheduler={scheduler!r}")
    if not isinstance(scheduler, str) or not (
            (scheduler.startswith("local:") and scheduler[6:].isdigit() and int(scheduler[6:]) >= 1)
            or "://" in scheduler):
        raise ConfigError("`scheduler` must be 'local:N' (a Dask LocalCluster of N workers) or the address of "
                          f"a running Dask scheduler, e.g. 'tcp://10.0.0.5:8786'. Received: scheduler={scheduler!r}")
    return n_jobs, scheduler


class Writer:
    """The one writer: commits each fit's record to the store, then prunes its checkpoint."""

    def __init__(self, store, advance):
        self.store, self.advance = store, advance

    def commit(self, record: FitRecord) -> None:
        if not isinstance(record, FitRecord):  # a tuning search's (forecastkit.tuning.nested)
            record.commit(self.store)
            self.advance()
            return
        self.store.commit_fit(record.model, record.sid, record.fit, record.status, record.reason, record.rows,
                              record.seconds, record.preprocess, record.scores)
        for category, message in record.warnings:  # raised by its fit: said here, at the user's line
            warnings.warn(message, category, stacklevel=user_stacklevel())
        if record.prune:
            folder, label, sid, keep = record.prune
            Checkpoint(folder, label, sid).prune(keep=keep)
        self.advance()


def tasks_of(jobs: list[Job]) -> list[list[Job]]:
    """Jobs batched for a worker: the consecutive one-fit jobs of one model on one unit go
    together (cheap baseline fits), every other job alone."""
    tasks: list[list[Job]] = []
    for job in jobs:
        last = tasks[-1][-1] if tasks else None
        if (last is not None and job.kind == last.kind == "fit" and job.label == last.label
                and job.pairs[0][0] is last.pairs[0][0]):
            tasks[-1].append(job)
        else:
            tasks.append([job])
    return tasks


def run_task(task: list[Job], environment: Environment) -> list[FitRecord]:
    """Run a task's jobs in a worker process; their records, for the driver's writer."""
    prepare_worker(environment)
    with applied(environment, restore=False):
        return [record for job in task for record in _each_with_warnings(job, in_worker=True)]


def _each_with_warnings(job: Job, in_worker: bool = False):
    """Each record of ``job`` as it is done, carrying the warnings raised while it was made
    (once each): the writer says them again at the user's line, not at forecastkit's (nor, from
    a worker process, in Python's raw format past the run's own display). A tuning search's
    record carries none: in this process its warnings are said now, in a worker dropped."""
    records = run_job(job)
    while True:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            record = next(records, None)
        if record is None:
            return
        raised = list(dict.fromkeys((w.category, str(w.message)) for w in caught))
        if isinstance(record, FitRecord):
            record.warnings = raised
        elif not in_worker:
            for category, message in raised:
                warnings.warn(message, category, stacklevel=user_stacklevel())
        yield record


_CHILD: dict = {}


def run_task_in_child(task: list[Job], environment: Environment) -> list[FitRecord]:
    """:func:`run_task` in a child process this Dask worker keeps for its tasks.

    A Dask worker's own threads draw from Python's ``random`` (retries, jitter), which Keras
    also draws its initializers' seeds from after seeding it, so fits run in a process
    without those threads. A child that dies is replaced once; a second death fails the
    task, and Dask retries it on a worker. Workers started as daemons (the ``dask worker``
    default; start them with ``--no-nanny`` or the config ``distributed.worker.daemon: false``
    to avoid it) cannot start a child and run the task themselves.
    """
    if multiprocessing.current_process().daemon:  # a worker started with daemon=True cannot have one
        return run_task(task, environment)
    for attempt in range(2):
        if "pool" not in _CHILD:
            _CHILD["pool"] = pool(1, multiprocessing.get_context("spawn"))
        try:
            return _CHILD["pool"].submit(run_task, task, environment).result()
        except BrokenProcessPool:
            _CHILD.pop("pool").shutdown(wait=False)
            if attempt:
                raise


def execute(jobs: list[Job], writer: Writer, environment: Environment, n_jobs: int | None = 1,
            scheduler: str | None = None) -> None:
    """Run ``jobs`` on the executor ``n_jobs`` / ``scheduler`` select, committing through ``writer``,
    every fit in ``environment``."""
    tasks = tasks_of(jobs)
    if getattr(multiprocessing.current_process(), "_inheriting", False):  # a worker importing an unguarded script
        print(f"forecastkit: error: {WORKERS_LOST_AT_START}", file=sys.stderr, flush=True)
        raise SystemExit(1)  # the worker ends here, without a traceback; its pool reports the error
    if scheduler is not None:
        _on_dask(longest_first(tasks), writer, environment, scheduler)
        return
    n_jobs = default_jobs(len(tasks)) if n_jobs is None else min(n_jobs, len(tasks))
    if n_jobs <= 1:
        use_threads(environment)
        with applied(environment):
            for job in jobs:
                for record in _each_with_warnings(job):
                    writer.commit(record)
        return
    _on_processes(longest_first(tasks), writer, environment, n_jobs)


def longest_first(tasks: list[list[Job]]) -> list[list[Job]]:
    """``tasks`` ordered by their estimated cost (:func:`~.plan.job_cost`), costliest first."""
    costs = [sum(job_cost(job) for job in task) for task in tasks]
    return [tasks[i] for i in sorted(range(len(tasks)), key=lambda i: -costs[i])]


def _on_processes(tasks: list, writer: Writer, environment: Environment, workers: int) -> None:
    """Run ``tasks`` on a pool of ``workers`` processes, at most two tasks each in flight.

    A worker that dies breaks the pool: the tasks in flight go back in the queue (each up to
    :data:`RETRIES` times) and a new pool takes over. An exception in this process (Ctrl-C)
    cancels the queued tasks; what was committed stays committed.
    """
    start_workers({job.template.model for task in tasks for job in task})
    pending = list(range(len(tasks)))[::-1]  # task indices, next at the end
    attempts = [0] * len(tasks)
    networks = any(_trains_networks(task) for task in tasks)  # then the workers start slowly
    while pending:
        executor = pool(workers)
        running: dict = {}
        try:
            started = (_while_starting(executor, workers, tasks, pending, writer, environment) if networks
                       else _start(executor, workers))
            if not started and not any(attempts):  # the first pool never came up
                raise ConfigError(WORKERS_LOST_AT_START)
            broken = False
            while (pending or running) and not broken:
                while pending and len(running) < 2 * workers and not broken:
                    index = pending.pop()
                    try:
                        running[executor.submit(run_task, tasks[index], environment)] = index
                    except BrokenProcessPool:  # it broke since the last check: the task goes to the next pool
                        _retry(index, tasks, attempts, pending, writer)
                        broken = True
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    index = running.pop(future)
                    try:
                        records = future.result()
                    except BrokenProcessPool:
                        broken = True
                        _retry(index, tasks, attempts, pending, writer)
                        continue
                    for record in records:
                        writer.commit(record)
            for index in running.values():  # a broken pool took them down: run them again
                _retry(index, tasks, attempts, pending, writer)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)


def _while_starting(executor, workers: int, tasks: list, pending: list, writer: Writer,
                    environment: Environment) -> bool:
    """Fit baselines in this process while a pool's workers start.

    In a run that trains networks the workers fork from a server that imports TensorFlow first
    (several seconds for the first pool), so this process, idle otherwise, takes the fits of
    tasks that train no network, one fit at a time (costliest task first), until every worker
    is up. A baseline fit gives the same numbers here as in a worker (the same BLAS threads; no
    TensorFlow involved). Returns whether every worker came up.
    """
    outcome: list = []
    started = threading.Thread(target=lambda: outcome.append(_start(executor, workers)), daemon=True)
    started.start()
    with applied(environment):
        while started.is_alive():
            index = next((i for i in reversed(pending) if not _trains_networks(tasks[i])), None)
            if index is None:
                break
            job = tasks[index].pop(0)
            if not tasks[index]:
                pending.remove(index)
            for fit_record in run_job(job):
                writer.commit(fit_record)
    started.join()
    return bool(outcome and outcome[0])


def _start(executor, workers: int) -> bool:
    """Start the pool's ``workers`` processes and wait until each has run a first (empty) task;
    whether every one did."""
    try:
        done, _ = wait([executor.submit(_started) for _ in range(workers)])
    except BrokenProcessPool:
        return False
    return all(future.exception() is None for future in done)


def _started() -> None:
    """The empty task a pool worker runs when it is up."""


def _trains_networks(task: list[Job]) -> bool:
    return any(kind_of(job.template) != "baseline" for job in task)


def _retry(index: int, tasks: list, attempts: list, pending: list, writer: Writer) -> None:
    attempts[index] += 1
    if attempts[index] <= RETRIES:
        pending.append(index)
        return
    reason = f"WorkerLost: the process running this fit died {attempts[index]} times (out of memory?)"
    for job in tasks[index]:  # it killed its worker every time: record it, the run goes on
        for unit, fit in job.pairs:
            if (unit.key, fit) not in job.committed:
                served = unit.served(fit)
                outcome = ("failed", reason, np.full((len(served), served[0][1].horizon), np.nan))
                writer.commit(record(job.label, unit.key, fit, served, outcome, 0.0, None))


def _on_dask(tasks: list, writer: Writer, environment: Environment, scheduler: str) -> None:
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(f"`scheduler` runs the jobs on Dask, which is not installed: {DASK_EXTRA}. "
                          f"Received: scheduler={scheduler!r}") from None
    cluster = None
    if scheduler.startswith("local:"):
        with dask.config.set({"distributed.worker.daemon": False}):  # so each may start its child process
            cluster = LocalCluster(n_workers=int(scheduler[6:]), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
    try:
        with _connected(Client, cluster, scheduler) as client:
            futures = [client.submit(run_task_in_child, task, environment, pure=False) for task in tasks]
            for future in as_completed(futures):
                for record in future.result():
                    writer.commit(record)
                future.release()
            if cluster is not None:  # its workers end promptly without a child process to wait for
                client.run(stop_child)
    finally:
        if cluster is not None:
            with _sigint_ignored():  # a second Ctrl-C must not break the close (Dask's atexit would print it)
                cluster.close()


@contextlib.contextmanager
def _sigint_ignored():
    """Ctrl-C ignored inside the block, when this is the main thread (where signals are handled)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def check_reachable(scheduler: str | None, timeout: float = 10.0) -> None:
    """Raise :func:`unreachable` now, before a run creates its store, when nothing listens at a
    ``tcp://`` or ``tls://`` scheduler address (one TCP connection, no Dask)."""
    import socket
    from urllib.parse import urlsplit

    if scheduler is None or not scheduler.startswith(("tcp://", "tls://")):
        return
    try:
        address = urlsplit(scheduler)
        socket.create_connection((address.hostname, address.port), timeout=timeout).close()
    except (OSError, ValueError) as error:  # refused, unreachable, timed out; no host or port
        raise unreachable(scheduler, error) from None


def unreachable(scheduler: str, error: Exception) -> ConfigError:
    """The error of a Dask scheduler that cannot be reached, with the fix."""
    return ConfigError(f"No Dask scheduler answered at {scheduler} ({error}). Start one there (`dask "
                       f"scheduler`, then `dask worker {scheduler}` on each worker machine), or run on this "
                       f"machine: `--scheduler local:N` (scheduler='local:N') or `--jobs N`. "
                       f"Received: scheduler={scheduler!r}")


def _connected(client_class, cluster, scheduler: str):
    """A Dask client of ``cluster`` (a LocalCluster this run started) or of the running scheduler
    at ``scheduler``; one that cannot be reached (or no longer) is :func:`unreachable`."""
    if cluster is not None:
        return client_class(cluster)
    try:
        return client_class(scheduler)
    except OSError as error:  # refused, unreachable, timed out
        raise unreachable(scheduler, error) from None


def stop_child() -> None:
    """End the child process of this Dask worker (:func:`run_task_in_child`), if it has one."""
    executor = _CHILD.pop("pool", None)
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
