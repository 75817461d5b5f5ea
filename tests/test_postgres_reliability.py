"""Reliability on a real PostgreSQL server (issue 13, item 7), short forms; ``scripts/stress``
runs the full ones (4 x 500 clerks) and prints their figures.

Clerks are separate processes connecting as a clerk's login role (a member of the role
``crossings init`` granted), so every command they run is one the grants allow. The checks
afterwards read the database with plain psycopg (``helpers.chain``) and run ``verify``.
"""

from __future__ import annotations

import os
import pytest

from helpers import clerks, crashes, server
from helpers.postgres import clerk_login
from test_concurrency import assert_every_attempt_clean

pytestmark = pytest.mark.postgresql
ATTEMPTS = int(os.environ.get("CROSSINGS_PG_CLERK_ATTEMPTS", "40"))
KILLS = int(os.environ.get("CROSSINGS_PG_KILLS", "15"))


@pytest.fixture
def pg(pg_database: str) -> str:
    return pg_database


def _race(url: str, mode: str, scenario: str, count: int, **extra: object) -> dict:
    """Prepare as the owner, race as a clerk's login role."""
    clerks.prepare(url, scenario, count)
    return clerks.run(url, mode, scenario, count, prepared=True,
                      race_db=clerk_login(url)(url), **extra)


@pytest.mark.parametrize("mode", ["api", "cli"])
def test_four_clerks_persuading_one_case_on_postgresql_lose_no_attempt(pg: str, mode: str) -> None:
    figures = _race(pg, mode, "persuade", ATTEMPTS)
    assert_every_attempt_clean(figures)
    assert figures["recorded_attempts"] == figures["persuade_rows"] == 4 * ATTEMPTS
    assert figures["interleavings"] > 0, "the clerks never overlapped"


def test_clerks_racing_state_changes_on_postgresql_never_move_a_case_from_a_stale_state(pg: str) -> None:
    figures = _race(pg, "cli", "cycle", ATTEMPTS)
    assert_every_attempt_clean(figures)
    assert figures["persuade_rows"] == figures["recorded_attempts"] > 0


def test_overlapping_group_handovers_on_postgresql_hand_no_one_over_twice(pg: str) -> None:
    figures = _race(pg, "cli", "hand-over", ATTEMPTS // 2)
    assert_every_attempt_clean(figures)
    assert figures["handed_twice"] == 0 and figures["groups_applied"] == figures["groups_stored"]
    assert figures["conflicts"] + figures["inapplicable"] > 0, "no two groups ever met"


def test_a_clerk_killed_mid_command_on_postgresql_leaves_nothing_half_written(pg: str) -> None:
    figures = crashes.run(pg, KILLS)
    assert figures["kills"] == KILLS and figures["clerks_not_started"] == 0
    assert figures["chain_failures"] == figures["replay_failures"] == 0, figures["first_problems"]
    assert figures["killed_mid_command"] > 0, "no kill landed inside a command"


def test_a_server_restart_mid_run_costs_one_line_errors_and_loses_nothing(pg: str) -> None:
    why = server.restartable()
    if why:
        pytest.skip(why)
    figures = _race(pg, "cli", "persuade-retried", ATTEMPTS, during=lambda: server.restart_when(pg, ATTEMPTS))
    assert_every_attempt_clean(figures)
    assert figures["server_errors"] > 0, "the restart never met a command"
    assert figures["server_error_faults"] == [], figures["server_error_faults"]
    assert figures["recorded_attempts"] == figures["persuade_rows"] == 4 * ATTEMPTS


def test_the_clerk_role_cannot_change_or_remove_audit_rows(pg: str) -> None:
    import psycopg

    clerks.prepare(pg, "persuade", 1)
    with psycopg.connect(clerk_login(pg)(pg), autocommit=True) as conn:
        conn.execute("SET search_path TO crossings")
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] > 0
        for statement in ("UPDATE audit SET actor = 'Mallory' WHERE seq = 2",
                          "DELETE FROM audit WHERE seq = 2", "TRUNCATE audit",
                          "DROP TRIGGER audit_no_update ON audit",
                          "CREATE TABLE planted (x int)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
