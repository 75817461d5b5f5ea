"""Benchmark crossings against raw sqlite3 side by side and print one table: each figure,
its target (issue 5) and whether it holds. See docs/performance.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from . import imports, latency, postgres, raw, scale, sections, table, trust, versions
from .common import Config, Row

SECTIONS: dict[str, Callable[[Config], list[Row]]] = {
    "w-full": lambda c: sections.per_trigger(c, "FULL", 0.85),
    "w-normal": lambda c: sections.per_trigger(c, "NORMAL", 0.5),
    "batch": sections.batch,
    "handover": sections.handover,
    "cli": latency.cli_latency,
    "scale": scale.scale,
    "memory": sections.memory,
    "trust": trust.trust,
    "versions": versions.versions,
    "import": imports.import_rate,
    "postgresql": postgres.section,
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="About 12 minutes on a 2-core machine: smaller N, 3 runs, "
                             "a 100,000-case scale database.")
    parser.add_argument("--tiny", action="store_true",
                        help="Seconds: every code path on tiny inputs, one run (the test "
                             "suite's smoke test); the figures mean nothing.")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), metavar="SECTION",
                        help=f"Run only these sections ({', '.join(SECTIONS)}).")
    parser.add_argument("--runs", type=int,
                        help="Runs per measurement (default: quick 3, full 5; W at least 9 "
                             "in a full run).")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "crossings-bench",
                        help="Where the databases go (the scale one is kept and reused).")
    parser.add_argument("--rebuild", action="store_true", help="Rebuild the scale database.")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="Also run each crossings workload once under cProfile, "
                             "writing DIR/<section>.pstats, and print the top entries.")
    parser.add_argument("--imports", action="store_true",
                        help="Also print the heaviest start-up imports of two commands.")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="Also write the table as Markdown to FILE.")
    parser.add_argument("--json", type=Path, metavar="FILE",
                        help="Also write every row with each run's raw result to FILE.")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    size = "tiny" if args.tiny else "quick" if args.quick else "full"
    runs = args.runs or {"full": 5, "quick": 3, "tiny": 1}[size]
    config = Config(size, runs, args.workdir, args.profile, args.rebuild)
    rows: list[Row] = []
    start = time.perf_counter()
    for name in args.only or list(SECTIONS):
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        rows += SECTIONS[name](config)
    print(header(size, time.perf_counter() - start))
    print(f"raw sqlite3, the baseline: {raw.describe()}")
    print(table.text(rows))
    if args.markdown:
        args.markdown.write_text(table.markdown(rows) + "\n")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n")
    if args.imports:
        print("\n" + latency.imports_report(config))
    if args.profile:
        print("\n" + profiles(args.profile))
    return 0


def header(size: str, seconds: float) -> str:
    when = dt.datetime.now().astimezone().isoformat(timespec="minutes")
    return (f"crossings bench ({size}), {when}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {seconds:.0f} s")


def profiles(directory: Path, top: int = 25) -> str:
    import io
    import pstats

    out = io.StringIO()
    for path in sorted(directory.glob("*.pstats")):
        out.write(f"== {path.stem}: top {top} by own time\n")
        pstats.Stats(str(path), stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
