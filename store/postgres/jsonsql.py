"""PostgreSQL's spelling of what the SQLite store asks of its JSON text columns.

Each helper returns an SQL expression over a ``text`` column cast to ``jsonb``:
``json_extract(facts, '$.a.b')`` is ``(facts::jsonb #> '{a,b}')`` (a jsonb value, which
the driver reads back as the Python value; :func:`errors.sqlite_value` gives it as
SQLite would) or, as text, ``#>>``. The names spliced in are the policy's, checked as
plain identifiers and paths by the SQLite store's own checks (``ident``, ``path``).
"""

from __future__ import annotations

from typing import Any

from ..common import ident, path, sql_text

__all__ = ["array", "array_length", "ident", "jpath", "path", "sql_text", "text_at",
           "value_at", "elements"]


def jpath(dotted: str, *more: str | int) -> str:
    """A fact path ("referral.at"), and more steps (an index, a field), as a text[]
    literal: '{referral,at}'. A step -1 is the last element of an array."""
    steps = [*path(dotted).split("."), *(str(m) if isinstance(m, int) else path(m)
                                          for m in more)]
    return "'{" + ",".join(steps) + "}'"


def value_at(column: str, dotted: str, *more: str | int) -> str:
    return f"({column}::jsonb #> {jpath(dotted, *more)})"


def text_at(column: str, dotted: str, *more: str | int) -> str:
    return f"({column}::jsonb #>> {jpath(dotted, *more)})"


def array(column: str, dotted: str) -> str:
    """The array at a path, or NULL when it is not one (SQLite's json_each gives no row
    for a missing or scalar value; jsonb_array_elements would fail on a scalar)."""
    value = value_at(column, dotted)
    return f"(CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} END)"


def array_length(column: str, dotted: str) -> str:
    """SQLite's json_array_length(column, '$.path'): NULL when missing, 0 when not an array."""
    value = value_at(column, dotted)
    return (f"(CASE WHEN {value} IS NULL THEN NULL WHEN jsonb_typeof({value}) = 'array' "
            f"THEN jsonb_array_length({value}) ELSE 0 END)")


def elements(column: str, dotted: str) -> str:
    """A set of the array's elements (a FROM item), ``value`` each, with ``n`` its index."""
    return f"jsonb_array_elements({array(column, dotted)}) WITH ORDINALITY AS j(value, n)"


def literal(value: Any) -> str:
    return sql_text(value)
