"""Synthetic audit trails for benchmarks: many cases, every row decided by the engine.

Each case follows one of a few life stories through the cable (returned as a family,
referred and resident, transferred, refusing and fed, flagged for guidance, prosecuted,
declined and returned later). Every row is a real engine decision chained by the real
store; only the per-event transaction is skipped: cases are kept in memory while their
story runs and written with their rows in large transactions. The result verifies clean.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any, Callable

from workflow import Actor, Case, Decision
from workflow.audit import decision_row

from crossings.service import Service

ACTORS = {
    "Zhao": "county-officer",
    "Kim": "border-defence",
    "Liu": "foreign-affairs",
    "Wang": "provincial-committee",
    "Sun": "public-security",
}
HANDOVER = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"}
ADMIN = "Admin"

# (trigger, actor, params): one step of a story, on the story's first case.
Step = tuple[str, str, dict[str, Any]]
DPRK = {"citizenship": "dprk", "purpose": "other", "spouse": "none"}
MARRIED = {**DPRK, "spouse": "chinese-korean"}
REFUSED = ("persuade", "Zhao", {"outcome": "refused", "method": "talk with a cadre"})
AGREED = ("persuade", "Zhao", {"outcome": "agreed"})

STORIES: dict[str, tuple[str, list[Step]]] = {
    "returned": ("1961-10", [
        ("investigate", "Zhao", DPRK), ("begin_persuasion", "Zhao", {}), REFUSED,
        ("provide", "Zhao", {"items": ["food", "clothing"]}), AGREED,
        ("hand_over", "Kim", HANDOVER)]),
    "resident": ("1961-03", [
        ("investigate", "Zhao", MARRIED), ("begin_persuasion", "Zhao", {}), REFUSED, REFUSED,
        ("refer", "Zhao", {}), REFUSED, ("refer", "Zhao", {}),
        ("consulate_reply", "Liu", {"reply": "agreed"}), ("grant_residency", "Liu", {})]),
    "transferred": ("1960", [
        ("investigate", "Zhao", DPRK), ("begin_persuasion", "Zhao", {}), REFUSED,
        ("transfer", "Sun", {}), ("approve_transfer", "Wang", {}), ("transfer", "Sun", {})]),
    "refuser": ("1961-09", [
        ("investigate", "Zhao", DPRK), ("begin_persuasion", "Zhao", {}), REFUSED,
        ("provide", "Zhao", {"items": ["food"]}), REFUSED, REFUSED, ("refer", "Zhao", {}),
        ("record_complaint", "Zhao", {"complaint": "shoved by a guard"}),
        REFUSED, ("provide", "Zhao", {"items": ["clothing"]})]),
    "other": ("1961-07", [
        ("investigate", "Zhao", {"citizenship": "other"}), ("begin_persuasion", "Zhao", {}),
        ("record_guidance", "Liu", {"answer": "treat as a Chinese citizen"})]),
    "prosecuted": ("1961-08", [
        ("investigate", "Zhao", {**DPRK, "crime": "theft of grain"}),
        ("begin_persuasion", "Zhao", {}), ("prosecute", "Sun", {})]),
    "declined": ("1961-05", [
        ("investigate", "Zhao", MARRIED), ("begin_persuasion", "Zhao", {}), REFUSED, REFUSED,
        REFUSED, ("refer", "Zhao", {}), ("consulate_reply", "Liu", {"reply": "declined"}),
        ("resume_persuasion", "Liu", {}), ("record_guidance", "Liu", {"answer": "continue"}),
        AGREED, ("hand_over", "Kim", HANDOVER)]),
    "family": ("1961-10", [
        ("investigate", "Zhao", DPRK), ("begin_persuasion", "Zhao", {}), AGREED,
        ("hand_over", "Kim", HANDOVER)]),  # with a child who accompanies the mother
}


@dataclass
class _Batch:
    rows: list[dict[str, Any]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


class Builder:
    """Writes stories until the trail holds ``rows`` rows (give or take one story)."""

    def __init__(self, service: Service, *, cases_per_transaction: int = 5000) -> None:
        self.service = service
        self.policy = service.policy
        self.engine = service.engine(self.policy)
        self.per_txn = cases_per_transaction
        self.actors = {n: Actor(n, r) for n, r in ACTORS.items()}
        self.recorded = service.clock().astimezone(dt.timezone.utc).isoformat()
        self.next_case = service.store.next_case_id()
        self.next_group = service.store.next_group_id()

    def set_up(self) -> None:
        for name, role in ACTORS.items():
            self.service.ensure_actor(name, role, ADMIN)
        self.service.set_setting("short_period_days", 20, ADMIN)
        self.settings = self.service.settings()
        self.recorded = self.service.store.last_recorded_at()  # after the set-up rows
        self.keys = {name: self.service.signer(self.service.actor(name)) for name in ACTORS}

    def build(self, rows: int, progress: Callable[[int], None] | None = None) -> int:
        self.set_up()
        written, names = self.service.store.head()["rows"], list(STORIES)
        number = 0
        while written < rows:
            batch = _Batch()
            for _ in range(self.per_txn):
                self.story(names[number % len(names)], number, batch)
                number += 1
                if written + len(batch.rows) >= rows:
                    break
            written += self.flush(batch)
            if progress:
                progress(written)
        return written

    def flush(self, batch: _Batch) -> int:
        store = self.service.store
        with store.write():
            for case in batch.cases:
                store.insert_case(case, self.recorded)
            for actor, rows in groupby(batch.rows, key=itemgetter("actor")):
                store.append(list(rows), self.keys[actor].sign)  # each signed by its actor
        return len(batch.rows)

    def row(self, decision: Decision, batch: _Batch) -> None:
        batch.rows.append(decision_row(decision, self.policy.id, self.policy.version,
                                       self.recorded))

    def open(self, number: int, crossed: str, batch: _Batch, **extra: Any) -> Case:
        params = {"name": f"Crosser {number}", "native_name": "김철수", "crossed_on": crossed,
                  "place": "Badaogou", **extra}
        new = Case(self.next_case, "", 0, {}, policy=self.policy.key)
        [decision] = self.engine.decide(self.policy.opening.name, [new], self.actors["Zhao"],
                                        params, "1961-11-10", self.settings)
        self.next_case += 1
        self.row(decision, batch)
        return decision.case()

    def story(self, name: str, number: int, batch: _Batch) -> None:
        crossed, steps = STORIES[name]
        case = self.open(number, crossed, batch)
        child = self.open(number, crossed, batch, accompanies=case.id) if name == "family" else None
        day = dt.date(1961, 11, 11)
        for trigger, actor, params in steps:
            day += dt.timedelta(days=1)
            if trigger == "hand_over":
                case, child = self.hand_over([c for c in (case, child) if c], params, day, batch)
                continue
            case = self.step(case, trigger, actor, params, day.isoformat(), batch)
            if child is not None and trigger in ("investigate", "begin_persuasion"):
                child = self.step(child, trigger, actor, params, day.isoformat(), batch)
        batch.cases += [c for c in (case, child) if c]

    def step(self, case: Case, trigger: str, actor: str, params: dict[str, Any], at: str,
             batch: _Batch) -> Case:
        if self.policy.find(trigger) is None and trigger == "record_complaint":
            # version 2 records a complaint as a correction
            trigger, params = "amend", {"field": "complaint", "value": params["complaint"],
                                        "reason": "recorded at his request"}
        clean = self.policy.clean_params(self.policy.trigger(trigger), params)
        [decision] = self.engine.decide(trigger, [case], self.actors[actor], clean, at,
                                        self.settings)
        self.row(decision, batch)
        return decision.case() if decision.applied else case

    def hand_over(self, cases: list[Case], params: dict[str, Any], day: dt.date,
                  batch: _Batch) -> tuple[Case, Case | None]:
        group_id, self.next_group = self.next_group, self.next_group + 1
        decisions = self.engine.decide("hand_over", cases, self.actors["Kim"], params,
                                       day.isoformat(), self.settings, group_id)
        for decision in decisions:
            self.row(decision, batch)
        done = [d.case() for d in decisions]
        return done[0], (done[1] if len(done) > 1 else None)


def build(path: str, rows: int, progress: Callable[[int], None] | None = None,
          policy: str | None = None) -> int:
    """Create a database at ``path`` holding about ``rows`` audit rows; returns the count.
    Its actors' keys are kept in the key directory (``CROSSINGS_KEYS``), as for any.
    POLICY: the cases' policy (default: the registry's newest)."""
    from workflow import policies

    chosen = policies.get(policy) if policy else None
    with Service.init(path, ADMIN, synchronous="OFF", policy=chosen) as service:
        return Builder(service).build(rows, progress)
