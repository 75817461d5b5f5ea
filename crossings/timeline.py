"""A case's history in words a historian reads: one sentence per audit event.

:func:`event` turns a decoded audit row (``workflow.audit.decode``) into a timeline entry;
:func:`describe` says what happened, from what the event was given and what it changed.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

Row = Mapping[str, Any]


def _given(row: Row, key: str) -> Any:
    return (row.get("given") or {}).get(key)


def _after(row: Row, key: str) -> Any:
    change = (row.get("changes") or {}).get(key)
    return change[1] if change else None


def _opened(row: Row) -> str:
    native = f" ({_given(row, 'native_name')})" if _given(row, "native_name") else ""
    with_whom = (f"; travelling with case {_given(row, 'accompanies')}"
                 if _given(row, "accompanies") else "")
    return (f"detained and name recorded: {_given(row, 'name')}{native}, crossed "
            f"{_given(row, 'crossed_on')} at {_given(row, 'place')}{with_whom}")


def _investigated(row: Row) -> str:
    parts = [f"citizenship {_given(row, 'citizenship')}"]
    labels = {"purpose": "purpose", "purpose_note": "purpose in words", "spouse": "spouse",
              "crime": "crime recorded"}
    parts += [f"{label} {_given(row, key)}" for key, label in labels.items() if _given(row, key)]
    return "situation investigated: " + "; ".join(parts)


def _persuaded(row: Row) -> str:
    method = f" ({_given(row, 'method')})" if _given(row, "method") else ""
    answer = {"agreed": "agreed to return", "refused": "refused to return"}
    return f"persuasion attempt held{method}: {answer.get(_given(row, 'outcome'), '?')}"


def _handed_over(row: Row) -> str:
    return (f"handed over with group {row.get('group_id')} at {_given(row, 'crossing_point')} "
            f"to the Korean border-defence representative {_given(row, 'representative')}")


def _referred(row: Row) -> str:
    referral = _after(row, "referral") or {}
    return (f"put on name list {referral.get('list')} for the provincial Foreign Affairs "
            f"Office, to be reported to the {referral.get('consulate')}")


def _amended(row: Row) -> str:
    field = _given(row, "field")
    if field == "complaint":
        return f"complaint of rude treatment recorded: {_given(row, 'value')}"
    old = (row.get("changes") or {}).get(field, [None, None])[0]
    return (f"{field} corrected from {old if old is not None else '(none)'} to "
            f"{_given(row, 'value') or '(none)'} because: {_given(row, 'reason')}")


PHRASES: dict[str, Callable[[Row], str]] = {
    "open": _opened,
    "investigate": _investigated,
    "restore_citizenship": lambda r: "educated, and Chinese citizenship restored",
    "begin_persuasion": lambda r: "persuasion through education begun",
    "persuade": _persuaded,
    "provide": lambda r: "provided " + " and ".join(_given(r, "items") or []),
    "hand_over": _handed_over,
    "refer": _referred,
    "consulate_reply": lambda r: f"the Consulate General replied: {_given(r, 'reply')}",
    "grant_residency": lambda r: "Korea agreed: to be handled as a foreign resident",
    "resume_persuasion": lambda r: ("the consulate declined: persuasion resumed, and Ministry "
                                    "guidance requested"),
    "approve_transfer": lambda r: "the Provincial Party Committee permitted the transfer",
    "transfer": lambda r: ("transferred to the Public Security Department and the Foreign "
                           "Affairs Department"),
    "prosecute": lambda r: "handed over to the law on foreign citizens' crimes in China",
    "request_guidance": lambda r: f"Ministry guidance requested: {_given(r, 'question')}",
    "record_guidance": lambda r: f"Ministry guidance recorded: {_given(r, 'answer')}",
    "amend": _amended,
}

ASKED = {
    "open": "detention", "investigate": "investigation", "persuade": "a persuasion attempt",
    "provide": "provision of food or clothing", "hand_over": "handover to Korea",
    "refer": "the P3 name list", "consulate_reply": "the consulate's reply",
    "grant_residency": "residency", "resume_persuasion": "resuming persuasion",
    "approve_transfer": "permission to transfer", "transfer": "transfer",
    "prosecute": "prosecution", "restore_citizenship": "restoring citizenship",
    "begin_persuasion": "beginning persuasion", "request_guidance": "a guidance request",
    "record_guidance": "recording guidance", "amend": "a correction",
}


def describe(row: Row) -> str:
    """What happened, in words; a refusal says what was asked and why it was refused."""
    trigger = str(row.get("trigger"))
    if row.get("outcome") == "refused":
        asked = ASKED.get(trigger, trigger.replace("_", " "))
        return f"REFUSED {asked} ({trigger}): {row.get('reason')}"
    phrase = PHRASES.get(trigger)
    text = phrase(row) if phrase else trigger.replace("_", " ")
    note = _given(row, "note")
    return f"{text}; note: {note}" if note else text


def event(step: int, row: Row) -> dict[str, Any]:
    """One timeline entry: its own date, who, what happened, the clauses, the state."""
    moved = row.get("source") != row.get("target") and row.get("outcome") == "applied"
    return {
        "step": step,
        "seq": row.get("seq"),
        "at": row.get("at"),
        "actor": row.get("actor"),
        "role": row.get("role"),
        "trigger": row.get("trigger"),
        "outcome": row.get("outcome"),
        "what": describe(row),
        "clauses": list(row.get("clauses") or []),
        "from_state": row.get("source"),
        "to_state": row.get("target") if moved else None,
        "recorded_at": row.get("recorded_at"),
    }


def lines(timeline: Mapping[str, Any]) -> list[str]:
    """The timeline as text: a heading, then one line per event."""
    case = timeline["case"]
    native = f" ({case['native_name']})" if case.get("native_name") else ""
    out = [f"case {case['id']}: {case['name']}{native}, now {case['state']}"]
    for e in timeline["events"]:
        moved = f" -> {e['to_state']}" if e["to_state"] else ""
        clauses = ", ".join(e["clauses"]) or "no clause"
        out.append(f"{e['step']:>3}. {e['at']}  {e['actor']} ({e['role']}): {e['what']} "
                   f"[{clauses}]{moved}")
    return out
