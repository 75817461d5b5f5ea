"""The service: the one object the CLI (and any Python caller) talks to.

``Service`` gathers its parts, each a module of one concern: ``setup`` (actors,
settings), ``commands`` (the one command path every trigger takes), ``queries`` (list,
log, why, next), ``search`` (cases by any of their names), ``reports`` (timelines, name
lists, group manifests, reports) and ``trail`` (verify, checkpoints).
"""

from __future__ import annotations

from .base import Clock, utc_now
from .commands import Command, Commands, GroupRecord, Result
from .reports import Reports
from .search import Search
from .setup import Setup
from .trail import Trail


class Service(Setup, Commands, Reports, Search, Trail):
    """Runs the policy against one database."""


__all__ = ["Clock", "Command", "GroupRecord", "Result", "Service", "utc_now"]
