"""Service.batch(): one transaction for many commands, with no savepoint per command. A
rejected command writes nothing; a driver error half-way through a command (here a real
SQLite trigger that aborts the request row's INSERT) rolls the whole batch back."""

from __future__ import annotations


import sqlite3
from typing import Any

import pytest

from workflow import InvalidInput, InvalidTransition, NotFound, StoreError

CROSSER = {"name": "Pak Sun-hui", "crossed_on": "1961-10", "place": "Badaogou",
           "at": "1961-11-10"}
FOUND = {"citizenship": "dprk", "purpose": "other", "spouse": "chinese-korean"}


def _trail(service: Any) -> list[tuple[int, str, str]]:
    return [(r["seq"], r["trigger"], r["outcome"]) for r in service.store.audit_stream()]


def test_rejected_commands_inside_a_batch_leave_nothing_behind(service: Any) -> None:
    before = _trail(service)
    with service.batch():
        case = service.fire("open", None, "Zhao", **CROSSER)
        with pytest.raises(NotFound):
            service.fire("investigate", 999, "Zhao")
        with pytest.raises(InvalidTransition):
            service.fire("grant_residency", case.id, "Liu")
        with pytest.raises(InvalidInput):
            service.fire("investigate", case.id, "Zhao", at="1961-11-01", **FOUND)
        service.fire("investigate", case.id, "Zhao", **FOUND)
    after = _trail(service)
    assert [t for _, t, _ in after[len(before):]] == ["open", "investigate"]
    assert service.show(case.id).version == 2


def test_a_driver_error_inside_a_batch_rolls_the_whole_batch_back(
        service: Any, db_path: str) -> None:
    kept = service.fire("open", None, "Zhao", **{**CROSSER, "name": "Kept Before"})
    before, head = _trail(service), service.store.head()
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TRIGGER fail_retried BEFORE INSERT ON audit WHEN NEW.request_id "
                 "IS NOT NULL BEGIN SELECT RAISE(ABORT, 'simulated disk trouble'); END")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="batch was rolled back"), service.batch():
        case = service.fire("open", None, "Zhao", **CROSSER)
        with pytest.raises(StoreError, match="simulated disk trouble"):
            service.fire("investigate", case.id, "Zhao", request_id="r-1", **FOUND)
        with pytest.raises(StoreError, match="batch was rolled back"):
            service.fire("investigate", kept.id, "Zhao", **FOUND)
    assert _trail(service) == before and service.store.head() == head
    with pytest.raises(NotFound):
        service.show(case.id)
    assert service.fire("investigate", kept.id, "Zhao", **FOUND).state == "investigated"
    assert len(_trail(service)) == len(before) + 1
