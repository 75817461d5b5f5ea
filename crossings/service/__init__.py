"""The service: the one object the CLI (and any Python caller) talks to.

``Service`` gathers its parts, each a module of one concern: ``setup`` (actors,
settings), ``commands`` (the one command path every trigger takes), ``queries`` (list,
log, why, next), ``search`` (cases by any of their names), ``reports`` (timelines, name
lists, group manifests, reports), ``trail`` (verify, checkpoints), ``reading`` (sources,
dossiers, dates for pictures) and ``versions`` (whatif, migrate, void).
"""

from __future__ import annotations

from .base import Clock, utc_now
from .commands import Command, Commands, GroupRecord, Result
from .reading import Reading
from .search import Search
from .setup import Setup
from .versions import Versions


class Service(Setup, Commands, Reading, Search, Versions):
    """Runs the policy against one database."""


__all__ = ["Clock", "Command", "GroupRecord", "Result", "Service", "utc_now"]
