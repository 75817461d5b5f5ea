"""The views of 17 December 1957 as a table: the same people and facts as the 1961 cable,
and only the steps the summary speaks of.

Readings (assumptions, each stated in docs/policies/mfa-mps-1957-12-17.md):
- A case is opened, investigated and persuaded; hand_over returns a group (V1).
- None of the cable's P2-P5 or T exists: no visitors' rule, no three refusals, no
  Korean-minority restoration, no prosecution step, no transfer. A Korean-minority member
  or a citizenship ``other`` case is outside V1-V2: every disposition is refused, citing V1.
- "Indeed inconvenient" (V2): married (spouse recorded, not none) or a reason given with
  ``refer --reason``; the DPRK side (the consulate setting) agrees or declines.
- V3 and V4 set no step: V3 is noted on residents, V4 on the detention.
- Effective from 1957-12-17; in Jilin read as superseded for these cases by the cable of
  25 November 1961.
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow.policy import Derived, Group, GuardSpec, Param, Setting, State, Trigger
from workflow.queries import Count, LatestField
from workflow.record import replace
from workflow.table import Policy, Words

from .clauses import CLAUSES, SOURCE
from ..jilin_1961.facts import FACTS as CABLE_FACTS
from ..jilin_1961.facts import OUTCOME, REPLY
from .rules import EFFECTS, GUARDS

ROLES = ("county-officer", "border-defence", "foreign-affairs", "provincial-committee",
         "public-security")

# The cable's facts (reading 1), but for the complaint its W2 records.
FACTS: tuple[Param, ...] = tuple(f for f in CABLE_FACTS if f.name != "complaint")
DERIVED: tuple[Derived, ...] = (
    Derived("opened_on", "date", "Date of detention (V1)."),
    Derived("investigated_on", "date", "Date of investigation."),
    Derived("attempts", "list", "Persuasion sessions held (V1).",
            ("at", "by", "outcome", "method", "note")),
    Derived("referral", "object", "The referral to the DPRK side (V2).",
            ("at", "list", "consulate", "by", "reason")),
    Derived("consulate_reply", "object", "The DPRK side's reply (V2).", ("reply", "at", "by")),
    Derived("handover_group", "int", "The handover group the person was returned with (V1)."),
    Derived("returned_on", "date", "Date of the handover (V1)."),
    Derived("aliases", "list", "Every other name the person is known by."),
)


def _fact(name: str, **changes: Any) -> Param:
    base = next(f for f in FACTS if f.name == name)
    return replace(base, **{"required": False, "sets_fact": True, **changes})


def _g(name: str, *clauses: str) -> GuardSpec:
    return GuardSpec(name, tuple(clauses) or ("V1",))


def _said(row: Mapping[str, Any], key: str) -> Any:
    return (row.get("given") or {}).get(key)


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("open", (), "detained", ("county-officer",), (_g("name_recorded"),), ("V1", "V4"),
            "Detain a border crosser and record name and crossing.",
            (_fact("name", required=True), _fact("native_name"), _fact("alias", sets_fact=False),
             _fact("crossed_on", required=True), _fact("place", required=True),
             _fact("accompanies")),
            effect="record_opening", opens=True, asked="detention",
            phrase=lambda r: f"detained: {_said(r, 'name')}, crossed {_said(r, 'crossed_on')}"),
    Trigger("investigate", ("detained",), "investigated", ("county-officer",),
            (_g("name_recorded"), _g("citizenship_determined")), ("V1",),
            "Record the investigation and the citizenship determined.",
            (_fact("citizenship"), _fact("purpose"), _fact("purpose_note"), _fact("spouse"),
             _fact("crime")), effect="record_investigation", asked="investigation",
            phrase=lambda r: f"investigated: citizenship {_said(r, 'citizenship')}"),
    Trigger("begin_persuasion", ("investigated",), "persuading", ("county-officer",),
            (_g("is_dprk_citizen"),), ("V1",), "Begin persuading a DPRK citizen to return.",
            asked="beginning persuasion", phrase=lambda r: "persuasion begun"),
    Trigger("persuade", ("persuading",), None, ("county-officer",), (_g("outcome_given"),),
            ("V1",), "Record one persuasion session held, and its outcome.",
            (Param("outcome", "choice", "What the person answered.", OUTCOME),
             Param("method", "text", "How the session was held.")),
            effect="record_attempt", asked="a persuasion session",
            phrase=lambda r: f"persuasion session held: {_said(r, 'outcome')}"),
    Trigger("hand_over", ("persuading",), "returned", ("border-defence",),
            (_g("is_dprk_citizen"), _g("persuaded")), ("V1",),
            "Send a group back to the DPRK side (repatriation, in principle).",
            (Param("representative", "name", "The Korean border-defence representative.",
                   required=True),
             Param("crossing_point", "text", "Where the group is handed over.", required=True)),
            effect="record_handover",
            group=Group(("V1",), "the group handover was refused because of case(s) {cases} "
                        "(V1: all or nothing)", lambda facts: "V1", "handover",
                        ("crossed_on", "place", "purpose", "accompanies"),
                        "handover group {id}: case(s) {cases} returned at {crossing_point} on "
                        "{at}"),
            asked="repatriation",
            phrase=lambda r: f"sent back with group {r.get('group_id')} (V1)"),
    Trigger("refer", ("persuading",), "referred", ("county-officer",),
            (_g("is_dprk_citizen"), _g("return_inconvenient", "V2")), ("V2",),
            "Refer a person whose return is indeed inconvenient to the DPRK side.",
            (Param("list", "text", "The referral's id (default: V2-<date>)."),
             Param("reason", "text", "Why return is inconvenient (long residence, a family "
                   "in China, illness), if not marriage.")),
            effect="record_referral", asked="a referral to the DPRK side",
            phrase=lambda r: "referred to the DPRK side: return indeed inconvenient (V2)"),
    Trigger("consulate_reply", ("referred",), None, ("foreign-affairs",),
            (_g("reply_given", "V2"),), ("V2",), "Record the DPRK side's reply.",
            (Param("reply", "choice", "The DPRK side's reply.", REPLY),),
            effect="record_consulate_reply", asked="the DPRK side's reply",
            phrase=lambda r: f"the DPRK side replied: {_said(r, 'reply')}"),
    Trigger("grant_residency", ("referred",), "resident", ("foreign-affairs",),
            (_g("is_dprk_citizen", "V2"), _g("consulate_agreed", "V2")), ("V2", "V3"),
            "Let the person go on residing in China: the DPRK side approved.",
            asked="residency",
            phrase=lambda r: "the DPRK side approved: may go on residing in China (V2; V3: "
                             "may be mobilised to return later)"),
    Trigger("resume_persuasion", ("referred",), "persuading", ("foreign-affairs",),
            (_g("consulate_declined", "V2"),), ("V1", "V2"),
            "Return to persuasion: the DPRK side did not approve.",
            effect="reopen_persuasion", asked="resuming persuasion",
            phrase=lambda r: "the DPRK side did not approve: persuasion resumed (V1)"),
    Trigger("amend", ("detained", "investigated", "persuading", "referred"), None,
            ("county-officer",), (_g("correction_given"),), ("V1",),
            "Correct a fact of the case; the old value stays in the audit trail.",
            (Param("field", "fact", "The fact to correct.", tuple(f.name for f in FACTS)),
             Param("value", "fact-value", "The corrected value (empty clears an optional fact)."),
             Param("reason", "text", "Why the fact is corrected.")),
            effect="apply_correction", asked="a correction",
            phrase=lambda r: f"{_said(r, 'field')} corrected: {_said(r, 'reason')}"),
)

STATES: tuple[State, ...] = (
    State("detained", "confined on arrival (V4: an illegal crossing)", ("V1", "V4"), initial=True),
    State("investigated", "situation investigated, citizenship determined", ("V1",)),
    State("persuading", "being persuaded to return", ("V1",)),
    State("referred", "referred to the DPRK side: return indeed inconvenient", ("V2",)),
    State("resident", "the DPRK side approved: goes on residing in China (V3: may be "
          "mobilised to return)", ("V2", "V3"), terminal=True),
    State("returned", "sent back to the DPRK side", ("V1",), terminal=True),
)

SETTINGS = (
    Setting("consulate", "Consulate General of the DPRK in Changchun", "text",
            "The DPRK side a referral goes to (in 1957 the Consulate General in Shenyang, "
            "closed in February 1960: one setting serves every policy of the database).",
            ("V2",), high=200),
)

WORDS = Words(
    register_heading=lambda count: f"Names of the border crossers recorded (V1): {count}",
    list_heading=lambda list_id, consulate, count: f"Referral {list_id} (V2), to the "
                                                    f"{consulate}: {count} person(s)",
    entry=lambda row: [f"crossed {row['crossed_on']} at {row['place']}"],
    manifest_heading=lambda group, count: f"Handover group {group['id']}, {group['at']}: "
                                          f"{count} person(s) sent back (V1)",
    manifest_person=lambda p: f"{p['position']:>3}. {p['name']}, case {p['case_id']} (V1)",
    database="Cases of border crossers run through the views of 17 December 1957.",
)

POLICY = Policy(
    id="mfa-mps-1957-12-17", version="1",
    title="Views of 17 December 1957 on ethnic Koreans crossing the border",
    source=SOURCE, called="the views", clauses=CLAUSES, states=STATES, triggers=TRIGGERS,
    settings=SETTINGS, facts=FACTS, roles=ROLES, guards=GUARDS, effects=EFFECTS,
    derived=DERIVED,
    view_counts=(Count("attempts", "attempts"), LatestField("latest_outcome", "attempts",
                                                            "outcome")),
    summaries=("place",),
    register=("crossed_on", "place", "citizenship", "purpose", "spouse", "accompanies"),
    shown=("attempts",), words=WORDS,
    example_actors={"county-officer": "Zhao", "border-defence": "Kim", "foreign-affairs": "Liu",
                    "provincial-committee": "Wang", "public-security": "Sun"},
    example_at="1958-03-01", effective="1957-12-17",
    readings="docs/policies/mfa-mps-1957-12-17.md",
)
