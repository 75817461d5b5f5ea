"""Time `crossings verify` over a large synthetic trail; print rows/s and peak memory.

The database is built by crossings.synthetic (every row an engine decision, chained by
the store, written in large transactions) in a child process, and kept for the next
run unless --rebuild. verify runs as another child; its memory is sampled from /proc
every 50 ms as the sum of the resident sizes of verify and its worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS, TARGET_MB = 120, 200  # 1,000,000 signed rows (issues 10, 14)


def existing_rows(path: Path) -> int:
    """The audit rows of a database kept from an earlier run; 0 (build again) if there is
    none or it is of another schema than this code writes (verify would refuse it)."""
    if not path.exists():
        return 0
    import sqlite3

    from store.sqlite.schema import SCHEMA_VERSION

    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return 0
        return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def ensure_database(path: Path, rows: int, rebuild: bool, policy: str | None = None) -> None:
    have = 0 if rebuild else existing_rows(path)
    if have >= rows:
        print(f"reusing {path}: {have:,} rows", file=sys.stderr)
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    code = ("import sys; from benchmark.synthetic import build; "
            "print(build(sys.argv[1], int(sys.argv[2]), policy=sys.argv[3] or None))")
    made = int(subprocess.run([sys.executable, "-c", code, str(path), str(rows), policy or ""],
                              check=True, capture_output=True, text=True).stdout)
    took = time.perf_counter() - start
    print(f"built {made:,} rows in {took:.1f} s ({made / took:,.0f} rows/s)", file=sys.stderr)


def _ppid_and_rss(pid: str) -> tuple[int, int]:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{pid}/status") as status:
            rss = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except (OSError, ValueError, IndexError):
        return -1, 0
    return ppid, rss


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KB."""
    table = {int(p): _ppid_and_rss(p) for p in os.listdir("/proc") if p.isdigit()}
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += table.get(pid, (0, 0))[1]
        todo += [child for child, (ppid, _) in table.items() if ppid == pid]
    return total


def timed_verify(path: Path, jobs: int | None) -> tuple[dict, float, float, float]:
    """Run `crossings verify --json`: its report, wall seconds, CPU seconds (verify and
    its workers), and peak resident memory of all its processes together, in MB."""
    command = ["verify", "--db", str(path), "--json"] + (["--jobs", str(jobs)] if jobs else [])
    out, took, cpu, peak = timed_command(command, (0, 1))
    return json.loads(out), took, cpu, peak


def timed_command(args: list[str], codes: tuple[int, ...] = (0,)
                  ) -> tuple[bytes, float, float, float]:
    """Run `crossings ARGS`: its stdout, wall seconds, CPU seconds (it and its workers),
    and the peak resident memory of all its processes together, in MB."""
    command = [sys.executable, "-m", "crossings", *args]
    peak = 0
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_kb(child.pid))
            time.sleep(0.05)
        took = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        data = out.read()
    if child.returncode not in codes:
        sys.exit(f"crossings {args[0]} failed with exit code {child.returncode}")
    return data, took, usage.ru_utime + usage.ru_stime, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="audit rows to build")
    parser.add_argument("--db", type=Path, help="database path (default: in the temp dir)")
    parser.add_argument("--rebuild", action="store_true", help="build even if it exists")
    parser.add_argument("--jobs", type=int, help="verify's --jobs (default: its own choice)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / f"crossings-bench-{args.rows}.db"
    ensure_database(path, args.rows, args.rebuild)
    report, took, cpu, peak_mb = timed_verify(path, args.jobs)
    verdict = "ok" if report["ok"] else f"{report['problem_count']} problem(s)"
    load = os.getloadavg()[0]
    print(f"verify: {report['rows']:,} rows, {report['cases']:,} cases in {took:.1f} s: "
          f"{report['rows'] / took:,.0f} rows/s; {cpu:.1f} CPU-s ({report['rows'] / cpu:,.0f} "
          f"rows per CPU-second); peak memory {peak_mb:.0f} MB (all verify processes); "
          f"load average {load:.1f} on {os.cpu_count()} CPUs; {verdict}")
    if args.rows >= 1_000_000:
        met = took < TARGET_SECONDS and peak_mb < TARGET_MB
        print(f"target (under {TARGET_SECONDS} s and {TARGET_MB} MB): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
