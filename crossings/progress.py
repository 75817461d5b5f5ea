"""Progress for long work: a bar on stderr when stderr is a terminal, never in --json mode.

The service takes a :class:`Progress` (default :func:`quiet`) and wraps its long loops in
it; the command line passes :func:`for_terminal`. stdout is never touched.
"""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    def __call__(self, items: Iterable[T], label: str,
                 length: int | None = None) -> Iterable[T]: ...


def quiet(items: Iterable[T], label: str, length: int | None = None) -> Iterable[T]:
    """No progress shown."""
    return items


def bar(items: Iterable[T], label: str, length: int | None = None) -> Iterator[T]:
    """click's progress bar on stderr around ``items``."""
    import click

    with click.progressbar(items, length=length, label=label, file=sys.stderr) as shown:
        yield from shown


def for_terminal(fmt: str | None = None) -> Progress:
    """:func:`bar` when stderr is a terminal and the output is not JSON, else :func:`quiet`."""
    if fmt == "json" or not sys.stderr.isatty():
        return quiet
    return bar
