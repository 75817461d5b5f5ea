"""Version 3 of the cable's table: version 2 with the twelve rulings of docs/policy.md.

Each change is made here, on version 2's declarations, and names its ruling, so that
``crossings policy diff jilin-1961@2 jilin-1961@3`` reads as the list of rulings. Ruling 9
(dates run forward) is input checking in every version, and ruling 11 (a group of one)
already held in version 2: neither changes the table.
"""

from __future__ import annotations

from typing import Callable

from workflow.policy import EVERY_OPEN_STATE, EVERY_STATE, GuardSpec, Param, Trigger
from workflow.queries import DatedBefore, Section
from workflow.record import replace
from workflow.table import Policy

from . import phrases as say
from .facts import CLOSED, DERIVED_V3, FACTS_V3, fact
from .rulings import EFFECTS_V3, GUARDS_V3, REJECTIONS
from .table import ANY_ROLE, POLICY as V2, SECTIONS

EFFECTIVE = "1961-11-25"


def _g(name: str, *clauses: str) -> GuardSpec:
    return GuardSpec(name, tuple(clauses))


def _swap(guards: tuple[GuardSpec, ...], old: str, new: str) -> tuple[GuardSpec, ...]:
    """GUARDS with guard OLD replaced by NEW, citing the same clauses."""
    return tuple(GuardSpec(new, g.clauses) if g.guard == old else g for g in guards)


def _answer_one(t: Trigger) -> dict[str, object]:  # ruling 3
    return {"guards": (_g("request_open", "G"), _g("answer_given", "G")),
            "params": (*t.params, Param("request", "number", "The request answered: its number "
                                        "within the case (default: the oldest open one).")),
            "effect": "answer_one_request", "rejects": ("request_exists",),
            "summary": "Record the Ministry's answer to one guidance request.",
            "example": "--request 1 --answer 'Handle as P1.'"}


def _correct_v3(t: Trigger) -> dict[str, object]:  # rulings 2, 5, 6, 10, 12
    return {"sources": EVERY_STATE, "effect": "apply_correction_v3",
            "rejects": ("citizenship_kept",),
            "params": (Param("field", "fact", "The fact to correct.",
                             tuple(f.name for f in FACTS_V3)), *t.params[1:])}


# What each ruling changes, trigger by trigger (the guard swaps of rulings 4, 5 and 10
# are in _SWAPS); the words are what ``policy diff`` says of each.
_CHANGES: dict[str, Callable[[Trigger], dict[str, object]]] = {
    "restore_citizenship": lambda t: {"sources": ("investigated", "persuading", "referred")},
    "request_guidance": lambda t: {"sources": EVERY_STATE},
    "record_guidance": lambda t: {"sources": EVERY_STATE, **_answer_one(t)},
    "amend": _correct_v3,
    "persuade": lambda t: {"effect": "record_attempt_v3"},
    "refer": lambda t: {"guards": (*t.guards, _g("refused_since_resumed", "P3"))},
    "resume_persuasion": lambda t: {"effect": "reopen_persuasion_v3"},
    "provide": lambda t: {"sources": EVERY_OPEN_STATE},
    "investigate": lambda t: {"params": (*t.params, fact("crime_on"))},
}
_SWAPS = (("no_crime_recorded", "no_crime_in_china"), ("crime_recorded", "crime_in_china"),
          ("ready_for_return", "ready_with_adult"), ("permission_recorded", "permission_in_force"))
RULINGS = {
    "restore_citizenship": "ruling 1: applies from persuading and referred too (P4)",
    "request_guidance": "ruling 2: applies in every state, closed ones included (G)",
    "record_guidance": "rulings 2 and 3: every state; answers one request, --request N (G)",
    "amend": "rulings 2, 5, 6, 10, 12: every state; citizenship other opens a guidance "
             "request and cannot be cleared; a correction of the crossing date, citizenship "
             "or crime lapses the permission; crime_on added, complaint removed",
    "record_complaint": "ruling 12: new; a complaint of rude treatment, by any role (W2)",
    "hand_over": "ruling 4: a minor goes only with the open case it accompanies (P1); "
                 "ruling 10: a crime before the crossing is not P5's",
    "transfer": "ruling 5: the permission must not have lapsed (T); ruling 10",
    "persuade": "ruling 5: an agreed attempt lapses the permission (T)",
    "refer": "ruling 7: after a decline, a refusal since persuasion resumed (P3); ruling 10",
    "resume_persuasion": "ruling 7: records when persuasion resumed (P3)",
    "provide": "ruling 8: from detention on, every open state (W2, W3)",
    "investigate": "ruling 10: records crime_on, the crime's date (P5)",
    "prosecute": "ruling 10: a crime wholly before the crossing is not P5's",
    "begin_persuasion": "ruling 10: a crime wholly before the crossing is no bar (P5)",
    "grant_residency": "ruling 10: a crime wholly before the crossing is no bar (P5)",
    "approve_transfer": "ruling 10: a crime wholly before the crossing is no bar (P5)",
    "ruling 9": "dates run forward in every version (input checking); the compliance report "
                "lists events dated before the policy took effect (section before_effective)",
    "ruling 11": "a group of one is a group: hand_over of one person, allowed in version 2 "
                 "already (no change)",
}


def _revise(trigger: Trigger) -> Trigger:
    """One trigger of version 2, as the rulings change it."""
    guards = trigger.guards
    for old, new in _SWAPS:
        guards = _swap(guards, old, new)
    changes = _CHANGES.get(trigger.name, lambda t: {})(replace(trigger,
                                                                           guards=guards))
    return replace(trigger, **{"guards": guards, **changes})


RECORD_COMPLAINT = Trigger(  # ruling 12
    "record_complaint", EVERY_STATE, None, ANY_ROLE, (_g("complaint_given", "W2"),), ("W2",),
    "Record a complaint of rude treatment, by anyone.",
    (Param("complaint", "text", "The complaint, in words.", required=True),),
    effect="record_complaint", example="--complaint 'shouted at during the session'",
    asked="recording a complaint", phrase=say.complained,
)

TRIGGERS = (*(_revise(t) for t in V2.triggers), RECORD_COMPLAINT)

BEFORE = Section("before_effective", "compliance", "G", f"event dated before the policy it is "
                 f"handled under took effect ({EFFECTIVE})",
                 DatedBefore("jilin-1961", "3", EFFECTIVE))

POLICY = replace(
    V2, version="3", formerly=(), readings="docs/policy.md (version 3: the rulings)",
    triggers=TRIGGERS, facts=FACTS_V3, derived=DERIVED_V3, guards=GUARDS_V3,
    effects=EFFECTS_V3, rejections=REJECTIONS, sections=(*SECTIONS, BEFORE),
    revisions=RULINGS,
)
assert set(CLOSED) == POLICY.terminal, "facts.CLOSED must name the terminal states"
__all__ = ["POLICY", "EFFECTIVE", "Policy"]
