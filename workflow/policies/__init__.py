"""The registry of policies: each a package of its own, found here by ``id@version``.

``DEFAULT`` (the newest ``jilin-1961``) is the policy a new case takes unless the
database's setting ``policy`` or the command names another; ``CATALOGUE`` is every
registered policy read as one, for the store's views and report indexes.
"""

from __future__ import annotations

from workflow.catalogue import Catalogue
from workflow.errors import InvalidInput
from workflow.table import Policy

from .jilin_1961 import VERSION_2 as JILIN_1961_2, VERSION_3 as JILIN_1961_3
from .mfa_mps_1957 import POLICY as MFA_MPS_1957

POLICIES: dict[str, Policy] = {p.key: p for p in (JILIN_1961_3, JILIN_1961_2, MFA_MPS_1957)}
DEFAULT = JILIN_1961_3  # the newest of the default family: new cases take it
CATALOGUE = Catalogue.of(POLICIES.values())


def get(key: str) -> Policy:
    """The policy ``id@version`` (or ``id``: its newest version); ids it was formerly
    known by are found too."""
    found = POLICIES.get(key)
    if found is not None:
        return found
    policy_id, _, version = str(key).partition("@")
    versions = [p for p in POLICIES.values() if policy_id in (p.id, *p.formerly)
                and (not version or p.version == version)]
    if versions:
        return max(versions, key=lambda p: int(p.version))
    raise InvalidInput(f"unknown policy {key!r}; policies: {', '.join(POLICIES)}")


__all__ = ["CATALOGUE", "DEFAULT", "JILIN_1961_2", "JILIN_1961_3", "MFA_MPS_1957", "POLICIES",
           "get"]
