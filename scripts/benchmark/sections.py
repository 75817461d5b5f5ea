"""The throughput sections of the table: W(N) per trigger, batch, group handover, memory."""

from __future__ import annotations

from typing import Any

from . import build
from .common import Config, Row, fresh, interleaved, median, ratio_rows, run_child
from .workload import write_template


def _profiled(config: Config, name: str) -> dict[str, Any]:
    """Extra arguments that make one child write a cProfile file (with --profile)."""
    if config.profile is None:
        return {}
    return {"profile": str(config.profile / f"{name}.pstats")}


def per_trigger(config: Config, synchronous: str, target: float) -> list[Row]:
    n = config.n("w")
    template = write_template(config.workdir)
    db = config.workdir / f"w-{synchronous.lower()}.db"
    kinds = {
        "engine": lambda: run_child("engine_w", path=str(fresh(db)), n=n,
                                    synchronous=synchronous),
        "raw": lambda: run_child("raw_w", path=str(fresh(db)), n=n, synchronous=synchronous,
                                 template=str(template)),
    }
    results = interleaved(max(config.runs, config.n("w_runs")), kinds)
    if config.profile is not None:
        run_child("engine_w", path=str(fresh(db)), n=n, synchronous=synchronous,
                  **_profiled(config, f"w-{synchronous.lower()}"))
    label = f"W({n}) synchronous={synchronous}"
    return ratio_rows("1 per trigger", label, results["engine"], results["raw"],
                      "transitions/s", target)


def batch(config: Config) -> list[Row]:
    n = config.n("batch")
    template = write_template(config.workdir)
    db = config.workdir / "batch.db"
    kinds = {
        "engine": lambda: run_child("engine_batch", path=str(fresh(db)), n=n),
        "raw": lambda: run_child("raw_batch", path=str(fresh(db)), n=n,
                                 template=str(template)),
    }
    results = interleaved(config.runs, kinds)
    if config.profile is not None:
        run_child("engine_batch", path=str(fresh(db)), n=n, **_profiled(config, "batch"))
    return ratio_rows("2 batch", f"W({n}) in one Service.batch()", results["engine"],
                      results["raw"], "transitions/s", 0.4)


def handover(config: Config) -> list[Row]:
    n = config.n("handover")
    db = config.workdir / "handover.db"
    results = [run_child("handover", path=str(fresh(db)), n=n) for _ in range(config.runs)]
    if config.profile is not None:
        run_child("handover", path=str(fresh(db)), n=n, **_profiled(config, "handover"))
    rate = median(r["rate"] for r in results)
    return [Row("3 handover", f"hand_over of {n:,} cases in one command", f"{rate:,.0f} cases/s",
                ">= 20,000 cases/s", rate >= 20_000, results)]


def memory(config: Config) -> list[Row]:
    n, early = config.n("memory"), config.n("memory_early")
    db = build.ensure(config, "memory", n, ["detained"])
    result = run_child("memory", path=str(db), n=n, early=early)
    growth = result["peak_rss_mb"] - result["early_rss_mb"]
    return [Row("6 memory", f"peak RSS after {early:,} triggers",
                f"{result['early_rss_mb']:.1f} MB"),
            Row("6 memory", f"peak RSS after {n:,} triggers on {n:,} cases",
                f"{result['peak_rss_mb']:.1f} MB (+{growth:.1f} MB)", "<= +10 MB",
                growth <= 10, [result])]
