"""The suite's shared fixtures: real SQLite files under tmp_path, a fixed clock, the CLI
runner, and the core battery's drivers (``helpers.casework``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner, Result

from crossings.cli import cli

from .actors import ACTORS, ADMIN, new_database
from .clock import TODAY, fixed_clock  # noqa: F401  (re-exported for the tests)


@pytest.fixture(scope="session", autouse=True)
def key_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Every test's private keys live in one directory of the session (CROSSINGS_KEYS),
    never in the user's own ~/.config/crossings/keys."""
    saved = os.environ.get("CROSSINGS_KEYS")
    path = str(tmp_path_factory.mktemp("keys"))
    os.environ["CROSSINGS_KEYS"] = path
    yield path
    if saved is None:
        os.environ.pop("CROSSINGS_KEYS", None)
    else:
        os.environ["CROSSINGS_KEYS"] = saved


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "crossings.db")


@pytest.fixture
def service(db_path: str) -> Any:
    """A Service on a fresh database with one actor of every role registered."""
    svc = new_database(db_path, clock=fixed_clock)
    yield svc
    svc.close()


class Cli:
    """Runs `crossings` in-process against one database, stdout and stderr apart."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, actor: str | None = None, env: dict[str, str] | None = None) -> Result:
        environ = {"CROSSINGS_DB": self.db}
        if actor:
            environ["CROSSINGS_ACTOR"] = actor
        environ.update(env or {})
        return self.runner.invoke(cli, list(args), env=environ, catch_exceptions=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def run(request: pytest.FixtureRequest, db_path: str) -> Cli:
    """The CLI on a fresh database with one actor of every role registered: an SQLite
    file, or a database on the PostgreSQL server of CROSSINGS_TEST_PG."""
    where = request.getfixturevalue("pg_database") if request.param == "postgresql" else db_path
    runner = Cli(where)
    assert runner("init", "--admin", ADMIN).exit_code == 0
    for name, role in ACTORS.items():
        result = runner("actor", "add", name, "--role", role, "--as", ADMIN)
        assert result.exit_code == 0, result.stderr
    return runner


# The core battery's fixtures: `driver` (CLI or API on a fresh database), its template.
from .casework import driver, fresh_template  # noqa: E402,F401

# A PostgreSQL database per test, on the server of CROSSINGS_TEST_PG (skipped without).
from .postgres import pg_admin_url, pg_clerk_url, pg_database, pg_worker_database  # noqa: E402,F401
