"""The cases, rebuilt from their own audit rows and re-run through the engine.

In (case id, seq) order, merged with the case rows in id order: each case's state,
version and facts are rebuilt from its applied rows alone (state := the row's target,
facts from the ``changes`` new values) and compared with the stored case row. Each applied
event is re-run through the pure engine on the case as rebuilt, with the row's actor,
options and date and the settings in force at its ``seq``: its guards must hold, and it
must give the recorded target, changes, clauses and guard results (a divergence, as
Temporal's replayer raises one). A refused row must name the state and version its case
was in; the refusal itself is not re-run (a refused group's rows depend on the other
cases of the group).

Only one case is held at a time, so memory does not grow with the number of events. A
group trigger's guard may read another case's facts (the case a member accompanies): they
are read as they stood at the group from that case's own rows, one indexed query each.
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter
from typing import Any, Iterator, Mapping, Protocol

from store import Store
from workflow import Actor, Case, Decision, Engine, WorkflowError
from workflow.audit import RECORD_TRIGGERS, VOID, dumps
from workflow.engine import APPLIED, REFUSED
from workflow.policies import POLICIES
from workflow.policy import NAME, NATIVE_NAME, OPENED_ON
from workflow.record import Record, field

_RERUN_ERRORS = (WorkflowError, KeyError, TypeError, ValueError, AttributeError)


class Rebuilt(Record, frozen=False):
    """One case as its audit rows say it is."""

    id: int
    state: str | None = None
    version: int = 0
    facts: dict[str, Any] = field(default_factory=dict)
    last_seq: int | None = None
    updated_at: str | None = None  # recorded_at of the last applied row
    policy: str = ""  # the policy its latest applied row was decided under


class Checker(Protocol):
    """What the case checks need of the verifier: the trail, the engines, where to report."""
    store: Store
    cases: int

    def engine_for(self, policy_id: str, version: str) -> Engine | None: ...
    def problem(self, seq: int | None, case: int | None, check: str, message: str) -> None: ...
    def check_row(self, row: Mapping[str, Any]) -> None: ...
    def settings_at(self, seq: int) -> dict[str, Any]: ...
    def other_policy(self, row: Mapping[str, Any]) -> None: ...


class CaseChecks:
    """Pass 2 of :class:`~crossings.trail.verify.Verifier`: every case from its rows."""

    def __init__(self, verifier: Checker) -> None:
        self.v = verifier

    def check_cases(self, cases: tuple[int, int] | None = None) -> None:
        store, v = self.v.store, self.v
        stored = _Peek(store.case_records(cases))
        for case_id, rows in groupby(store.audit_stream(order="case", cases=cases),
                                     key=itemgetter("case_id")):
            while stored.next is not None and stored.next["id"] < case_id:
                self.orphan(stored.pop())
            rebuilt = self.rebuild(case_id, rows)
            v.cases += 1
            if stored.next is not None and stored.next["id"] == case_id:
                self.compare(rebuilt, stored.pop())
            else:
                v.problem(rebuilt.last_seq, case_id, "case",
                          f"case {case_id} has audit rows but no case row")
        while stored.next is not None:
            self.orphan(stored.pop())

    def orphan(self, record: Mapping[str, Any]) -> None:
        self.v.cases += 1
        self.v.problem(None, record["id"], "case",
                       f"case {record['id']} has a case row but no audit rows")

    def rebuild(self, case_id: int, rows: Iterator[dict[str, Any]]) -> Rebuilt:
        case = Rebuilt(case_id)
        seen: list[dict[str, Any]] = []  # this case's rows so far (one case at a time)
        for row in rows:
            case.last_seq = row["seq"]
            self.v.check_row(row)
            if row["outcome"] == REFUSED:
                self.check_refused(case, row)
                seen.append(row)
                continue
            if row["from_state"] != case.state:
                self.v.problem(row["seq"], case_id, "case",
                               f"{row['trigger']} from {row['from_state']}, but the rows before "
                               f"leave the case {case.state or 'not yet opened'}")
            engine = self.v.engine_for(row["policy"], row["policy_version"])
            marker = row["trigger"] in RECORD_TRIGGERS
            if engine is not None and not marker:
                self.rerun(engine, case, row)
            elif engine is None:
                self.v.other_policy(row)
            self.apply(case, row)
            if marker and engine is not None:
                self.check_record_act(engine.policy, case, row, seen)
            seen.append(row)
            case.policy = engine.policy.key if engine is not None else \
                f"{row['policy']}@{row['policy_version']}"
        return case

    def check_record_act(self, policy: Any, case: Rebuilt, row: Mapping[str, Any],
                         before: list[dict[str, Any]]) -> None:
        """A void row leaves the case as its other requests re-derive it; a migrate row
        moves a case whose requests replay equal under its target."""
        from .rederive import Rederiver

        seq, case_id = row["seq"], case.id
        given = json.loads(row["given"])
        if row["trigger"] == VOID:
            named = given.get("seq")
            if not any(r["seq"] == named and r["trigger"] not in RECORD_TRIGGERS for r in before):
                self.v.problem(seq, case_id, "case", f"void names event {named}, not an earlier "
                               "event of this case")
                return
            run = Rederiver(self.v.store, policy, self.v.settings_at).case(
                case_id, [*before, row], refusals_stand=True)
            if run.candidate_state != case.state or _differing(run.candidate_facts, case.facts):
                self.v.problem(seq, case_id, "case", f"void of event {named}: the case's other "
                               "events re-derive it otherwise than the void row records")
            return
        run = Rederiver(self.v.store, policy, self.v.settings_at).case(case_id, before)
        if given.get("to") != policy.key or not run.identical:
            self.v.problem(seq, case_id, "case", f"migrate to {given.get('to')}: the case's "
                           f"events do not replay equal under {policy.key}")

    def check_refused(self, case: Rebuilt, row: Mapping[str, Any]) -> None:
        if row["from_state"] != case.state or row["case_version"] != case.version:
            self.v.problem(row["seq"], case.id, "case",
                           f"refused {row['trigger']} names {row['from_state']} version "
                           f"{row['case_version']}, the rows before give {case.state} version "
                           f"{case.version}")

    def rerun(self, engine: Engine, case: Rebuilt, row: Mapping[str, Any]) -> None:
        """Re-decide the event on the case as rebuilt: it must apply, as recorded."""
        seq, trigger = row["seq"], row["trigger"]
        try:
            decision = self.decide(engine, case, row)
        except _RERUN_ERRORS as error:
            self.v.problem(seq, case.id, "guard", f"{trigger} cannot be re-run on the case as "
                           f"its rows leave it: {_message(error)}")
            return
        if not decision.applied:
            self.v.problem(seq, case.id, "guard", f"{trigger} was applied, but on the facts "
                           f"as they stood it is refused: {decision.reason}")
            return
        # One encoding for three fields (a JSON list is its items' encodings joined by
        # commas, in the one form audit rows use), compared field by field only if needed.
        mine = [decision.changes, decision.clauses, [g.as_dict() for g in decision.guards]]
        stored = f"[{row['changes']},{row['clauses']},{row['guards']}]"
        if decision.target == row["to_state"] and dumps(mine) == stored:
            return
        try:
            differ = _differences(decision, mine, row)
        except (json.JSONDecodeError, TypeError, AttributeError):
            differ = ["the row's changes, clauses or guards cannot be read"]
        if differ:
            self.v.problem(seq, case.id, "guard", f"{trigger} re-run on the facts as they "
                           f"stood differs from the row: {'; '.join(differ)}")

    def decide(self, engine: Engine, case: Rebuilt, row: Mapping[str, Any]) -> Decision:
        actor = Actor(row["actor"], row["role"])
        params = json.loads(row["given"])
        settings = self.v.settings_at(row["seq"])
        trigger = engine.policy.trigger(row["trigger"])
        if trigger.opens:
            current = Case(case.id, "", 0, {})
        elif case.state is None:
            raise ValueError("the case was never opened")
        else:
            current = Case(case.id, case.state, case.version, case.facts)
        group, states = self.group(engine, case, row) if trigger.group else (None, None)
        return engine.decide_case(trigger.name, current, actor, params, row["at"],
                                  settings, group, row["group_id"], states)

    def group(self, engine: Engine, case: Rebuilt,
              row: Mapping[str, Any]) -> tuple[dict[int, Any], dict[int, str]]:
        """The group as the guard saw it: this case and the cases its facts name (the case
        it accompanies), if in the same group (their facts from their own rows); the
        states, at that row, of those outside the group."""
        group: dict[int, Any] = {case.id: case.facts}
        states: dict[int, str] = {}
        for fact in engine.policy.facts:
            other = case.facts.get(fact.name) if fact.kind == "case" else None
            if isinstance(other, int):
                facts = self.facts_in_group(other, row["group_id"], row["trigger"])
                if facts is not None:
                    group[other] = facts
                else:
                    state = self.state_before(other, row["seq"])
                    if state is not None:
                        states[other] = state
        return group, states

    def state_before(self, case_id: int, seq: int) -> str | None:
        """A case's state as its applied rows before SEQ leave it."""
        state = None
        for row in self.v.store.audit(case_id=case_id):  # read to the end (few rows)
            if row["seq"] < seq and row["outcome"] == APPLIED:
                state = row["to_state"]
        return state

    def facts_in_group(self, case_id: int, group_id: int | None,
                       trigger: str) -> dict[str, Any] | None:
        facts: dict[str, Any] = {}
        found = False
        for row in self.v.store.audit(case_id=case_id):  # read to the end: a case's rows are few
            found = found or (row["trigger"] == trigger and row["group_id"] == group_id
                              and row["outcome"] == APPLIED)  # a refused group's id recurs
            if row["outcome"] == APPLIED and not found:
                for key, change in changes_of(row).items():
                    facts[key] = change[1]
        return facts if found else None

    def apply(self, case: Rebuilt, row: Mapping[str, Any]) -> None:
        seq, version = row["seq"], row["case_version"]
        if version != case.version + 1:
            self.v.problem(seq, case.id, "case", f"version {version} follows "
                           f"version {case.version}")
            version = version if isinstance(version, int) else case.version + 1
        try:
            changes = changes_of(row)
        except (json.JSONDecodeError, ValueError, TypeError):
            self.v.problem(seq, case.id, "case", "the row's changes cannot be read")
            changes = {}
        for key, (old, new) in changes.items():
            if case.facts.get(key) != old:
                self.v.problem(seq, case.id, "case", f"the row changes {key} from {old!r}, but "
                               f"the rows before leave it {case.facts.get(key)!r}")
            case.facts[key] = new
        case.state, case.version = row["to_state"], version
        case.updated_at = row["recorded_at"]

    def compare(self, case: Rebuilt, stored: Mapping[str, Any]) -> None:
        found = []
        if stored["state"] != case.state:
            found.append(f"state is {stored['state']}, its rows give {case.state}")
        if stored["version"] != case.version:
            found.append(f"version is {stored['version']}, its rows give {case.version}")
        facts = stored["facts"] if isinstance(stored["facts"], dict) else {"(unreadable)": True}
        differ = _differing(facts, case.facts)
        if differ:
            found.append(f"facts {', '.join(differ)} differ from its rows")
        policy = POLICIES.get(case.policy)
        columns = {"name": case.facts.get(NAME), "native_name": case.facts.get(NATIVE_NAME),
                   "opened_on": case.facts.get(OPENED_ON),
                   "flagged": bool(policy.flags_of(case.facts)) if policy else stored["flagged"],
                   "updated_at": case.updated_at, "policy": case.policy}
        found += [f"column {k} is {stored[k]!r}, its rows give {v!r}"
                  for k, v in columns.items() if stored[k] != v]
        if found:
            self.v.problem(case.last_seq, case.id, "case",
                           f"case {case.id}'s stored row disagrees with its audit rows: "
                           + "; ".join(found))


class _Peek:
    """An iterator with one item of look-ahead."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        self._items = items
        self.next: dict[str, Any] | None = next(items, None)

    def pop(self) -> dict[str, Any]:
        item = self.next
        assert item is not None
        self.next = next(self._items, None)
        return item


def _differences(decision: Any, mine: list[Any], row: Mapping[str, Any]) -> list[str]:
    """What a re-run decision gives that the row does not record, in words."""
    out = []
    if (decision.target or None) != row["to_state"]:
        out.append(f"target {decision.target}, the row records {row['to_state']}")
    changes, clauses, guards = mine
    recorded_changes = json.loads(row["changes"])
    keys = sorted(k for k in set(changes) | set(recorded_changes)
                  if dumps(changes.get(k)) != dumps(recorded_changes.get(k)))
    if keys:
        out.append(f"changes to {', '.join(keys)}")
    if dumps(clauses) != row["clauses"]:
        out.append(f"clauses [{', '.join(clauses)}], the row records "
                   f"[{', '.join(json.loads(row['clauses']))}]")
    recorded_guards = {g.get("guard"): g for g in json.loads(row["guards"])}
    names = [g["guard"] for g in guards]
    if names != list(recorded_guards):
        out.append(f"guards [{', '.join(names)}], the row records "
                   f"[{', '.join(map(str, recorded_guards))}]")
    else:
        out += [f"guard {g['guard']} gives {g['reason']!r}, the row records "
                f"{recorded_guards[g['guard']].get('reason')!r}"
                for g in guards if dumps(g) != dumps(recorded_guards[g["guard"]])]
    return out


def changes_of(row: Mapping[str, Any]) -> dict[str, Any]:
    changes = json.loads(row["changes"])
    if not isinstance(changes, dict) or not all(
            isinstance(v, list) and len(v) == 2 for v in changes.values()):
        raise ValueError("malformed changes")
    return changes


def _differing(stored: Mapping[str, Any], rebuilt: Mapping[str, Any]) -> list[str]:
    """Facts that differ; a fact absent and a fact set to null are the same."""
    keys = set(stored) | set(rebuilt)
    return sorted(k for k in keys if stored.get(k) != rebuilt.get(k))


def _message(error: Exception) -> str:
    if isinstance(error, WorkflowError):
        return error.one_line()
    return f"{type(error).__name__}: {error}"
