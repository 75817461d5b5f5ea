"""Bringing an archival list in: import."""

from __future__ import annotations

import click

from .base import actor_option, db_option, emit_json, say, service
from .progress import for_terminal


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False), metavar="FILE.csv")
@click.option("--at", metavar="DATE",
              help="The detention date of every row (a column 'at' overrides it for its "
                   "row); required unless every row has its own, or the setting "
                   "default_event_date is today.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=OPTION",
              help="Read COLUMN as the option OPTION (repeatable): --map Romanised=name.")
@click.option("--source", metavar="TEXT",
              help="The document the list comes from, kept with every row's event (a "
                   "column 'source' overrides it for its row).")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--policy", metavar="ID@VERSION",
              help="The policy the new cases are handled under (default: the database's).")
@actor_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def import_(file: str, at: str | None, maps: tuple[str, ...], source: str | None,
            dry_run: bool, policy: str | None, actor: str | None, db: str,
            as_json: bool) -> None:
    """Open one case per row of a CSV list: all rows, or none.

    The header names the options of open (name, native_name, crossed_on, place,
    accompanies, alias, note, source; 'aliases' and ';'-separated names in one cell are
    read as several aliases); a column 'at' or 'source' overrides --at or --source for its
    row; an unknown column is an error. Every bad row is printed as FILE:LINE: problem
    on stderr before anything is written (exit 1). UTF-8, with or without a byte order
    mark; at most 20 MB and 500,000 rows. A progress bar on a terminal.

    Example: crossings import changbai-1961.csv --as Zhao --at 1961-11-12 --source 'PRC FMA 118-00948-02'
    """
    from ..replay.imports import ImportRefused, import_file

    with service(db) as svc:
        try:
            done = import_file(svc, file, actor, at=at, source=source, maps=maps,
                               dry_run=dry_run, policy=policy,
                               progress=for_terminal("json" if as_json else None))
        except ImportRefused as refused:
            for problem in refused.problems:
                say(str(problem))
            raise
    if as_json:
        emit_json(done.as_dict())
    say(done.summary())


COMMANDS = [import_]
