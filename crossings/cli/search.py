"""Finding cases by name: search."""

from __future__ import annotations

import click

from ..service.search import DEFAULT_LIMIT
from .base import db_option, emit, output_options, say, service

COLUMNS = ["id", "name", "native_name", "aliases", "state", "match", "matched", "field"]


@click.command()
@click.argument("text", metavar="TEXT")
@click.option("--limit", type=click.IntRange(min=1, max=10_000), default=DEFAULT_LIMIT,
              show_default=True, help="At most this many cases.")
@db_option
@output_options()
def search(text: str, limit: int, db: str, fmt: str | None) -> None:
    """Find cases by any of their names, any part of one, or another spelling of it.

    TEXT is matched against every case's name, native name and aliases, in any script
    (Hangul and Hanja fragments too), and by the usual romanisations of Korean names
    (Choi finds Ch'oe, Lee finds Ri, Park finds Pak). Best match first: exact, prefix,
    variant, substring; the column `match` says which, `matched` the name. No case
    matching is not an error: nothing on stdout (an empty list with --json) and a line
    on stderr, exit 0.

    Example: crossings search "Choi Myeong-ok" --json
    """
    with service(db, readonly=True) as svc:
        rows = svc.search(text, limit)
    if rows or fmt is not None:
        emit(rows, fmt, COLUMNS)
    if not rows:
        say(f"no case matches {text!r}")


COMMANDS = [search]
