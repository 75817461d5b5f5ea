"""The 1957 views' guards and effects: small pure functions, named after what they check.

Each reading is an assumption (the source is a summary): V1 sends DPRK citizens back once
they have been persuaded (a session held, whatever the answer: return is the principle);
V2 lets one stay whose return is "indeed inconvenient", read as married (the spouse
recorded as anything but none: the summary names no nationality) or a reason given in
words with the referral, once the DPRK side agrees.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from workflow.policy import Guard
from workflow.rules import Check, EffectContext, GuardContext, registry

CITIZENSHIP = ("dprk", "prc-korean-minority", "other")
PURPOSE = ("visiting-relatives", "other")
SPOUSE = ("chinese-korean", "other", "none")
OUTCOME = ("agreed", "refused")
REPLY = ("agreed", "declined")
DPRK = CITIZENSHIP[0]
NO_SPOUSE = SPOUSE[2]

CHECKS: dict[str, Callable[[GuardContext], Check]] = {}
guard = registry(CHECKS)
EFFECTS: dict[str, Callable[[EffectContext], dict[str, Any]]] = {}
effect = registry(EFFECTS)


def _one(key: str, value: Any, held: bool, yes: str, no: str) -> Check:
    return Check(held, yes if held else no, {key: value})


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
    value = ctx.facts.get("citizenship")
    return _one("citizenship", value, value == DPRK, "citizenship is dprk",
                f"the views speak of DPRK citizens; citizenship is {value or 'undetermined'}")


@guard
def outcome_given(ctx: GuardContext) -> Check:
    outcome = ctx.params.get("outcome")
    return _one("outcome", outcome, outcome in OUTCOME, f"attempt held, outcome {outcome}",
                "no outcome given: a session not held is not an attempt")


def _persuaded(facts: Mapping[str, Any]) -> bool:
    return bool(facts.get("attempts"))


@guard
def persuaded(ctx: GuardContext) -> Check:
    """V1: sent back in principle, once persuaded (or with the adult it travels with)."""
    facts, parent = ctx.facts, ctx.facts.get("accompanies")
    read = {"attempts": len(facts.get("attempts") or []), "accompanies": parent}
    if _persuaded(facts):
        return Check(True, "persuaded in a recorded session: sent back in principle", read)
    group = ctx.group or {}
    if parent is not None and parent in group and _persuaded(group[parent]):
        return Check(True, f"travels with case {parent} in this group, persuaded", read)
    return Check(False, "no persuasion session is recorded", read)


@guard
def return_inconvenient(ctx: GuardContext) -> Check:
    spouse, reason = ctx.facts.get("spouse"), ctx.params.get("reason")
    read = {"spouse": spouse, "reason": reason}
    if spouse and spouse != NO_SPOUSE:
        return Check(True, f"return is inconvenient: married (spouse {spouse})", read)
    if reason and str(reason).strip():
        return Check(True, f"return is inconvenient: {reason}", read)
    return Check(False, "return is not shown to be inconvenient: not married, and no "
                        "--reason given", read)


@guard
def reply_given(ctx: GuardContext) -> Check:
    reply = ctx.params.get("reply")
    return _one("reply", reply, reply in REPLY, f"the DPRK side {reply}",
                "no reply given (agreed or declined)")


def _reply_is(ctx: GuardContext, wanted: str) -> Check:
    reply = (ctx.facts.get("consulate_reply") or {}).get("reply")
    return _one("consulate_reply", reply, reply == wanted, f"the DPRK side's reply is {reply}",
                f"the DPRK side's reply is {reply or 'not recorded'}, not {wanted}")


@guard
def consulate_agreed(ctx: GuardContext) -> Check:
    return _reply_is(ctx, REPLY[0])


@guard
def consulate_declined(ctx: GuardContext) -> Check:
    return _reply_is(ctx, REPLY[1])


@guard
def correction_given(ctx: GuardContext) -> Check:
    field_name, reason = ctx.params.get("field"), ctx.params.get("reason")
    read = {"field": field_name, "reason": reason}
    held = bool(field_name and reason and str(reason).strip())
    return Check(held, f"correction of {field_name} with a reason" if held else
                 "a correction needs --field and --reason", read)


WORDS = {
    "name_recorded": "the name is not blank",
    "citizenship_determined": "citizenship is determined: dprk, prc-korean-minority or other",
    "is_dprk_citizen": "citizenship is dprk (the views speak of DPRK citizens)",
    "outcome_given": "the attempt's outcome is given (agreed or refused)",
    "persuaded": "a persuasion session is recorded (or the adult it travels with, in the "
                 "same group, was persuaded)",
    "return_inconvenient": "married (spouse recorded, not none), or a --reason given",
    "reply_given": "the DPRK side's reply is given (agreed or declined)",
    "consulate_agreed": "the DPRK side's reply is recorded as agreed",
    "consulate_declined": "the DPRK side's reply is recorded as declined",
    "correction_given": "the field and the reason of the correction are given",
}
NEEDS = {"outcome_given": "outcome", "reply_given": "reply",
         "correction_given": "field, --value and --reason"}
GUARDS = {name: Guard(check, WORDS[name], NEEDS.get(name)) for name, check in CHECKS.items()}


@effect
def nothing(ctx: EffectContext) -> dict[str, Any]:
    return {}


@effect
def record_opening(ctx: EffectContext) -> dict[str, Any]:
    return {"opened_on": ctx.at, "attempts": []}


@effect
def record_investigation(ctx: EffectContext) -> dict[str, Any]:
    return {"investigated_on": ctx.at}


@effect
def record_attempt(ctx: EffectContext) -> dict[str, Any]:
    entry = {"at": ctx.at, "by": ctx.actor.name, "outcome": ctx.params["outcome"],
             "method": ctx.params.get("method"), "note": ctx.params.get("note")}
    return {"attempts": [*(ctx.facts.get("attempts") or []), entry]}


@effect
def record_handover(ctx: EffectContext) -> dict[str, Any]:
    return {"handover_group": ctx.group_id, "returned_on": ctx.at}


@effect
def record_referral(ctx: EffectContext) -> dict[str, Any]:
    referral = {"at": ctx.at, "list": ctx.params.get("list") or f"V2-{ctx.at}",
                "consulate": ctx.settings["consulate"], "by": ctx.actor.name,
                "reason": ctx.params.get("reason")}
    return {"referral": referral, "consulate_reply": None}


@effect
def record_consulate_reply(ctx: EffectContext) -> dict[str, Any]:
    return {"consulate_reply": {"reply": ctx.params["reply"], "at": ctx.at, "by": ctx.actor.name}}


@effect
def reopen_persuasion(ctx: EffectContext) -> dict[str, Any]:
    return {"consulate_reply": None}


@effect
def apply_correction(ctx: EffectContext) -> dict[str, Any]:
    return {str(ctx.params["field"]): ctx.params.get("value")}
