"""The store's contract: what the service needs from persistence, whatever the backend.

No SQL here: each store implements every method with its own statements (SQLite in
``store.sqlite``). ``tests/test_store_contract.py`` runs one suite against every store of
``store.STORES`` so all keep to the same promises:

* every write happens inside ``write()``, one transaction that commits as a whole or not
  at all; nothing is visible to others before it commits;
* ``update_cases`` updates each case only when its stored version equals the expected
  version given with it, otherwise it raises :class:`workflow.Conflict`;
* ``append`` chains each audit row to the previous one (``prev_hash``, ``hash``) and
  rows are never changed or deleted;
* backend errors surface as ``workflow`` errors (``StoreError``, ``Conflict``), never as
  the driver's own.

A store is opened for a catalogue of policies (``workflow.catalogue``: every policy its
cases may be handled under): its views and report indexes are written from their
declarations. Each case row carries the policy it is handled under (``Case.policy``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Any, Callable, Iterable, Iterator, Sequence

from workflow import Actor, Case
from workflow.catalogue import Catalogue
from workflow.queries import Section


class Store(ABC):
    path: str  # what a message names: a file's path, a server's URL without its password
    target: str  # what opens this store again (another process): the path, the whole URL
    catalogue: Catalogue
    schema_version: int  # the file's schema as opened

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def discard(self) -> None:
        """Close the store and remove the database that ``create=True`` made: a failed
        ``init`` or ``copy`` leaves nothing behind. Only for a store this process created."""

    @abstractmethod
    def write(self) -> AbstractContextManager["Store"]:
        """One atomic write transaction, taken with an exclusive write lock up front.
        Nested (a batch), it adds no savepoint: a nested block that raises before writing
        leaves the batch as it was; one that raises after it wrote rolls the whole batch
        back, and every later write of the batch raises StoreError."""

    @abstractmethod
    def read(self) -> AbstractContextManager["Store"]:
        """A consistent snapshot for several reads."""

    # actors and settings (set-up) -------------------------------------------------------
    @abstractmethod
    def get_actor(self, name: str) -> Actor | None: ...

    @abstractmethod
    def actors(self) -> list[dict[str, Any]]: ...

    @abstractmethod
    def insert_actor(self, actor: Actor, added_at: str) -> None:
        """Register an actor with their role and public key (names unique when folded)."""

    @abstractmethod
    def retire_actor(self, name: str, retired_at: str) -> None: ...

    @abstractmethod
    def stored_settings(self) -> dict[str, Any]: ...

    @abstractmethod
    def put_setting(self, name: str, value: Any) -> None: ...

    # cases ---------------------------------------------------------------------------
    @abstractmethod
    def next_case_id(self) -> int: ...

    @abstractmethod
    def get_case(self, case_id: int) -> Case | None: ...

    @abstractmethod
    def get_cases(self, case_ids: Iterable[int]) -> dict[int, Case]: ...

    @abstractmethod
    def insert_case(self, case: Case, recorded_at: str) -> None: ...

    @abstractmethod
    def update_cases(self, cases: list[tuple[Case, int]], recorded_at: str) -> None:
        """Update each case whose stored version is the given expected version."""

    @abstractmethod
    def cases(self, state: str | None = None, after: int = 0,
              limit: int | None = None) -> Iterator[dict[str, Any]]: ...

    @abstractmethod
    def case_rows(self) -> Iterator[Case]:
        """Every case, in id order, streamed."""

    @abstractmethod
    def case_records(self, cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        """Every case row (or those with ids in the inclusive range ``cases``) with all
        its columns (facts parsed, flagged a bool), in id order, streamed: verification
        compares each with the case's audit rows."""

    @abstractmethod
    def case_ids_like(self, prefix: str, limit: int = 100) -> list[tuple[int, str]]:
        """Case ids starting with ``prefix`` (shell completion), with each person's name."""

    @abstractmethod
    def count_cases(self) -> int: ...

    # the name index (kept by insert_case and update_cases, in their transaction) ----------
    @abstractmethod
    def name_matches(self, folded: str, key: str, squashed: str) -> Iterator[dict[str, Any]]:
        """Names of cases matching a search (``workflow.names.searchable`` of the query),
        streamed best look-up first: the folded name equal; the name starting with it; the
        key equal or its first words; then a substring of the name or of the key squashed.
        Each: case_id, field, name, folded, key, squashed (a case may come several times)."""

    @abstractmethod
    def name_index_problems(self, limit: int = 20) -> list[str]:
        """Where the name index disagrees with the cases' names (none: it agrees)."""

    # audit trail ---------------------------------------------------------------------
    @abstractmethod
    def append(self, rows: list[dict[str, Any]], sign: Callable[[bytes], str]) -> list[int]:
        """Append rows to the chained trail, each signed by ``sign`` over its canonical
        bytes (its prev hash included); returns their sequence numbers."""

    @abstractmethod
    def load_trail(self, rows: Iterable[dict[str, Any]]) -> int:
        """Inside write(), on a store whose trail is empty: add audit rows read from
        another store exactly as they are (seq, prev_hash, hash and signature kept), each
        checked by :func:`workflow.audit.linked` to follow the one before and to hash to
        its own hash; returns how many (``crossings copy``)."""

    @abstractmethod
    def audit(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Audit rows in seq order, filtered by case_id, actor, trigger, clause, outcome,
        since/until (event dates), group_id, after_seq; at most ``limit``."""

    @abstractmethod
    def audit_stream(self, order: str = "seq",
                     cases: tuple[int, int] | None = None) -> Iterator[dict[str, Any]]:
        """Every audit row, by ``seq`` or by ``case`` (case id, then seq; only rows with
        a case, or with a case id in the inclusive range ``cases``), or the ``setup``
        rows (no case id) by seq; streamed."""

    @abstractmethod
    def audit_links(self) -> Iterator[tuple[Any, ...]]:
        """Every audit row's ``(seq, case_id, prev_hash, hash, recorded_at)``, by seq;
        streamed: the chain's links, checked without reading whole rows."""

    @abstractmethod
    def audit_row(self, seq: int) -> dict[str, Any] | None:
        """The audit row at ``seq``, or None."""

    @abstractmethod
    def last_recorded_at(self) -> str:
        """When the trail's last row was recorded ('' for an empty trail): a new row is
        never recorded before it, whatever a clock says."""

    @abstractmethod
    def head(self) -> dict[str, Any]:
        """``{"rows": count, "seq": last seq, "hash": last hash}``."""

    # groups and retried requests (both read from the trail) --------------------------------
    @abstractmethod
    def next_group_id(self) -> int: ...

    @abstractmethod
    def get_group(self, group_id: int) -> dict[str, Any] | None:
        """One applied group: id, at, the group trigger's options, officer, case_ids, note."""

    @abstractmethod
    def group_members(self, group_id: int) -> list[dict[str, Any]]:
        """The people of one group, in order, with the facts the policy's Group names."""

    @abstractmethod
    def group_summaries(self) -> list[dict[str, Any]]:
        """One row per group: id, at, its options, officer, people (count), names."""

    @abstractmethod
    def request_rows(self, request_id: str) -> list[dict[str, Any]]:
        """The audit rows a command given this retry key wrote, in seq order."""

    @abstractmethod
    def last_event_date(self, case_id: int) -> str | None:
        """The latest event date recorded for a case (applied or refused rows)."""

    @abstractmethod
    def first_row(self) -> dict[str, Any] | None:
        """The trail's first row: the first administrator's registration."""

    @abstractmethod
    def schema_problems(self) -> list[str]:
        """Every schema object that is not exactly what this code creates, named."""

    @abstractmethod
    def upgrade_schema(self) -> list[str]:
        """Inside write(), on a store opened with ``upgrade=True``: apply the schema steps
        the file has not had, in order; return their names (none: it was up to date)."""

    # reports -----------------------------------------------------------------------------
    @abstractmethod
    def name_list_rows(self, list_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Every applied row of the policy's name-list trigger (not voided), by list and
        seq: the columns of the view ``name_list``, and ``facts``: of the case's facts, the
        two the list reads, its entries and the reply (each only when it has a value)."""

    @abstractmethod
    def name_list_sizes(self, list_id: str | None = None) -> list[dict[str, Any]]:
        """Each name list (or only ``list_id``) that ``name_list_rows`` lists, in its
        order: ``list``, the addressee of its first row (the view's column of that name),
        and ``count``, how many rows it has: a list's heading, before its rows stream."""

    @abstractmethod
    def section_rows(self, section: Section, as_of: str, days: int | None,
                     states: Sequence[str]) -> list[dict[str, Any]]:
        """The findings of one report section of the policy."""

    @abstractmethod
    def count_by_state(self) -> dict[str, tuple[int, int]]:
        """state -> (cases, flagged cases)."""

    @abstractmethod
    def count_by_fact(self, fact: str, states: Sequence[str]) -> list[dict[str, Any]]:
        """Per value of a fact: cases, and how many stand in each of ``states``."""

    @abstractmethod
    def count_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def count_by_clause(self) -> dict[str, tuple[int, int, int]]: ...

    @abstractmethod
    def recount_by_month(self, states: Sequence[str]) -> list[dict[str, Any]]: ...

    @abstractmethod
    def recount_by_clause(self) -> dict[str, tuple[int, int, int]]: ...

    # the reading room ----------------------------------------------------------------------
    @abstractmethod
    def sources(self) -> Iterator[dict[str, Any]]:
        """Every document cited (an event's ``source`` option, in its row's ``given``), in
        text order, each ``{"source": TEXT, "events": [{seq, case_id, at, trigger,
        outcome}, ...]}`` with its events in seq order; streamed."""

    @abstractmethod
    def case_spans(self) -> Iterator[dict[str, Any]]:
        """Every case that has events, in id order: id, name, native_name, state,
        first_at and last_at (its events' own dates), events (a count); streamed."""

