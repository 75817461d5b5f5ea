"""The writes a transaction holds back, sent to SQLite in one executemany per table.

Inside a write transaction the store keeps back the case rows it updates and the audit
rows it appends. Audit rows go at the end of each command (in a batch, one executemany
per command); case rows before the transaction's COMMIT, before any other SQL statement
of the transaction (so every read in SQL sees them), and whenever more than a bounded
number are held. A case updated many times in one transaction (a batch walking each
case through its steps) is written once, at its last version, with its version checked
against the one the transaction first read. Nothing is held back for a case the
transaction did not read or write itself: its update goes to SQLite at once, as before.
Held rows belong to earlier commands as much as to the one that sends them, so a failure
to send them loses the whole transaction (connection.py), never one command's half.

What the transaction knows, it answers without SQL: a case it holds (its row as it will
be written, decoded afresh for each caller), the version of every case it read or wrote
(a stale update is refused at the call, before anything is held), and the latest event
date of each case it asked about. All of it is valid only under the write lock and is
dropped at COMMIT or ROLLBACK.
"""

from __future__ import annotations

from typing import Any

# Held back at most (then sent): audit rows hold their signed canonical fields; a case row
# its facts as text (a batch of 20,000 cases holds about 20 MB).
MAX_AUDIT_ROWS = 2000
MAX_CASES = 50_000

UPDATE_CASE = ("UPDATE cases SET state = ?, version = ?, name = ?, native_name = ?, "
               "facts = ?, flagged = ?, updated_at = ?, policy = ? WHERE id = ? AND version = ?")


class Pending:
    """One write transaction's held-back rows and what it knows of its cases."""

    __slots__ = ("cases", "audit", "versions", "dates", "audit_dates", "held")

    def __init__(self) -> None:
        # case id -> (UPDATE values: the row at its last version, the version it had in
        # the file; names then, for the name index)
        self.cases: dict[int, tuple[tuple[Any, ...], list[tuple[str, str]]]] = {}
        self.audit: list[list[Any]] = []
        self.versions: dict[int, int] = {}  # case id -> its version now (file or held)
        self.dates: dict[int, str | None] = {}  # case id -> its latest event date
        self.audit_dates: dict[int, str] = {}  # case id -> latest date of its held rows
        self.held = 0  # rows held back in this transaction (sent or not): it wrote

    def __bool__(self) -> bool:
        return bool(self.cases or self.audit)

    def clear(self) -> None:
        self.cases.clear()
        self.audit.clear()
        self.versions.clear()
        self.dates.clear()
        self.audit_dates.clear()

    def hold_audit(self, values: list[Any], case_id: Any, at: Any) -> None:
        self.audit.append(values)
        self.held += 1
        if type(case_id) is int and at is not None:
            at = str(at)
            if at > self.audit_dates.get(case_id, ""):
                self.audit_dates[case_id] = at
            if case_id in self.dates:
                known = self.dates[case_id]
                if known is None or at > known:
                    self.dates[case_id] = at

    def hold_case(self, values: tuple[Any, ...], names: list[tuple[str, str]]) -> None:
        """VALUES as UPDATE_CASE takes them (..., id, expected version): a case already
        held keeps the version it had in the file as the one to check."""
        case_id = values[-2]
        held = self.cases.get(case_id)
        if held is not None:
            values = (*values[:-1], held[0][-1])
        self.cases[case_id] = (values, names)
        self.versions[case_id] = values[1]
        self.held += 1

    def latest(self, case_id: int, in_file: str | None) -> str | None:
        """The latest event date of a case: IN_FILE (what SQLite holds) or a held row's."""
        held = self.audit_dates.get(case_id)
        if held is not None and (in_file is None or held > in_file):
            return held
        return in_file
