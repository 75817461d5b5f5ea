"""Fixtures come from ``helpers.fixtures`` (a plugin); helpers are found through pytest's
``pythonpath`` setting in ``pyproject.toml``.

The PostgreSQL tests are those with ``postgresql`` in their node id (a store parameter or
their name). They run against the server of ``CROSSINGS_TEST_PG`` (``scripts/test`` starts a
throwaway one) and are skipped without it; the summary says how many ran. With
``CROSSINGS_REQUIRE_PG=1`` (CI), a skipped PostgreSQL test fails the run.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["helpers.fixtures"]

_PG: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def _is_postgresql(nodeid: str) -> bool:
    return "postgresql" in nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _is_postgresql(report.nodeid):
        return
    if report.when == "call" and report.outcome in ("passed", "failed"):
        _PG[report.outcome] += 1
    elif report.skipped and report.when in ("setup", "call"):
        _PG["skipped"] += 1
    elif report.failed and report.when != "call":
        _PG["failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = _PG["passed"] + _PG["failed"]
    if ran or _PG["skipped"]:
        where = "no server: set CROSSINGS_TEST_PG" if not os.environ.get("CROSSINGS_TEST_PG") else "a real server"
        terminalreporter.write_line(
            f"PostgreSQL: {ran} tests ran ({_PG['passed']} passed, {_PG['failed']} failed), "
            f"{_PG['skipped']} skipped ({where})")
    if os.environ.get("CROSSINGS_REQUIRE_PG") == "1" and _PG["skipped"]:
        terminalreporter.write_line("CROSSINGS_REQUIRE_PG=1: a PostgreSQL test was skipped, so the run fails")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CROSSINGS_REQUIRE_PG") == "1" and _PG["skipped"] and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
