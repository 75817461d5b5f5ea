"""Commands for diagrams, name lists, handover manifests, reports and browsing (issue 6).

Registered on ``cli`` when ``crossings.cli`` imports this module. Heavy libraries
(transitions' diagrams, graphviz, Datasette) are imported inside the commands that use
them, never here: every command's start-up pays for what is imported at this level.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

import click

from .cli import _service, cli, db_option, output_options
from .completion import CASE_ID
from .progress import for_terminal
from .tables import emit, emit_csv, emit_json

FORMATS = ("text", "markdown", "csv", "json")


def format_option(default: str = "text") -> Any:
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default,
                        show_default=True, help="Plain text, Markdown, CSV or JSON.")


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_flat(v) for v in value)
    if isinstance(value, dict) and {"at", "outcome"} <= set(value):
        return f"{value['at']} {value['outcome']}"
    return str(value)


def _markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[str]:
    from .docs import _table

    return _table(list(columns), [[_flat(row.get(c)) for c in columns] for row in rows])


# -- diagram -------------------------------------------------------------------------------

@cli.command()
@click.option("--format", "fmt", type=click.Choice(("mermaid", "dot", "svg", "png")),
              default="mermaid", show_default=True,
              help="Mermaid or DOT text, or an SVG or PNG image (these need Graphviz).")
@click.option("--case", "case_id", type=CASE_ID, metavar="CASE",
              help="Highlight this case's path and current state.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write to FILE instead of stdout.")
@db_option
def diagram(fmt: str, case_id: int | None, output: str | None, db: str) -> None:
    """Draw the procedure: states, and edges labelled with triggers and clauses.

    Example: crossings diagram --case 3 --format svg --output case3.svg
    """
    if case_id is None:
        from workflow import JILIN_1961

        from .diagrams import render

        drawn = render(JILIN_1961, fmt, JILIN_1961.title)
    else:
        with _service(db) as service:
            drawn = service.diagram(fmt, case_id)
    data = drawn.encode("utf-8") if isinstance(drawn, str) else drawn
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"wrote {fmt} diagram to {output}", err=True)
        return
    if fmt == "png" and sys.stdout.isatty():
        raise click.UsageError("a PNG is not for a terminal: give --output FILE or redirect")
    click.echo(data, nl=False)  # bytes: click writes them to the binary stream


# -- name lists and handovers ------------------------------------------------------------

REGISTER = ("case_id", "name", "native_name", "crossed_on", "place", "citizenship", "purpose",
            "spouse", "accompanies", "attempts", "state")
REFERRALS = ("list", "referred_on", "case_id", "name", "native_name", "crossed_on", "place",
             "spouse", "attempts", "refusals", "consulate", "reply", "state")


@cli.command("name-list")
@click.option("--referred", is_flag=True,
              help="Only the people put on a P3 name list (for the Consulate General).")
@click.option("--list", "list_id", metavar="ID", help="Only this P3 name list (implies --referred).")
@format_option()
@db_option
def name_list(referred: bool, list_id: str | None, fmt: str, db: str) -> None:
    """List names: every person recorded (P1), or the P3 name lists with --referred.

    Example: crossings name-list --referred --format markdown
    """
    with _service(db) as service:
        rows = service.name_list(referred=referred, list_id=list_id, progress=for_terminal(fmt))
    referral = referred or list_id is not None
    columns = REFERRALS if referral else REGISTER
    if not rows and fmt in ("text", "markdown"):
        click.echo("no one is on a P3 name list yet" if referral else "no case recorded yet",
                   err=True)
    if fmt == "json":
        return emit_json(rows)
    if fmt == "csv":
        return emit_csv(rows, columns, flat=_flat)
    groups = _by_list(rows) if referral else {"": rows}
    for title, members in groups.items():
        heading = _list_heading(title, members) if referral else _register_heading(members)
        if fmt == "markdown":
            click.echo("\n".join([f"## {heading}", "", *_markdown(members, columns), ""]))
        else:
            click.echo("\n".join([heading, *(_entry(i, r) for i, r in enumerate(members, 1)), ""]))


def _by_list(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["list"], []).append(row)
    return groups


def _list_heading(list_id: str, members: Sequence[dict[str, Any]]) -> str:
    return (f"Name list {list_id} (P3), for the provincial Foreign Affairs Office, to be "
            f"reported to the {members[0]['consulate']}: {len(members)} person(s)")


def _register_heading(members: Sequence[dict[str, Any]]) -> str:
    return f"Names of the border crossers recorded (P1): {len(members)} person(s)"


def _entry(number: int, row: dict[str, Any]) -> str:
    native = f" ({row['native_name']})" if row.get("native_name") else ""
    parts = [f"crossed {row['crossed_on']} at {row['place']}"]
    if row.get("spouse") == "chinese-korean":
        parts.append("married to a Chinese citizen of Korean nationality")
    if row.get("accompanies"):
        parts.append(f"travelling with case {row['accompanies']}")
    attempts = ", ".join(f"{a['at']} {a['outcome']}" for a in row["attempts"]) or "none"
    parts.append(f"persuasion attempts: {attempts}")
    if row.get("referred_on"):
        parts.append(f"referred {row['referred_on']}; reply: {row.get('reply') or 'none yet'}")
    parts.append(f"now {row['state']}")
    return f"{number:>3}. {row['name']}{native}, case {row['case_id']}: {'; '.join(parts)}"


@cli.command()
@db_option
@output_options()
def handovers(db: str, fmt: str | None) -> None:
    """List the handover groups: date, crossing point, representative, who (P1).

    Example: crossings handovers --json
    """
    with _service(db) as service:
        rows = service.handovers()
    emit(rows, fmt, ["id", "at", "crossing_point", "representative", "officer", "people", "names"])


PEOPLE = ("position", "case_id", "name", "native_name", "crossed_on", "place", "purpose",
          "accompanies", "clause")


@cli.command()
@click.argument("group_id", type=int, metavar="GROUP")
@format_option()
@db_option
def handover(group_id: int, fmt: str, db: str) -> None:
    """Print one handover group's manifest: date, place, representative, every person.

    Example: crossings handover 1 --format markdown
    """
    with _service(db) as service:
        group = service.handover(group_id)
    if fmt == "json":
        return emit_json(group)
    if fmt == "csv":
        keys = ("id", "at", "crossing_point", "representative")
        rows = [{**{f"group_{k}" if k == "id" else k: group[k] for k in keys}, **p}
                for p in group["people"]]
        return emit_csv(rows, ["group_id", "at", "crossing_point", "representative", *PEOPLE], flat=_flat)
    heading = (f"Handover group {group['id']}, {group['at']}, at {group['crossing_point']}: "
               f"{len(group['people'])} person(s) turned over to the Korean border-defence "
               f"representative {group['representative']} by {group['officer']}")
    note = [f"Note: {group['note']}"] if group.get("note") else []
    if fmt == "markdown":
        click.echo("\n".join([f"## {heading}", *note, "", *_markdown(group["people"], PEOPLE)]))
        return
    click.echo("\n".join([heading, *note, *(_person(p) for p in group["people"])]))


def _person(p: dict[str, Any]) -> str:
    native = f" ({p['native_name']})" if p.get("native_name") else ""
    extra = f", travelling with case {p['accompanies']}" if p.get("accompanies") else ""
    why = "a visitor sent back" if p["clause"] == "P2" else "returned"
    return (f"{p['position']:>3}. {p['name']}{native}, case {p['case_id']}, crossed "
            f"{p['crossed_on']} at {p['place']}{extra}: {why} ({p['clause']})")


# -- reports -------------------------------------------------------------------------------

@cli.group()
def report() -> None:
    """Reports: overdue cases, compliance with W2, W3 and G, and summary counts.

    Example: crossings report overdue --as-of 1962-01-01
    """


OVERDUE = ("clause", "kind", "case_id", "name", "native_name", "state", "since", "due",
           "days_overdue", "as_of")
COMPLIANCE = ("clause", "kind", "case_id", "name", "native_name", "state", "since", "detail")


@report.command()
@click.option("--as-of", metavar="DATE", help="Judge lateness on this date (default: today).")
@db_option
@output_options()
def overdue(as_of: str | None, db: str, fmt: str | None) -> None:
    """Visitors past the short period (P2); referrals with no consulate reply (P3).

    Example: crossings report overdue --as-of 1962-01-01 --csv
    """
    with _service(db) as service:
        rows = service.report_overdue(as_of, progress=for_terminal(fmt))
    emit(rows, fmt, OVERDUE)
    if not rows and fmt is None:
        click.echo("nothing is overdue", err=True)


@report.command()
@db_option
@output_options()
def compliance(db: str, fmt: str | None) -> None:
    """Refusers with no food or clothing (W3), open guidance (G), complaints (W2).

    Example: crossings report compliance --json
    """
    with _service(db) as service:
        rows = service.report_compliance(progress=for_terminal(fmt))
    emit(rows, fmt, COMPLIANCE)
    if not rows and fmt is None:
        click.echo("nothing to report: every refuser has food or clothing recorded, no "
                   "guidance request is open, no complaint is recorded", err=True)


@report.command()
@click.option("--by", type=click.Choice(("state", "place", "month", "clause")), default="state",
              show_default=True, help="What to count by.")
@db_option
@output_options()
def summary(by: str, db: str, fmt: str | None) -> None:
    """Count cases by state or crossing place, events by month or by clause cited.

    Example: crossings report summary --by month
    """
    with _service(db) as service:
        rows = service.report_summary(by)
    columns = list(rows[0]) if rows else [by]
    if fmt is None and rows:
        rows = [*rows, _total(rows, columns)]
    emit(rows, fmt, columns)


def _total(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> dict[str, Any]:
    numeric = [c for c in columns[1:] if all(type(r.get(c)) is int for r in rows)]
    return {columns[0]: "total", **{c: sum(r[c] for r in rows) for c in numeric}}


# -- policy and browse -----------------------------------------------------------------------

@cli.command()
@click.option("--format", "fmt", type=click.Choice(("markdown", "json")), default="markdown",
              show_default=True, help="Markdown tables, or JSON for tools.")
def policy(fmt: str) -> None:
    """Print the policy table: states, triggers, roles, guards, clauses, settings.

    Example: crossings policy --format json
    """
    from .docs import policy_data, policy_markdown

    if fmt == "json":
        return emit_json(policy_data())
    click.echo(policy_markdown(), nl=False)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--metadata", "metadata_only", is_flag=True,
              help="Print the Datasette metadata as JSON and exit (for datasette serve -m).")
@db_option
def browse(port: int, host: str, metadata_only: bool, db: str) -> None:
    """Browse the database in Datasette, with every table, view and clause described.

    Needs the browse extra: pip install 'crossings[browse]'.

    Example: crossings browse --port 8001
    """
    from .browse import metadata, serve

    if metadata_only:
        return emit_json(metadata(db))
    with _service(db):
        pass  # a crossings database, at the current schema (views included)
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    serve(db, host, port)
