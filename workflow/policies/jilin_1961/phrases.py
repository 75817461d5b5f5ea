"""The cable's words for what happened: timelines, name lists and handover manifests.

Each function reads a decoded audit row (``workflow.audit.decode``) or a report row and
says it as a historian reads it. The table (``table.py``) attaches the timeline phrases to
their triggers; ``WORDS`` gives the rendering layer the rest.
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow.table import Words

from .facts import MARRIED_TO_KOREAN, OUTCOME

Row = Mapping[str, Any]


def given(row: Row, key: str) -> Any:
    return (row.get("given") or {}).get(key)


def after(row: Row, key: str) -> Any:
    change = (row.get("changes") or {}).get(key)
    return change[1] if change else None


def opened(row: Row) -> str:
    native = f" ({given(row, 'native_name')})" if given(row, "native_name") else ""
    if given(row, "alias"):
        native += f", also known as {', '.join(given(row, 'alias'))}"
    with_whom = (f"; travelling with case {given(row, 'accompanies')}"
                 if given(row, "accompanies") else "")
    return (f"detained and name recorded: {given(row, 'name')}{native}, crossed "
            f"{given(row, 'crossed_on')} at {given(row, 'place')}{with_whom}")


def investigated(row: Row) -> str:
    parts = [f"citizenship {given(row, 'citizenship')}"]
    labels = {"purpose": "purpose", "purpose_note": "purpose in words", "spouse": "spouse",
              "crime": "crime recorded"}
    parts += [f"{label} {given(row, key)}" for key, label in labels.items() if given(row, key)]
    return "situation investigated: " + "; ".join(parts)


def persuaded(row: Row) -> str:
    method = f" ({given(row, 'method')})" if given(row, "method") else ""
    answer = dict(zip(OUTCOME, ("agreed to return", "refused to return")))
    return f"persuasion attempt held{method}: {answer.get(given(row, 'outcome'), '?')}"


def handed_over(row: Row) -> str:
    return (f"handed over with group {row.get('group_id')} at {given(row, 'crossing_point')} "
            f"to the Korean border-defence representative {given(row, 'representative')}")


def referred(row: Row) -> str:
    referral = after(row, "referral") or {}
    return (f"put on name list {referral.get('list')} for the provincial Foreign Affairs "
            f"Office, to be reported to the {referral.get('consulate')}")


def amended(row: Row) -> str:
    field = given(row, "field")
    if field == "complaint":
        return f"complaint of rude treatment recorded: {given(row, 'value')}"
    if field == "alias":
        return (f"another name recorded: {', '.join(given(row, 'value') or [])} because: "
                f"{given(row, 'reason')}")
    old = (row.get("changes") or {}).get(field, [None, None])[0]
    return (f"{field} corrected from {old if old is not None else '(none)'} to "
            f"{given(row, 'value') or '(none)'} because: {given(row, 'reason')}")


# -- name lists and manifests -------------------------------------------------------------

def register_heading(count: int) -> str:
    return f"Names of the border crossers recorded (P1): {count} person(s)"


def list_heading(list_id: str, consulate: str, count: int) -> str:
    return (f"Name list {list_id} (P3), for the provincial Foreign Affairs Office, to be "
            f"reported to the {consulate}: {count} person(s)")


def entry(row: Row) -> list[str]:
    """The details of one person on the register or a name list."""
    parts = [f"crossed {row['crossed_on']} at {row['place']}"]
    if row.get("spouse") == MARRIED_TO_KOREAN:
        parts.append("married to a Chinese citizen of Korean nationality")
    if row.get("accompanies"):
        parts.append(f"travelling with case {row['accompanies']}")
    attempts = ", ".join([f"{a['at']} {a['outcome']}" for a in row["attempts"]]) or "none"
    parts.append(f"persuasion attempts: {attempts}")
    if row.get("referred_on"):
        parts.append(f"referred {row['referred_on']}; reply: {row.get('reply') or 'none yet'}")
    return parts


def manifest_heading(group: Row, count: int) -> str:
    return (f"Handover group {group['id']}, {group['at']}, at {group['crossing_point']}: "
            f"{count} person(s) turned over to the Korean border-defence "
            f"representative {group['representative']} by {group['officer']}")


def manifest_person(p: Row) -> str:
    native = f" ({p['native_name']})" if p.get("native_name") else ""
    extra = f", travelling with case {p['accompanies']}" if p.get("accompanies") else ""
    why = "a visitor sent back" if p["clause"] == "P2" else "returned"
    return (f"{p['position']:>3}. {p['name']}{native}, case {p['case_id']}, crossed "
            f"{p['crossed_on']} at {p['place']}{extra}: {why} ({p['clause']})")


def attempt(number: int, a: Row) -> str:
    method = f", {a['method']}" if a.get("method") else ""
    return f"attempt {number}: {a['at']} by {a['by']}: {a['outcome']}{method}"


def provision(number: int, item: Row) -> str:
    return f"provided {', '.join(item['items'])} on {item['at']} by {item['by']}"


def guidance(number: int, request: Row) -> str:
    return f"guidance {request['id']}: {request['question']} -> {request.get('answer') or '(open)'}"


def complaint(number: int, entry: Row) -> str:
    return f"complaint (W2) {entry['at']}: {entry['text']}"


WORDS = Words(
    register_heading=register_heading,
    list_heading=list_heading,
    entry=entry,
    manifest_heading=manifest_heading,
    manifest_person=manifest_person,
    database="Cases of North Korean border crossers in Changbai County, run through the "
             "cable's clauses, with the audit trail of every step.",
    shown_entries={"attempts": attempt, "provisions": provision, "guidance": guidance,
                   "complaints": complaint},
)


def complained(row: Row) -> str:
    return f"complaint of rude treatment recorded: {given(row, 'complaint')}"
