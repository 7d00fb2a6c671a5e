"""Imported by the server the pool workers fork from (:func:`.executors.start_workers`) when a
run trains networks on TensorFlow: TensorFlow, quietly and without starting its runtime, so
every worker starts with it imported and still sets its own thread counts.

The server ends when the process that started it does. Its TensorFlow would then take a
second or two to tear down, holding the standard streams it inherited (a caller reading
the driver's output waits for them), so the server leaves at once instead: it holds
nothing to save. Only the server does (:func:`imported_by_the_server`): any other process
importing this module keeps its own exit, and its exit code; the workers forked from the
server end by ``os._exit`` after their task loop and never run exit handlers."""

import atexit
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


import_tensorflow()
if imported_by_the_server():
    atexit.register(os._exit, 0)
