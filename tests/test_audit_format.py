"""The stored and hashed forms of an audit row: the hand-written encoders write exactly
what the shared JSON encoder writes, and the chain's canonical text embeds the stored
JSON fields as they stand, so any byte changed in one changes the row's hash."""

from __future__ import annotations

import json

from workflow.audit import FIELDS, GENESIS, canonical, decision_row, dumps, row_hash
from workflow.case import Actor
from workflow.engine import Decision, GuardResult

GUARDS = [
    GuardResult('a "quoted" guard', True, ("P1", "W2"), "read é, ü", {"b": [1, None], "a": "x"}),
    GuardResult("plain", False, (), "nothing read", {}),
]


def _row() -> dict[str, object]:
    decision = Decision(case_id=1, trigger="persuade", source="persuading",
                        target="persuading", outcome="refused",
                        actor=Actor("Zhao", "county-officer"), at="1961-11-30",
                        params={"outcome": "refused"}, clauses=["P1", "W2"], guards=list(GUARDS))
    row = decision_row(decision, "jilin-1961-11-25", "1", "2026-11-29T00:00:00.000000+00:00")
    return {**row, "seq": 7, "prev_hash": GENESIS}


def test_the_guards_and_clauses_fields_are_what_the_shared_encoder_writes() -> None:
    row = _row()
    assert row["guards"] == dumps([g.as_dict() for g in GUARDS])
    assert row["clauses"] == dumps(["P1", "W2"])


def test_the_canonical_text_is_json_with_the_stored_fields_embedded_raw() -> None:
    row = _row()
    text = canonical(row)
    parsed = json.loads(text)
    assert list(parsed) == sorted(FIELDS)
    assert parsed["guards"] == json.loads(str(row["guards"]))
    assert f'"guards":{row["guards"]}' in text


def test_any_byte_changed_in_a_stored_json_field_changes_the_hash() -> None:
    row = _row()
    for name in ("given", "changes", "clauses", "guards"):
        text = str(row[name])
        for at in range(len(text)):
            altered = text[:at] + ("x" if text[at] != "x" else "y") + text[at + 1:]
            assert row_hash({**row, name: altered}) != row_hash(row), (name, at)
