"""Engine rules: decide what a trigger does to cases, without touching storage.

One ``transitions`` Machine is shared by every case of a policy (built on first use):
the engine uses it as the transition table that moves a case's state, with no
``to_<state>`` back doors, no conditions that fail quietly, and no callbacks. Guards are
evaluated here, all of them, so a refusal can name every fact that stood in the way.
Every trigger takes the one path of :meth:`Engine.decide`: a trigger that opens a case
decides on a new, empty case; a group trigger decides all or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .case import Actor, Case
from .errors import InvalidInput, InvalidTransition
from .policy import Trigger
from .record import Record, field
from .rules import EffectContext, GuardContext
from .table import Policy

if TYPE_CHECKING:
    from transitions import Machine

APPLIED = "applied"
REFUSED = "refused"
GroupFacts = Mapping[int, Mapping[str, Any]]


class GuardResult(Record):
    """One guard's verdict on one event, with the clauses it cites and the facts it read."""
    guard: str
    passed: bool
    clauses: tuple[str, ...]
    reason: str
    read: dict[str, Any]

    def __init__(self, guard: str, passed: bool, clauses: tuple[str, ...], reason: str,
                 read: dict[str, Any]) -> None:  # one per guard per event
        self.__dict__.update(guard=guard, passed=passed, clauses=clauses, reason=reason,
                             read=read)

    def as_dict(self) -> dict[str, Any]:
        return {
            "guard": self.guard,
            "passed": self.passed,
            "clauses": list(self.clauses),
            "reason": self.reason,
            "read": self.read,
        }

    def explain(self) -> str:
        return f"{self.reason} ({', '.join(self.clauses)})"


class Decision(Record, frozen=False):
    """What one trigger does to one case: applied with its changes, or refused."""

    case_id: int | None
    trigger: str
    source: str | None
    target: str
    actor: Actor
    at: str
    params: dict[str, Any]
    clauses: list[str]
    outcome: str = REFUSED
    guards: list[GuardResult] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reason: str = ""
    version: int = 1
    facts: dict[str, Any] = field(default_factory=dict)
    flagged: bool = False
    group_id: int | None = None
    refused_by: str | None = None  # "role", "guard", or "group" (others in the group failed)
    policy: str = ""  # the policy decided under, id@version

    def __init__(self, case_id: int | None, trigger: str, source: str | None, target: str,
                 actor: Actor, at: str, params: dict[str, Any], clauses: list[str],
                 outcome: str = REFUSED, guards: list[GuardResult] | None = None,
                 changes: dict[str, list[Any]] | None = None, reason: str = "",
                 version: int = 1, facts: dict[str, Any] | None = None, flagged: bool = False,
                 group_id: int | None = None, refused_by: str | None = None,
                 policy: str = "") -> None:  # one per event
        self.case_id, self.trigger, self.source, self.target = case_id, trigger, source, target
        self.actor, self.at, self.params, self.clauses = actor, at, params, clauses
        self.outcome, self.guards = outcome, [] if guards is None else guards
        self.changes = {} if changes is None else changes
        self.reason, self.version, self.facts = reason, version, {} if facts is None else facts
        self.flagged, self.group_id, self.refused_by = flagged, group_id, refused_by
        self.policy = policy

    @property
    def applied(self) -> bool:
        return self.outcome == APPLIED

    def case(self) -> Case:
        assert self.case_id is not None
        return Case(self.case_id, self.target, self.version, self.facts, self.flagged,
                    self.policy)


class Explanation(Record):
    """Each guard of a trigger on a case now: pass or fail, what it read, its clauses;
    whether it is ready, and the options it still needs."""
    case: int
    trigger: str
    state: str
    applies_in_state: bool
    applicable: list[str]
    target: str
    roles: list[str]
    clauses: list[str]
    guards: list[GuardResult]
    ready: bool
    needs: list[str]

    def blocking(self, policy: Policy) -> list[GuardResult]:
        """The failed guards that read the case's facts, not the event's options."""
        return [g for g in self.guards if not g.passed and policy.needs(g.guard) is None]

    def cited(self) -> list[str]:
        return _union([self.clauses, *(g.clauses for g in self.guards)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case, "trigger": self.trigger, "state": self.state,
            "applies_in_state": self.applies_in_state, "applicable": self.applicable,
            "target": self.target, "roles": self.roles, "clauses": self.clauses,
            "guards": [g.as_dict() for g in self.guards], "ready": self.ready,
            "needs": self.needs,
        }


class _Token:
    """The model a shared Machine moves for one event: just a state attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Engine:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._machine: "Machine | None" = None
        self._targets: dict[tuple[str, str], str] = {}  # (trigger, source) -> machine's dest

    @property
    def machine(self) -> "Machine":
        if self._machine is None:
            from transitions import Machine

            self._machine = Machine(
                model=None,
                states=self.policy.state_names,
                initial=self.policy.initial.name,
                transitions=[
                    {"trigger": t.name, "source": self.policy.sources(t), "dest": t.dest}
                    for t in self.policy.triggers
                    if not t.opens
                ],
                auto_transitions=False,
                ignore_invalid_triggers=False,
            )
        return self._machine

    # -- checks ------------------------------------------------------------------------

    def check_applies(self, trigger: Trigger, case: Case) -> None:
        if not trigger.opens and not self.policy.applies_in(trigger, case.state):
            raise InvalidTransition(
                trigger.name, case.state, self.policy.applicable(case.state), case.id
            )

    def role_reason(self, trigger: Trigger, actor: Actor) -> str:
        return (
            f"{trigger.name} may be fired only by {' or '.join(trigger.roles)} "
            f"({', '.join(trigger.clauses)}); {actor.name} is {actor.role}"
        )

    def facts_view(self, trigger: Trigger, facts: Mapping[str, Any],
                   params: Mapping[str, Any]) -> dict[str, Any]:
        """The facts as the guards see them: with the facts this event itself sets."""
        view = dict(facts)
        for param in trigger.params:
            if param.sets_fact and param.name in params:
                view[param.name] = params[param.name]
        return view

    def check_input(self, trigger: Trigger, case: Case, params: Mapping[str, Any]) -> None:
        """The trigger's input checks that need the case: malformed is rejected."""
        for name in trigger.rejects:
            wrong = self.policy.rejections[name](case.facts, params)
            if wrong:
                raise InvalidInput(f"{trigger.name} on case {case.id}: {wrong}")

    def evaluate(self, trigger: Trigger, facts: Mapping[str, Any], params: Mapping[str, Any],
                 settings: Mapping[str, Any], case_id: int | None = None,
                 group: GroupFacts | None = None,
                 states: Mapping[int, str] | None = None) -> list[GuardResult]:
        ctx = GuardContext(facts, params, settings, case_id, group, states)
        guards = self.policy.guards
        results = []
        for spec in trigger.guards:
            check = guards[spec.guard].check(ctx)
            clauses = spec.clauses
            if check.extra_clauses:  # rare (a guard adding a clause of its own)
                clauses += tuple(c for c in check.extra_clauses if c not in spec.clauses)
            results.append(GuardResult(spec.guard, check.passed, clauses, check.reason, check.read))
        return results

    # -- decisions ---------------------------------------------------------------------

    def decide(self, trigger_name: str, cases: list[Case], actor: Actor,
               params: Mapping[str, Any], at: str, settings: Mapping[str, Any],
               group_id: int | None = None,
               states: Mapping[int, str] | None = None) -> list[Decision]:
        """Decide a trigger on its cases: a new case for a trigger that opens one, one case,
        or a group (all or nothing). STATES: for a group, the states of the cases its
        members' facts name outside it. Raises InvalidTransition or InvalidInput (an input
        check that needs the case); never writes."""
        trigger = self.policy.trigger(trigger_name)
        group = {case.id: case.facts for case in cases} if trigger.group else None
        decisions = [self.decide_case(trigger.name, case, actor, params, at, settings, group,
                                      group_id, states) for case in cases]
        if trigger.group is None or all(d.applied for d in decisions):
            return decisions
        return self._all_refused(trigger, cases, decisions)

    def decide_case(self, trigger_name: str, case: Case, actor: Actor,
                    params: Mapping[str, Any], at: str, settings: Mapping[str, Any],
                    group: GroupFacts | None = None, group_id: int | None = None,
                    states: Mapping[int, str] | None = None) -> Decision:
        """Decide a trigger on one case (for a group trigger, given the group's facts).
        A trigger that opens a case decides on ``case`` as new: its id, no state, no facts."""
        trigger = self.policy.trigger(trigger_name)
        self.check_applies(trigger, case)
        if trigger.rejects:
            self.check_input(trigger, case, params)
        base = Decision(
            case_id=case.id, trigger=trigger.name, source=None if trigger.opens else case.state,
            target=self.policy.initial.name if trigger.opens else case.state, actor=actor,
            at=at, params=dict(params), clauses=list(trigger.clauses), version=case.version,
            facts=case.facts, flagged=case.flagged, group_id=group_id, policy=self.policy.key)
        if actor.role not in trigger.roles:
            return self._refused(trigger, base, "role", self.role_reason(trigger, actor))
        view = self.facts_view(trigger, case.facts, params)
        base.guards = self.evaluate(trigger, view, params, settings, case.id, group, states)
        failed = [g for g in base.guards if not g.passed]
        if failed:
            base.clauses = _union(g.clauses for g in failed)
            return self._refused(trigger, base, "guard", "; ".join(g.explain() for g in failed))
        return self._apply(base, trigger, view, settings)

    def _refused(self, trigger: Trigger, base: Decision, by: str, reason: str) -> Decision:
        base.reason, base.refused_by = reason, by
        if trigger.opens:  # no case exists: the refused row names none
            base.target, base.case_id = "", None
        return base

    def _apply(self, base: Decision, trigger: Trigger, view: dict[str, Any],
               settings: Mapping[str, Any]) -> Decision:
        ctx = EffectContext(view, base.params, settings, base.at, base.actor, base.case_id,
                            base.group_id)
        after = {**view, **self.policy.effects[trigger.effect](ctx)}
        before = base.facts
        base.changes = {
            key: [before.get(key), after.get(key)]
            for key in after
            if before.get(key) != after.get(key)
        }
        base.facts = after
        base.flagged = bool(self.policy.flags_of(after))
        if base.source is not None:
            base.target = self._target(trigger.name, base.source)
        base.outcome = APPLIED
        base.version += 1
        base.reason = ""
        return base

    def _target(self, trigger: str, source: str) -> str:
        """The state the shared Machine moves SOURCE to on TRIGGER; fired once per pair
        and remembered (the table never changes), not on every event."""
        key = (trigger, source)
        if key not in self._targets:
            token = _Token(source)
            self.machine.events[trigger].trigger(token)
            self._targets[key] = token.state
        return self._targets[key]

    def _all_refused(self, trigger: Trigger, cases: list[Case],
                     decisions: list[Decision]) -> list[Decision]:
        """A group with a failing member: every member refused, the others because of it."""
        assert trigger.group is not None
        names = ", ".join(str(d.case_id) for d in decisions if not d.applied)
        out = []
        for decision, case in zip(decisions, cases):
            if decision.applied:
                decision = Decision(
                    case_id=case.id, trigger=trigger.name, source=case.state,
                    target=case.state, actor=decision.actor, at=decision.at,
                    params=decision.params, clauses=list(trigger.group.clauses),
                    guards=decision.guards, reason=trigger.group.refusal.format(cases=names),
                    version=case.version, facts=case.facts, flagged=case.flagged,
                    refused_by="group", policy=self.policy.key)
            decision.group_id = None  # no group was formed: the number stays free
            out.append(decision)
        return out

    # -- explanations ------------------------------------------------------------------

    def explain(self, case: Case, trigger_name: str, settings: Mapping[str, Any],
                params: Mapping[str, Any] | None = None,
                group: GroupFacts | None = None,
                states: Mapping[int, str] | None = None) -> Explanation:
        """Each guard of a trigger on a case now, pass or fail, with what it read."""
        trigger = self.policy.trigger(trigger_name)
        params = params or {}
        applies = case.state in self.policy.sources(trigger)
        view = self.facts_view(trigger, case.facts, params)
        results = self.evaluate(trigger, view, params, settings, case.id, group, states)
        failed = [r for r in results if not r.passed]
        needs = [str(self.policy.needs(r.guard)) for r in failed if self.policy.needs(r.guard)]
        return Explanation(
            case=case.id, trigger=trigger.name, state=case.state, applies_in_state=applies,
            applicable=self.policy.applicable(case.state), target=trigger.dest or case.state,
            roles=list(trigger.roles), clauses=list(trigger.clauses), guards=results,
            ready=applies and len(needs) == len(failed), needs=needs)


def _union(groups: Any) -> list[str]:
    out: list[str] = []
    for clauses in groups:
        out += [c for c in clauses if c not in out]
    return out
