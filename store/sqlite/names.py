"""The name index: every name of every case, folded and keyed, under SQLite FTS5.

One row of ``case_names`` per name a case is known by (its name, native name and
aliases: ``Case.names``), with the name folded (``workflow.values.fold_name``), its
romanisation key and that key without spaces (``workflow.names``). B-tree indexes answer
the exact, prefix and variant look-ups; ``case_names_fts``, an external-content FTS5 table
with the ``trigram`` tokenizer (kept by two triggers on ``case_names``), answers any
substring of three characters or more, in any script (a Hangul or Hanja fragment). A
query of one or two characters, which a trigram index cannot serve, is looked up as a
prefix of the name and of its key, and, in a script other than Latin (a Hangul surname, a
two-syllable given name), as a substring scanned over the folded names (``instr``): a
full pass of the index, the one search that does not grow with the index's depth only.

The store keeps the index in the transaction of every write of a case: an inserted case
is indexed; an updated one is re-indexed when its names differ from those it was read
with (``NameIndex.read_names``), which no write but an opening or a correction of a name
changes, so the other triggers pay one comparison. Step ``009_names`` builds the index for
the cases already there.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from workflow import Case
from workflow.policy import ALIASES, NAME, NATIVE_NAME

from ..common import MIN_TRIGRAM, keyed, rows_of
from .errors import converted as _converted

SCHEMA = """
CREATE TABLE case_names (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    key TEXT NOT NULL,
    squashed TEXT NOT NULL
) STRICT;
CREATE INDEX case_names_case ON case_names(case_id);
CREATE INDEX case_names_folded ON case_names(folded, case_id);
CREATE INDEX case_names_key ON case_names(key, case_id);
CREATE VIRTUAL TABLE case_names_fts USING fts5(folded, squashed, content='case_names',
    content_rowid='id', tokenize='trigram', columnsize=0);
CREATE TRIGGER case_names_indexed AFTER INSERT ON case_names BEGIN
  INSERT INTO case_names_fts (rowid, folded, squashed)
  VALUES (NEW.id, NEW.folded, NEW.squashed); END;
CREATE TRIGGER case_names_dropped AFTER DELETE ON case_names BEGIN
  INSERT INTO case_names_fts (case_names_fts, rowid, folded, squashed)
  VALUES ('delete', OLD.id, OLD.folded, OLD.squashed); END;
"""
INDEXES = {"case_names_case", "case_names_folded", "case_names_key"}
COLUMNS = ("case_id", "field", "name", "folded", "key", "squashed")
_INSERT = f"INSERT INTO case_names ({', '.join(COLUMNS)}) VALUES "  # then a row's marks each
_ROW = f"({', '.join('?' for _ in COLUMNS)})"
_ROWS_A_STATEMENT = 5000 // len(COLUMNS)  # bound values a statement, well under the limit
_LAST = "\U0010ffff"  # sorts after every character: the end of a prefix's range
_NAMES_READ_KEPT = 100_000  # cases whose names a store remembers between read and write

def build(conn: Any, size: int = _ROWS_A_STATEMENT) -> None:
    """Index every case of the file (step 009, and the bench's bulk build): in chunks,
    SIZE rows an INSERT."""
    conn.execute("DELETE FROM case_names")
    cursor = conn.execute(f"SELECT id, name, native_name, json_extract(facts, '$.{ALIASES}') "
                          "FROM cases ORDER BY id")
    while chunk := cursor.fetchmany(5000):
        rows: list[tuple[Any, ...]] = []
        for case_id, name, native, aliases in chunk:
            found = [(NAME, name)] + ([(NATIVE_NAME, native)] if native else [])
            found += [(ALIASES, str(a)) for a in (json.loads(aliases) if aliases else [])]
            rows += rows_of(case_id, found)
        _insert(conn, rows, size)


def _insert(conn: Any, rows: list[tuple[Any, ...]], size: int = _ROWS_A_STATEMENT) -> None:
    """Name rows in as few statements as the bound-variable limit allows (SIZE rows a
    statement): FTS5 writes its pending terms out as a segment of the index at each
    statement that changes it, so an executemany of a case's three names wrote three
    segments. 10,000 cases of three names: 1.22 s by executemany, 0.71 s by one
    statement a case, 0.11 s without the index (about 37 us a name for the index then,
    20 us now)."""
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        conn.execute(_INSERT + ", ".join([_ROW] * len(chunk)),
                     [value for row in chunk for value in row])


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _has_other_script(text: str) -> bool:
    return any(not ch.isascii() for ch in text)


class NameIndex:
    """The name index's statements (a part of :class:`store.sqlite.SQLiteStore`)."""

    if TYPE_CHECKING:  # provided by SQLiteStore
        path: str
        conn: Any

        def _stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[Any]: ...
        def _all(self, sql: str, params: Iterable[Any] = ()) -> list[Any]: ...

    _names_read: dict[int, tuple[int, list[tuple[str, str]]]]

    def read_names(self, case: Case) -> Case:
        """Remember the names CASE was read with, to re-index it only if they change."""
        kept = self.__dict__.setdefault("_names_read", {})
        if len(kept) >= _NAMES_READ_KEPT:
            kept.clear()
        kept[case.id] = (case.version, case.names())
        return case

    def index_new(self, cases: Iterable[Case]) -> None:
        rows = [row for case in cases for row in rows_of(case.id, case.names())]
        with _converted(self.path):
            _insert(self.conn, rows)

    def index_changed(self, cases: list[tuple[int, list[tuple[str, str]], int]]) -> None:
        """Re-index each updated case (id, names now, version it was read at) whose names
        are not those it was read with."""
        kept = self.__dict__.setdefault("_names_read", {})
        changed = []
        for case_id, names, expected in cases:
            read = kept.pop(case_id, None)
            if read is None or read[0] != expected or read[1] != names:
                changed.append((case_id, names))
        if changed:
            with _converted(self.path):
                self.conn.executemany("DELETE FROM case_names WHERE case_id = ?",
                                      [(case_id,) for case_id, _ in changed])
                _insert(self.conn, [row for case_id, names in changed
                                    for row in rows_of(case_id, names)])

    def name_matches(self, folded: str, key: str, squashed: str) -> Iterator[dict[str, Any]]:
        """Index rows matching a query, streamed in rank order of the look-ups: the folded
        name equal, the name starting with it, the key equal or its first words, then any
        substring of the name or of the key (duplicates across look-ups possible)."""
        select = f"SELECT {', '.join('n.' + c for c in COLUMNS)} FROM case_names AS n"
        queries: list[tuple[str, tuple[Any, ...]]] = [
            (f"{select} WHERE n.folded = ?", (folded,)),
            (f"{select} WHERE n.folded > ? AND n.folded < ?", (folded, folded + _LAST)),
        ]
        if key:
            queries.append((f"{select} WHERE n.key = ? OR (n.key > ? AND n.key < ?)",
                            (key, key + " ", key + "!")))
        terms = [f"folded : {_fts_phrase(folded)}"] if len(folded) >= MIN_TRIGRAM else []
        if len(squashed) >= MIN_TRIGRAM:
            terms.append(f"squashed : {_fts_phrase(squashed)}")
        if terms:
            queries.append((f"{select} JOIN case_names_fts AS f ON f.rowid = n.id "
                            "WHERE case_names_fts MATCH ?", (" OR ".join(terms),)))
        if len(folded) < MIN_TRIGRAM and _has_other_script(folded):
            queries.append((f"{select} WHERE instr(n.folded, ?) > 0", (folded,)))
        for sql, params in queries:
            for row in self._stream(sql, params):
                yield dict(zip(COLUMNS, row))

    def name_index_problems(self, limit: int = 20) -> list[str]:
        """Where the name index disagrees with the cases: a name missing from it, one it
        holds that no case has, a folded form or key not what this code computes."""
        names = (f"SELECT id, '{NAME}', name FROM cases UNION ALL "
                 f"SELECT id, '{NATIVE_NAME}', native_name FROM cases WHERE native_name IS NOT "
                 f"NULL UNION ALL SELECT c.id, '{ALIASES}', j.value FROM cases AS c, "
                 f"json_each(c.facts, '$.{ALIASES}') AS j")
        names = f"SELECT * FROM ({names})"  # one operand of EXCEPT, either side
        indexed = "SELECT case_id, field, name FROM case_names"
        out = [f"case {c}: its {f} {n!r} is missing from the name index" for c, f, n in
               self._all(f"SELECT * FROM ({names} EXCEPT {indexed}) LIMIT ?", (limit,))]
        out += [f"case {c}: the name index holds a {f} {n!r} the case does not have"
                for c, f, n in self._all(f"SELECT * FROM ({indexed} EXCEPT {names}) LIMIT ?",
                                         (limit,))]
        for row in self._stream(f"SELECT {', '.join(COLUMNS)} FROM case_names"):
            if tuple(row[3:]) != keyed(row[2]) and len(out) < 2 * limit:
                out.append(f"case {row[0]}: the name index keys {row[2]!r} otherwise than "
                           "this code does")
        return out
