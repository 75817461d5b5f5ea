"""Read-only queries behind the reports, name lists and manifests (issue 6).

A mixin of :class:`store.sqlite.SQLiteStore`: SQL stays in ``store/``.
"""

from __future__ import annotations


class SQLiteReports:
    """Report queries over the SQLite schema."""
