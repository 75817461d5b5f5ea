"""Engine rules: decide what a trigger does to a case, without touching storage.

One ``transitions`` Machine is shared by every case of a policy (built on first use):
the engine uses it as the transition table that moves a case's state, with no
``to_<state>`` back doors, no conditions that fail quietly, and no callbacks. Guards are
evaluated here, all of them, so a refusal can name every fact that stood in the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from .case import Actor, Case
from .errors import InvalidTransition
from .guards import GUARDS, GuardContext
from .policy import JILIN_1961, Policy, Trigger
from .effects import EFFECTS, EffectContext

if TYPE_CHECKING:
    from transitions import Machine

APPLIED = "applied"
REFUSED = "refused"

# Guards that read the event's own options rather than the case's facts: `next`
# reports them as "needs --option", not as blocking.
INPUT_GUARDS = {
    "outcome_given": "outcome",
    "items_given": "items",
    "reply_given": "reply",
    "question_given": "question",
    "answer_given": "answer",
    "correction_given": "field, --value and --reason",  # --value may be empty: it clears
}


@dataclass(frozen=True)
class GuardResult:
    """One guard's verdict on one event, with the clauses it cites and the facts it read."""
    guard: str
    passed: bool
    clauses: tuple[str, ...]
    reason: str
    read: dict[str, Any]

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


@dataclass
class Decision:
    """What one trigger does to one case: applied with its changes, or refused."""

    case_id: int | None
    trigger: str
    source: str | None
    target: str
    outcome: str
    actor: Actor
    at: str
    params: dict[str, Any]
    clauses: list[str]
    guards: list[GuardResult] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reason: str = ""
    version: int = 1
    facts: dict[str, Any] = field(default_factory=dict)
    group_id: int | None = None
    refused_by: str | None = None  # "role", "guard", or "group" (others in the group failed)

    @property
    def applied(self) -> bool:
        return self.outcome == APPLIED

    def case(self) -> Case:
        assert self.case_id is not None
        return Case(self.case_id, self.target, self.version, self.facts)


class _Token:
    """The model a shared Machine moves for one event: just a state attribute."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Engine:
    def __init__(self, policy: Policy = JILIN_1961) -> None:
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
                    if t.name != "open"
                ],
                auto_transitions=False,
                ignore_invalid_triggers=False,
            )
        return self._machine

    # -- checks ------------------------------------------------------------------------

    def check_applies(self, trigger: Trigger, case: Case) -> None:
        if case.state not in self.policy.sources(trigger):
            raise InvalidTransition(
                trigger.name, case.state, self.policy.applicable(case.state), case.id
            )

    def role_allows(self, trigger: Trigger, actor: Actor) -> bool:
        return actor.role in trigger.roles

    def role_reason(self, trigger: Trigger, actor: Actor) -> str:
        return (
            f"{trigger.name} may be fired only by {' or '.join(trigger.roles)} "
            f"({', '.join(trigger.clauses)}); {actor.name} is {actor.role}"
        )

    def facts_view(self, trigger: Trigger, facts: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        """The facts as the guards see them: with the facts this event itself sets."""
        view = dict(facts)
        for param in trigger.params:
            if param.sets_fact and param.name in params:
                view[param.name] = params[param.name]
        return view

    def evaluate(
        self,
        trigger: Trigger,
        facts: Mapping[str, Any],
        params: Mapping[str, Any],
        settings: Mapping[str, Any],
        case_id: int | None = None,
        group: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> list[GuardResult]:
        ctx = GuardContext(facts, params, settings, case_id, group)
        results = []
        for spec in trigger.guards:
            check = GUARDS[spec.guard](ctx)
            clauses = spec.clauses
            if check.extra_clauses:  # rare (citizenship "other" adds G): skip the genexpr
                clauses += tuple(c for c in check.extra_clauses if c not in spec.clauses)
            results.append(GuardResult(spec.guard, check.passed, clauses, check.reason, check.read))
        return results

    # -- decisions ---------------------------------------------------------------------

    def decide(
        self,
        case: Case,
        trigger_name: str,
        actor: Actor,
        params: Mapping[str, Any],
        at: str,
        settings: Mapping[str, Any],
        group: Mapping[int, Mapping[str, Any]] | None = None,
        group_id: int | None = None,
    ) -> Decision:
        """Decide one trigger on one case. Raises InvalidTransition; never writes."""
        trigger = self.policy.trigger(trigger_name)
        self.check_applies(trigger, case)
        base = Decision(case.id, trigger.name, case.state, case.state, REFUSED, actor, at,
                        dict(params), list(trigger.clauses), version=case.version,
                        facts=case.facts, group_id=group_id)
        if not self.role_allows(trigger, actor):
            base.reason = self.role_reason(trigger, actor)
            base.refused_by = "role"
            return base
        view = self.facts_view(trigger, case.facts, params)
        base.guards = self.evaluate(trigger, view, params, settings, case.id, group)
        failed = [g for g in base.guards if not g.passed]
        if failed:
            base.clauses = _union(g.clauses for g in failed)
            base.reason = "; ".join(g.explain() for g in failed)
            base.refused_by = "guard"
            return base
        return self._apply(base, trigger, view, settings)

    def decide_open(
        self, case_id: int, actor: Actor, params: Mapping[str, Any], at: str,
        settings: Mapping[str, Any],
    ) -> Decision:
        trigger = self.policy.trigger("open")
        initial = self.policy.initial.name
        base = Decision(case_id, "open", None, initial, REFUSED, actor, at, dict(params),
                        list(trigger.clauses), version=0, facts={})
        base.target = initial
        if not self.role_allows(trigger, actor):
            base.reason = self.role_reason(trigger, actor)
            base.target = ""
            base.case_id = None  # no case exists: the refused row names none
            base.refused_by = "role"
            return base
        view = self.facts_view(trigger, {}, params)
        base.guards = self.evaluate(trigger, view, params, settings, case_id)
        failed = [g for g in base.guards if not g.passed]
        if failed:
            base.clauses = _union(g.clauses for g in failed)
            base.reason = "; ".join(g.explain() for g in failed)
            base.target = ""
            base.case_id = None
            base.refused_by = "guard"
            return base
        return self._apply(base, trigger, view, settings)

    def _apply(self, base: Decision, trigger: Trigger, view: dict[str, Any],
               settings: Mapping[str, Any]) -> Decision:
        ctx = EffectContext(view, base.params, settings, base.at, base.actor, base.case_id,
                            base.group_id)
        after = {**view, **EFFECTS[trigger.effect](ctx)}
        before = base.facts
        base.changes = {
            key: [before.get(key), after.get(key)]
            for key in after
            if before.get(key) != after.get(key)
        }
        base.facts = after
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

    def decide_group(
        self,
        cases: list[Case],
        actor: Actor,
        params: Mapping[str, Any],
        at: str,
        settings: Mapping[str, Any],
        group_id: int | None,
        trigger_name: str = "hand_over",
    ) -> list[Decision]:
        """All or nothing: every case applied, or every case refused naming the failures."""
        group = {case.id: case.facts for case in cases}
        decisions = [
            self.decide(case, trigger_name, actor, params, at, settings, group, group_id)
            for case in cases
        ]
        failing = [d for d in decisions if not d.applied]
        if not failing:
            return decisions
        names = ", ".join(str(d.case_id) for d in failing)
        out = []
        for decision, case in zip(decisions, cases):
            if decision.applied:
                decision = Decision(
                    case.id, trigger_name, case.state, case.state, REFUSED, actor, at,
                    dict(params), ["P1"], decision.guards, {},
                    f"the group handover was refused because of case(s) {names} (P1: all "
                    "or nothing)", case.version, case.facts, None, "group",
                )
            decision.group_id = None  # no group was formed: the number stays free
            out.append(decision)
        return out

    # -- explanations ------------------------------------------------------------------

    def explain(
        self,
        case: Case,
        trigger_name: str,
        settings: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        group: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Each guard of a trigger on a case now, pass or fail, with what it read."""
        trigger = self.policy.trigger(trigger_name)
        params = params or {}
        applies = case.state in self.policy.sources(trigger)
        view = self.facts_view(trigger, case.facts, params)
        results = self.evaluate(trigger, view, params, settings, case.id, group)
        blocking = [r for r in results if not r.passed and r.guard not in INPUT_GUARDS]
        needs = [INPUT_GUARDS[r.guard] for r in results if not r.passed and r.guard in INPUT_GUARDS]
        return {
            "case": case.id,
            "trigger": trigger.name,
            "state": case.state,
            "applies_in_state": applies,
            "applicable": self.policy.applicable(case.state),
            "target": trigger.dest or case.state,
            "roles": list(trigger.roles),
            "clauses": list(trigger.clauses),
            "guards": [r.as_dict() for r in results],
            "ready": applies and not blocking,
            "needs": needs,
        }


def _union(groups: Any) -> list[str]:
    out: list[str] = []
    for clauses in groups:
        out += [c for c in clauses if c not in out]
    return out
