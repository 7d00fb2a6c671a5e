"""Run forecastkit without installing the console script: ``python cli.py ...`` == ``forecastkit ...``."""

from forecastkit.cli import run

if __name__ == "__main__":
    run()
