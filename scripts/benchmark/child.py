"""``python -m benchmark.child FUNC JSON``: run one workload in this process, print its JSON.

The workload's module is imported only here, so a raw-sqlite3 child never imports
crossings. ``peak_rss_mb`` is this process's own peak resident set (VmHWM). With a
``profile`` argument the workload's timed part (``with timed():``) runs under cProfile
and its stats go to that file.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
from contextlib import contextmanager
from typing import Any, Iterator

FUNCS = {
    "engine_w": "benchmark.workload:engine_w",
    "raw_w": "benchmark.raw:raw_w",
    "engine_batch": "benchmark.workload:engine_batch",
    "raw_batch": "benchmark.raw:raw_batch",
    "handover": "benchmark.workload:handover",
    "memory": "benchmark.workload:memory",
    "build": "benchmark.build:build",
    "sign_and_check": "benchmark.trust:sign_and_check",
    "import_csv": "benchmark.imports:import_csv",
    "replay_events": "benchmark.imports:replay_events",
    "engine_w_pg": "benchmark.postgres:engine_w_pg",
    "raw_w_pg": "benchmark.postgres:raw_w_pg",
    "handover_pg": "benchmark.postgres:handover_pg",
    "verify_pg": "benchmark.postgres:verify_pg",
}


_profiler: Any = None


@contextmanager
def timed() -> Iterator[None]:
    """Mark the part of a workload that is measured (and profiled, with ``profile``)."""
    if _profiler is not None:
        _profiler.enable()
    try:
        yield
    finally:
        if _profiler is not None:
            _profiler.disable()


def peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM of /proc/self/status. Not ru_maxrss: Linux
    carries that over fork and exec, so a child would report its parent's peak too."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    module, func = FUNCS[name].split(":")
    target = getattr(importlib.import_module(module), func)
    profile = args.pop("profile", None)
    if not profile:
        return dict(target(**args))
    import cProfile

    global _profiler
    _profiler = cProfile.Profile()
    result = dict(target(**args))
    _profiler.dump_stats(profile)
    return result


def main(argv: list[str]) -> None:
    result = call(argv[0], json.loads(argv[1]) if len(argv) > 1 else {})
    result.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    from benchmark import child  # the module the workloads import, not this __main__ copy

    child.main(sys.argv[1:])
