"""Datasette on a crossings database: metadata for every table, view and column, and the
cable's clause texts, so a reader browsing the file knows what each thing means.

Datasette is an optional extra (``pip install 'crossings[browse]'``); it is imported only
when ``crossings browse`` runs. :func:`metadata` needs nothing but the standard library.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from workflow import CLAUSES, JILIN_1961, WorkflowError
from workflow.clauses import SOURCE

INSTALL = "Datasette is not installed: pip install 'crossings[browse]' (or pip install datasette)"

_CASE = "The case (one person): id in the cases table."
_SEQ = "Position of the event in the hash-chained audit trail."
_AT = "The event's own date (1961), not when a clerk typed it."
_CLAUSES = "Clause ids of the cable cited by the event (P1-P5, W1-W3, T, G)."
_NAME = "Name as recorded (romanised)."
_NATIVE = "Name in the person's own script (Hangul, Hanja)."
_CROSSED = "Crossing date as known: YYYY, YYYY-MM, YYYY-MM-DD or a range A/B."
_PLACE = "Where the person crossed or was found."

TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    "cases": ("Cases", "One row per border crosser: the state the cable's clauses have moved "
              "them to, and every fact recorded (JSON).", {
                  "id": "Case id.", "state": "Current state (see the policy's states).",
                  "version": "How many applied events have changed the case.",
                  "name": _NAME, "native_name": _NATIVE,
                  "facts": "Every fact of the case as JSON: crossing, citizenship, purpose, "
                           "spouse, crime, attempts, provisions, referral, reply, guidance.",
                  "flagged": "1 while a guidance request (G) is open.",
                  "opened_on": "Date of detention (W2, P1).",
                  "updated_at": "When the row was last written (clock time)."}),
    "actors": ("Actors", "The people who act, each with one role of the cable.", {
        "name": "Actor's name.", "role": "county-officer, border-defence, foreign-affairs, "
        "provincial-committee or public-security.", "added_at": "When registered (clock time)."}),
    "settings": ("Settings", "Policy settings in force (short period, cut-off, consulate, "
                 "referral reply days); defaults apply where none is stored.", {
                     "name": "Setting name.", "value": "Its value, as JSON."}),
    "audit": ("Audit trail", "Every event, applied or refused, with the clauses behind it; "
              "each row is chained to the previous one by sha256.", {
                  "seq": _SEQ, "case_id": _CASE + " Empty for set-up rows.",
                  "case_version": "The case's version the event was decided on.",
                  "trigger": "What was asked (a trigger of the policy, or a set-up step).",
                  "source": "State before.", "target": "State after.",
                  "outcome": "applied or refused.", "actor": "Who acted.",
                  "role": "The actor's role.", "at": _AT,
                  "recorded_at": "When it was recorded (clock time, UTC).",
                  "given": "The options given, as JSON.",
                  "changes": "Facts changed, as JSON {fact: [before, after]}.",
                  "clauses": _CLAUSES + " As JSON.",
                  "guards": "Each guard checked: passed, reason, facts read (JSON).",
                  "reason": "Why it was refused.", "group_id": "Handover group, if any.",
                  "request_id": "Retry key given by the clerk.",
                  "policy": "Policy id.", "policy_version": "Policy version.",
                  "prev_hash": "Hash of the previous row.", "hash": "sha256 of this row."}),
    "handover_groups": ("Handover groups", "Each group turned over to Korea (P1): date, "
                        "crossing point, the Korean representative.", {
                            "id": "Group id.", "at": "Date of the handover.",
                            "crossing_point": "Where the group crossed back.",
                            "representative": "The Korean border-defence representative.",
                            "officer": "The border-defence officer who handed it over.",
                            "case_ids": "The cases in the group, as JSON.", "note": "A note."}),
    "requests": ("Retried requests", "Results of commands given a --request-id, so a retry "
                 "writes nothing new.", {"request_id": "The retry key.",
                                         "result": "What the first attempt did (JSON)."}),
    "report_months": ("Counts by month", "Kept by triggers on the audit trail, for `crossings "
                      "report summary --by month` (verify recounts them).", {
                          "month": "Month of the events' own dates (YYYY-MM).",
                          "state": "The state the events moved a case into ('' for events "
                                   "that moved none).",
                          "entered": "Applied events that moved a case into the state.",
                          "refused": "Refused events."}),
    "report_clauses": ("Counts by clause", "Kept by triggers on the audit trail, for "
                       "`crossings report summary --by clause` (verify recounts them).", {
                           "clause": "Clause id (P1-P5, W1-W3, T, G).",
                           "applied": "Applied events citing it.",
                           "refused": "Refused events citing it.",
                           "cases": "Cases with at least one event citing it."}),
    "report_clause_cases": ("Cases by clause", "Which case has cited which clause (kept by "
                            "triggers; counts the cases of report_clauses).", {
                                "case_id": _CASE, "clause": "A clause id the case's events "
                                                            "cite."}),
    "_sqlite_migrations": ("Schema migrations", "Which schema migrations have run "
                           "(sqlite-utils).", {"id": "Row id.", "migration_set": "Set name.",
                                               "name": "Migration name.",
                                               "applied_at": "When it ran."}),
    "case_timeline": ("Case timelines", "Every case event in order, with the clauses cited: "
                      "what `crossings show CASE --timeline` prints.", {
                          "seq": _SEQ, "case_id": _CASE, "name": _NAME, "native_name": _NATIVE,
                          "at": _AT, "actor": "Who acted.", "role": "The actor's role.",
                          "trigger": "What was asked.", "outcome": "applied or refused.",
                          "from_state": "State before.", "to_state": "State after.",
                          "clauses": _CLAUSES, "reason": "Why it was refused.",
                          "group_id": "Handover group, if any.",
                          "recorded_at": "When it was recorded (clock time, UTC)."}),
    "open_cases": ("Open cases", "Cases not yet in a terminal state, with the facts that "
                   "decide what comes next.", {
                       "case_id": _CASE, "name": _NAME, "native_name": _NATIVE,
                       "state": "Current state.", "flagged": "1 while guidance (G) is awaited.",
                       "opened_on": "Date of detention.", "crossed_on": _CROSSED,
                       "place": _PLACE, "citizenship": "dprk, prc-korean-minority or other.",
                       "purpose": "visiting-relatives (P2) or other.",
                       "spouse": "chinese-korean (P3), other or none.",
                       "investigated_on": "Date of investigation (P2's short period runs "
                                          "from it).",
                       "attempts": "Persuasion attempts recorded.",
                       "refusals": "Attempts refused (P3 needs three; T one).",
                       "latest_outcome": "Outcome of the latest attempt.",
                       "provisions": "Food and clothing provisions recorded (W3).",
                       "open_guidance": "Guidance requests with no answer (G)."}),
    "refusals": ("Refusals", "Every refused event: what was asked, by whom, and the clause "
                 "that refused it.", {
                     "seq": _SEQ, "case_id": _CASE + " Empty for a refused opening.",
                     "name": _NAME, "at": _AT, "actor": "Who asked.", "role": "Their role.",
                     "trigger": "What was asked.", "state": "The case's state at the time.",
                     "clauses": "Clause ids of the checks that failed.",
                     "reason": "Why it was refused.", "group_id": "Handover group, if any.",
                     "recorded_at": "When it was recorded (clock time, UTC)."}),
    "handovers": ("Handovers, person by person", "One row per person in each handover group "
                  "(the table handover_groups has one row per group).", {
                      "group_id": "Handover group.", "at": "Date of the handover.",
                      "crossing_point": "Where the group crossed back.",
                      "representative": "The Korean border-defence representative.",
                      "officer": "The border-defence officer.", "note": "A note.",
                      "position": "Order in the group.", "case_id": _CASE, "name": _NAME,
                      "native_name": _NATIVE, "crossed_on": _CROSSED, "place": _PLACE,
                      "purpose": "visiting-relatives (P2) or other (P1).",
                      "accompanies": "The case this person travelled with."}),
    "name_list": ("P3 name lists", "Every person put on a name list for the provincial "
                  "Foreign Affairs Office, to be reported to the Korean Consulate General (P3).", {
                      "list": "The name list's id.", "referred_on": "Date of referral.",
                      "seq": _SEQ, "case_id": _CASE, "name": _NAME, "native_name": _NATIVE,
                      "crossed_on": _CROSSED, "place": _PLACE,
                      "spouse": "chinese-korean: married to a Chinese citizen of Korean "
                                "nationality.",
                      "attempts": "Persuasion attempts by the referral date.",
                      "refusals": "Of them, refused (P3: three).",
                      "consulate": "Where the list is reported (setting `consulate`).",
                      "state": "The case's state now."}),
}


def clauses_html() -> str:
    """The cable's clauses, each id with its words, as an HTML definition list."""
    items = "".join(f"<dt>{cid}</dt><dd>{html.escape(c.words)}</dd>" for cid, c in CLAUSES.items())
    return f"<p>{html.escape(SOURCE)}</p><dl>{items}</dl>"


def metadata(db_path: str) -> dict[str, Any]:
    """Datasette metadata: titles and descriptions of every table, view and column."""
    tables: dict[str, dict[str, Any]] = {
        name: {"title": title, "description": text, "columns": columns,
               "hidden": name.startswith("_")}
        for name, (title, text, columns) in TABLES.items()}
    return {
        "title": f"crossings: the {JILIN_1961.title}",
        "description_html": clauses_html(),
        "source": "Wilson Center Digital Archive, PRC FMA 118-00948-02 (tr. David Cowhig)",
        "databases": {Path(db_path).stem: {
            "description": "Cases of North Korean border crossers in Changbai County, run "
                           "through the cable's clauses, with the audit trail of every step.",
            "tables": tables,
        }},
    }


def app(db_path: str) -> Any:
    """A Datasette instance on the file, with :func:`metadata`."""
    try:
        from datasette.app import Datasette
    except ImportError:
        raise WorkflowError(INSTALL) from None
    return Datasette([db_path], metadata=metadata(db_path))


def serve(db_path: str, host: str, port: int) -> None:
    """Serve the file with Datasette until interrupted."""
    instance = app(db_path)
    import uvicorn

    uvicorn.run(instance.app(), host=host, port=port, log_level="warning")
