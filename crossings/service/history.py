"""A case's history in words a historian reads: one entry per audit event.

:func:`event` turns a decoded audit row (``workflow.audit.decode``) into a timeline entry;
:func:`describe` says what happened, in the policy's own words (each trigger's phrase).
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow import Policy
from workflow.audit import MIGRATE, VOID
from workflow.engine import APPLIED, REFUSED

Row = Mapping[str, Any]


def describe(policy: Policy, row: Row) -> str:
    """What happened, in words; a refusal says what was asked and why it was refused."""
    name = str(row.get("trigger"))
    given = row.get("given") or {}
    if name == VOID:
        return f"VOID of event {given.get('seq')}, entered in error: {given.get('reason')}"
    if name == MIGRATE:
        return f"moved from policy {given.get('from')} to {given.get('to')}"
    trigger = policy.find(name)  # None: a set-up row, or a trigger of another policy
    if row.get("outcome") == REFUSED:
        asked = trigger.asked if trigger is not None else name.replace("_", " ")
        return f"REFUSED {asked} ({name}): {row.get('reason')}"
    phrase = trigger.phrase if trigger is not None else None
    text = phrase(row) if phrase else name.replace("_", " ")
    note = (row.get("given") or {}).get("note")
    return f"{text}; note: {note}" if note else text


def event(policy: Policy, step: int, row: Row) -> dict[str, Any]:
    """One timeline entry: its own date, who, what happened, the clauses, the state."""
    moved = row.get("from_state") != row.get("to_state") and row.get("outcome") == APPLIED
    return {
        "step": step,
        "seq": row.get("seq"),
        "at": row.get("at"),
        "actor": row.get("actor"),
        "role": row.get("role"),
        "trigger": row.get("trigger"),
        "outcome": row.get("outcome"),
        "what": describe(policy, row),
        "clauses": list(row.get("clauses") or []),
        "source": (row.get("given") or {}).get("source"),
        "from_state": row.get("from_state"),
        "to_state": row.get("to_state") if moved else None,
        "recorded_at": row.get("recorded_at"),
    }
