"""The events the benchmark fires: workload W of issue 5 and the bulk-build templates.

W: each case is opened, then investigate -> begin_persuasion -> persuade x3 (refused)
-> refer -> consulate_reply (agreed) -> grant_residency: nine transitions a case.
Everything here goes through the public Python API (``Service``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

ACTORS = {"Zhao": "county-officer", "Kim": "border-defence", "Liu": "foreign-affairs"}
# Opened after the cable (1961-11-25), the policy every bench case is handled under: an
# earlier open is a compliance finding of its own under version 3 (G), and dated before it
# every bulk-built case would be listed by `report compliance` (section 5's mix is
# 200,000 findings at 1,000,000 cases: the refusers without food or clothing, W3).
OPEN: dict[str, Any] = {"at": "1961-11-26", "name": "Choe Myong-ok", "native_name": "최명옥",
                        "crossed_on": "1961-03-20", "place": "Badaogou"}
Step = tuple[str, str, str, dict[str, Any]]  # trigger, actor, at, params

W_STEPS: list[Step] = [
    ("investigate", "Zhao", "1961-11-28",
     {"citizenship": "dprk", "purpose": "other", "spouse": "chinese-korean"}),
    ("begin_persuasion", "Zhao", "1961-11-28", {}),
    ("persuade", "Zhao", "1961-11-30", {"outcome": "refused", "method": "talk with family"}),
    ("persuade", "Zhao", "1961-12-07", {"outcome": "refused"}),
    ("persuade", "Zhao", "1961-12-14", {"outcome": "refused"}),
    ("refer", "Zhao", "1961-12-20", {}),
    ("consulate_reply", "Liu", "1962-02-26", {"reply": "agreed"}),
    ("grant_residency", "Liu", "1962-03-05", {}),
]
TRANSITIONS_PER_CASE = 1 + len(W_STEPS)

# Ready for a group handover: the latest persuasion attempt agreed (P1).
READY_STEPS: list[Step] = [
    *W_STEPS[:2],
    ("persuade", "Zhao", "1961-11-30", {"outcome": "agreed", "method": "talk with family"}),
]
HANDOVER: dict[str, Any] = {"at": "1961-12-21", "representative": "Kang Myong-chol",
                            "crossing_point": "Changbai-Hyesan bridge"}

# Bulk-build templates (benchmark.build): name -> the steps after opening.
TEMPLATES: dict[str, list[Step]] = {
    "resident": W_STEPS,                                            # 9 rows, residing
    "referred": W_STEPS[:6],                                        # 7 rows, referred
    "ready": [*W_STEPS[:4], ("persuade", "Zhao", "1961-12-08",     # 6 rows, persuading
                             {"outcome": "agreed", "method": "talk with family"})],
    "detained": [],                                                 # 1 row, detained
}
# Case id % 10 -> template: 8.0 audit rows a case on average.
MIX = ["resident"] * 6 + ["referred"] * 2 + ["ready"] * 2
FIXED_NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


ADMIN = "Admin"


def add_actors(service: Any) -> None:
    for name, role in ACTORS.items():
        service.ensure_actor(name, role, ADMIN)


def open_cases(service: Any, n: int) -> list[int]:
    return [service.fire("open", None, "Zhao", **OPEN).id for _ in range(n)]


def fire_steps(service: Any, case_ids: list[int], steps: list[Step]) -> None:
    """Fire each step on every case in turn (stage by stage, as a county office would)."""
    for trigger, actor, at, params in steps:
        for case_id in case_ids:
            service.fire(trigger, case_id, actor, at=at, **params)
