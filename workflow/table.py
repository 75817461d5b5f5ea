"""A whole policy table (:class:`Policy`) and the questions the engine asks it.

The table is built by a policy package under ``workflow.policies`` and checked by
``workflow.validation`` when that package loads. Lookups here are by the names the table
declares; nothing in this module knows any one policy.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from .errors import InvalidInput
from .policy import (
    EVERY_OPEN_STATE,
    EVERY_STATE,
    NAME,
    NATIVE_NAME,
    OPENED_ON,
    Clause,
    Derived,
    Flag,
    Guard,
    Param,
    Setting,
    State,
    Trigger,
)
from .office import EVENT_OPTIONS
from .queries import Count, LatestField, NameList, Section
from .record import Record, field

Effect = Callable[..., dict[str, Any]]


class Compiled:
    """What the engine asks of one trigger on every event, worked out once when the table
    loads (the table never changes): its source states as a set, its options by name
    (the office's event options after its own), its required options, the options that
    name a fact to correct and its value, those dated by the opening, those naming cases."""

    __slots__ = ("trigger", "sources", "source_set", "options", "required", "chooser",
                 "value_param", "by_opening", "case_params", "kinds")

    def __init__(self, trigger: Trigger, states: tuple[State, ...]) -> None:
        self.trigger = trigger
        if trigger.sources == EVERY_OPEN_STATE:
            sources = tuple(s.name for s in states if not s.terminal)
        elif trigger.sources == EVERY_STATE:
            sources = tuple(s.name for s in states)
        else:
            sources = tuple(trigger.sources)
        self.sources, self.source_set = sources, frozenset(sources)
        self.options: dict[str, Param] = {p.name: p for p in reversed(EVENT_OPTIONS)}
        for param in reversed(trigger.params):  # the first of a name wins, as param() finds
            self.options[param.name] = param
        self.required = tuple(p for p in trigger.params if p.required)
        self.chooser = next((p for p in trigger.params if p.kind == "fact"), None)
        self.value_param = next((p for p in trigger.params if p.kind == "fact-value"), None)
        self.by_opening = tuple(p for p in trigger.params if p.by_opening)
        self.case_params = tuple(p.name for p in trigger.params if p.kind == "case")
        self.kinds = {p.name: p.kind for p in trigger.params}


class Words(Record):
    """What the rendering layer says about a policy's cases, in the policy's own words."""
    register_heading: Callable[[int], str]
    list_heading: Callable[[str, str, int], str]
    entry: Callable[[Mapping[str, Any]], list[str]]  # the details of a register entry
    manifest_heading: Callable[[Mapping[str, Any], int], str]
    manifest_person: Callable[[Mapping[str, Any]], str]
    database: str  # what a database of this policy holds, for its readers
    # How `show` lists the entries of each derived list fact, one line an entry (1-based).
    shown_entries: Mapping[str, Callable[[int, Mapping[str, Any]], str]] = field(
        default_factory=dict)


class Policy(Record):
    """The whole table: states, triggers, settings, facts, guards and effects of one
    procedure, its source's clauses, and what its reports and readers ask for."""
    id: str
    version: str
    title: str
    source: str  # the citation of the document the policy encodes
    called: str  # how the docs name that document ("the cable")
    clauses: Mapping[str, Clause]
    states: tuple[State, ...]
    triggers: tuple[Trigger, ...]
    settings: tuple[Setting, ...]
    facts: tuple[Param, ...]
    roles: tuple[str, ...]
    guards: Mapping[str, Guard]
    effects: Mapping[str, Effect]
    derived: tuple[Derived, ...] = ()
    # Input checks that need the case: name -> f(facts, params) -> what is wrong, or None.
    rejections: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]] = \
        field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    sections: tuple[Section, ...] = ()
    view_counts: tuple[Count | LatestField, ...] = ()
    name_list: NameList | None = None
    summaries: tuple[str, ...] = ()  # facts `report summary --by` counts by
    register: tuple[str, ...] = ()  # facts the register of names shows for each person
    shown: tuple[str, ...] = ()  # derived facts `show --json` lists beside the facts
    words: Words | None = None
    example_actors: Mapping[str, str] = field(default_factory=dict)  # role -> a name (help)
    example_at: str = ""  # the date of the help's examples
    effective: str = ""  # the date the policy took effect (YYYY-MM-DD)
    formerly: tuple[str, ...] = ()  # ids this policy was known by in older trails
    readings: str = ""  # where the readings it adopts are documented
    # What this version changed of the one before, trigger by trigger, in words (diff).
    revisions: Mapping[str, str] = field(default_factory=dict)
    # Not __init__ arguments: replace() must build a new index, not fill (and corrupt) the
    # original policy's.
    _index: dict[str, Trigger] = field(default_factory=dict, init=False)
    _compiled: dict[str, Compiled] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._index.update({t.name: t for t in self.triggers})
        self._compiled.update({t.name: Compiled(t, self.states) for t in self.triggers})

    def compiled(self, trigger: Trigger) -> Compiled:
        """TRIGGER's entry worked out at load (a trigger not of this table: worked out now)."""
        found = self._compiled.get(trigger.name)
        return found if found is not None and found.trigger is trigger else \
            Compiled(trigger, self.states)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    # -- states ---------------------------------------------------------------------

    @property
    def initial(self) -> State:
        return next(s for s in self.states if s.initial)

    def state(self, name: str) -> State:
        return _named(self.states, name, f"unknown state {name!r}; states")

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.states]

    @property
    def terminal(self) -> set[str]:
        return {s.name for s in self.states if s.terminal}

    @property
    def open_states(self) -> list[str]:
        return [s.name for s in self.states if not s.terminal]

    # -- triggers -------------------------------------------------------------------

    def trigger(self, name: str) -> Trigger:
        found = self._index.get(name.replace("-", "_"))
        if found is None:
            raise InvalidInput(f"unknown trigger {name!r}; triggers: {', '.join(self._index)}")
        return found

    def find(self, name: str) -> Trigger | None:
        """The trigger NAME, or None if the table has none of that name."""
        return self._index.get(name.replace("-", "_"))

    @property
    def opening(self) -> Trigger:
        """The trigger that opens a case."""
        return next(t for t in self.triggers if t.opens)

    def sources(self, trigger: Trigger) -> list[str]:
        return list(self.compiled(trigger).sources)

    def applies_in(self, trigger: Trigger, state: str) -> bool:
        """Whether TRIGGER may be fired on a case in STATE (a set look-up)."""
        return state in self.compiled(trigger).source_set

    def applicable(self, state: str) -> list[str]:
        return [t.name for t in self.triggers if not t.opens and state in self.sources(t)]

    # -- settings and facts -----------------------------------------------------------

    def setting(self, name: str) -> Setting:
        return _named(self.settings, name, f"unknown setting {name!r}; settings")

    def defaults(self) -> dict[str, Any]:
        return {s.name: s.default for s in self.settings}

    def fact(self, name: str) -> Param:
        return _named(self.facts, name, f"--field: {name!r} is not a fact that can be "
                                        "corrected; facts")

    def column_facts(self) -> tuple[str, ...]:
        """The facts a reader's view of cases shows as columns: every option fact but the
        core ones and the appended, then the derived dates."""
        core = {NAME, NATIVE_NAME, OPENED_ON}
        return (*(f.name for f in self.facts if f.name not in core and not f.appended),
                *(d.name for d in self.derived if d.type == "date" and d.name not in core))

    def flags_of(self, facts: Mapping[str, Any]) -> list[str]:
        """The flags a case with these facts carries."""
        return [flag.name for flag in self.flags if flag.holds(facts)]

    # -- options ----------------------------------------------------------------------

    def option(self, trigger: Trigger, key: str) -> Param | None:
        """The option ``key`` of ``trigger`` (every trigger takes the office's event options:
        a note, a source); None if unknown."""
        return self.compiled(trigger).options.get(key)

    def option_names(self, trigger: Trigger) -> list[str]:
        return [p.name for p in (*trigger.params, *EVENT_OPTIONS)]

    def missing_options(self, trigger: Trigger, given: Mapping[str, Any]) -> list[Param]:
        """The required options of ``trigger`` that ``given`` lacks, in declared order."""
        return [p for p in self.compiled(trigger).required if p.name not in given]

    def clean_params(self, trigger: Trigger, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a trigger's options: unknown names, missing required ones, values."""
        compiled = self.compiled(trigger)
        options = compiled.options
        clean: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None:
                continue
            param = options.get(key)
            if param is None:
                allowed = ", ".join(self.option_names(trigger))
                raise InvalidInput(f"{trigger.name} under {self.key} takes no option {key!r}; "
                                   f"it takes: {allowed}")
            clean[key] = param.clean(value)
        missing = [p for p in compiled.required if p.name not in clean]
        if missing:
            raise InvalidInput(f"{trigger.name} needs {missing[0].flag}")
        named = self.corrected_fact(trigger, clean)
        if named is not None:
            value_param = compiled.value_param
            assert value_param is not None  # validation: a fact chooser has a value option
            clean[value_param.name] = self.clean_fact_value(named, raw.get(value_param.name))
        return clean

    def corrected_fact(self, trigger: Trigger, params: Mapping[str, Any]) -> str | None:
        """For a trigger that corrects a fact: the fact its options name (else None)."""
        chooser = self.compiled(trigger).chooser
        if chooser is None or chooser.name not in params:
            return None
        return str(params[chooser.name])

    def clean_fact_value(self, name: str, value: Any) -> Any:
        fact = self.fact(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if fact.required or fact.appended:
                raise InvalidInput(f"--value: {name} cannot be blank")
            return None
        return fact.clean(value)

    def case_options(self, trigger: Trigger, params: Mapping[str, Any]) -> list[str]:
        """The options of an event whose values name other cases: those of kind case, and
        the value of a correction of a fact of kind case."""
        keys = [name for name in self.compiled(trigger).case_params
                if params.get(name) is not None]
        named = self.corrected_fact(trigger, params)
        if named is not None and self.fact(named).kind == "case":
            key = next(p.name for p in trigger.params if p.kind == "fact-value")
            if params.get(key) is not None:
                keys.append(key)
        return keys

    def case_refs(self, trigger: Trigger, params: Mapping[str, Any]) -> list[tuple[str, int]]:
        """The other cases an event's options name: (the fact, case id) pairs."""
        compiled = self.compiled(trigger)
        if not compiled.case_params and compiled.chooser is None:
            return []
        named = self.corrected_fact(trigger, params)
        kinds = compiled.kinds
        return [(str(named) if kinds[key] == "fact-value" else key, params[key])
                for key in self.case_options(trigger, params)]

    def dated_facts(self, trigger: Trigger, params: Mapping[str, Any]) -> list[tuple[Param, str]]:
        """The facts of an event that cannot begin after the case was opened, with the
        values the event gives them."""
        out = [(p, params[p.name]) for p in self.compiled(trigger).by_opening
               if params.get(p.name)]
        named = self.corrected_fact(trigger, params)
        if named is not None:
            fact = self.fact(named)
            value = next(params.get(p.name) for p in trigger.params if p.kind == "fact-value")
            if fact.by_opening and value:
                out.append((fact, value))
        return out

    def needs(self, guard: str) -> str | None:
        """The options a guard that reads the event's own options needs, if it does."""
        return self.guards[guard].needs


Named = TypeVar("Named", State, Setting, Param)


def _named(entries: tuple[Named, ...], name: str, unknown: str) -> Named:
    """The entry called NAME; else InvalidInput: UNKNOWN, then every entry's name."""
    for entry in entries:
        if entry.name == name:
            return entry
    raise InvalidInput(f"{unknown}: {', '.join(e.name for e in entries)}")
