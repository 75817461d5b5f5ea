"""Docs that cannot drift: the policy table, the CLI reference and the diagram, from code.

``crossings policy`` prints :func:`policy_markdown` or :func:`policy_data`. The README's
generated sections sit between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``
markers; ``scripts/gen_docs`` rewrites them with :func:`render_readme`, and a test fails
when the README differs from what the code would write.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from workflow import CLAUSES, JILIN_1961
from workflow.clauses import SOURCE
from workflow.guards import GUARDS
from workflow.policy import Policy, Trigger

# What each guard checks, in words (the guards' clauses are in the policy table).
GUARD_WORDS = {
    "name_recorded": "the name is not blank",
    "citizenship_determined": "citizenship is determined: dprk, prc-korean-minority or other",
    "is_dprk_citizen": "citizenship is dprk (citizenship other also cites G)",
    "is_korean_minority": "citizenship is prc-korean-minority (other also cites G)",
    "no_crime_recorded": "no crime in China after crossing is recorded",
    "crime_recorded": "a crime in China after crossing is recorded",
    "outcome_given": "the attempt's outcome is given (agreed or refused): a session held",
    "items_given": "the items provided are given (food, clothing)",
    "ready_for_return": "the latest attempt was agreed; or a visitor (P2) with at least one "
                        "attempt; or a minor accompanying a case in the same group that "
                        "qualifies",
    "married_to_chinese_korean": "married to a Chinese citizen of Korean nationality",
    "three_refusals": "at least 3 attempts refused, the latest refused",
    "determined_not_to_return": "at least one attempt refused, the latest refused",
    "crossed_by_cutoff": "the whole crossing date range lies on or before the "
                         "transfer_cutoff setting (default 1960-12-31)",
    "permission_recorded": "the Provincial Committee's permission is recorded",
    "reply_given": "the consulate's reply is given (agreed or declined)",
    "consulate_agreed": "the consulate's reply is recorded as agreed",
    "consulate_declined": "the consulate's reply is recorded as declined",
    "question_given": "a question for the Ministry is given",
    "answer_given": "the Ministry's answer is given",
    "guidance_requested": "an open guidance request exists",
    "correction_given": "the field and the reason of the correction are given (an empty "
                        "value clears an optional fact)",
}


def _missing_words() -> list[str]:
    return sorted(set(GUARDS) - set(GUARD_WORDS))


def _sources(policy: Policy, trigger: Trigger) -> str:
    if trigger.name == "open":
        return "(new)"
    if trigger.sources == "*":
        return "any non-terminal state"
    return ", ".join(policy.sources(trigger))


def policy_data(policy: Policy = JILIN_1961) -> dict[str, Any]:
    """The policy table as JSON-ready data."""
    return {
        "id": policy.id, "version": policy.version, "title": policy.title, "source": SOURCE,
        "roles": list(policy.roles),
        "states": [{"state": s.name, "meaning": s.meaning, "clauses": list(s.clauses),
                    "initial": s.initial, "terminal": s.terminal} for s in policy.states],
        "triggers": [_trigger_data(policy, t) for t in policy.triggers],
        "guards": {name: GUARD_WORDS.get(name, "") for name in GUARDS},
        "clauses": {cid: {"summary": c.summary, "words": c.words} for cid, c in CLAUSES.items()},
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


def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def policy_markdown(policy: Policy = JILIN_1961) -> str:
    """The policy table in Markdown: states, triggers, guards, clauses, settings, roles."""
    data = policy_data(policy)
    out = [f"Policy `{policy.id}` version {policy.version}: {policy.title}.", "", "### States", ""]
    out += _table(["state", "meaning", "clauses", "kind"], [
        [f"`{s['state']}`", s["meaning"], ", ".join(s["clauses"]),
         "initial" if s["initial"] else "terminal" if s["terminal"] else ""]
        for s in data["states"]])
    out += ["", "### Triggers", ""]
    out += _table(["trigger", "from → to", "roles", "guards (clauses)", "clauses", "what it does"], [
        [f"`{t['trigger']}`", f"{t['from']} → {t['to']}", ", ".join(t["roles"]),
         "; ".join(f"{g['guard']} ({', '.join(g['clauses'])})" for g in t["guards"]),
         ", ".join(t["clauses"]), t["summary"]] for t in data["triggers"]])
    out += ["", "### Guards", ""]
    out += _table(["guard", "holds when"], [[f"`{g}`", w] for g, w in data["guards"].items()])
    out += ["", "### Clauses (the cable's words)", ""]
    out += _table(["id", "the cable says"], [[c, v["words"]] for c, v in data["clauses"].items()])
    out += ["", "### Settings", ""]
    out += _table(["setting", "default", "clauses", "meaning"], [
        [f"`{s['setting']}`", s["default"], ", ".join(s["clauses"]), s["meaning"]]
        for s in data["settings"]])
    out += ["", "### Roles", "", ", ".join(f"`{r}`" for r in data["roles"]) + ".", "",
            f"Source: {SOURCE}"]
    return "\n".join(out) + "\n"


# -- the CLI reference -------------------------------------------------------------------

def _commands(group: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    import click

    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def example(help_text: str | None) -> str:
    """The command's example: the text after ``Example:`` in its help."""
    found = re.search(r"Example:\s*(.+)", help_text or "")
    return found.group(1).strip() if found else ""


def _usage(path: str, command: Any) -> str:
    import click

    pieces = command.collect_usage_pieces(click.Context(command, info_name=path))
    return " ".join([path, *pieces])


def _options(command: Any) -> str:
    import click

    flags = [p.opts[0] for p in command.params
             if isinstance(p, click.Option) and p.opts[0] not in ("--help", "-h")]
    return " ".join(f"`{f}`" for f in flags)


def cli_reference() -> str:
    """One row per command: usage, what it does, its options, its example."""
    from .cli import cli

    rows = [[f"`{_usage(path, cmd)}`", cmd.get_short_help_str(limit=200), _options(cmd),
             f"`{example(cmd.help)}`"] for path, cmd in _commands(cli, "crossings")]
    lines = _table(["command", "what it does", "options", "example"], rows)
    return "\n".join(lines) + "\n"


def mermaid_block() -> str:
    from .diagrams import mermaid

    return "```mermaid\n" + mermaid(JILIN_1961, JILIN_1961.title) + "```\n"


SECTIONS: dict[str, Callable[[], str]] = {
    "diagram": mermaid_block,
    "policy": policy_markdown,
    "cli": cli_reference,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end: {name} -->)", re.S)


def _section(text: str, name: str) -> re.Match[str]:
    found = _pattern(name).search(text)
    if found is None:
        raise ValueError(f"README has no <!-- generated: {name} --> ... <!-- end: {name} --> section")
    return found


def render_readme(text: str) -> str:
    """The README with every generated section rewritten from the code."""
    for name, make in SECTIONS.items():
        found = _section(text, name)
        text = text[:found.start(2)] + make() + text[found.end(2):]
    return text


def stale_sections(text: str) -> list[str]:
    """The generated sections whose text differs from what the code writes now."""
    return [name for name, make in SECTIONS.items() if _section(text, name).group(2) != make()]


def main(argv: list[str]) -> int:
    readme = Path(argv[1] if len(argv) > 1 and argv[1] != "--check" else "README.md")
    text = readme.read_text(encoding="utf-8")
    if "--check" in argv:
        stale = stale_sections(text)
        print(f"{readme}: stale sections: {', '.join(stale)}" if stale else f"{readme}: up to date")
        return 1 if stale else 0
    readme.write_text(render_readme(text), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
