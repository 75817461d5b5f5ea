"""The one command path: validate, load, decide, persist in one transaction.

Every trigger goes through :meth:`Commands.run`, whatever the table says it is: one that
opens a case decides on a new case; a group trigger decides all or nothing on its cases;
any other on one case. Malformed input and a trigger that does not apply are raised before
anything is written; a refusal is committed as ``refused`` rows and then raised.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Callable, Iterable, Mapping, Sequence

from workflow import (
    Actor,
    Case,
    Conflict,
    Decision,
    GuardRefused,
    InvalidInput,
    NotFound,
    Policy,
    RoleRefused,
    Trigger,
)
from workflow import policies
from workflow.policies import CATALOGUE
from workflow.audit import decision_row, dumps
from workflow.engine import APPLIED
from workflow.policy import OPENED_ON
from workflow.record import Record, field
from workflow.values import clean_text, parse_approx_date, parse_case_id

from .base import ServiceBase


class Command(Record):
    """One command: a trigger, its cases (none for one that opens a case, several for a
    group), who fires it, its date and options, and a retry key."""
    trigger: str
    cases: tuple[Any, ...] = ()
    actor: str | None = None
    at: Any = None
    params: Mapping[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    policy: str | None = None  # a case being opened: the policy it is handled under

    def __init__(self, trigger: str, cases: tuple[Any, ...] = (), actor: str | None = None,
                 at: Any = None, params: Mapping[str, Any] | None = None,
                 request_id: str | None = None, policy: str | None = None) -> None:
        self.__dict__.update(trigger=trigger, cases=cases, actor=actor, at=at,
                             params={} if params is None else params, request_id=request_id,
                             policy=policy)  # one per command, and a batch is many

    @classmethod
    def of(cls, trigger: str, cases: Any = None, actor: str | None = None, *, at: Any = None,
           request_id: str | None = None, policy: str | None = None,
           **params: Any) -> "Command":
        """A command from keywords: ``Command.of("persuade", 3, "Zhao", at=..., outcome=...)``;
        CASES an id, a list of ids, or None."""
        return cls(trigger, _case_tuple(cases), actor, at, params, request_id, policy)


class GroupRecord(Record):
    """A group a group trigger formed: its number, date, who fired it, its cases in order,
    the note, and the trigger's own options (``given``)."""
    id: int
    at: str
    officer: str
    case_ids: list[int]
    note: str | None = None
    given: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "GroupRecord":
        """From a store's record of the group (its options as keys of their own)."""
        own = {"id", "at", "officer", "case_ids", "note"}
        return cls(record["id"], record["at"], record["officer"], list(record["case_ids"]),
                   record.get("note"), {k: v for k, v in record.items() if k not in own})

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, **self.given, "officer": self.officer,
                "case_ids": self.case_ids, "note": self.note}


class Result(Record):
    """What a command did: each case as it now stands, and the group it formed, if any."""
    cases: list[Case]
    group: GroupRecord | None = None
    decisions: list[Decision] = field(default_factory=list)

    def __init__(self, cases: list[Case], group: GroupRecord | None = None,
                 decisions: list[Decision] | None = None) -> None:  # one per command
        self.__dict__.update(cases=cases, group=group,
                             decisions=[] if decisions is None else decisions)

    @property
    def case(self) -> Case:
        return self.cases[0]


class Commands(ServiceBase):
    """Firing triggers: the one write path every command takes."""

    def fire(self, trigger: str, cases: Any = None, actor: str | None = None, *,
             at: Any = None, request_id: str | None = None, policy: str | None = None,
             **params: Any) -> Case:
        """Fire TRIGGER on a case (an id), a group (a list of ids), or none (a trigger that
        opens a case); returns the (first) case as it now stands."""
        return self.run(Command.of(trigger, cases, actor, at=at, request_id=request_id,
                                   policy=policy, **params)).case

    def run(self, command: Command) -> Result:
        who = self.actor(command.actor)
        key = self.signer(who)  # no key at hand: rejected before anything is written
        now = self.clock()
        date = self._event_date(command.at, now)
        numbers = [parse_case_id(c) for c in command.cases]
        with self.writing():  # every check below comes before the first write
            recorded = self._recorded_at(now)
            cases, policy = self._pinned(command, numbers)
            trigger = self._trigger_of(policy, command.trigger, numbers)
            self._case_numbers(trigger, numbers)
            clean = policy.clean_params(trigger, command.params)
            if trigger.opens:
                self._check_dated(policy, trigger, clean, date)
            stored = self._replayed(command.request_id, trigger.name, numbers, clean, date, who)
            if stored:
                return self._replay_result(trigger, stored)
            for case in cases:
                self._check_case(policy, trigger, case, clean, date)
            group_id = self.store.next_group_id() if trigger.group else None
            states = self._outside_states(policy, cases) if trigger.group else None
            decisions = self.engine(policy).decide(trigger.name, cases, who, clean, date,
                                                   self.settings(), group_id, states)
            applied = decisions[0].applied
            if applied and trigger.opens:
                self.store.insert_case(decisions[0].case(), recorded)
            elif applied:
                self.store.update_cases([(d.case(), c.version) for d, c in zip(decisions, cases)],
                                        recorded)
            self._persist(policy, decisions, recorded, command.request_id, key.sign)
        group = self._group(trigger, group_id, date, who, numbers, clean)
        return self._finish(decisions, group)

    def _trigger_of(self, policy: Policy, name: str, numbers: list[int]) -> Trigger:
        """The trigger NAME of POLICY; a trigger only another policy has is named so."""
        found = policy.find(name)
        if found is not None or CATALOGUE.find(name) is None:
            return found or policy.trigger(name)
        whose = f"case {numbers[0]} is handled under" if numbers else "new cases take"
        raise InvalidInput(f"{name.replace('_', '-')}: {whose} {policy.key}, which has no "
                           f"such trigger; its triggers: "
                           f"{', '.join(t.name for t in policy.triggers)}")

    def _outside_states(self, policy: Policy, cases: list[Case]) -> dict[int, str]:
        """The states of the cases a group's members name (a parent) outside the group."""
        inside = {c.id for c in cases}
        named = {c.facts.get(f.name) for c in cases for f in policy.facts if f.kind == "case"}
        found = self.store.get_cases([n for n in named if isinstance(n, int) and n not in inside])
        return {n: c.state for n, c in found.items()}

    def _pinned(self, command: Command, numbers: list[int]) -> tuple[list[Case], Policy]:
        """The command's cases (a new one, when it names none) and the policy they are
        handled under: a new case takes --policy or the database's; a named case its pin.
        A group's cases must share one policy."""
        if not numbers:
            policy = policies.get(command.policy) if command.policy else self.policy
            return [Case(self.store.next_case_id(), "", 0, {}, policy=policy.key)], policy
        twice = sorted(n for n, times in Counter(numbers).items() if times > 1)
        if twice:
            raise InvalidInput(f"case(s) {', '.join(map(str, twice))} named twice in the group")
        cases = [self._load(numbers[0])] if len(numbers) == 1 else self._load_many(numbers)
        pins = {c.policy for c in cases}
        if len(pins) > 1:
            under = ", ".join(f"case {c.id} under {c.policy}" for c in cases)
            raise InvalidInput(f"the cases of one command must be handled under one policy "
                               f"({under}): migrate them first")
        policy = self.policy_of(cases[0])
        if command.policy and policies.get(command.policy).key != policy.key:
            raise InvalidInput(f"--policy: case {cases[0].id} is handled under {policy.key}; "
                               "only a case being opened takes --policy (migrate moves a case)")
        return cases, policy

    # -- checks before the decision ---------------------------------------------------

    def _case_numbers(self, trigger: Trigger, numbers: list[int]) -> None:
        if trigger.opens:
            if numbers:
                raise InvalidInput(f"{trigger.name} opens a new case: it names no case")
            return
        if trigger.group is None and len(numbers) != 1:
            raise InvalidInput(f"{trigger.name} is fired on one case, not {len(numbers)}")
        if not numbers:
            raise InvalidInput(f"{trigger.name} needs at least one case")

    def _check_case(self, policy: Policy, trigger: Trigger, case: Case,
                    params: Mapping[str, Any], date: str) -> None:
        opened = case.facts.get(OPENED_ON)
        latest = None if trigger.opens else self.store.last_event_date(case.id)
        if latest is not None and date < latest:
            raise InvalidInput(f"--at: {date} is before {latest}, the date of the latest event "
                               f"recorded for case {case.id}: a case's events run forward")
        if not trigger.opens:
            self._check_dated(policy, trigger, params, str(opened or "9999"))
        for option, ref in policy.case_refs(trigger, params):
            if ref == case.id:
                raise InvalidInput(f"--{option}: case {ref} cannot accompany itself")
            if self.store.get_case(ref) is None:
                raise NotFound(f"--{option}: no case {ref}")
        self.engine(policy).check_applies(trigger, case)

    def _check_dated(self, policy: Policy, trigger: Trigger, params: Mapping[str, Any],
                     opened: str) -> None:
        """A date fact cannot begin after the case was opened."""
        for fact, value in policy.dated_facts(trigger, params):
            if parse_approx_date(value).earliest > opened:
                raise InvalidInput(f"{fact.flag}: {value} is after {fact.by_opening} {opened}")

    # -- persistence -------------------------------------------------------------------

    def _persist(self, policy: Policy, decisions: list[Decision], recorded: str,
                 request_id: str | None, sign: Callable[[bytes], str]) -> None:
        given = dumps(decisions[0].params)  # a group's decisions share the same params
        first = decisions[0].params
        rows = [decision_row(d, policy.id, policy.version, recorded, request_id,
                             given if _same_values(d.params, first) else None)
                for d in decisions]
        self.store.append(rows, sign)

    def _group(self, trigger: Trigger, group_id: int | None, date: str, who: Actor,
               numbers: list[int], params: Mapping[str, Any]) -> GroupRecord | None:
        if trigger.group is None or group_id is None:
            return None
        return GroupRecord(group_id, date, who.name, numbers, params.get("note"),
                     {p.name: params.get(p.name) for p in trigger.params})

    def _replayed(self, request_id: str | None, trigger: str, case_ids: list[int],
                  params: Mapping[str, Any], date: str, who: Actor) -> list[dict[str, Any]]:
        """The rows an earlier command with this retry key wrote (read from the trail
        itself: nothing outside the chain says what it did); none for a new key."""
        if not request_id:
            return []
        request_id = clean_text(request_id, "request_id", limit=200, blank_ok=False)
        rows = self.store.request_rows(request_id)
        if rows and _row_fingerprint(rows, trigger) != _fingerprint(trigger, case_ids, params,
                                                                   who.name, date):
            raise Conflict(f"request id {request_id} was already used for another command "
                           "(another trigger, case, option, actor or date)")
        return rows

    def _replay_result(self, trigger: Trigger, rows: list[dict[str, Any]]) -> Result:
        if rows[0]["outcome"] != APPLIED:
            refusal = _refusal([_Refused.of(row) for row in rows])
            raise type(refusal)(refusal.one_line() + " (repeated request: nothing new written)",
                                [], refusal.clauses)
        cases = self._load_many([int(r["case_id"]) for r in rows])
        record = self.store.get_group(rows[0]["group_id"]) if trigger.group else None
        return Result(cases, GroupRecord.from_record(record) if record else None)

    def _finish(self, decisions: list[Decision], group: GroupRecord | None) -> Result:
        if decisions and not decisions[0].applied:
            raise _refusal(decisions)
        return Result([d.case() for d in decisions], group, decisions)


def _case_tuple(cases: Any) -> tuple[Any, ...]:
    if cases is None:
        return ()
    if isinstance(cases, (list, tuple)):
        return tuple(cases)
    if isinstance(cases, Iterable) and not isinstance(cases, (str, bytes)):
        return tuple(cases)
    return (cases,)


def _same_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same keys bound to the very same objects (copies of one params dict), so
    both encode alike (unlike ==, for which 1, 1.0 and True are equal)."""
    return a is b or (a.keys() == b.keys() and all(a[k] is b[k] for k in a))


def _fingerprint(trigger: str, case_ids: list[Any], params: Mapping[str, Any], actor: str,
                 date: str) -> str:
    """What a retried request must repeat: trigger, cases, options, actor and event date."""
    return dumps([trigger, list(case_ids), dict(params), actor, date])


def _row_fingerprint(rows: list[dict[str, Any]], trigger: str) -> str:
    """The fingerprint of the command that wrote ROWS (an opening names no case)."""
    first = rows[0]
    opened = first["from_state"] is None and first["trigger"] == trigger and len(rows) == 1
    case_ids = [] if opened else [r["case_id"] for r in rows]
    return _fingerprint(first["trigger"], case_ids, json.loads(first["given"]), first["actor"],
                        first["at"])


class _Refused(Record):
    """What a refusal's message is made of, from a decision or a stored row alike."""
    trigger: str
    case_id: int | None
    reason: str
    refused_by: str | None
    clauses: list[str]

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> "_Refused":
        return cls(row["trigger"], row["case_id"], row["reason"] or "", row["refused_by"],
                   json.loads(row["clauses"]))


def _refusal(decisions: Sequence[Decision | _Refused]) -> GuardRefused | RoleRefused:
    first = decisions[0]
    if len(decisions) == 1:
        where = f"case {first.case_id}" if first.case_id is not None else "a new case"
        message = f"{first.trigger} refused for {where}: {first.reason}"
    else:
        failing = [d for d in decisions if d.refused_by != "group"]
        parts = [f"case {d.case_id}: {d.reason}" for d in failing]
        message = f"{first.trigger} refused for the group: " + "; ".join(parts)
    if any(d.refused_by == "role" for d in decisions):
        return RoleRefused(message, list(decisions))
    return GuardRefused(message, list(decisions))
