"""A fast bulk build of a large, valid crossings database (the scale and memory sections).

A few template cases are walked through the engine in memory (``workload.template``);
their rows are then repeated for case ids 1..N in one raw sqlite3 connection, each audit
row re-hashed with the chain's real rule: the canonical JSON of ``workflow.audit`` is cut
once into pieces around ``case_id``, ``prev_hash`` and ``seq``, so each row costs a string
join and one sha256. Every row is checked against ``workflow.audit.row_hash`` on a sample
after the build, and the head against the last row built.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from .common import Config, fresh, run_child

SENTINELS = {"case_id": -987654321, "prev_hash": "PREV-HASH-SENTINEL", "seq": -123456789}
CHUNK = 5000  # cases per executemany batch


class Template:
    """One template case: its case row and, per audit row, canonical pieces and values."""

    def __init__(self, data: dict[str, Any], columns: tuple[str, ...]) -> None:
        from workflow.audit import canonical

        c = data["case"]
        self.case = (c["state"], c["version"], c["name"], c["native_name"], c["facts"],
                     c["flagged"], c["opened_on"], c["updated_at"], c["policy"])
        self.rows = []
        for row in data["rows"]:
            marked = {**row, **SENTINELS}
            self.rows.append((_pieces(canonical(marked)), [row.get(k) for k in columns]))


def _pieces(text: str) -> tuple[list[str], list[str]]:
    """Cut TEXT around each sentinel; return the pieces and the field order."""
    found = sorted((text.index(json.dumps(v)), k) for k, v in SENTINELS.items())
    pieces, start = [], 0
    for _, key in found:
        at = text.index(json.dumps(SENTINELS[key]), start)
        pieces.append(text[start:at])
        start = at + len(json.dumps(SENTINELS[key]))
    pieces.append(text[start:])
    return pieces, [key for _, key in found]


class Builder:
    def __init__(self, conn: sqlite3.Connection, templates: list[Template],
                 columns: tuple[str, ...], head: tuple[int, str],
                 signers: dict[str, Any]) -> None:
        self.conn, self.templates, self.columns = conn, templates, columns
        self.seq, self.prev = head
        self.signers = signers  # actor -> sign(bytes): every row signed by its actor's key
        self.where = {k: columns.index(k) for k in ("seq", "case_id", "prev_hash", "hash",
                                                    "signature", "actor")}

    def audit_row(self, case_id: int, pieces: tuple[list[str], list[str]],
                  values: list[Any]) -> list[Any]:
        self.seq += 1
        fields = {"case_id": str(case_id), "prev_hash": f'"{self.prev}"', "seq": str(self.seq)}
        text, order = pieces
        joined = text[0] + fields[order[0]] + text[1] + fields[order[1]] + text[2] \
            + fields[order[2]] + text[3]
        data = joined.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        row = list(values)
        w = self.where
        row[w["seq"]], row[w["case_id"]], row[w["prev_hash"]], row[w["hash"]] = \
            self.seq, case_id, self.prev, digest
        row[w["signature"]] = self.signers[row[w["actor"]]](data)
        self.prev = digest
        return row

    def chunk(self, first: int, last: int) -> tuple[list[Any], list[Any]]:
        cases, audit = [], []
        for case_id in range(first, last + 1):
            template = self.templates[case_id % len(self.templates)]
            cases.append((case_id, *template.case))
            audit += [self.audit_row(case_id, p, v) for p, v in template.rows]
        return cases, audit

    def run(self, n: int) -> None:
        insert_case = ("INSERT INTO cases (id, state, version, name, native_name, facts, "
                       "flagged, opened_on, updated_at, policy) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        insert_audit = (f"INSERT INTO audit ({', '.join(self.columns)}) "
                        f"VALUES ({', '.join('?' for _ in self.columns)})")
        for first in range(1, n + 1, CHUNK):
            cases, audit = self.chunk(first, min(n, first + CHUNK - 1))
            self.conn.execute("BEGIN")
            self.conn.executemany(insert_case, cases)
            self.conn.executemany(insert_audit, audit)
            self.conn.execute("COMMIT")


def _templates(mix: list[str]) -> list[Template]:
    from store.sqlite.store import _AUDIT_COLUMNS

    from . import scenario
    from .workload import template

    made = {name: Template(template(scenario.TEMPLATES[name]), _AUDIT_COLUMNS)
            for name in set(mix)}
    return [made[name] for name in mix]


def _bulk_connection(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = DELETE", "synchronous = OFF", "cache_size = -262144"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def build(path: str, n: int, mix: list[str]) -> dict[str, Any]:
    """Child: a fresh database with the bench's actors and N cases built from MIX."""
    from store.sqlite.store import _AUDIT_COLUMNS

    from . import scenario
    from .workload import Service

    start = time.perf_counter()
    with Service.init(str(fresh(Path(path))), scenario.ADMIN, clock=scenario.fixed_clock) as svc:
        scenario.add_actors(svc)
        head = svc.store.head()
        signers = {name: svc.signer(svc.actor(name)).sign for name in scenario.ACTORS}
    conn = _bulk_connection(path)
    builder = Builder(conn, _templates(mix), _AUDIT_COLUMNS, (head["seq"], head["hash"]),
                      signers)
    builder.run(n)
    from store.sqlite import names

    conn.execute("BEGIN")
    names.build(conn)  # the name index, as the store keeps it (and step 007 builds it)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    checked = verify_sample(path, 2000)
    return {"seconds": time.perf_counter() - start, "rows": builder.seq, "checked": checked}


def verify_sample(path: str, count: int) -> int:
    """Check the chain over the first COUNT rows and the last COUNT rows of the trail
    (all of it when that is shorter than twice COUNT)."""
    from workflow.audit import row_hash

    from store import open_store
    from workflow.policies import CATALOGUE

    store = open_store(path, CATALOGUE)
    head = store.head()
    checked = 0
    windows = [0, head["seq"] - count] if head["seq"] > 2 * count else [0]
    count = count if len(windows) == 2 else head["seq"]
    for start in windows:
        prev = None
        for row in store.audit(after_seq=start, limit=count):
            if prev is not None and row["prev_hash"] != prev:
                raise AssertionError(f"chain broken before seq {row['seq']}")
            if row_hash(row) != row["hash"]:
                raise AssertionError(f"row {row['seq']} does not hash to its stored hash")
            prev, checked = row["hash"], checked + 1
    store.close()
    if prev != head["hash"]:
        raise AssertionError("the last row built is not the head of the trail")
    return checked


def ensure(config: Config, tag: str, n: int, mix: list[str], reuse: bool = False) -> Path:
    """The database TAG of N cases from MIX: built now, or reused (REUSE: read-only
    sections) when built before with the same N and MIX."""
    path = config.workdir / f"{tag}-{n}-{'-'.join(sorted(set(mix)))}.db"
    marker = path.with_suffix(".built.json")
    from store.sqlite.schema import SCHEMA_VERSION
    from workflow.audit import CHAIN_FORMAT

    # a file of an older schema is built again: only an administrator may upgrade one,
    # and the figures are of the schema this code writes
    made = {"chain": CHAIN_FORMAT, "schema": SCHEMA_VERSION, "events": _events_digest(mix)}
    if reuse and not config.rebuild and marker.exists() and path.exists() \
            and all(json.loads(marker.read_text()).get(k) == v for k, v in made.items()):
        return path
    marker.unlink(missing_ok=True)
    result = {**run_child("build", path=str(path), n=n, mix=mix), **made}
    marker.write_text(json.dumps(result))
    return path


def _events_digest(mix: list[str]) -> str:
    """What a bulk build's events are: a database built from other events is rebuilt."""
    from . import scenario

    events = [scenario.OPEN, {name: scenario.TEMPLATES[name] for name in sorted(set(mix))}]
    return hashlib.sha256(json.dumps(events, sort_keys=True).encode()).hexdigest()[:16]


def built(path: Path) -> dict[str, Any]:
    """What the build of PATH reported (seconds, rows, rows checked)."""
    return dict(json.loads(path.with_suffix(".built.json").read_text()))
