"""Version 3's rulings (docs/policy.md, "Version 3"): the guards, effects and input checks
that differ from version 2's, each named after what it checks and citing its ruling.

Version 2's guards and effects (``guards``, ``effects``) stay as they were: a case pinned
to version 2 is decided exactly as before. Version 3's table (``version3``) takes these
in their place.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from workflow.policy import Guard
from workflow.rules import Check, EffectContext, GuardContext, registry
from workflow.values import parse_approx_date

from .effects import EFFECTS, _appended, _guidance_request
from .facts import AGREED, CLOSED, OTHER, REFUSED, is_open, latest_outcome
from .guards import GUARDS, _ready_on_own

CHECKS: dict[str, Callable[[GuardContext], Check]] = {}
guard = registry(CHECKS)
NEW_EFFECTS: dict[str, Callable[[EffectContext], dict[str, Any]]] = {}
effect = registry(NEW_EFFECTS)

# Corrections of these facts make the Committee's permission lapse (ruling 5).
LAPSING = ("crossed_on", "citizenship", "crime", "crime_on")


# -- ruling 10: a crime in China after crossing ------------------------------------------

def crime_is_p5s(facts: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether a recorded crime is P5's (committed in China after crossing), and why. A
    crime whose whole date range lies before the whole range of the crossing is not."""
    crime, crime_on, crossed = facts.get("crime"), facts.get("crime_on"), facts.get("crossed_on")
    if not crime:
        return False, "no crime is recorded"
    if not crime_on or not crossed:
        return True, f"crime recorded: {crime}" + ("" if crime_on else " (undated)")
    if parse_approx_date(crime_on).latest < parse_approx_date(crossed).earliest:
        return False, (f"the crime recorded ({crime}, {crime_on}) was committed before the "
                       f"crossing ({crossed}): not a crime in China after crossing")
    return True, f"crime recorded: {crime}, {crime_on}, not before the crossing ({crossed})"


def _crime_read(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: facts.get(k) for k in ("crime", "crime_on", "crossed_on")}


@guard
def no_crime_in_china(ctx: GuardContext) -> Check:
    p5s, why = crime_is_p5s(ctx.facts)
    if p5s:
        return Check(False, f"{why}: only prosecution applies", _crime_read(ctx.facts))
    return Check(True, why if ctx.facts.get("crime") else "no crime recorded",
                 _crime_read(ctx.facts))


@guard
def crime_in_china(ctx: GuardContext) -> Check:
    p5s, why = crime_is_p5s(ctx.facts)
    return Check(p5s, why, _crime_read(ctx.facts))


# -- ruling 4: minors go with their adult --------------------------------------------------

def _with_adult(facts: Mapping[str, Any], group: Mapping[int, Mapping[str, Any]],
                states: Mapping[int, str], seen: tuple[int, ...]) -> tuple[bool, str]:
    """Whether a case of a handover group qualifies (ruling 4), and why: on its own facts,
    unless it accompanies an open case; then only with that case in the group, when that
    case qualifies in its turn (so a minor accompanying a minor goes with the adult)."""
    parent = facts.get("accompanies")
    state = states.get(parent) if parent is not None else None
    if parent is None or state in CLOSED:
        ready, why = _ready_on_own(facts)
        if parent is not None:
            why = f"case {parent} it accompanies is closed ({state}): on its own facts, {why}"
        return ready, why
    if parent not in group:
        return False, (f"accompanies case {parent}, which is still open: handed over only in "
                       "the same group as that case")
    if parent in seen:
        return False, f"accompanies case {parent}, which accompanies it in turn"
    parent_ready, parent_why = _with_adult(group[parent], group, states, (*seen, parent))
    if parent_ready:
        return True, f"accompanies case {parent} in this group, which qualifies"
    return False, (f"accompanies case {parent}, which does not qualify ({parent_why}); "
                   "its own attempts do not make it ready")


@guard
def ready_with_adult(ctx: GuardContext) -> Check:
    facts = ctx.facts
    parent = facts.get("accompanies")
    read: dict[str, Any] = {"latest_outcome": latest_outcome(facts),
                            "attempts": len(facts.get("attempts") or []),
                            "purpose": facts.get("purpose"), "accompanies": parent}
    states, group = ctx.states or {}, ctx.group or {}
    own = () if ctx.case_id is None else (ctx.case_id,)
    if parent is not None and states.get(parent) in CLOSED:
        read["accompanied_state"] = states[parent]
    elif parent is not None and parent in group and parent not in own:
        read["accompanied_ready"] = _with_adult(group[parent], group, states, (*own, parent))[0]
    return Check(*_with_adult(facts, group, states, own), read)


# -- ruling 5: the permission lapses --------------------------------------------------------

@guard
def permission_in_force(ctx: GuardContext) -> Check:
    permission = ctx.facts.get("permission") or {}
    read = {"permission": permission or None}
    if not permission:
        return Check(False, "the Provincial Committee's permission is not recorded "
                            "(approve_transfer)", read)
    lapsed = permission.get("lapsed")
    if lapsed:
        return Check(False, f"the permission of {permission.get('at')} lapsed on "
                            f"{lapsed.get('at')} ({lapsed.get('why')}): approve_transfer again",
                     read)
    return Check(True, f"permission of {permission.get('at')} in force", read)


def _lapse(ctx: EffectContext, why: str) -> dict[str, Any]:
    permission = ctx.facts.get("permission")
    if not permission or permission.get("lapsed"):
        return {}
    return {"permission": {**permission, "lapsed": {"at": ctx.at, "why": why}}}


# -- ruling 7: re-listing after a decline -------------------------------------------------

@guard
def refused_since_resumed(ctx: GuardContext) -> Check:
    resumed = ctx.facts.get("resumed")
    if not resumed:
        return Check(True, "no decline to re-list after", {"resumed": None})
    since = (ctx.facts.get("attempts") or [])[int(resumed.get("after_attempt", 0)):]
    refused = [a for a in since if a.get("outcome") == REFUSED]
    latest = since[-1].get("outcome") if since else None
    read = {"resumed": resumed.get("at"), "refused_since": len(refused), "latest_outcome": latest}
    if refused and latest == REFUSED:
        return Check(True, f"{len(refused)} refused attempt(s) since persuasion resumed on "
                           f"{resumed.get('at')}, the latest refused", read)
    return Check(False, f"persuasion resumed on {resumed.get('at')} after the consulate "
                        "declined: no refused attempt is recorded since, the latest refused "
                        "(the people of P3 'still refuse')", read)


# -- ruling 3: one answer, one question ---------------------------------------------------

def chosen_request(facts: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The request --request N names (its number within the case), else the oldest open."""
    requests = facts.get("guidance") or []
    number = params.get("request")
    if number is not None:
        return next((r for r in requests if r.get("id") == number), None)
    return next((r for r in requests if is_open(r)), None)


@guard
def request_open(ctx: GuardContext) -> Check:
    request = chosen_request(ctx.facts, ctx.params)
    number = ctx.params.get("request")
    read = {"request": number if number is not None else (request or {}).get("id")}
    if request is None:
        return Check(False, "no guidance request is open", read)
    if not is_open(request):
        return Check(False, f"request {request['id']} was already answered on "
                            f"{request.get('answered_at')}", read)
    return Check(True, f"request {request['id']} of {request.get('at')} is open", read)


@effect
def answer_one_request(ctx: EffectContext) -> dict[str, Any]:
    chosen = chosen_request(ctx.facts, ctx.params)
    assert chosen is not None  # the guard held
    answered = [{**r, "answer": ctx.params["answer"], "answered_at": ctx.at,
                 "answered_by": ctx.actor.name} if r.get("id") == chosen["id"] else r
                for r in ctx.facts.get("guidance") or []]
    return {"guidance": answered}


def request_exists(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    number = params.get("request")
    requests = facts.get("guidance") or []
    if number is None or any(r.get("id") == number for r in requests):
        return None
    return f"--request {number}: the case has no request {number} (it has {len(requests)})"


# -- ruling 6: corrections behave like the facts they correct ---------------------------

def citizenship_kept(facts: Mapping[str, Any], params: Mapping[str, Any]) -> str | None:
    if params.get("field") == "citizenship" and params.get("value") is None \
            and facts.get("citizenship"):
        return "--value: citizenship, once determined, cannot be cleared"
    return None


@effect
def apply_correction_v3(ctx: EffectContext) -> dict[str, Any]:
    field_name, value = str(ctx.params["field"]), ctx.params.get("value")
    changes: dict[str, Any] = EFFECTS["apply_correction"](ctx)  # version 2's, aliases added
    if field_name == "citizenship" and value == OTHER and ctx.facts.get("citizenship") != OTHER:
        changes.update(_guidance_request(
            ctx, "Citizenship corrected to 'other': no clause of the cable applies. How is "
                 "this person to be handled?", "amend"))
    if field_name in LAPSING and ctx.facts.get(field_name) != value:
        changes.update(_lapse(ctx, f"{field_name} corrected"))
    return changes


@effect
def record_attempt_v3(ctx: EffectContext) -> dict[str, Any]:
    changes = EFFECTS["record_attempt"](ctx)
    if ctx.params["outcome"] == AGREED:
        changes.update(_lapse(ctx, "an attempt was recorded agreed"))
    return changes


@effect
def reopen_persuasion_v3(ctx: EffectContext) -> dict[str, Any]:
    changes = EFFECTS["reopen_persuasion"](ctx)
    changes["resumed"] = {"at": ctx.at, "after_attempt": len(ctx.facts.get("attempts") or [])}
    return changes


# -- ruling 12: complaints from anyone --------------------------------------------------

@guard
def complaint_given(ctx: GuardContext) -> Check:
    text = ctx.params.get("complaint")
    return Check(bool(text and str(text).strip()), "a complaint given" if text else
                 "no complaint given (--complaint)", {"complaint": text})


@effect
def record_complaint(ctx: EffectContext) -> dict[str, Any]:
    entry = {"at": ctx.at, "by": ctx.actor.name, "role": ctx.actor.role,
             "text": ctx.params["complaint"]}
    return _appended(ctx, "complaints", entry)


V3_WORDS = {
    "no_crime_in_china": "no crime in China after crossing is recorded (a crime dated wholly "
                         "before the crossing is not P5's)",
    "crime_in_china": "a crime in China after crossing is recorded (undated, on the crossing "
                      "day or overlapping it counts)",
    "ready_with_adult": "the latest attempt was agreed, or a visitor (P2) with at least one "
                        "attempt; a case accompanying an open case only in that case's group, "
                        "when that case qualifies",
    "permission_in_force": "the Provincial Committee's permission is recorded and has not "
                           "lapsed (an agreed attempt or a correction of the crossing date, "
                           "citizenship or crime after it)",
    "refused_since_resumed": "after a decline and resumed persuasion, a refused attempt is "
                             "recorded since, the latest refused",
    "request_open": "the request answered (--request N, default the oldest open one) is open",
    "complaint_given": "the complaint's text is given",
}
V3_NEEDS = {"complaint_given": "complaint"}

GUARDS_V3 = {**GUARDS, **{name: Guard(check, V3_WORDS[name], V3_NEEDS.get(name))
                          for name, check in CHECKS.items()}}
EFFECTS_V3 = {**EFFECTS, **NEW_EFFECTS}
REJECTIONS = {"request_exists": request_exists, "citizenship_kept": citizenship_kept}
