"""The versions a result or a saved model records: forecastkit, Python and the libraries used.

Examples
--------
>>> sorted(versions())[:3]
['forecastkit', 'numpy', 'pandas']
"""

from __future__ import annotations

import contextlib
import importlib.metadata as metadata
import platform

from . import __version__

#: Libraries whose versions a report records (those installed).
REPORT_PACKAGES = ("numpy", "pandas", "scikit-learn", "statsmodels", "keras", "tensorflow")


def versions(packages=("numpy", "pandas"), keras_backend: bool = False) -> dict:
    """forecastkit's and Python's versions, the installed ``packages``' versions and, with
    ``keras_backend``, Keras' version and backend (imports Keras)."""
    found = {"forecastkit": __version__, "python": platform.python_version()}
    for package in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):  # not installed: not listed
            found[package] = metadata.version(package)
    if keras_backend:
        import keras

        found["keras"] = keras.__version__
        found["backend"] = keras.backend.backend()
    return found
