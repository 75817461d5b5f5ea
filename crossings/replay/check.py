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
from typing import Any, Iterable, Mapping

from workflow import InvalidInput, Policy, Trigger
from workflow.values import parse_date

from .loader import line_of as _line
from .model import ActorSpec, Event, Expectation, Problem, Scenario

TOP_KEYS = ("title", "description", "policy", "source", "settings", "actors", "events",
            "expect")
EVENT_KEYS = ("at", "by", "do", "case", "cases", "expect", "note", "source")
EVENT_OPTION_KEYS = ("note", "source")  # options of every event, kept in its audit row
EXPECT_KEYS = ("state", "flagged", "facts")  # and a count of each list the policy shows


# -- checking ------------------------------------------------------------------------------

def _text(value: Any) -> str:
    """Numbers (and dates, in data built in Python: YAML gives dates as text) as the text
    a user would have typed; a datetime keeps its time, for the date checks to refuse."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _plain(value: Any) -> Any:
    """A YAML value with dates as ISO text, for comparison with stored JSON."""
    if isinstance(value, dt.date):
        return _text(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Checker:
    """Collects every problem of one file rather than stopping at the first."""

    def __init__(self, source: str, policy: Policy) -> None:
        self.source = source
        self.policy = policy
        self.problems: list[Problem] = []
        self.actors: dict[str, str] = {}
        self.opened: dict[str, int | None] = {}  # label -> line of its open event
        self.last_at: str | None = None
        self.cited: str | None = None  # the file's top-level source: every event's default
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
        if top.get("source") is not None:
            self.cited = _text(top["source"])
        actors = self.actor_specs(top.get("actors"), _line(top, "actors"))
        settings = self.settings(top.get("settings"))
        events = self.events(top.get("events"), _line(top, "events"))
        expect = self.expectations(top.get("expect"), _line(top, "expect"))
        return Scenario(self.source, None if title is None else _text(title), settings,
                        actors, events, expect, self.policy.key)

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
        text = _text(data["at"])
        try:
            at = parse_date(text, "at")
        except InvalidInput as error:
            timed = "; a time or zone is not allowed: give the day alone" if ":" in text else ""
            self.problem(_line(data, "at"), f"bad date: {error.one_line()}{timed}")
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
            declared = ", ".join(self.actors) or "no actor"
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
        if trigger.opens:
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
            if clause not in self.policy.clauses:
                self.problem(_line(expect, "refused"), f"unknown clause {clause!r}; clauses: "
                             f"{', '.join(self.policy.clauses)}")
        return clauses

    def params(self, data: Mapping[Any, Any], trigger: Trigger,
               line: int | None) -> dict[str, Any] | None:
        raw = {str(k): v for k, v in data.items()
               if k not in EVENT_KEYS or k in EVENT_OPTION_KEYS}
        if "source" not in raw and self.cited is not None:
            raw["source"] = self.cited
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
        value_param = _fact_value(trigger)
        if ok and value_param is not None:
            ok = self.fact_value(trigger, value_param, raw, clean,
                                 _line(data, value_param) or line)
        return clean if ok else None

    def param(self, trigger: Trigger, key: str, value: Any, line: int | None) -> Any:
        param = self.policy.option(trigger, key)
        if param is None:
            takes = ", ".join(self.policy.option_names(trigger))
            self.problem(line, f"unknown fact {key!r} for {trigger.name}; it takes: {takes}")
            return _BAD
        if value is None:
            return None  # given empty: as if not given
        if param.kind == "case":  # a case label in a scenario
            label = _text(value)
            return label if self.known_label(label, line) else _BAD
        if param.kind == "fact-value":
            return value  # checked with its fact, below
        try:
            return param.clean(value if isinstance(value, list) else _text(value))
        except InvalidInput as error:
            self.problem(line, error.one_line())
            return _BAD

    def fact_value(self, trigger: Trigger, key: str, raw: Mapping[str, Any],
                   clean: dict[str, Any], line: int | None) -> bool:
        """The value of a correction, checked as the fact it corrects."""
        field_name = str(self.policy.corrected_fact(trigger, clean))
        value = raw.get(key)
        if self.policy.fact(field_name).kind == "case" and value is not None:
            clean[key] = _text(value)
            return self.known_label(clean[key], line)
        try:
            clean[key] = self.policy.clean_fact_value(
                field_name, None if value is None else _text(value))
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
        self.unknown_keys(data, (*EXPECT_KEYS, *self.policy.shown), "expectation")
        state, flagged = data.get("state"), data.get("flagged")
        if state is not None and state not in self.policy.state_names:
            self.problem(_line(data, "state"), f"unknown state {state!r}; states: "
                         f"{', '.join(self.policy.state_names)}")
        if flagged is not None and not isinstance(flagged, bool):
            self.problem(_line(data, "flagged"), "flagged must be true or false")
        counts = {name: data[name] for name in self.policy.shown if data.get(name) is not None}
        for name, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                self.problem(_line(data, name), f"{name} must be a count (0 or more)")
        facts = data.get("facts") or {}
        if not isinstance(facts, dict):
            self.problem(_line(data, "facts"), "facts must be a mapping of fact: value")
            facts = {}
        return Expectation(label, line, state, flagged, counts,
                           {str(k): _plain(v) for k, v in facts.items()})


def _fact_value(trigger: Trigger) -> str | None:
    """The option of a correction that holds the corrected value, if the trigger has one."""
    return next((p.name for p in trigger.params if p.kind == "fact-value"), None)


_BAD = object()
