"""Verification in worker processes: the chain's links, ranges of cases and the tables.

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
# The first and last ranges of cases are open: a damaged row may name any case id, and
# every row with one has its content checked in its case's range.
_NO_CASE_BELOW, _NO_CASE_ABOVE = -(2**63), 2**63 - 1
RANGES_PER_WORKER = 4  # a worker left with the last range waits less


def auto_workers(rows: int) -> int:
    if rows < PARALLEL_ROWS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class Parent(Protocol):
    store: Store
    limit: int


Work = Callable[..., dict[str, Any] | None]
CHAIN, REST = "chain", "rest"
Task = str | tuple[int, int]  # CHAIN, REST or a range of case ids


def in_parallel(verifier: Parent, work: Work, head: Mapping[str, Any],
                setup: list[dict[str, Any]], workers: int
                ) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """Run the chain, the cases (in id ranges) and the rest (tables, schema) in worker
    processes, each on its own connection: the findings of the chain and the ranges in
    that order, and those of the rest. None if that cannot be done (a memory database,
    a trail written to meanwhile): the caller then runs them itself, in its one snapshot."""
    store = verifier.store
    last_case = store.next_case_id() - 1
    if store.path == ":memory:" or not head["rows"]:
        return None
    step = max(1, -(-last_case // (RANGES_PER_WORKER * workers)))
    ranges = [(lo, lo + step - 1) for lo in range(1, max(last_case, 1) + 1, step)]
    ranges[0] = (_NO_CASE_BELOW, ranges[0][1])
    ranges[-1] = (ranges[-1][0], _NO_CASE_ABOVE)
    tasks: list[Task] = [REST, *ranges, CHAIN]  # the longest first, the chain's links (quick) last
    job = functools.partial(work, store.target, head, setup, verifier.limit)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.map(job, tasks, chunksize=1)
    done = [r for r in results if r is not None]
    if len(done) < len(results):
        return None
    rest, *cases, chain = done
    return [chain, *cases], rest
