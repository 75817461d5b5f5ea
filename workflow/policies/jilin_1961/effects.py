"""The cable's effects: what an applied trigger records about the case, as new fact values.

Each effect is a pure function of an :class:`~workflow.rules.EffectContext` returning
``{fact: new value}`` for the facts it changes. Facts a trigger's options set directly
(``investigate --citizenship``) are applied by the engine before guards run; effects add
what is derived (``facts.DERIVED``): attempts, provisions, guidance requests, the
referral, the permission.
"""

from __future__ import annotations

from typing import Any, Callable

from workflow.rules import EffectContext, registry

from .facts import OTHER, is_open

EFFECTS: dict[str, Callable[[EffectContext], dict[str, Any]]] = {}
effect = registry(EFFECTS)


def _appended(ctx: EffectContext, key: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {key: [*(ctx.facts.get(key) or []), entry]}


def _guidance_request(ctx: EffectContext, question: str, opened_by: str) -> dict[str, Any]:
    existing = ctx.facts.get("guidance") or []
    entry = {
        "id": len(existing) + 1,
        "at": ctx.at,
        "by": ctx.actor.name,
        "question": question,
        "opened_by": opened_by,
        "answer": None,
    }
    return {"guidance": [*existing, entry]}


@effect
def nothing(ctx: EffectContext) -> dict[str, Any]:
    return {}


@effect
def record_opening(ctx: EffectContext) -> dict[str, Any]:
    opened: dict[str, Any] = {"opened_on": ctx.at, "attempts": [], "provisions": [],
                              "guidance": []}
    if ctx.params.get("alias"):  # the person's other names (facts.FACTS: alias)
        opened["aliases"] = list(ctx.params["alias"])
    return opened


@effect
def record_investigation(ctx: EffectContext) -> dict[str, Any]:
    changes: dict[str, Any] = {"investigated_on": ctx.at}
    if ctx.facts.get("citizenship") == OTHER:
        changes.update(
            _guidance_request(
                ctx,
                "Citizenship 'other': no clause of the cable applies. How is this person "
                "to be handled?",
                "investigate",
            )
        )
    return changes


@effect
def record_attempt(ctx: EffectContext) -> dict[str, Any]:
    entry = {
        "at": ctx.at,
        "by": ctx.actor.name,
        "outcome": ctx.params["outcome"],
        "method": ctx.params.get("method"),
        "note": ctx.params.get("note"),
    }
    return _appended(ctx, "attempts", entry)


@effect
def record_provision(ctx: EffectContext) -> dict[str, Any]:
    entry = {
        "at": ctx.at,
        "by": ctx.actor.name,
        "items": list(ctx.params["items"]),
        "note": ctx.params.get("note"),
    }
    return _appended(ctx, "provisions", entry)


@effect
def record_handover(ctx: EffectContext) -> dict[str, Any]:
    return {"handover_group": ctx.group_id, "returned_on": ctx.at}


@effect
def record_referral(ctx: EffectContext) -> dict[str, Any]:
    list_id = ctx.params.get("list") or f"P3-{ctx.at}"
    referral = {
        "at": ctx.at,
        "list": list_id,
        "consulate": ctx.settings["consulate"],
        "by": ctx.actor.name,
    }
    return {"referral": referral, "consulate_reply": None}


@effect
def record_consulate_reply(ctx: EffectContext) -> dict[str, Any]:
    return {"consulate_reply": {"reply": ctx.params["reply"], "at": ctx.at, "by": ctx.actor.name}}


@effect
def reopen_persuasion(ctx: EffectContext) -> dict[str, Any]:
    changes = _guidance_request(
        ctx,
        "The consulate declined to let this person remain (P3); the cable is silent on "
        "what follows. Persuasion has resumed: guidance requested.",
        "resume_persuasion",
    )
    changes["consulate_reply"] = None
    return changes


@effect
def record_permission(ctx: EffectContext) -> dict[str, Any]:
    return {"permission": {"at": ctx.at, "by": ctx.actor.name, "note": ctx.params.get("note")}}


@effect
def open_guidance_request(ctx: EffectContext) -> dict[str, Any]:
    return _guidance_request(ctx, str(ctx.params["question"]), "request_guidance")


@effect
def answer_guidance(ctx: EffectContext) -> dict[str, Any]:
    answered = []
    for request in ctx.facts.get("guidance") or []:
        if is_open(request):
            request = {**request, "answer": ctx.params["answer"], "answered_at": ctx.at,
                       "answered_by": ctx.actor.name}
        answered.append(request)
    return {"guidance": answered}


@effect
def apply_correction(ctx: EffectContext) -> dict[str, Any]:
    field_name = str(ctx.params["field"])
    value = ctx.params.get("value")
    if field_name == "complaint":  # the one appended fact (facts.FACTS)
        entry = {"at": ctx.at, "by": ctx.actor.name, "text": value, "reason": ctx.params["reason"]}
        return _appended(ctx, "complaints", entry)
    if field_name == "alias":  # a further name: added to the list, each name once
        known = list(ctx.facts.get("aliases") or [])
        return {"aliases": [*known, *(name for name in value or [] if name not in known)]}
    return {field_name: value}
