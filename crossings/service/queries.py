"""Reading cases and the trail: list, log, why, next."""

from __future__ import annotations

from typing import Any, Iterator

from workflow import Case, InvalidInput, Policy, UsageError
from workflow.audit import RECORD_TRIGGERS, SETUP_TRIGGERS, decode
from workflow.engine import APPLIED, REFUSED
from workflow.values import clean_text, parse_case_id, parse_date

from workflow.policies import CATALOGUE

from .base import ServiceBase


class Queries(ServiceBase):
    """Read-only questions about cases, the trail and what the policy allows now."""

    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        if state is not None:
            CATALOGUE.state(state)
        return self.store.cases(state, after, limit)

    def log(self, *, case_id: Any = None, actor: str | None = None, trigger: str | None = None,
            clause: str | None = None, outcome: str | None = None, since: Any = None,
            until: Any = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        filters: dict[str, Any] = {
            "case_id": parse_case_id(case_id) if case_id is not None else None,
            "actor": clean_text(actor, "actor") if actor is not None else None,
            "trigger": self._trigger_filter(trigger),
            "clause": self._clause_filter(clause),
            "outcome": outcome,
            "since": parse_date(since, "since") if since is not None else None,
            "until": parse_date(until, "until") if until is not None else None,
            "limit": limit,
        }
        if outcome is not None and outcome not in (APPLIED, REFUSED):
            raise InvalidInput(f"--outcome: {outcome!r} is not one of {APPLIED}, {REFUSED}")
        return (decode(row) for row in self.store.audit(**filters))

    def _trigger_filter(self, trigger: str | None) -> str | None:
        if trigger is None:
            return None
        if trigger.replace("-", "_") in (*SETUP_TRIGGERS, *RECORD_TRIGGERS):
            return trigger.replace("-", "_")
        return CATALOGUE.trigger(trigger).name

    def _clause_filter(self, clause: str | None) -> str | None:
        clauses = CATALOGUE.clauses
        if clause is None:
            return None
        if clause not in clauses:
            raise InvalidInput(f"--clause: {clause!r} is not one of {', '.join(clauses)}")
        return clause

    def why(self, case_id: Any, trigger: str) -> dict[str, Any]:
        """Each guard of TRIGGER on the case now, with the facts it read and its clause."""
        case = self.show(case_id)
        policy = self.policy_of(case)
        _known_trigger(policy, trigger)
        group, states = self._assumed_group(case)
        explained = self.engine(policy).explain(case, trigger, self.settings(),
                                                group=group, states=states)
        result = {**explained.as_dict(), "policy": policy.key}
        result["clause_words"] = {c: policy.clauses[c].words for c in explained.cited()}
        return result

    def next(self, case_id: Any) -> dict[str, Any]:
        """The triggers that may be fired now, and those blocked with the reason."""
        case = self.show(case_id)
        settings = self.settings()
        group, states = self._assumed_group(case)
        policy = self.policy_of(case)
        ready, blocked = [], []
        for name in policy.applicable(case.state):
            result = self.engine(policy).explain(case, name, settings, group=group,
                                                 states=states)
            entry: dict[str, Any] = {"trigger": name, "target": result.target,
                                     "roles": result.roles, "clauses": result.clauses,
                                     "needs": result.needs}
            if result.ready:
                ready.append(entry)
            else:
                entry["reasons"] = [g.explain() for g in result.blocking(policy)]
                blocked.append(entry)
        return {"case": case.id, "state": case.state, "policy": policy.key, "ready": ready,
                "blocked": blocked}

    def _assumed_group(self, case: Case) -> tuple[dict[int, Any], dict[int, str]]:
        """For why/next on a group trigger: the case and the cases its options name (the
        case it accompanies), together, as if handed over in one group; and the states of
        those already closed, which no group can hold (a guard may tell them apart)."""
        policy = self.policy_of(case)
        group, states = {case.id: case.facts}, {}
        for fact in policy.facts:
            other_id = case.facts.get(fact.name) if fact.kind == "case" else None
            other = self.store.get_case(other_id) if isinstance(other_id, int) else None
            if other is not None:
                group[other.id] = other.facts
                if other.state in policy.terminal:
                    states[other.id] = other.state
        return group, states


def _known_trigger(policy: Policy, name: str) -> None:
    """A trigger named on the command line that the policy lacks is a usage error (exit 2,
    as click gives for a bad choice), with the nearest commands offered."""
    if policy.find(name) is not None:
        return
    import difflib

    commands = [t.command for t in policy.triggers]
    near = difflib.get_close_matches(name.replace("_", "-"), commands, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    raise UsageError(f"unknown trigger {name!r}{hint} (triggers: {', '.join(commands)})")
