"""``python -m forecastkit ...`` == ``forecastkit ...``."""

from .cli import main

raise SystemExit(main())
