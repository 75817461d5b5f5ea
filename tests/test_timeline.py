"""`crossings show CASE --timeline`: a case's history, one event a line, with its clause."""

from __future__ import annotations

import json

import pytest
from helpers.casebook import CHOE, COMPLAINT, HAN, NAMES, PAK, casebook, run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _timeline(db: str, case: int) -> dict:
    result = run(db, "show", str(case), "--timeline", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_timeline_has_every_audit_event_of_the_case_in_order(db: str) -> None:
    data = _timeline(db, CHOE)
    log = json.loads(run(db, "log", "--case", str(CHOE), "--json").stdout)
    assert [e["seq"] for e in data["events"]] == [r["seq"] for r in log]
    assert [e["step"] for e in data["events"]] == list(range(1, len(log) + 1))
    assert data["case"]["state"] == "resident"


def test_each_event_has_its_own_date_actor_role_and_clauses(db: str) -> None:
    events = _timeline(db, CHOE)["events"]
    reply = next(e for e in events if e["trigger"] == "consulate_reply")
    assert (reply["at"], reply["actor"], reply["role"]) == ("1962-02-26", "Liu", "foreign-affairs")
    assert reply["clauses"] == ["P3"]
    assert reply["what"] == "the Consulate General replied: agreed"


def test_a_refusal_is_marked_as_such_with_the_reason_and_clause(db: str) -> None:
    refused = [e for e in _timeline(db, CHOE)["events"] if e["outcome"] == "refused"]
    assert len(refused) == 1
    assert refused[0]["what"].startswith("REFUSED the P3 name list (refer): needs 3 refused attempts")
    assert refused[0]["clauses"] == ["P3"]
    assert refused[0]["to_state"] is None


def test_state_changes_are_shown_and_internal_events_are_not(db: str) -> None:
    events = _timeline(db, CHOE)["events"]
    moves = [(e["trigger"], e["to_state"]) for e in events if e["to_state"]]
    assert moves == [("open", "detained"), ("investigate", "investigated"),
                     ("begin_persuasion", "persuading"), ("refer", "referred"),
                     ("grant_residency", "resident")]


def test_text_timeline_is_one_line_per_event_in_words(db: str) -> None:
    result = run(db, "show", str(CHOE), "--timeline")
    lines = result.stdout.splitlines()
    assert lines[0] == f"case {CHOE}: {NAMES[CHOE]} (최명옥), now resident"
    assert len(lines) == 1 + len(_timeline(db, CHOE)["events"])
    assert lines[1].startswith("  1. 1961-11-12  Zhao (county-officer): detained and name recorded")
    assert lines[1].endswith("[W2, P1] -> detained")
    assert any("REFUSED" in line and "[P3]" in line for line in lines)


def test_timeline_words_for_handover_provision_and_complaint(db: str) -> None:
    pak = [e["what"] for e in _timeline(db, PAK)["events"]]
    assert "provided food and clothing" in pak
    assert any(w.startswith("handed over with group 1 at Changbai-Hyesan bridge") for w in pak)
    han = [e["what"] for e in _timeline(db, HAN)["events"]]
    assert f"complaint of rude treatment recorded: {COMPLAINT}" in han


def test_timeline_of_an_unknown_case_is_rejected(db: str) -> None:
    result = run(db, "show", "99", "--timeline")
    assert result.exit_code == 1
    assert result.stderr == "Error: no case 99\n"
