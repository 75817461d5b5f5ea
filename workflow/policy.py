"""The policy as data: states, triggers, guards, roles and settings of the 1961 cable.

``JILIN_1961`` is the declarative table of ``shared/POLICY.md``. Every state, trigger
and guard cites clause ids of ``workflow.clauses``. :func:`validate` checks the table
when this module loads, so an inconsistent policy never runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .clauses import CLAUSES
from .effects import EFFECTS
from .errors import InvalidDefinition, InvalidInput
from .guards import GUARDS
from .values import clean_name, clean_text, parse_approx_date, parse_case_id, parse_date

ROLES = (
    "county-officer",
    "border-defence",
    "foreign-affairs",
    "provincial-committee",
    "public-security",
)
ANY_ROLE = ROLES
NON_TERMINAL = "*"  # a trigger's sources: every non-terminal state


@dataclass(frozen=True)
class State:
    """A state of the cable's procedure, citing the clauses that define it."""
    name: str
    meaning: str
    clauses: tuple[str, ...]
    terminal: bool = False
    initial: bool = False


@dataclass(frozen=True)
class Param:
    """An option of a trigger, or a fact's type. ``kind`` decides how it is validated."""

    name: str
    kind: str  # text | name | choice | date | approx-date | case | items
    help: str
    choices: tuple[str, ...] = ()
    required: bool = False
    sets_fact: bool = False  # the value is a fact of the case, applied before guards

    def clean(self, value: Any) -> Any:
        return _CLEANERS[self.kind](self, value)


def _clean_choice(param: Param, value: Any) -> str:
    text = str(value).strip()
    if text not in param.choices:
        raise InvalidInput(
            f"--{param.name.replace('_', '-')}: {text!r} is not one of {', '.join(param.choices)}"
        )
    return text


def _clean_items(param: Param, value: Any) -> list[str]:
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    items = [str(p).strip() for p in parts if str(p).strip()]
    for item in items:
        _clean_choice(param, item)
    return list(dict.fromkeys(items))


_CLEANERS = {
    "text": lambda p, v: clean_text(v, p.name, blank_ok=not p.required),
    "name": lambda p, v: clean_name(v, p.name),
    "choice": _clean_choice,
    "date": lambda p, v: parse_date(v, p.name),
    "approx-date": lambda p, v: parse_approx_date(v, p.name).text,
    "case": lambda p, v: parse_case_id(v, option=p.name),
    "items": _clean_items,
}


@dataclass(frozen=True)
class GuardSpec:
    """A guard named by a trigger, with the clauses it enforces there."""
    guard: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class Trigger:
    """An event of the procedure: where it applies, who may fire it, what it checks."""
    name: str
    sources: tuple[str, ...] | str
    dest: str | None  # None: internal, the state does not change
    roles: tuple[str, ...]
    guards: tuple[GuardSpec, ...]
    clauses: tuple[str, ...]
    summary: str
    params: tuple[Param, ...] = ()
    effect: str = "nothing"
    group: bool = False  # fired for a group of cases (hand_over)

    @property
    def command(self) -> str:
        return self.name.replace("_", "-")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class Setting:
    """A value the cable leaves to the office (a period, a cut-off date, a name)."""
    name: str
    default: Any
    kind: str  # int | date | text
    help: str
    clauses: tuple[str, ...]

    def clean(self, value: Any) -> Any:
        if self.kind == "int":
            try:
                number = int(str(value).strip())
            except ValueError:
                raise InvalidInput(f"setting {self.name}: {value!r} is not a whole number") from None
            if number < 0:
                raise InvalidInput(f"setting {self.name}: {number} is negative")
            return number
        if self.kind == "date":
            return parse_date(value, self.name)
        return clean_text(value, self.name, blank_ok=False)


@dataclass(frozen=True)
class Policy:
    """The whole table: states, triggers, settings and facts of one procedure."""
    id: str
    version: str
    title: str
    states: tuple[State, ...]
    triggers: tuple[Trigger, ...]
    settings: tuple[Setting, ...]
    facts: tuple[Param, ...]
    roles: tuple[str, ...] = ROLES
    # Not an __init__ argument: dataclasses.replace() must build a new index, not fill
    # (and corrupt) the original policy's.
    _index: dict[str, Trigger] = field(default_factory=dict, init=False, compare=False,
                                       repr=False)

    def __post_init__(self) -> None:
        self._index.update({t.name: t for t in self.triggers})

    @property
    def initial(self) -> State:
        return next(s for s in self.states if s.initial)

    def state(self, name: str) -> State:
        for state in self.states:
            if state.name == name:
                return state
        raise InvalidInput(f"unknown state {name!r}; states: {', '.join(self.state_names)}")

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.states]

    @property
    def terminal(self) -> set[str]:
        return {s.name for s in self.states if s.terminal}

    def trigger(self, name: str) -> Trigger:
        found = self._index.get(name.replace("-", "_"))
        if found is None:
            raise InvalidInput(f"unknown trigger {name!r}; triggers: {', '.join(self._index)}")
        return found

    def sources(self, trigger: Trigger) -> list[str]:
        if trigger.sources == NON_TERMINAL:
            return [s.name for s in self.states if not s.terminal]
        return list(trigger.sources)

    def applicable(self, state: str) -> list[str]:
        return [t.name for t in self.triggers if t.name != "open" and state in self.sources(t)]

    def setting(self, name: str) -> Setting:
        for setting in self.settings:
            if setting.name == name:
                return setting
        raise InvalidInput(
            f"unknown setting {name!r}; settings: {', '.join(s.name for s in self.settings)}"
        )

    def defaults(self) -> dict[str, Any]:
        return {s.name: s.default for s in self.settings}

    def fact(self, name: str) -> Param:
        for fact in self.facts:
            if fact.name == name:
                return fact
        raise InvalidInput(
            f"--field: {name!r} is not a fact that can be corrected; "
            f"facts: {', '.join(f.name for f in self.facts)}"
        )

    def option(self, trigger: Trigger, key: str) -> Param | None:
        """The option ``key`` of ``trigger`` (every trigger takes ``note``); None if unknown."""
        return _NOTE if key == "note" else trigger.param(key)

    def option_names(self, trigger: Trigger) -> list[str]:
        return [p.name for p in (*trigger.params, _NOTE)]

    def missing_options(self, trigger: Trigger, given: Mapping[str, Any]) -> list[Param]:
        """The required options of ``trigger`` that ``given`` lacks, in declared order."""
        return [p for p in trigger.params if p.required and p.name not in given]

    def clean_params(self, trigger: Trigger, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a trigger's options: unknown names, missing required ones, values."""
        clean: dict[str, Any] = {}
        for key, value in raw.items():
            if value is None:
                continue
            param = self.option(trigger, key)
            if param is None:
                allowed = ", ".join(self.option_names(trigger))
                raise InvalidInput(f"{trigger.name} takes no option {key!r}; it takes: {allowed}")
            clean[key] = param.clean(value)
        missing = self.missing_options(trigger, clean)
        if missing:
            raise InvalidInput(f"{trigger.name} needs --{missing[0].name.replace('_', '-')}")
        if trigger.name == "amend" and "field" in clean:
            clean["value"] = self.clean_fact_value(clean["field"], raw.get("value"))
        return clean

    def clean_fact_value(self, name: str, value: Any) -> Any:
        fact = self.fact(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if fact.required or name in APPENDED_FACTS:
                raise InvalidInput(f"--value: {name} cannot be blank")
            return None
        return fact.clean(value)


_NOTE = Param("note", "text", "A free note kept with the event.")
# Facts `amend` appends an entry to instead of replacing (effects.apply_correction).
APPENDED_FACTS = ("complaint",)

CITIZENSHIP = ("dprk", "prc-korean-minority", "other")
PURPOSE = ("visiting-relatives", "other")
SPOUSE = ("chinese-korean", "other", "none")
OUTCOME = ("agreed", "refused")
REPLY = ("agreed", "declined")
ITEMS = ("food", "clothing")

FACTS: tuple[Param, ...] = (
    Param("name", "name", "Name as recorded, any script (a romanised form).", required=True),
    Param("native_name", "name", "Name in the person's own script (Hangul, Hanja)."),
    Param("crossed_on", "approx-date", "Crossing date: YYYY, YYYY-MM, YYYY-MM-DD or A/B.",
          required=True),
    Param("place", "text", "Where the person crossed or was found.", required=True),
    Param("accompanies", "case", "The case this person travels with (a minor with a parent)."),
    Param("citizenship", "choice", "Citizenship as determined.", CITIZENSHIP),
    Param("purpose", "choice", "Why the person came.", PURPOSE),
    Param("purpose_note", "text", "The purpose in words."),
    Param("spouse", "choice", "Married to a Chinese citizen of Korean nationality?", SPOUSE),
    Param("crime", "text", "A crime committed in China after crossing (P5), described."),
    Param("complaint", "text", "A complaint of rude treatment (W2), appended to the case."),
)


def _fact(name: str, **changes: Any) -> Param:
    base = next(f for f in FACTS if f.name == name)
    values = {**base.__dict__, "required": False, **changes}
    return Param(**values)


def _g(name: str, *clauses: str) -> GuardSpec:
    return GuardSpec(name, tuple(clauses))


NO_CRIME = _g("no_crime_recorded", "P5")
PERSUASION_SOURCES = ("persuading",)

TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "open", (), "detained", ("county-officer",), (_g("name_recorded", "W2", "P1"),),
        ("W2", "P1"), "Detain a border crosser and record name and crossing.",
        (
            _fact("name", required=True, sets_fact=True),
            _fact("native_name", sets_fact=True),
            _fact("crossed_on", required=True, sets_fact=True),
            _fact("place", required=True, sets_fact=True),
            _fact("accompanies", sets_fact=True),
        ),
        effect="record_opening",
    ),
    Trigger(
        "investigate", ("detained",), "investigated", ("county-officer",),
        (_g("name_recorded", "P1"), _g("citizenship_determined", "P1")),
        ("P1",), "Record the investigation and the citizenship determined.",
        (
            _fact("citizenship", sets_fact=True),
            _fact("purpose", sets_fact=True),
            _fact("purpose_note", sets_fact=True),
            _fact("spouse", sets_fact=True),
            _fact("crime", sets_fact=True),
        ),
        effect="record_investigation",
    ),
    Trigger(
        "restore_citizenship", ("investigated",), "restored", ("county-officer",),
        (_g("is_korean_minority", "P4"),), ("P4",),
        "Restore the Chinese citizenship of a member of the Korean minority.",
    ),
    Trigger(
        "begin_persuasion", ("investigated",), "persuading", ("county-officer",),
        (_g("is_dprk_citizen", "P1"), NO_CRIME), ("P1", "W2"),
        "Begin persuading a DPRK citizen, through education, to return.",
    ),
    Trigger(
        "persuade", PERSUASION_SOURCES, None, ("county-officer",),
        (_g("outcome_given", "P1", "W2"),), ("P1", "W2", "P3"),
        "Record one persuasion attempt actually held, and its outcome.",
        (
            Param("outcome", "choice", "What the person answered.", OUTCOME),
            Param("method", "text", "How the session was held (W2: no rude treatment)."),
        ),
        effect="record_attempt",
    ),
    Trigger(
        "provide", ("persuading", "referred"), None, ("county-officer",),
        (_g("items_given", "W3"),), ("W3",),
        "Record food and clothing provided to a person persuasion has not moved.",
        (Param("items", "items", "What was provided, comma-separated.", ITEMS),),
        effect="record_provision",
    ),
    Trigger(
        "hand_over", PERSUASION_SOURCES, "returned", ("border-defence",),
        (_g("is_dprk_citizen", "P1"), NO_CRIME, _g("ready_for_return", "P1", "P2")),
        ("P1", "P2"), "Turn a group over to the Korean border-defence representative.",
        (
            Param("representative", "name", "The Korean border-defence representative.",
                  required=True),
            Param("crossing_point", "text", "Where the group is handed over.", required=True),
        ),
        effect="record_handover",
        group=True,
    ),
    Trigger(
        "refer", PERSUASION_SOURCES, "referred", ("county-officer",),
        (
            _g("is_dprk_citizen", "P3"),
            _g("married_to_chinese_korean", "P3"),
            _g("three_refusals", "P3"),
            NO_CRIME,
        ),
        ("P3",), "Put a married refuser on the name list for the Consulate General.",
        (Param("list", "text", "The name list's id (default: P3-<date>)."),),
        effect="record_referral",
    ),
    Trigger(
        "consulate_reply", ("referred",), None, ("foreign-affairs",),
        (_g("reply_given", "P3"),), ("P3",), "Record the Consulate General's reply.",
        (Param("reply", "choice", "The consulate's reply.", REPLY),),
        effect="record_consulate_reply",
    ),
    Trigger(
        "grant_residency", ("referred",), "resident", ("foreign-affairs",),
        (_g("is_dprk_citizen", "P3"), _g("consulate_agreed", "P3"), NO_CRIME), ("P3", "P5"),
        "Handle as a foreign resident: Korea agreed.",
    ),
    Trigger(
        "resume_persuasion", ("referred",), "persuading", ("foreign-affairs",),
        (_g("consulate_declined", "P3", "G"),), ("P3", "G"),
        "Return to persuasion after the consulate declined; guidance is requested.",
        effect="reopen_persuasion",
    ),
    Trigger(
        "approve_transfer", PERSUASION_SOURCES, None, ("provincial-committee",),
        (
            _g("is_dprk_citizen", "T"),
            _g("crossed_by_cutoff", "T"),
            _g("determined_not_to_return", "T"),
            NO_CRIME,
        ),
        ("T",), "Record the Provincial Committee's permission to transfer an early crosser.",
        effect="record_permission",
    ),
    Trigger(
        "transfer", PERSUASION_SOURCES, "transferred", ("public-security", "foreign-affairs"),
        (
            _g("is_dprk_citizen", "T"),
            _g("crossed_by_cutoff", "T"),
            _g("determined_not_to_return", "T"),
            NO_CRIME,
            _g("permission_recorded", "T"),
        ),
        ("T",), "Transfer to Public Security and Foreign Affairs (crossed in 1960 or earlier).",
    ),
    Trigger(
        "prosecute", ("investigated", "persuading", "referred"), "prosecuted",
        ("public-security",),
        (_g("is_dprk_citizen", "P5"), _g("crime_recorded", "P5")), ("P5",),
        "Hand a foreign citizen's crime to the law on foreigners' crimes.",
    ),
    Trigger(
        "request_guidance", NON_TERMINAL, None, ANY_ROLE, (_g("question_given", "G"),),
        ("G",), "Ask the Ministry of Foreign Affairs for guidance; flags the case.",
        (Param("question", "text", "The question put to the Ministry."),),
        effect="open_guidance_request",
    ),
    Trigger(
        "record_guidance", NON_TERMINAL, None, ("foreign-affairs",),
        (_g("guidance_requested", "G"), _g("answer_given", "G")), ("G",),
        "Record the Ministry's guidance; clears the flag.",
        (Param("answer", "text", "The guidance received."),),
        effect="answer_guidance",
    ),
    Trigger(
        "amend", NON_TERMINAL, None, ("county-officer",), (_g("correction_given", "P1"),),
        ("P1",), "Correct a fact of the case; the old value stays in the audit trail.",
        (
            Param("field", "choice", "The fact to correct.", tuple(f.name for f in FACTS)),
            Param("value", "text", "The corrected value (empty clears an optional fact)."),
            Param("reason", "text", "Why the fact is corrected."),
        ),
        effect="apply_correction",
    ),
)

STATES: tuple[State, ...] = (
    State("detained", "confined on arrival; name and crossing recorded", ("W2", "P1"),
          initial=True),
    State("investigated", "situation investigated, citizenship determined", ("P1",)),
    State("persuading", "being persuaded through education to return", ("P1", "W2", "W3")),
    State("referred", "on a name list for the Consulate General", ("P3",)),
    State("resident", "Korea agreed; handled as a foreign resident", ("P3",), terminal=True),
    State("returned", "turned over to Korea in a group handover", ("P1", "P2"), terminal=True),
    State("prosecuted", "handed to the law on foreign citizens' crimes", ("P5",), terminal=True),
    State("restored", "Chinese citizenship restored (Korean minority)", ("P4",), terminal=True),
    State("transferred", "transferred to Public Security and Foreign Affairs", ("T",),
          terminal=True),
)

SETTINGS: tuple[Setting, ...] = (
    Setting("short_period_days", 15, "int",
            "P2's 'short period': days from investigation to handover. An assumption: no "
            "source gives a number.", ("P2",)),
    Setting("transfer_cutoff", "1960-12-31", "date",
            "T's '1960 or earlier': the last crossing date that qualifies.", ("T",)),
    Setting("consulate", "Consulate General of the DPRK in Changchun", "text",
            "Where P3's name list is reported. The translation's '[in Shenyang]' is the "
            "translator's insertion; the DPRK closed that consulate in February 1960 and "
            "its Changchun Consulate General served Jilin in 1960-64.", ("P3",)),
    Setting("referral_reply_days", 60, "int",
            "Days after a referral with no consulate reply before it is reported overdue.",
            ("P3",)),
)

JILIN_1961 = Policy(
    id="jilin-1961-11-25",
    # 2: grant_residency, approve_transfer and transfer check citizenship (G for 'other').
    version="2",
    title="Jilin Provincial Committee cable of 25 November 1961",
    states=STATES,
    triggers=TRIGGERS,
    settings=SETTINGS,
    facts=FACTS,
)


def _problems(policy: Policy) -> list[str]:
    problems: list[str] = []
    names = set(policy.state_names)
    initial = [s.name for s in policy.states if s.initial]
    if len(initial) != 1:
        problems.append(f"needs exactly one initial state, has {initial or 'none'}")
    for state in policy.states:
        problems += [f"state {state.name} cites unknown clause {c}" for c in state.clauses
                     if c not in CLAUSES]
        if state.initial and state.terminal:
            problems.append(f"state {state.name} is both initial and terminal")
    seen: set[str] = set()
    for trig in policy.triggers:
        problems += _trigger_problems(policy, trig, names)
        if trig.name in seen:
            problems.append(f"trigger {trig.name} is declared twice")
        seen.add(trig.name)
    problems += _reachability_problems(policy)
    return problems


def _trigger_problems(policy: Policy, trig: Trigger, names: set[str]) -> list[str]:
    out: list[str] = []
    sources = policy.sources(trig)
    out += [f"trigger {trig.name} leaves unknown state {s}" for s in sources if s not in names]
    out += [f"trigger {trig.name} leaves terminal state {s}" for s in sources
            if s in policy.terminal]
    if trig.dest is not None and trig.dest not in names:
        out.append(f"trigger {trig.name} enters unknown state {trig.dest}")
    out += [f"trigger {trig.name} allows unknown role {r}" for r in trig.roles
            if r not in policy.roles]
    if not trig.roles:
        out.append(f"trigger {trig.name} allows no role")
    cited = list(trig.clauses) + [c for g in trig.guards for c in g.clauses]
    out += [f"trigger {trig.name} cites unknown clause {c}" for c in cited if c not in CLAUSES]
    if not trig.clauses:
        out.append(f"trigger {trig.name} cites no clause")
    for spec in trig.guards:
        if spec.guard not in GUARDS:
            out.append(f"trigger {trig.name} uses unknown guard {spec.guard}")
        if not spec.clauses:
            out.append(f"guard {spec.guard} of {trig.name} cites no clause")
    if trig.effect not in EFFECTS:
        out.append(f"trigger {trig.name} uses unknown effect {trig.effect}")
    out += [f"option {p.name} of {trig.name} has unknown kind {p.kind}" for p in trig.params
            if p.kind not in _CLEANERS]
    return out


def _reachability_problems(policy: Policy) -> list[str]:
    edges: dict[str, set[str]] = {s.name: set() for s in policy.states}
    for trig in policy.triggers:
        for source in policy.sources(trig):
            if trig.dest and source in edges:
                edges[source].add(trig.dest)
    start = [s.name for s in policy.states if s.initial]
    reached = _closure(start, edges)
    out = [f"state {s} is unreachable from the initial state" for s in edges if s not in reached]
    for state in policy.states:
        if not state.terminal and not (_closure([state.name], edges) & policy.terminal):
            out.append(f"state {state.name} is a trap: no terminal state can be reached from it")
    return out


def _closure(start: list[str], edges: dict[str, set[str]]) -> set[str]:
    reached, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    return reached


def validate(policy: Policy) -> Policy:
    """Raise :class:`InvalidDefinition` naming every inconsistency of the table."""
    problems = _problems(policy)
    if problems:
        raise InvalidDefinition(f"policy {policy.id}: " + "; ".join(problems))
    return policy


validate(JILIN_1961)
