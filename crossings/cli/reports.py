"""Commands for name lists, group manifests and reports.

Which lists, groups and report sections exist, and what they are called, comes from the
policy table; the words of each line from the policy's own phrases (``render.lists``).
"""

from __future__ import annotations

from typing import Any, Sequence

import click

from ..render import lists
from .base import (GROUP_TRIGGER, POLICY, db_option, echo_lines, emit, emit_json, output_options,
                   say, service)
from .progress import for_terminal

FORMATS = ("text", "markdown", "csv", "json")
_LIST = POLICY.name_list
_GROUP = GROUP_TRIGGER


def format_option(default: str = "text") -> Any:
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default,
                        show_default=True, help="Plain text, Markdown, CSV or JSON.")


# -- name lists -----------------------------------------------------------------------------

REGISTER = ("case_id", "name", "native_name", *POLICY.register,
            *((_LIST.entries,) if _LIST else ()), "state")
REFERRALS = ("list", _LIST.on, "case_id", "name", "native_name", *_LIST.facts, _LIST.entries,
             _LIST.counted_as, _LIST.to_field, "reply", "state") if _LIST else ()
_LISTED_BY = (f"{_LIST.trigger}, {', '.join(POLICY.trigger(_LIST.trigger).clauses)}"
              if _LIST else "")


@click.command("name-list")
@click.option("--referred", is_flag=True,
              help=f"Only the people put on a name list ({_LISTED_BY}).")
@click.option("--list", "list_id", metavar="ID", help="Only this name list (implies --referred).")
@format_option()
@db_option
def name_list(referred: bool, list_id: str | None, fmt: str, db: str) -> None:
    """List names: every person recorded, or the name lists with --referred.

    Example: crossings name-list --referred --format markdown
    """
    referral = referred or list_id is not None
    columns = REFERRALS if referral else REGISTER
    progress = for_terminal(fmt, streamed=True)
    with service(db, readonly=True) as svc, svc.name_list_stream(
            referred=referred, list_id=list_id, progress=progress) as (heads, rows):
        if not sum(h["count"] for h in heads) and fmt in ("text", "markdown"):
            say("no one is on a name list yet" if referral else "no case recorded yet")
        if fmt in ("json", "csv"):
            return emit(rows, fmt, columns, flat=lists.flat)
        echo_lines(lists.name_lists(POLICY, heads, rows, columns, referral, fmt))


# -- groups ---------------------------------------------------------------------------------

def _group_commands() -> list[click.Command]:
    if _GROUP is None or _GROUP.group is None:
        return []
    view, clauses = _GROUP.group.view, ", ".join(_GROUP.clauses)
    given = [p.name for p in _GROUP.params]
    people = ("position", "case_id", "name", "native_name", *_GROUP.group.facts, "clause")

    @click.command(f"{view}s", help=f"List the {view} groups: date, "
                   f"{', '.join(g.replace('_', ' ') for g in given)}, who ({clauses}).\n\n"
                   f"Example: crossings {view}s --json")
    @db_option
    @output_options()
    def groups(db: str, fmt: str | None) -> None:
        with service(db, readonly=True) as svc:
            rows = svc.groups()
        emit(rows, fmt, ["id", "at", *given, "officer", "people", "names"])

    @click.command(view, help=f"Print one {view} group's manifest: date, "
                   f"{', '.join(g.replace('_', ' ') for g in given)}, every person.\n\n"
                   f"Example: crossings {view} 1 --format markdown")
    @click.argument("group_id", type=int, metavar="GROUP")
    @format_option()
    @db_option
    def group(group_id: int, fmt: str, db: str) -> None:
        with service(db, readonly=True) as svc:
            found = svc.group(group_id)
        if fmt == "json":
            return emit_json(found)
        if fmt == "csv":
            keys = ("id", "at", *given)
            rows = [{**{f"group_{k}" if k == "id" else k: found[k] for k in keys}, **p}
                    for p in found["people"]]
            return emit(rows, "csv", ["group_id", "at", *given, *people], flat=lists.flat)
        echo_lines(lists.manifest(POLICY, found, people, fmt))

    return [groups, group]


# -- reports -------------------------------------------------------------------------------

def _sections_help(report: str) -> str:
    return "; ".join(f"{s.kind.format(days='N')} ({s.clause})"
                     for s in POLICY.sections if s.report == report)


@click.group()
def report() -> None:
    """Reports: overdue cases, compliance, and summary counts.

    Example: crossings report overdue --as-of 1962-01-01
    """


OVERDUE = ("clause", "kind", "case_id", "name", "native_name", "state", "since", "due",
           "days_overdue", "as_of", "detail")
COMPLIANCE = ("clause", "kind", "case_id", "name", "native_name", "state", "since", "detail")


@report.command(help=f"Overdue: {_sections_help('overdue')}.\n\n"
                     "Example: crossings report overdue --as-of 1962-01-01 --csv")
@click.option("--as-of", metavar="DATE", help=(
    "Judge each case as it stood on DATE, from its trail (a case closed late is listed "
    "with the days); default: today, as the cases stand."))
@db_option
@output_options()
def overdue(as_of: str | None, db: str, fmt: str | None) -> None:
    with service(db, readonly=True) as svc:
        rows = svc.report("overdue", as_of, progress=for_terminal(fmt))
    emit(rows, fmt, OVERDUE)
    if not rows and fmt is None:
        say("nothing is overdue")


@report.command(help=f"Compliance: {_sections_help('compliance')}.\n\n"
                     "Example: crossings report compliance --json")
@db_option
@output_options()
def compliance(db: str, fmt: str | None) -> None:
    with service(db, readonly=True) as svc:
        rows = svc.report("compliance", progress=for_terminal(fmt))
    emit(rows, fmt, COMPLIANCE)
    if not rows and fmt is None:
        say("nothing to report: " + "; ".join(f"no {s.kind.format(days='N')}"
                                               for s in POLICY.sections
                                               if s.report == "compliance"))


SUMMARIES = ("state", *POLICY.summaries, "month", "clause")


@report.command()
@click.option("--by", type=click.Choice(SUMMARIES), default="state", show_default=True,
              help="What to count by.")
@db_option
@output_options()
def summary(by: str, db: str, fmt: str | None) -> None:
    """Count cases by state or a fact, events by month or by clause cited.

    Example: crossings report summary --by month
    """
    with service(db, readonly=True) as svc:
        rows = svc.report_summary(by)
    columns = list(rows[0]) if rows else [by]
    if fmt is None and rows:
        rows = [*rows, _total(rows, columns)]
    emit(rows, fmt, columns)


def _total(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, Any]:
    numeric = [c for c in columns[1:] if all(type(r.get(c)) is int for r in rows)]
    return {columns[0]: "total", **{c: sum(r[c] for r in rows) for c in numeric}}


COMMANDS = [name_list, *_group_commands(), report]
