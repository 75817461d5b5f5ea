"""Name lists and group manifests as text and Markdown, in the policy's own words."""

from __future__ import annotations

from itertools import islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

from workflow import Policy, StoreError

from .policy_doc import table, table_row


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


def entry(policy: Policy, number: int, row: Mapping[str, Any]) -> str:
    """One person of the register or a name list, on one line."""
    assert policy.words is not None
    native = f" ({row['native_name']})" if row.get("native_name") else ""
    parts = [*policy.words.entry(row), f"now {row['state']}"]
    return f"{number:>3}. {row['name']}{native}, case {row['case_id']}: {'; '.join(parts)}"


def name_lists(policy: Policy, heads: Sequence[Mapping[str, Any]],
               rows: Iterable[dict[str, Any]], columns: Sequence[str], referral: bool,
               fmt: str) -> Iterator[str]:
    """The register (or the name lists) as text or Markdown lines, as ROWS stream: HEADS
    are the lists in order (``list``, its addressee, ``count``: the register is one head
    with the count of cases), ROWS their people, list after list."""
    words = policy.words
    assert words is not None and (policy.name_list is not None or not referral)
    to = policy.name_list.to_field if policy.name_list else ""
    stream = iter(rows)
    for head in heads:
        title, count = head.get("list", ""), int(head["count"])
        members = _members(islice(stream, count), title, count, referral)
        heading = (words.list_heading(title, head[to], count) if referral
                   else words.register_heading(count))
        if fmt == "markdown":
            yield from (f"## {heading}", "", *table(list(columns), []))
            yield from (table_row([flat(row.get(c)) for c in columns]) for row in members)
        else:
            yield heading
            yield from (entry(policy, i, r) for i, r in enumerate(members, 1))
        yield ""
    if next(stream, None) is not None:
        raise _changed("more people than the lists' headings count")


def _members(rows: Iterable[dict[str, Any]], title: str, count: int,
             referral: bool) -> Iterator[dict[str, Any]]:
    """The rows of one list, as many as its heading said, each on it (the heads and rows
    are one snapshot's: a difference is the store's fault, never printed as if true)."""
    n = 0
    for row in rows:
        if referral and row["list"] != title:
            raise _changed(f"{row['list']!r} within {title!r}")
        n += 1
        yield row
    if n != count:
        raise _changed(f"{n} people on {title or 'the register'}, its heading says {count}")


def _changed(what: str) -> StoreError:
    return StoreError(f"the name lists read back unlike their headings: {what}")


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
