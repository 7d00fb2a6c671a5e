"""Progress over a run's fits, on standard error: a live bar, plain lines, or nothing.

Examples
--------
>>> check_progress(True), check_progress(False), check_progress("lines")
('bar', None, 'lines')
>>> with Progress("lines", total=0) as advance:  # nothing to do: nothing shown
...     advance()
>>> line("walk-forward fits", 30, 120, 75.0), line("walk-forward fits", 120, 120, 3725.0)
('walk-forward fits 30/120 (1 min 15 s, about 3 min 45 s left at this rate)', 'walk-forward fits 120/120 (1 h 2 min)')
"""

from __future__ import annotations

import sys
import time

from ..errors import ConfigError

#: Seconds between two plain progress lines (a line is also written at every further 10%).
LINE_SECONDS = 5.0


def check_progress(progress) -> str | None:
    """``"bar"`` (also for True), ``"lines"`` or None (False or None: nothing shown)."""
    if progress is None or progress is False:
        return None
    if progress is True or progress == "bar":
        return "bar"
    if progress == "lines":
        return "lines"
    raise ConfigError("`progress` must be False, True or 'bar' (a live bar), or 'lines' (plain lines for a "
                      f"log or a non-terminal). Received: progress={progress!r}")


def duration(seconds: float) -> str:
    """``seconds`` for a person: ``"8 s"``, ``"3 min 45 s"``, ``"1 h 2 min"``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def line(what: str, done: int, total: int, elapsed: float) -> str:
    """A plain progress line: the count, the time so far and, before the end, the time left if
    the remaining fits go at the rate of those done (fits differ in cost, so a rough guide)."""
    text = f"{what} {done}/{total} ({duration(elapsed)}"
    if done < total:
        text += f", about {duration(elapsed / max(done, 1) * (total - done))} left at this rate"
    return text + ")"


class Progress:
    """Context manager yielding an ``advance()`` callable, called once per committed fit.

    ``mode``: ``"bar"`` draws a rich bar; ``"lines"`` writes :func:`line` (``walk-forward fits
    12/48 (30 s, about 1 min 30 s left at this rate)``) every :data:`LINE_SECONDS` seconds or
    10% of the fits (and at the end); None shows nothing.
    ``what`` names what is counted (``"tuning searches"`` before the fits of ``evaluate --tune``).
    """

    def __init__(self, mode, total: int, stream=None, what: str = "walk-forward fits"):
        self.mode = check_progress(mode) if total > 0 else None
        self.total, self.done = total, 0
        self.stream, self.what = stream, what

    def __enter__(self):
        if self.mode is None:
            return lambda: None
        if self.mode == "lines":
            self.started = self.last_time = time.monotonic()
            self.last_done = 0
            return self._line
        from rich import progress as rich
        from rich.console import Console

        self.bar = rich.Progress(rich.TextColumn(self.what), rich.BarColumn(), rich.MofNCompleteColumn(),
                                 rich.TimeRemainingColumn(), console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("fits", total=self.total)
        return lambda: self.bar.advance(task)

    def _line(self) -> None:
        self.done += 1
        now = time.monotonic()
        step = max(1, self.total // 10)
        if self.done == self.total or now - self.last_time >= LINE_SECONDS or self.done - self.last_done >= step:
            stream = self.stream or sys.stderr
            print(line(self.what, self.done, self.total, now - self.started), file=stream, flush=True)
            self.last_time, self.last_done = now, self.done

    def __exit__(self, *exc):
        if self.mode == "bar":
            self.bar.stop()
        return False
