"""Durable walk-forward results: one SQLite file, committed once per fit.

Tables: ``run`` (the configuration, as JSON), ``results`` (one row per forecast value),
``fits`` (status and failure reason of every fit), ``scales`` (MASE scales per id and
origin), ``timings`` (seconds per fit, kept apart so results compare byte for byte) and
``distributions`` (the scores of each forecast's distribution, when the run scores them:
:mod:`.probabilistic`); with ``evaluate --tune``, ``searches`` holds each tuned fit's search
(:mod:`forecastkit.tuning.nested`).
An interrupted run loses at most the fit in progress; :meth:`RunStore.done` tells a resumed
run what to skip.

Examples
--------
>>> import tempfile, pathlib
>>> from forecastkit.evaluation.store import RunStore
>>> with tempfile.TemporaryDirectory() as folder:
...     store = RunStore.create(pathlib.Path(folder) / "run.sqlite", {"horizon": 2})
...     store.commit_fit("naive", "a", 0, "ok", "", [("naive", "a", 0, 5, 1, 5, 1.0, 1.0)], 0.01)
...     sorted(store.done())
[('naive', 'a', 0)]
"""

from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, user_stacklevel

RESULT_COLUMNS = ["model", "id", "fit", "origin", "h", "time", "y_true", "y_pred"]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (model TEXT, id TEXT, fit INTEGER, origin, h INTEGER, time,
                                    y_true REAL, y_pred REAL);
CREATE TABLE IF NOT EXISTS fits (model TEXT, id TEXT, fit INTEGER, status TEXT, reason TEXT,
                                 PRIMARY KEY (model, id, fit));
CREATE TABLE IF NOT EXISTS scales (id TEXT, origin, scale REAL, scale_naive REAL,
                                   PRIMARY KEY (id, origin));
CREATE TABLE IF NOT EXISTS timings (model TEXT, id TEXT, fit INTEGER, seconds REAL,
                                    PRIMARY KEY (model, id, fit));
CREATE TABLE IF NOT EXISTS choices (model TEXT, id TEXT, fit INTEGER, preprocess TEXT,
                                    PRIMARY KEY (model, id, fit));
CREATE TABLE IF NOT EXISTS searches (model TEXT, id TEXT, fit INTEGER, params TEXT, value REAL, trials INTEGER,
                                     seconds REAL, reason TEXT, PRIMARY KEY (model, id, fit));
CREATE TABLE IF NOT EXISTS distributions (model TEXT, id TEXT, fit INTEGER, origin, h INTEGER, method TEXT,
                                          crps REAL, pinball REAL, pit REAL, bounds TEXT);
"""


#: Keys that may differ on resume: how the fits are run, not what they compute.
RESUME_IGNORES = frozenset({"jobs", "scheduler"})
#: Settings a run saved before they existed ran with, by their path in its configuration: a
#: resumed old run compares as what it did (a global model's fits were one per origin).
SAVED_BEFORE = {("splitter", "cohorts"): 1}


def as_saved_before(config: dict) -> dict:
    """``config`` with the settings of :data:`SAVED_BEFORE` it lacks set to what they were.

    Examples
    --------
    >>> as_saved_before({"splitter": {"folds": 3}})
    {'splitter': {'folds': 3, 'cohorts': 1}}
    """
    config = json.loads(json.dumps(config))
    for (*parents, name), value in SAVED_BEFORE.items():
        part = config
        for key in parents:
            part = part.get(key) if isinstance(part, dict) else None
        if isinstance(part, dict):
            part.setdefault(name, value)
    return config


def config_differences(saved: dict, now: dict) -> list[str]:
    """``"key: <saved> in the run, <now> now"`` for each differing setting of two run
    configurations, nested ones by their own name (a horizon in the splitter and in every
    model is one ``horizon``), ``"models.mlp.units: ..."`` when the same name differs in
    several ways; :data:`RESUME_IGNORES` left out.

    Examples
    --------
    >>> config_differences({"seed": 0, "splitter": {"horizon": 12}, "models": {"mlp": {"horizon": 12}}},
    ...                    {"seed": 0, "splitter": {"horizon": 6}, "models": {"mlp": {"horizon": 6}}})
    ['horizon: 12 in the run, 6 now']
    """
    pairs: dict[str, dict[tuple[str, str], list[tuple]]] = {}  # name -> (before, after) -> paths

    def note(name, before, after, path):
        pairs.setdefault(name, {}).setdefault((before, after), []).append(path)

    def compare(before, after, path):
        if isinstance(before, dict) and isinstance(after, dict):
            keys = [set(map(str, side)) - RESUME_IGNORES for side in (before, after)]
            if path and keys[0] != keys[1]:  # models added or left out: named, not their parameters
                note(path[-1], ", ".join(sorted(keys[0])), ", ".join(sorted(keys[1])), path)
            for key in sorted(set(before) | set(after), key=str):
                if str(key) in RESUME_IGNORES:
                    continue
                if key in before and key in after:
                    compare(before[key], after[key], (*path, str(key)))
                elif not path:
                    note(str(key), repr(before.get(key, "(none)")), repr(after.get(key, "(none)")), (str(key),))
        elif before != after:
            note(path[-1], repr(before), repr(after), path)

    compare(saved, now, ())
    lines = []
    for name, values in pairs.items():
        for (before, after), paths in values.items():
            label = name if len(values) == 1 else ".".join(paths[0])
            lines.append(f"{label}: {before} in the run, {after} now")
    return lines


class RunStore:
    """A walk-forward run's SQLite file (open with :meth:`create` or :meth:`resume`)."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        self.path = path
        self._db = connection

    @classmethod
    def create(cls, path: Path | None, config: dict) -> "RunStore":
        """Start a new run (in memory when ``path`` is None); never overwrites an existing one."""
        if path is not None:
            path = Path(path)
            if path.exists():
                raise ConfigError(
                    f"{str(path)!r} already holds a walk-forward run. Set `resume` to True "
                    "to continue it, or choose another `out` directory."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(path, sqlite3.connect(":memory:" if path is None else path))
        store._db.executescript(_SCHEMA)
        with store._db:
            store._db.execute("INSERT INTO run VALUES ('config', ?)", (json.dumps(config, sort_keys=True),))
        return store

    @classmethod
    def resume(cls, path: Path, config: dict) -> "RunStore":
        """Reopen a run; its configuration must equal ``config`` (else results would mix). With
        no run there yet it starts one, and says so (a mistyped ``out`` would otherwise go unseen)."""
        path = Path(path)
        if not path.exists():
            warnings.warn(f"No run to `resume` in {str(path.parent)!r}: starting it.", stacklevel=user_stacklevel())
            return cls.create(path, config)
        store = cls(path, sqlite3.connect(path))
        store._db.executescript(_SCHEMA)  # a run written before a table existed gains it
        saved = as_saved_before(store.config())
        changed = config_differences(saved, config)
        if changed:
            raise ConfigError(
                f"Cannot `resume` the run in {str(path.parent)!r}: its settings differ ({'; '.join(changed)}). "
                "Resume with the run's settings, or start a new run in another `out` directory (or remove "
                "this one: the command line's --overwrite does that)."
            )
        return store

    def config(self) -> dict:
        row = self._db.execute("SELECT value FROM run WHERE key = 'config'").fetchone()
        return json.loads(row[0])

    def done(self) -> dict[tuple[str, str, int], str]:
        """The status ("ok" or "failed") of every committed fit, by (model, id, fit)."""
        return {(model, sid, fit): status
                for model, sid, fit, status in self._db.execute("SELECT model, id, fit, status FROM fits")}

    def commit_fit(self, model: str, sid: str, fit: int, status: str, reason: str,
                   rows: list[tuple], seconds: float, preprocess: str = "", scores: list[tuple] = ()) -> None:
        """Store one fit's forecast rows, status, timing, chosen target transforms
        (``preprocess``, neural models) and distribution ``scores`` (one per forecast row:
        ``(method, crps, pinball, pit, bounds)``) in a single transaction.

        All or nothing: an interruption or error before the commit leaves none of them
        (``with connection`` commits on success and rolls back on any exception).
        """
        with self._db:
            self._db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("INSERT INTO fits VALUES (?, ?, ?, ?, ?)", (model, sid, fit, status, reason))
            self._db.execute("INSERT INTO timings VALUES (?, ?, ?, ?)", (model, sid, fit, seconds))
            if preprocess:
                self._db.execute("INSERT INTO choices VALUES (?, ?, ?, ?)", (model, sid, fit, preprocess))
            if scores:
                self._db.executemany("INSERT INTO distributions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     [row[:5] + score for row, score in zip(rows, scores)])

    def commit_search(self, model: str, sid: str, fit: int, params: str, value: float, trials: int,
                      seconds: float, reason: str = "") -> None:
        """Store one fit's finished hyperparameter search (``evaluate --tune``): the settings found
        (JSON), their inner metric, the trials run, the seconds taken, or why no trial finished."""
        with self._db:
            self._db.execute("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (model, sid, fit, params, value, trials, seconds, reason))

    def commit_scales(self, rows: list[tuple]) -> None:
        """Store MASE scales (id, origin, scale, scale_naive); existing ones are kept."""
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO scales VALUES (?, ?, ?, ?)", rows)

    def table(self, name: str) -> pd.DataFrame:
        """A whole table as a DataFrame, in a stable order."""
        order = {"results": "model, id, fit, origin, h", "fits": "model, id, fit",
                 "scales": "id, origin", "timings": "model, id, fit",
                 "choices": "model, id, fit", "distributions": "model, id, fit, origin, h",
                 "searches": "model, id, fit"}[name]
        return pd.read_sql_query(f"SELECT * FROM {name} ORDER BY {order}", self._db)

    def close(self) -> None:
        self._db.close()
