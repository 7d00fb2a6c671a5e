"""The README's quick start is what CI runs, its documented commands exist, and they run.

``test_readme_commands_run`` runs every ``forecastkit`` command of the README, in README
order, in one temporary directory (so ``--from-run`` finds the run an earlier command made),
with quick settings appended (``--epochs 1``; evaluate also ``--folds 2 --refit never``, or
with ``--level`` 24 folds and ``--min-calibration 2``, so that intervals exist). It
checks the structure of what each prints and writes against the output the README shows for
it: the table headers and the first two cells of each table row (series ids, times, model
names; digits are skipped), the files named by ``wrote ...`` lines, the columns and row count
of a written forecast, and ``forecastkit: error:`` lines. Commands run in-process through
:func:`forecastkit.cli.main` (one TensorFlow import for all of them).
"""

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd

from forecastkit.forecaster import SAMPLE_QUANTILES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
FORECAST_COLUMNS = ["id", "time", "model", "yhat"]
EVALUATE_FILES = ["results.csv", "leaderboard.csv", "significance.csv", "report.html", "forecasts.png", "run.json"]


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_exactly_them():
    commands = quick_start_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in commands:
        assert command in ci, f"{command!r} is not a line of .ci/run"


def test_every_flag_the_readme_mentions_exists():
    from forecastkit.cli import build_parser

    parser = build_parser()
    known = set()
    for action in parser._subparsers._group_actions[0].choices.values():
        for sub in action._actions:
            known.update(sub.option_strings)
    # benchmark and docs scripts, and MLflow's own commands, have flags of their own
    text = "\n".join(line for line in README.splitlines()
                     if "benchmarks/" not in line and "docs/make_" not in line
                     and not re.match(r"\$ mlflow ", line))
    mentioned = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", text))
    assert mentioned - known - {"--help"} == set()


# ------------------------------------------------------------------ README commands --
def readme_commands() -> list[tuple[str, str | None]]:
    """``(command, shown output or None)`` for every forecastkit command, in README order.

    Commands come from ``bash`` blocks (``a && forecastkit ...`` keeps the forecastkit part)
    and from ``$ forecastkit ...`` lines of output blocks, whose following lines are the
    output shown for that command.
    """
    ordered: dict[str, str | None] = {}
    for language, body in re.findall(r"```(\w*)\n(.*?)```", README, re.S):
        if language == "bash":
            for line in body.replace("\\\n", " ").splitlines():
                for part in line.split("&&"):
                    part = part.split("#", 1)[0].strip()
                    if part.startswith("forecastkit "):
                        ordered.setdefault(" ".join(part.split()), None)
        elif language == "":
            chunks = re.split(r"^\$ ", body, flags=re.M)
            for chunk in chunks[1:]:
                command, _, shown = chunk.partition("\n")
                command = " ".join(command.split("#", 1)[0].split())
                if command.startswith("forecastkit "):
                    ordered[command] = shown
    return list(ordered.items())


def quick(argv: list[str]) -> list[str]:
    """The command with quick settings appended (later flags win; no --epochs for baselines only)."""
    if argv[0] == "forecast" and "--from-run" not in argv:
        return argv + ["--epochs", "1"]
    if argv[0] == "evaluate" and "--level" in argv:  # intervals need earlier errors to calibrate on
        epochs = [] if "--no-baselines" in argv else ["--epochs", "1"]
        return argv + epochs + ["--folds", "24", "--min-calibration", "2", "--refit", "never"]
    if argv[0] == "evaluate":
        return argv + ["--epochs", "1", "--folds", "2", "--refit", "never"]
    if argv[0] == "tune":  # two short trials
        return argv + ["--trials", "2", "--epochs", "1"]
    if argv[0] == "ablation":  # two cells, not twelve
        return argv + ["--cells", "gru", "--epochs", "1", "--units", "2", "--folds", "3", "--refit", "never"]
    return argv


def table_cells(shown: str) -> list[str]:
    """Header cells and the first two cells of each row of the rich tables in ``shown``,
    without numbers."""
    cells = []
    for line in shown.splitlines():
        if line.startswith("┃"):
            cells += [c.strip() for c in line.strip("┃").split("┃")]
        elif line.startswith("│"):
            cells += [c.strip() for c in line.strip("│").split("│")[:2]]
    number = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$|^–$|^-$")
    return [c for c in dict.fromkeys(cells) if c and not number.match(c)]


def check_written(shown: str, cwd: Path, label: str) -> None:
    for what, where in re.findall(r"^wrote (.+?) to (\S+?)(?:;.*)?$", shown, re.M):
        rows = re.fullmatch(r"(\d+) rows", what)
        if rows:  # a forecast CSV
            frame = pd.read_csv(cwd / where)
            assert list(frame.columns)[:4] == FORECAST_COLUMNS, f"{label}: columns of {where}"
            assert len(frame) == int(rows.group(1)), f"{label}: rows of {where}"
        else:  # the files of an evaluate run
            for name in (n.strip() for n in what.split(",")):
                assert (cwd / where / name).is_file(), f"{label}: {where}/{name} was not written"


def test_readme_lists_the_commands_it_shows():
    commands = dict(readme_commands())
    assert "forecastkit forecast" in commands and commands["forecastkit forecast"]
    assert any(c.startswith("forecastkit evaluate") and shown for c, shown in commands.items())
    assert sum(1 for shown in commands.values() if shown) >= 8


def test_readme_commands_run(tmp_path, monkeypatch, capsys):
    from forecastkit.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    for text in re.findall(r"```toml\n(.*?)```", README, re.S):  # config files the README shows
        name = re.match(r"# (\S+\.toml)", text)
        if name:
            (tmp_path / name.group(1)).write_text(text)
    (tmp_path / "docs").mkdir()
    for csv in (ROOT / "docs").glob("*.csv"):  # --future-data examples
        shutil.copy(csv, tmp_path / "docs" / csv.name)

    for command, shown in readme_commands():
        argv = shlex.split(command)[1:]
        code = main(quick(argv))
        out, err = capsys.readouterr()
        label = f"`{command}`"
        expect_error = shown is not None and shown.lstrip().startswith("forecastkit: error:")
        if expect_error:
            assert code == 1 and err.startswith("forecastkit: error:"), f"{label}: {err or out}"
            continue
        assert code == 0, f"{label} exited {code}: {err[-2000:]}"
        if argv[0] == "evaluate":
            folder = tmp_path / argv[argv.index("--out") + 1] if "--out" in argv else tmp_path / "forecastkit-run"
            assert all((folder / name).is_file() for name in EVALUATE_FILES), label
            assert "walk-forward leaderboard" in out and "Best on" in out, label
        elif argv[0] == "ablation":
            folder = tmp_path / argv[argv.index("--out") + 1] if "--out" in argv else tmp_path / "forecastkit-ablation"
            assert all((folder / name).is_file() for name in ("ablation.csv", "results.csv", "ablation.png")), label
            header = re.search(r"^\s*(variant .*)$", shown, re.M).group(1).split("  ")
            assert all(cell.strip() in out for cell in header if cell.strip()), label
            assert "Best cell:" in out and "Against the default lstm" in out, label
        elif argv[0] == "forecast":
            target = argv[argv.index("--out") + 1] if "--out" in argv else "forecast.csv"
            levels = argv[argv.index("--level") + 1].split(",") if "--level" in argv else []
            bounds = [f"yhat_{side}_{level}" for level in levels for side in ("lo", "hi")]
            sampled = [f"q{q:g}" for q in SAMPLE_QUANTILES] if "--samples" in argv else []
            assert list(pd.read_csv(tmp_path / target).columns) == FORECAST_COLUMNS + bounds + sampled, label
        if shown:
            missing = [cell for cell in table_cells(shown) if cell not in out]
            assert not missing, f"{label}: the README shows {missing}, the command did not print them"
            check_written(shown, tmp_path, label)
