"""Set-up: a new database and its first administrator, actors and their keys, settings.

Every set-up step is a signed row of the trail. Only the administrator makes them: when
anyone else asks, the refusal is recorded (signed by who asked) and raised, like any
refusal. Look-alike names are one name: a name that folds like a registered one is
refused (``workflow.values.fold_name``).
"""

from __future__ import annotations

import os
import uuid
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Self

from store import open_store
from workflow import Actor, InvalidInput, Policy, RoleRefused, WorkflowError
from workflow.audit import ACTOR_ADD, ACTOR_RETIRE, SETTING, UPGRADE, setup_row
from workflow.case import ADMINISTRATOR
from workflow import policies
from workflow.policies import CATALOGUE
from workflow.values import clean_name

from .base import Clock, ServiceBase, utc_now

if TYPE_CHECKING:
    from ..keys import KeyRing, PrivateKey


class Setup(ServiceBase):
    """The set-up steps of a database: who acts in which role with which key, which
    settings hold."""

    @classmethod
    def init(cls, path: str, admin: str, *, keys: "KeyRing | None" = None,
             clock: Clock = utc_now, policy: Policy | None = None,
             synchronous: str = "FULL") -> Self:
        """Create a database whose first row registers its administrator, signed by the
        administrator's own new key (saved in the key ring). The only way to create one."""
        name = clean_name(admin, "admin")
        existed = os.path.exists(path) and path != ":memory:"
        store = open_store(path, CATALOGUE, create=True, synchronous=synchronous)
        service = cls(store, policy=policy, clock=clock, keys=keys)
        try:
            service._first_row(name)
        except BaseException:
            if existed:
                store.close()
            else:
                with suppress(WorkflowError):  # the first row's own error is the one to report
                    store.discard()
            raise
        return service

    @classmethod
    def upgrade(cls, path: str, actor: str | None, *, keys: "KeyRing | None" = None,
                clock: Clock = utc_now) -> dict[str, Any]:
        """Bring an older file's schema up to date, by an administrator: every pending step
        and the upgrade's own signed row in one transaction (all or nothing)."""
        store = open_store(path, CATALOGUE, upgrade=True)
        service = cls(store, clock=clock, keys=keys)
        try:
            before = store.schema_version
            given: dict[str, Any] = {"from": before, "to": None}
            who, key = service._as_administrator(UPGRADE, given, actor, "upgrades the schema")
            with service.writing():
                steps = store.upgrade_schema()
                if steps:
                    given = {"from": before, "to": store.schema_version, "steps": steps}
                    store.append([service._setup_row(UPGRADE, given, service._recorded_at(),
                                                     who)], key.sign)
            return {"database": path, "from": before, "to": store.schema_version,
                    "steps": steps}
        finally:
            store.close()

    def _first_row(self, name: str) -> None:
        from ..keys import PrivateKey

        key, database = PrivateKey.generate(), uuid.uuid4().hex
        actor = Actor(name, ADMINISTRATOR, key.public)
        given = {"name": name, "role": ADMINISTRATOR, "public_key": key.public,
                 "database": database}
        with self.writing():
            recorded = self._recorded_at()
            self.store.insert_actor(actor, recorded)
            self.store.append([self._setup_row(ACTOR_ADD, given, recorded, actor)], key.sign)
            self.keys.stage(database, name, key)
        self._database = database

    def _setup_row(self, trigger: str, given: dict[str, Any], recorded: str, actor: Actor,
                   refused: str | None = None) -> dict[str, Any]:
        return setup_row(trigger, given, recorded, self.policy.id, self.policy.version,
                         actor.name, actor.role, refused)

    def _as_administrator(self, trigger: str, given: dict[str, Any], actor: str | None,
                          what: str) -> tuple[Actor, "PrivateKey"]:
        """The acting actor and their key, if they are an administrator; otherwise their
        refusal is recorded, signed, and raised."""
        who = self.actor(actor)
        key = self.signer(who)
        if who.role == ADMINISTRATOR:
            return who, key
        reason = f"only an administrator {what}; {who.name} is {who.role}"
        with self.writing():
            self.store.append([self._setup_row(trigger, given, self._recorded_at(), who,
                                               reason)], key.sign)
        raise RoleRefused(f"{trigger} refused: {reason}", [], [])

    # -- actors -------------------------------------------------------------------------

    def add_actor(self, name: str, role: str, actor: str | None = None, *,
                  public_key: str | None = None) -> dict[str, Any]:
        """Register NAME in ROLE, by the administrator ACTOR: with PUBLIC_KEY (an OpenSSH
        line made elsewhere) or a new key pair made here and kept in the key ring."""
        from ..keys import PrivateKey, normal_public

        name = clean_name(name, "name")
        roles = (*CATALOGUE.roles, ADMINISTRATOR)
        if role not in roles:
            raise InvalidInput(f"--role: {role!r} is not one of {', '.join(roles)}")
        new = None if public_key is not None else PrivateKey.generate()
        public = new.public if new is not None else normal_public(str(public_key))
        given = {"name": name, "role": role, "public_key": public}
        who, key = self._as_administrator(ACTOR_ADD, given, actor, "registers actors")
        self._check_new_name(name)
        with self.writing():
            recorded = self._recorded_at()
            self.store.insert_actor(Actor(name, role, public), recorded)
            self.store.append([self._setup_row(ACTOR_ADD, given, recorded, who)], key.sign)
            if new is not None:
                self.keys.stage(self.database, name, new)
        saved = self.keys.path(self.database, name) if new is not None else None
        return {"name": name, "role": role, "added_at": recorded,
                "key": str(saved) if saved else None, "public_key": public}

    def _check_new_name(self, name: str) -> None:
        existing = self.store.get_actor(name)
        if existing is None:
            return
        same = "is already registered" if existing.name == name else \
            f"reads as {existing.name}, already registered"
        raise InvalidInput(f"actor {name} {same} as {existing.role}: look-alike names are "
                           "one name")

    def retire_actor(self, name: str, actor: str | None = None) -> dict[str, Any]:
        """Retire an actor: no further commands by them; their history stays."""
        target = self.store.get_actor(clean_name(name, "name"))
        if target is None:
            raise InvalidInput(f"no actor {name!r} to retire")
        who, key = self._as_administrator(ACTOR_RETIRE, {"name": target.name}, actor,
                                          "retires actors")
        if target.retired_at is not None:
            raise InvalidInput(f"actor {target.name} was already retired at {target.retired_at}")
        if target.name == who.name:
            raise InvalidInput("an administrator cannot retire themselves")
        with self.writing():
            recorded = self._recorded_at()
            self.store.retire_actor(target.name, recorded)
            self.store.append([self._setup_row(ACTOR_RETIRE, {"name": target.name}, recorded,
                                               who)], key.sign)
        return {"name": target.name, "retired_at": recorded}

    def ensure_actor(self, name: str, role: str, actor: str | None = None) -> dict[str, Any]:
        """Register an actor (by the administrator ACTOR), or reuse one already registered
        with the same role whose key is at hand."""
        existing = self.store.get_actor(clean_name(name, "name"))
        if existing is None:
            return self.add_actor(name, role, actor)
        if existing.role != role:
            raise InvalidInput(f"actor {existing.name} is registered as {existing.role}, not {role}")
        self.signer(existing)  # their key must be at hand to replay their events
        return {"name": existing.name, "role": existing.role}

    # -- settings -----------------------------------------------------------------------

    def set_setting(self, name: str, value: Any, actor: str | None = None) -> dict[str, Any]:
        """Change a setting (a set-up row), by the administrator ACTOR."""
        setting = self.setting_spec(name)
        clean = policies.get(str(value).strip()).key if setting.kind == "policy" else \
            setting.clean(value)
        given = {"name": name, "value": clean}
        who, key = self._as_administrator(SETTING, given, actor, "changes settings")
        with self.writing():
            recorded = self._recorded_at()
            self.store.put_setting(name, clean)
            self.store.append([self._setup_row(SETTING, given, recorded, who)], key.sign)
        return {"name": name, "value": clean}
