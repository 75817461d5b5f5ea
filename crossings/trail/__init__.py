"""The trail: verifying the chained audit trail, checkpoints, and the parallel workers.

A client of the store and the engine, not of the service: ``Verifier`` reads the trail
through the store's contract and re-runs events through the pure engine.
"""

from .checkpoint import read_checkpoint
from .verify import Verifier, VerifyReport

__all__ = ["Verifier", "VerifyReport", "read_checkpoint"]
