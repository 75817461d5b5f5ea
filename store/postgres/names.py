"""The name index on PostgreSQL: every name of every case, folded and keyed.

The rows are SQLite's (``store.sqlite.names``: one per name a case is known by, folded,
keyed, squashed), written by the same code in the same transaction as the case. The
look-ups are the same five, in the same order: the folded name equal, the name starting
with it, the key equal or its first words (B-tree ranges on ``COLLATE "C"`` columns),
then a substring of the name or of the squashed key (``strpos``, a scan of the index;
SQLite's FTS5 trigram table answers it from an index, which pg_trgm could here, but an
extension is not something every office's owner role may create, so it is not needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

from workflow import Case
from workflow.policy import ALIASES, NAME, NATIVE_NAME

from ..common import MIN_TRIGRAM, keyed, rows_of

COLUMNS = ("case_id", "field", "name", "folded", "key", "squashed")
_INSERT = (f"INSERT INTO case_names ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join('%s' for _ in COLUMNS)})")
_LAST = "\U0010ffff"  # sorts after every character: the end of a prefix's range
_NAMES_READ_KEPT = 100_000


def build(conn: Any) -> None:
    """Index every case of the database (step 003): its names, 5,000 cases at a time."""
    conn.execute("DELETE FROM case_names")
    last = 0
    while chunk := conn.execute(
            f"SELECT id, name, native_name, facts::jsonb -> '{ALIASES}' FROM cases "
            "WHERE id > %s ORDER BY id LIMIT 5000", (last,)).fetchall():
        rows: list[tuple[Any, ...]] = []
        for case_id, name, native, aliases in chunk:
            found = [(NAME, name)] + ([(NATIVE_NAME, native)] if native else [])
            found += [(ALIASES, str(a)) for a in (aliases if isinstance(aliases, list) else [])]
            rows += rows_of(case_id, found)
        if rows:
            with conn.conn.cursor() as cursor:
                cursor.executemany(_INSERT, rows)
        last = chunk[-1][0]


def _has_other_script(text: str) -> bool:
    return any(not ch.isascii() for ch in text)


class PostgresNames:
    """The name index's statements (a part of :class:`store.postgres.PostgresStore`)."""

    if TYPE_CHECKING:  # provided by PostgresStore
        def _stream(self, sql: str, params: Iterable[Any] | None = None) -> Iterator[Any]: ...
        def _all(self, sql: str, params: Iterable[Any] | None = None) -> list[Any]: ...
        def _many(self, sql: str, rows: list[Any]) -> int: ...

    def read_names(self, case: Case) -> Case:
        """Remember the names CASE was read with, to re-index it only if they change."""
        kept = self.__dict__.setdefault("_names_read", {})
        if len(kept) >= _NAMES_READ_KEPT:
            kept.clear()
        kept[case.id] = (case.version, case.names())
        return case

    def index_new(self, cases: Iterable[Case]) -> None:
        rows = [row for case in cases for row in rows_of(case.id, case.names())]
        if rows:
            self._many(_INSERT, rows)

    def index_changed(self, cases: list[tuple[Case, int]]) -> None:
        kept = self.__dict__.setdefault("_names_read", {})
        changed = []
        for case, expected in cases:
            read = kept.pop(case.id, None)
            if read is None or read[0] != expected or read[1] != case.names():
                changed.append(case)
        if changed:
            self._many("DELETE FROM case_names WHERE case_id = %s", [(c.id,) for c in changed])
            self.index_new(changed)

    def name_matches(self, folded: str, key: str, squashed: str) -> Iterator[dict[str, Any]]:
        select = f"SELECT {', '.join('n.' + c for c in COLUMNS)} FROM case_names AS n"
        queries: list[tuple[str, tuple[Any, ...]]] = [
            (f"{select} WHERE n.folded = %s ORDER BY n.folded, n.case_id, n.id", (folded,)),
            (f"{select} WHERE n.folded > %s AND n.folded < %s ORDER BY n.folded, n.case_id, "
             "n.id", (folded, folded + _LAST)),
        ]
        if key:
            queries.append((f"{select} WHERE n.key = %s OR (n.key > %s AND n.key < %s) "
                            "ORDER BY n.key, n.case_id, n.id", (key, key + " ", key + "!")))
        terms, params = [], []
        if len(folded) >= MIN_TRIGRAM:
            terms.append("strpos(n.folded, %s) > 0")
            params.append(folded)
        if len(squashed) >= MIN_TRIGRAM:
            terms.append("strpos(n.squashed, %s) > 0")
            params.append(squashed)
        if terms:
            queries.append((f"{select} WHERE {' OR '.join(terms)} ORDER BY n.id", tuple(params)))
        if len(folded) < MIN_TRIGRAM and _has_other_script(folded):
            queries.append((f"{select} WHERE strpos(n.folded, %s) > 0 ORDER BY n.id", (folded,)))
        for sql, values in queries:
            for row in self._stream(sql, values):
                yield dict(zip(COLUMNS, row))

    def name_index_problems(self, limit: int = 20) -> list[str]:
        names = (f"SELECT id, '{NAME}' COLLATE \"C\", name FROM cases UNION ALL "
                 f"SELECT id, '{NATIVE_NAME}', native_name FROM cases "
                 "WHERE native_name IS NOT NULL UNION ALL "
                 f"SELECT c.id, '{ALIASES}', j.value FROM cases AS c CROSS JOIN LATERAL "
                 f"jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.facts::jsonb -> "
                 f"'{ALIASES}') = 'array' THEN c.facts::jsonb -> '{ALIASES}' END) AS j(value)")
        indexed = "SELECT case_id, field, name FROM case_names"
        out = [f"case {c}: its {f} {n!r} is missing from the name index" for c, f, n in
               self._all(f"SELECT * FROM ({names} EXCEPT {indexed}) AS d "
                         "ORDER BY 1, 2, 3 LIMIT %s", (limit,))]
        out += [f"case {c}: the name index holds a {f} {n!r} the case does not have"
                for c, f, n in self._all(f"SELECT * FROM ({indexed} EXCEPT ({names})) AS d "
                                         "ORDER BY 1, 2, 3 LIMIT %s", (limit,))]
        for row in self._stream(f"SELECT {', '.join(COLUMNS)} FROM case_names"):
            if tuple(row[3:]) != keyed(row[2]) and len(out) < 2 * limit:
                out.append(f"case {row[0]}: the name index keys {row[2]!r} otherwise than "
                           "this code does")
        return out
