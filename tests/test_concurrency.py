"""Concurrent clerks: separate processes firing conflicting triggers at one database file.

Short forms here (4 clerks x 100 attempts; 4 x 5 for a real ``crossings`` process per
attempt); ``scripts/stress`` runs 4 x 500. Every attempt must apply, or fail with exit 1
and one ``Error:`` line; no update may be lost, no clerk may see "database is locked",
and the trail must verify and replay to the stored cases afterwards. How each mode
reaches crossings is described in ``tests/helpers/clerk.py``: ``api`` (the Python API), ``cli``
(``crossings.cli.main`` called in the clerk process, a fresh database connection per
command), ``spawn`` (a real ``python -m crossings`` process per command).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from helpers import clerks
from store import SQLiteStore
from workflow.policies import CATALOGUE
from workflow import Conflict

ATTEMPTS = int(os.environ.get("CROSSINGS_CLERK_ATTEMPTS", "100"))
SPAWNED = int(os.environ.get("CROSSINGS_SPAWNED_ATTEMPTS", "5"))


def assert_every_attempt_clean(figures: dict[str, Any]) -> None:
    assert figures["lost_updates"] == 0, figures
    assert figures["locked_errors"] == 0, figures
    assert figures["message_faults"] == [], figures
    assert figures["other_errors"] == 0, figures
    assert figures["problems"] == [], figures
    settled = (figures["applied"] + figures["refused"] + figures["inapplicable"]
               + figures["conflicts"])
    assert settled == figures["attempts"], figures


@pytest.mark.parametrize("mode", ["api", "cli"])
def test_four_clerks_persuading_one_case_lose_no_attempt(tmp_path, mode):
    figures = clerks.run(str(tmp_path / "c.db"), mode, "persuade", ATTEMPTS)
    assert_every_attempt_clean(figures)
    assert figures["recorded_attempts"] == figures["persuade_rows"] == 4 * ATTEMPTS
    assert figures["interleavings"] > 0, "the clerks never overlapped"


def test_four_crossings_processes_per_command_lose_no_attempt(tmp_path):
    figures = clerks.run(str(tmp_path / "c.db"), "spawn", "persuade", SPAWNED)
    assert_every_attempt_clean(figures)
    assert figures["recorded_attempts"] == 4 * SPAWNED


@pytest.mark.parametrize("mode", ["api", "cli"])
def test_clerks_racing_state_changes_on_one_case_never_move_it_from_a_stale_state(tmp_path, mode):
    figures = clerks.run(str(tmp_path / "c.db"), mode, "cycle", ATTEMPTS)
    assert_every_attempt_clean(figures)
    assert figures["persuade_rows"] == figures["recorded_attempts"] > 0


@pytest.mark.parametrize("mode", ["api", "cli"])
def test_overlapping_hand_over_groups_return_each_case_exactly_once(tmp_path, mode):
    rounds = max(ATTEMPTS // 2, 1)
    figures = clerks.run(str(tmp_path / "c.db"), mode, "hand-over", rounds)
    assert_every_attempt_clean(figures)
    assert figures["handed_twice"] == 0
    assert figures["groups_applied"] == figures["groups_stored"] == 2 * rounds


def test_a_write_from_a_stale_read_is_a_conflict_and_writes_nothing(tmp_path):
    db = str(tmp_path / "c.db")
    clerks.prepare(db, "persuade", 1)
    first, second = SQLiteStore(db, CATALOGUE), SQLiteStore(db, CATALOGUE)
    stale = first.get_case(1)
    fresh = second.get_case(1)
    with second.write():
        second.update_cases([(_moved(fresh), fresh.version)], "2026-11-29T09:00:00+00:00")
    with pytest.raises(Conflict, match="changed since it was read"):
        with first.write():
            first.update_cases([(_moved(stale), stale.version)], "2026-11-29T09:00:01+00:00")
    assert first.get_case(1).version == fresh.version + 1
    first.close()
    second.close()


def _moved(case: Any) -> Any:
    moved = case.copy()
    moved.version += 1
    moved.facts["attempts"] = [*case.facts["attempts"], {"outcome": "refused"}]
    return moved
