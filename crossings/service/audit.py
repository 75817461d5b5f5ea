"""Replaying recorded cases into the database, verifying the trail, checkpoints."""

from __future__ import annotations

from typing import Any, Iterable, Mapping



from .core import Clock
from .queries import Queries


class AuditTrail(Queries):
    """Replay (issue 3) and verification of the hash-chained trail."""

    def replay(self, scenario: Any, *, batch: bool = True) -> Any:
        """Replay a scenario (a Scenario, or a file path) into this database; returns its
        FileReport. With ``batch`` (the default) the whole file is one transaction."""
        from ..replay import replay_scenario
        from ..scenario import Scenario, load

        if not isinstance(scenario, Scenario):
            scenario = load(scenario, self.policy)
        return replay_scenario(self, scenario, batch=batch)

    @classmethod
    def replay_files(cls, paths: Iterable[Any], *, db: str | None = None,
                     clock: Clock | None = None, batch: bool = True) -> Any:
        """Replay files, each into a fresh in-memory database or all into ``db``; returns a
        ReplayRun. Every file is checked first: if one is broken, none is replayed."""
        from ..replay import replay_paths

        return replay_paths(paths, db=db, clock=clock, batch=batch)

    def verify(self, checkpoint: Any = None, *, limit: int | None = None,
               workers: int | None = None) -> dict[str, Any]:
        """Check the hash chain, rebuild every case from its rows, re-run each applied
        event's guards, and compare with a checkpoint (a dict or a JSON file) if given.
        ``workers``: processes to use (default: a few for a trail of 100,000 rows or more)."""
        from ..verify import Verifier, read_checkpoint

        if checkpoint is not None and not isinstance(checkpoint, Mapping):
            checkpoint = read_checkpoint(checkpoint)
        return Verifier(self.store, self.engine, limit=limit).run(checkpoint, workers)

    def checkpoint(self) -> dict[str, Any]:
        """The trail's size and head hash now, to detect truncation and rollback later."""
        head = self.store.head()
        return {"rows": head["rows"], "seq": head["seq"], "hash": head["hash"],
                "policy": f"{self.policy.id}@{self.policy.version}",
                "at": self._recorded_at(), "database": self.store.path}
