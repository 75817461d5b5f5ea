"""Verifying the signed, hash-chained trail, and signed checkpoints of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from workflow.audit import dumps

from .base import ServiceBase

if TYPE_CHECKING:  # verification is imported when it runs: it costs a read command ~10 ms
    from ..trail import VerifyReport


class Trail(ServiceBase):
    """Verification of the trail (``crossings.trail``) and its checkpoints."""

    def verify(self, checkpoint: Any = None, *, admin: str | None = None,
               limit: int | None = None, workers: int | None = None) -> "VerifyReport":
        """Check the hash chain and every signature, rebuild every case from its rows,
        re-run each applied event's guards, compare the tables and the schema with what
        the trail and the code say; against a signed checkpoint (a dict or a JSON file)
        if given, and the first administrator's key fingerprint ADMIN if given.
        ``workers``: processes to use (default: a few for a trail of 100,000 rows or more)."""
        from ..trail import Verifier, read_checkpoint

        if checkpoint is not None and not isinstance(checkpoint, Mapping):
            checkpoint = read_checkpoint(checkpoint)
        verifier = Verifier(self.store, limit=limit)
        return verifier.run(checkpoint, workers, admin=admin)

    def checkpoint(self, actor: str | None) -> dict[str, Any]:
        """The trail's size and head hash now, signed by ACTOR: kept elsewhere, it later
        catches truncation, rollback, and a trail rebuilt by someone else."""
        from ..trail.checkpoint import CHECKPOINT_FIELDS

        who = self.actor(actor)
        key = self.signer(who)
        head = self.store.head()
        data: dict[str, Any] = {"database": self.database, "rows": head["rows"],
                                "seq": head["seq"], "hash": head["hash"],
                                "at": self._recorded_at(), "signer": who.name}
        assert set(data) == set(CHECKPOINT_FIELDS)
        data["signature"] = key.sign(dumps(data).encode("utf-8"))
        return data
