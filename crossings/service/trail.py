"""Verifying the hash-chained trail, and checkpoints of it."""

from __future__ import annotations

from typing import Any, Mapping

from ..trail import Verifier, VerifyReport, read_checkpoint
from .base import ServiceBase


class Trail(ServiceBase):
    """Verification of the trail (``crossings.trail``) and its checkpoints."""

    def verify(self, checkpoint: Any = None, *, limit: int | None = None,
               workers: int | None = None) -> VerifyReport:
        """Check the hash chain, rebuild every case from its rows, re-run each applied
        event's guards, and compare with a checkpoint (a dict or a JSON file) if given.
        ``workers``: processes to use (default: a few for a trail of 100,000 rows or more)."""
        if checkpoint is not None and not isinstance(checkpoint, Mapping):
            checkpoint = read_checkpoint(checkpoint)
        return Verifier(self.store, self.engine, limit=limit).run(checkpoint, workers)

    def checkpoint(self) -> dict[str, Any]:
        """The trail's size and head hash now, to detect truncation and rollback later."""
        head = self.store.head()
        return {"rows": head["rows"], "seq": head["seq"], "hash": head["hash"],
                "policy": self.policy.key, "at": self._recorded_at(),
                "database": self.store.path}
