"""Warm-start chains' state: the weights each committed fit left, so a resumed chain continues.

Examples
--------
>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as folder:
...     checkpoint = Checkpoint(pathlib.Path(folder), "lstm", "a")
...     checkpoint.load(3) is None  # nothing saved yet: the chain replays instead
True
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from sklearn.base import clone

#: Folder of the checkpoints inside a run's ``out`` directory.
CHECKPOINTS = "checkpoints"


class Checkpoint:
    """The weights (and optimizer state) a warm-started chain's last committed fit left.

    One ``.keras`` file per chain in ``folder``, named by a digest of (model label, series
    id) and the fit index, written to a temporary name, flushed to disk and renamed, so a
    file that exists is complete. The previous fit's file is removed only after the next
    fit is committed, and the last one when the chain is complete.
    """

    def __init__(self, folder: Path, label: str, sid: str):
        self.folder = Path(folder)
        self.stem = hashlib.sha256(f"{label}\0{sid}".encode()).hexdigest()[:16]

    def path(self, fit: int) -> Path:
        return self.folder / f"{self.stem}-{fit}.keras"

    def save(self, forecaster, fit: int) -> None:
        """Write ``forecaster``'s trained network as fit ``fit``'s checkpoint (nothing if none)."""
        if forecaster is None or not hasattr(forecaster, "model_"):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # one partial file per writer: a worker of an interrupted run may still be saving this fit
        partial = self.folder / f"{self.stem}-{fit}-partial-{os.getpid()}-{uuid.uuid4().hex[:8]}.keras"
        forecaster.model_.save(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, self.path(fit))

    def load(self, fit: int):
        """The checkpointed keras.Model of ``fit`` (safe mode), or None if missing or unreadable."""
        if not self.path(fit).is_file():
            return None
        from ..models.keras_common import import_keras

        try:
            return import_keras().models.load_model(self.path(fit), safe_mode=True)
        except Exception:  # a damaged checkpoint costs a replay, not the run
            return None

    def prune(self, keep: int | None) -> None:
        """Remove this chain's files other than fit ``keep``'s (all of them for None)."""
        for path in self.folder.glob(f"{self.stem}-*.keras"):
            if keep is None or path != self.path(keep):
                path.unlink(missing_ok=True)


def warm_state(template, order: list[int], start: int, committed: dict, checkpoint: Checkpoint | None):
    """(forecaster to continue from or None, index of the first fit to run) for a resumed warm
    chain; ``committed`` maps the chain's committed fits to their status."""
    if start == 0 or committed[order[start - 1]] != "ok":
        return None, start  # nothing before, or the last committed fit failed: start afresh
    model = checkpoint.load(order[start - 1]) if checkpoint else None
    if model is not None:
        forecaster = clone(template)
        forecaster.model_ = model  # the warm start continues from this network
        return forecaster, start
    failed = [i for i in range(start) if committed[order[i]] != "ok"]
    return None, failed[-1] + 1 if failed else 0  # replay since the last failure
