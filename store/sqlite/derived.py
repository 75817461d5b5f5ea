"""What the schema derives from the policies' declarations: the readers' views and the
report indexes.

Derived objects hold no data of their own: a migration drops and rewrites them all after
its own steps (:func:`recreate`), so a view that gains a column needs no step of its own,
only a new schema version. They are written from a :class:`workflow.catalogue.Catalogue`,
every policy a database may hold read as one; no policy's words are spelled out here.
"""

from __future__ import annotations

from typing import Any

from workflow.catalogue import Catalogue
from workflow.queries import Count, LatestField

from .reports import (NOT_VOIDED, VOIDED_BY, index_statements, name_list_index, sql_text,
                      summary_indexes)

_GENERIC_VIEWS = f"""
CREATE VIEW case_timeline AS
SELECT a.seq, a.case_id, a.at, a.actor, a.role, a.trigger, a.outcome,
       a.from_state, a.to_state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, json_extract(a.given, '$.note') AS note,
       json_extract(a.given, '$.source') AS source,
       json_extract(a.changes, '$.name[1]') AS name,
       json_extract(a.changes, '$.native_name[1]') AS native_name, a.group_id, a.recorded_at,
       {VOIDED_BY} AS voided_by
FROM audit AS a
WHERE a.case_id IS NOT NULL
ORDER BY a.case_id, a.seq;

CREATE VIEW sources AS
SELECT json_extract(given, '$.source') AS source, count(*) AS events,
       count(DISTINCT case_id) AS cases, min(at) AS first_at, max(at) AS last_at
FROM audit
WHERE json_extract(given, '$.source') IS NOT NULL
GROUP BY 1
ORDER BY 1;

CREATE VIEW refusals AS
SELECT a.seq, a.case_id, c.name, a.at, a.actor, a.role, a.trigger, a.from_state AS state,
       (SELECT group_concat(value, ', ') FROM json_each(a.clauses)) AS clauses,
       a.reason, a.group_id, a.recorded_at
FROM audit AS a LEFT JOIN cases AS c ON c.id = a.case_id
WHERE a.outcome = 'refused'
ORDER BY a.seq;
"""


def _fact(path: str, column: str = "facts", alias: str = "") -> str:
    return f"json_extract({alias}{column}, '$.{path}')"


def _fact_columns(facts: tuple[str, ...], alias: str = "") -> list[str]:
    return [f"{_fact(name, alias=alias)} AS {name}" for name in facts]


def _count(column: Count | LatestField) -> str:
    if isinstance(column, LatestField):
        return f"{_fact(f'{column.entries}[#-1].{column.field}')} AS {column.name}"
    if column.field is None:
        return f"coalesce(json_array_length(facts, '$.{column.entries}'), 0) AS {column.name}"
    test = (f"json_extract(value, '$.{column.field}') IS NULL" if column.value is None else
            f"json_extract(value, '$.{column.field}') = {sql_text(column.value)}")
    return (f"(SELECT count(*) FROM json_each(facts, '$.{column.entries}') WHERE {test}) "
            f"AS {column.name}")


def open_cases_view(catalogue: Catalogue) -> str:
    """Cases not in a terminal state, their facts and the policy's counts as columns."""
    columns = ["id AS case_id", "name", "native_name", "state", "flagged", "opened_on",
               *_fact_columns(catalogue.column_facts()), *(_count(c) for c in catalogue.view_counts)]
    terminal = ", ".join(sql_text(s) for s in sorted(catalogue.terminal)) or "NULL"
    return (f"CREATE VIEW open_cases AS\nSELECT {', '.join(columns)}\nFROM cases\n"
            f"WHERE state NOT IN ({terminal})\nORDER BY id;")


def case_facts_view(catalogue: Catalogue) -> str:
    """Every case, its facts and the policy's counts as columns (the reader's cases page:
    no JSON to read)."""
    columns = ["id AS case_id", "name", "native_name", "state", "policy", "flagged",
               "opened_on", *_fact_columns(catalogue.column_facts()),
               *(_count(c) for c in catalogue.view_counts)]
    return f"CREATE VIEW case_facts AS\nSELECT {', '.join(columns)}\nFROM cases\nORDER BY id;"


def clauses_view(catalogue: Catalogue) -> str:
    """Each policy's clauses, id, summary and own words, written from its declarations."""
    rows = ",\n  ".join(
        f"({sql_text(cid)}, {sql_text(policy.key)}, {sql_text(c.summary)}, {sql_text(c.words)})"
        for policy in catalogue.policies for cid, c in policy.clauses.items())
    return f"CREATE VIEW clauses (id, policy, summary, words) AS VALUES\n  {rows};"


def group_views(catalogue: Catalogue) -> list[str]:
    """Each group trigger's groups (one row a group) and members (one row a person)."""
    out = []
    for trigger in catalogue.group_triggers:
        assert trigger.group is not None
        name = trigger.group.view
        given = [f"{_fact(p.name, 'given', 'a.')} AS {p.name}" for p in trigger.params]
        note = f"{_fact('note', 'given', 'a.')} AS note"
        applied = (f"a.trigger = {sql_text(trigger.name)} AND a.outcome = 'applied' "
                   f"AND a.group_id IS NOT NULL AND {NOT_VOIDED}")
        out.append(
            f"CREATE VIEW {name}_groups AS\nSELECT a.group_id AS id, a.at, {', '.join(given)}, "
            f"a.actor AS officer,\n       json_group_array(a.case_id) AS case_ids, {note}\n"
            f"FROM (SELECT * FROM audit WHERE group_id IS NOT NULL ORDER BY group_id, seq) AS a\n"
            f"WHERE {applied}\nGROUP BY a.group_id\nORDER BY a.group_id;")
        out.append(
            f"CREATE VIEW {name}s AS\nSELECT a.group_id, a.at, {', '.join(given)}, "
            f"a.actor AS officer, {note},\n"
            f"       row_number() OVER (PARTITION BY a.group_id ORDER BY a.seq) AS position,\n"
            f"       c.id AS case_id, c.name, c.native_name, "
            f"{', '.join(_fact_columns(trigger.group.facts, 'c.'))}\n"
            f"FROM audit AS a JOIN cases AS c ON c.id = a.case_id\nWHERE {applied}\n"
            f"ORDER BY a.group_id, a.seq;")
    return out


def name_list_view(catalogue: Catalogue) -> list[str]:
    spec = catalogue.name_list
    if spec is None:
        return []
    record = f"'$.{spec.record}[1].%s'"
    field, value = spec.counted
    dated = "json_extract(value, '$.at') <= a.at"
    count = f"(SELECT count(*) FROM json_each(c.facts, '$.{spec.entries}') WHERE {dated}"
    return [
        f"CREATE VIEW name_list AS\nSELECT json_extract(a.changes, {record % spec.list_field}) "
        f"AS list, a.at AS {spec.on}, a.seq,\n       c.id AS case_id, c.name, c.native_name, "
        f"{', '.join(_fact_columns(spec.facts, 'c.'))},\n"
        f"       {count}) AS {spec.entries},\n"
        f"       {count}\n          AND json_extract(value, '$.{field}') = {sql_text(value)}) "
        f"AS {spec.counted_as},\n"
        f"       json_extract(a.changes, {record % spec.to_field}) AS {spec.to_field}, c.state\n"
        f"FROM audit AS a JOIN cases AS c ON c.id = a.case_id\n"
        f"WHERE a.trigger = {sql_text(spec.trigger)} AND a.outcome = 'applied' AND {NOT_VOIDED}\n"
        f"ORDER BY list, a.seq;"]


def split(script: str) -> list[str]:
    """Split the script at lines that end in ';' (each trigger's body is one line)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(buf).strip())
            buf = []
    return out


def statements(catalogue: Catalogue) -> list[str]:
    """Every derived object's statement."""
    return [*split(_GENERIC_VIEWS), open_cases_view(catalogue), case_facts_view(catalogue),
            clauses_view(catalogue), *group_views(catalogue),
            *name_list_view(catalogue), *index_statements(catalogue),
            *name_list_index(catalogue), *summary_indexes(catalogue)]


def view_names(catalogue: Catalogue) -> list[str]:
    names = ["case_timeline", "sources", "open_cases", "case_facts", "clauses", "refusals"]
    for trigger in catalogue.group_triggers:
        assert trigger.group is not None
        names += [f"{trigger.group.view}_groups", f"{trigger.group.view}s"]
    return names + (["name_list"] if catalogue.name_list is not None else [])


def recreate(conn: Any, catalogue: Catalogue, kept_indexes: set[str]) -> None:
    """Drop every view and every index not in KEPT_INDEXES (the tables' own), then write
    them again from CATALOGUE: inside the migration's transaction."""
    rows = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'index') "
                        "AND name NOT LIKE 'sqlite_%'").fetchall()
    for kind, name in rows:
        if kind == "view" or name not in kept_indexes:
            conn.execute(f'DROP {kind.upper()} "{name}"')
    for statement in statements(catalogue):
        conn.execute(statement)
