"""The report counts kept at write time (schema 3) always equal a recount of the trail.

``report summary --by month`` and ``--by clause`` read tables that triggers on the audit
trail keep (``report_months``, ``report_clauses``); these tests hold them to the full
recount over every event, after applied and refused events in random order, after a
rollback, after the migration's backfill, and check that ``verify`` finds them altered.
"""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest
from helpers.casebook import build, copy_of
from helpers.fixtures import ACTORS, fixed_clock

from crossings.service import Service
from workflow import WorkflowError
from workflow.policies import JILIN_1961_2 as POLICY

STATES = POLICY.state_names
TRIGGERS = [t.name for t in POLICY.triggers if t.name not in ("open", "hand_over")]
PARAMS = {"persuade": {"outcome": "refused"}, "provide": {"items": "food"},
          "consulate_reply": {"reply": "agreed"}, "investigate": {"citizenship": "dprk"}}


def kept(service: Service) -> tuple[Any, Any]:
    return service.store.count_by_month(STATES), service.store.count_by_clause()


def recounted(service: Service) -> tuple[Any, Any]:
    return service.store.recount_by_month(STATES), service.store.recount_by_clause()


@pytest.fixture(scope="module")
def book(tmp_path_factory: Any) -> str:
    return build(str(tmp_path_factory.mktemp("counts") / "book.db"))


def fire_at_random(service: Service, seed: int, steps: int) -> None:
    """Any trigger, any case, any actor: most are refused (and recorded), some apply."""
    chance = random.Random(seed)
    cases = [c["id"] for c in service.cases()]
    for _ in range(steps):
        trigger = chance.choice(TRIGGERS)
        try:
            service.fire(trigger, chance.choice(cases), chance.choice(list(ACTORS)),
                         at=f"1962-0{chance.randint(1, 9)}-1{chance.randint(0, 9)}",
                         **PARAMS.get(trigger, {}))
        except WorkflowError:
            pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_a_recount_after_random_events(book, tmp_path, seed):
    with Service.open(copy_of(book, tmp_path), clock=fixed_clock) as service:
        assert kept(service) == recounted(service)
        fire_at_random(service, seed, 80)
        assert kept(service) == recounted(service)
        assert service.verify().ok


def test_a_rolled_back_batch_leaves_the_counts_as_they_were(book, tmp_path):
    with Service.open(copy_of(book, tmp_path), clock=fixed_clock) as service:
        before = kept(service)
        with pytest.raises(RuntimeError):
            with service.batch():
                fire_at_random(service, 7, 30)
                raise RuntimeError("the clerk gives up")
        assert kept(service) == before == recounted(service)


def test_verify_finds_counts_altered_behind_its_back(book, tmp_path):
    path = copy_of(book, tmp_path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE report_clauses SET applied = applied + 1 WHERE clause = 'P1'")
    conn.close()
    with Service.open(path, clock=fixed_clock) as service:
        report = service.verify().as_dict()
    assert not report["ok"]
    assert [p["check"] for p in report["problems"]] == ["counts"]


@pytest.mark.parametrize("attempts", [1, 6, 7, 9])
def test_w3_counts_every_refusal_however_many_attempts(service, attempts):
    """The refusals of W3's detail are counted by position up to a few attempts, by
    json_each beyond: both give the count of refused attempts, agreed ones left out."""
    case = service.fire("open", None, "Zhao", at="1961-11-10", name="Pak", crossed_on="1961-03",
                             place="Badaogou")
    service.fire("investigate", case.id, "Zhao", at="1961-11-11", citizenship="dprk",
                 purpose="other", spouse="none")
    service.fire("begin_persuasion", case.id, "Zhao", at="1961-11-12")
    outcomes = ["agreed" if i == 1 else "refused" for i in range(attempts - 1)] + ["refused"]
    for day, outcome in enumerate(outcomes, 13):
        service.fire("persuade", case.id, "Zhao", at=f"1961-11-{day}", outcome=outcome)
    [w3] = [r for r in service.report_compliance() if r["clause"] == "W3"]
    assert w3["detail"].startswith(f"{outcomes.count('refused')} refusal(s), the latest on "
                                   f"1961-11-{12 + attempts}")
