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

from ..jilin_1961 import effects as cable_effects
from ..jilin_1961 import guards as cable_guards
from ..jilin_1961.facts import DPRK, SPOUSE

NO_SPOUSE = SPOUSE[2]
# The same steps as the cable's, checked and recorded the same way (reading 1: the same
# people and facts; the cable's trigger names wherever the step is the same step).
SHARED_GUARDS = ("name_recorded", "citizenship_determined", "outcome_given", "reply_given",
                 "consulate_agreed", "consulate_declined", "correction_given")
SHARED_EFFECTS = ("nothing", "record_attempt", "record_handover", "record_consulate_reply",
                  "apply_correction")

CHECKS: dict[str, Callable[[GuardContext], Check]] = {
    name: cable_guards.CHECKS[name] for name in SHARED_GUARDS}
guard = registry(CHECKS)
EFFECTS: dict[str, Callable[[EffectContext], dict[str, Any]]] = {
    name: cable_effects.EFFECTS[name] for name in SHARED_EFFECTS}
effect = registry(EFFECTS)


def _one(key: str, value: Any, held: bool, yes: str, no: str) -> Check:
    return Check(held, yes if held else no, {key: value})


@guard
def is_dprk_citizen(ctx: GuardContext) -> Check:
    value = ctx.facts.get("citizenship")
    return _one("citizenship", value, value == DPRK, "citizenship is dprk",
                f"the views speak of DPRK citizens; citizenship is {value or 'undetermined'}")


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


WORDS = {
    **{name: cable_guards.WORDS[name] for name in SHARED_GUARDS},
    "is_dprk_citizen": "citizenship is dprk (the views speak of DPRK citizens)",
    "persuaded": "a persuasion session is recorded (or the adult it travels with, in the "
                 "same group, was persuaded)",
    "return_inconvenient": "married (spouse recorded, not none), or a --reason given",
}
NEEDS = {name: cable_guards.NEEDS[name] for name in SHARED_GUARDS if name in cable_guards.NEEDS}
GUARDS = {name: Guard(check, WORDS[name], NEEDS.get(name)) for name, check in CHECKS.items()}


@effect
def record_opening(ctx: EffectContext) -> dict[str, Any]:
    opened: dict[str, Any] = {"opened_on": ctx.at, "attempts": []}
    if ctx.params.get("alias"):  # the person's other names, kept as the cable keeps them
        opened["aliases"] = list(ctx.params["alias"])
    return opened


@effect
def record_investigation(ctx: EffectContext) -> dict[str, Any]:
    return {"investigated_on": ctx.at}  # no guidance request: the views have no G


@effect
def record_referral(ctx: EffectContext) -> dict[str, Any]:
    referral = {"at": ctx.at, "list": ctx.params.get("list") or f"V2-{ctx.at}",
                "consulate": ctx.settings["consulate"], "by": ctx.actor.name,
                "reason": ctx.params.get("reason")}
    return {"referral": referral, "consulate_reply": None}


@effect
def reopen_persuasion(ctx: EffectContext) -> dict[str, Any]:
    return {"consulate_reply": None}
