"""Run forecastkit without installing the console script: ``python cli.py ...`` == ``forecastkit ...``."""

from forecastkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
