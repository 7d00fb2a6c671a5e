"""The numeric environment every fit runs in, on every executor: thread counts and determinism.

A floating-point sum depends on its order, and a kernel's order on its thread count, so the
same fit gives the same bits only with the same TensorFlow and BLAS thread settings. The
driver fixes them once per run (:func:`reference`) and every executor applies them
(:func:`applied`): in this process, in each process of a pool, on each Dask worker.

- BLAS (NumPy, SciPy, statsmodels): one thread per fit, through ``threadpoolctl``.
- TensorFlow: intra- and inter-op threads are fixed when its runtime starts. A process
  whose runtime has not started uses one of each (parallelism comes from the executors);
  one whose runtime has (e.g. a notebook that trained a model before) keeps its settings,
  resolved to numbers, and the workers take the same numbers. The driver of a process
  pool never imports TensorFlow: only the processes that train do.
- Python's ``random``: Keras draws the seed of every unseeded initializer from it right after
  ``keras.utils.set_random_seed``, so no other thread may draw from it meanwhile: a Dask
  worker (whose own threads do) hands its tasks to a child process (:mod:`.executors`).
- Op determinism: TensorFlow's ``tf.config.experimental.enable_op_determinism`` while the
  run trains. TensorFlow has no public switch back; in this process the previous state is
  restored through its private one when present, so a later ``fit`` is as fast as before.

Examples
--------
>>> Environment(deterministic=True, tf_threads=(1, 1)).blas_threads
1
>>> reference(deterministic=True, uses_tensorflow=False).tf_threads is None  # a run without networks
True
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

from ..errors import user_stacklevel
from ..models.keras_common import import_tensorflow, keras_backend


@dataclass(frozen=True)
class Environment:
    """What every fit of a run shares: op determinism and thread counts."""

    deterministic: bool
    tf_threads: tuple | None = None  # (intra-op, inter-op); None: the run trains no network
    blas_threads: int = 1


def cpu_count() -> int:
    """CPUs this process may use (its affinity where known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def reference(deterministic: bool, uses_tensorflow: bool) -> Environment:
    """The run's environment, fixed in the driver (see the module notes); TensorFlow is not
    imported here.

    A run that trains networks on TensorFlow uses one intra- and one inter-op thread per fit:
    set here if this process has imported TensorFlow but not started its runtime, and by
    :func:`use_threads` wherever a fit first imports it (a pool's driver never does). A
    runtime that has started already (Keras imported and used) keeps its settings, resolved
    to numbers, and the workers take them too.
    """
    if not uses_tensorflow or keras_backend() != "tensorflow":
        if uses_tensorflow and not deterministic:
            _warn_tensorflow_only()
        return Environment(deterministic)
    tf = sys.modules.get("tensorflow")
    if tf is None:  # its runtime will start with the run's threads, wherever it starts
        return Environment(deterministic, (1, 1))
    threading = tf.config.threading
    intra, inter = threading.get_intra_op_parallelism_threads(), threading.get_inter_op_parallelism_threads()
    try:
        threading.set_intra_op_parallelism_threads(1)
        threading.set_inter_op_parallelism_threads(1)
        return Environment(deterministic, (1, 1))
    except RuntimeError:  # the runtime started already: keep its settings, as numbers
        return Environment(deterministic, (intra or cpu_count(), inter or cpu_count()))


def _warn_tensorflow_only() -> None:
    """One :class:`~forecastkit.errors.TensorFlowOnlyWarning` per process (not in a worker: its
    driver warned already) for ``deterministic=False`` on a backend other than TensorFlow."""
    import multiprocessing
    import warnings

    from ..errors import TensorFlowOnlyWarning

    if _APPLIED.get("warned") or multiprocessing.parent_process() is not None:
        return
    _APPLIED["warned"] = True
    warnings.warn(TensorFlowOnlyWarning(
        f"`fast_nondeterministic` (Python: `deterministic`=False) changes nothing on Keras' {keras_backend()} "
        "backend: op determinism is a TensorFlow switch."), stacklevel=user_stacklevel())


def use_threads(environment: Environment) -> None:
    """Give this process's TensorFlow ``environment``'s thread counts (imported here when the
    run trains networks on it); a runtime started already keeps its own, which
    :func:`reference` resolved the environment's from."""
    if environment.tf_threads is None or keras_backend() != "tensorflow":
        return
    tf = import_tensorflow()
    with contextlib.suppress(RuntimeError):  # started already, with these settings
        tf.config.threading.set_intra_op_parallelism_threads(environment.tf_threads[0])
        tf.config.threading.set_inter_op_parallelism_threads(environment.tf_threads[1])


_APPLIED: dict = {}


def prepare_worker(environment: Environment) -> None:
    """Apply ``environment``'s TensorFlow threads and determinism in a worker process (once
    per process and environment; its runtime has not started, so the settings take)."""
    if _APPLIED.get("worker") == environment:
        return
    use_threads(environment)
    if environment.tf_threads is not None and environment.deterministic and keras_backend() == "tensorflow":
        import_tensorflow().config.experimental.enable_op_determinism()
    _APPLIED["worker"] = environment


@contextlib.contextmanager
def applied(environment: Environment, restore: bool = True):
    """BLAS threads and, on TensorFlow, op determinism as ``environment`` says, for the block.

    ``restore``: put op determinism back as it was afterwards (the in-process executor).
    """
    from threadpoolctl import threadpool_limits

    determinism = environment.deterministic and environment.tf_threads is not None
    with threadpool_limits(limits=environment.blas_threads), _op_determinism(determinism, restore):
        yield


@contextlib.contextmanager
def _op_determinism(on: bool, restore: bool):
    tf = sys.modules.get("tensorflow")
    if not on or tf is None:  # no network trains, or not on TensorFlow (per-fit seeds suffice)
        yield
        return
    private = _private_config() if restore else None
    was_on = private.is_op_determinism_enabled() if private else True
    tf.config.experimental.enable_op_determinism()
    try:
        yield
    finally:
        if not was_on:
            private.disable_op_determinism()


def _private_config():
    """TensorFlow's private switch back from op determinism, or None where it is missing."""
    try:
        from tensorflow.python.framework import config
    except ImportError:
        return None
    has_both = hasattr(config, "is_op_determinism_enabled") and hasattr(config, "disable_op_determinism")
    return config if has_both else None

