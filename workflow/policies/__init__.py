"""The registry of policies: each a package of its own, found here by ``id@version``.

``DEFAULT`` is the policy a new database and a new case take unless told otherwise.
"""

from __future__ import annotations

from workflow.errors import InvalidInput
from workflow.table import Policy

from .jilin_1961 import POLICY as JILIN_1961

POLICIES: dict[str, Policy] = {p.key: p for p in (JILIN_1961,)}
DEFAULT = JILIN_1961


def get(key: str) -> Policy:
    """The policy ``id@version`` (or ``id``: its newest version)."""
    found = POLICIES.get(key)
    if found is not None:
        return found
    versions = [p for p in POLICIES.values() if p.id == key]
    if versions:
        return max(versions, key=lambda p: int(p.version))
    raise InvalidInput(f"unknown policy {key!r}; policies: {', '.join(POLICIES)}")


__all__ = ["DEFAULT", "POLICIES", "get"]
