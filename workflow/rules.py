"""What a policy's guards and effects are given, and what a guard answers.

A guard is a small pure function of a :class:`GuardContext` returning a :class:`Check`;
an effect is a pure function of an :class:`EffectContext` returning ``{fact: new value}``
for the facts it changes. Each policy package defines its own, by name, with
:func:`registry`; the table refers to them by those names.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from .case import Actor
from .record import Record, field

Fn = TypeVar("Fn", bound=Callable[..., Any])


class GuardContext(Record):
    """What a guard may read: the case's facts, the event's options, the settings."""
    facts: Mapping[str, Any]
    params: Mapping[str, Any]
    settings: Mapping[str, Any]
    case_id: int | None = None
    # For a group trigger: case id -> facts of every case in the group.
    group: Mapping[int, Mapping[str, Any]] | None = None
    # For a group trigger: case id -> state of each case its members' facts name that is
    # not in the group (a minor's parent handed over earlier, say).
    states: Mapping[int, str] | None = None

    def __init__(self, facts: Mapping[str, Any], params: Mapping[str, Any],
                 settings: Mapping[str, Any], case_id: int | None = None,
                 group: Mapping[int, Mapping[str, Any]] | None = None,
                 states: Mapping[int, str] | None = None) -> None:  # one per event
        self.__dict__.update(facts=facts, params=params, settings=settings, case_id=case_id,
                             group=group, states=states)


class Check(Record):
    """A guard's answer: whether it held, why in words, and the values it read."""
    passed: bool
    reason: str
    read: dict[str, Any] = field(default_factory=dict)
    extra_clauses: tuple[str, ...] = ()

    def __init__(self, passed: bool, reason: str, read: dict[str, Any] | None = None,
                 extra_clauses: tuple[str, ...] = ()) -> None:  # one per guard per event
        self.__dict__.update(passed=passed, reason=reason, read={} if read is None else read,
                             extra_clauses=extra_clauses)


class EffectContext(Record):
    """What an effect may read: the facts as guarded, the event's options and who acted."""
    facts: Mapping[str, Any]
    params: Mapping[str, Any]
    settings: Mapping[str, Any]
    at: str
    actor: Actor
    case_id: int | None = None
    group_id: int | None = None

    def __init__(self, facts: Mapping[str, Any], params: Mapping[str, Any],
                 settings: Mapping[str, Any], at: str, actor: Actor,
                 case_id: int | None = None, group_id: int | None = None) -> None:
        self.__dict__.update(facts=facts, params=params, settings=settings, at=at,
                             actor=actor, case_id=case_id, group_id=group_id)  # one per event


def registry(into: dict[str, Fn]) -> Callable[[Fn], Fn]:
    """A decorator that registers a function in ``into`` under its own name."""

    def register(func: Fn) -> Fn:
        into[func.__name__] = func
        return func

    return register
