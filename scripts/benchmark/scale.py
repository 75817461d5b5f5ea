"""Section 5: the read commands on a bulk-built database of 1,000,000 cases (about
8,000,000 audit rows) against the same commands on a 100-case database.

Hooks for work merged later: REPORTS (issue 6) are timed against 2 s when the CLI has
them; `verify` (issue 3) is measured for constant memory when the CLI has it.
"""

from __future__ import annotations

from pathlib import Path

from . import build, scenario
from .commands import available, compiled, peak_run, run, script, timings
from .common import Config, Row, median

# Issue 6: (command name, arguments) of each report to hold within 2 s on the big database
# (the whole CLI command, default text output and --json). On the bench's mix, overdue and
# compliance list 200,000 people each and name-list --referred 800,000.
REPORTS: list[tuple[str, list[str]]] = [
    *((f"{name}{flag}", [*args, *([flag.strip()] if flag else [])])
      for name, args in (("overdue", ["report", "overdue"]),
                         ("compliance", ["report", "compliance"]),
                         ("summary --by state", ["report", "summary", "--by", "state"]),
                         ("summary --by place", ["report", "summary", "--by", "place"]),
                         ("summary --by month", ["report", "summary", "--by", "month"]),
                         ("summary --by clause", ["report", "summary", "--by", "clause"]),
                         ("handovers", ["handovers"]))
      for flag in ("", " --json")),
    ("name-list --referred", ["name-list", "--referred"]),
    ("name-list --referred --format json", ["name-list", "--referred", "--format", "json"]),
]
VERIFY = ["verify"]  # issue 3: `crossings verify` streams the whole chain


# Searches timed on both databases and against the yardstick. Every case of the bulk
# build carries one of the templates' names (Choe Myong-ok, 최명옥): a variant or fragment
# matches all 1,000,000 (a page of 20 is listed), a name no one has matches none.
SEARCHES = {
    "search a variant (Choi Myeong-ok)": ["search", "Choi Myeong-ok"],
    "search a Hangul fragment (명옥)": ["search", "명옥"],
    "search a Hangul surname (최)": ["search", "최"],
    "search a name no case has (Ri Il-sung)": ["search", "Ri Il-sung"],
}
SEARCH_TARGET = 0.5  # the read commands' latency target: x the yardstick (section 4)


def _reads(case_id: int, after: int) -> dict[str, list[str]]:
    return {
        "show": ["show", str(case_id)],
        "log --case": ["log", "--case", str(case_id)],
        "why": ["why", str(case_id), "hand-over"],
        "next": ["next", str(case_id)],
        "list --state (a page)": ["list", "--state", "persuading", "--after", str(after),
                                  "--limit", "50"],
        **SEARCHES,
    }


def scale(config: Config) -> list[Row]:
    n = config.n("scale")
    big = build.ensure(config, "scale", n, scenario.MIX, reuse=True)
    small = build.ensure(config, "scale", 100, scenario.MIX, reuse=True)
    info = build.built(big)
    rows = [Row("5 scale", f"built {n:,} cases, {info['rows']:,} audit rows",
                f"{info['seconds']:.0f} s, chain checked on {info['checked']:,} rows")]
    for db in (big, small):  # untimed: the first read of a file (its pages, the .pyc files)
        run([script("crossings"), "report", "summary"], {"CROSSINGS_DB": str(db)})
    rows += _compare(config, big, small, n)
    rows += _reports(big) + _verify(big, small)
    return rows


def _compare(config: Config, big: Path, small: Path, n: int) -> list[Row]:
    compiled()
    crossings = script("crossings")
    # Case ids ending in 8 are persuading (template "ready"): one mid-table in each.
    commands = {}
    for tag, db, case_id in (("big", big, n // 2 + 8), ("small", small, 48)):
        env = {"CROSSINGS_DB": str(db)}
        for name, args in _reads(case_id, case_id - 8).items():
            commands[f"{name}|{tag}"] = ([crossings, *args], env)
    commands["yardstick"] = ([script("sqlite-utils"), "tables", str(big)], {})
    results = timings(commands, config.n("scale_rounds"))
    yardstick = median(results["yardstick"])
    rows = []
    for name in _reads(1, 0):
        big_s = median(results[f"{name}|big"])
        small_s = median(results[f"{name}|small"])
        rows.append(Row("5 scale", f"{name}: {n:,} cases vs 100",
                        f"{big_s * 1000:.0f} ms vs {small_s * 1000:.0f} ms = "
                        f"{big_s / small_s:.2f}x", "<= 1.5x", big_s / small_s <= 1.5))
    rows.append(Row("5 scale", f"sqlite-utils tables on {n:,} cases (the yardstick)",
                    f"{yardstick * 1000:.0f} ms"))
    for name in (*SEARCHES, "show"):
        big_s = median(results[f"{name}|big"])
        rows.append(Row("5 scale", f"{name.split(' (')[0]} at {n:,} cases vs the yardstick",
                        f"{big_s * 1000:.0f} ms = {big_s / yardstick:.2f}x",
                        f"<= {SEARCH_TARGET}x", big_s / yardstick <= SEARCH_TARGET))
    return rows


def _reports(big: Path) -> list[Row]:
    present = [(name, args) for name, args in REPORTS if available(args[0])]
    if not present:
        return [Row("5 scale", "reports (issue 6)", "not measured: not merged yet", "<= 2 s")]
    rows = []
    for name, args in present:
        seconds = run([script("crossings"), *args], {"CROSSINGS_DB": str(big)})
        rows.append(Row("5 scale", f"report {name}", f"{seconds:.2f} s", "<= 2 s",
                        seconds <= 2))
    return rows


def _verify(big: Path, small: Path) -> list[Row]:
    if not available(VERIFY[0]):
        return [Row("5 scale", "verify at constant memory (issue 3)",
                    "not measured: not merged yet", "<= +10 MB")]
    measured = {}
    for tag, db in (("big", big), ("small", small)):
        measured[tag] = peak_run(VERIFY, {"CROSSINGS_DB": str(db)})
    growth = measured["big"][1] - measured["small"][1]
    return [Row("5 scale", "verify: peak RSS, big vs 100 cases",
                f"{measured['big'][1]:.0f} MB vs {measured['small'][1]:.0f} MB "
                f"(+{growth:.1f} MB), {measured['big'][0]:.0f} s", "<= +10 MB", growth <= 10)]
