"""The cable as a table: states, triggers, settings, and what its reports ask for.

``POLICY`` is ``docs/policy.md``'s table, version 2. Every state, trigger and guard cites
clause ids of ``clauses.py``; every trigger carries its help example, the words of a refusal
of it, and the phrase a timeline says of it.
"""

from __future__ import annotations

from typing import Any, Mapping

from workflow.policy import (
    EVERY_OPEN_STATE,
    Flag,
    Group,
    GuardSpec,
    Param,
    Setting,
    State,
    Trigger,
)
from workflow.queries import Count, Entries, Late, LatestField, LatestWithout, NameList, Section, Where
from workflow.table import Policy

from . import phrases as say
from .clauses import CLAUSES, SOURCE
from .effects import EFFECTS
from .facts import (
    DERIVED,
    FACTS,
    ITEMS,
    OUTCOME,
    REFUSED,
    REPLY,
    VISITING,
    fact,
    open_guidance,
)
from .guards import GUARDS

ROLES = (
    "county-officer",
    "border-defence",
    "foreign-affairs",
    "provincial-committee",
    "public-security",
)
ANY_ROLE = ROLES


def _g(name: str, *clauses: str) -> GuardSpec:
    return GuardSpec(name, tuple(clauses))


def _member_clause(facts: Mapping[str, Any]) -> str:
    """A person handed over: a visitor sent back (P2), or returned (P1)."""
    return "P2" if facts.get("purpose") == VISITING else "P1"


NO_CRIME = _g("no_crime_recorded", "P5")
PERSUASION_SOURCES = ("persuading",)

TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "open", (), "detained", ("county-officer",), (_g("name_recorded", "W2", "P1"),),
        ("W2", "P1"), "Detain a border crosser and record name and crossing.",
        (
            fact("name", required=True),
            fact("native_name"),
            fact("crossed_on", required=True),
            fact("place", required=True),
            fact("accompanies"),
            fact("alias", sets_fact=False),  # kept as the list aliases by record_opening
        ),
        effect="record_opening", opens=True,
        example="--name 'Choe Myong-ok' --native-name 최명옥 --alias 崔明玉 --crossed-on 1961-03 "
                "--place Badaogou",
        asked="detention", phrase=say.opened,
    ),
    Trigger(
        "investigate", ("detained",), "investigated", ("county-officer",),
        (_g("name_recorded", "P1"), _g("citizenship_determined", "P1")),
        ("P1",), "Record the investigation and the citizenship determined.",
        (fact("citizenship"), fact("purpose"), fact("purpose_note"), fact("spouse"), fact("crime")),
        effect="record_investigation",
        example="--citizenship dprk --purpose other --spouse chinese-korean",
        asked="investigation", phrase=say.investigated,
    ),
    Trigger(
        "restore_citizenship", ("investigated",), "restored", ("county-officer",),
        (_g("is_korean_minority", "P4"),), ("P4",),
        "Restore the Chinese citizenship of a member of the Korean minority.",
        asked="restoring citizenship",
        phrase=lambda r: "educated, and Chinese citizenship restored",
    ),
    Trigger(
        "begin_persuasion", ("investigated",), "persuading", ("county-officer",),
        (_g("is_dprk_citizen", "P1"), NO_CRIME), ("P1", "W2"),
        "Begin persuading a DPRK citizen, through education, to return.",
        asked="beginning persuasion", phrase=lambda r: "persuasion through education begun",
    ),
    Trigger(
        "persuade", PERSUASION_SOURCES, None, ("county-officer",),
        (_g("outcome_given", "P1", "W2"),), ("P1", "W2", "P3"),
        "Record one persuasion attempt actually held, and its outcome.",
        (
            Param("outcome", "choice", "What the person answered.", OUTCOME),
            Param("method", "text", "How the session was held (W2: no rude treatment)."),
        ),
        effect="record_attempt", example="--outcome refused --method 'talk with family present'",
        asked="a persuasion attempt", phrase=say.persuaded,
    ),
    Trigger(
        "provide", ("persuading", "referred"), None, ("county-officer",),
        (_g("items_given", "W3"),), ("W3",),
        "Record food and clothing provided to a person persuasion has not moved.",
        (Param("items", "items", "What was provided, comma-separated.", ITEMS),),
        effect="record_provision", example="--items food,clothing",
        asked="provision of food or clothing",
        phrase=lambda r: "provided " + " and ".join(say.given(r, "items") or []),
    ),
    Trigger(
        "hand_over", PERSUASION_SOURCES, "returned", ("border-defence",),
        (_g("is_dprk_citizen", "P1"), NO_CRIME, _g("ready_for_return", "P1", "P2")),
        ("P1", "P2"), "Turn a group over to the Korean border-defence representative.",
        (
            Param("representative", "name", "The Korean border-defence representative.",
                  required=True),
            Param("crossing_point", "text", "Where the group is handed over.", required=True),
        ),
        effect="record_handover",
        group=Group(("P1",), "the group handover was refused because of case(s) {cases} (P1: "
                    "all or nothing)", _member_clause, "handover",
                    ("crossed_on", "place", "purpose", "accompanies"),
                    "handover group {id}: case(s) {cases} returned at {crossing_point} on {at}"),
        example="--representative 'Ri Chol' --crossing-point 'Changbai-Hyesan bridge'",
        asked="handover to Korea", phrase=say.handed_over,
    ),
    Trigger(
        "refer", PERSUASION_SOURCES, "referred", ("county-officer",),
        (
            _g("is_dprk_citizen", "P3"),
            _g("married_to_chinese_korean", "P3"),
            _g("three_refusals", "P3"),
            NO_CRIME,
        ),
        ("P3",), "Put a married refuser on the name list for the Consulate General.",
        (Param("list", "text", "The name list's id (default: P3-<date>)."),),
        effect="record_referral", asked="the P3 name list", phrase=say.referred,
    ),
    Trigger(
        "consulate_reply", ("referred",), None, ("foreign-affairs",),
        (_g("reply_given", "P3"),), ("P3",), "Record the Consulate General's reply.",
        (Param("reply", "choice", "The consulate's reply.", REPLY),),
        effect="record_consulate_reply", example="--reply agreed",
        asked="the consulate's reply",
        phrase=lambda r: f"the Consulate General replied: {say.given(r, 'reply')}",
    ),
    Trigger(
        "grant_residency", ("referred",), "resident", ("foreign-affairs",),
        (_g("is_dprk_citizen", "P3"), _g("consulate_agreed", "P3"), NO_CRIME), ("P3", "P5"),
        "Handle as a foreign resident: Korea agreed.", asked="residency",
        phrase=lambda r: "Korea agreed: to be handled as a foreign resident",
    ),
    Trigger(
        "resume_persuasion", ("referred",), "persuading", ("foreign-affairs",),
        (_g("consulate_declined", "P3", "G"),), ("P3", "G"),
        "Return to persuasion after the consulate declined; guidance is requested.",
        effect="reopen_persuasion", asked="resuming persuasion",
        phrase=lambda r: ("the consulate declined: persuasion resumed, and Ministry "
                          "guidance requested"),
    ),
    Trigger(
        "approve_transfer", PERSUASION_SOURCES, None, ("provincial-committee",),
        (
            _g("is_dprk_citizen", "T"),
            _g("crossed_by_cutoff", "T"),
            _g("determined_not_to_return", "T"),
            NO_CRIME,
        ),
        ("T",), "Record the Provincial Committee's permission to transfer an early crosser.",
        effect="record_permission", asked="permission to transfer",
        phrase=lambda r: "the Provincial Party Committee permitted the transfer",
    ),
    Trigger(
        "transfer", PERSUASION_SOURCES, "transferred", ("public-security", "foreign-affairs"),
        (
            _g("is_dprk_citizen", "T"),
            _g("crossed_by_cutoff", "T"),
            _g("determined_not_to_return", "T"),
            NO_CRIME,
            _g("permission_recorded", "T"),
        ),
        ("T",), "Transfer to Public Security and Foreign Affairs (crossed in 1960 or earlier).",
        asked="transfer",
        phrase=lambda r: ("transferred to the Public Security Department and the Foreign "
                          "Affairs Department"),
    ),
    Trigger(
        "prosecute", ("investigated", "persuading", "referred"), "prosecuted",
        ("public-security",),
        (_g("is_dprk_citizen", "P5"), _g("crime_recorded", "P5")), ("P5",),
        "Hand a foreign citizen's crime to the law on foreigners' crimes.",
        asked="prosecution",
        phrase=lambda r: "handed over to the law on foreign citizens' crimes in China",
    ),
    Trigger(
        "request_guidance", EVERY_OPEN_STATE, None, ANY_ROLE, (_g("question_given", "G"),),
        ("G",), "Ask the Ministry of Foreign Affairs for guidance; flags the case.",
        (Param("question", "text", "The question put to the Ministry."),),
        effect="open_guidance_request",
        example="--question 'Married to a Han Chinese citizen: refer?'",
        asked="a guidance request",
        phrase=lambda r: f"Ministry guidance requested: {say.given(r, 'question')}",
    ),
    Trigger(
        "record_guidance", EVERY_OPEN_STATE, None, ("foreign-affairs",),
        (_g("guidance_requested", "G"), _g("answer_given", "G")), ("G",),
        "Record the Ministry's guidance; clears the flag.",
        (Param("answer", "text", "The guidance received."),),
        effect="answer_guidance", example="--answer 'Handle as P1.'",
        asked="recording guidance",
        phrase=lambda r: f"Ministry guidance recorded: {say.given(r, 'answer')}",
    ),
    Trigger(
        "amend", EVERY_OPEN_STATE, None, ("county-officer",), (_g("correction_given", "P1"),),
        ("P1",), "Correct a fact of the case; the old value stays in the audit trail.",
        (
            Param("field", "fact", "The fact to correct.", tuple(f.name for f in FACTS)),
            Param("value", "fact-value", "The corrected value (empty clears an optional fact)."),
            Param("reason", "text", "Why the fact is corrected."),
        ),
        effect="apply_correction",
        example="--field native_name --value 최명옥 --reason 'spelling in the register'",
        asked="a correction", phrase=say.amended,
    ),
)

STATES: tuple[State, ...] = (
    State("detained", "confined on arrival; name and crossing recorded", ("W2", "P1"),
          initial=True),
    State("investigated", "situation investigated, citizenship determined", ("P1",)),
    State("persuading", "being persuaded through education to return", ("P1", "W2", "W3")),
    State("referred", "on a name list for the Consulate General", ("P3",)),
    State("resident", "Korea agreed; handled as a foreign resident", ("P3",), terminal=True),
    State("returned", "turned over to Korea in a group handover", ("P1", "P2"), terminal=True),
    State("prosecuted", "handed to the law on foreign citizens' crimes", ("P5",), terminal=True),
    State("restored", "Chinese citizenship restored (Korean minority)", ("P4",), terminal=True),
    State("transferred", "transferred to Public Security and Foreign Affairs", ("T",),
          terminal=True),
)

SETTINGS: tuple[Setting, ...] = (
    Setting("short_period_days", 15, "int",
            "P2's 'short period': days from investigation to handover. An assumption: no "
            "source gives a number.", ("P2",), high=3650),
    Setting("transfer_cutoff", "1960-12-31", "date",
            "T's '1960 or earlier': the last crossing date that qualifies.", ("T",),
            low="1900-01-01", high="2099-12-31"),
    Setting("consulate", "Consulate General of the DPRK in Changchun", "text",
            "Where P3's name list is reported. The translation's '[in Shenyang]' is the "
            "translator's insertion; the DPRK closed that consulate in February 1960 and "
            "its Changchun Consulate General served Jilin in 1960-64.", ("P3",), high=200),
    Setting("referral_reply_days", 60, "int",
            "Days after a referral with no consulate reply before it is reported overdue.",
            ("P3",), high=3650),
)

SECTIONS: tuple[Section, ...] = (
    Section("visitors", "overdue", "P2", "visitor not sent back within {days} days",
            Late("investigated_on", "short_period_days", Where(equals=(("purpose", VISITING),)),
                 closed_late="sent back late")),
    Section("unanswered", "overdue", "P3", "no consulate reply {days} days after referral",
            Late("referral.at", "referral_reply_days",
                 Where(unset=("consulate_reply",), states=("referred",)))),
    Section("refusers", "compliance", "W3", "refuser with no food or clothing recorded",
            LatestWithout("attempts", "outcome", REFUSED, "provisions", ("persuading", "referred")),
            detail="{count} refusal(s), the latest on {since}; no food or clothing recorded"),
    Section("guidance", "compliance", "G", "open guidance request",
            Entries("guidance", "question", unset="answer")),
    Section("complaints", "compliance", "W2", "complaint of rude treatment",
            Entries("complaints", "text")),
)

POLICY = Policy(
    id="jilin-1961",
    # 2: grant_residency, approve_transfer and transfer check citizenship (G for 'other').
    version="2",
    effective="1961-11-25",
    formerly=("jilin-1961-11-25",),
    readings="docs/policy.md",
    title="Jilin Provincial Committee cable of 25 November 1961",
    source=SOURCE,
    called="the cable",
    clauses=CLAUSES,
    states=STATES,
    triggers=TRIGGERS,
    settings=SETTINGS,
    facts=FACTS,
    roles=ROLES,
    guards=GUARDS,
    effects=EFFECTS,
    derived=DERIVED,
    flags=(Flag("guidance-requested", lambda facts: bool(open_guidance(facts)),
                "A guidance request (G) waits for the Ministry's answer."),),
    sections=SECTIONS,
    view_counts=(
        Count("attempts", "attempts"),
        Count("refusals", "attempts", "outcome", REFUSED),
        LatestField("latest_outcome", "attempts", "outcome"),
        Count("provisions", "provisions"),
        Count("open_guidance", "guidance", "answer", None),
    ),
    name_list=NameList("refer", "referral", "list", "consulate",
                       ("crossed_on", "place", "spouse"), "attempts", ("outcome", REFUSED),
                       "refusals", "referred_on", "consulate_reply"),
    summaries=("place",),
    register=("crossed_on", "place", "citizenship", "purpose", "spouse", "accompanies"),
    shown=("attempts", "aliases"),
    words=say.WORDS,
    example_actors={"county-officer": "Zhao", "border-defence": "Kim", "foreign-affairs": "Liu",
                    "provincial-committee": "Wang", "public-security": "Sun"},
    example_at="1961-11-30",
)
