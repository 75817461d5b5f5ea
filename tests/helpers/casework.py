"""Drive crossings the same way through the CLI and the Python API, for the core battery.

A :class:`Step` is one command (a trigger, its cases, actor, options and date). A driver
runs it and returns an :class:`Outcome` shaped like a command line's result (exit code,
stdout, stderr), so one table of expectations checks both interfaces. The builders bring
a fresh case to a given point of the procedure through the same driver.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner

from crossings.cli import cli
from crossings.service import Command, Service
from .actors import ACTORS, HANDOVER, new_database  # one actor of every role; a handover
from .clock import TODAY, fixed_clock  # noqa: F401
from workflow import Case, WorkflowError
from workflow.policies import JILIN_1961_2 as POLICY

BY_ROLE = {role: name for name, role in ACTORS.items()}
OPENED = "1961-11-10"  # the detention date of every built case
LATER = "1961-11-20"  # the date of every later event

# Well-formed options for each trigger (whether its guards pass is another matter).
VALID_PARAMS: dict[str, dict[str, Any]] = {
    "open": {"name": "Choe Myong-ok", "crossed_on": "1961-03-20", "place": "Badaogou"},
    "investigate": {"citizenship": "dprk", "purpose": "other", "spouse": "none"},
    "persuade": {"outcome": "agreed"},
    "provide": {"items": ["food"]},
    "hand_over": HANDOVER,
    "consulate_reply": {"reply": "agreed"},
    "request_guidance": {"question": "Which clause applies?"},
    "record_guidance": {"answer": "Handle under P1."},
    "amend": {"field": "place", "value": "Shiqidaogou", "reason": "misread in the register"},
}


@dataclass(frozen=True)
class Step:
    """One command: trigger (docs/policy.md's name), its case(s), who fires it, its options."""

    trigger: str
    cases: tuple[int, ...] = ()
    actor: str | None = "Zhao"
    params: Mapping[str, Any] = field(default_factory=dict)
    at: str | None = LATER
    request_id: str | None = None

    def argv(self) -> list[str]:
        args = [self.trigger.replace("_", "-"), *map(str, self.cases)]
        for key, value in self.params.items():
            if isinstance(value, (list, tuple)):
                value = ",".join(value)
            args += ["--" + key.replace("_", "-"), str(value)]
        if self.at is not None:
            args += ["--at", self.at]
        if self.request_id is not None:
            args += ["--request-id", self.request_id]
        if self.actor is not None:
            args += ["--as", self.actor]
        return args


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    error: WorkflowError | None = None
    value: Any = None

    @property
    def case_id(self) -> int:
        if isinstance(self.value, Case):
            return self.value.id
        return int(self.stdout)


class Driver:
    """Runs steps against one database file; reads state back through a Service."""

    name = "base"

    def __init__(self, path: str, reader: Service) -> None:
        self.path = path
        self.reader = reader

    def do(self, step: Step) -> Outcome:
        raise NotImplementedError

    def ok(self, step: Step) -> Outcome:
        outcome = self.do(step)
        assert outcome.exit_code == 0, f"{step.argv()}: {outcome.stderr}"
        return outcome

    # reading back ---------------------------------------------------------------------
    def case(self, case_id: int) -> Case:
        return self.reader.show(case_id)

    def snapshot(self, case_id: int) -> tuple[str, int]:
        case = self.case(case_id)
        return case.state, case.version

    def head(self) -> int:
        return int(self.reader.store.head()["seq"])

    def rows_after(self, seq: int) -> list[dict[str, Any]]:
        return [r for r in self.reader.log() if r["seq"] > seq]


class ApiDriver(Driver):
    name = "api"

    def do(self, step: Step) -> Outcome:
        command = Command(step.trigger, step.cases, step.actor, step.at, step.params,
                          step.request_id)
        try:
            result = self.reader.run(command)
        except WorkflowError as error:
            return Outcome(error.exit_code, "", f"Error: {error.one_line()}\n", error)
        return Outcome(0, "", "", value=result.group.as_dict() if result.group else result.case)


class CliDriver(Driver):
    name = "cli"

    def __init__(self, path: str, reader: Service) -> None:
        super().__init__(path, reader)
        self.runner = CliRunner()

    def invoke(self, *args: str, env: Mapping[str, str | None] | None = None) -> Any:
        environ = {"CROSSINGS_DB": self.path, "CROSSINGS_ACTOR": None, **(env or {})}
        return self.runner.invoke(cli, list(args), env=environ, catch_exceptions=False)

    def do(self, step: Step) -> Outcome:
        result = self.invoke(*step.argv())
        return Outcome(result.exit_code, result.stdout, result.stderr)


def new_service(path: str) -> Service:
    """A Service with every actor registered. synchronous=OFF: these tests check rules,
    not durability (the reliability tests do), and an fsync per commit only adds waiting."""
    return new_database(path, clock=fixed_clock, synchronous="OFF")


def make_driver(kind: str, path: str, template: str | None = None) -> Driver:
    """A driver on PATH: a copy of TEMPLATE (fresh, actors registered) when given."""
    if template:
        shutil.copyfile(template, path)
        reader = Service.open(path, clock=fixed_clock, synchronous="OFF")
    else:
        reader = new_service(path)
    return ApiDriver(path, reader) if kind == "api" else CliDriver(path, reader)


@pytest.fixture(scope="session")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One fresh database with the actors, built once and copied (faster than migrating)."""
    path = str(tmp_path_factory.mktemp("fresh") / "crossings.db")
    new_service(path).close()  # closing the last connection checkpoints the WAL
    return path


@pytest.fixture(params=["cli", "api", "postgresql"])
def driver(request: pytest.FixtureRequest, tmp_path: Any, fresh_template: str) -> Iterator[Driver]:
    """A fresh database with one actor of every role, driven through the CLI or the API,
    or through the CLI on a PostgreSQL server (``postgresql``: the same battery holds the
    second store to the same rules)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
        made: Driver = CliDriver(url, new_service(url))
    else:
        made = make_driver(request.param, str(tmp_path / "crossings.db"), fresh_template)
    yield made
    made.reader.close()


# -- builders: a fresh case brought to a point of the procedure -------------------------

def opened(d: Driver, *, name: str = "Pak Sun-hui", crossed_on: str = "1961-10",
           place: str = "Badaogou", **extra: Any) -> int:
    params = {"name": name, "crossed_on": crossed_on, "place": place, **extra}
    return d.ok(Step("open", params=params, at=OPENED)).case_id


def investigated(d: Driver, citizenship: str = "dprk", *, purpose: str = "other",
                 spouse: str = "none", crime: str | None = None,
                 purpose_note: str | None = None, **open_kw: Any) -> int:
    case = opened(d, **open_kw)
    facts = {"citizenship": citizenship, "purpose": purpose, "spouse": spouse,
             "crime": crime, "purpose_note": purpose_note}
    facts = {k: v for k, v in facts.items() if v is not None}
    d.ok(Step("investigate", (case,), params=facts))
    return case


def persuading(d: Driver, *outcomes: str, **kw: Any) -> int:
    case = investigated(d, **kw)
    d.ok(Step("begin_persuasion", (case,)))
    for outcome in outcomes:
        persuade(d, case, outcome)
    return case


def persuade(d: Driver, case: int, outcome: str) -> None:
    d.ok(Step("persuade", (case,), params={"outcome": outcome, "method": "talk"}))


def referred(d: Driver, reply: str | None = None, **kw: Any) -> int:
    kw.setdefault("spouse", "chinese-korean")
    case = persuading(d, "refused", "refused", "refused", **kw)
    d.ok(Step("refer", (case,)))
    if reply:
        d.ok(Step("consulate_reply", (case,), "Liu", {"reply": reply}))
    return case


def approved(d: Driver, *outcomes: str, crossed_on: str = "1960") -> int:
    case = persuading(d, "refused", crossed_on=crossed_on)
    d.ok(Step("approve_transfer", (case,), "Wang"))
    for outcome in outcomes:
        persuade(d, case, outcome)
    return case


def amended(d: Driver, case: int, field_name: str, value: str) -> int:
    params = {"field": field_name, "value": value, "reason": "found later"}
    d.ok(Step("amend", (case,), params=params))
    return case


def restored(d: Driver) -> int:
    case = investigated(d, "prc-korean-minority")
    d.ok(Step("restore_citizenship", (case,)))
    return case


# -- reading output -----------------------------------------------------------------------

_CITED = re.compile(r"\(((?:[PWTG]\d?)(?:, [PWTG]\d?)*)\)")


def cited(message: str) -> set[str]:
    """Clause ids a message cites in its parenthesised lists, such as '(P1, G)'."""
    return {c for found in _CITED.findall(message) for c in found.split(", ")}


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def dump(path: str) -> str:
    """The whole database as text: equal dumps mean nothing was written."""
    from .chain import dump as dumped

    return dumped(path)


def roles_of(trigger: str) -> tuple[str, ...]:
    return POLICY.trigger(trigger).roles


Builder = Callable[[Driver], tuple[int, ...]]
