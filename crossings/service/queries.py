"""Reading cases and the trail: show, list, log, why, next."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from workflow import (
    Case,
    InvalidInput,
)
from workflow.audit import SETUP_TRIGGERS, decode
from workflow.values import clean_text, parse_date


from .core import ServiceCore, _case_id


class Queries(ServiceCore):
    """Read-only questions about cases, the trail and what the policy allows now."""

    def show(self, case_id: Any) -> Case:
        return self._load(_case_id(case_id))

    def case_dict(self, case: Case) -> dict[str, Any]:
        return case.as_dict(f"{self.policy.id}@{self.policy.version}")

    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        if state is not None:
            self.policy.state(state)
        return self.store.cases(state, after, limit)

    def log(self, *, case_id: Any = None, actor: str | None = None, trigger: str | None = None,
            clause: str | None = None, outcome: str | None = None, since: Any = None,
            until: Any = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        filters: dict[str, Any] = {
            "case_id": _case_id(case_id) if case_id is not None else None,
            "actor": clean_text(actor, "actor") if actor is not None else None,
            "trigger": self._trigger_filter(trigger),
            "clause": self._clause_filter(clause),
            "outcome": outcome,
            "since": parse_date(since, "since") if since is not None else None,
            "until": parse_date(until, "until") if until is not None else None,
            "limit": limit,
        }
        if outcome is not None and outcome not in ("applied", "refused"):
            raise InvalidInput(f"--outcome: {outcome!r} is not one of applied, refused")
        return (decode(row) for row in self.store.audit(**filters))

    def _trigger_filter(self, trigger: str | None) -> str | None:
        if trigger is None:
            return None
        if trigger.replace("-", "_") in SETUP_TRIGGERS:
            return trigger.replace("-", "_")
        return self.policy.trigger(trigger).name

    def _clause_filter(self, clause: str | None) -> str | None:
        from workflow import CLAUSES

        if clause is None:
            return None
        if clause not in CLAUSES:
            raise InvalidInput(f"--clause: {clause!r} is not one of {', '.join(CLAUSES)}")
        return clause

    def why(self, case_id: Any, trigger: str) -> dict[str, Any]:
        """Each guard of TRIGGER on the case now, with the facts it read and its clause."""
        from workflow import CLAUSES

        case = self.show(case_id)
        result = self.engine.explain(case, trigger, self.settings(),
                                     group=self._assumed_group(case))
        result["clause_words"] = {c: CLAUSES[c].words for c in _cited(result)}
        return result

    def next(self, case_id: Any) -> dict[str, Any]:
        """The triggers that may be fired now, and those blocked with the reason."""
        case = self.show(case_id)
        settings = self.settings()
        group = self._assumed_group(case)
        ready, blocked = [], []
        for name in self.policy.applicable(case.state):
            result = self.engine.explain(case, name, settings, group=group)
            entry = {"trigger": name, "target": result["target"], "roles": result["roles"],
                     "clauses": result["clauses"], "needs": result["needs"]}
            if result["ready"]:
                ready.append(entry)
            else:
                failed = [g for g in result["guards"] if not g["passed"]
                          and g["guard"] not in _input_guards()]
                entry["reasons"] = [f"{g['reason']} ({', '.join(g['clauses'])})" for g in failed]
                blocked.append(entry)
        return {"case": case.id, "state": case.state, "ready": ready, "blocked": blocked}

    def _assumed_group(self, case: Case) -> dict[int, Any]:
        """For why/next on hand_over: the case and the case it accompanies, together."""
        group = {case.id: case.facts}
        parent = case.facts.get("accompanies")
        if parent is not None:
            other = self.store.get_case(parent)
            if other is not None:
                group[other.id] = other.facts
        return group


def _input_guards() -> dict[str, str]:
    from workflow.engine import INPUT_GUARDS

    return INPUT_GUARDS


def _cited(result: Mapping[str, Any]) -> list[str]:
    out = list(result["clauses"])
    for guard in result["guards"]:
        out += [c for c in guard["clauses"] if c not in out]
    return out
