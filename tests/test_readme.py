"""The README's quick start is what CI runs, and its documented commands exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


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
    mentioned = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", README))
    assert mentioned - known - {"--help"} == set()
