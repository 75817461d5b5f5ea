"""Section 8: `crossings import` of an archival list against replay, side by side.

Import: N rows of a CSV file (each a new case with a romanised name, a Hangul name and an
alias) read, checked and opened in one batch, from the file on disk. Replay: a scenario of
N events (cases opened and walked through investigate, begin_persuasion and two
persuasions), already parsed, replayed into a database in one batch. Both through the
public API, each in its own process, in alternating order; rows (events) per second and
the median of the per-round ratios.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from .common import Config, Row, fresh, interleaved, median, run_child, rate_text

SURNAMES = ["Kim", "Ri", "Pak", "Choe", "Jong", "Kang", "O", "Sin", "Han", "Yun"]
HANGUL = ["김", "리", "박", "최", "정", "강", "오", "신", "한", "윤"]
GIVEN = ["Myong-ok", "Chol", "Sun-hui", "Il", "Yong-su", "Ok-sun", "Song-ae", "Kwang"]
GIVEN_HANGUL = ["명옥", "철", "순희", "일", "영수", "옥순", "성애", "광"]
EVENTS_PER_CASE = 5


def write_list(path: Path, n: int) -> Path:
    """A CSV list of N people with varied names (parent process, untimed)."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "native_name", "crossed_on", "place", "aliases", "source"])
        for i in range(n):
            s, g = i % len(SURNAMES), (i // len(SURNAMES)) % len(GIVEN)
            writer.writerow([f"{SURNAMES[s]} {GIVEN[g]} {i}", HANGUL[s] + GIVEN_HANGUL[g],
                             "1961-03", "Badaogou", f"{SURNAMES[s]}-{i}",
                             f"register p. {i // 40 + 1}"])
    return path


def import_csv(path: str, csv_path: str, n: int) -> dict[str, Any]:
    """Child: import the list into a fresh database, in one batch."""
    from crossings.replay.imports import import_file

    from .workload import _rates, _service

    with _service(path) as service:
        start, cpu = time.perf_counter(), time.process_time()
        done = import_file(service, csv_path, "Zhao", at="1961-11-12")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(done.case_ids) == n
    return _rates(n, seconds, cpu)


def _scenario(n: int) -> Any:
    from crossings.replay import from_data

    from . import scenario

    events: list[dict[str, Any]] = []
    for case in range(max(1, n // EVENTS_PER_CASE)):
        label = f"c{case}"
        events += [
            {**scenario.OPEN, "by": "Zhao", "do": "open", "case": label},
            {"at": "1961-11-28", "by": "Zhao", "do": "investigate", "case": label,
             "citizenship": "dprk", "purpose": "other", "spouse": "none"},
            {"at": "1961-11-28", "by": "Zhao", "do": "begin_persuasion", "case": label},
            {"at": "1961-11-30", "by": "Zhao", "do": "persuade", "case": label,
             "outcome": "refused", "method": "talk with family"},
            {"at": "1961-12-07", "by": "Zhao", "do": "persuade", "case": label,
             "outcome": "agreed"}]
    events.sort(key=lambda e: e["at"])  # a scenario's events run in date order
    return from_data({"actors": [{"name": "Zhao", "role": "county-officer"}],
                      "events": events}, "bench-scenario")


def replay_events(path: str, n: int) -> dict[str, Any]:
    """Child: replay a parsed scenario of N events into a fresh database, in one batch."""
    from crossings.replay import replay_scenario

    from . import scenario as bench
    from .workload import _rates, _service

    parsed = _scenario(n)
    with _service(path) as service:
        start, cpu = time.perf_counter(), time.process_time()
        report = replay_scenario(service, parsed, admin=bench.ADMIN)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.ok, report.divergences[:3]
    return _rates(report.events, seconds, cpu)


def import_rate(config: Config) -> list[Row]:
    n = config.n("import")
    listing = write_list(config.workdir / f"import-{n}.csv", n)
    db = config.workdir / "import.db"
    kinds = {
        "import": lambda: run_child("import_csv", path=str(fresh(db)), csv_path=str(listing),
                                    n=n),
        "replay": lambda: run_child("replay_events", path=str(fresh(db)), n=n),
    }
    results = interleaved(config.runs, kinds)
    ratio = median(i["rate"] / r["rate"] for i, r in zip(results["import"], results["replay"]))
    label = f"{n:,}"
    return [
        Row("8 import", f"import of a {label}-row CSV list (one batch)",
            rate_text(results["import"], "rows/s"), runs=results["import"]),
        Row("8 import", f"replay of a {label}-event scenario (one batch)",
            rate_text(results["replay"], "events/s"), runs=results["replay"]),
        Row("8 import", "import rows/s : replay events/s", f"{ratio:.2f}x", ">= 1.0x",
            ratio >= 1.0),
    ]
