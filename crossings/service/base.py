"""The service's base: the store, the policy and its engine, the clock, the actors.

Every part of :class:`crossings.service.Service` builds on this: one store opened for the
registry's default policy, one engine per policy, a clock read once per command.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Self

from store import Store, open_store
from workflow import Actor, Case, Engine, InvalidInput, NotFound, Policy
from workflow.policies import DEFAULT
from workflow.values import clean_name, parse_case_id, parse_date

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ServiceBase:
    """Runs a policy against one database."""

    def __init__(self, store: Store, *, policy: Policy = DEFAULT,
                 clock: Clock = utc_now) -> None:
        self.store = store
        self.policy = policy
        self.engine = Engine(policy)
        self.clock = clock
        self._defaults = policy.defaults()

    @classmethod
    def open(cls, path: str, *, create: bool = False, synchronous: str = "FULL",
             clock: Clock = utc_now, policy: Policy = DEFAULT) -> Self:
        return cls(open_store(path, policy, create=create, synchronous=synchronous),
                   policy=policy, clock=clock)

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
        after it began writing (a driver error) rolls the whole batch back."""
        with self.store.write():
            yield self

    # -- time ---------------------------------------------------------------------------

    def _recorded_at(self, now: dt.datetime | None = None) -> str:
        now = self.clock() if now is None else now
        return now.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")

    def _event_date(self, at: Any, now: dt.datetime | None = None) -> str:
        """AT as a date, not in the future. NOW: the command's instant, read once."""
        today = (self.clock() if now is None else now).date().isoformat()
        if at is None:
            return today
        date = parse_date(at, "at")
        if date > today:
            raise InvalidInput(f"--at: {date} is in the future (today is {today})")
        return date

    # -- actors, settings, cases ----------------------------------------------------------

    def actor(self, name: str | None) -> Actor:
        if name is None or not str(name).strip():
            raise InvalidInput("no acting actor: give --as NAME or set CROSSINGS_ACTOR")
        actor = self.store.get_actor(clean_name(name, "as"))
        if actor is None:
            raise NotFound(f"unknown actor {name!r}: register with 'crossings actor add'")
        return actor

    def actors(self) -> list[dict[str, Any]]:
        return self.store.actors()

    def settings(self) -> dict[str, Any]:
        return {**self._defaults, **self.store.stored_settings()}

    def show(self, case_id: Any) -> Case:
        return self._load(parse_case_id(case_id))

    def case_dict(self, case: Case) -> dict[str, Any]:
        return case.as_dict(self.policy)

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
