"""Name lists and group manifests as text and Markdown, in the policy's own words."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from workflow import Policy

from .policy_doc import table


def flat(value: Any) -> str:
    """A value as one cell of a list: entries as 'date outcome', lists joined by '; '."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(flat(v) for v in value)
    if isinstance(value, dict) and "at" in value and len(value) == 2:
        return " ".join(str(v) for v in value.values())
    return str(value)


def markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    return table(list(columns), [[flat(row.get(c)) for c in columns] for row in rows])


def by_list(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["list"], []).append(row)
    return groups


def entry(policy: Policy, number: int, row: Mapping[str, Any]) -> str:
    """One person of the register or a name list, on one line."""
    assert policy.words is not None
    native = f" ({row['native_name']})" if row.get("native_name") else ""
    parts = [*policy.words.entry(row), f"now {row['state']}"]
    return f"{number:>3}. {row['name']}{native}, case {row['case_id']}: {'; '.join(parts)}"


def name_lists(policy: Policy, rows: Sequence[dict[str, Any]], columns: Sequence[str],
               referral: bool, fmt: str) -> list[str]:
    """The register (or the name lists) as text or Markdown lines."""
    words = policy.words
    assert words is not None and (policy.name_list is not None or not referral)
    to = policy.name_list.to_field if policy.name_list else ""
    groups = by_list(rows) if referral else {"": list(rows)}
    out: list[str] = []
    for title, members in groups.items():
        heading = (words.list_heading(title, members[0][to], len(members)) if referral
                   else words.register_heading(len(members)))
        if fmt == "markdown":
            out += [f"## {heading}", "", *markdown(members, columns), ""]
        else:
            out += [heading, *(entry(policy, i, r) for i, r in enumerate(members, 1)), ""]
    return out


def manifest(policy: Policy, group: Mapping[str, Any], columns: Sequence[str],
             fmt: str) -> list[str]:
    """One group's manifest as text or Markdown lines."""
    words = policy.words
    assert words is not None
    heading = words.manifest_heading(group, len(group["people"]))
    note = [f"Note: {group['note']}"] if group.get("note") else []
    if fmt == "markdown":
        return [f"## {heading}", *note, "", *markdown(group["people"], columns)]
    return [heading, *note, *(words.manifest_person(p) for p in group["people"])]
