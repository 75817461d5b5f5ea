"""The service: the one object the CLI (and any Python caller) talks to.

``Service`` gathers its parts, each a module of one concern: ``core`` (set-up, triggers,
the write transaction), ``queries`` (show, list, log, why, next), ``audit`` (replay,
verify, checkpoint) and ``reports`` (timelines, name lists, manifests, reports, diagrams).
"""

from __future__ import annotations

from .audit import AuditTrail
from .core import Clock, utc_now
from .reports import Reports


class Service(Reports, AuditTrail):
    """Runs the policy against one database."""


__all__ = ["Clock", "Service", "utc_now"]
