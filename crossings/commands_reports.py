"""Commands for diagrams, name lists, handover manifests, reports and browsing (issue 6)."""

from __future__ import annotations
