"""Copying a whole trail from one store to another (``crossings copy``).

A client of the store contract only: every actor, setting, case and audit row is read
from the source and written to a new target in one transaction, the audit rows exactly as
they are (seq, prev hash, hash, signature: ``Store.load_trail`` takes them only as one
unbroken chain). The name index and the report counts are the target's own, built as it
stores the cases and rows. Nothing is re-signed: the copy proves what the original proved,
and ``crossings verify`` on either gives the same answer. A target that already holds a
database is refused; a copy that fails with an error leaves no target behind (one killed
mid-way may leave an empty, initialised database on a server: drop it, then copy again).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Callable

from store import Store, open_store
from workflow import Actor, Case, IntegrityError, WorkflowError
from workflow.policies import CATALOGUE
from workflow.record import Record

Progress = Callable[[int], None]


class CopyReport(Record):
    source: str
    target: str
    rows: int
    cases: int
    actors: int
    source_head: dict[str, Any]
    target_head: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "rows": self.rows, "cases": self.cases,
                "actors": self.actors, "heads": {"from": self.source_head, "to": self.target_head}}


def copy_trail(source: str, target: str, progress: Progress | None = None) -> CopyReport:
    """Copy the database at SOURCE into a new one at TARGET (a path or a URL). A source
    of an older schema is refused as it opens: it is upgraded first, where it is."""
    src = open_store(source, CATALOGUE, readonly=True)
    try:
        with src.read():
            dst = open_store(target, CATALOGUE, create=True)
            try:
                counts, heads = _copy(src, dst, progress)
            except BaseException:
                with suppress(WorkflowError):  # the copy's own error is the one to report
                    dst.discard()
                raise
            dst.close()
    finally:
        src.close()
    return CopyReport(src.path, dst.path, *counts, *heads)


def _copy(src: Store, dst: Store, progress: Progress | None
          ) -> tuple[tuple[int, int, int], tuple[dict[str, Any], dict[str, Any]]]:
    with dst.write():
        actors = src.actors()
        for record in actors:
            dst.insert_actor(Actor(record["name"], record["role"], record["public_key"]),
                             record["added_at"])
            if record["retired_at"]:
                dst.retire_actor(record["name"], record["retired_at"])
        for name, value in sorted(src.stored_settings().items()):
            dst.put_setting(name, value)
        cases = 0
        for record in src.case_records():
            if record["facts"] is None:
                raise IntegrityError(f"case {record['id']}: its facts are not readable JSON; "
                                     "run 'crossings verify' on the source")
            dst.insert_case(Case(record["id"], record["state"], record["version"],
                                 record["facts"], record["flagged"], record["policy"]),
                            record["updated_at"])
            cases += 1
        rows = dst.load_trail(_counted(src.audit_stream(), progress))
        heads = src.head(), dst.head()
        if heads[0] != heads[1]:  # load_trail checked every link; this is the last word
            raise IntegrityError(f"the copy's head {heads[1]} is not the source's {heads[0]}; "
                                 "nothing was copied")
    return (rows, cases, len(actors)), heads


def _counted(rows: Any, progress: Progress | None) -> Any:
    for count, row in enumerate(rows, 1):
        if progress is not None and count % 10_000 == 0:
            progress(count)
        yield row
