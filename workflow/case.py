"""The case model: one person, their state, and the facts recorded about them."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Actor:
    """A registered person and the one role of the cable they act in."""
    name: str
    role: str


@dataclass
class Case:
    """A case as stored: ``facts`` holds every fact of POLICY.md, JSON-compatible."""

    id: int
    state: str
    version: int
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.facts.get("name", ""))

    @property
    def native_name(self) -> str | None:
        return self.facts.get("native_name")

    @property
    def attempts(self) -> list[dict[str, Any]]:
        return list(self.facts.get("attempts") or [])

    @property
    def open_guidance(self) -> list[dict[str, Any]]:
        return open_guidance(self.facts)

    @property
    def flags(self) -> list[str]:
        return ["guidance-requested"] if self.open_guidance else []

    def copy(self) -> "Case":
        return Case(self.id, self.state, self.version, copy.deepcopy(self.facts))

    def as_dict(self, policy_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "native_name": self.native_name,
            "state": self.state,
            "version": self.version,
            "policy": policy_id,
            "facts": self.facts,
            "attempts": self.attempts,
            "flags": self.flags,
        }


def is_open(request: Mapping[str, Any]) -> bool:
    """Whether a guidance request still waits for its answer."""
    return request.get("answer") is None


def open_guidance(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The guidance requests of a case's facts that have no answer yet (G)."""
    return [g for g in facts.get("guidance") or [] if is_open(g)]


def refusals(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [a for a in facts.get("attempts") or [] if a.get("outcome") == "refused"]


def latest_outcome(facts: Mapping[str, Any]) -> str | None:
    attempts = facts.get("attempts") or []
    return attempts[-1].get("outcome") if attempts else None
