"""Guards: small pure functions over a case's facts, named after what they check.

Each takes a :class:`GuardContext` and returns a :class:`Check`: whether it held, a reason
in words that names the fact that stood in the way, and the values it read. Which clause
a guard cites is declared in the policy table (``workflow.policy``), not here; a guard
may add a clause of its own (citizenship ``other`` adds G: no clause of the cable applies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .case import latest_outcome, open_guidance, refusals
from .values import parse_approx_date


@dataclass(frozen=True)
class GuardContext:
    """What a guard may read: the case's facts, the event's options, the settings."""
    facts: Mapping[str, Any]
    params: Mapping[str, Any]
    settings: Mapping[str, Any]
    case_id: int | None = None
    # For a group handover: case id -> facts of every case in the group.
    group: Mapping[int, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Check:
    """A guard's answer: whether it held, why in words, and the values it read."""
    passed: bool
    reason: str
    read: dict[str, Any] = field(default_factory=dict)
    extra_clauses: tuple[str, ...] = ()


Guard = Callable[[GuardContext], Check]
GUARDS: dict[str, Guard] = {}


def guard(func: Guard) -> Guard:
    """Register a guard under its function name, the name the policy table uses."""
    GUARDS[func.__name__] = func
    return func


def _citizenship_is(ctx: GuardContext, wanted: str, people: str) -> Check:
    value = ctx.facts.get("citizenship")
    read = {"citizenship": value}
    if value == wanted:
        return Check(True, f"citizenship is {value}", read)
    if value == "other":
        return Check(
            False,
            f"citizenship is other, not {wanted}: no clause of the cable applies, ask for guidance",
            read,
            ("G",),
        )
    return Check(False, f"applies to {people}; citizenship is {value or 'undetermined'}", read)


@guard
def name_recorded(ctx: GuardContext) -> Check:
    name = ctx.facts.get("name") or ""
    read = {"name": name}
    if name.strip():
        return Check(True, "name is recorded", read)
    return Check(False, "the name is not recorded", read)


@guard
def citizenship_determined(ctx: GuardContext) -> Check:
    value = ctx.facts.get("citizenship")
    read = {"citizenship": value}
    if value in ("dprk", "prc-korean-minority", "other"):
        return Check(True, f"citizenship determined as {value}", read)
    return Check(False, "citizenship is not determined (give --citizenship)", read)


@guard
def is_dprk_citizen(ctx: GuardContext) -> Check:
    return _citizenship_is(ctx, "dprk", "DPRK citizens")


@guard
def is_korean_minority(ctx: GuardContext) -> Check:
    return _citizenship_is(ctx, "prc-korean-minority", "members of China's Korean minority")


@guard
def no_crime_recorded(ctx: GuardContext) -> Check:
    crime = ctx.facts.get("crime")
    read = {"crime": crime}
    if not crime:
        return Check(True, "no crime recorded", read)
    return Check(False, f"a crime is recorded ({crime}): only prosecution applies", read)


@guard
def crime_recorded(ctx: GuardContext) -> Check:
    crime = ctx.facts.get("crime")
    read = {"crime": crime}
    if crime:
        return Check(True, f"crime recorded: {crime}", read)
    return Check(False, "no crime is recorded", read)


@guard
def outcome_given(ctx: GuardContext) -> Check:
    outcome = ctx.params.get("outcome")
    read = {"outcome": outcome}
    if outcome in ("agreed", "refused"):
        return Check(True, f"attempt held, outcome {outcome}", read)
    return Check(False, "no outcome given: a session not held is not an attempt", read)


@guard
def items_given(ctx: GuardContext) -> Check:
    items = ctx.params.get("items") or []
    read = {"items": list(items)}
    if items:
        return Check(True, "provided " + ", ".join(items), read)
    return Check(False, "no items given (food, clothing)", read)


def _ready_on_own(facts: Mapping[str, Any]) -> tuple[bool, str]:
    latest = latest_outcome(facts)
    attempts = len(facts.get("attempts") or [])
    if latest == "agreed":
        return True, "the latest attempt was agreed"
    if facts.get("purpose") == "visiting-relatives" and attempts:
        return True, "a visitor admonished in a recorded attempt (P2)"
    if facts.get("purpose") == "visiting-relatives":
        return False, "a visitor with no admonition recorded (one persuade attempt is needed)"
    if latest is None:
        return False, "no persuasion attempt is recorded"
    return False, "the latest attempt was refused"


@guard
def ready_for_return(ctx: GuardContext) -> Check:
    facts = ctx.facts
    ready, why = _ready_on_own(facts)
    parent = facts.get("accompanies")
    read: dict[str, Any] = {
        "latest_outcome": latest_outcome(facts),
        "attempts": len(facts.get("attempts") or []),
        "purpose": facts.get("purpose"),
        "accompanies": parent,
    }
    if ready or parent is None:
        return Check(ready, why, read)
    group = ctx.group or {}
    if parent not in group:
        return Check(False, f"{why}, and case {parent} it accompanies is not in this group", read)
    parent_ready, parent_why = _ready_on_own(group[parent])
    read["accompanied_ready"] = parent_ready
    if parent_ready:
        return Check(True, f"accompanies case {parent} in this group, which qualifies", read)
    return Check(False, f"{why}, and case {parent} it accompanies does not qualify: {parent_why}", read)


@guard
def married_to_chinese_korean(ctx: GuardContext) -> Check:
    spouse = ctx.facts.get("spouse")
    read = {"spouse": spouse}
    if spouse == "chinese-korean":
        return Check(True, "married to a Chinese citizen of Korean nationality", read)
    if spouse == "other":
        return Check(False, "the spouse is not of Korean nationality: the exception does not apply", read)
    return Check(False, "not married to a Chinese citizen of Korean nationality", read)


@guard
def three_refusals(ctx: GuardContext) -> Check:
    refused = len(refusals(ctx.facts))
    latest = latest_outcome(ctx.facts)
    read = {"refused_attempts": refused, "latest_outcome": latest}
    if refused >= 3 and latest == "refused":
        return Check(True, f"{refused} refused attempts, the latest refused", read)
    if refused < 3:
        return Check(False, f"needs 3 refused attempts; {refused} are recorded", read)
    return Check(False, "the latest attempt was agreed: ready for handover instead", read)


@guard
def determined_not_to_return(ctx: GuardContext) -> Check:
    refused = len(refusals(ctx.facts))
    latest = latest_outcome(ctx.facts)
    read = {"refused_attempts": refused, "latest_outcome": latest}
    if refused and latest == "refused":
        return Check(True, f"{refused} refused attempts, the latest refused", read)
    if not refused:
        return Check(False, "no refused attempt is recorded", read)
    return Check(False, "the latest attempt was agreed", read)


@guard
def crossed_by_cutoff(ctx: GuardContext) -> Check:
    cutoff = str(ctx.settings["transfer_cutoff"])
    raw = ctx.facts.get("crossed_on")
    read = {"crossed_on": raw, "transfer_cutoff": cutoff}
    if not raw:
        return Check(False, "the crossing date is not recorded", read)
    latest = parse_approx_date(raw).latest
    read["latest_possible"] = latest
    if latest <= cutoff:
        return Check(True, f"crossed {raw}, on or before {cutoff}", read)
    return Check(False, f"crossed {raw}, which may be after {cutoff}", read)


@guard
def permission_recorded(ctx: GuardContext) -> Check:
    permission = ctx.facts.get("permission")
    read = {"permission": permission}
    if permission:
        return Check(True, f"permission of {permission['at']} recorded", read)
    return Check(False, "the Provincial Committee's permission is not recorded (approve_transfer)", read)


@guard
def reply_given(ctx: GuardContext) -> Check:
    reply = ctx.params.get("reply")
    read = {"reply": reply}
    if reply in ("agreed", "declined"):
        return Check(True, f"the consulate {reply}", read)
    return Check(False, "no reply given (agreed or declined)", read)


def _consulate_reply_is(ctx: GuardContext, wanted: str) -> Check:
    reply = (ctx.facts.get("consulate_reply") or {}).get("reply")
    read = {"consulate_reply": reply}
    if reply == wanted:
        return Check(True, f"the consulate's reply is {reply}", read)
    return Check(False, f"the consulate's reply is {reply or 'not recorded'}, not {wanted}", read)


@guard
def consulate_agreed(ctx: GuardContext) -> Check:
    return _consulate_reply_is(ctx, "agreed")


@guard
def consulate_declined(ctx: GuardContext) -> Check:
    return _consulate_reply_is(ctx, "declined")


def _text_given(ctx: GuardContext, key: str, what: str) -> Check:
    value = ctx.params.get(key)
    read = {key: value}
    if value and str(value).strip():
        return Check(True, f"{what} given", read)
    return Check(False, f"no {what} given (--{key})", read)


@guard
def question_given(ctx: GuardContext) -> Check:
    return _text_given(ctx, "question", "question")


@guard
def answer_given(ctx: GuardContext) -> Check:
    return _text_given(ctx, "answer", "answer")


@guard
def guidance_requested(ctx: GuardContext) -> Check:
    open_requests = open_guidance(ctx.facts)
    read = {"open_requests": len(open_requests)}
    if open_requests:
        return Check(True, f"{len(open_requests)} guidance request(s) open", read)
    return Check(False, "no guidance request is open", read)


@guard
def correction_given(ctx: GuardContext) -> Check:
    field_name = ctx.params.get("field")
    reason = ctx.params.get("reason")
    read = {"field": field_name, "reason": reason}
    if field_name and reason and str(reason).strip():
        return Check(True, f"correction of {field_name} with a reason", read)
    return Check(False, "a correction needs --field and --reason", read)
