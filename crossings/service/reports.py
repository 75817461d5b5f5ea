"""Reports, name lists, handover manifests, timelines and diagrams (issue 6)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from workflow import (
    Case,
    InvalidInput,
    NotFound,
    Policy,
)
from workflow.values import clean_text, parse_date

from ..progress import Progress, quiet

from .core import _case_id
from .queries import Queries


class Reports(Queries):
    """What historians and officers read: timelines, lists, manifests, reports."""

    def timeline(self, case_id: Any) -> dict[str, Any]:
        """A case's history in order, one entry per event, in words (``show --timeline``)."""
        from ..timeline import event

        case = self.show(case_id)
        rows = self.log(case_id=case.id)
        return {"case": self.case_dict(case),
                "events": [event(step, row) for step, row in enumerate(rows, 1)]}

    def diagram(self, fmt: str = "mermaid", case_id: Any = None) -> str | bytes:
        """The policy's diagram; with a case, its path and current state highlighted."""
        from ..diagrams import FORMATS, case_path, render

        if fmt not in FORMATS:
            raise InvalidInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        if case_id is None:
            return render(self.policy, fmt, self.policy.title)
        case = self.show(case_id)
        path = case_path(case.state, self.log(case_id=case.id))
        return render(self.policy, fmt, f"{self.policy.title}: case {case.id}, {case.name}", path)

    def case_ids(self, prefix: str = "", limit: int = 100) -> list[tuple[int, str]]:
        """Case ids beginning with ``prefix``, with names (shell completion)."""
        return self.store.case_ids_like(prefix.strip(), limit)

    def name_list(self, *, referred: bool = False, list_id: str | None = None,
                  progress: Progress = quiet) -> list[dict[str, Any]]:
        """P1's register of names, or with ``referred`` / ``list_id`` the P3 name lists."""
        if not referred and list_id is None:
            cases = progress(self.store.case_rows(), "name list", self.store.count_cases())
            return [_register_entry(case) for case in cases]
        if list_id is not None:
            list_id = clean_text(list_id, "list", blank_ok=False)
        rows = [_referral_entry(row) for row in
                progress(self.store.name_list_rows(list_id), "name list")]
        if list_id is not None and not rows:
            known = sorted({r["list"] for r in self.store.name_list_rows()})
            raise NotFound(f"no name list {list_id!r}; lists: {', '.join(known) or 'none yet'}")
        return rows

    def handovers(self) -> list[dict[str, Any]]:
        """Every handover group: date, crossing point, representative, how many, who."""
        return self.store.handover_groups_summary()

    def handover(self, group_id: Any) -> dict[str, Any]:
        """One group's manifest: its date, crossing point, representative, every person."""
        number = _case_id(group_id, "handover group")
        group = self.store.get_group(number)
        if group is None:
            raise NotFound(f"no handover group {number}")
        people = [{k: row[k] for k in _PERSON} for row in self.store.handover_rows(number)]
        for person in people:
            person["clause"] = "P2" if person["purpose"] == "visiting-relatives" else "P1"
        keys = ("id", "at", "crossing_point", "representative", "officer", "note")
        return {**{k: group[k] for k in keys}, "people": people}

    def report_overdue(self, as_of: Any = None, progress: Progress = quiet) -> list[dict[str, Any]]:
        """P2 visitors past the short period; P3 referrals with no reply past the setting."""
        date = parse_date(as_of, "as-of") if as_of is not None else self.clock().date().isoformat()
        settings = self.settings()
        open_states = [s.name for s in self.policy.states if not s.terminal]
        short, reply = (self.policy.setting(n) for n in ("short_period_days",
                                                          "referral_reply_days"))
        sections = [
            (short.clauses[0], f"visitor not sent back within {settings[short.name]} days",
             lambda: self.store.visitors_past(date, settings[short.name], open_states)),
            (reply.clauses[0], f"no consulate reply {settings[reply.name]} days after referral",
             lambda: self.store.referrals_unanswered(date, settings[reply.name])),
        ]
        return _sections(sections, progress, "overdue report", as_of=date)

    def report_compliance(self, progress: Progress = quiet) -> list[dict[str, Any]]:
        """W3 refusers with no food or clothing; G open guidance requests; W2 complaints."""
        provide, guidance = self.policy.trigger("provide"), self.policy.trigger("request_guidance")
        w3_states = self.policy.sources(provide)
        sections = [
            (provide.clauses[0], "refuser with no food or clothing recorded",
             lambda: [_w3(row) for row in self.store.refusers_without_provision(w3_states)]),
            (guidance.clauses[0], "open guidance request", self.store.open_guidance_requests),
            ("W2", "complaint of rude treatment", self.store.complaints),  # a fact, no trigger
        ]
        return _sections(sections, progress, "compliance report")

    def report_summary(self, by: str = "state") -> list[dict[str, Any]]:
        """Counts by state, crossing place, month of the events, or clause cited."""
        states = self.policy.state_names
        if by == "state":
            return _by_state(self.policy, self.store.count_by_state())
        if by == "place":
            return self.store.count_by_place(states)
        if by == "month":
            return self.store.count_by_month(states)
        if by == "clause":
            return _by_clause(self.store.count_by_clause())
        raise InvalidInput(f"--by: {by!r} is not one of {', '.join(SUMMARIES)}")


SUMMARIES = ("state", "place", "month", "clause")


Section = tuple[str, str, Callable[[], list[dict[str, Any]]]]


def _sections(sections: list[Section], progress: Progress, label: str,
              **extra: Any) -> list[dict[str, Any]]:
    """Run each section's query; one row per finding, with its clause and kind."""
    rows: list[dict[str, Any]] = []
    for clause, kind, query in progress(sections, label, len(sections)):
        for found in query():
            case_id = found.pop("id")
            rows.append({"clause": clause, "kind": kind, "case_id": case_id, **found, **extra})
    return rows


_PERSON = ("position", "case_id", "name", "native_name", "crossed_on", "place", "purpose",
           "accompanies")


def _w3(row: dict[str, Any]) -> dict[str, Any]:
    refusals = row.pop("refusals")  # in place: up to a few hundred thousand rows
    row["detail"] = (f"{refusals} refusal(s), the latest on {row['since']}; "
                     "no food or clothing recorded")
    return row


def _by_state(policy: Policy, counts: Mapping[str, tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"state": s.name, "cases": counts.get(s.name, (0, 0))[0],
             "flagged": counts.get(s.name, (0, 0))[1], "terminal": s.terminal,
             "meaning": s.meaning} for s in policy.states]


def _by_clause(counts: Mapping[str, tuple[int, int, int]]) -> list[dict[str, Any]]:
    from workflow import CLAUSES

    return [{"clause": c, "applied": counts.get(c, (0, 0, 0))[0],
             "refused": counts.get(c, (0, 0, 0))[1], "cases": counts.get(c, (0, 0, 0))[2],
             "summary": CLAUSES[c].summary} for c in CLAUSES]


def _attempts(facts: Mapping[str, Any], until: str | None = None) -> list[dict[str, Any]]:
    return [{"at": a.get("at"), "outcome": a.get("outcome")} for a in facts.get("attempts") or []
            if until is None or str(a.get("at")) <= until]


def _register_entry(case: Case) -> dict[str, Any]:
    facts = case.facts
    keys = ("crossed_on", "place", "citizenship", "purpose", "spouse", "accompanies")
    return {"case_id": case.id, "name": case.name, "native_name": case.native_name,
            **{k: facts.get(k) for k in keys}, "attempts": _attempts(facts), "state": case.state}


def _referral_entry(row: dict[str, Any]) -> dict[str, Any]:
    facts = row.pop("facts")
    row.pop("seq")
    row["attempts"] = _attempts(facts, row["referred_on"])
    row["reply"] = (facts.get("consulate_reply") or {}).get("reply")
    return row
