"""Datasette on a crossings database: metadata for every table, view and column, and the
policy's clause texts, so a reader browsing the file knows what each thing means.

The tables' descriptions are the store's; the views' columns that hold a policy's facts
are described in the policy's own words (each fact's help). Datasette is an optional extra
(``pip install 'crossings[browse]'``); it is imported only when ``crossings browse`` runs.
:func:`metadata` needs nothing but the standard library.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from workflow import Policy, WorkflowError
from workflow.queries import Count, LatestField

INSTALL = "Datasette is not installed: pip install 'crossings[browse]' (or pip install datasette)"

_CASE = "The case (one person): id in the cases table."
_SEQ = "Position of the event in the hash-chained audit trail."
_AT = "The event's own date, not when a clerk typed it."
_NAME = "Name as recorded (romanised)."
_NATIVE = "Name in the person's own script (Hangul, Hanja)."
_RECORDED = "When it was recorded (clock time, UTC)."

Table = tuple[str, str, dict[str, str]]


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
    words = {f.name: f.help for f in policy.facts}
    words.update({d.name: d.help for d in policy.derived})
    for column in policy.view_counts:
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
    timeline = {"seq": _SEQ, "case_id": _CASE, "name": _NAME, "native_name": _NATIVE,
                "at": _AT, "actor": "Who acted.", "role": "The actor's role.",
                "trigger": "What was asked.", "outcome": "applied or refused.",
                "from_state": "State before.", "to_state": "State after.", "clauses": clauses,
                "reason": "Why it was refused.", "note": "The note kept with the event.",
                "source": "The document the event rests on.", "group_id": "Group, if any.",
                "recorded_at": _RECORDED}
    views: dict[str, Table] = {
        "case_timeline": ("Case timelines", "Every case event in order, with the clauses "
                          "cited: what `crossings show CASE --timeline` prints.", timeline),
        "open_cases": ("Open cases", "Cases not yet in a terminal state, with the facts that "
                       "decide what comes next.", {
                           "case_id": _CASE, "state": "Current state.", "name": _NAME,
                           "native_name": _NATIVE, "flagged": "1 while the case carries a flag.",
                           "opened_on": "Date the case was opened.",
                           **{n: facts[n] for n in policy.column_facts()},
                           **{c.name: facts[c.name] for c in policy.view_counts}}),
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


def metadata(db_path: str, policy: Policy) -> dict[str, Any]:
    """Datasette metadata: titles and descriptions of every table, view and column."""
    tables: dict[str, dict[str, Any]] = {
        name: {"title": title, "description": text, "columns": columns,
               "hidden": name.startswith("_")}
        for name, (title, text, columns) in _tables(policy).items()}
    return {
        "title": f"crossings: the {policy.title}",
        "description_html": clauses_html(policy),
        "source": policy.source,
        "databases": {Path(db_path).stem: {
            "description": policy.words.database if policy.words else policy.title,
            "tables": tables,
        }},
    }


def app(db_path: str, policy: Policy) -> Any:
    """A Datasette instance on the file, with :func:`metadata`."""
    try:
        from datasette.app import Datasette
    except ImportError:
        raise WorkflowError(INSTALL) from None
    return Datasette([db_path], metadata=metadata(db_path, policy))


def serve(db_path: str, policy: Policy, host: str, port: int) -> None:
    """Serve the file with Datasette until interrupted."""
    instance = app(db_path, policy)
    import uvicorn

    uvicorn.run(instance.app(), host=host, port=port, log_level="warning")
