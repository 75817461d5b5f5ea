"""What a policy's reports ask of the store, declared as data.

A policy names its report sections (which clause, what the finding is called, which
query), the counts its view of open cases shows, and its name lists, in these few shapes;
each store turns a shape into its own SQL, and builds the indexes that answer it. The
shapes speak only of facts, states and settings, by the names the policy declares.
"""

from __future__ import annotations

from typing import Any

from .record import Record


class Where(Record):
    """Conditions on a case: facts equal to values, facts unset, the state one of some."""
    equals: tuple[tuple[str, Any], ...] = ()  # (fact path, value)
    unset: tuple[str, ...] = ()  # fact paths with no value
    states: tuple[str, ...] = ()  # empty: every non-terminal state


class Late(Record):
    """Cases whose date fact ``since`` lies more than setting ``days`` days before as-of."""
    since: str  # a fact path: "investigated_on", "referral.at"
    days: str  # a setting name
    where: Where
    # Judged as it stood on a past day: the words for a case that left the states after
    # it was due ("sent back late"); empty: such a case is not listed.
    closed_late: str = ""


class LatestWithout(Record):
    """Cases whose latest entry of ``entries`` has ``field`` equal to ``value`` while the
    list fact ``without`` is empty; each with that entry's date and how many entries
    have that value."""
    entries: str
    field: str
    value: str
    without: str
    states: tuple[str, ...]


class Entries(Record):
    """Every entry of a list fact (or only those whose ``unset`` field has no value), with
    its date, who made it, and its ``detail`` field."""
    entries: str
    detail: str
    unset: str | None = None


class DatedBefore(Record):
    """Every case event handled under one policy (id, version) and dated before the day
    it took effect: found on the trail, not in the cases."""
    policy: str
    version: str
    effective: str


Query = Late | LatestWithout | Entries | DatedBefore


class Section(Record):
    """One kind of finding of a report (``overdue``, ``compliance``): its clause, its words
    (``{days}``: the setting's value), its query, and for LatestWithout the words of each
    row's detail (``{count}``, ``{since}``)."""
    id: str  # short, an SQL identifier: the store names its index after it
    report: str
    clause: str
    kind: str
    query: Query
    detail: str = ""


class Count(Record):
    """A column of the open cases' view: entries of a list fact (those whose ``field`` is
    ``value``, or is unset when ``value`` is None and ``field`` given)."""
    name: str
    entries: str
    field: str | None = None
    value: Any = None


class LatestField(Record):
    """A column of the open cases' view: one field of a list fact's latest entry."""
    name: str
    entries: str
    field: str


class NameList(Record):
    """The lists a trigger puts people on: the record it writes (a fact holding the
    list's id and addressee), the facts shown per person, and the entries counted up to
    the date each person was put on the list (all, and those with ``counted`` = value).
    The column names of the name list's rows are declared with it."""
    trigger: str
    record: str
    list_field: str  # the record's field holding the list's id (and the column "list")
    to_field: str  # the record's field holding the addressee (and its column)
    facts: tuple[str, ...]
    entries: str  # the list fact counted (its column: all entries up to the date)
    counted: tuple[str, Any]  # (field, value) of the entries counted apart
    counted_as: str  # the column of those
    on: str  # the column of the date the person was put on the list
    reply: str  # the fact holding the addressee's reply ({reply: ...})
