"""Audit rows and their hash chain, as pure functions (no storage, no keys here).

Each row is hashed with sha256 over the previous row's hash and a canonical JSON
serialisation of the row's fields (sorted keys, no spaces, UTF-8); the acting actor
signs the same canonical bytes (``crossings.keys``), so a row can be neither altered nor
re-forged under another actor's name without their private key. The four JSON fields
are embedded as the very texts stored (JSON values inside the canonical object, not
re-encoded as strings), so any byte changed in a stored text changes the hash; verify
also checks that each stored text is valid JSON, which keeps the canonical text's parse,
and so the row it stands for, unique. Changing, deleting,
reordering or inserting a row breaks the chain from that row on; truncating the tail or
rolling back to an older copy is caught against a checkpoint (size and head hash).
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring as _quote  # ensure_ascii=False, as _ENCODER
from typing import Any, Iterable, Iterator, Mapping

from .engine import Decision
from .errors import IntegrityError

GENESIS = "0" * 64

# Every column of an audit row but the hash and the signature, in a fixed order: the
# canonical form that both are computed over.
FIELDS = (
    "seq",
    "case_id",
    "case_version",
    "trigger",
    "from_state",
    "to_state",
    "outcome",
    "actor",
    "role",
    "at",
    "recorded_at",
    "given",
    "changes",
    "clauses",
    "guards",
    "reason",
    "refused_by",
    "group_id",
    "request_id",
    "policy",
    "policy_version",
    "prev_hash",
)
# The triggers of set-up rows (no case, no clause): an actor registered or retired, a
# setting changed. Only the administrator makes them; anyone else's attempt is a refused
# row. The first row of every trail is the first administrator's, signed by their own key.
ACTOR_ADD = "actor_add"
ACTOR_RETIRE = "actor_retire"
SETTING = "setting"
UPGRADE = "schema_upgrade"
SETUP_TRIGGERS = (ACTOR_ADD, ACTOR_RETIRE, SETTING, UPGRADE)
# Acts on the record of a case, not events of its history: an event voided (entered in
# error), the case moved to another policy. Dated when recorded (no ``at``), no clause.
VOID = "void"
MIGRATE = "migrate"
RECORD_TRIGGERS = (VOID, MIGRATE)

JSON_FIELDS = ("given", "changes", "clauses", "guards")
# One encoder for every call: json.dumps with options builds a new one each time (~1 us,
# and there are six dumps per transition). The output is json.dumps' exactly.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# The C encoder json.dumps builds on every call, built once (~0.7 us a call): the same
# options, so the same output, but without the circular-reference markers (nothing
# crossings stores can refer to itself; a cycle would end in RecursionError).
_C_ENCODE = c_make_encoder(None, _ENCODER.default, _quote, None, ":", ",", True, False, True) \
    if c_make_encoder is not None else None


def dumps(value: Any) -> str:
    """The one JSON form crossings stores and hashes."""
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


# The chain's format: 2 embeds the JSON fields raw (1 re-encoded them as strings); 3 names
# the states from_state/to_state, records who refused (role, guard or group), and is signed.
CHAIN_FORMAT = 3
_JSON = frozenset(JSON_FIELDS)
_KEYS = tuple((name, _quote(name) + ":", name in _JSON) for name in sorted(FIELDS))


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return dumps(value)


def canonical(row: Mapping[str, Any]) -> str:
    """The row as one JSON object, keys sorted; a JSON field given as text is embedded as
    it stands (the stored form), any other value is encoded. (One loop with the common
    kinds inline: it runs for every row written and every row verified.)"""
    get = row.get
    out: list[str] = []
    add = out.append
    for name, key, raw in _KEYS:
        value: Any = get(name)
        kind = type(value)
        if kind is str:
            add(key + value if raw else key + _quote(value))
        elif value is None:
            add(key + "null")
        elif kind is int:
            add(key + int.__repr__(value))
        elif kind is bytes:  # a damaged file's text read back as a blob: hashes otherwise
            add(key + _quote("\\x" + value.hex()))
        else:
            add(key + dumps(value))
    return "{" + ",".join(out) + "}"


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    """What the hash and the signature are computed over."""
    return canonical(row).encode("utf-8")


def row_hash(row: Mapping[str, Any]) -> str:
    import hashlib  # here, not at start-up: loading OpenSSL costs a read command ~2.5 ms

    return hashlib.sha256(canonical_bytes(row)).hexdigest()


def linked(rows: Iterable[Mapping[str, Any]], seq: int = 0,
           prev: str = GENESIS) -> Iterator[Mapping[str, Any]]:
    """The rows, each checked to follow the one before (the next ``seq``, its
    ``prev_hash`` that row's hash) and to hash to its own ``hash``: rows copied from one
    store to another are taken only as one unbroken chain."""
    for row in rows:
        seq += 1
        if row.get("seq") != seq or row.get("prev_hash") != prev:
            raise IntegrityError(f"audit row {row.get('seq')}: does not follow row {seq - 1} "
                                 "of the chain; nothing was copied")
        if row_hash(row) != row.get("hash"):
            raise IntegrityError(f"audit row {seq}: its hash is not that of its contents; "
                                 "nothing was copied")
        prev = str(row["hash"])
        yield row


_LISTS: dict[tuple[str, ...], str] = {}  # clause lists (a few dozen, from the policy)


def _clauses(clauses: Any) -> str:
    key = tuple(clauses)
    text = _LISTS.get(key)
    if text is None:
        text = dumps(list(key))
        if len(_LISTS) < 4096:
            _LISTS[key] = text
    return text


def _guards(guards: Any) -> str:
    """dumps([g.as_dict() for g in guards]), byte for byte, without the dicts: the keys
    of a guard's dict, sorted, are clauses, guard, passed, read, reason."""
    return "[" + ",".join(
        '{"clauses":' + _clauses(g.clauses) + ',"guard":' + _scalar(g.guard)
        + (',"passed":true,"read":' if g.passed is True else
           ',"passed":false,"read":' if g.passed is False else
           ',"passed":' + dumps(g.passed) + ',"read":')
        + ("{}" if type(g.read) is dict and not g.read else dumps(g.read)) + ',"reason":' + _scalar(g.reason) + "}"
        for g in guards
    ) + "]"


def decision_row(
    decision: Decision, policy_id: str, policy_version: str, recorded_at: str,
    request_id: str | None = None, given: str | None = None,
) -> dict[str, Any]:
    """The audit row for a decision, without seq, prev_hash and hash (the store adds them).
    GIVEN: ``dumps(decision.params)`` when the caller has it (a group shares its params)."""
    return {
        "case_id": decision.case_id,
        "case_version": decision.version,
        "trigger": decision.trigger,
        "from_state": decision.source,
        "to_state": decision.target or None,
        "outcome": decision.outcome,
        "actor": decision.actor.name,
        "role": decision.actor.role,
        "at": decision.at,
        "recorded_at": recorded_at,
        "given": dumps(decision.params) if given is None else given,
        "changes": dumps(decision.changes),
        "clauses": _clauses(decision.clauses),
        "guards": _guards(decision.guards),
        "reason": decision.reason or None,
        "refused_by": decision.refused_by,
        "group_id": decision.group_id,
        "request_id": request_id,
        "policy": policy_id,
        "policy_version": policy_version,
    }


def record_row(
    trigger: str, case_id: int, version: int, states: tuple[str, str], given: Mapping[str, Any],
    changes: Mapping[str, Any], recorded_at: str, policy: tuple[str, str], actor: str,
    role: str, group_id: int | None = None,
) -> dict[str, Any]:
    """An act on a case's record (``void``, ``migrate``): applied, of the case at VERSION
    (its new version), from and to STATES, with the facts it CHANGES as [old, new]."""
    return {**setup_row(trigger, given, recorded_at, policy[0], policy[1], actor, role),
            "case_id": case_id, "case_version": version, "from_state": states[0],
            "to_state": states[1], "changes": dumps(dict(changes)), "group_id": group_id}


def setup_row(
    trigger: str, given: Mapping[str, Any], recorded_at: str, policy_id: str,
    policy_version: str, actor: str | None = None, role: str | None = None,
    refused: str | None = None,
) -> dict[str, Any]:
    """A set-up row (an actor registered or retired, a setting changed): no case, no
    clause; REFUSED: why, when someone but the administrator asked for it."""
    return {
        "case_id": None,
        "case_version": None,
        "trigger": trigger,
        "from_state": None,
        "to_state": None,
        "outcome": "refused" if refused else "applied",
        "actor": actor,
        "role": role,
        "at": None,
        "recorded_at": recorded_at,
        "given": dumps(dict(given)),
        "changes": dumps({}),
        "clauses": dumps([]),
        "guards": dumps([]),
        "reason": refused,
        "refused_by": "role" if refused else None,
        "group_id": None,
        "request_id": None,
        "policy": policy_id,
        "policy_version": policy_version,
    }


def decode(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with its JSON fields parsed, for output and verification."""
    out = dict(row)
    for name in JSON_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out
