"""The types of a policy table: states, triggers, options, guards, settings, clauses.

A policy is data: one :class:`Policy` per procedure, built by its own package under
``workflow.policies`` (the only place a procedure's words live) and checked by
:func:`workflow.validation.validate` when it loads. The engine asks the table what a trigger
is (it opens a case, it is fired for a group, it corrects a fact) and never tests a name.

Every policy's case has the engine's *core facts*: ``name`` (required) and, if the policy
declares it, ``native_name``; and its opening effect records ``opened_on``; a policy that
keeps further names of a person (other spellings, scripts) keeps them as the list
``aliases``. The store lists and searches cases by them; nothing else of a case's facts is
known outside its policy.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .errors import InvalidInput
from .record import Record
from .values import clean_name, clean_text, parse_approx_date, parse_case_id, parse_date

NAME, NATIVE_NAME, OPENED_ON = "name", "native_name", "opened_on"  # the core facts
ALIASES = "aliases"  # a core fact a policy may record: the person's further names
EVERY_OPEN_STATE = "*"  # a trigger's sources: every non-terminal state
EVERY_STATE = "**"  # every state, terminal ones included (an internal trigger only)


class Clause(Record):
    """One clause of a policy's source: its id, a summary, and its own words."""
    id: str
    summary: str
    words: str


class State(Record):
    """A state of the procedure, citing the clauses that define it."""
    name: str
    meaning: str
    clauses: tuple[str, ...]
    terminal: bool = False
    initial: bool = False


class Param(Record):
    """An option of a trigger, or a fact. ``kind`` decides how a value is validated:

    text, name, names (several names: a repeatable option, each value a name), choice,
    date, approx-date, case (another case's id), number (a whole number from 1), items
    (several choices), fact (the name of a fact ``corrections`` may change) and
    fact-value (a value for the fact named by the trigger's ``fact`` option, checked as
    that fact)."""

    name: str
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    required: bool = False
    sets_fact: bool = False  # the value is a fact of the case, applied before guards
    appended: bool = False  # a fact a correction appends an entry to instead of replacing
    # A date fact that cannot begin after the case was opened; the words name that date.
    by_opening: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def clean(self, value: Any) -> Any:
        return CLEANERS[self.kind](self, value)


def _clean_choice(param: Param, value: Any) -> str:
    text = str(value).strip()
    if text not in param.choices:
        raise InvalidInput(f"{param.flag}: {text!r} is not one of {', '.join(param.choices)}")
    return text


def _clean_items(param: Param, value: Any) -> list[str]:
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    items = [str(p).strip() for p in parts if str(p).strip()]
    for item in items:
        _clean_choice(param, item)
    return list(dict.fromkeys(items))


def _clean_names(param: Param, value: Any) -> list[str]:
    """One name or several (a list, or a repeated option), each a name; duplicates once."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return list(dict.fromkeys(clean_name(v, param.name) for v in values))


CLEANERS: dict[str, Callable[[Param, Any], Any]] = {
    "text": lambda p, v: clean_text(v, p.name, blank_ok=not p.required),
    "name": lambda p, v: clean_name(v, p.name),
    "names": _clean_names,
    "choice": _clean_choice,
    "fact": _clean_choice,
    "fact-value": lambda p, v: v,  # checked with its fact, by Policy.clean_params
    "date": lambda p, v: parse_date(v, p.name),
    "approx-date": lambda p, v: parse_approx_date(v, p.name).text,
    "case": lambda p, v: parse_case_id(v, option=p.name),
    "items": _clean_items,
    "number": lambda p, v: _clean_number(p, v),
}


def _clean_number(param: Param, value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 10**9 or (len(text) > 1 and text[0] == "0"):
        raise InvalidInput(f"{param.flag}: {text!r} is not a whole number from 1")
    return int(text)


class GuardSpec(Record):
    """A guard named by a trigger, with the clauses it enforces there."""
    guard: str
    clauses: tuple[str, ...]


class Guard(Record):
    """A guard of the policy: the pure function, what it checks in words, and, for a
    guard that reads the event's own options, the options it needs (``next`` then says
    "give --option" instead of calling the trigger blocked)."""
    check: Callable[..., Any]
    words: str
    needs: str | None = None


class Group(Record):
    """A trigger fired for a group of cases, all or nothing: the clauses a member cites
    when it is refused because of the others, and the words of that refusal."""
    clauses: tuple[str, ...]
    refusal: str  # "... {cases} ...": the failing cases' ids
    # Which clause a member of an applied group was taken under (manifests), by its facts.
    member_clause: Callable[[Mapping[str, Any]], str]
    view: str  # readers see the groups as views VIEW_groups (one row a group) and VIEWs
    facts: tuple[str, ...] = ()  # the facts of each member those views show
    # What the command line says of an applied group: formatted with the group's record
    # (id, at, its options, officer) and "cases", the ids joined.
    done: str = "group {id}: case(s) {cases} on {at}"


class Trigger(Record):
    """An event of the procedure: where it applies, who may fire it, what it checks,
    what it records, and the words the CLI, help and timelines use for it."""
    name: str
    sources: tuple[str, ...] | str
    dest: str | None  # None: internal, the state does not change
    roles: tuple[str, ...]
    guards: tuple[GuardSpec, ...]
    clauses: tuple[str, ...]
    summary: str
    params: tuple[Param, ...] = ()
    effect: str = "nothing"
    opens: bool = False  # opens a new case (sources: none)
    group: Group | None = None  # fired for a group of cases
    example: str = ""  # the options of the help's example
    asked: str = ""  # what a refusal of it was asked for, in words
    phrase: Callable[[Mapping[str, Any]], str] | None = None  # an applied row, in words
    # Input checks that need the case (the policy's ``rejections``, by name): an event
    # one of them finds malformed is rejected, nothing recorded, not refused.
    rejects: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        return self.name.replace("_", "-")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class Setting(Record):
    """A value the source leaves to the office (a period, a cut-off date, a name), with
    the range it may take: checked when it is set, so no later report can trip on it."""
    name: str
    default: Any
    kind: str  # int | date | text
    help: str
    clauses: tuple[str, ...]
    low: Any = None  # the smallest value allowed (int: 0 unless said; date: any)
    high: Any = None  # the largest (int: required; date: any; text: a length)
    choices: tuple[str, ...] = ()  # a choice's values

    def clean(self, value: Any) -> Any:
        if self.kind == "int":
            return self._number(value)
        if self.kind == "choice":
            text = str(value).strip()
            if text not in self.choices:
                raise InvalidInput(f"setting {self.name}: {text!r} is not one of "
                                   f"{', '.join(self.choices)}")
            return text
        if self.kind == "date":
            date = parse_date(value, self.name)
            if (self.low and date < self.low) or (self.high and date > self.high):
                raise InvalidInput(f"setting {self.name}: {date} is outside {self.low} to "
                                   f"{self.high}")
            return date
        return clean_text(value, self.name, blank_ok=False, limit=self.high or 1000)

    def _number(self, value: Any) -> int:
        text = str(value).strip()
        if not text.isdecimal() or len(text) > 18:  # no sign, exponent or 64-bit overflow
            raise InvalidInput(f"setting {self.name}: {value!r} is not a whole number "
                               f"from {self.low or 0} to {self.high}")
        number = int(text)
        if not (self.low or 0) <= number <= self.high:
            raise InvalidInput(f"setting {self.name}: {number} is outside {self.low or 0} to "
                               f"{self.high}")
        return number


class Derived(Record):
    """A fact an effect records (not given as an option): its name, its JSON type and, for
    a list of entries, the fields of an entry. Reports read these by name."""
    name: str
    type: str  # date | list | object | int
    help: str
    fields: tuple[str, ...] = ()


class Flag(Record):
    """A mark a case carries while its facts say so (a case waiting for an answer)."""
    name: str
    holds: Callable[[Mapping[str, Any]], bool]
    help: str
