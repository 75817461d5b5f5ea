"""Section 8: re-deriving a trail under another policy (issue 11), side by side with verify.

One synthetic trail handled under jilin-1961@2 (every row an engine decision, signed),
then, in one run: ``crossings verify``, ``crossings whatif --policy jilin-1961@3`` (every
request re-fired; the text form prints only the cases that part) and ``crossings migrate
--all --to jilin-1961@3 --dry-run``. Target: each at no less than half verify's rate, at
flat memory (the same commands on a trail a tenth the size: peak memory within 10 MB).
"""

from __future__ import annotations

from typing import Any

from .common import Config, Row
from .verify_big import ensure_database, timed_command, timed_verify

POLICY, TARGET = "jilin-1961@2", "jilin-1961@3"
COMMANDS = {
    "whatif": ["whatif", "--policy", TARGET],
    "migrate --dry-run": ["migrate", "--all", "--to", TARGET, "--dry-run", "--as", "Admin"],
}


def _measure(config: Config, rows: int) -> dict[str, Any]:
    db = config.workdir / f"versions-{rows}.db"
    ensure_database(db, rows, config.rebuild, POLICY)
    report, took, cpu, peak = timed_verify(db, None)
    out: dict[str, Any] = {"rows": report["rows"], "verify": (took, cpu, peak, report["ok"])}
    for name, args in COMMANDS.items():
        _, took, cpu, peak = timed_command([*args, "--db", str(db)])
        out[name] = (took, cpu, peak, True)
    return out


def versions(config: Config) -> list[Row]:
    big = _measure(config, config.n("versions"))
    small = _measure(config, config.n("versions_small"))
    rows_n = big["rows"]
    verify_rate = rows_n / big["verify"][0]
    out = [Row("8 versions", f"verify of {rows_n:,} rows (v2 trail)",
               f"{verify_rate:,.0f} rows/s, {big['verify'][1]:.0f} CPU-s, peak "
               f"{big['verify'][2]:.0f} MB", runs=[big["verify"]])]
    full = config.size == "full"
    for name in COMMANDS:
        took, cpu, peak, _ = big[name]
        rate = rows_n / took
        ratio = rate / verify_rate
        grows = peak - small[name][2]
        out.append(Row("8 versions", f"{name} over {rows_n:,} rows",
                       f"{rate:,.0f} rows/s = {ratio:.2f}x verify; {cpu:.0f} CPU-s; peak "
                       f"{peak:.0f} MB ({grows:+.0f} MB from {small['rows']:,} rows)",
                       ">= 0.5x verify, memory within 10 MB" if full else "",
                       (ratio >= 0.5 and grows <= 10) if full else None,
                       [big[name], small[name]]))
    return out
