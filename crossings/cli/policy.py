"""Commands that show the policy itself: its table, its diagram, the database in Datasette.

Heavy libraries (transitions' diagrams, graphviz, Datasette) are imported inside the
commands that use them, never here: every command's start-up pays for what is imported
at this level.
"""

from __future__ import annotations

import os
import sys

import click

from workflow import WorkflowError

from .base import POLICY, db_option, emit_json, say, service
from .files import write_new
from .types import CASE_ID


@click.command()
@click.option("--format", "fmt", type=click.Choice(("mermaid", "dot", "svg", "png")),
              default="mermaid", show_default=True,
              help="Mermaid or DOT text, or an SVG or PNG image (these need Graphviz).")
@click.option("--case", "case_id", type=CASE_ID, metavar="CASE",
              help="Highlight this case's path and current state.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE instead of stdout (never over the database; an existing "
                   "FILE only with --force).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@db_option
def diagram(fmt: str, case_id: int | None, output: str | None, force: bool, db: str) -> None:
    """Draw the procedure: states, and edges labelled with triggers and clauses.

    Example: crossings diagram --case 3 --format svg --output case3.svg
    """
    from ..render.diagrams import case_path, render

    if case_id is None:
        drawn = render(POLICY, fmt, POLICY.title)
    else:
        with service(db, readonly=True) as svc:
            case = svc.show(case_id)
            path = case_path(case.state, svc.log(case_id=case.id))
        drawn = render(POLICY, fmt, f"{POLICY.title}: case {case.id}, {case.name}", path)
    data = drawn.encode("utf-8") if isinstance(drawn, str) else drawn
    if output:
        write_new(output, data, force=force, protect=db)
        say(f"wrote {fmt} diagram to {output}")
        return
    if fmt == "png" and sys.stdout.isatty():
        raise click.UsageError("a PNG is not for a terminal: give --output FILE or redirect")
    click.echo(data, nl=False)  # bytes: click writes them to the binary stream


@click.command()
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
    from ..render.datasette import metadata

    if metadata_only:
        return emit_json(metadata(db, POLICY))
    with service(db, readonly=True) as opened:
        where = opened.store.path  # a crossings database, at the current schema
    if not os.path.isfile(db):  # a server's database (its URL shown without a password)
        raise WorkflowError(f"{where} is not a file: Datasette serves SQLite files only")
    try:  # Datasette missing: the error, before any address is printed
        from ..reading_room.server import app, serve
    except ImportError as error:
        raise WorkflowError(INSTALL) from error
    instance = app(db)
    say(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)")
    serve(instance, host, port)


INSTALL = "Datasette is not installed: pip install 'crossings[browse]' (or pip install datasette)"

COMMANDS = [diagram, browse]
