"""The scenario model: actors, events with their own dates, and what must hold at the end."""

from __future__ import annotations

from typing import Any

from workflow import WorkflowError
from workflow.record import Record, field


class Problem(Record):
    """Something wrong in a scenario file (or a divergence found replaying it)."""

    file: str
    line: int | None
    message: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


class ScenarioError(WorkflowError):
    """A scenario file that cannot be replayed; ``problems`` names each FILE:LINE."""

    exit_code = 2

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or "\n".join(str(p) for p in problems))


class ActorSpec(Record):
    name: str
    role: str
    line: int | None = None


class Event(Record):
    """One recorded event: its own date, actor, trigger, case label(s) and facts."""

    line: int | None
    at: str
    by: str
    do: str  # the trigger's name
    cases: tuple[str, ...]  # case labels: one (a new one, to open), or a group's
    params: dict[str, Any]  # cleaned options; options naming a case still hold its label
    refused: tuple[str, ...] = ()  # expect: {refused: ...}: the clauses it must cite
    note: str | None = None

    @property
    def label(self) -> str:
        return self.cases[0]


class Expectation(Record):
    """What must hold of a case when the events have run."""

    label: str
    line: int | None
    state: str | None = None
    flagged: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)  # of lists the policy shows
    facts: dict[str, Any] = field(default_factory=dict)


class Scenario(Record):
    source: str
    title: str | None
    settings: dict[str, Any]
    actors: tuple[ActorSpec, ...]
    events: tuple[Event, ...]
    expect: tuple[Expectation, ...]
    policy: str = ""  # the policy its cases are opened under, id@version
