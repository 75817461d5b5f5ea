"""Re-deriving a case from its recorded requests through the engine, under a chosen policy.

The one mechanism behind ``whatif`` (another policy), ``migrate`` (the case's next
version) and ``void`` (the case without an event entered in error), and the check verify
makes of a void or migrate row. Each recorded request of the case, applied and refused
alike, is fired again in seq order, at its own date, by its own actor and role, with its
own options and the settings in force at its seq, on the case as the candidate has it so
far. Nothing is written. Rows that are acts on the record (``void``, ``migrate``) and rows
voided are not requests.

A request the candidate cannot take (no such trigger, a state it does not apply in, an
input the candidate finds malformed) is listed and skipped. A group request decides this
member on its own facts, the other members' facts as recorded at the group; a member
refused because of another member stays refused (the others' outcomes are theirs).
Memory holds one case at a time.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Mapping, Sequence

from store import Store
from workflow import Actor, Case, Engine, Policy, WorkflowError
from workflow.audit import MIGRATE, VOID, dumps
from workflow.engine import APPLIED, REFUSED
from workflow.record import Record, field

Row = Mapping[str, Any]
SKIPPED = "skipped"
MARKERS = (VOID, MIGRATE)  # acts on the record, not requests


class Step(Record, frozen=False):
    """One recorded request and what the candidate made of it."""
    seq: int
    trigger: str
    at: str | None
    actor: str
    recorded: str  # applied or refused
    recorded_clauses: list[str]
    recorded_reason: str
    recorded_to: str | None
    candidate: str  # applied, refused or skipped
    candidate_clauses: list[str] = field(default_factory=list)
    candidate_reason: str = ""
    candidate_to: str | None = None
    guards: list[dict[str, Any]] = field(default_factory=list)  # the candidate's, failed ones
    same_changes: bool = True
    changed: list[str] = field(default_factory=list)  # facts it records otherwise

    @property
    def same(self) -> bool:
        """Decided alike: the same outcome and, applied, the same destination."""
        if self.recorded != self.candidate:
            return False
        return self.recorded != APPLIED or self.recorded_to == self.candidate_to

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "trigger": self.trigger, "at": self.at, "actor": self.actor,
                "recorded": {"outcome": self.recorded, "clauses": self.recorded_clauses,
                             "reason": self.recorded_reason or None, "to": self.recorded_to},
                "candidate": {"outcome": self.candidate, "clauses": self.candidate_clauses,
                              "reason": self.candidate_reason or None, "to": self.candidate_to,
                              "guards": self.guards},
                "same_changes": self.same_changes, "changed": self.changed}


class CaseRun(Record, frozen=False):
    """A case re-derived: the recorded and the candidate's ends, and where they part."""
    case_id: int
    name: str
    policy: str  # the policy the case was handled under
    candidate_policy: str
    recorded_state: str | None = None
    candidate_state: str | None = None
    candidate_facts: dict[str, Any] = field(default_factory=dict)
    candidate_version: int = 0
    requests: int = 0
    first: Step | None = None  # the first request the candidate decides otherwise
    first_changed: Step | None = None  # the first decided alike but recording otherwise
    skipped: list[Step] = field(default_factory=list)
    later_failures: list[Step] = field(default_factory=list)  # applied, now not (void)

    def add(self, step: Step) -> None:
        """Note one re-fired request: skipped, decided otherwise, or recording otherwise."""
        if step.candidate == SKIPPED:
            self.skipped.append(step)
        elif step.same and not step.same_changes:
            self.first_changed = self.first_changed or step
        elif not step.same:
            self.first = self.first or step
        if step.recorded == APPLIED and step.candidate != APPLIED:
            self.later_failures.append(step)

    @property
    def equal(self) -> bool:
        """Every request decided alike, none skipped (whatif's "the same")."""
        return self.first is None and not self.skipped

    @property
    def identical(self) -> bool:
        """Equal, and every applied request records the same changes (migrate's test)."""
        return self.equal and self.first_changed is None

    def as_dict(self) -> dict[str, Any]:
        return {"case": self.case_id, "name": self.name, "policy": self.policy,
                "candidate_policy": self.candidate_policy,
                "recorded_state": self.recorded_state, "candidate_state": self.candidate_state,
                "requests": self.requests, "equal": self.equal,
                "first_divergence": self.first.as_dict() if self.first else None,
                "first_changed": self.first_changed.as_dict() if self.first_changed else None,
                "skipped": [s.as_dict() for s in self.skipped]}


def voided_seqs(rows: Iterable[Row]) -> set[int]:
    """The seqs the void rows among ROWS name."""
    out = set()
    for row in rows:
        if row["trigger"] == VOID and row["outcome"] == APPLIED:
            out.add(int(json.loads(row["given"])["seq"]))
    return out


class Rederiver:
    """Re-derives cases under one candidate policy, reading the trail through STORE."""

    def __init__(self, store: Store, policy: Policy,
                 settings_at: Callable[[int], Mapping[str, Any]]) -> None:
        self.store = store
        self.policy = policy
        self.engine = Engine(policy)
        self.settings_at = settings_at

    def case(self, case_id: int, rows: Sequence[Row], *, without: Iterable[int] = (),
             refusals_stand: bool = False) -> CaseRun:
        """Re-derive the case from ROWS (its audit rows in seq order), leaving out the
        seqs in WITHOUT (and those its void rows name). REFUSALS_STAND: a recorded
        refusal is not fired again (a void: what was refused then stays refused, whatever
        the case's facts become)."""
        skip = voided_seqs(rows) | set(without)
        given = _json(rows[0]["given"]) if rows else {}
        last = rows[-1] if rows else {}
        run = CaseRun(case_id, str((given or {}).get("name", "")),
                      f"{last.get('policy')}@{last.get('policy_version')}", self.policy.key)
        case = Case(case_id, "", 0, {}, policy=self.policy.key)
        for row in rows:
            if row["outcome"] == APPLIED:
                run.recorded_state = row["to_state"]
            if row["trigger"] in MARKERS or row["seq"] in skip:
                continue
            run.requests += 1
            if refusals_stand and row["outcome"] != APPLIED:
                continue
            step, decided = self._fire(case, bool(case.state), row)
            case = decided if decided is not None else case
            run.add(step)
        run.candidate_state = case.state or None
        run.candidate_facts, run.candidate_version = case.facts, case.version
        return run

    def _fire(self, case: Case, opened: bool, row: Row) -> tuple[Step, Case | None]:
        step = Step(row["seq"], row["trigger"], row["at"], str(row["actor"]), row["outcome"],
                    _json(row["clauses"]) or [], row["reason"] or "", row["to_state"],
                    SKIPPED)
        trigger = self.policy.find(row["trigger"])
        if trigger is None:
            step.candidate_reason = f"{self.policy.key} has no trigger {row['trigger']}"
            return step, None
        if trigger.opens == opened or (not trigger.opens and
                                       case.state not in self.policy.sources(trigger)):
            where = "the case is already open" if trigger.opens else f"in state {case.state}"
            step.candidate_reason = f"{trigger.name} does not apply {where}"
            return step, None
        if row.get("refused_by") == "group" and row["outcome"] == REFUSED:
            step.candidate, step.candidate_clauses = REFUSED, step.recorded_clauses
            step.candidate_reason = "refused because of another member of the group"
            return step, None
        group, states = (self._group(case, row) if trigger.group else (None, None))
        try:
            params = self.policy.clean_params(trigger, _json(row["given"]) or {})
            decision = self.engine.decide_case(
                trigger.name, case, Actor(str(row["actor"]), str(row["role"])), params,
                str(row["at"]), self.settings_at(row["seq"]), group, row["group_id"], states)
        except WorkflowError as error:
            step.candidate_reason = error.one_line()
            return step, None
        step.candidate, step.candidate_clauses = decision.outcome, list(decision.clauses)
        step.candidate_reason = decision.reason
        step.guards = [g.as_dict() for g in decision.guards if not g.passed]
        if not decision.applied:
            return step, None
        step.candidate_to = decision.target
        if dumps(decision.changes) != row["changes"]:
            recorded = _json(row["changes"]) or {}
            step.same_changes = False
            step.changed = sorted(k for k in set(recorded) | set(decision.changes)
                                  if dumps(recorded.get(k)) != dumps(decision.changes.get(k)))
        return step, decision.case()

    def _group(self, case: Case, row: Row) -> tuple[dict[int, Any], dict[int, str]]:
        """This member's facts as the candidate has them; the others' as recorded."""
        group: dict[int, Any] = {case.id: case.facts}
        states: dict[int, str] = {}
        for fact in self.policy.facts:
            other = case.facts.get(fact.name) if fact.kind == "case" else None
            if not isinstance(other, int):
                continue
            facts: dict[str, Any] = {}
            state, inside = None, False
            for earlier in self.store.audit(case_id=other):  # read to the end: few rows
                if earlier["outcome"] != APPLIED:
                    continue
                if row["group_id"] is not None and earlier["group_id"] == row["group_id"] \
                        and earlier["trigger"] == row["trigger"]:
                    inside = True  # in the same group: its facts as they stood at it
                if inside or earlier["seq"] >= row["seq"]:
                    continue
                state = earlier["to_state"]
                for key, change in (_json(earlier["changes"]) or {}).items():
                    facts[key] = change[1]
            if inside:
                group[other] = facts
            elif state is not None:
                states[other] = state
        return group, states


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None
