"""The facts a case of the cable carries: given as options, or derived by effects.

``FACTS`` are the facts options set (and ``amend`` corrects); ``DERIVED`` those effects
record (attempts, provisions, the referral, guidance requests...), with their JSON types,
so that reports and readers can name them. The helpers read the derived lists.
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow.policy import Derived, Param
from workflow.record import replace

CITIZENSHIP = ("dprk", "prc-korean-minority", "other")
PURPOSE = ("visiting-relatives", "other")
SPOUSE = ("chinese-korean", "other", "none")
OUTCOME = ("agreed", "refused")
REPLY = ("agreed", "declined")
ITEMS = ("food", "clothing")
DPRK, MINORITY, OTHER = CITIZENSHIP
CLOSED = ("resident", "returned", "prosecuted", "restored", "transferred")  # terminal states
VISITING = PURPOSE[0]
MARRIED_TO_KOREAN = SPOUSE[0]
AGREED, REFUSED = OUTCOME

FACTS: tuple[Param, ...] = (
    Param("name", "name", "Name as recorded, any script (a romanised form).", required=True),
    Param("native_name", "name", "Name in the person's own script (Hangul, Hanja)."),
    Param("alias", "names", "Another name the person is known by: another romanisation, "
          "Hangul, Hanja, Chinese (repeatable); amend adds one.", appended=True),
    Param("crossed_on", "approx-date", "Crossing date: YYYY, YYYY-MM, YYYY-MM-DD or A/B.",
          required=True, by_opening="the detention date"),
    Param("place", "text", "Where the person crossed or was found.", required=True),
    Param("accompanies", "case", "The case this person travels with (a minor with a parent)."),
    Param("citizenship", "choice", "Citizenship as determined.", CITIZENSHIP),
    Param("purpose", "choice", "Why the person came.", PURPOSE),
    Param("purpose_note", "text", "The purpose in words."),
    Param("spouse", "choice", "Married to a Chinese citizen of Korean nationality?", SPOUSE),
    Param("crime", "text", "A crime committed in China after crossing (P5), described."),
    Param("complaint", "text", "A complaint of rude treatment (W2), appended to the case.",
          appended=True),
)

DERIVED: tuple[Derived, ...] = (
    Derived("opened_on", "date", "Date of detention (W2, P1)."),
    Derived("aliases", "list", "The person's other names, in the order recorded (alias)."),
    Derived("investigated_on", "date", "Date of investigation (P2's short period runs from it)."),
    Derived("attempts", "list", "Persuasion attempts held (P1, W2, P3).",
            ("at", "by", "outcome", "method", "note")),
    Derived("provisions", "list", "Food and clothing provided (W3).", ("at", "by", "items", "note")),
    Derived("guidance", "list", "Requests for the Ministry's guidance (G).",
            ("id", "at", "by", "question", "opened_by", "answer", "answered_at", "answered_by")),
    Derived("complaints", "list", "Complaints of rude treatment (W2).",
            ("at", "by", "text", "reason")),
    Derived("referral", "object", "The P3 name list the person is on.",
            ("at", "list", "consulate", "by")),
    Derived("consulate_reply", "object", "The Consulate General's reply (P3).", ("reply", "at", "by")),
    Derived("permission", "object", "The Provincial Committee's permission (T).", ("at", "by", "note")),
    Derived("handover_group", "int", "The handover group the person was returned with (P1)."),
    Derived("returned_on", "date", "Date of the handover (P1, P2)."),
)


# Version 3 (docs/policy.md, rulings 10 and 12): a crime may carry its date; a complaint
# is recorded by record_complaint, no longer corrected by amend.
CRIME_ON = Param("crime_on", "approx-date", "When the crime was committed: YYYY, YYYY-MM, "
                 "YYYY-MM-DD or A/B (P5: a crime wholly before the crossing is not P5's).")
FACTS_V3: tuple[Param, ...] = (*(f for f in FACTS if f.name != "complaint"), CRIME_ON)
DERIVED_V3: tuple[Derived, ...] = (
    *(d for d in DERIVED if d.name != "complaints"),
    Derived("complaints", "list", "Complaints of rude treatment (W2), by anyone.",
            ("at", "by", "role", "text")),
    Derived("resumed", "object", "When persuasion last resumed after a decline (P3), and "
            "how many attempts came before.", ("at", "after_attempt")),
)


def fact(name: str, **changes: Any) -> Param:
    """A fact as a trigger's option: not required unless said, setting the fact."""
    base = next(f for f in (*FACTS, CRIME_ON) if f.name == name)
    return replace(base, **{"required": False, "sets_fact": True, **changes})


def is_open(request: Mapping[str, Any]) -> bool:
    """Whether a guidance request still waits for its answer."""
    return request.get("answer") is None


def open_guidance(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The guidance requests of a case's facts that have no answer yet (G)."""
    return [g for g in facts.get("guidance") or [] if is_open(g)]


def refusals(facts: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [a for a in facts.get("attempts") or [] if a.get("outcome") == REFUSED]


def latest_outcome(facts: Mapping[str, Any]) -> str | None:
    attempts = facts.get("attempts") or []
    return attempts[-1].get("outcome") if attempts else None
