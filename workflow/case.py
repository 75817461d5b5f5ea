"""The case model: one person, their state, and the facts recorded about them."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .policy import ALIASES, NAME, NATIVE_NAME
from .record import Record, field

if TYPE_CHECKING:
    from .table import Policy


ADMINISTRATOR = "administrator"  # the office's role, not a policy's: it sets up, no more


class Actor(Record):
    """A registered person, the one role they act in, and the public key that proves it is
    them (``None`` only in a trail written before keys)."""
    name: str
    role: str
    public_key: str | None = None
    retired_at: str | None = None


class Case(Record, frozen=False):
    """A case as stored: ``facts`` holds every fact its policy records, JSON-compatible;
    ``flagged`` whether it carries any of its policy's flags."""

    id: int
    state: str
    version: int
    facts: dict[str, Any] = field(default_factory=dict)
    flagged: bool = False
    policy: str = ""  # the policy it is handled under, id@version

    def __init__(self, id: int, state: str, version: int, facts: dict[str, Any] | None = None,
                 flagged: bool = False, policy: str = "") -> None:  # several per event
        self.id, self.state, self.version, self.flagged = id, state, version, flagged
        self.facts, self.policy = {} if facts is None else facts, policy

    @property
    def name(self) -> str:
        return str(self.facts.get(NAME, ""))

    @property
    def native_name(self) -> str | None:
        return self.facts.get(NATIVE_NAME)

    def names(self) -> list[tuple[str, str]]:
        """Every name the case is known by, as (fact, name): its name, its native name,
        then its aliases, in the order recorded."""
        out = [(NAME, self.name)] if self.name else []
        if self.native_name:
            out.append((NATIVE_NAME, str(self.native_name)))
        aliases = self.facts.get(ALIASES)
        if isinstance(aliases, list):
            out += [(ALIASES, str(alias)) for alias in aliases]
        return out

    def copy(self) -> "Case":
        return Case(self.id, self.state, self.version, copy.deepcopy(self.facts), self.flagged,
                    self.policy)

    def as_dict(self, policy: "Policy") -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "native_name": self.native_name,
            "state": self.state,
            "version": self.version,
            "policy": policy.key,
            "facts": self.facts,
            **{name: list(self.facts.get(name) or []) for name in policy.shown},
            "flags": policy.flags_of(self.facts),
        }
