"""Progress for long work: a bar on stderr when stderr is a terminal, never in --json mode.

The service takes a ``Progress`` (``crossings.service.progress``); commands pass
:func:`for_terminal`. stdout is never touched.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

from ..service.progress import Progress, quiet

Item = TypeVar("Item")


def bar(items: Iterable[Item], label: str, length: int | None = None) -> Iterator[Item]:
    """click's progress bar on stderr around ``items``."""
    import click

    with click.progressbar(items, length=length, label=label, file=sys.stderr) as shown:
        yield from shown


def for_terminal(fmt: str | None = None, streamed: bool = False) -> Progress:
    """:func:`bar` when stderr is a terminal and the output is not JSON, else ``quiet``;
    ``streamed`` (output written as the rows are read): only when stdout is not the
    terminal too, where the bar would cut through the lines."""
    if fmt == "json" or not sys.stderr.isatty() or (streamed and sys.stdout.isatty()):
        return quiet
    return bar
