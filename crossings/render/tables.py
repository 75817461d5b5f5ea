"""Every read command's output: rows as a text table, a JSON array or CSV, as text.

The reports list up to a few hundred thousand people on a database of a million cases
(issue 5, target 5), so the work is done a column at a time: each distinct cell is
measured and padded once, lines are joined by C code and written in large chunks, and flat
rows are encoded to JSON with the encoder's own C string quoting. The output is byte for
byte what the plain per-row version prints (``tests/test_tables.py`` keeps that version as
its oracle).

Stored text is escaped here as the table is laid out (``render.escape``): a text cell is
measured as it will be shown, a CSV text cell that would start a formula is neutralised,
and a JSON string has what json leaves raw escaped. Each column is checked at once in C
(``str.isprintable``), so a column that needs nothing costs that check and nothing more.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from operator import itemgetter
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Sequence

import unicodedata

from .escape import csv_cell, json_safe, term

CHUNK = 5000  # rows a piece of JSON (the CLI writes it piece by piece)


def width(text: str) -> int:
    """Columns a string takes in a terminal: Hangul and Hanja take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell(value: Any) -> str:
    """A value as one table or CSV cell: lists of ids joined by commas, JSON otherwise."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=_bytes_as_text)
    return str(value)


def json_text(data: Any) -> str:
    """Any command's JSON: indented, non-ASCII kept as it is (Hangul, Hanja). Bytes (a
    damaged file's text read back as a blob) are written as text with their undecodable
    bytes escaped, never dropped: verify names the damage."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_bytes_as_text)


def _bytes_as_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def text_lines(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[str]:
    """The table's lines: header, then one line a row, each column padded to its width."""
    cells = [_cells(_values(rows, c)) for c in columns]
    pads = [_padding(name, column) for name, column in zip(columns, cells)]
    padded = [list(map(pad.__getitem__, [name, *column]))
              for pad, name, column in zip(pads, columns, cells)]
    return list(map(str.rstrip, map("  ".join, zip(*padded))))


def _values(rows: Sequence[dict[str, Any]], column: str) -> list[Any]:
    try:
        return list(map(itemgetter(column), rows))
    except KeyError:
        return [row.get(column) for row in rows]


_PLAIN = {str, int, bool}


def _cells(values: list[Any]) -> list[str]:
    """:func:`cell` of each value; strings and numbers without a call each."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return values
    if kinds <= _PLAIN:
        return list(map(str, values))
    return [cell(v) for v in values]


def _padding(name: str, cells: list[str]) -> dict[str, str]:
    """Each distinct cell of a column (and its heading) -> the cell, escaped, padded to
    the width."""
    distinct = {name, *cells}
    if not all(map(str.isprintable, distinct)):
        return _escaped_padding(distinct)
    widths = {text: len(text) if text.isascii() else width(text) for text in distinct}
    widest = max(widths.values())
    return {text: text + " " * (widest - w) for text, w in widths.items()}


def _escaped_padding(distinct: set[str]) -> dict[str, str]:
    shown = {text: term(text) for text in distinct}
    widths = {text: width(s) for text, s in shown.items()}
    widest = max(widths.values())
    return {text: shown[text] + " " * (widest - w) for text, w in widths.items()}


# -- JSON ----------------------------------------------------------------------------------

def json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``json.dumps(list(rows), ensure_ascii=False, indent=2)`` in pieces that, each echoed
    with its newline, make the same text; ROWS may be a stream, read CHUNK rows at a time.
    A chunk whose rows all have the first row's keys is encoded a column at a time (a
    column of scalars by C code, a list or a mapping by json.dumps on its own); any other
    row by json.dumps alone. Each piece is :func:`~crossings.render.escape.json_safe`:
    the same data, safe to show."""
    stream = iter(rows)
    chunk = list(islice(stream, CHUNK))
    if not chunk:
        yield "[]"
        return
    names = tuple(chunk[0]) if all(type(k) is str for k in chunk[0]) else ()
    # A NUL marks each value's place: a key's own NUL is quoted as \u0000 by the encoder.
    members = ",\n".join(f"    {encode_basestring(k)}: \0" for k in names)
    template = json_safe("  {\n" + members.replace("%", "%%").replace("\0", "%s") + "\n  }")
    yield "["
    while chunk:
        following = list(islice(stream, CHUNK))
        if names and all(tuple(r) == names for r in chunk):
            text = ",\n".join(map(template.__mod__, zip(*_encoded(chunk, names))))
        else:
            text = ",\n".join(map(_row, chunk))
        yield text + ("," if following else "")
        chunk = following
    yield "]"


def _row(row: dict[str, Any]) -> str:
    """One row as json.dumps writes it as a member of the array (indented one level)."""
    text = json.dumps(row, ensure_ascii=False, indent=2, default=_bytes_as_text)
    return json_safe("  " + text.replace("\n", "\n  "))


_SCALARS = {str, int, bool, type(None)}


def _encoded(rows: list[dict[str, Any]], names: tuple[str, ...]) -> list[list[str]]:
    """Each column's values as JSON text (every row has these keys)."""
    out = []
    for name in names:
        values = list(map(itemgetter(name), rows))
        kinds = set(map(type, values))
        if kinds <= {str}:
            out.append(_json_safe_column(list(map(encode_basestring, values))))
        elif kinds <= {int}:
            out.append(list(map(int.__repr__, values)))
        elif kinds <= _SCALARS:
            out.append(_json_safe_column([_scalar(v) for v in values]))
        elif kinds == {list} and (lists := _record_lists(values)) is not None:
            out.append(_json_safe_column(lists))
        else:
            out.append(_json_safe_column(list(map(_member, values))))
    return out


def _record_lists(values: list[list[Any]]) -> list[str] | None:
    """A column of lists of records, each record with the same text keys and scalar
    values (a name list's entries), as :func:`_member` writes each, a field at a time
    across the column (240,000 entries: 1.9 -> 0.3 s); None for any other column."""
    records = [r for v in values for r in v]
    if not records:
        return ["[]"] * len(values)
    if not {dict}.issuperset(map(type, records)) or len(keys := set(map(tuple, records))) != 1:
        return None
    [names] = keys
    if not all(type(k) is str for k in names):
        return None
    fields = []
    for name in names:
        column = list(map(itemgetter(name), records))
        kinds = set(map(type, column))
        if kinds <= {str}:
            fields.append(list(map(encode_basestring, column)))
        elif kinds <= _SCALARS:
            fields.append([_scalar(v) for v in column])
        else:
            return None
    template = "{" + ",".join(f"\n        {encode_basestring(k)}: \0" for k in names)
    template = (template + "\n      }").replace("%", "%%").replace("\0", "%s")
    written = list(map(template.__mod__, zip(*fields))) if names else ["{}"] * len(records)
    out, at = [], 0
    for value in values:
        if value:
            out.append("[\n      " + ",\n      ".join(written[at:at + len(value)]) + "\n    ]")
            at += len(value)
        else:
            out.append("[]")
    return out


def _member(value: Any) -> str:
    """Any value as json.dumps writes it as a member of a row of the array (indented two
    levels in): lists and mappings of text, whole numbers, booleans and nulls here, one
    call a value (json's indenting encoder is pure Python, four calls a value); anything
    else by json.dumps, its line breaks indented (json escapes those inside strings)."""
    try:
        return _nested(value, "\n    ")
    except (_Other, RecursionError):  # json.dumps goes deeper than this recursion
        text = json.dumps(value, ensure_ascii=False, indent=2, default=_bytes_as_text)
        return text.replace("\n", "\n    ")


class _Other(Exception):
    """A value :func:`_nested` leaves to json.dumps."""


def _nested(value: Any, margin: str) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = margin + "  "
        if not all(type(k) is str for k in value):
            raise _Other
        return ("{" + ",".join(f"{inner}{encode_basestring(k)}: {_nested(v, inner)}"
                               for k, v in value.items()) + margin + "}")
    if kind is list:
        if not value:
            return "[]"
        inner = margin + "  "
        return "[" + ",".join(inner + _nested(v, inner) for v in value) + margin + "]"
    if kind in _SCALARS:
        return _scalar(value)
    raise _Other


def _json_safe_column(encoded: list[str]) -> list[str]:
    """One column's JSON values, each :func:`~crossings.render.escape.json_safe`: the
    column at once when nothing in it is hidden but the layout's line breaks (json writes
    any other as ``\n``), as json_safe leaves them."""
    if "".join(encoded).replace("\n", " ").isprintable():
        return encoded
    return [text if text.isprintable() else json_safe(text) for text in encoded]


def _scalar(value: Any) -> str:
    """``json.dumps(value)`` for a str, int, bool or None."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    return str(encode_basestring(value)) if type(value) is str else int.__repr__(value)


# -- CSV -----------------------------------------------------------------------------------

def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str],
             flat: Callable[[Any], str] | None = None, header: bool = True) -> str:
    """Rows as CSV with a header line (or, ``header`` false, a later chunk's lines); each
    value as :func:`cell`, or ``flat``."""
    import csv  # only when asked: the CLI's start-up stays lean
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(columns)
    writer.writerows(zip(*(_csv_column(_values(rows, c), flat) for c in columns)))
    return buffer.getvalue()


_NUMBERS = {int, float}
_NOT_TEXT = {int, float, bool, type(None)}
_FIRST = itemgetter(slice(0, 1))
_FORMULA = frozenset("=+-@")  # tab and CR, the other two starts, are not printable


def _csv_column(values: list[Any], flat: Callable[[Any], str] | None) -> list[str]:
    """One column's CSV cells: each value as :func:`cell` (or ``flat``), text cells
    through :func:`~crossings.render.escape.csv_cell`; numbers stay numbers."""
    cells = _cells(values) if flat is None else list(map(flat, values))
    if set(map(type, values)) <= _NOT_TEXT or _plain(cells):
        return cells
    return [text if type(value) in _NUMBERS else csv_cell(text)
            for value, text in zip(values, cells)]


def _plain(cells: list[str]) -> bool:
    """No cell needs escaping or starts a formula (two passes in C over the column)."""
    return "".join(cells).isprintable() and _FORMULA.isdisjoint(map(_FIRST, cells))
