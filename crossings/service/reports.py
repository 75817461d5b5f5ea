"""Reports, name lists, group manifests and timelines: data, not presentation.

Each report is the policy's sections (``workflow.queries``) for that report, answered by
the store; what a section is called and which clause it serves come from the policy.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from workflow import Case, InvalidInput, NotFound, Policy, StoreError
from workflow.queries import Late, Section
from workflow.values import clean_text, parse_case_id, parse_date

from workflow import policies
from workflow.audit import VOID
from workflow.engine import APPLIED

from .history import event
from .progress import Progress, quiet
from .as_of import AsOf
from .queries import Queries

SUMMARIES = ("state", "month", "clause")  # and each fact the policy counts by
# A name list as it streams: its heads (list, addressee, count), then its people's rows.
NameLists = tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]


class Reports(Queries, AsOf):
    """What historians and officers read: timelines, lists, manifests, reports."""

    def timeline(self, case_id: Any) -> dict[str, Any]:
        """A case's history in order, one entry per event, in words (``show --timeline``)."""
        case = self.show(case_id)
        return {"case": self.case_dict(case), "events": self.case_events(case)}

    def case_events(self, case: Case) -> list[dict[str, Any]]:
        """The case's timeline entries, each in the words of the policy its row was
        decided under, a voided one marked (``voided``: the void row's seq, reason, date)."""
        rows = list(self.log(case_id=case.id))
        voids = {r["given"].get("seq"): {"by_seq": r["seq"], "reason": r["given"].get("reason"),
                                         "at": r["recorded_at"], "by": r["actor"]}
                 for r in rows if r["trigger"] == VOID and r["outcome"] == APPLIED}
        policy = self.policy_of(case)
        events = [event(policies.get(f"{r['policy']}@{r['policy_version']}")
                        if f"{r['policy']}@{r['policy_version']}" in policies.POLICIES
                        else policy, step, r) for step, r in enumerate(rows, 1)]
        for entry in events:
            entry["voided"] = voids.get(entry["seq"])
        return events

    def case_ids(self, prefix: str = "", limit: int = 100) -> list[tuple[int, str]]:
        """Case ids beginning with ``prefix``, with names (shell completion)."""
        return self.store.case_ids_like(prefix.strip(), limit)

    def name_list(self, *, referred: bool = False, list_id: str | None = None,
                  progress: Progress = quiet) -> list[dict[str, Any]]:
        """Every person recorded, or with ``referred`` / ``list_id`` the people on the
        policy's name lists."""
        with self.name_list_stream(referred=referred, list_id=list_id,
                                   progress=progress) as (_, rows):
            return list(rows)

    @contextmanager
    def name_list_stream(self, *, referred: bool = False, list_id: str | None = None,
                         progress: Progress = quiet) -> Iterator[NameLists]:
        """:meth:`name_list` as it streams, inside one snapshot of the store: the heads
        (each list, its addressee and how many people, in order; the register: one head
        with the count of cases), then its rows, list after list. 800,000 people listed
        in one list held 2.3 GB and spent a quarter of the time in the collector."""
        policy = self.policy  # read once: each read asks the store for its setting
        if list_id is not None:
            list_id = clean_text(list_id, "list", blank_ok=False)
        with self.store.read():
            if not referred and list_id is None:
                count = self.store.count_cases()
                cases = progress(self.store.case_rows(), "name list", count)
                yield [{"count": count}], (_register_entry(policy, case) for case in cases)
                return
            heads = self.store.name_list_sizes(list_id)
            if list_id is not None and not heads:
                known = [h["list"] for h in self.store.name_list_sizes()]
                raise NotFound(f"no name list {list_id!r}; lists: "
                               f"{', '.join(known) or 'none yet'}")
            rows = progress(self.store.name_list_rows(list_id), "name list",
                            sum(h["count"] for h in heads))
            yield heads, (_list_entry(policy, row) for row in rows)

    def groups(self) -> list[dict[str, Any]]:
        """Every group of the group trigger: date, its options, who, how many, who."""
        return self.store.group_summaries()

    def group(self, group_id: Any) -> dict[str, Any]:
        """One group's manifest: its date, options, officer, and every person in it."""
        trigger = next(t for t in self.policy.triggers if t.group is not None)
        assert trigger.group is not None
        number = parse_case_id(group_id, f"{trigger.group.view} group")
        group = self.store.get_group(number)
        if group is None:
            raise NotFound(f"no {trigger.group.view} group {number}")
        people = [{k: row[k] for k in ("position", "case_id", "name", "native_name",
                                       *trigger.group.facts)}
                  for row in self.store.group_members(number)]
        for person in people:
            person["clause"] = trigger.group.member_clause(person)
        return {**{k: v for k, v in group.items() if k != "case_ids"}, "people": people}

    def report(self, name: str, as_of: Any = None,
               progress: Progress = quiet) -> list[dict[str, Any]]:
        """One report (``overdue``, ``compliance``): a row per finding of its sections."""
        sections = [s for s in self.policy.sections if s.report == name]
        date = parse_date(as_of, "as-of") if as_of is not None else self.clock().date().isoformat()
        settings = self.settings()
        rows: list[dict[str, Any]] = []
        if as_of is not None and name == "overdue":  # the past as it stood, from the trail
            for section, found in self.as_it_stood(sections, date, settings):
                days = settings[section.query.days] if isinstance(section.query, Late) else None
                rows += _findings(section, [found], days, date)
            return rows
        for section in progress(sections, f"{name} report", len(sections)):
            days = settings[section.query.days] if isinstance(section.query, Late) else None
            listed = self.store.section_rows(section, date, days, self.policy.open_states)
            rows += _findings(section, listed, days, date if days is not None else None)
        return rows

    def report_overdue(self, as_of: Any = None, progress: Progress = quiet) -> list[dict[str, Any]]:
        return self.report("overdue", as_of, progress)

    def report_compliance(self, progress: Progress = quiet) -> list[dict[str, Any]]:
        return self.report("compliance", None, progress)

    def summaries(self) -> tuple[str, ...]:
        """What ``report_summary`` counts by."""
        return (SUMMARIES[0], *self.policy.summaries, *SUMMARIES[1:])

    def report_summary(self, by: str = "state") -> list[dict[str, Any]]:
        """Counts by state, by a fact the policy names, by month of the events, by clause."""
        states = self.policy.state_names
        if by == "state":
            return self._by_state(self.store.count_by_state())
        if by in self.policy.summaries:
            return self.store.count_by_fact(by, states)
        if by == "month":
            return self.store.count_by_month(states)
        if by == "clause":
            return self._by_clause(self.store.count_by_clause())
        raise InvalidInput(f"--by: {by!r} is not one of {', '.join(self.summaries())}")

    # -- rows ------------------------------------------------------------------------------

    def _by_state(self, counts: Mapping[str, tuple[int, int]]) -> list[dict[str, Any]]:
        return [{"state": s.name, "cases": counts.get(s.name, (0, 0))[0],
                 "flagged": counts.get(s.name, (0, 0))[1], "terminal": s.terminal,
                 "meaning": s.meaning} for s in self.policy.states]

    def _by_clause(self, counts: Mapping[str, tuple[int, int, int]]) -> list[dict[str, Any]]:
        return [{"clause": c, "applied": counts.get(c, (0, 0, 0))[0],
                 "refused": counts.get(c, (0, 0, 0))[1], "cases": counts.get(c, (0, 0, 0))[2],
                 "summary": clause.summary} for c, clause in self.policy.clauses.items()]


def _entries(policy: Policy, facts: Mapping[str, Any],
             until: str | None = None) -> list[dict[str, Any]]:
    spec = policy.name_list
    if spec is None:
        return []
    field = spec.counted[0]
    entries = facts.get(spec.entries) or []
    if type(entries) is not list or not {dict}.issuperset(map(type, entries)):
        raise StoreError(f"the database is damaged: a case's {spec.entries} is not a list "
                         "of entries (run crossings verify)")
    if until is not None:
        entries = _until(entries, str(until))
    return [{"at": a.get("at"), field: a.get(field)} for a in entries]


def _until(entries: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """The entries dated on or before DAY: every entry's date text is the rule, compared
    as it is (800,000 people on a list, about 1 us each); else each date as its text."""
    try:
        return [a for a in entries if a["at"] <= day]
    except (KeyError, TypeError):
        return [a for a in entries if str(a.get("at")) <= day]


def _register_entry(policy: Policy, case: Case) -> dict[str, Any]:
    facts = case.facts
    entries = policy.name_list.entries if policy.name_list else "entries"
    return {"case_id": case.id, "name": case.name, "native_name": case.native_name,
            **{k: facts.get(k) for k in policy.register}, entries: _entries(policy, facts),
            "state": case.state}


def _list_entry(policy: Policy, row: dict[str, Any]) -> dict[str, Any]:
    spec = policy.name_list
    assert spec is not None
    facts = row.pop("facts")
    row.pop("seq")
    row[spec.entries] = _entries(policy, facts, row[spec.on])
    reply = facts.get(spec.reply) or {}
    if type(reply) is not dict:
        raise StoreError(f"the database is damaged: a case's {spec.reply} is not a record "
                         "(run crossings verify)")
    row["reply"] = reply.get("reply")
    return row


def _findings(section: Section, found: list[dict[str, Any]], days: int | None,
              as_of: str | None) -> list[dict[str, Any]]:
    """The rows of one report section: its clause and words, the case, what was found
    (up to a few hundred thousand rows: the section's words are written once)."""
    head = {"clause": section.clause, "kind": section.kind.format(days=days)}
    detail = section.detail.format
    rows = []
    for finding in found:
        case_id = finding.pop("id")
        if "count" in finding:  # in place
            finding["detail"] = detail(count=finding.pop("count"), since=finding["since"])
        row = {**head, "case_id": case_id, **finding}
        if as_of is not None:
            row["as_of"] = as_of
        rows.append(row)
    return rows
