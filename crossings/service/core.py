"""The service's core: set-up, the triggers, and the one write transaction per command.

It validates input with the policy, loads cases from the store inside one write
transaction, asks the engine for a decision, and persists the case and its audit row
together. Refusals are committed as ``refused`` rows and then raised; malformed input
and inapplicable triggers are raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Mapping, Self

from store import Store, open_store
from workflow import (
    JILIN_1961,
    Actor,
    Case,
    Conflict,
    Decision,
    Engine,
    GuardRefused,
    InvalidInput,
    NotFound,
    Policy,
    RoleRefused,
)
from workflow.audit import ACTOR_ADD, SETTING, decision_row, dumps, setup_row
from workflow.values import (
    clean_name,
    clean_text,
    parse_approx_date,
    parse_case_id,
    parse_date,
)


Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ServiceCore:
    """Runs the policy against one database: set-up and triggers."""


    def __init__(self, store: Store, *, policy: Policy = JILIN_1961,
                 clock: Clock = utc_now) -> None:
        self.store = store
        self.policy = policy
        self.engine = Engine(policy)
        self.clock = clock
        self._defaults = policy.defaults()

    @classmethod
    def open(cls, path: str, *, create: bool = False, synchronous: str = "FULL",
             clock: Clock = utc_now, policy: Policy = JILIN_1961) -> Self:
        return cls(open_store(path, create=create, synchronous=synchronous),
                   policy=policy, clock=clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[Self]:
        """Run many commands in one transaction (replay in bulk). A rejected command has
        written nothing (every check comes before the first write); a command that fails
        after it began writing (a driver error) rolls the whole batch back."""
        with self.store.write():
            yield self

    # -- time ---------------------------------------------------------------------------

    def _recorded_at(self, now: dt.datetime | None = None) -> str:
        now = self.clock() if now is None else now
        return now.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")

    def _event_date(self, at: Any, now: dt.datetime | None = None) -> str:
        """AT as a date, not in the future. NOW: the command's instant, read once."""
        today = (self.clock() if now is None else now).date().isoformat()
        if at is None:
            return today
        date = parse_date(at, "at")
        if date > today:
            raise InvalidInput(f"--at: {date} is in the future (today is {today})")
        return date

    # -- set-up -------------------------------------------------------------------------

    def add_actor(self, name: str, role: str) -> dict[str, Any]:
        name = clean_name(name, "name")
        if role not in self.policy.roles:
            raise InvalidInput(f"--role: {role!r} is not one of {', '.join(self.policy.roles)}")
        recorded = self._recorded_at()
        with self.store.write():
            existing = self.store.get_actor(name)
            if existing is not None:
                raise InvalidInput(f"actor {name} is already registered as {existing.role}")
            self.store.insert_actor(name, role, recorded)
            self.store.append([setup_row(ACTOR_ADD, {"name": name, "role": role}, recorded,
                                         self.policy.id, self.policy.version)])
        return {"name": name, "role": role, "added_at": recorded}

    def ensure_actor(self, name: str, role: str) -> dict[str, Any]:
        """Register an actor, or reuse one already registered with the same role."""
        existing = self.store.get_actor(clean_name(name, "name"))
        if existing is None:
            return self.add_actor(name, role)
        if existing.role != role:
            raise InvalidInput(f"actor {existing.name} is registered as {existing.role}, not {role}")
        return {"name": existing.name, "role": existing.role}

    def actors(self) -> list[dict[str, Any]]:
        return self.store.actors()

    def actor(self, name: str | None) -> Actor:
        if name is None or not str(name).strip():
            raise InvalidInput("no acting actor: give --as NAME or set CROSSINGS_ACTOR")
        actor = self.store.get_actor(clean_name(name, "as"))
        if actor is None:
            raise NotFound(f"unknown actor {name!r}: register with 'crossings actor add'")
        return actor

    def settings(self) -> dict[str, Any]:
        return {**self._defaults, **self.store.stored_settings()}

    def set_setting(self, name: str, value: Any, actor: str | None = None) -> dict[str, Any]:
        """Change a setting (a set-up row). An actor, if named, must be registered."""
        setting = self.policy.setting(name)
        clean = setting.clean(value)
        who = self.actor(actor) if actor is not None else None
        recorded = self._recorded_at()
        with self.store.write():
            self.store.put_setting(name, clean)
            self.store.append([setup_row(SETTING, {"name": name, "value": clean}, recorded,
                                         self.policy.id, self.policy.version,
                                         who.name if who else None, who.role if who else None)])
        return {"name": name, "value": clean}

    # -- triggers -----------------------------------------------------------------------

    def open_case(self, actor: str | None, *, at: Any = None, request_id: str | None = None,
                  **params: Any) -> Case:
        """Detain a crosser: a new case in the initial state. Returns the new case."""
        trigger = self.policy.trigger("open")
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        self._check_crossing(clean.get("crossed_on"), date)
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, "open", [], clean, date, who)
            if replay is not None:
                return self._replay_result(replay)
            self._check_case_refs(clean)
            case_id = self.store.next_case_id()
            decision = self.engine.decide_open(case_id, who, clean, date, self.settings())
            if decision.applied:
                self.store.insert_case(decision.case(), recorded)
            self._persist([decision], recorded, request_id, "open", [], clean)
        return self._finish([decision])[0]

    def fire(self, trigger_name: str, case_id: Any, actor: str | None, *, at: Any = None,
             request_id: str | None = None, **params: Any) -> Case:
        """Fire one trigger on one case; returns the case as it now stands."""
        trigger = self.policy.trigger(trigger_name)
        if trigger.name == "open":
            return self.open_case(actor, at=at, request_id=request_id, **params)
        if trigger.group:
            group = self.hand_over([case_id], actor, at=at, request_id=request_id, **params)
            return self._load(group["case_ids"][0])
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        number = _case_id(case_id)
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, trigger.name, [number], clean, date, who)
            if replay is not None:
                return self._replay_result(replay)
            case = self._load(number)
            self._check_event_date(case, date)
            self._check_case_refs(clean, case)
            decision = self.engine.decide(case, trigger.name, who, clean, date, self.settings())
            if decision.applied:
                self.store.update_cases([(decision.case(), case.version)], recorded)
            self._persist([decision], recorded, request_id, trigger.name, [number], clean)
        return self._finish([decision])[0]

    def hand_over(self, case_ids: Iterable[Any], actor: str | None, *, at: Any = None,
                  request_id: str | None = None, **params: Any) -> dict[str, Any]:
        """P1: hand a group over in one transaction, all or nothing. Returns the group."""
        trigger = self.policy.trigger("hand_over")
        who = self.actor(actor)
        now = self.clock()
        date = self._event_date(at, now)
        clean = self.policy.clean_params(trigger, params)
        numbers = [_case_id(c) for c in case_ids]
        if not numbers:
            raise InvalidInput("hand_over needs at least one case")
        duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
        if duplicates:
            raise InvalidInput(f"case(s) {', '.join(map(str, duplicates))} named twice in the group")
        recorded = self._recorded_at(now)
        with self.store.write():
            replay = self._replayed(request_id, "hand_over", numbers, clean, date, who)
            if replay is not None:
                self._replay_result(replay)
                return self.store.get_group(replay["group_id"]) or {}
            cases = self._load_many(numbers)
            for case in cases:
                self.engine.check_applies(trigger, case)
                self._check_event_date(case, date)
            group_id = self.store.next_group_id()
            decisions = self.engine.decide_group(cases, who, clean, date, self.settings(),
                                                 group_id)
            group = {"id": group_id, "at": date, "crossing_point": clean["crossing_point"],
                     "representative": clean["representative"], "officer": who.name,
                     "case_ids": numbers, "note": clean.get("note")}
            if decisions[0].applied:
                self.store.insert_group(group)
                self.store.update_cases([(d.case(), c.version) for d, c in zip(decisions, cases)],
                                        recorded)
            self._persist(decisions, recorded, request_id, "hand_over", numbers, clean,
                          group_id if decisions[0].applied else None)
        self._finish(decisions)
        return group

    # -- persistence helpers ------------------------------------------------------------

    def _load(self, case_id: int) -> Case:
        case = self.store.get_case(case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        return case

    def _load_many(self, case_ids: list[int]) -> list[Case]:
        found = self.store.get_cases(case_ids)
        missing = [str(n) for n in case_ids if n not in found]
        if missing:
            raise NotFound(f"no case {', '.join(missing)}")
        return [found[n] for n in case_ids]

    def _check_crossing(self, crossed_on: str | None, date: str) -> None:
        if crossed_on and parse_approx_date(crossed_on).earliest > date:
            raise InvalidInput(
                f"--crossed-on: {crossed_on} is after the detention date {date}"
            )

    def _check_event_date(self, case: Case, date: str) -> None:
        opened = case.facts.get("opened_on")
        if opened and date < opened:
            raise InvalidInput(f"--at: {date} is before case {case.id} was opened ({opened})")

    def _check_case_refs(self, params: Mapping[str, Any], case: Case | None = None) -> None:
        ref = params.get("accompanies")
        if params.get("field") == "accompanies":
            ref = params.get("value")
        if params.get("field") == "crossed_on" and case is not None and params.get("value"):
            self._check_crossing(params["value"], str(case.facts.get("opened_on") or "9999"))
        if ref is None:
            return
        if case is not None and ref == case.id:
            raise InvalidInput(f"--accompanies: case {ref} cannot accompany itself")
        if self.store.get_case(ref) is None:
            raise NotFound(f"--accompanies: no case {ref}")

    def _persist(self, decisions: list[Decision], recorded: str, request_id: str | None,
                 trigger: str, case_ids: list[int], params: Mapping[str, Any],
                 group_id: int | None = None) -> None:
        given = dumps(decisions[0].params)  # a group's decisions share the same params
        first = decisions[0].params
        rows = [decision_row(d, self.policy.id, self.policy.version, recorded, request_id,
                             given if _same_values(d.params, first) else None)
                for d in decisions]
        seqs = self.store.append(rows)
        if request_id:
            self.store.put_request(request_id, {
                "fingerprint": _fingerprint(trigger, case_ids, params, decisions[0].actor,
                                            decisions[0].at),
                "outcome": decisions[0].outcome,
                "case_ids": [d.case_id for d in decisions],
                "message": _refusal(decisions).one_line() if not decisions[0].applied else None,
                "refused_by": decisions[0].refused_by,
                "clauses": _refusal(decisions).clauses if not decisions[0].applied else [],
                "seqs": seqs,
                "group_id": group_id,
            })

    def _replayed(self, request_id: str | None, trigger: str, case_ids: list[int],
                  params: Mapping[str, Any], date: str, who: Actor) -> dict[str, Any] | None:
        if not request_id:
            return None
        request_id = clean_text(request_id, "request_id", limit=200, blank_ok=False)
        stored = self.store.get_request(request_id)
        if stored is None:
            return None
        if stored["fingerprint"] != _fingerprint(trigger, case_ids, params, who, date):
            raise Conflict(f"request id {request_id} was already used for another command "
                           "(another trigger, case, option, actor or date)")
        return stored

    def _replay_result(self, stored: Mapping[str, Any]) -> Case:
        if stored["outcome"] != "applied":
            cls = RoleRefused if stored.get("refused_by") == "role" else GuardRefused
            raise cls(stored["message"] + " (repeated request: nothing new written)", [],
                      stored.get("clauses", []))
        return self._load(stored["case_ids"][0])

    def _finish(self, decisions: list[Decision]) -> list[Case]:
        if decisions and not decisions[0].applied:
            raise _refusal(decisions)
        return [d.case() for d in decisions]


def _same_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same keys bound to the very same objects (copies of one params dict), so
    both encode alike (unlike ==, for which 1, 1.0 and True are equal)."""
    return a is b or (a.keys() == b.keys() and all(a[k] is b[k] for k in a))


_case_id = parse_case_id  # the name service.queries and service.reports import


def _fingerprint(trigger: str, case_ids: list[Any], params: Mapping[str, Any], actor: Actor,
                 date: str) -> str:
    """What a retried request must repeat: trigger, cases, options, actor and event date."""
    return dumps([trigger, list(case_ids), dict(params), actor.name, date])


def _refusal(decisions: list[Decision]) -> GuardRefused | RoleRefused:
    first = decisions[0]
    if len(decisions) == 1:
        where = f"case {first.case_id}" if first.trigger != "open" else "a new case"
        message = f"{first.trigger} refused for {where}: {first.reason}"
    else:
        failing = [d for d in decisions if d.refused_by != "group"]
        parts = [f"case {d.case_id}: {d.reason}" for d in failing]
        message = f"{first.trigger} refused for the group: " + "; ".join(parts)
    if any(d.refused_by == "role" for d in decisions):
        return RoleRefused(message, decisions)
    return GuardRefused(message, decisions)
