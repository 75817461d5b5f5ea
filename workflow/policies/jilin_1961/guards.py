"""The cable's guards: small pure functions over a case's facts, named after what they check.

Each takes a :class:`~workflow.rules.GuardContext` and returns a
:class:`~workflow.rules.Check`: whether it held, a reason in words that names the fact that
stood in the way, and the values it read. Which clause a guard cites is declared in the
table (``table.py``), not here; a guard may add a clause of its own (citizenship ``other``
adds G: no clause of the cable applies). What each checks, in words, is in ``WORDS``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from workflow.policy import Guard
from workflow.rules import Check, GuardContext, registry
from workflow.values import parse_approx_date

from .facts import (
    AGREED,
    CITIZENSHIP,
    DPRK,
    MARRIED_TO_KOREAN,
    MINORITY,
    OTHER,
    OUTCOME,
    REFUSED,
    REPLY,
    VISITING,
    latest_outcome,
    open_guidance,
    refusals,
)

CHECKS: dict[str, Callable[[GuardContext], Check]] = {}
guard = registry(CHECKS)


def _one(key: str, value: Any, held: bool, yes: str, no: str) -> Check:
    """The answer of a guard that reads one value: held or not, in words."""
    return Check(held, yes if held else no, {key: value})


def _citizenship_is(ctx: GuardContext, wanted: str, people: str) -> Check:
    value = ctx.facts.get("citizenship")
    read = {"citizenship": value}
    if value == wanted:
        return Check(True, f"citizenship is {value}", read)
    if value == OTHER:
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
    return _one("name", name, bool(name.strip()), "name is recorded", "the name is not recorded")


@guard
def citizenship_determined(ctx: GuardContext) -> Check:
    value = ctx.facts.get("citizenship")
    return _one("citizenship", value, value in CITIZENSHIP, f"citizenship determined as {value}",
                "citizenship is not determined (give --citizenship)")


@guard
def is_dprk_citizen(ctx: GuardContext) -> Check:
    return _citizenship_is(ctx, DPRK, "DPRK citizens")


@guard
def is_korean_minority(ctx: GuardContext) -> Check:
    return _citizenship_is(ctx, MINORITY, "members of China's Korean minority")


@guard
def no_crime_recorded(ctx: GuardContext) -> Check:
    crime = ctx.facts.get("crime")
    return _one("crime", crime, not crime, "no crime recorded",
                f"a crime is recorded ({crime}): only prosecution applies")


@guard
def crime_recorded(ctx: GuardContext) -> Check:
    crime = ctx.facts.get("crime")
    return _one("crime", crime, bool(crime), f"crime recorded: {crime}", "no crime is recorded")


@guard
def outcome_given(ctx: GuardContext) -> Check:
    outcome = ctx.params.get("outcome")
    return _one("outcome", outcome, outcome in OUTCOME, f"attempt held, outcome {outcome}",
                "no outcome given: a session not held is not an attempt")


@guard
def items_given(ctx: GuardContext) -> Check:
    items = ctx.params.get("items") or []
    return _one("items", list(items), bool(items), "provided " + ", ".join(items),
                "no items given (food, clothing)")


def _ready_on_own(facts: Mapping[str, Any]) -> tuple[bool, str]:
    latest = latest_outcome(facts)
    attempts = len(facts.get("attempts") or [])
    if latest == AGREED:
        return True, "the latest attempt was agreed"
    if facts.get("purpose") == VISITING and attempts:
        return True, "a visitor admonished in a recorded attempt (P2)"
    if facts.get("purpose") == VISITING:
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
    if spouse == MARRIED_TO_KOREAN:
        return Check(True, "married to a Chinese citizen of Korean nationality", read)
    if spouse == OTHER:
        return Check(False, "the spouse is not of Korean nationality: the exception does not apply", read)
    return Check(False, "not married to a Chinese citizen of Korean nationality", read)


@guard
def three_refusals(ctx: GuardContext) -> Check:
    refused = len(refusals(ctx.facts))
    latest = latest_outcome(ctx.facts)
    read = {"refused_attempts": refused, "latest_outcome": latest}
    if refused >= 3 and latest == REFUSED:
        return Check(True, f"{refused} refused attempts, the latest refused", read)
    if refused < 3:
        return Check(False, f"needs 3 refused attempts; {refused} are recorded", read)
    return Check(False, "the latest attempt was agreed: ready for handover instead", read)


@guard
def determined_not_to_return(ctx: GuardContext) -> Check:
    refused = len(refusals(ctx.facts))
    latest = latest_outcome(ctx.facts)
    read = {"refused_attempts": refused, "latest_outcome": latest}
    if refused and latest == REFUSED:
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
    return _one("permission", permission, bool(permission),
                f"permission of {(permission or {}).get('at')} recorded",
                "the Provincial Committee's permission is not recorded (approve_transfer)")


@guard
def reply_given(ctx: GuardContext) -> Check:
    reply = ctx.params.get("reply")
    return _one("reply", reply, reply in REPLY, f"the consulate {reply}",
                "no reply given (agreed or declined)")


def _consulate_reply_is(ctx: GuardContext, wanted: str) -> Check:
    reply = (ctx.facts.get("consulate_reply") or {}).get("reply")
    return _one("consulate_reply", reply, reply == wanted, f"the consulate's reply is {reply}",
                f"the consulate's reply is {reply or 'not recorded'}, not {wanted}")


@guard
def consulate_agreed(ctx: GuardContext) -> Check:
    return _consulate_reply_is(ctx, REPLY[0])


@guard
def consulate_declined(ctx: GuardContext) -> Check:
    return _consulate_reply_is(ctx, REPLY[1])


def _text_given(ctx: GuardContext, key: str, what: str) -> Check:
    value = ctx.params.get(key)
    return _one(key, value, bool(value and str(value).strip()), f"{what} given",
                f"no {what} given (--{key})")


@guard
def question_given(ctx: GuardContext) -> Check:
    return _text_given(ctx, "question", "question")


@guard
def answer_given(ctx: GuardContext) -> Check:
    return _text_given(ctx, "answer", "answer")


@guard
def guidance_requested(ctx: GuardContext) -> Check:
    count = len(open_guidance(ctx.facts))
    return _one("open_requests", count, count > 0, f"{count} guidance request(s) open",
                "no guidance request is open")


@guard
def correction_given(ctx: GuardContext) -> Check:
    field_name = ctx.params.get("field")
    reason = ctx.params.get("reason")
    read = {"field": field_name, "reason": reason}
    if field_name and reason and str(reason).strip():
        return Check(True, f"correction of {field_name} with a reason", read)
    return Check(False, "a correction needs --field and --reason", read)


# What each guard checks, in words; and for the guards that read the event's own options,
# the options they need (``next`` reports those as "give --option", not as blocking).
WORDS = {
    "name_recorded": "the name is not blank",
    "citizenship_determined": "citizenship is determined: dprk, prc-korean-minority or other",
    "is_dprk_citizen": "citizenship is dprk (citizenship other also cites G)",
    "is_korean_minority": "citizenship is prc-korean-minority (other also cites G)",
    "no_crime_recorded": "no crime in China after crossing is recorded",
    "crime_recorded": "a crime in China after crossing is recorded",
    "outcome_given": "the attempt's outcome is given (agreed or refused): a session held",
    "items_given": "the items provided are given (food, clothing)",
    "ready_for_return": "the latest attempt was agreed; or a visitor (P2) with at least one "
                        "attempt; or a minor accompanying a case in the same group that "
                        "qualifies",
    "married_to_chinese_korean": "married to a Chinese citizen of Korean nationality",
    "three_refusals": "at least 3 attempts refused, the latest refused",
    "determined_not_to_return": "at least one attempt refused, the latest refused",
    "crossed_by_cutoff": "the whole crossing date range lies on or before the "
                         "transfer_cutoff setting (default 1960-12-31)",
    "permission_recorded": "the Provincial Committee's permission is recorded",
    "reply_given": "the consulate's reply is given (agreed or declined)",
    "consulate_agreed": "the consulate's reply is recorded as agreed",
    "consulate_declined": "the consulate's reply is recorded as declined",
    "question_given": "a question for the Ministry is given",
    "answer_given": "the Ministry's answer is given",
    "guidance_requested": "an open guidance request exists",
    "correction_given": "the field and the reason of the correction are given (an empty "
                        "value clears an optional fact)",
}
NEEDS = {
    "outcome_given": "outcome",
    "items_given": "items",
    "reply_given": "reply",
    "question_given": "question",
    "answer_given": "answer",
    "correction_given": "field, --value and --reason",  # --value may be empty: it clears
}
GUARDS = {name: Guard(check, WORDS.get(name, ""), NEEDS.get(name))
          for name, check in CHECKS.items()}
