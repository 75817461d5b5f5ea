"""Checkpoints: the trail's size and head hash, signed, taken earlier and kept elsewhere.

A checkpoint names its database, its row count, head seq and head hash, when it was taken
and who took it, and carries that actor's signature over those fields. Against one,
truncation (fewer rows), rollback to another copy (the checkpoint's row missing or with
another hash), and a trail rebuilt by someone else (the signer's key is not the one this
trail registered for them) are found even where the chain itself is consistent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Mapping

from store import Store
from workflow import InvalidInput
from workflow.audit import dumps

CHECKPOINT_FIELDS = ("database", "rows", "seq", "hash", "at", "signer")
Report = Callable[[int | None, int | None, str, str], None]
KeyAt = Callable[[str, int], str | None]  # actor, seq -> their public key then


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint written by ``crossings checkpoint --out FILE``, its fields checked."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"--checkpoint: cannot read {path}: {error}") from None
    return checked(data, str(path))


def checked(data: Any, where: str = "the checkpoint") -> dict[str, Any]:
    if not isinstance(data, dict) or not {*CHECKPOINT_FIELDS, "signature"} <= set(data):
        raise InvalidInput(f"{where} is not a signed checkpoint ({', '.join(CHECKPOINT_FIELDS)}, "
                           "signature)")
    counts_ok = all(type(data[k]) is int and data[k] >= 0 for k in ("rows", "seq"))
    hash_ok = isinstance(data["hash"], str) and re.fullmatch(r"[0-9a-f]{64}", data["hash"])
    texts_ok = all(isinstance(data[k], str) for k in ("database", "at", "signer", "signature"))
    if not (counts_ok and hash_ok and texts_ok):
        raise InvalidInput(f"{where} is not a checkpoint (rows and seq must be whole numbers, "
                           "hash 64 hex digits, the rest text)")
    return data


def signed_bytes(checkpoint: Mapping[str, Any]) -> bytes:
    """What a checkpoint's signature is over: its fields, in the one canonical JSON form."""
    return dumps({k: checkpoint[k] for k in CHECKPOINT_FIELDS}).encode("utf-8")


def check_checkpoint(store: Store, checkpoint: Mapping[str, Any], head: Mapping[str, Any],
                     database: str | None, key_at: KeyAt, problem: Report) -> None:
    """Report (through ``problem``) where the checkpoint is not this trail's own, signed by
    an actor this trail registered, or where the trail does not extend it."""
    from ..keys import verify

    rows, seq, digest = checkpoint["rows"], checkpoint["seq"], checkpoint["hash"]
    taken = f"the checkpoint of {checkpoint.get('at', '?')} by {checkpoint['signer']}"
    if checkpoint["database"] != database:
        problem(None, None, "checkpoint", f"{taken} is of database {checkpoint['database']}, "
                f"this trail is database {database}")
    public = key_at(checkpoint["signer"], seq)
    if public is None:
        problem(None, None, "checkpoint", f"{taken}: {checkpoint['signer']} is not an actor "
                "this trail registered by then")
    elif not verify(public, signed_bytes(checkpoint), checkpoint["signature"]):
        problem(None, None, "checkpoint", f"{taken}: the signature does not hold: the "
                "checkpoint was edited, or signed by another key than this trail registered")
    if head["rows"] < rows:
        problem(head["seq"] or None, None, "checkpoint",
                f"truncated: {taken} holds {rows} rows up to seq {seq}; the "
                f"database has {head['rows']} up to seq {head['seq']}")
    if not seq:
        return
    row = store.audit_row(seq)
    if row is None:
        problem(seq, None, "checkpoint", f"row {seq}, the head of {taken}, is missing")
    elif row["hash"] != digest:
        problem(seq, row["case_id"], "checkpoint",
                f"row {seq} differs from {taken} (hash {row['hash'][:12]}..., "
                f"checkpoint {str(digest)[:12]}...): the trail was rewritten or "
                "rolled back to another copy")
