"""Checkpoints: the trail's size and head hash taken earlier, and kept elsewhere.

Against a checkpoint, truncation (fewer rows) and rollback to another copy (the
checkpoint's row missing or with another hash) are found even where the chain itself is
consistent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Mapping

from store import Store
from workflow import InvalidInput

Report = Callable[[int | None, int | None, str, str], None]


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """A checkpoint written by ``crossings checkpoint --out FILE``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"--checkpoint: cannot read {path}: {error}") from None
    if not isinstance(data, dict) or not {"rows", "seq", "hash"} <= set(data):
        raise InvalidInput(f"--checkpoint: {path} is not a checkpoint (rows, seq, hash)")
    counts_ok = all(type(data[k]) is int and data[k] >= 0 for k in ("rows", "seq"))
    hash_ok = isinstance(data["hash"], str) and re.fullmatch(r"[0-9a-f]{64}", data["hash"])
    if not (counts_ok and hash_ok):
        raise InvalidInput(f"--checkpoint: {path} is not a checkpoint (rows and seq must be "
                           "whole numbers, hash 64 hex digits)")
    return data


def check_checkpoint(store: Store, checkpoint: Mapping[str, Any], head: Mapping[str, Any],
                     problem: Report) -> None:
    """Report (through ``problem``) where the trail does not extend the checkpoint."""
    rows, seq, digest = checkpoint["rows"], checkpoint["seq"], checkpoint["hash"]
    taken = f"the checkpoint of {checkpoint.get('at', '?')}"
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
