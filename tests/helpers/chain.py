"""Checks of a crossings database, for the reliability tests.

``crossings verify`` (issue 3) runs on every database, and beside it these independent
checks read it with the plain driver (``sqlite3`` for a file, ``psycopg`` for a
``postgresql://`` URL), without going through ``store`` or ``Service``, so a fault shared
by verify and the code it checks cannot hide:

* ``PRAGMA integrity_check`` is ``ok`` (SQLite; a PostgreSQL server checks its own pages);
* the audit rows form an unbroken hash chain (``workflow.audit.row_hash``), seq 1, 2, ...;
* every case row equals its replay from the applied audit rows: the state is the target
  of its last applied row, the version the number of applied rows, the facts the
  after-values of the rows' ``changes``.

Each check returns a list of problems in words; an empty list means clean.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Iterator

from workflow.audit import FIELDS, GENESIS, row_hash

_COLUMNS = (*FIELDS, "hash", "signature")


def connect(path: str | Path) -> Any:
    """A plain connection for checking (waits for a writer rather than failing): SQLite's
    for a file, :class:`PlainPostgres` for a ``postgresql://`` URL."""
    if "://" in str(path):
        return PlainPostgres(str(path))
    return sqlite3.connect(str(path), timeout=30, isolation_level=None)


class PlainPostgres:
    """A psycopg connection that reads crossings' tables with the statements written for
    SQLite here (``?`` placeholders; BEGIN/COMMIT run as given), in crossings' schema."""

    def __init__(self, url: str) -> None:
        import psycopg

        from store.postgres.schema import SCHEMA  # the name only: reads stay plain SQL

        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"SET search_path TO {SCHEMA}")

    def execute(self, sql: str, params: Any = ()) -> Any:
        if sql.startswith("PRAGMA integrity_check"):
            return iter([("ok",)])
        if sql == "BEGIN":
            sql = "BEGIN ISOLATION LEVEL REPEATABLE READ"  # one snapshot, as SQLite's
        return self.conn.execute(sql.replace("?", "%s"), params)

    def dump(self) -> str:
        tables = [t for (t,) in self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")]
        lines = []
        for table in tables:
            lines += [f"{table}: {row!r}" for row in
                      self.conn.execute(f'SELECT * FROM "{table}" ORDER BY 1')]
        return "\n".join(lines)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "PlainPostgres":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def audit_rows(conn: Any, after_seq: int = 0) -> Iterator[dict[str, Any]]:
    sql = f"SELECT {', '.join(_COLUMNS)} FROM audit WHERE seq > ? ORDER BY seq"
    for row in conn.execute(sql, (after_seq,)):
        yield dict(zip(_COLUMNS, row))


def integrity_problems(conn: Any) -> list[str]:
    result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if result == ["ok"] else [f"integrity_check: {'; '.join(result)}"]


def chain_problems(conn: Any, start: tuple[int, str] = (0, GENESIS),
                   ) -> tuple[list[str], tuple[int, str]]:
    """Check the chain from ``start`` (seq, hash) on; return problems and the new head."""
    problems: list[str] = []
    seq, prev = start
    for row in audit_rows(conn, seq):
        seq += 1
        if row["seq"] != seq:
            problems.append(f"audit seq {row['seq']} where {seq} was expected")
        if row["prev_hash"] != prev:
            problems.append(f"audit row {row['seq']}: prev_hash does not link to row {seq - 1}")
        if row_hash(row) != row["hash"]:
            problems.append(f"audit row {row['seq']}: hash does not match its contents")
        seq, prev = row["seq"], row["hash"]
    return problems, (seq, prev)


def replayed_cases(conn: Any,
                   problems: list[str] | None = None) -> dict[int, dict[str, Any]]:
    """Each case as its applied audit rows build it: state, version, facts.

    An applied row whose source is not the state its case was in (a transition made
    from a stale read) is reported in ``problems``.
    """
    cases: dict[int, dict[str, Any]] = {}
    sql = ("SELECT seq, case_id, case_version, from_state, to_state, changes FROM audit "
           "WHERE case_id IS NOT NULL AND outcome = 'applied' ORDER BY seq")
    for seq, case_id, version, source, target, changes in conn.execute(sql):
        case = cases.setdefault(case_id, {"state": None, "version": 0, "facts": {}})
        if problems is not None and source != case["state"]:
            problems.append(f"audit row {seq}: case {case_id} moved from {source} "
                            f"while it was {case['state']}")
        case["state"] = target
        case["version"] += 1
        if problems is not None and version != case["version"]:
            problems.append(f"audit row {seq}: case {case_id} version {version}, "
                            f"its {case['version']}th applied row")
        for key, (_before, after) in json.loads(changes).items():
            case["facts"][key] = after
    return cases


def stored_cases(conn: Any) -> dict[int, dict[str, Any]]:
    rows = conn.execute("SELECT id, state, version, facts FROM cases ORDER BY id")
    return {i: {"state": s, "version": v, "facts": json.loads(f)} for i, s, v, f in rows}


def replay_problems(conn: Any) -> list[str]:
    problems: list[str] = []
    stored, replayed = stored_cases(conn), replayed_cases(conn, problems)
    problems += [f"case {i} is stored but has no applied audit row" for i in stored
                if i not in replayed]
    problems += [f"case {i} has applied audit rows but no case row" for i in replayed
                 if i not in stored]
    for case_id in sorted(set(stored) & set(replayed)):
        for case in (stored[case_id], replayed[case_id]):  # a fact set to None = no fact
            case["facts"] = {k: v for k, v in case["facts"].items() if v is not None}
        for key in ("state", "version", "facts"):
            if stored[case_id][key] != replayed[case_id][key]:
                problems.append(f"case {case_id}: stored {key} differs from its replay "
                                f"({_short(stored[case_id][key])} != "
                                f"{_short(replayed[case_id][key])})")
    return problems


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) < 120 else text[:117] + "..."


def verify_problems(path: str | Path) -> list[str]:
    """What ``crossings verify`` finds (chain, case rebuild, guards re-run, counts)."""
    from crossings.service import Service

    with Service.open(str(path)) as service:
        report = service.verify(workers=1).as_dict()
    return [f"verify, row {p['seq']}: {p['message']}" for p in report["problems"]]


def database_report(path: str | Path) -> dict[str, list[str]]:
    """Every check at once: integrity, chain and replay on one snapshot, then verify."""
    with closing(connect(path)) as conn:
        conn.execute("BEGIN")
        try:
            found = {"integrity": integrity_problems(conn),
                     "chain": chain_problems(conn)[0],
                     "replay": replay_problems(conn)}
        finally:
            conn.execute("COMMIT")
    found["verify"] = verify_problems(path)
    return found


def database_problems(path: str | Path) -> list[str]:
    return [problem for found in database_report(path).values() for problem in found]


def dump(path: str | Path) -> str:
    """The whole database as text, to compare before and after a failed command: SQLite's
    SQL dump of a file; every row of every table of crossings' schema on PostgreSQL."""
    with closing(connect(path)) as conn:
        if isinstance(conn, PlainPostgres):
            return conn.dump()
        return "\n".join(conn.iterdump())

