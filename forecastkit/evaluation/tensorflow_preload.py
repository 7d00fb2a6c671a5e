"""Imported by the server the pool workers fork from (:func:`.executors.start_workers`) when a
run trains networks on TensorFlow: TensorFlow, quietly and without starting its runtime, so
every worker starts with it imported and still sets its own thread counts.

The server ends when the process that started it does. Its TensorFlow would then take a
second or two to tear down, holding the standard streams it inherited (a caller reading
the driver's output waits for them), so the server leaves at once instead: it holds
nothing to save. The workers it forked never run this exit handler (a forked worker ends
by ``os._exit`` after its task loop)."""

import atexit
import os

from ..models.keras_common import import_tensorflow

import_tensorflow()
atexit.register(os._exit, 0)
