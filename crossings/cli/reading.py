"""Commands for readers of the file: the sources cited, a case's dossier, timeline pictures."""

from __future__ import annotations

from typing import Any

import click

from .base import POLICY, db_option, echo_lines, emit_json, output_options, say, service
from .files import write_new
from .types import CASE_ID


def _out(data: bytes, output: str | None, force: bool, db: str, what: str) -> None:
    if output:
        write_new(output, data, force=force, protect=db)
        say(f"wrote {what} to {output}")
        return
    click.echo(data, nl=False)


def _output_options(func: Any) -> Any:
    func = click.option("--force", is_flag=True, help="Replace FILE if it exists.")(func)
    return click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Write to FILE instead of stdout (never over the database; an "
                             "existing FILE only with --force).")(func)


@click.command()
@db_option
@output_options(csv_too=False)
def sources(db: str, fmt: str | None) -> None:
    """List the documents cited (each event's --source) and the events that rest on each.

    Example: crossings sources --json
    """
    with service(db, readonly=True) as svc:
        found = list(svc.sources())
    if fmt == "json":
        return emit_json(found)
    lines: list[str] = []
    for entry in found:
        events = entry["events"]
        lines.append(f"{entry['source']}  ({len(events)} event{'s' if len(events) != 1 else ''})")
        lines += [f"  seq {e['seq']:>6}  case {e['case_id'] if e['case_id'] is not None else '-'}  "
                  f"{e['at'] or '-'}  {e['trigger']}{' (refused)' if e['outcome'] == 'refused' else ''}"
                  for e in events]
    echo_lines(lines or ["no event cites a source yet (give --source on a trigger)"])


@click.command()
@click.argument("case_id", type=CASE_ID, metavar="CASE")
@click.option("--format", "fmt", type=click.Choice(("html", "markdown")), default="html",
              show_default=True, help="A self-contained HTML page (print-ready), or Markdown.")
@_output_options
@db_option
def dossier(case_id: int, fmt: str, output: str | None, force: bool, db: str) -> None:
    """Write one case as a page to read, print and cite: names, facts, every event in words.

    With the clauses' own words, the sources, refusals and voided events marked, the
    case's path on the diagram (SVG with Graphviz, else Mermaid text), its audit rows
    and what verify finds in the whole file.

    Example: crossings dossier 3 --format html -o case3.html
    """
    with service(db, readonly=True) as svc:
        data = svc.dossier(case_id)
    if fmt == "markdown":
        from ..render.dossier_md import markdown

        text = markdown(data)
    else:
        from ..render.dossier import page

        text = page(data)
    _out(text.encode("utf-8"), output, force, db, f"the {fmt} dossier of case {case_id}")


@click.command()
@click.option("--case", "case_id", type=CASE_ID, metavar="CASE",
              help="One case's events on a dated axis (default: every case's span).")
@click.option("--format", "fmt", type=click.Choice(("mermaid", "svg")), default="mermaid",
              show_default=True, help="A Mermaid gantt chart (text), or an SVG image.")
@_output_options
@db_option
def timeline(case_id: int | None, fmt: str, output: str | None, force: bool, db: str) -> None:
    """Draw dates: a case's events on a dated axis, or every case's span over time.

    Example: crossings timeline --case 3 --format svg -o case3-dates.svg
    """
    from ..render.chronology import render

    with service(db, readonly=True) as svc:
        data = {**svc.chronology(case_id), "terminal": sorted(POLICY.terminal)}
    _out(render(data, fmt).encode("utf-8"), output, force, db, f"the {fmt} timeline")


COMMANDS = [sources, dossier, timeline]
