"""What every section shares: result rows, child processes, fresh files, medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parents[2]  # the repository (scripts/benchmark/..)
SCRIPTS = ROOT / "scripts"


@dataclass
class Row:
    """One line of the table: a figure, its target (if any) and whether it holds."""

    section: str
    figure: str
    value: str
    target: str = ""
    holds: bool | None = None
    runs: list[Any] | None = None  # each run's raw result, for --json only


# Sizes per run kind: full (the figures, about 2 hours on 2 cores), quick (about
# 12 minutes), tiny (the test suite's smoke test: every code path, a few seconds, figures
# meaningless).
SIZES: dict[str, dict[str, int]] = {
    "w": {"full": 600, "quick": 200, "tiny": 4},
    # More, shorter rounds for W: a commit's fsync time swings tenfold on a shared disk,
    # and the median of many interleaved pairs rides that out better than a few long runs.
    "w_runs": {"full": 9, "quick": 3, "tiny": 1},
    "batch": {"full": 20_000, "quick": 2000, "tiny": 10},
    "handover": {"full": 10_000, "quick": 2000, "tiny": 10},
    "cli_rounds": {"full": 15, "quick": 5, "tiny": 1},
    "scale": {"full": 1_000_000, "quick": 100_000, "tiny": 300},
    "scale_rounds": {"full": 11, "quick": 5, "tiny": 1},
    "memory": {"full": 100_000, "quick": 20_000, "tiny": 200},
    "memory_early": {"full": 1000, "quick": 1000, "tiny": 50},
    "signatures": {"full": 2000, "quick": 500, "tiny": 5},  # rounds over W's nine rows
    "verify": {"full": 1_000_000, "quick": 100_000, "tiny": 2000},
    "versions": {"full": 1_000_000, "quick": 100_000, "tiny": 2000},
    "versions_small": {"full": 100_000, "quick": 10_000, "tiny": 500},
    "import": {"full": 100_000, "quick": 10_000, "tiny": 20},  # rows (and replayed events)
    "pg_w": {"full": 600, "quick": 200, "tiny": 4},  # cases of W per trigger on PostgreSQL
    "pg_verify": {"full": 10_000, "quick": 2000, "tiny": 10},  # cases (9 rows each)
}


@dataclass
class Config:
    size: str  # full | quick | tiny
    runs: int
    workdir: Path
    profile: Path | None = None  # where profiled runs write their pstats
    rebuild: bool = False

    def n(self, name: str) -> int:
        return SIZES[name][self.size]


def fresh(path: Path) -> Path:
    """Remove a database and its WAL companions; return the path."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def run_child(func: str, **args: Any) -> dict[str, Any]:
    """Run ``benchmark.child FUNC`` in a new Python process; return the JSON it prints last."""
    cmd = [sys.executable, "-m", "benchmark.child", func, json.dumps(args, default=str)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=_child_env())
    if done.returncode != 0:
        raise RuntimeError(f"bench child {func} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS), env.get("PYTHONPATH")]))
    return env


def interleaved(runs: int, kinds: dict[str, Callable[[], dict[str, Any]]]
                ) -> dict[str, list[dict[str, Any]]]:
    """Run every kind once per round, alternating the order round by round."""
    names = list(kinds)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(runs):
        for name in names if round_ % 2 == 0 else reversed(names):
            out[name].append(kinds[name]())
    return out


def median(values: Iterable[float]) -> float:
    return float(statistics.median(list(values)))


def ratio_rows(section: str, label: str, engine: list[dict[str, Any]],
               raw: list[dict[str, Any]], unit: str, target: float) -> list[Row]:
    """Engine and baseline rates, RSS, and the median of the per-round ratios."""
    ratio = median(e["rate"] / r["rate"] for e, r in zip(engine, raw))
    return [
        Row(section, f"{label}: crossings", rate_text(engine, unit), runs=engine),
        Row(section, f"{label}: raw sqlite3", rate_text(raw, unit), runs=raw),
        Row(section, f"{label}: ratio", f"{ratio:.2f}x", f">= {target}x", ratio >= target),
    ]


def rate_text(results: list[dict[str, Any]], unit: str) -> str:
    rate = median(r["rate"] for r in results)
    rss = median(r["peak_rss_mb"] for r in results)
    return f"{rate:,.0f} {unit}, peak RSS {rss:.1f} MB (median of {len(results)})"
