"""The commands: settings from the config file and flags, then the public API, then rendering."""

from __future__ import annotations

import contextlib
import shlex
import sys
import threading
import warnings

from ..errors import user_stacklevel
from . import render
from .flags import to_flags


def run_command(args, from_file: set[str]) -> int:
    """Run the parsed command; ``from_file`` receives the settings the config file set and
    no flag overrode (their names stay as written in messages)."""
    if args.command == "models":
        render.print_models()
        return 0
    if args.command == "datasets":
        render.print_datasets()
        return 0
    settings = read_settings({k: v for k, v in vars(args).items() if k != "command"}, from_file)
    with one_line_warnings(quiet=settings.quiet, keep=from_file):
        warn_unused_keys(from_file, args.command)
        return {"forecast": forecast, "evaluate": evaluate, "ablation": ablation, "tune": tune}[args.command](settings)


_PAIRED = {"model", "models"}


def warn_unused_keys(from_file: set[str], command: str) -> None:
    """Warn once about the config file's keys that ``command`` does not take (a file may serve
    several commands, so they are not errors; ``models`` for ``model`` is the usual slip)."""
    from ..settings import commands_of

    unused = sorted(name for name in from_file if command not in commands_of(name))
    if "model" in unused or "models" in unused:  # a file for both forecast and evaluate (tune's best.toml) has both
        unused = [name for name in unused if name not in ("model", "models") or not _PAIRED & from_file - {name}]
    if unused:
        listed = ", ".join(f"`{name}`" for name in unused)
        warnings.warn(f"The config file sets {listed}, which `forecastkit {command}` does not take: "
                      f"{'it is' if len(unused) == 1 else 'they are'} ignored.", stacklevel=user_stacklevel())


def read_settings(flags: dict, from_file: set[str]):
    """Defaults < config file < flags, as one :class:`~forecastkit.settings.RunSettings`."""
    from ..config import merge_settings, read_config

    config = read_config(flags.pop("config")) if "config" in flags else {}
    from_file.update(set(config) - set(flags) - {"model_tables"})
    return merge_settings(config, flags=flags)


class one_line_warnings:
    """Warnings as one ``forecastkit: warning: ...`` line on standard error (none with --quiet),
    naming flags where the library names settings (:func:`~forecastkit.cli.flags.to_flags`)."""

    def __init__(self, quiet: bool, keep=frozenset()):
        self.quiet, self.keep = quiet, keep

    def __enter__(self):
        self._context = warnings.catch_warnings()
        self._context.__enter__()
        if self.quiet:
            warnings.simplefilter("ignore")
        else:
            warnings.showwarning = self.show
        self._said = set()
        return self

    def show(self, message, *args, **kwargs) -> None:
        """One line per distinct warning (a bag's copies and an ensemble's members say theirs once)."""
        line = f"forecastkit: warning: {to_flags(str(message), keep=self.keep)}"
        if line not in self._said:
            self._said.add(line)
            print(line, file=sys.stderr)

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def interrupted(what: str, out) -> int:
    """Say where the finished ``what`` (fits, trials) of an interrupted run are and how to
    resume it; the exit code of an interrupt, 130."""
    out = shlex.quote(str(out))
    print(f"forecastkit: interrupted; the {what} finished so far are saved in {out}. To continue, rerun the "
          f"same command with --resume (--out {out} --resume).", file=sys.stderr)
    return 130


def verbosity(settings) -> int:
    """Keras verbosity: 0 quiet, 2 (epoch logs, on standard error) verbose, 1 (a bar) in a
    terminal unless the CSV goes to standard output, else 0."""
    if settings.quiet:
        return 0
    if settings.verbose:
        return 2
    return int(sys.stderr.isatty()) if getattr(settings, "out", None) != "-" else 0  # stdout: the CSV alone


def progress_mode(settings) -> bool | str:
    """Walk-forward progress: none with --quiet, a bar in a terminal, plain lines otherwise."""
    if settings.quiet:
        return False
    return "bar" if sys.stderr.isatty() else "lines"


def announce(settings):
    """Where the line of resolved settings goes (standard error; nowhere with --quiet)."""
    return None if settings.quiet else (lambda line: print(line, file=sys.stderr))


def forecast(settings) -> int:
    from ..runs import forecast as run_forecast
    from ..runs import forecast_output

    with contextlib.redirect_stdout(sys.stderr):  # Keras' epoch logs: standard output holds the forecast alone
        forecaster, panel, table = run_forecast(settings, verbose=verbosity(settings), announce=announce(settings))
    if settings.save_model:  # first: a fitted model is the costlier thing to lose
        forecaster.save(settings.save_model)
    out, separator = forecast_output(settings)
    if out is None:  # --out -: the CSV alone on standard output
        table.to_csv(sys.stdout, index=False)
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, sep=separator)
    if not settings.quiet:
        render.print_forecast(table, panel, forecaster, out, settings.save_model)
        if settings.verbose and getattr(forecaster, "preprocess_", ""):
            what = "members and target transforms" if forecaster.model == "ensemble" else "target transforms"
            print(f"{what} (--preprocess {forecaster.preprocess}): {forecaster.preprocess_}")
    return 0


def evaluate(settings) -> int:
    pooled = start_workers_early(settings)
    from ..runs import evaluate as run_evaluate
    from ..runs import run_directory, write_evaluation

    if pooled:  # this process mostly waits on its workers: import the report's plotting meanwhile
        from ..report import import_plotting

        threading.Thread(target=import_plotting, daemon=True).start()

    try:
        result, out = run_evaluate(settings, progress=progress_mode(settings), announce=announce(settings))
        paths = write_evaluation(result, out, settings)
    except KeyboardInterrupt:
        return interrupted("fits", run_directory(settings))
    if not settings.quiet:
        render.print_evaluation(result, settings.metric, paths)
    return 3 if not result.failed.empty else 0


def start_workers_early(settings) -> bool:
    """Start the server the pool workers fork from before this process imports anything heavy,
    so it imports TensorFlow while this process reads the data (:mod:`forecastkit.evaluation.workers`);
    whether the run will likely use a pool."""
    from ..evaluation.workers import start_early

    models = settings.models.split(",") if isinstance(settings.models, str) else settings.models
    models = [str(m).strip() for m in models or () if str(m).strip() and str(m).strip() != "all"] or None
    return start_early(settings.jobs, settings.scheduler, models, baselines=not settings.no_baselines)


def ablation(settings) -> int:
    from ..runs import ablate, run_directory

    try:
        result, paths = ablate(settings, progress=progress_mode(settings))
    except KeyboardInterrupt:
        return interrupted("fits", run_directory(settings, "forecastkit-ablation"))
    if not settings.quiet:
        render.print_ablation(result, paths)
    return 3 if not result.evaluation.failed.empty else 0


def tune(settings) -> int:
    from ..tuning import run_tune

    try:
        result, out = run_tune(settings, progress=announce(settings), announce=announce(settings))
    except KeyboardInterrupt:
        return interrupted("trials", settings.out or "forecastkit-tune")
    if not settings.quiet:
        render.print_tune(result, out)
    return 0
