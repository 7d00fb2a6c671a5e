"""The installed package holds every subpackage (CI installs with `pip install .`, not editable)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "forecastkit").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"
