"""What the set-up rows of a trail say: who was registered when, in which role, with which
key, who was retired when, and which settings held at every ``seq``.

Read once from the set-up rows (few), before the chain and the cases are checked; then
every row's actor, role and signature is checked against the registration in force at
that row, as the trail registered it, not as the actors table says now.
"""

from __future__ import annotations

import bisect
import json
from typing import Any, Callable, Iterable, Mapping

from workflow.audit import ACTOR_ADD, ACTOR_RETIRE, SETTING
from workflow.case import ADMINISTRATOR
from workflow.engine import APPLIED
from workflow.record import Record, replace

Problem = Callable[[int | None, int | None, str, str], None]


class Registration(Record):
    name: str
    role: str
    public_key: str
    seq: int
    added_at: str
    retired_seq: int | None = None
    retired_at: str | None = None


class Registry:
    """The actors and settings of a trail over time."""

    def __init__(self, defaults: Mapping[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.actors: dict[str, Registration] = {}
        self.setting_seqs: list[int] = []
        self.setting_values: list[dict[str, Any]] = []
        self.first: Registration | None = None
        self.database: str | None = None

    def read(self, rows: Iterable[Mapping[str, Any]], problem: Problem) -> None:
        for row in rows:
            if row["outcome"] == APPLIED and row["trigger"] in (ACTOR_ADD, ACTOR_RETIRE, SETTING):
                self._read(row, problem)

    def _read(self, row: Mapping[str, Any], problem: Problem) -> None:
        seq, trigger = row["seq"], row["trigger"]
        try:
            given = json.loads(row["given"])
            if trigger == ACTOR_ADD:
                self._added(row, given, problem)
            elif trigger == ACTOR_RETIRE:
                found = self.actors[given["name"]]
                self.actors[found.name] = replace(found, retired_seq=seq,
                                                  retired_at=row["recorded_at"])
            else:
                current = self.setting_values[-1] if self.setting_values else self.defaults
                values = {**current, given["name"]: given["value"]}  # read, then kept:
                self.setting_seqs.append(seq)  # a row that cannot be read adds neither
                self.setting_values.append(values)
        except (json.JSONDecodeError, KeyError, TypeError):
            problem(seq, None, "setup", f"set-up row {trigger} cannot be read")

    def _added(self, row: Mapping[str, Any], given: dict[str, Any], problem: Problem) -> None:
        seq = row["seq"]
        registration = Registration(given["name"], given["role"], given["public_key"], seq,
                                    row["recorded_at"])
        if registration.name in self.actors:
            problem(seq, None, "setup", f"actor {registration.name} is registered twice")
            return
        self.actors[registration.name] = registration
        if seq == 1:
            self.first, self.database = registration, given.get("database")

    def settings_at(self, seq: int) -> dict[str, Any]:
        index = bisect.bisect_left(self.setting_seqs, seq)
        return self.setting_values[index - 1] if index else self.defaults

    def settings_now(self) -> dict[str, Any]:
        return dict(self.setting_values[-1]) if self.setting_values else {}

    def at(self, name: str, seq: int) -> Registration | None:
        """NAME's registration in force at SEQ: made before it (the first administrator's
        at it: it signs its own registration) and not retired before it."""
        found = self.actors.get(name)
        if found is None or found.seq > seq or (found.seq == seq and seq != 1):
            return None
        if found.retired_seq is not None and found.retired_seq < seq:
            return None
        return found

    def key_at(self, name: str, seq: int) -> str | None:
        found = self.at(name, seq) if seq else None
        if found is None and name in self.actors and self.actors[name].seq <= max(seq, 1):
            found = self.actors[name]  # a checkpoint of an empty prefix: the first row's
        return found.public_key if found else None

    def first_problems(self, row: Mapping[str, Any] | None) -> list[str]:
        """What is wrong with the trail's first row: it must register an administrator,
        naming the database, made by that administrator (and, checked with the other
        signatures, signed by the key it registers)."""
        if row is None:
            return []
        first = self.first
        if row["trigger"] != ACTOR_ADD or first is None:
            return ["the first row does not register the first administrator"]
        out = []
        if first.role != ADMINISTRATOR:
            out.append(f"the first row registers {first.name} as {first.role}, not as "
                       "the administrator")
        if row["actor"] != first.name:
            out.append(f"the first row is made by {row['actor']}, not by the administrator "
                       f"{first.name} it registers")
        if not self.database:
            out.append("the first row names no database")
        return out
