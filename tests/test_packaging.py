"""The installed package holds every subpackage (CI installs with `pip install .`, not editable)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "forecastkit").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"


def test_public_api_at_the_root_is_listed_and_lazy():
    """`from forecastkit import ...` works, dir() lists the API, and importing it (and listing it)
    imports neither TensorFlow nor Keras."""
    import subprocess
    import sys

    names = ["Forecaster", "walk_forward", "WalkForward", "WalkForwardResult", "load_csv", "from_pandas",
             "Panel", "plot_forecast", "datasets", "RunSettings", "DEFAULTS", "ForecastkitError", "DataError",
             "ConfigError"]
    code = ("import sys, forecastkit; listed = dir(forecastkit); "
            "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
            f"missing = [n for n in {names!r} if n not in listed]; "
            "print(heavy, missing)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"
    import forecastkit
    from forecastkit import (  # noqa: F401
        Forecaster,
        WalkForward,
        from_pandas,
        load_csv,
        plot_forecast,
        walk_forward,
    )

    assert all(getattr(forecastkit, name) is not None for name in names)
    assert "importlib" not in dir(forecastkit)


def test_console_script_and_module_entry_points_exist():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"forecastkit": "forecastkit.cli:run"}
    from forecastkit.cli import main, run

    assert callable(main) and callable(run) and (ROOT / "forecastkit" / "__main__.py").is_file() and (ROOT / "cli.py").is_file()
