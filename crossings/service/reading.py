"""What a reader of the file asks: the documents cited, one case as a dossier, and the
dates of a case (or of every case) for a picture.

Data, not presentation: ``render.dossier`` and ``render.chronology`` lay these out. Every
word about a fact, a state or a clause comes from the policy the case is handled under.
"""

from __future__ import annotations

from typing import Any, Iterator

from workflow import Case, Policy
from workflow.policy import Param

from .reports import Reports
from .trail import Trail

NAME_KINDS = ("name",)  # a fact of one of these kinds is a name of the person


class Reading(Reports, Trail):
    """Sources, dossiers and the dates behind timeline pictures."""

    def sources(self) -> Iterator[dict[str, Any]]:
        """Every document cited, with the events that rest on it (``crossings sources``)."""
        return self.store.sources()

    def dossier(self, case_id: Any, *, verify: bool = True) -> dict[str, Any]:
        """One case as a reader cites it: names, facts, state, the policy, every event in
        words with the clauses at hand, and (``verify``) what verify says of the file."""
        case = self.show(case_id)
        policy = self.policy_of(case)
        events = self.case_events(case)
        cited = list(dict.fromkeys(c for e in events for c in e["clauses"]))
        state = policy.state(case.state)
        return {
            "case": self.case_dict(case),
            "policy": {"key": policy.key, "title": policy.title, "source": policy.source,
                       "called": policy.called},
            "state": {"name": state.name, "meaning": state.meaning, "terminal": state.terminal},
            "names": _names(policy, case),
            "facts": _facts(policy, case),
            "events": events,
            "clauses": {c: {"summary": policy.clauses[c].summary, "words": policy.clauses[c].words}
                        for c in cited if c in policy.clauses},
            "verify": self._verified(case.id) if verify else None,
        }

    def _verified(self, case_id: int) -> dict[str, Any]:
        """verify over the whole file (a case's rows are links of one chain: the case is
        sound only if the file is), with the problems that name this case."""
        report = self.verify()
        mine = [p for p in report.problems if p.get("case") == case_id]
        return {"scope": "file", "database": report.database, "ok": report.ok,
                "rows": report.rows, "cases": report.cases, "head": report.head,
                "problem_count": report.problem_count, "case_problems": mine}

    def chronology(self, case_id: Any = None) -> dict[str, Any]:
        """The dates for a picture: one case's events (CASE), or every case's span from
        its first to its last event."""
        if case_id is None:
            return {"case": None, "spans": list(self.store.case_spans())}
        case = self.show(case_id)
        return {"case": self.case_dict(case), "events": self.case_events(case)}


def _is_name(param: Param) -> bool:
    return param.kind in NAME_KINDS


def _names(policy: Policy, case: Case) -> list[dict[str, Any]]:
    """Every name fact with a value: its help, and its values (a list fact, one each)."""
    out = []
    for param in (p for p in policy.facts if _is_name(p)):
        value = case.facts.get(param.name)
        values = [str(v) for v in value] if isinstance(value, (list, tuple)) else \
            ([str(value)] if value not in (None, "") else [])
        if values:
            out.append({"fact": param.name, "help": param.help, "values": values})
    return out


def _facts(policy: Policy, case: Case) -> list[dict[str, Any]]:
    """The other facts with a value, each with the policy's words for it."""
    words = {p.name: p.help for p in policy.facts}
    words.update({d.name: d.help for d in policy.derived})
    names = {p.name for p in policy.facts if _is_name(p)}
    return [{"fact": k, "help": words.get(k, ""), "value": v} for k, v in case.facts.items()
            if k not in names and v not in (None, "", [], {})]
