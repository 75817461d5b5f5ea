"""Reports that judge the past as it stood (docs/policy.md, "Reports judge the past as it
stood"): each case rebuilt from its own trail as of a day, not read as it stands today.

``report overdue --as-of D``: a case matching a Late section on D (its facts and state as
its rows dated on or before D left them) and more than the setting's days past its date
is overdue on D; one that left the section's states after it was due is listed with the
section's ``closed_late`` words and the days. A case with a void is re-derived without
the voided events (``crossings.trail.rederive``); the others from their rows' changes.
One case is held at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from itertools import groupby
from operator import itemgetter
from typing import Any, Iterator, Mapping, Sequence

from workflow import StoreError, policies
from workflow.audit import VOID
from workflow.engine import APPLIED
from workflow.queries import Late, Section

from .base import ServiceBase


def _path(facts: Mapping[str, Any], dotted: str) -> Any:
    value: Any = facts
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _changes(row: Mapping[str, Any]) -> dict[str, Any]:
    try:
        changes = json.loads(row["changes"])
    except (TypeError, ValueError):
        raise StoreError(f"event {row['seq']}'s changes cannot be read: run crossings "
                         "verify") from None
    return changes if isinstance(changes, dict) else {}


def _days(later: str, earlier: str) -> int:
    return (dt.date.fromisoformat(later[:10]) - dt.date.fromisoformat(earlier[:10])).days


class AsOf(ServiceBase):
    """The overdue report as the trail stood on a day."""

    def _stood(self, case_id: int, rows: list[dict[str, Any]], date: str
               ) -> tuple[str | None, dict[str, Any], str | None]:
        """The case's state and facts as its rows dated on or before DATE leave them, and
        the date it entered a terminal state (if it had by then)."""
        kept = [r for r in rows if r["at"] is None or str(r["at"]) <= date]
        if any(r["trigger"] == VOID for r in kept):
            from ..trail.rederive import Rederiver
            from ..trail.registry import Registry

            registry = Registry(self._defaults)
            registry.read(self.store.audit_stream(order="setup"), lambda *a: None)
            key = f"{kept[-1]['policy']}@{kept[-1]['policy_version']}"
            run = Rederiver(self.store, policies.get(key), registry.settings_at).case(
                case_id, [r for r in kept if r["at"] is not None or r["trigger"] == VOID],
                refusals_stand=True)
            closed = None  # re-derived: the day of closing is its last applied request's
            if run.candidate_state in policies.CATALOGUE.terminal:
                closed = max((str(r["at"]) for r in kept if r["at"] and r["outcome"] == APPLIED),
                             default=None)
            return run.candidate_state, run.candidate_facts, closed
        state, facts, closed = None, {}, None
        terminal = policies.CATALOGUE.terminal
        for row in kept:
            if row["outcome"] != APPLIED:
                continue
            for key, change in _changes(row).items():
                facts[key] = change[1]
            if row["to_state"] in terminal and state not in terminal:
                closed = row["at"]
            state = row["to_state"]
        return state, facts, closed

    def as_it_stood(self, sections: Sequence[Section], date: str,
                    settings: Mapping[str, Any]) -> Iterator[tuple[Section, dict[str, Any]]]:
        lates = [s for s in sections if isinstance(s.query, Late)]
        open_states = policies.CATALOGUE.open_states
        stream = self.store.audit_stream(order="case")
        for case_id, grouped in groupby(stream, key=itemgetter("case_id")):
            rows = list(grouped)
            state, facts, closed = self._stood(case_id, rows, date)
            if state is None:
                continue  # not yet opened on that day
            for section in lates:
                found = _finding(section, facts, state, closed, date, settings, open_states)
                if found is not None:
                    yield section, {"id": case_id, "name": facts.get("name"),
                                    "native_name": facts.get("native_name"), **found}


def _finding(section: Section, facts: Mapping[str, Any], state: str, closed: str | None,
             date: str, settings: Mapping[str, Any],
             open_states: Sequence[str]) -> dict[str, Any] | None:
    query = section.query
    assert isinstance(query, Late)
    where = query.where
    if any(_path(facts, p) != v for p, v in where.equals) or \
            any(_path(facts, p) is not None for p in where.unset):
        return None
    since = _path(facts, query.since)
    if not isinstance(since, str):
        return None
    days = int(settings[query.days])
    due = (dt.date.fromisoformat(since[:10]) + dt.timedelta(days=days)).isoformat()
    states = where.states or open_states
    if state in states and _days(date, since) > days:
        return {"state": state, "since": since, "due": due,
                "days_overdue": _days(date, since) - days}
    if query.closed_late and state not in states and closed and _days(closed, since) > days:
        return {"state": state, "since": since, "due": due,
                "days_overdue": _days(closed, since) - days,
                "detail": f"{query.closed_late}: {state} on {closed}, "
                          f"{_days(closed, since) - days} day(s) after it was due"}
    return None
