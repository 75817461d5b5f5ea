"""The service's base: the store, the policy and its engine, the clock, the actors, keys.

Every part of :class:`crossings.service.Service` builds on this: one store opened for the
registry's policies, each case decided under the policy it is pinned to (one engine per
policy, made when first needed), a clock read once per command, and the
key ring holding the private keys at hand: every row a command writes is signed by its
acting actor's key, and a command whose actor's key is not at hand is rejected before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Self

from store import Store, open_store
from workflow import Actor, Case, Engine, InvalidInput, NotFound, Policy, StoreError, UsageError
from workflow import policies
from workflow.office import EVENT_DATE, OFFICE_SETTINGS, POLICY, TODAY, office_defaults
from workflow.policies import CATALOGUE, DEFAULT, POLICIES
from workflow.policy import Setting
from workflow.values import clean_name, parse_case_id, parse_date

if TYPE_CHECKING:  # keys are imported when a command signs: a read command never does
    from ..keys import KeyRing, PrivateKey

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ServiceBase:
    """Runs a policy against one database."""

    def __init__(self, store: Store, *, policy: Policy | None = None, clock: Clock = utc_now,
                 keys: "KeyRing | None" = None) -> None:
        self.store = store
        self._policy = policy
        self._engines: dict[str, Engine] = {}
        self.clock = clock
        self._keys = keys
        self._defaults: dict[str, Any] = office_defaults()
        for known in POLICIES.values():
            self._defaults = {**known.defaults(), **self._defaults}
        self._database: str | None = None
        self._batching = False

    @classmethod
    def open(cls, path: str, *, readonly: bool = False, synchronous: str = "FULL",
             clock: Clock = utc_now, policy: Policy | None = None,
             keys: "KeyRing | None" = None) -> Self:
        """Open an existing database (``readonly``: for reading only). POLICY: the policy
        new cases take, instead of the database's setting ``policy``."""
        return cls(open_store(path, CATALOGUE, readonly=readonly, synchronous=synchronous),
                   policy=policy, clock=clock, keys=keys)

    # -- policies -------------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The policy new cases take: the one given when opened, else the database's
        setting ``policy``, else the registry's default (its newest version)."""
        if self._policy is not None:
            return self._policy
        chosen = self.store.stored_settings().get(POLICY.name)
        return policies.get(str(chosen)) if chosen else policies.get(DEFAULT.id)

    def policy_of(self, case: Case) -> Policy:
        """The policy CASE is handled under (its pin; a case not yet pinned: new cases')."""
        return policies.get(case.policy) if case.policy else self.policy

    def engine(self, policy: Policy) -> Engine:
        engine = self._engines.get(policy.key)
        if engine is None:
            engine = self._engines[policy.key] = Engine(policy)
        return engine

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def batch(self) -> Iterator[Self]:
        """Run many commands in one transaction (replay in bulk). A rejected command has
        written nothing (every check comes before the first write); a command that fails
        after it began writing (a driver error) rolls the whole batch back. Keys made for
        actors registered in the batch are written only once it has committed."""
        self._batching = True
        try:
            with self.store.write():
                yield self
        except BaseException:
            self.keys.rollback()
            raise
        finally:
            self._batching = False
        self.keys.commit()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write transaction of the store; the keys it staged are written after it
        commits (or, inside a batch, after the batch does)."""
        try:
            with self.store.write():
                yield
        except BaseException:
            if not self._batching:
                self.keys.rollback()
            raise
        if not self._batching:
            self.keys.commit()

    # -- time ---------------------------------------------------------------------------

    def _recorded_at(self, now: dt.datetime | None = None) -> str:
        """When a row is recorded: the clock's instant, or, should the clock have gone
        back (another machine, a corrected clock), the trail's last row's: recorded_at
        never runs backwards along the trail. Read inside the write transaction."""
        now = self.clock() if now is None else now
        stamp = now.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        return max(stamp, self.store.last_recorded_at())

    def _event_date(self, at: Any, now: dt.datetime | None = None) -> str:
        """AT as a date, not in the future. NOW: the command's instant, read once. No AT is a
        usage error, unless the office dates such events today (default_event_date)."""
        today = (self.clock() if now is None else now).date().isoformat()
        if at is None:
            if self.settings()[EVENT_DATE.name] != TODAY:
                raise UsageError("Missing option '--at': the event's own date (YYYY-MM-DD); "
                                 f"an office running the procedure live may set "
                                 f"{EVENT_DATE.name} {TODAY}")
            return today
        date = parse_date(at, "at")
        if date > today:
            raise InvalidInput(f"--at: {date} is in the future (today is {today})")
        return date

    # -- actors, settings, cases ----------------------------------------------------------

    @property
    def keys(self) -> "KeyRing":
        """The private keys at hand (the key directory unless another ring was given)."""
        if self._keys is None:
            from ..keys import KeyRing

            self._keys = KeyRing()
        return self._keys

    @property
    def database(self) -> str:
        """The database's own id, from its first row: the key ring files keys under it."""
        if self._database is None:
            first = self.store.first_row()
            database = _given(first).get("database") if first else None
            if not isinstance(database, str):
                raise StoreError(f"{self.store.path} has no first administrator's row: "
                                 "not a crossings trail (was it made by 'crossings init'?)")
            self._database = database
        return self._database

    def actor(self, name: str | None) -> Actor:
        """The registered, active actor NAME names (look-alike names are one name)."""
        if name is None or not str(name).strip():
            raise InvalidInput("no acting actor: give --as NAME or set CROSSINGS_ACTOR")
        actor = self.store.get_actor(clean_name(name, "as"))
        if actor is None:
            raise NotFound(f"unknown actor {name!r}: the administrator registers actors "
                           "with 'crossings actor add'")
        if actor.retired_at is not None:
            raise InvalidInput(f"actor {actor.name} was retired at {actor.retired_at} and "
                               "may not act")
        return actor

    def signer(self, actor: Actor) -> "PrivateKey":
        """The actor's private key, from the key ring: it must be the key registered for
        them in the trail. Raises (naming the file looked for) before anything is written."""
        key = self.keys.load(self.database, actor.name)
        if actor.public_key is not None and key.public != actor.public_key:
            raise InvalidInput(f"the key at {self.keys.path(self.database, actor.name)} is not "
                               f"the key registered for {actor.name}")
        return key

    def actors(self) -> list[dict[str, Any]]:
        return self.store.actors()

    def settings(self) -> dict[str, Any]:
        return {**self._defaults, **self.store.stored_settings()}

    def setting_spec(self, name: str) -> Setting:
        """The office's setting NAME, or a policy's (new cases' policy first)."""
        found = next((s for s in OFFICE_SETTINGS if s.name == name), None)
        if found is not None:
            return found
        for known in (self.policy, *POLICIES.values()):
            if any(s.name == name for s in known.settings):
                return known.setting(name)
        return self.policy.setting(name)  # raises, naming the settings there are

    def show(self, case_id: Any) -> Case:
        return self._load(parse_case_id(case_id))

    def case_dict(self, case: Case) -> dict[str, Any]:
        return case.as_dict(self.policy_of(case))

    def _load(self, case_id: int) -> Case:
        case = self.store.get_case(case_id)
        if case is None:
            raise NotFound(f"no case {case_id}")
        return case

    def _load_many(self, case_ids: list[int]) -> list[Case]:
        found = self.store.get_cases(case_ids)
        missing = [str(n) for n in case_ids if n not in found]
        if missing:
            raise NotFound(f"no case {', '.join(missing)}")
        return [found[n] for n in case_ids]


def _given(row: dict[str, Any]) -> dict[str, Any]:
    import json

    try:
        given = json.loads(row["given"])
    except (TypeError, ValueError):
        return {}
    return given if isinstance(given, dict) else {}
