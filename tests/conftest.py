"""Shared fixtures: tiny real and synthetic panels, fast training settings."""

import os

import numpy as np
import pandas as pd
import pytest

from forecastkit import datasets
from forecastkit.data import from_pandas

#: Tests run their walk-forwards in-process unless they pass n_jobs / --jobs (tests/test_executors.py);
#: set before any run, so the command-line runs the tests start inherit it.
os.environ["FORECASTKIT_JOBS"] = "1"

#: Training settings that keep neural tests to a fraction of a second each.
FAST = {"epochs": 2, "batch_size": 16, "patience": 1}


@pytest.fixture(scope="session")
def airline():
    return datasets.load("airline")


@pytest.fixture(scope="session")
def two_series():
    """Two monthly series with one covariate, different lengths and start dates."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, start, n in (("a", "2000-01-01", 60), ("b", "2001-06-01", 48)):
        t = np.arange(n)
        frames.append(pd.DataFrame({
            "store": sid,
            "month": pd.date_range(start, periods=n, freq="MS"),
            "sales": 50 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n) + (sid == "b") * 30,
            "price": 5 + rng.normal(0, 0.1, n),
        }))
    return from_pandas(pd.concat(frames, ignore_index=True), id="store", time="month",
                       target="sales", past_covariates=("price",))


def origin_losses(spec, n=40, seed=0):
    """Per-origin losses for the significance tests: ``spec`` maps (model, id) -> mean loss;
    noise sd 0.1."""
    rng = np.random.default_rng(seed)
    frames = [pd.DataFrame({"model": model, "id": sid, "origin": np.arange(n),
                            "loss": level + rng.normal(0, 0.1, n)})
              for (model, sid), level in spec.items()]
    return pd.concat(frames, ignore_index=True)
