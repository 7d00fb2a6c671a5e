"""Imported by the server the pool workers fork from (:func:`.executors.start_workers`) when a
run trains networks on TensorFlow: TensorFlow, quietly and without starting its runtime, so
every worker starts with it imported and still sets its own thread counts."""

from ..models.keras_common import import_tensorflow

import_tensorflow()
