"""A policy as documents: its table as JSON-ready data, and as Markdown.

``crossings policy`` prints :func:`policy_markdown` or :func:`policy_data`; the README's
policy section is the same Markdown (``scripts/gen_docs`` writes it, a test checks it).
"""

from __future__ import annotations

from typing import Any, Sequence

from workflow import Policy, Trigger
from workflow.policy import EVERY_OPEN_STATE


def _sources(policy: Policy, trigger: Trigger) -> str:
    if trigger.opens:
        return "(new)"
    if trigger.sources == EVERY_OPEN_STATE:
        return "any non-terminal state"
    return ", ".join(policy.sources(trigger))


def policy_data(policy: Policy) -> dict[str, Any]:
    """The policy table as JSON-ready data."""
    return {
        "id": policy.id, "version": policy.version, "title": policy.title,
        "source": policy.source, "roles": list(policy.roles),
        "states": [{"state": s.name, "meaning": s.meaning, "clauses": list(s.clauses),
                    "initial": s.initial, "terminal": s.terminal} for s in policy.states],
        "triggers": [_trigger_data(policy, t) for t in policy.triggers],
        "guards": {name: guard.words for name, guard in policy.guards.items()},
        "clauses": {cid: {"summary": c.summary, "words": c.words}
                    for cid, c in policy.clauses.items()},
        "settings": [{"setting": s.name, "default": s.default, "clauses": list(s.clauses),
                      "meaning": s.help} for s in policy.settings],
    }


def _trigger_data(policy: Policy, trigger: Trigger) -> dict[str, Any]:
    return {
        "trigger": trigger.name, "command": trigger.command,
        "from": _sources(policy, trigger), "to": trigger.dest or "same state (internal)",
        "roles": list(trigger.roles),
        "guards": [{"guard": g.guard, "clauses": list(g.clauses)} for g in trigger.guards],
        "clauses": list(trigger.clauses), "summary": trigger.summary,
        "options": [p.name for p in trigger.params],
    }


def cell(text: Any) -> str:
    """A value as one Markdown table cell: on one line, its pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table's lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + [table_row(row) for row in rows]


def table_row(row: Sequence[Any]) -> str:
    """One row's line of a Markdown table."""
    return "| " + " | ".join(cell(c) for c in row) + " |"


def policy_markdown(policy: Policy) -> str:
    """The policy table in Markdown: states, triggers, guards, clauses, settings, roles."""
    data = policy_data(policy)
    out = [f"Policy `{policy.id}` version {policy.version}: {policy.title}.", "", "### States", ""]
    out += table(["state", "meaning", "clauses", "kind"], [
        [f"`{s['state']}`", s["meaning"], ", ".join(s["clauses"]),
         "initial" if s["initial"] else "terminal" if s["terminal"] else ""]
        for s in data["states"]])
    out += ["", "### Triggers", ""]
    out += table(["trigger", "from → to", "roles", "guards (clauses)", "clauses", "what it does"], [
        [f"`{t['trigger']}`", f"{t['from']} → {t['to']}", ", ".join(t["roles"]),
         "; ".join(f"{g['guard']} ({', '.join(g['clauses'])})" for g in t["guards"]),
         ", ".join(t["clauses"]), t["summary"]] for t in data["triggers"]])
    out += ["", "### Guards", ""]
    out += table(["guard", "holds when"], [[f"`{g}`", w] for g, w in data["guards"].items()])
    out += ["", f"### Clauses ({policy.called}'s words)", ""]
    out += table(["id", f"{policy.called} says"],
                 [[c, v["words"]] for c, v in data["clauses"].items()])
    out += ["", "### Settings", ""]
    out += table(["setting", "default", "clauses", "meaning"], [
        [f"`{s['setting']}`", s["default"], ", ".join(s["clauses"]), s["meaning"]]
        for s in data["settings"]])
    out += ["", "### Roles", "", ", ".join(f"`{r}`" for r in data["roles"]) + ".", "",
            f"Source: {policy.source}"]
    return "\n".join(out) + "\n"
