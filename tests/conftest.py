"""Fixtures come from ``helpers.fixtures`` (a plugin); helpers are found through pytest's
``pythonpath`` setting in ``pyproject.toml``.

The PostgreSQL tests are those marked ``postgresql``: by hand, or as collected, each test
with a parameter whose value is ``"postgresql"`` (a store of the registry). They run
against the server of ``CROSSINGS_TEST_PG`` (``scripts/test`` starts a throwaway one) and
are skipped without it; the summary says how many ran. With ``CROSSINGS_REQUIRE_PG=1``
(CI), a PostgreSQL test skipped for want of a server fails the run (a deliberate skip,
such as a CLI form of a check that needs the API's fixed clock, does not).
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["helpers.fixtures"]

_PG: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0, "no_server": 0}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_server = callspec is not None and "postgresql" in callspec.params.values()
        if on_server or "pg_admin_url" in getattr(item, "fixturenames", ()):
            item.add_marker("postgresql")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgresql" not in report.keywords:
        return
    if report.when == "call" and report.outcome in ("passed", "failed"):
        _PG[report.outcome] += 1
    elif report.skipped and report.when in ("setup", "call"):
        _PG["skipped"] += 1
        if "no PostgreSQL server" in str(report.longrepr):  # not a deliberate skip
            _PG["no_server"] += 1
    elif report.failed and report.when != "call":
        _PG["failed"] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = _PG["passed"] + _PG["failed"]
    if ran or _PG["skipped"]:
        where = "no server: set CROSSINGS_TEST_PG" if not os.environ.get("CROSSINGS_TEST_PG") else "a real server"
        terminalreporter.write_line(
            f"PostgreSQL: {ran} tests ran ({_PG['passed']} passed, {_PG['failed']} failed), "
            f"{_PG['skipped']} skipped ({where})")
    if os.environ.get("CROSSINGS_REQUIRE_PG") == "1" and _PG["no_server"]:
        terminalreporter.write_line("CROSSINGS_REQUIRE_PG=1: PostgreSQL tests were skipped for want "
                                    "of a server, so the run fails")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CROSSINGS_REQUIRE_PG") == "1" and _PG["no_server"] and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
