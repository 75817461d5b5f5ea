"""crossings' side of each workload, through the public Python API only (``Service``)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from crossings.keys import KeyRing
from crossings.service import Command, Service
from workflow.audit import dumps

from . import scenario
from .child import peak_rss_mb, timed
from .common import fresh


def _service(path: str, synchronous: str = "FULL") -> Service:
    service = Service.init(path, scenario.ADMIN, synchronous=synchronous)
    scenario.add_actors(service)
    return service


def _rates(count: int, seconds: float, cpu: float) -> dict[str, Any]:
    """Events per second of wall time (the figure) and of CPU time (steadier on a busy
    machine; for comparing two versions of the code)."""
    return {"rate": count / seconds, "cpu_rate": count / cpu if cpu else 0.0,
            "seconds": seconds}


def _walk(service: Service, n: int) -> None:
    ids = scenario.open_cases(service, n)
    scenario.fire_steps(service, ids, scenario.W_STEPS)


def engine_w(path: str, n: int, synchronous: str) -> dict[str, Any]:
    """W(N): every trigger its own command (load the case, decide, commit)."""
    with _service(path, synchronous) as service:
        start, cpu = time.perf_counter(), time.process_time()
        with timed():
            _walk(service, n)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return _rates(n * scenario.TRANSITIONS_PER_CASE, seconds, cpu)


def engine_batch(path: str, n: int) -> dict[str, Any]:
    """W(N) replayed into a fresh database inside one Service.batch() transaction."""
    with _service(path) as service:
        start, cpu = time.perf_counter(), time.process_time()
        with timed(), service.batch():
            _walk(service, n)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return _rates(n * scenario.TRANSITIONS_PER_CASE, seconds, cpu)


def handover(path: str, n: int) -> dict[str, Any]:
    """N cases made ready (in one batch, untimed), then handed over in one command."""
    with _service(path) as service:
        with service.batch():
            ids = scenario.open_cases(service, n)
            scenario.fire_steps(service, ids, scenario.READY_STEPS)
        start, cpu = time.perf_counter(), time.process_time()
        with timed():
            group = service.run(Command.of("hand_over", ids, "Kim", **scenario.HANDOVER)).group
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert group is not None and len(group.case_ids) == n
    return _rates(n, seconds, cpu)


def memory(path: str, n: int, early: int) -> dict[str, Any]:
    """Fire one trigger on each of N distinct (bulk-built, detained) cases; peak RSS
    after the first EARLY triggers and after all N."""
    step = scenario.W_STEPS[0]
    with Service.open(path, synchronous="NORMAL") as service:
        start = time.perf_counter()
        for case_id in range(1, early + 1):
            service.fire(step[0], case_id, step[1], at=step[2], **step[3])
        at_early = peak_rss_mb()
        for case_id in range(early + 1, n + 1):
            service.fire(step[0], case_id, step[1], at=step[2], **step[3])
        seconds = time.perf_counter() - start
    return {"early_rss_mb": at_early, "peak_rss_mb": peak_rss_mb(), "rate": n / seconds}


def template(steps: list[scenario.Step]) -> dict[str, Any]:
    """One case walked through STEPS in memory: its final row, its audit rows, and per
    step the case row it left and the SQL crossings ran for it (traced with
    ``set_trace_callback``)."""
    with Service.init(":memory:", scenario.ADMIN, clock=scenario.fixed_clock,
                      keys=KeyRing(memory=True)) as service:
        scenario.add_actors(service)
        trace: list[str] = []
        service.store.conn.set_trace_callback(trace.append)  # type: ignore[attr-defined]
        statements, cases = [], []
        case_id = scenario.open_cases(service, 1)[0]
        for step in [None, *steps]:
            if step is not None:
                scenario.fire_steps(service, [case_id], [step])
            statements.append(shapes(trace))
            service.store.conn.set_trace_callback(None)  # type: ignore[attr-defined]
            cases.append(_case_columns(service, case_id))
            trace.clear()
            service.store.conn.set_trace_callback(trace.append)  # type: ignore[attr-defined]
        service.store.conn.set_trace_callback(None)  # type: ignore[attr-defined]
        case = service.show(case_id)
        rows = list(service.store.audit(case_id=case_id))
    return {"case": {"id": case.id, "state": case.state, "version": case.version,
                     "name": case.name, "native_name": case.native_name,
                     "facts": dumps(case.facts),
                     "flagged": int(case.flagged), "opened_on": case.facts["opened_on"],
                     "updated_at": rows[-1]["recorded_at"], "policy": case.policy},
            "cases": cases, "rows": rows, "statements": statements}


def _case_columns(service: Service, case_id: int) -> dict[str, Any]:
    case = service.show(case_id)
    return {"name": case.name, "native_name": case.native_name, "facts": dumps(case.facts),
            "flagged": int(case.flagged), "opened_on": case.facts["opened_on"],
            "policy": case.policy}


_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\bNULL\b")


def shapes(trace: list[str]) -> list[str]:
    """The statements of a command's transaction (BEGIN to COMMIT), their values as
    ``?`` (the trace shows them bound), without SQLite's own (``-- ...``: FTS5's and
    trigger sub-programs') and without the repeats the trace shows of one statement for
    each trigger sub-program it runs."""
    out: list[str] = []
    begun, last = False, None
    for sql in trace:
        begun = begun or sql.startswith("BEGIN")
        if begun and not sql.startswith("--") and sql != last:
            out.append(_LITERAL.sub("?", sql))
        last = sql if not sql.startswith("--") else last
    return out


def schema_database(path: Path) -> Path:
    """A database as W starts from (crossings' schema with its indexes and triggers, the
    bench's actors, no case): the baseline copies it, so it writes to the very same."""
    with Service.init(str(fresh(path)), scenario.ADMIN, clock=scenario.fixed_clock,
                      keys=KeyRing(memory=True)) as service:
        scenario.add_actors(service)
    return path


def write_template(workdir: Path) -> Path:
    """W's template (``template``) and the database the baseline starts from, in WORKDIR."""
    path = workdir / "w-template.json"
    data = {**template(scenario.W_STEPS),
            "schema_db": str(schema_database(workdir / "w-schema.db"))}
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path
