"""A case's timeline as text: a heading, then one line per event."""

from __future__ import annotations

from typing import Any, Mapping


def lines(timeline: Mapping[str, Any]) -> list[str]:
    """The timeline (``Service.timeline``) as text lines."""
    case = timeline["case"]
    native = f" ({case['native_name']})" if case.get("native_name") else ""
    out = [f"case {case['id']}: {case['name']}{native}, now {case['state']}"]
    for e in timeline["events"]:
        moved = f" -> {e['to_state']}" if e["to_state"] else ""
        clauses = ", ".join(e["clauses"]) or "no clause"
        source = f" (source: {e['source']})" if e.get("source") else ""
        voided = e.get("voided")
        mark = (f" [VOIDED by event {voided['by_seq']}: {voided['reason']}]" if voided else "")
        at = e["at"] or f"(recorded {str(e.get('recorded_at'))[:10]})"
        out.append(f"{e['step']:>3}. {at}  {e['actor']} ({e['role']}): {e['what']} "
                   f"[{clauses}]{moved}{source}{mark}")
    return out
