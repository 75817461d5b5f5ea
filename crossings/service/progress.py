"""Progress of long work, as the service sees it: a callable that wraps an iterable.

The service takes a :class:`Progress` (default :func:`quiet`) and wraps its long loops in
it; the command line passes one that draws a bar on a terminal (``crossings.cli.progress``).
"""

from __future__ import annotations

from typing import Iterable, Protocol, TypeVar

Item = TypeVar("Item")


class Progress(Protocol):
    def __call__(self, items: Iterable[Item], label: str,
                 length: int | None = None) -> Iterable[Item]: ...


def quiet(items: Iterable[Item], label: str, length: int | None = None) -> Iterable[Item]:
    """No progress shown."""
    return items
