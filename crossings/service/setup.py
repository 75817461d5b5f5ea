"""Set-up: registering actors and changing settings, each a recorded set-up row."""

from __future__ import annotations

from typing import Any

from workflow import InvalidInput
from workflow.audit import ACTOR_ADD, SETTING, setup_row
from workflow.values import clean_name

from .base import ServiceBase


class Setup(ServiceBase):
    """The set-up steps of a database: who acts in which role, which settings hold."""

    def add_actor(self, name: str, role: str) -> dict[str, Any]:
        name = clean_name(name, "name")
        if role not in self.policy.roles:
            raise InvalidInput(f"--role: {role!r} is not one of {', '.join(self.policy.roles)}")
        recorded = self._recorded_at()
        with self.store.write():
            existing = self.store.get_actor(name)
            if existing is not None:
                raise InvalidInput(f"actor {name} is already registered as {existing.role}")
            self.store.insert_actor(name, role, recorded)
            self.store.append([setup_row(ACTOR_ADD, {"name": name, "role": role}, recorded,
                                         self.policy.id, self.policy.version)])
        return {"name": name, "role": role, "added_at": recorded}

    def ensure_actor(self, name: str, role: str) -> dict[str, Any]:
        """Register an actor, or reuse one already registered with the same role."""
        existing = self.store.get_actor(clean_name(name, "name"))
        if existing is None:
            return self.add_actor(name, role)
        if existing.role != role:
            raise InvalidInput(f"actor {existing.name} is registered as {existing.role}, not {role}")
        return {"name": existing.name, "role": existing.role}

    def set_setting(self, name: str, value: Any, actor: str | None = None) -> dict[str, Any]:
        """Change a setting (a set-up row). An actor, if named, must be registered."""
        setting = self.policy.setting(name)
        clean = setting.clean(value)
        who = self.actor(actor) if actor is not None else None
        recorded = self._recorded_at()
        with self.store.write():
            self.store.put_setting(name, clean)
            self.store.append([setup_row(SETTING, {"name": name, "value": clean}, recorded,
                                         self.policy.id, self.policy.version,
                                         who.name if who else None, who.role if who else None)])
        return {"name": name, "value": clean}
