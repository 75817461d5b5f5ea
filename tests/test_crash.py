"""Crashes: a clerk process killed with SIGKILL at random moments, 50 times in turn.

After each kill the file must pass ``PRAGMA integrity_check``, its audit chain must
verify, and every case must equal its replay from the audit rows: no case half-moved,
no event without its case change or the other way round. ``scripts/stress`` runs 1,000
kills. The clerk is a forked child (see ``tests/helpers/crashes.py``), so this needs Unix.
"""

from __future__ import annotations

import os
import sys

import pytest

from helpers import crashes

KILLS = int(os.environ.get("CROSSINGS_KILLS", "50"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32",
                                reason="kills a forked clerk process with SIGKILL")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return crashes.run(str(tmp_path_factory.mktemp("crash") / "c.db"), KILLS)


def test_every_clerk_was_killed_while_at_work(figures):
    assert figures["kills"] == KILLS
    assert figures["clerks_not_started"] == 0
    assert figures["killed_mid_command"] > 0
    assert figures["audit_rows"] > KILLS


def test_the_file_passes_integrity_check_after_every_kill(figures):
    assert figures["integrity_failures"] == 0, figures["first_problems"]


def test_the_audit_chain_verifies_after_every_kill(figures):
    assert figures["chain_failures"] == 0, figures["first_problems"]


def test_every_case_equals_its_replay_from_the_audit_rows_after_every_kill(figures):
    assert figures["replay_failures"] == 0, figures["first_problems"]
