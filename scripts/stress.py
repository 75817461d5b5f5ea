"""The full forms of the reliability tests, with their figures. Run through scripts/stress.

    scripts/stress                      # everything: 4 x 500, 1,000 kills, 10,000 examples
    scripts/stress --only crashes --kills 100
    scripts/stress --attempts 100 --kills 50 --examples 200 --json
    scripts/stress --only postgresql     # on the throwaway server scripts/stress starts

Exits 1 if any figure shows a fault (a lost update, a "database is locked", a damaged
file after a kill, a disagreement with the reference model, a fault that wrote).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from helpers import clerks, crashes  # tests/helpers, on PYTHONPATH (scripts/stress sets it)

SECTIONS = ("concurrency", "crashes", "faults", "properties", "postgresql")


def concurrency(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    runs = [(m, s, args.attempts) for s in ("persuade", "cycle", "hand-over")
            for m in ("api", "cli")] + [("spawn", "persuade", args.spawned)]
    out = []
    for i, (mode, scenario, count) in enumerate(runs):
        if count:
            figures = clerks.run(str(work / f"clerks{i}.db"), mode, scenario, count)
            figures["ok"] = _clean_race(figures)
            out.append(figures)
            _say(_line(f"{mode:5} {scenario:9}", figures, CLERK_FIGURES))
    return out


CLERK_FIGURES = ("attempts", "applied", "refused", "inapplicable", "conflicts", "lost_updates",
                 "handed_twice", "locked_errors", "other_errors", "interleavings", "seconds")


def _clean_race(f: dict[str, Any]) -> bool:
    return (f["lost_updates"] == 0 and f["locked_errors"] == 0 and f["other_errors"] == 0
            and not f["message_faults"] and not f["problems"]
            and f.get("handed_twice", 0) == 0)


def crash(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    figures = crashes.run(str(work / "crashes.db"), args.kills)
    figures["ok"] = (figures["kills"] == args.kills and not figures["first_problems"])
    _say(_line("kills", figures, ("kills", "killed_mid_command", "audit_rows",
                                  "integrity_failures", "chain_failures", "replay_failures",
                                  "seconds")))
    return [figures]


def faults(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    import test_faults

    template = test_faults.build_template(work / "faults-template.db")
    start, points, problems = time.perf_counter(), 0, []
    for name in test_faults.COMMANDS:
        for kind in sorted(test_faults.KINDS):
            steps, found = test_faults.sweep(template, work, name, kind)
            points += steps
            problems += [f"{name}, {kind}: {p}" for p in found]
    figures = {"commands": len(test_faults.COMMANDS), "error_kinds": len(test_faults.KINDS),
               "statements_failed": points, "problems": len(problems),
               "first_problems": problems[:5], "seconds": round(time.perf_counter() - start, 2),
               "ok": not problems}
    _say(_line("faults", figures, ("commands", "error_kinds", "statements_failed", "problems",
                                   "seconds")))
    return [figures]


def properties(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    from hypothesis import settings
    from hypothesis.stateful import run_state_machine_as_test

    import test_properties

    machine = test_properties.Clerks
    chosen = settings(settings.get_profile("crossings"), max_examples=args.examples,
                      database=None)
    start, failure = time.perf_counter(), None
    try:
        run_state_machine_as_test(machine, settings=chosen)
    except Exception:  # a disagreement with the model: keep its report
        failure = traceback.format_exc(limit=3)
    # Hypothesis counts only valid sequences towards max_examples; this counts every run.
    figures = {"examples": machine.examples, "commands": sum(machine.outcomes.values()),
               **{k: machine.outcomes[k] for k in ("applied", "refused", "rejected")},
               "cases_reaching": dict(sorted(machine.reached.items())),
               "failures": int(failure is not None), "failure": failure,
               "seconds": round(time.perf_counter() - start, 2), "ok": failure is None}
    _say(_line("model", figures, ("examples", "commands", "applied", "refused", "rejected",
                                  "failures", "seconds")))
    _say(f"  examples with a case reaching each state: {figures['cases_reaching']}")
    if failure:
        _say(failure)
    return [figures]


def postgresql(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """The battery of issue 13 on a real server, each run in a database of its own, the
    clerks connected as a login role of the clerk role."""
    from helpers import postgres, server

    admin = postgres.server_url()
    if admin is None:
        _say("  skipped: no PostgreSQL server (install PostgreSQL's binaries, or set "
             "CROSSINGS_TEST_PG)")
        return [{"ok": False, "skipped": "no server"}]
    out = []
    runs: list[tuple[str, str, int, Any]] = [
        ("api", "persuade", args.attempts, None), ("cli", "persuade", args.attempts, None),
        ("cli", "cycle", args.attempts, None), ("cli", "hand-over", args.attempts, None)]
    restart = server.restartable() is None
    if restart:
        runs.append(("cli", "persuade-retried", args.attempts, None))
    for mode, scenario, count, during in runs:
        url = postgres.create_database(admin)
        if restart and scenario == "persuade-retried":  # once the clerks are well under way
            during = (lambda at: lambda: server.restart_when(at, args.attempts))(url)
        try:
            clerks.prepare(url, scenario, count)
            figures = clerks.run(url, mode, scenario, count, prepared=True,
                                 race_db=postgres.clerk_login(admin)(url), during=during)
        finally:
            postgres.drop_database(admin, url)
        figures["ok"] = _clean_race(figures) and not figures.get("server_error_faults")
        out.append(figures)
        _say(_line(f"pg {mode:4} {scenario:16}", figures,
                   (*CLERK_FIGURES, "server_errors", "retried_attempts")))
    url = postgres.create_database(admin)
    try:
        figures = crashes.run(url, args.pg_kills)
    finally:
        postgres.drop_database(admin, url)
    figures["ok"] = figures["kills"] == args.pg_kills and not figures["first_problems"]
    out.append(figures)
    _say(_line("pg kills", figures, ("kills", "killed_mid_command", "audit_rows",
                                     "chain_failures", "replay_failures", "seconds")))
    return out


RUNNERS: dict[str, Callable[[argparse.Namespace, Path], list[dict[str, Any]]]] = {
    "concurrency": concurrency, "crashes": crash, "faults": faults, "properties": properties,
    "postgresql": postgresql,
}


def _line(label: str, figures: dict[str, Any], keys: tuple[str, ...]) -> str:
    mark = "ok  " if figures.get("ok", True) else "FAIL"
    return f"  {mark} {label}: " + ", ".join(f"{k.replace('_', ' ')} {figures[k]}"
                                               for k in keys if k in figures)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/stress", description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=500, help="per clerk (4 clerks)")
    parser.add_argument("--spawned", type=int, default=50,
                        help="per clerk, a real crossings process per attempt")
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--pg-kills", type=int, default=200,
                        help="SIGKILLs of a clerk on the PostgreSQL server")
    parser.add_argument("--only", action="append", choices=SECTIONS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crossings-stress-") as tmp:
        for section in args.only or SECTIONS:
            _say(f"{section}:")
            results[section] = RUNNERS[section](args, Path(tmp))
    ok = all(f["ok"] for found in results.values() for f in found)
    _say(f"{'all clean' if ok else 'FAULTS FOUND'} in {time.perf_counter() - started:.0f} s")
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
