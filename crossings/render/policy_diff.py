"""``policy list`` and ``policy diff`` in words (the data: ``workflow.compare``)."""

from __future__ import annotations

from typing import Any, Mapping

from workflow import Policy

from .escape import term


def listing(policy: Policy, default: bool) -> dict[str, Any]:
    return {"policy": policy.key, "id": policy.id, "version": policy.version,
            "title": policy.title, "effective": policy.effective, "source": policy.source,
            "readings": policy.readings, "states": len(policy.states),
            "triggers": len(policy.triggers), "default": default}


def _guards(items: list[Mapping[str, Any]], mark: str) -> list[str]:
    return [f"{mark}{g['guard']} ({', '.join(g['clauses'])})" for g in items]


def _shown(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value or "same")


def _trigger_lines(entry: Mapping[str, Any]) -> list[str]:
    note = f": {entry['note']}" if entry.get("note") else ""
    out = [f"{entry['trigger']} {entry['change']}{note}"]
    if entry["change"] != "changed":
        out.append(f"  {', '.join(entry['sources']) or '(new)'} -> {entry['dest'] or 'same'}; "
                   f"roles {', '.join(entry['roles'])}; guards "
                   + ", ".join(_guards(entry["guards"], "")))
        return out
    for key, label in (("sources", "leaves"), ("dest", "enters"), ("roles", "roles"),
                       ("clauses", "clauses"), ("effect", "records (effect)"),
                       ("rejects", "input checks")):
        if key in entry:
            before, after = entry[key]
            out.append(f"  {label}: {_shown(before) or '-'} -> {_shown(after) or '-'}")
    guards = entry.get("guards")
    if guards:
        parts = _guards(guards["added"], "+") + _guards(guards["removed"], "-")
        parts += [f"~{g['guard']} ({', '.join(g['clauses'][0])} -> {', '.join(g['clauses'][1])})"
                  for g in guards["changed"]]
        out.append("  guards: " + "; ".join(parts))
    options = entry.get("options")
    if options:
        parts = [f"+--{n}" for n in options["added"]] + [f"---{n}" for n in options["removed"]]
        parts += [f"~--{n} ({', '.join(what)})" for n, what in options["changed"].items()]
        out.append("  options: " + "; ".join(p.replace("_", "-") for p in parts))
    return out


def diff_lines(data: Mapping[str, Any]) -> list[str]:
    out = [f"{data['from']} -> {data['to']}: {len(data['triggers'])} trigger(s) differ"]
    for entry in data["triggers"]:
        out += _trigger_lines(entry)
    for kind in ("states", "facts", "settings", "clauses", "report sections"):
        found = data.get(kind)
        if found:
            parts = [f"+{n}" for n in found["added"]] + [f"-{n}" for n in found["removed"]]
            out.append(f"{kind}: {', '.join(parts)}")
    out += data.get("notes") or []
    return [term(line) for line in out]
