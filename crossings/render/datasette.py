"""Datasette on a crossings database: metadata for every table, view and column, and the
policy's clause texts, so a reader browsing the file knows what each thing means.

The tables' descriptions are the store's; the views' columns that hold a policy's facts
are described in the policy's own words (each fact's help). Only the standard library here:
Datasette itself (an optional extra) is met in ``crossings.reading_room``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from workflow import Policy
from workflow.policies import CATALOGUE
from workflow.queries import Count, LatestField

_CASE = "The case (one person): id in the cases table."
_SEQ = "Position of the event in the hash-chained audit trail."
_AT = "The event's own date, not when a clerk typed it."
_NAME = "Name as recorded (romanised)."
_NATIVE = "Name in the person's own script (Hangul, Hanja)."
_RECORDED = "When it was recorded (clock time, UTC)."

Table = tuple[str, str, dict[str, str]]
INTERNAL = ("_", "report_")  # tables a reader need not see: migrations, the kept counts


def _tables(policy: Policy) -> dict[str, Table]:
    clauses = f"Clause ids cited by the event ({', '.join(policy.clauses)})."
    return {
        "cases": ("Cases", "One row per person: the state the policy's clauses have moved "
                  "them to, and every fact recorded (JSON).", {
                      "id": "Case id.", "state": "Current state (see the policy's states).",
                      "version": "How many applied events have changed the case.",
                      "name": _NAME, "native_name": _NATIVE,
                      "facts": "Every fact of the case as JSON.",
                      "flagged": "1 while the case carries a flag ("
                                 + "; ".join(f.help for f in policy.flags) + ")",
                      "opened_on": "Date the case was opened.",
                      "updated_at": "When the row was last written (clock time).",
                      "policy": "The policy the case is handled under (id@version)."}),
        "actors": ("Actors", "The people who act, each with one role and the public key "
                   "that proves it is them (the trail registers both).", {
                       "name": "Actor's name.",
                       "folded": "The name folded (NFKC, case): look-alike names are one name.",
                       "role": ", ".join((*policy.roles, "administrator")) + ".",
                       "public_key": "The actor's Ed25519 public key, OpenSSH form.",
                       "added_at": "When registered (clock time).",
                       "retired_at": "When retired: no commands after it."}),
        "settings": ("Settings", "Policy settings in force; defaults apply where none is "
                     "stored.", {"name": "Setting name.", "value": "Its value, as JSON."}),
        "audit": ("Audit trail", "Every event, applied or refused, with the clauses behind it; "
                  "each row is chained to the previous one by sha256.", {
                      "seq": _SEQ, "case_id": _CASE + " Empty for set-up rows.",
                      "case_version": "The case's version the event was decided on.",
                      "trigger": "What was asked (a trigger of the policy, or a set-up step).",
                      "from_state": "State before.", "to_state": "State after.",
                      "outcome": "applied or refused.", "actor": "Who acted.",
                      "role": "The actor's role.", "at": _AT, "recorded_at": _RECORDED,
                      "given": "The options given, as JSON.",
                      "changes": "Facts changed, as JSON {fact: [before, after]}.",
                      "clauses": clauses + " As JSON.",
                      "guards": "Each guard checked: passed, reason, facts read (JSON).",
                      "reason": "Why it was refused.",
                      "refused_by": "role, guard, or group (refused because of others).",
                      "group_id": "Group, if any.",
                      "request_id": "Retry key given by the clerk; a retry finds its rows.",
                      "policy": "Policy id.", "policy_version": "Policy version.",
                      "prev_hash": "Hash of the previous row.", "hash": "sha256 of this row.",
                      "signature": "The actor's Ed25519 signature of the row (base64)."}),
        "report_months": ("Counts by month", "Kept by triggers on the audit trail, for "
                          "`crossings report summary --by month` (verify recounts them).", {
                              "month": "Month of the events' own dates (YYYY-MM).",
                              "state": "The state the events moved a case into ('' for "
                                       "events that moved none).",
                              "entered": "Applied events that moved a case into the state.",
                              "refused": "Refused events."}),
        "report_clauses": ("Counts by clause", "Kept by triggers on the audit trail, for "
                           "`crossings report summary --by clause` (verify recounts them).", {
                               "clause": "Clause id.", "applied": "Applied events citing it.",
                               "refused": "Refused events citing it.",
                               "cases": "Cases with at least one event citing it."}),
        "report_clause_cases": ("Cases by clause", "Which case has cited which clause (kept "
                                "by triggers; counts the cases of report_clauses).", {
                                    "case_id": _CASE, "clause": "A clause id the case's "
                                                                "events cite."}),
        "_sqlite_migrations": ("Schema migrations", "Which schema migrations have run "
                               "(sqlite-utils).", {"id": "Row id.", "migration_set": "Set name.",
                                                   "name": "Migration name.",
                                                   "applied_at": "When it ran."}),
        "case_names": ("Names", "Every name of every case (name, native name, aliases), "
                       "folded and keyed for `crossings search`; kept with the cases.", {
                           "id": "Row id.", "case_id": _CASE,
                           "field": "Which fact the name is: name, native_name or aliases.",
                           "name": "The name as recorded.",
                           "folded": "The name folded (NFKC, case, spacing).",
                           "key": "Its romanisation key: the spelling variants of a Korean "
                                  "name share it (Choe, Choi, Ch'oe: joe).",
                           "squashed": "The key without spaces."}),
        **_search_tables(),
        **_views(policy, clauses),
    }


def _search_tables() -> dict[str, Table]:
    """The full-text index of case_names (SQLite FTS5, trigram) and its own tables."""
    out: dict[str, Table] = {"case_names_fts": (
        "Name search index", "SQLite FTS5 (trigram) over case_names: any three characters "
        "of a name or of its key, in any script.", {"folded": "The name folded.",
                                                     "squashed": "Its key without spaces."})}
    kept = "Kept by SQLite FTS5 for case_names_fts: its own bookkeeping."
    parts = {"data": ("id", "block"), "idx": ("segid", "term", "pgno"), "config": ("k", "v")}
    for part, columns in parts.items():
        out[f"case_names_fts_{part}"] = (f"Name search index ({part})", kept,
                                         dict.fromkeys(columns, "FTS5's own column."))
    return out


def _fact_words(policy: Policy) -> dict[str, str]:
    """The words of every fact and count a view shows: POLICY's, then those of the other
    policies the database may hold (the views are written from them all)."""
    words: dict[str, str] = {}
    for known in (*CATALOGUE.policies, policy):
        words.update({f.name: f.help for f in known.facts})
        words.update({d.name: d.help for d in known.derived})
    for column in CATALOGUE.view_counts:
        of = words.get(column.entries, column.entries)
        if isinstance(column, LatestField):
            words[column.name] = f"The {column.field} of the latest entry of: {of}"
        elif isinstance(column, Count):
            which = "" if column.field is None else (
                f" with no {column.field}" if column.value is None else
                f" whose {column.field} is {column.value}")
            words[column.name] = f"Entries{which} of: {of}"
    return words


def _views(policy: Policy, clauses: str) -> dict[str, Table]:
    facts = _fact_words(policy)
    timeline = {"seq": _SEQ, "case_id": _CASE,
                "name": "The name this event recorded (at the opening, or a correction); "
                        "empty where it recorded none: the name as it stood from then on.",
                "native_name": "The name in the person's own script this event recorded, "
                               "if any (as it stood from then on).",
                "at": _AT, "actor": "Who acted.", "role": "The actor's role.",
                "trigger": "What was asked.", "outcome": "applied or refused.",
                "from_state": "State before.", "to_state": "State after.", "clauses": clauses,
                "reason": "Why it was refused.", "note": "The note kept with the event.",
                "source": "The document the event rests on.", "group_id": "Group, if any.",
                "recorded_at": _RECORDED,
                "voided_by": "The void event that retracts this one, if it was entered in "
                             "error."}
    views: dict[str, Table] = {
        "case_timeline": ("Case timelines", "Every case event in order, with the clauses "
                          "cited: what `crossings show CASE --timeline` prints.", timeline),
        "sources": ("Sources", "Every document cited by an event (its source), with how "
                    "many events and cases rest on it: what `crossings sources` lists.", {
                        "source": "The document cited (archive, file, page).",
                        "events": "Events that cite it.", "cases": "Cases those events belong to.",
                        "first_at": "The earliest of those events' own dates.",
                        "last_at": "The latest of those events' own dates."}),
        "case_facts": ("Cases, fact by fact", "One row per person, every fact a column (the "
                       "cases table keeps them as JSON).", {
                           "case_id": _CASE, "state": "Current state.", "name": _NAME,
                           "native_name": _NATIVE, "policy": "The policy the case is handled "
                                                             "under (id@version).",
                           "flagged": "1 while the case carries a flag.",
                           "opened_on": "Date the case was opened.",
                           **{n: facts[n] for n in CATALOGUE.column_facts()},
                           **{c.name: facts[c.name] for c in CATALOGUE.view_counts}}),
        "clauses": ("Clauses", f"Each clause of {policy.called}, in its own words, and "
                    "the policy that encodes it: every clause id elsewhere links here.", {
                        "id": "Clause id.", "policy": "The policy (id@version).",
                        "summary": "The clause in a sentence.",
                        "words": f"{policy.called.capitalize()}'s own words."}),
        "open_cases": ("Open cases", "Cases not yet in a terminal state, with the facts that "
                       "decide what comes next.", {
                           "case_id": _CASE, "state": "Current state.", "name": _NAME,
                           "native_name": _NATIVE, "flagged": "1 while the case carries a flag.",
                           "opened_on": "Date the case was opened.",
                           **{n: facts[n] for n in CATALOGUE.column_facts()},
                           **{c.name: facts[c.name] for c in CATALOGUE.view_counts}}),
        "refusals": ("Refusals", "Every refused event: what was asked, by whom, and the "
                     "clause that refused it.", {
                         **{k: timeline[k] for k in ("seq", "name", "at", "actor", "role",
                                                     "trigger", "reason", "group_id",
                                                     "recorded_at")},
                         "case_id": _CASE + " Empty for a refused opening.",
                         "state": "The case's state at the time.",
                         "clauses": "Clause ids of the checks that failed."}),
    }
    for trigger in policy.triggers:
        if trigger.group is None:
            continue
        given = {p.name: p.help for p in trigger.params}
        name = trigger.group.view
        views[f"{name}_groups"] = (f"{name.title()} groups", f"Each group of {trigger.name} "
                                   f"({', '.join(trigger.clauses)}), from the audit trail.", {
                                       "id": "Group id.", "at": "Date.", **given,
                                       "officer": "Who fired it.", "note": "A note.",
                                       "case_ids": "The cases in the group, as JSON."})
        views[f"{name}s"] = (f"{name.title()}s, person by person", f"One row per person in "
                             f"each group (the view {name}_groups has one row per group).", {
                                 "group_id": "Group.", "at": "Date.", **given,
                                 "officer": "Who fired it.", "note": "A note.",
                                 "position": "Order in the group.", "case_id": _CASE,
                                 "name": _NAME, "native_name": _NATIVE,
                                 **{n: facts[n] for n in trigger.group.facts}})
    if policy.name_list is not None:
        spec = policy.name_list
        views["name_list"] = ("Name lists", f"Every person put on a list by {spec.trigger}.", {
            "list": "The list's id.", spec.on: "Date put on the list.", "seq": _SEQ,
            "case_id": _CASE, "name": _NAME, "native_name": _NATIVE,
            **{n: facts[n] for n in spec.facts}, spec.entries: f"{facts.get(spec.entries, spec.entries)} By that date.",
            spec.counted_as: f"Of them, those whose {spec.counted[0]} is {spec.counted[1]}.",
            spec.to_field: "Where the list is sent (a setting).",
            "state": "The case's state now."})
    return views


def clauses_html(policy: Policy) -> str:
    """The policy's clauses, each id with its words, as an HTML definition list."""
    items = "".join(f"<dt>{cid}</dt><dd>{html.escape(c.words)}</dd>"
                    for cid, c in policy.clauses.items())
    return f"<p>{html.escape(policy.source)}</p><dl>{items}</dl>"


def database_metadata(policy: Policy) -> dict[str, Any]:
    """One crossings database's metadata: its description, every table, view and column
    (internal tables hidden; a case's events label their case by its name)."""
    tables: dict[str, dict[str, Any]] = {
        name: {"title": title, "description": text, "columns": columns,
               "hidden": name.startswith(INTERNAL)}
        for name, (title, text, columns) in _tables(policy).items()}
    tables["cases"]["label_column"] = "name"
    return {"description": policy.words.database if policy.words else policy.title,
            "tables": tables}


def instance_metadata(policy: Policy) -> dict[str, Any]:
    """The site's title, a short description for its index page, and the source."""
    intro = (f"<p>Every person is a case, moved through the states of {html.escape(policy.called)} "
             "only as its clauses allow; every step, applied or refused, is an event of a "
             "signed, hash-chained audit trail that cites its clauses and its source. Start "
             "with the cases, or a case's page (follow its id).</p>")
    return {"title": f"crossings: the {policy.title}", "description_html": intro,
            "source": policy.source}


def reading_order(policy: Policy) -> list[dict[str, str]]:
    """The tables and views a reader starts from, in that order, with their titles and
    descriptions (the reading room's index page)."""
    described = _tables(policy)
    first = ["case_facts", "case_timeline", "sources", "clauses", "refusals", "open_cases"]
    rest = [n for n in described if n not in first and not n.startswith(INTERNAL)]
    return [{"name": n, "title": described[n][0], "description": described[n][1]}
            for n in [*first, *rest] if n in described]


def metadata(db_path: str, policy: Policy) -> dict[str, Any]:
    """Datasette metadata for ``datasette serve FILE -m``: keyed, as Datasette keys a
    database, by FILE's stem (the reading room plugin needs no file: it describes each
    crossings database by the name Datasette gave it)."""
    return {**instance_metadata(policy), "description_html": clauses_html(policy),
            "databases": {Path(db_path).stem: database_metadata(policy)}}
