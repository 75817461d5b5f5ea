"""Section 4: CLI latency of real subprocesses against `sqlite-utils tables DB`."""

from __future__ import annotations

from . import build, scenario
from .commands import compiled, import_times, script, timings
from .common import Config, Row, median

READS = {
    "show": ["show", "48"],
    "log --case": ["log", "--case", "48"],
    "why": ["why", "48", "hand-over"],
    "next": ["next", "48"],
    "search": ["search", "Choi Myeong-ok"],  # a variant spelling of every case's name
}
TRIGGERS = {
    "persuade": ["persuade", "58", "--outcome", "refused", "--at", "1962-04-01"],
    "provide": ["provide", "59", "--items", "food", "--at", "1962-04-01"],
}


def cli_latency(config: Config) -> list[Row]:
    db = build.ensure(config, "latency", 100, scenario.MIX)  # 48, 58, 59: persuading
    env = {"CROSSINGS_DB": str(db), "CROSSINGS_ACTOR": "Zhao"}
    compiled()
    crossings = script("crossings")
    commands = {name: ([crossings, *args], env) for name, args in {**READS, **TRIGGERS}.items()}
    commands["baseline"] = ([script("sqlite-utils"), "tables", str(db)], {})
    results = timings(commands, config.n("cli_rounds"))
    base = median(results["baseline"])
    rows = [Row("4 CLI latency", "sqlite-utils tables DB (the yardstick)", f"{base * 1000:.0f} ms",
                runs=results["baseline"])]
    for name, runs in results.items():
        if name == "baseline":
            continue
        limit = 0.5 if name in READS else 0.75
        wall = median(runs)
        rows.append(Row("4 CLI latency", f"crossings {name}",
                        f"{wall * 1000:.0f} ms = {wall / base:.2f}x",
                        f"<= {limit}x", wall / base <= limit, runs))
    return rows


def imports_report(config: Config) -> str:
    """The heaviest imports of `crossings show` and `crossings persuade`, for --imports."""
    db = build.ensure(config, "latency", 100, scenario.MIX)
    env = {"CROSSINGS_DB": str(db), "CROSSINGS_ACTOR": "Zhao"}
    lines = []
    for args in (READS["show"], TRIGGERS["persuade"]):
        lines.append(f"crossings {' '.join(args)}: heaviest imports (cumulative µs)")
        lines += [f"  {us:>8}  {module}" for us, module in import_times(args, env)]
    return "\n".join(lines)
