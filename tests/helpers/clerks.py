"""Races of clerk processes against one database file, and the figures they give.

Used by ``tests/test_concurrency.py`` (short forms) and ``scripts/stress`` (full forms).
Each clerk is a separate process (``tests/helpers/clerk.py``); they start together on a signal.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Callable

from helpers.actors import new_database
from helpers.chain import connect, database_problems
from crossings.service import Service

CLERK = str(Path(__file__).with_name("clerk.py"))
ACTORS = {"Zhao": "county-officer", "Kim": "border-defence", "Liu": "foreign-affairs"}


def _new(db: str) -> Service:
    service = new_database(db)
    return service


def _persuading_case(service: Service, index: int, spouse: str = "none") -> int:
    """Open a case and bring it to persuading (a DPRK citizen, no crime)."""
    case = service.fire("open", None, "Zhao", at="1961-11-10", name=f"Crosser {index}",
                             crossed_on="1961-10", place="Badaogou")
    service.fire("investigate", case.id, "Zhao", at="1961-11-12", citizenship="dprk",
                 purpose="other", spouse=spouse)
    service.fire("begin_persuasion", case.id, "Zhao", at="1961-11-12")
    return case.id


def prepare(db: str, scenario: str, count: int) -> None:
    """persuade: one case in persuading. cycle: the same, married to a Chinese Korean
    (P3). hand-over: 4 cases per round, each ready for return (latest attempt agreed)."""
    with _new(db) as service, service.batch():
        if scenario == "hand-over":
            for index in range(4 * count):
                case_id = _persuading_case(service, index + 1)
                service.fire("persuade", case_id, "Zhao", at="1961-11-14", outcome="agreed")
        else:
            _persuading_case(service, 1, "chinese-korean" if scenario == "cycle" else "none")


def race(db: str, mode: str, scenario: str, count: int, clerks: int = 4,
         during: Callable[[], None] | None = None) -> list[list[dict[str, Any]]]:
    """Start the clerks, release them together, run DURING (a server restart) while they
    work, return each clerk's attempt records."""
    procs = [subprocess.Popen([sys.executable, CLERK, mode, db, scenario, str(count), str(i)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for i in range(clerks)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    if during is not None:
        during()
    outputs = [proc.communicate()[0] for proc in procs]
    codes = [proc.returncode for proc in procs]
    assert codes == [0] * clerks, f"a clerk process failed: exit codes {codes}"
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


def message_faults(records: list[dict[str, Any]]) -> list[str]:
    """Attempts that neither applied nor failed with exit 1 and one 'Error: ' line."""
    faults = []
    for record in records:
        if record["exit"] == 0:
            continue
        lines = record["stderr"].splitlines()
        if record["exit"] != 1 or len(lines) != 1 or not lines[0].startswith("Error: "):
            faults.append(f"exit {record['exit']}: {record['stderr']!r}")
    return faults


def _common(records: list[dict[str, Any]], db: str, seconds: float) -> dict[str, Any]:
    kinds = [r["kind"] for r in records]
    return {
        "attempts": len(records),
        "applied": kinds.count("applied"),
        "refused": kinds.count("refused"),
        "inapplicable": kinds.count("inapplicable"),
        "conflicts": kinds.count("conflict"),
        "other_errors": kinds.count("error"),
        "locked_errors": sum(1 for r in records
                             if "locked" in r["stderr"].lower() or "busy" in r["stderr"].lower()),
        "message_faults": message_faults(records),
        "problems": database_problems(db),
        "seconds": round(seconds, 2),
    }


def interleavings(conn: sqlite3.Connection) -> int:
    """How often consecutive audit rows came from different clerks (their notes say)."""
    clerks = [json.loads(given).get("note", "").split(" attempt")[0]
              for (given,) in conn.execute("SELECT given FROM audit ORDER BY seq")]
    clerks = [c for c in clerks if c.startswith("clerk")]
    return sum(1 for a, b in zip(clerks, clerks[1:]) if a != b)


def persuade_figures(db: str, records: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """persuade and cycle: every applied persuade must be one recorded attempt."""
    figures = _common(records, db, seconds)
    with closing(connect(db)) as conn:
        facts = json.loads(conn.execute("SELECT facts FROM cases WHERE id = 1").fetchone()[0])
        rows = conn.execute("SELECT count(*) FROM audit WHERE case_id = 1 AND "
                            "trigger = 'persuade' AND outcome = 'applied'").fetchone()[0]
        figures["interleavings"] = interleavings(conn)
    applied = sum(1 for r in records if r["exit"] == 0 and r["trigger"] == "persuade")
    recorded = len(facts["attempts"])
    figures.update(persuade_applied=applied, persuade_rows=rows, recorded_attempts=recorded,
                   lost_updates=abs(applied - recorded))
    return figures


def hand_over_figures(db: str, records: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    figures = _common(records, db, seconds)
    groups = [r["cases"] for r in records if r["exit"] == 0]
    handed = [case for group in groups for case in group]
    with closing(connect(db)) as conn:
        stored = [g if isinstance(g, list) else json.loads(g)  # PostgreSQL's json: parsed
                  for (g,) in conn.execute("SELECT case_ids FROM handover_groups")]
        returned = {i for (i,) in conn.execute("SELECT id FROM cases WHERE state = 'returned'")}
        figures["interleavings"] = interleavings(conn)
    figures.update(
        groups_applied=len(groups), groups_stored=len(stored),
        handed_twice=len(handed) - len(set(handed)),
        lost_updates=len(set(handed) ^ returned) + abs(len(groups) - len(stored)),
    )
    return figures


def _kind(line: str) -> str:
    """An error line without its URL and details: what kind of failure it was."""
    import re

    text = re.sub(r"postgres(ql)?://\S+", "URL", line.removeprefix("Error: ").strip())
    return text.split(" (")[0][:90]


def run(db: str, mode: str, scenario: str, count: int, clerks: int = 4, prepared: bool = False,
        race_db: str | None = None, during: Callable[[], None] | None = None) -> dict[str, Any]:
    """Prepare (unless already done), race, and measure one scenario; the figures a test
    or the script checks. RACE_DB: where the clerks connect, if not as DB's owner
    (PostgreSQL's clerk role)."""
    if not prepared:
        prepare(db, scenario, count)
    start = time.perf_counter()
    per_clerk = race(race_db or db, mode, scenario, count, clerks, during)
    seconds = time.perf_counter() - start
    records = [r for clerk in per_clerk for r in clerk]
    figures = hand_over_figures if scenario == "hand-over" else persuade_figures
    out = {"mode": mode, "scenario": scenario, "clerks": clerks,
           **figures(db, records, seconds)}
    if scenario == "persuade-retried":
        met = [e for r in records for e in r.get("errors", [])]
        out.update(server_errors=len(met), retried_attempts=sum(1 for r in records if r["errors"]),
                   server_error_faults=message_faults([{"exit": 1, "stderr": e} for e in met]),
                   server_error_kinds=sorted({_kind(e) for e in met}))
    return out
