"""Helpers of the test suite: drivers, clerks, the reference model, faults, fixtures.

Found through pytest's ``pythonpath`` setting (``tests``), and by ``scripts/stress``
through ``PYTHONPATH``; fixtures are loaded by ``conftest.py`` as a pytest plugin.
"""
