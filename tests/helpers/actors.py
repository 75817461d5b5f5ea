"""The actors the tests act as: an administrator, one actor of every role of the cable;
and a handover's options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crossings.service import Service

ACTORS = {
    "Zhao": "county-officer",
    "Kim": "border-defence",
    "Liu": "foreign-affairs",
    "Wang": "provincial-committee",
    "Sun": "public-security",
}
HANDOVER = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"}
ADMIN = "Admin"  # every test database's first administrator


V2 = "jilin-1961@2"  # the tests of version 2's rules pin their databases to it


def new_database(path: str, *, live: bool = True, policy: str | None = V2,
                 **options: Any) -> Service:
    """A database made by ``Service.init`` with one actor of every role, registered by
    ADMIN; their keys in the key ring (``CROSSINGS_KEYS``, a directory of the session).
    LIVE: an office running the procedure live, where an event given no date is dated
    today (``default_event_date today``); False: every event must carry its date.
    POLICY: the database's setting ``policy``, which new cases take (None: not set, the
    registry's newest; the suite's tests of version 2's rules, most of it, pin version 2;
    version 3's rulings are tested under version 3)."""
    from crossings.service import Service

    service = Service.init(path, ADMIN, **options)
    for name, role in ACTORS.items():
        service.add_actor(name, role, ADMIN)
    if live:
        service.set_setting("default_event_date", "today", ADMIN)
    if policy is not None:
        service.set_setting("policy", policy, ADMIN)
    return service
