"""The PostgreSQL section: crossings on a real server, side by side with raw psycopg.

The server is ``CROSSINGS_BENCH_PG`` or ``CROSSINGS_TEST_PG`` (an admin URL; ``scripts/bench``
starts a throwaway cluster, with fsync on, when PostgreSQL's binaries are installed). Each run
gets a database of its own. Figures:

* W(N) per trigger: crossings' ``Service`` against raw psycopg doing what any correct engine
  of a chained, signed trail on a shared server must do per trigger, with crossings' own
  schema (tables, indexes, triggers): BEGIN; take the writers' advisory lock; read the
  chain's head; SELECT the case and its latest event date; UPDATE it at its version; INSERT
  the audit row (sha256 of a row of the same size chained to the head, an Ed25519
  signature); COMMIT.
* a group handover of N cases in one command (cases/s);
* ``verify`` of the W trail on the server (rows/s).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .child import timed
from .common import Config, Row, interleaved, median, rate_text

COLUMNS = ("seq", "case_id", "case_version", "trigger", "from_state", "to_state", "outcome",
           "actor", "role", "at", "recorded_at", "given", "changes", "clauses", "guards",
           "reason", "refused_by", "group_id", "request_id", "policy", "policy_version",
           "prev_hash", "hash", "signature")


def server() -> str | None:
    return os.environ.get("CROSSINGS_BENCH_PG") or os.environ.get("CROSSINGS_TEST_PG")


def fresh_database(admin: str, name: str) -> str:
    """A new, empty database NAME on the server; its URL (as the admin role)."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


# -- the children ---------------------------------------------------------------------------

def engine_w_pg(url: str, n: int) -> dict[str, Any]:
    from .workload import engine_w

    return engine_w(url, n, "FULL")  # FULL: a synchronous commit on the server


def handover_pg(url: str, n: int) -> dict[str, Any]:
    from .workload import handover

    return handover(url, n)


def verify_pg(url: str, n: int) -> dict[str, Any]:
    """W(N) written in one batch (untimed), then ``verify`` of the whole trail, timed."""
    from crossings.service import Service

    from .workload import _service, _walk

    with _service(url) as service, service.batch():
        _walk(service, n)
    with Service.open(url, readonly=True) as service:
        rows = service.store.head()["rows"]
        start = time.perf_counter()
        with timed():
            report = service.verify(workers=1)
        seconds = time.perf_counter() - start
    assert report.ok, report.problems[:3]
    return {"rate": rows / seconds, "rows": rows, "seconds": seconds}


class RawPostgres:
    """Raw psycopg on crossings' own schema (made by the store, as raw.py's is)."""

    def __init__(self, url: str, template: dict[str, Any]) -> None:
        import psycopg
        from crossings.keys import PrivateKey

        from store.postgres import PostgresStore
        from store.postgres.connection import WRITE_LOCK
        from store.postgres.schema import SCHEMA
        from workflow.policies import CATALOGUE

        PostgresStore(url, CATALOGUE, create=True).close()
        self.lock = WRITE_LOCK
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"SET search_path TO {SCHEMA}")
        self.case = template["case"]
        self.rows = [[row[c] for c in COLUMNS] for row in template["rows"]]
        self.blobs = [json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
                      for row in template["rows"]]
        self.key = PrivateKey.generate()  # the signer crossings uses (libsodium's)
        self.insert = (f"INSERT INTO audit ({', '.join(COLUMNS)}) "
                       f"VALUES ({', '.join('%s' for _ in COLUMNS)})")

    def _begin(self) -> tuple[int, str]:
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock,))
        head = self.conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (head[0], head[1]) if head else (0, "0" * 64)

    def _audit(self, step: int, case_id: int, version: int, head: tuple[int, str]) -> None:
        values = list(self.rows[step])
        data = head[1].encode() + self.blobs[step]
        digest = hashlib.sha256(data).hexdigest()
        values[0], values[1], values[2] = head[0] + 1, case_id, version
        values[-3], values[-2] = head[1], digest
        values[-1] = self.key.sign(data)
        self.conn.execute(self.insert, values)
        self.conn.execute("COMMIT")

    def open(self) -> int:
        head = self._begin()
        case_id = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
        c = self.case
        self.conn.execute(
            "INSERT INTO cases (id, state, version, name, native_name, facts, flagged, "
            "opened_on, updated_at, policy) VALUES (%s, 'detained', 1, %s, %s, %s, false, %s, "
            "%s, %s)", (case_id, c["name"], c["native_name"], c["facts"], c["opened_on"],
                        c["updated_at"], c["policy"]))
        self._audit(0, case_id, 1, head)
        return int(case_id)

    def step(self, step: int, case_id: int) -> None:
        head = self._begin()
        row = self.conn.execute("SELECT id, state, version, facts FROM cases WHERE id = %s",
                                (case_id,)).fetchone()
        self.conn.execute("SELECT max(at) FROM audit WHERE case_id = %s", (case_id,)).fetchone()
        target = self.rows[step][COLUMNS.index("to_state")] or row[1]
        self.conn.execute("UPDATE cases SET state = %s, version = %s, updated_at = %s "
                          "WHERE id = %s AND version = %s",
                          (target, row[2] + 1, self.case["updated_at"], case_id, row[2]))
        self._audit(step, case_id, row[2] + 1, head)


def raw_w_pg(url: str, n: int, template: str) -> dict[str, Any]:
    raw = RawPostgres(url, json.loads(Path(template).read_text()))
    start = time.perf_counter()
    ids = [raw.open() for _ in range(n)]
    for step in range(1, len(raw.rows)):
        for case_id in ids:
            raw.step(step, case_id)
    seconds = time.perf_counter() - start
    return {"rate": n * len(raw.rows) / seconds, "seconds": seconds}


# -- the section ------------------------------------------------------------------------------

def section(config: Config) -> list[Row]:
    from .common import run_child
    from .workload import write_template

    admin = server()
    if admin is None:
        return [Row("8 postgresql", "not run", "no PostgreSQL server (install PostgreSQL's "
                    "binaries, or set CROSSINGS_BENCH_PG to an admin URL)")]
    n, groups = config.n("pg_w"), config.n("handover")
    template = write_template(config.workdir)
    kinds = {
        "engine": lambda: run_child("engine_w_pg", url=fresh_database(admin, "bench_w"), n=n),
        "raw": lambda: run_child("raw_w_pg", url=fresh_database(admin, "bench_raw"), n=n,
                                 template=str(template)),
    }
    results = interleaved(config.runs, kinds)
    ratio = median(e["rate"] / r["rate"] for e, r in zip(results["engine"], results["raw"]))
    label = f"W({n}) per trigger on PostgreSQL"
    handed = [run_child("handover_pg", url=fresh_database(admin, "bench_handover"), n=groups)
              for _ in range(config.runs)]
    rate = median(r["rate"] for r in handed)
    checked = run_child("verify_pg", url=fresh_database(admin, "bench_verify"), n=config.n("pg_verify"))
    return [
        Row("8 postgresql", f"{label}: crossings", rate_text(results["engine"], "transitions/s"),
            runs=results["engine"]),
        Row("8 postgresql", f"{label}: raw psycopg", rate_text(results["raw"], "transitions/s"),
            runs=results["raw"]),
        Row("8 postgresql", f"{label}: ratio", f"{ratio:.2f}x", ">= 0.5x", ratio >= 0.5),
        Row("8 postgresql", f"hand_over of {groups:,} cases in one command on PostgreSQL",
            f"{rate:,.0f} cases/s", ">= 10,000 cases/s", rate >= 10_000, handed),
        Row("8 postgresql", f"verify of {checked['rows']:,} signed rows on PostgreSQL",
            f"{checked['rate']:,.0f} rows/s ({checked['seconds']:.1f} s)", runs=[checked]),
    ]
