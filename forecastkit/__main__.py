"""``python -m forecastkit ...`` == ``forecastkit ...``."""

from .cli import run

run()
