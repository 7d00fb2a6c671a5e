"""Command line: ``forecastkit forecast | evaluate | ablation | models | datasets``.

Argument parsing and rendering only; the work is done by the public API
(:mod:`forecastkit.runs`). Flags derive from :class:`~forecastkit.settings.RunSettings`
(:mod:`.parser`); library errors, which name Python arguments, are printed with the flags
instead (:mod:`.flags`). Everything is parsed and validated (flags, config file, data, series
lengths) before TensorFlow is imported, so ``--help`` and input errors answer in about a
second. Exit codes: 0 success, 1 error (one line on standard error, no traceback), 2 bad
command-line usage, 3 some fits failed, 130 interrupted.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import threading

from .parser import build_parser

__all__ = ["main", "run", "build_parser"]


def run() -> None:
    """The ``forecastkit`` command: :func:`main`, then the process ends without the interpreter's
    teardown.

    Everything a run writes is committed and closed by the time :func:`main` returns. What
    Python does at exit before it tears down its modules is done here in its order: threading's
    exit hooks and the wait for non-daemon threads, the exit handlers (temporary files,
    multiprocessing's children, logging), the flush of the standard streams; then the process
    leaves with :func:`os._exit`. The teardown skipped, dismantling the ~1,700 modules a run
    imports (pandas, scikit-learn, Matplotlib), took about 0.4 s after the last line: a tenth
    of a small evaluation's whole time.
    """
    code = main()
    wait_for_threads = getattr(threading, "_shutdown", None)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if wait_for_threads is None or run_exit_handlers is None:  # another Python: exit as usual
        raise SystemExit(code)
    wait_for_threads()
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that stopped early (``forecastkit ... | head``)
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``forecastkit``, ``python -m forecastkit`` and ``python cli.py``; returns the exit code."""
    from ..errors import ForecastkitError
    from .commands import run_command
    from .flags import to_flags

    args = build_parser().parse_args(argv)
    from_file: set[str] = set()
    try:
        code = run_command(args, from_file)
        if code == 130:  # interrupted, and said so by the command
            _quiet_tensorflow()
        return code
    except ForecastkitError as err:
        print(f"forecastkit: error: {to_flags(str(err), keep=from_file)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("forecastkit: interrupted.", file=sys.stderr)  # evaluate, ablation and tune say how to resume
        _quiet_tensorflow()
        return 130
    except OSError as err:
        print(f"forecastkit: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except Exception as err:  # a bug, not bad input: one line, full traceback on request
        if os.environ.get("FORECASTKIT_DEBUG"):
            raise
        print(f"forecastkit: internal error: {type(err).__name__}: {err} "
              "(set FORECASTKIT_DEBUG=1 for the traceback and please report it)", file=sys.stderr)
        return 1


def _quiet_tensorflow() -> None:
    """After an interrupt: a trace cut short leaves ops that TensorFlow logs at exit as "never
    used", a block like a traceback after the line that already said what happened."""
    if "tensorflow" in sys.modules:
        logging.getLogger("tensorflow").setLevel(logging.CRITICAL)
