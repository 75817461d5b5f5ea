"""Verification in worker processes: the chain in one, ranges of cases in the others.

Each worker (``verify.work``) opens its own connection, checks that the trail's head is
still the one the parent saw (else it returns None and the parent verifies alone, in its
one snapshot), and reports what it found for the parent to merge.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from typing import Any, Callable, Mapping, Protocol

from store import Store

PARALLEL_ROWS = 100_000  # from this many rows, worker processes pay for their start-up
MAX_WORKERS = 3
_NO_CASE_ABOVE = 2**62  # the last range of cases is open: audit rows may name any id


def auto_workers(rows: int) -> int:
    if rows < PARALLEL_ROWS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class Parent(Protocol):
    store: Store
    limit: int

    def merge(self, other: Mapping[str, Any]) -> None: ...


Work = Callable[..., dict[str, Any] | None]


def in_parallel(verifier: Parent, work: Work, head: Mapping[str, Any],
                setup: list[dict[str, Any]], workers: int) -> bool:
    """Run the chain and the cases (in id ranges) in worker processes, each on its own
    connection. False if that cannot be done (a memory database, a trail written to
    meanwhile): the caller then runs them itself, in its one snapshot."""
    store = verifier.store
    last_case = store.next_case_id() - 1
    if store.path == ":memory:" or not head["rows"]:
        return False
    step = max(1, -(-last_case // (3 * workers)))
    ranges = [(lo, lo + step - 1) for lo in range(1, max(last_case, 1) + 1, step)]
    ranges[-1] = (ranges[-1][0], _NO_CASE_ABOVE)
    tasks: list[tuple[int, int] | None] = [None, *ranges]  # None: the chain
    job = functools.partial(work, store.target, head, setup, verifier.limit)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.map(job, tasks, chunksize=1)
    done = [r for r in results if r is not None]
    if len(done) < len(results):
        return False
    for result in done:
        verifier.merge(result)
    return True
