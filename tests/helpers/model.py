"""A small reference model of the cable, written from docs/policy.md's tables, not from the code.

It imports nothing from ``workflow``: its states, roles, sources, guards and cited clauses
are copied by hand from ``docs/policy.md`` (the trigger table, "Which clause a refusal
cites" and "Readings"). ``tests/test_properties.py`` runs random commands against both the
model and crossings and checks that they agree.

One reading goes beyond the trigger table: "citizenship ``other`` ... every disposition is
refused, naming G" and the clause texts (P3 speaks of DPRK citizens; T of the same Korean
crossers) make ``grant_residency``, ``approve_transfer`` and ``transfer`` need a DPRK
citizen too, citing P3 or T (plus G for ``other``), as the code has since f7152fd.

A prediction is one of: ``rejected`` (nothing recorded), ``refused`` (one refused row per
case, each with the clauses it must cite), or ``applied`` (the model's cases then change).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

COUNTY, BORDER, FOREIGN, COMMITTEE, SECURITY = (
    "county-officer", "border-defence", "foreign-affairs", "provincial-committee",
    "public-security")
ALL_ROLES = (COUNTY, BORDER, FOREIGN, COMMITTEE, SECURITY)
NON_TERMINAL = ("detained", "investigated", "persuading", "referred")
TERMINAL = ("resident", "returned", "prosecuted", "restored", "transferred")


@dataclass(frozen=True)
class Row:
    """trigger: from -> to, roles, and the clauses an applied row cites (docs/policy.md)."""

    sources: tuple[str, ...]
    dest: str | None
    roles: tuple[str, ...]
    clauses: tuple[str, ...]


TABLE: dict[str, Row] = {
    "open": Row((), "detained", (COUNTY,), ("W2", "P1")),
    "investigate": Row(("detained",), "investigated", (COUNTY,), ("P1",)),
    "restore_citizenship": Row(("investigated",), "restored", (COUNTY,), ("P4",)),
    "begin_persuasion": Row(("investigated",), "persuading", (COUNTY,), ("P1", "W2")),
    "persuade": Row(("persuading",), None, (COUNTY,), ("P1", "W2", "P3")),
    "provide": Row(("persuading", "referred"), None, (COUNTY,), ("W3",)),
    "hand_over": Row(("persuading",), "returned", (BORDER,), ("P1", "P2")),
    "refer": Row(("persuading",), "referred", (COUNTY,), ("P3",)),
    "consulate_reply": Row(("referred",), None, (FOREIGN,), ("P3",)),
    "grant_residency": Row(("referred",), "resident", (FOREIGN,), ("P3", "P5")),
    "resume_persuasion": Row(("referred",), "persuading", (FOREIGN,), ("P3", "G")),
    "approve_transfer": Row(("persuading",), None, (COMMITTEE,), ("T",)),
    "transfer": Row(("persuading",), "transferred", (SECURITY, FOREIGN), ("T",)),
    "prosecute": Row(("investigated", "persuading", "referred"), "prosecuted", (SECURITY,),
                     ("P5",)),
    "request_guidance": Row(NON_TERMINAL, None, ALL_ROLES, ("G",)),
    "record_guidance": Row(NON_TERMINAL, None, (FOREIGN,), ("G",)),
    "amend": Row(NON_TERMINAL, None, (COUNTY,), ("P1",)),
}

# Crossing dates the tests use, with the first and last day each may mean.
CROSSED = {
    "1959": ("1959-01-01", "1959-12-31"),
    "1960": ("1960-01-01", "1960-12-31"),
    "1960-06-15": ("1960-06-15", "1960-06-15"),
    "1960-12": ("1960-12-01", "1960-12-31"),
    "1960-12/1961-01": ("1960-12-01", "1961-01-31"),
    "1961": ("1961-01-01", "1961-12-31"),
    "1961-03-20": ("1961-03-20", "1961-03-20"),
}


@dataclass
class MCase:
    id: int
    opened_on: str
    crossed_on: str
    accompanies: int | None = None
    last_at: str = ""  # the latest event dated on the case, applied or refused
    state: str = "detained"
    version: int = 1
    citizenship: str | None = None
    purpose: str | None = None
    spouse: str | None = None
    crime: str | None = None
    attempts: list[str] = field(default_factory=list)  # outcomes, in order
    permission: bool = False
    reply: str | None = None  # the consulate's current reply
    open_guidance: int = 0

    def view(self) -> dict[str, Any]:
        """What the stored case must show, in the model's terms."""
        return {"state": self.state, "version": self.version, "citizenship": self.citizenship,
                "purpose": self.purpose, "spouse": self.spouse, "crime": self.crime or None,
                "attempts": list(self.attempts), "permission": self.permission,
                "reply": self.reply, "open_guidance": self.open_guidance,
                "crossed_on": self.crossed_on, "accompanies": self.accompanies}


@dataclass
class Failure:
    """A check that failed, and the clauses docs/policy.md says its refusal must cite."""

    check: str
    clauses: frozenset[str]
    needs_option: bool = False  # the command's own option is missing, not a fact


@dataclass
class Prediction:
    kind: str  # applied | refused | rejected
    # refused: case id (None for a refused open) -> clauses the row must cite
    must_cite: dict[int | None, frozenset[str]] = field(default_factory=dict)
    by_role: bool = False
    apply: Callable[[], None] = lambda: None
    dated: dict[int, str] = field(default_factory=dict)  # case -> the event's date


REJECTED = Prediction("rejected")


def _citizen(case: MCase, wanted: str, clause: str) -> list[Failure]:
    if case.citizenship == wanted:
        return []
    extra = {"G"} if case.citizenship == "other" else set()
    return [Failure(f"citizenship {wanted}", frozenset({clause} | extra))]


def _no_crime(case: MCase) -> list[Failure]:
    return [Failure("no crime", frozenset({"P5"}))] if case.crime else []


def _refusals(case: MCase) -> int:
    return case.attempts.count("refused")


def _latest(case: MCase) -> str | None:
    return case.attempts[-1] if case.attempts else None


def _determined(case: MCase) -> list[Failure]:
    """T: at least one refusal, the latest refused."""
    if _refusals(case) >= 1 and _latest(case) == "refused":
        return []
    return [Failure("determined not to return", frozenset({"T"}))]


def _by_cutoff(case: MCase, cutoff: str) -> list[Failure]:
    if CROSSED[case.crossed_on][1] <= cutoff:
        return []
    return [Failure("crossed by the cut-off", frozenset({"T"}))]


def ready_on_own(case: MCase) -> bool:
    """P1/P2: the latest attempt agreed, or a visitor admonished in one attempt."""
    return _latest(case) == "agreed" or (case.purpose == "visiting-relatives"
                                         and bool(case.attempts))


def _given(value: Any, what: str) -> list[Failure]:
    # docs/policy.md names no clause for a missing option: only the trigger's own may be cited.
    return [] if value not in (None, "", []) else [Failure(what, frozenset(), True)]


def failures(trigger: str, case: MCase, params: dict[str, Any], cutoff: str,
             group: dict[int, MCase] | None = None) -> list[Failure]:
    """The checks of docs/policy.md's trigger table that fail for this case."""
    if trigger == "investigate":
        return [] if case.citizenship in ("dprk", "prc-korean-minority", "other") else [
            Failure("citizenship determined", frozenset())]
    if trigger == "restore_citizenship":
        return _citizen(case, "prc-korean-minority", "P4")
    if trigger == "begin_persuasion":
        return _citizen(case, "dprk", "P1") + _no_crime(case)
    if trigger == "persuade":
        return _given(params.get("outcome"), "outcome")
    if trigger == "provide":
        return _given(params.get("items"), "items")
    if trigger == "hand_over":
        return _citizen(case, "dprk", "P1") + _no_crime(case) + _ready(case, group or {})
    if trigger == "refer":
        return _refer(case)
    return _other_failures(trigger, case, params, cutoff)


def _ready(case: MCase, group: dict[int, MCase]) -> list[Failure]:
    if ready_on_own(case):
        return []
    parent = group.get(case.accompanies) if case.accompanies is not None else None
    if parent is not None and ready_on_own(parent):
        return []
    return [Failure("ready for return", frozenset())]


def _refer(case: MCase) -> list[Failure]:
    found = _citizen(case, "dprk", "P3")
    if case.spouse != "chinese-korean":
        found.append(Failure("married to a Chinese Korean", frozenset({"P3"})))
    if not (_refusals(case) >= 3 and _latest(case) == "refused"):
        found.append(Failure("three refusals", frozenset({"P3"})))
    return found + _no_crime(case)


def _other_failures(trigger: str, case: MCase, params: dict[str, Any],
                    cutoff: str) -> list[Failure]:
    if trigger == "consulate_reply":
        return _given(params.get("reply"), "reply")
    if trigger == "grant_residency":  # P3 speaks of DPRK citizens
        return _citizen(case, "dprk", "P3") + (
            [] if case.reply == "agreed" else [Failure("reply agreed", frozenset({"P3"}))]
        ) + _no_crime(case)
    if trigger == "resume_persuasion":
        return [] if case.reply == "declined" else [Failure("reply declined", frozenset({"P3"}))]
    if trigger in ("approve_transfer", "transfer"):  # T: Korean crossers, as P1-P3
        found = (_citizen(case, "dprk", "T") + _by_cutoff(case, cutoff) + _determined(case)
                 + _no_crime(case))
        if trigger == "transfer" and not case.permission:
            found.append(Failure("permission", frozenset({"T"})))
        return found
    if trigger == "prosecute":
        return _citizen(case, "dprk", "P5") + (
            [] if case.crime else [Failure("crime recorded", frozenset({"P5"}))])
    if trigger == "request_guidance":
        return _given(params.get("question"), "question")
    if trigger == "record_guidance":
        return ([] if case.open_guidance else [Failure("open request", frozenset({"G"}))]
                ) + _given(params.get("answer"), "answer")
    if trigger == "amend":
        return _given(params.get("field"), "field") + _given(params.get("reason"), "reason")
    raise AssertionError(f"the model has no trigger {trigger}")


INVESTIGATION_FACTS = ("citizenship", "purpose", "spouse", "crime")


def effect(trigger: str, case: MCase, params: dict[str, Any]) -> None:
    """What an applied trigger changes in the model's case (besides state and version)."""
    if trigger == "investigate":
        case.open_guidance += 1 if case.citizenship == "other" else 0
    elif trigger == "persuade":
        case.attempts.append(params["outcome"])
    elif trigger == "refer":
        case.reply = None
    elif trigger == "consulate_reply":
        case.reply = params["reply"]
    elif trigger == "resume_persuasion":
        case.reply, case.open_guidance = None, case.open_guidance + 1
    elif trigger == "approve_transfer":
        case.permission = True
    elif trigger == "request_guidance":
        case.open_guidance += 1
    elif trigger == "record_guidance":
        case.open_guidance = 0
    elif trigger == "amend":
        value = params.get("value")
        setattr(case, params["field"], value if value not in ("", None) else None)


class Model:
    def __init__(self, actors: dict[str, str]) -> None:
        self.actors = dict(actors)
        self.cases: dict[int, MCase] = {}
        self.cutoff = "1960-12-31"

    # -- open ---------------------------------------------------------------------------

    def predict_open(self, actor: str, at: str, crossed_on: str,
                     accompanies: int | None) -> Prediction:
        if actor not in self.actors or CROSSED[crossed_on][0] > at:
            return REJECTED
        if accompanies is not None and accompanies not in self.cases:
            return REJECTED
        if self.actors[actor] not in TABLE["open"].roles:
            return Prediction("refused", {None: frozenset(TABLE["open"].clauses)}, True)
        new_id = len(self.cases) + 1

        def apply() -> None:
            self.cases[new_id] = MCase(new_id, at, crossed_on, accompanies)

        return Prediction("applied", apply=apply)

    # -- one case -----------------------------------------------------------------------

    def _rejects(self, trigger: str, case: MCase | None, actor: str, at: str,
                 params: dict[str, Any]) -> bool:
        """Malformed or inapplicable: rejected before anything is recorded. A case's events
        run forward: none may be dated before the latest one recorded (ruling 9)."""
        if actor not in self.actors or case is None or at < max(case.opened_on, case.last_at):
            return True
        if trigger == "amend" and params.get("field") == "crossed_on":
            value = params.get("value")
            if not value or CROSSED[value][0] > case.opened_on:
                return True
        return case.state not in TABLE[trigger].sources

    def predict(self, trigger: str, case_id: int, actor: str, at: str,
                params: dict[str, Any]) -> Prediction:
        case = self.cases.get(case_id)
        if self._rejects(trigger, case, actor, at, params):
            return REJECTED
        assert case is not None
        row = TABLE[trigger]
        if self.actors[actor] not in row.roles:
            return Prediction("refused", {case_id: frozenset(row.clauses)}, True,
                              dated={case_id: at})
        seen = copy.deepcopy(case)
        if trigger == "investigate":  # the options set the facts the checks read
            for name in INVESTIGATION_FACTS:
                if params.get(name) is not None:
                    setattr(seen, name, params[name])
        failed = failures(trigger, seen, params, self.cutoff)
        if failed:
            return Prediction("refused", {case_id: _cited(failed)}, dated={case_id: at})

        def apply() -> None:
            effect(trigger, seen, params)
            seen.state = row.dest or seen.state
            seen.version += 1
            seen.last_at = at
            self.cases[case_id] = seen

        return Prediction("applied", apply=apply)

    def refused(self, prediction: Prediction) -> None:
        """A refusal is recorded too: its date counts for the case's next event."""
        for case_id, at in prediction.dated.items():
            self.cases[case_id].last_at = max(self.cases[case_id].last_at, at)

    def ready(self, case_id: int) -> set[str]:
        """The triggers a case's facts allow now (options aside), as ``next`` lists them;
        hand_over is judged with the case it accompanies in the group."""
        case = self.cases[case_id]
        group = {case_id: case}
        if case.accompanies in self.cases:
            group[case.accompanies] = self.cases[case.accompanies]
        return {t for t, row in TABLE.items() if case.state in row.sources and not [
            f for f in failures(t, case, {}, self.cutoff, group) if not f.needs_option]}

    # -- a group ------------------------------------------------------------------------

    def predict_group(self, case_ids: list[int], actor: str, at: str) -> Prediction:
        if actor not in self.actors or len(set(case_ids)) != len(case_ids):
            return REJECTED
        if any(self._rejects("hand_over", self.cases.get(i), actor, at, {}) for i in case_ids):
            return REJECTED
        row = TABLE["hand_over"]
        dated = {i: at for i in case_ids}
        if self.actors[actor] not in row.roles:
            return Prediction("refused", {i: frozenset(row.clauses) for i in case_ids}, True,
                              dated=dated)
        group = {i: self.cases[i] for i in case_ids}
        failed = {i: failures("hand_over", group[i], {}, self.cutoff, group) for i in case_ids}
        if any(failed.values()):
            # P1 "as a group": the cases that passed are refused because of the others.
            return Prediction("refused", {i: _cited(f) if f else frozenset({"P1"})
                                          for i, f in failed.items()}, dated=dated)

        def apply() -> None:
            for case in group.values():
                case.state, case.version = "returned", case.version + 1
                case.last_at = at

        return Prediction("applied", apply=apply)


def _cited(failed: list[Failure]) -> frozenset[str]:
    out: set[str] = set()
    for failure in failed:
        out |= failure.clauses
    return frozenset(out)
