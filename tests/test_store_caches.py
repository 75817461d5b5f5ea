"""The store keeps actors, settings and the chain's head between commands; another
connection's writes (another clerk's process) must be seen by the next command."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from crossings.service import Service
from workflow import NotFound
from helpers.fixtures import fixed_clock

import pytest

CROSSER = {"name": "Pak Sun-hui", "crossed_on": "1961-10", "place": "Badaogou",
           "at": "1961-11-10"}


def _other(db_path: str) -> Service:
    return Service.open(db_path, clock=fixed_clock)


def test_rows_appended_by_another_connection_extend_the_same_chain(
        service: Any, db_path: str) -> None:
    service.fire("open", None, "Zhao", **CROSSER)
    with _other(db_path) as other:
        other.fire("open", None, "Zhao", **CROSSER)
    service.fire("open", None, "Zhao", **CROSSER)
    report = service.verify().as_dict()
    assert report["ok"], report["problems"]
    assert report["rows"] == service.store.head()["seq"]


def test_a_setting_changed_by_another_connection_is_seen(service: Any, db_path: str) -> None:
    assert service.settings()["short_period_days"] != 9
    with _other(db_path) as other:
        other.set_setting("short_period_days", 9, "Admin")
    assert service.settings()["short_period_days"] == 9
    with service.batch():
        assert service.settings()["short_period_days"] == 9


def test_an_actor_added_by_another_process_is_known_at_once(service: Any, db_path: str) -> None:
    with pytest.raises(NotFound):
        service.actor("Choe")
    code = ("import sys; from crossings.service import Service; "
            "Service.open(sys.argv[1]).add_actor('Choe', 'county-officer', 'Admin')")
    subprocess.run([sys.executable, "-c", code, db_path], check=True)
    assert service.actor("Choe").role == "county-officer"
    case = service.fire("open", None, "Choe", **CROSSER)
    assert service.verify().ok and case.id == 1
