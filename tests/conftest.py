"""Fixtures come from ``helpers.fixtures`` (a plugin); helpers are found through pytest's
``pythonpath`` setting in ``pyproject.toml``."""

pytest_plugins = ["helpers.fixtures"]
