"""Imported by the server the pool workers fork from (:func:`.executors.start_workers`) when a
run trains networks on TensorFlow: TensorFlow, quietly and without starting its runtime, so
every worker starts with it imported and still sets its own thread counts.

The server ends when the process that started it does. Its TensorFlow would then take a
second or two to tear down, holding the standard streams it inherited (a caller reading
the driver's output waits for them), so the server leaves at once instead: it holds
nothing to save. Only the server does (:func:`imported_by_the_server`): any other process
importing this module keeps its own exit, and its exit code; the workers forked from the
server end by ``os._exit`` after their task loop and never run exit handlers.

The server also imports TensorFlow without JAX, Matplotlib and IPython (:func:`imports_blocked`):
TensorFlow Lite imports JAX when it is installed, for a converter no worker uses; Keras
imports ``matplotlib.pyplot`` when it is installed, for an image gallery no worker draws, and
IPython, to tell whether it runs in a notebook; each import is 0.2-0.5 s on the path of every
pooled run that trains networks (the workers never plot or display: the driver draws the
report's figures). The workers can still import any of them themselves."""

import atexit
import contextlib
import os
import sys

from ..models.keras_common import import_tensorflow


def imported_by_the_server() -> bool:
    """Whether multiprocessing's fork server (its ``main``, preloading modules) is importing this.

    Examples
    --------
    >>> imported_by_the_server()
    False
    """
    frame = sys._getframe(1)
    server = os.path.join("multiprocessing", "forkserver.py")
    while frame is not None:
        if frame.f_code.co_name == "main" and frame.f_code.co_filename.endswith(server):
            return True
        frame = frame.f_back
    return False


@contextlib.contextmanager
def imports_blocked(*names: str):
    """Inside the block, importing one of the top-level packages ``names`` that is not already
    imported raises ImportError (code that treats the package as optional does without it).

    Examples
    --------
    >>> with imports_blocked("a_package_nobody_has"):
    ...     import a_package_nobody_has
    Traceback (most recent call last):
    ...
    ModuleNotFoundError: a_package_nobody_has is not imported here (forecastkit's worker server)
    """
    blocked = {name for name in names if name not in sys.modules}
    finder = _Blocker(blocked)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


class _Blocker:
    """A meta path finder refusing the top-level packages it was given."""

    def __init__(self, names: set):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{name} is not imported here (forecastkit's worker server)", name=name)
        return None


if imported_by_the_server():
    with imports_blocked("jax", "matplotlib", "IPython"):
        import_tensorflow()
    atexit.register(os._exit, 0)
else:
    import_tensorflow()
