"""Scenario files: recorded case histories to replay under the cable's rules (issue 3).

A scenario is YAML, or JSON with the same structure::

    title: Married crosser, consulate agrees (P3)
    settings: {short_period_days: 15}          # optional
    actors:
      - {name: Zhao, role: county-officer}
    events:
      - {at: 1961-11-12, by: Zhao, do: open, case: choe, name: Choe Myong-ok,
         crossed_on: 1961-03-20, place: Badaogou}
      - {at: 1961-12-10, by: Zhao, do: refer, case: choe, expect: {refused: P3}}
    expect:
      choe: {state: persuading, flagged: false, attempts: 2}

Everything is checked here, before anything is replayed: unknown triggers, actors, case
labels and facts (facts are named as the command line's options, in snake_case), bad
dates and values, missing required fields, events out of date order. Each problem names
``FILE:LINE``. This module is pure: it reads text and the policy table, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from workflow import CLAUSES, JILIN_1961, InvalidInput, Policy, WorkflowError
from workflow.policy import Trigger
from workflow.values import parse_date

TOP_KEYS = ("title", "description", "source", "settings", "actors", "events", "expect")
EVENT_KEYS = ("at", "by", "do", "case", "cases", "expect", "note")
EXPECT_KEYS = ("state", "flagged", "attempts", "facts")
LABEL_PARAMS = ("accompanies",)  # options whose value is a case label in a scenario


# -- located values: YAML/JSON with the line of every mapping key and sequence item -------

class LocDict(dict[Any, Any]):
    """A mapping from the file, with its own line and the line of each key."""

    line: int | None = None
    lines: dict[Any, int]
    duplicates: list[tuple[Any, int]]


class LocList(list[Any]):
    """A sequence from the file, with its own line and the line of each item."""

    line: int | None = None
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember where they stood."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
    out = LocDict()
    out.line, out.lines, out.duplicates = node.start_mark.line + 1, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicates.append((key, line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    out = LocList(loader.construct_object(item, deep=True) for item in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [item.start_mark.line + 1 for item in node.value]
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date as YAML reads it; an impossible one (1961-11-31) stays text, for the
    checks below to name it, instead of failing the whole file."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _line(value: Any, key: Any = None) -> int | None:
    """The line of a located mapping's key (or of the value itself)."""
    if key is not None and isinstance(value, LocDict):
        return value.lines.get(key, value.line)
    return getattr(value, "line", None)


# -- the scenario model --------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
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


@dataclass(frozen=True)
class ActorSpec:
    name: str
    role: str
    line: int | None = None


@dataclass(frozen=True)
class Event:
    """One recorded event: its own date, actor, trigger, case label(s) and facts."""

    line: int | None
    at: str
    by: str
    do: str  # the trigger's name, or "open"
    cases: tuple[str, ...]  # case labels: one, or the group of a hand_over
    params: dict[str, Any]  # cleaned options; LABEL_PARAMS still hold labels
    refused: tuple[str, ...] = ()  # expect: {refused: ...}: the clauses it must cite
    note: str | None = None

    @property
    def label(self) -> str:
        return self.cases[0]

    def describe(self) -> str:
        return f"{self.do} {', '.join(self.cases)} on {self.at} by {self.by}"


@dataclass(frozen=True)
class Expectation:
    """What must hold of a case when the events have run."""

    label: str
    line: int | None
    state: str | None = None
    flagged: bool | None = None
    attempts: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    source: str
    title: str | None
    settings: dict[str, Any]
    actors: tuple[ActorSpec, ...]
    events: tuple[Event, ...]
    expect: tuple[Expectation, ...]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.events if e.do == "open"]


# -- entry points --------------------------------------------------------------------------

def load(path: str | Path, policy: Policy = JILIN_1961) -> Scenario:
    """Read and check one scenario file. Raises ScenarioError naming FILE:LINE."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(source, None, f"cannot read the file: {error}")]) from None
    return parse(text, source, policy)


def parse(text: str, source: str = "<scenario>", policy: Policy = JILIN_1961) -> Scenario:
    """Check a scenario given as YAML or JSON text."""
    if source.endswith(".json"):
        text = text.replace("\t", " ")  # JSON allows tabs between tokens; YAML does not
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506  _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([Problem(source, line, f"not valid YAML/JSON: {problem}")]) from None
    return from_data(data, source, policy)


def from_data(data: Any, source: str = "<scenario>", policy: Policy = JILIN_1961) -> Scenario:
    """Check a scenario given as Python data (as parsed from YAML or JSON, or built)."""
    checker = _Checker(source, policy)
    scenario = checker.scenario(data)
    if checker.problems or scenario is None:
        raise ScenarioError(sorted(checker.problems, key=lambda p: p.line or 0))
    return scenario


# -- checking ------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """Dates and numbers from YAML, as the text a user would have typed."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _plain(value: Any) -> Any:
    """A YAML value with dates as ISO text, for comparison with stored JSON."""
    if isinstance(value, (dt.date, dt.datetime)):
        return _text(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Checker:
    """Collects every problem of one file rather than stopping at the first."""

    def __init__(self, source: str, policy: Policy) -> None:
        self.source = source
        self.policy = policy
        self.problems: list[Problem] = []
        self.actors: dict[str, str] = {}
        self.opened: dict[str, int | None] = {}  # label -> line of its open event
        self.last_at: str | None = None

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))

    def mapping(self, value: Any, what: str, line: int | None) -> Mapping[Any, Any] | None:
        if isinstance(value, dict):
            for key, dup_line in getattr(value, "duplicates", []):
                self.problem(dup_line, f"{what}: {key!r} is given twice")
            return value
        self.problem(_line(value) or line, f"{what} must be a mapping (key: value)")
        return None

    def unknown_keys(self, data: Mapping[Any, Any], allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.problem(_line(data, key),
                             f"unknown {what} {key!r}; expected one of {', '.join(allowed)}")

    def scenario(self, data: Any) -> Scenario | None:
        if data is None:
            self.problem(None, "the file is empty")
            return None
        top = self.mapping(data, "a scenario", 1)
        if top is None:
            return None
        self.unknown_keys(top, TOP_KEYS, "section")
        title = top.get("title")
        actors = self.actor_specs(top.get("actors"), _line(top, "actors"))
        settings = self.settings(top.get("settings"))
        events = self.events(top.get("events"), _line(top, "events"))
        expect = self.expectations(top.get("expect"), _line(top, "expect"))
        return Scenario(self.source, None if title is None else _text(title), settings,
                        actors, events, expect)

    # actors and settings -------------------------------------------------------------

    def actor_specs(self, value: Any, line: int | None) -> tuple[ActorSpec, ...]:
        if not isinstance(value, list) or not value:
            self.problem(line or 1, "missing field 'actors': a list of {name, role}")
            return ()
        out = []
        for item, item_line in zip(value, getattr(value, "lines", [line] * len(value))):
            spec = self.actor_spec(item, item_line)
            if spec is not None:
                out.append(spec)
        return tuple(out)

    def actor_spec(self, item: Any, line: int | None) -> ActorSpec | None:
        data = self.mapping(item, "an actor", line)
        if data is None:
            return None
        self.unknown_keys(data, ("name", "role"), "actor field")
        name, role = data.get("name"), data.get("role")
        if name is None or not str(name).strip() or role is None:
            self.problem(line, "an actor needs a name and a role")
            return None
        name = _text(name).strip()
        if role not in self.policy.roles:
            self.problem(_line(data, "role"),
                         f"unknown role {role!r}; roles: {', '.join(self.policy.roles)}")
            return None
        if self.actors.get(name, role) != role:
            self.problem(line, f"actor {name} is declared with two roles")
        self.actors[name] = role
        return ActorSpec(name, role, line)

    def settings(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        data = self.mapping(value, "settings", None)
        out: dict[str, Any] = {}
        for name, raw in (data or {}).items():
            try:
                out[str(name)] = self.policy.setting(str(name)).clean(_text(raw))
            except InvalidInput as error:
                self.problem(_line(data, name), error.one_line())
        return out

    # events --------------------------------------------------------------------------

    def events(self, value: Any, line: int | None) -> tuple[Event, ...]:
        if not isinstance(value, list) or not value:
            self.problem(line or 1, "missing field 'events': a list of events")
            return ()
        out: list[Event] = []
        lines = getattr(value, "lines", [line] * len(value))
        for item, item_line in zip(value, lines):
            event = self.event(item, item_line)
            if event is not None:
                out.append(event)
        return tuple(out)

    def in_order(self, at: str, line: int | None) -> None:
        if self.last_at is not None and at < self.last_at:
            self.problem(line, f"event dated {at} comes after one dated {self.last_at}: "
                         "events must be in date order")
        self.last_at = max(at, self.last_at or at)

    def event(self, item: Any, line: int | None) -> Event | None:
        data = self.mapping(item, "an event", line)
        if data is None:
            return None
        line = _line(data) or line
        trigger = self.trigger(data, line)
        at = self.date(data, line)
        by = self.actor_ref(data, line)
        cases = self.case_refs(data, trigger, line)
        refused = self.event_expect(data)
        if trigger is None or at is None or by is None or cases is None:
            return None
        params = self.params(data, trigger, line)
        if params is None:
            return None
        note = data.get("note")
        return Event(line, at, by, trigger.name, cases, params, refused,
                     None if note is None else _text(note))

    def trigger(self, data: Mapping[Any, Any], line: int | None) -> Trigger | None:
        name = data.get("do")
        if name is None:
            self.problem(line, "missing field 'do': the trigger (or open)")
            return None
        try:
            return self.policy.trigger(str(name))
        except InvalidInput as error:
            self.problem(_line(data, "do"), error.one_line())
            return None

    def date(self, data: Mapping[Any, Any], line: int | None) -> str | None:
        if data.get("at") is None:
            self.problem(line, "missing field 'at': the event's own date")
            return None
        try:
            at = parse_date(_text(data["at"]), "at")
        except InvalidInput as error:
            self.problem(_line(data, "at"), f"bad date: {error.one_line()}")
            return None
        self.in_order(at, _line(data, "at"))
        return at

    def actor_ref(self, data: Mapping[Any, Any], line: int | None) -> str | None:
        by = data.get("by")
        if by is None:
            self.problem(line, "missing field 'by': the acting actor")
            return None
        name = _text(by).strip()
        if name not in self.actors:
            declared = ", ".join(self.actors) or "none"
            self.problem(_line(data, "by"), f"unknown actor {name!r}; actors declared: {declared}")
            return None
        return name

    def case_refs(self, data: Mapping[Any, Any], trigger: Trigger | None,
                  line: int | None) -> tuple[str, ...] | None:
        if trigger is None:
            return None
        labels = self.label_list(data, trigger, line)
        if labels is None:
            return None
        if trigger.name == "open":
            return self.new_label(labels[0], _line(data, "case"))
        known = True
        for label in labels:
            known = self.known_label(label, _line(data, "cases" if "cases" in data else "case")) and known
        if len(set(labels)) != len(labels):
            self.problem(_line(data, "cases"), "a case is named twice in the group")
            return None
        return labels if known else None

    def label_list(self, data: Mapping[Any, Any], trigger: Trigger,
                   line: int | None) -> tuple[str, ...] | None:
        if "cases" in data:
            value = data["cases"]
            if not trigger.group:
                self.problem(_line(data, "cases"),
                             f"'cases' is for hand_over's group; {trigger.name} takes 'case'")
                return None
            if not isinstance(value, list) or not value or "case" in data:
                self.problem(_line(data, "cases"), "'cases' must be a list of case labels")
                return None
            return tuple(_text(v) for v in value)
        if data.get("case") is None:
            self.problem(line, "missing field 'case': the case label")
            return None
        return (_text(data["case"]),)

    def new_label(self, label: str, line: int | None) -> tuple[str, ...] | None:
        if label in self.opened:
            self.problem(line, f"case label {label!r} is opened twice "
                         f"(first on line {self.opened[label]})")
            return None
        self.opened[label] = line
        return (label,)

    def known_label(self, label: str, line: int | None) -> bool:
        if label in self.opened:
            return True
        self.problem(line, f"unknown case label {label!r}: no earlier 'open' event for it")
        return False

    def event_expect(self, data: Mapping[Any, Any]) -> tuple[str, ...]:
        if data.get("expect") is None:
            return ()
        expect = self.mapping(data["expect"], "an event's expect", _line(data, "expect"))
        if expect is None:
            return ()
        self.unknown_keys(expect, ("refused",), "event expectation")
        value = expect.get("refused")
        if value is None:
            self.problem(_line(data, "expect"), "an event's expect needs refused: CLAUSE")
            return ()
        clauses = tuple(_text(v) for v in (value if isinstance(value, list) else [value]))
        for clause in clauses:
            if clause not in CLAUSES:
                self.problem(_line(expect, "refused"),
                             f"unknown clause {clause!r}; clauses: {', '.join(CLAUSES)}")
        return clauses

    def params(self, data: Mapping[Any, Any], trigger: Trigger,
               line: int | None) -> dict[str, Any] | None:
        raw = {str(k): v for k, v in data.items() if k not in EVENT_KEYS or k == "note"}
        clean, ok = {}, True
        for key, value in raw.items():
            cleaned = self.param(trigger, key, value, _line(data, key))
            ok = ok and cleaned is not _BAD
            if value is not None and cleaned is not _BAD:
                clean[key] = cleaned
        raw = {k: v for k, v in raw.items() if v is not None}
        for param in self.policy.missing_options(trigger, raw):
            self.problem(line, f"missing field {param.name!r}: {trigger.name} needs it")
            ok = False
        if ok and trigger.name == "amend":
            ok = self.amend_value(trigger, raw, clean, _line(data, "value") or line)
        return clean if ok else None

    def param(self, trigger: Trigger, key: str, value: Any, line: int | None) -> Any:
        param = self.policy.option(trigger, key)
        if param is None:
            takes = ", ".join(self.policy.option_names(trigger))
            self.problem(line, f"unknown fact {key!r} for {trigger.name}; it takes: {takes}")
            return _BAD
        if value is None:
            return None  # given empty: as if not given
        if key in LABEL_PARAMS:
            label = _text(value)
            return label if self.known_label(label, line) else _BAD
        if trigger.name == "amend" and key == "value":
            return value  # checked with its field, below
        try:
            return param.clean(value if isinstance(value, list) else _text(value))
        except InvalidInput as error:
            self.problem(line, error.one_line())
            return _BAD

    def amend_value(self, trigger: Trigger, raw: Mapping[str, Any], clean: dict[str, Any],
                    line: int | None) -> bool:
        field_name = clean.get("field")
        value = raw.get("value")
        if field_name in LABEL_PARAMS and value is not None:
            clean["value"] = _text(value)
            return self.known_label(clean["value"], line)
        try:
            clean["value"] = self.policy.clean_fact_value(
                str(field_name), None if value is None else _text(value))
        except InvalidInput as error:
            self.problem(line, error.one_line())
            return False
        return True

    # final expectations --------------------------------------------------------------

    def expectations(self, value: Any, line: int | None) -> tuple[Expectation, ...]:
        if value is None:
            return ()
        data = self.mapping(value, "expect", line)
        out = []
        for label, spec in (data or {}).items():
            found = self.expectation(_text(label), spec, _line(data, label))
            if found is not None:
                out.append(found)
        return tuple(out)

    def expectation(self, label: str, spec: Any, line: int | None) -> Expectation | None:
        known = self.known_label(label, line)
        data = self.mapping(spec, f"expect for {label}", line)
        if data is None or not known:
            return None
        self.unknown_keys(data, EXPECT_KEYS, "expectation")
        state, flagged, attempts = data.get("state"), data.get("flagged"), data.get("attempts")
        if state is not None and state not in self.policy.state_names:
            self.problem(_line(data, "state"), f"unknown state {state!r}; states: "
                         f"{', '.join(self.policy.state_names)}")
        if flagged is not None and not isinstance(flagged, bool):
            self.problem(_line(data, "flagged"), "flagged must be true or false")
        if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int)
                                     or attempts < 0):
            self.problem(_line(data, "attempts"), "attempts must be a count (0 or more)")
        facts = data.get("facts") or {}
        if not isinstance(facts, dict):
            self.problem(_line(data, "facts"), "facts must be a mapping of fact: value")
            facts = {}
        return Expectation(label, line, state, flagged, attempts,
                           {str(k): _plain(v) for k, v in facts.items()})


_BAD = object()
