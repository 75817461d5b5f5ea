"""Section 7, what trust costs: signing and checking one signature per event, and verify
of a whole signed trail (rows per second, peak memory of verify and its workers)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from .common import Config, Row, median, run_child
from .verify_big import ensure_database, timed_verify
from .workload import write_template

TARGET_SECONDS = 120  # 1,000,000 signed rows


def sign_and_check(template: str, n: int) -> dict[str, Any]:
    """Child: sign each audit row of workload W (its canonical bytes) N times over, then
    check each signature; microseconds a row."""
    from crossings.keys import PrivateKey, verifier
    from workflow.audit import canonical_bytes

    rows = json.loads(Path(template).read_text())["rows"]
    blobs = [canonical_bytes(row) for row in rows]
    key = PrivateKey.generate()
    check = verifier(key.public)
    start = time.perf_counter()
    signatures = [key.sign(blob) for _ in range(n) for blob in blobs]
    signed = time.perf_counter() - start
    start = time.perf_counter()
    held = all(check(blob, sig) for blob, sig in zip(blobs * n, signatures))
    checked = time.perf_counter() - start
    count = n * len(blobs)
    return {"sign_us": signed / count * 1e6, "check_us": checked / count * 1e6, "held": held,
            "bytes": sum(map(len, blobs)) / len(blobs)}


def trust(config: Config) -> list[Row]:
    template = write_template(config.workdir)
    runs = [run_child("sign_and_check", template=str(template), n=config.n("signatures"))
            for _ in range(config.runs)]
    sign, check = median(r["sign_us"] for r in runs), median(r["check_us"] for r in runs)
    rows = [Row("7 trust", f"Ed25519 signature of an audit row ({runs[0]['bytes']:.0f} bytes)",
                f"{sign:.1f} us a row written", runs=runs),
            Row("7 trust", "Ed25519 check of a signature", f"{check:.1f} us a row verified")]
    n = config.n("verify")
    db = config.workdir / f"verify-{n}.db"
    ensure_database(db, n, config.rebuild)
    report, took, cpu, peak_mb = timed_verify(db, None)
    rate = report["rows"] / took
    target = f"<= {TARGET_SECONDS} s for 1,000,000" if config.size == "full" else ""
    holds = (took <= TARGET_SECONDS and report["ok"]) if config.size == "full" else None
    rows.append(Row("7 trust", f"verify of {report['rows']:,} signed rows",
                    f"{took:.1f} s = {rate:,.0f} rows/s ({cpu:.0f} CPU-s), peak {peak_mb:.0f} MB, "
                    f"{'clean' if report['ok'] else str(report['problem_count']) + ' problems'}",
                    target, holds, [{"seconds": took, "cpu": cpu, "peak_mb": peak_mb}]))
    return rows
