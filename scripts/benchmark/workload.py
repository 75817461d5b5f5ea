"""crossings' side of each workload, through the public Python API only (``Service``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from crossings.keys import KeyRing
from crossings.service import Command, Service
from workflow.audit import dumps

from . import scenario
from .child import peak_rss_mb, timed


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
    """One case walked through STEPS in memory: its final row and its audit rows."""
    with Service.init(":memory:", scenario.ADMIN, clock=scenario.fixed_clock,
                      keys=KeyRing(memory=True)) as service:
        scenario.add_actors(service)
        case_id = scenario.open_cases(service, 1)[0]
        scenario.fire_steps(service, [case_id], steps)
        case = service.show(case_id)
        rows = list(service.store.audit(case_id=case_id))
    return {"case": {"id": case.id, "state": case.state, "version": case.version,
                     "name": case.name, "native_name": case.native_name,
                     "facts": dumps(case.facts),
                     "flagged": int(case.flagged), "opened_on": case.facts["opened_on"],
                     "updated_at": rows[-1]["recorded_at"], "policy": case.policy},
            "rows": rows}


def write_template(path: Path) -> Path:
    path.write_text(json.dumps(template(scenario.W_STEPS), ensure_ascii=False))
    return path
